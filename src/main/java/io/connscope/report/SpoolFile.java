package io.connscope.report;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keyed byte records that may be too many for memory: kept in memory up to a budget, then in a
 * temporary file (deleted on close). Records come back ordered by key, whatever the order they were
 * added in, so a report can list connections by id while they finish in any order.
 *
 * <p>The index (key, second key, offset, length per record) is bounded too: every {@value #RUN}
 * records it is sorted and written to a second temporary file as a run, and the runs are merged at
 * the end, so heap use does not grow with the number of records.
 */
final class SpoolFile implements AutoCloseable {
  private static final int MEMORY_BUDGET = 16 << 20;

  /** Bytes kept in memory before the records go to a temporary file. */
  private final int memoryBudget;

  SpoolFile() {
    this(MEMORY_BUDGET);
  }

  /** A spool keeping at most {@code memoryBudget} bytes of records in memory. */
  SpoolFile(int memoryBudget) {
    this.memoryBudget = memoryBudget;
  }

  /**
   * File mode: records are appended through a write buffer of this size, not with a system call
   * each (they are read back through the {@link #WINDOWS read windows}).
   */
  static final int IO_BUFFER = 1 << 20;

  /** Index entries kept in memory before they are sorted and spilled as one run. */
  static final int RUN = 1 << 16;

  private long[] keys = new long[64];
  private long[] keys2 = new long[64];
  private long[] offsets = new long[64];
  private int[] lengths = new int[64];
  private int count;
  private long total;
  private byte[] memory = new byte[8192];
  private long size;
  private Path path;
  private FileChannel channel;

  /**
   * File mode: the last bytes added, not written yet ({@code position()} of them, at file offset
   * size - position()).
   */
  private ByteBuffer writeBuffer;

  /**
   * File mode, reading: the read windows, one per stream of records being read back. Records sorted
   * by key often come from a few places of the file in turn (a report's entries in start order,
   * taken from connections each written whole): each place read ahead through its own window,
   * instead of one system call per record.
   */
  private Window[] windows;

  private long useClock;

  /** Read windows kept at once, and the most one of them reads ahead. */
  static final int WINDOWS = 16;

  static final int WINDOW_MAX = 256 << 10;

  /** File bytes [start, start + length), and where the last record read from it ended. */
  private static final class Window {
    byte[] bytes = new byte[0];
    long start;
    int length;
    long lastEnd = -1;
    int readAhead;
    long lastUse;
  }

  private static final int READ_AHEAD_MIN = 16 << 10;

  /** Bytes kept before the record a window is refilled at, when it reads a stream on. */
  private static final int BEHIND = 32 << 10;

  /** A record this close to a window's bytes reads that window's stream on. */
  private static final int NEAR = 64 << 10;

  // Spilled index runs: each RUN-sized (the last may be shorter), sorted by key.
  private Path indexPath;
  private DataOutputStream indexOut;
  private final List<Integer> runLengths = new ArrayList<>();

  void add(long key, byte[] data, int len) {
    add(key, 0, data, len, data, 0, data, 0);
  }

  /**
   * Adds a record ordered by {@code key}, then by {@code key2} (ties in insertion order): for
   * records whose order among equal keys is not the order they come in.
   */
  void add(long key, long key2, byte[] data, int len) {
    add(key, key2, data, len, data, 0, data, 0);
  }

  /**
   * Adds one record made of {@code a[0, aLen)}, {@code b[0, bLen)} and {@code c[0, cLen)} in that
   * order (pieces of a record that would otherwise be copied together first).
   */
  void add(long key, byte[] a, int aLen, byte[] b, int bLen, byte[] c, int cLen) {
    add(key, 0, a, aLen, b, bLen, c, cLen);
  }

  /** {@link #add(long, byte[], int, byte[], int, byte[], int)}, ordered by key, then key2. */
  void add(long key, long key2, byte[] a, int aLen, byte[] b, int bLen, byte[] c, int cLen) {
    if (count == RUN) {
      spillIndex();
    }
    if (count == keys.length) {
      int n = Math.min(RUN, count * 2);
      keys = Arrays.copyOf(keys, n);
      keys2 = Arrays.copyOf(keys2, n);
      offsets = Arrays.copyOf(offsets, n);
      lengths = Arrays.copyOf(lengths, n);
    }
    int len = aLen + bLen + cLen;
    keys[count] = key;
    keys2[count] = key2;
    offsets[count] = size;
    lengths[count] = len;
    count++;
    total++;
    try {
      if (channel == null && size + len <= memoryBudget) {
        if (size + len > memory.length) {
          memory =
              Arrays.copyOf(
                  memory, (int) Math.min(memoryBudget, Math.max(size + len, memory.length * 2L)));
        }
        int at = (int) size;
        System.arraycopy(a, 0, memory, at, aLen);
        System.arraycopy(b, 0, memory, at + aLen, bLen);
        System.arraycopy(c, 0, memory, at + aLen + bLen, cLen);
      } else {
        if (channel == null) {
          path = Files.createTempFile("connscope-", ".spool");
          path.toFile().deleteOnExit();
          channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
          // direct: a heap buffer would be copied into a temporary direct one at each write
          writeBuffer = ByteBuffer.allocateDirect(IO_BUFFER);
          writeThrough(memory, (int) size, 0);
          memory = null;
        }
        if (writeBuffer.position() + len > IO_BUFFER) {
          flushWrites();
        }
        if (len >= IO_BUFFER) { // the buffer is empty: flushed above
          long at = size;
          at += writeThrough(a, aLen, at);
          at += writeThrough(b, bLen, at);
          writeThrough(c, cLen, at);
        } else {
          writeBuffer.put(a, 0, aLen).put(b, 0, bLen).put(c, 0, cLen);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    size += len;
  }

  /** Writes the buffered tail to the file. */
  private void flushWrites() throws IOException {
    int pending = writeBuffer.position();
    if (pending > 0) {
      writeBuffer.flip();
      writeFully(writeBuffer, size - pending);
      writeBuffer.clear();
    }
  }

  /**
   * Writes the first {@code len} bytes of {@code src} at {@code position} through the empty write
   * buffer, a buffer's worth at a time, and leaves it empty; returns {@code len}. Not as one heap
   * buffer: the channel copies a heap buffer into a temporary direct buffer of its size, which the
   * JDK then keeps for the thread (16 MiB for the memory spilled, 17 MB of the resident set).
   */
  private int writeThrough(byte[] src, int len, long position) throws IOException {
    for (int done = 0; done < len; ) {
      int n = Math.min(IO_BUFFER, len - done);
      writeBuffer.clear();
      writeBuffer.put(src, done, n).flip();
      writeFully(writeBuffer, position + done);
      done += n;
    }
    writeBuffer.clear();
    return len;
  }

  /** Writes all of {@code b} at {@code position}; returns how many bytes that was. */
  private int writeFully(ByteBuffer b, long position) throws IOException {
    int n = b.remaining();
    long pos = position;
    while (b.hasRemaining()) {
      pos += channel.write(b, pos);
    }
    return n;
  }

  int count() {
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /** The in-memory index entries in key order (ties in insertion order). */
  private int[] sortedRun() {
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    // a stable merge sort of primitive indices (no boxing); entries mostly come nearly in order
    int[] tmp = new int[count];
    for (int width = 1; width < count; width *= 2) {
      for (int lo = 0; lo < count - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, count);
        if (!after(order[mid - 1], order[mid])) {
          continue; // already in order
        }
        System.arraycopy(order, lo, tmp, lo, hi - lo);
        int a = lo;
        int b = mid;
        for (int k = lo; k < hi; k++) {
          if (b >= hi || (a < mid && !after(tmp[a], tmp[b]))) {
            order[k] = tmp[a++];
          } else {
            order[k] = tmp[b++];
          }
        }
      }
    }
    return order;
  }

  /** Index entry {@code i} goes after entry {@code j}: a greater key, or key2 on equal keys. */
  private boolean after(int i, int j) {
    return keys[i] > keys[j] || (keys[i] == keys[j] && keys2[i] > keys2[j]);
  }

  private void spillIndex() {
    try {
      if (indexOut == null) {
        indexPath = Files.createTempFile("connscope-", ".index");
        indexPath.toFile().deleteOnExit();
        indexOut =
            new DataOutputStream(
                new BufferedOutputStream(Files.newOutputStream(indexPath), 1 << 16));
      }
      for (int i : sortedRun()) {
        indexOut.writeLong(keys[i]);
        indexOut.writeLong(keys2[i]);
        indexOut.writeLong(offsets[i]);
        indexOut.writeInt(lengths[i]);
      }
      runLengths.add(count);
      count = 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes every record, ordered by key (ties in insertion order). {@code sep} is written between
   * two records whose keys differ in their bits above {@code groupShift}, or between any two
   * records when {@code groupShift} is negative (records of one group are written back to back).
   */
  void writeSorted(OutputStream out, byte[] sep, int groupShift) throws IOException {
    writeSorted(out, sep, groupShift, OutputStream::write);
  }

  /** How a record's bytes are written: as they are, or rewritten on the way. */
  interface Emit {
    void write(OutputStream out, byte[] b, int off, int len) throws IOException;
  }

  /**
   * Writes every record as {@link #writeSorted(OutputStream, byte[], int)} does, each through
   * {@code emit}.
   */
  void writeSorted(OutputStream out, byte[] sep, int groupShift, Emit emit) throws IOException {
    if (channel != null) {
      flushWrites();
    }
    if (indexOut == null) {
      int[] order = sortedRun();
      byte[] tmp = new byte[8192];
      for (int k = 0; k < order.length; k++) {
        int i = order[k];
        tmp = copy(out, offsets[i], lengths[i], tmp, emit);
        if (k + 1 < order.length
            && (groupShift < 0
                || (keys[order[k + 1]] >>> groupShift) != (keys[i] >>> groupShift))) {
          out.write(sep);
        }
      }
      return;
    }
    if (count > 0) {
      spillIndex();
    }
    indexOut.close();
    // k-way merge of the runs; on equal keys the earlier run wins, which keeps insertion order
    int runs = runLengths.size();
    DataInputStream[] in = new DataInputStream[runs];
    long[] left = new long[runs];
    long[] headKey = new long[runs];
    long[] headKey2 = new long[runs];
    long[] headOff = new long[runs];
    int[] headLen = new int[runs];
    try {
      long pos = 0;
      for (int r = 0; r < runs; r++) {
        in[r] = new DataInputStream(new BufferedInputStream(runStream(pos), 8192));
        left[r] = runLengths.get(r);
        pos += 28L * runLengths.get(r);
        advance(in, left, headKey, headKey2, headOff, headLen, r);
      }
      byte[] tmp = new byte[8192];
      boolean first = true;
      long prevKey = 0;
      while (true) {
        int best = -1;
        for (int r = 0; r < runs; r++) {
          if (left[r] >= 0
              && (best < 0
                  || headKey[r] < headKey[best]
                  || (headKey[r] == headKey[best] && headKey2[r] < headKey2[best]))) {
            best = r;
          }
        }
        if (best < 0) {
          break;
        }
        if (!first
            && (groupShift < 0 || (headKey[best] >>> groupShift) != (prevKey >>> groupShift))) {
          out.write(sep);
        }
        first = false;
        prevKey = headKey[best];
        tmp = copy(out, headOff[best], headLen[best], tmp, emit);
        advance(in, left, headKey, headKey2, headOff, headLen, best);
      }
    } finally {
      for (DataInputStream s : in) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  /** The index file from byte {@code start}; closing the stream closes its channel. */
  private InputStream runStream(long start) throws IOException {
    FileChannel ch = FileChannel.open(indexPath, StandardOpenOption.READ);
    ch.position(start);
    return Channels.newInputStream(ch);
  }

  /** Reads the next entry of run {@code r}; left[r] becomes -1 when the run is exhausted. */
  private static void advance(
      DataInputStream[] in, long[] left, long[] key, long[] key2, long[] off, int[] len, int r)
      throws IOException {
    if (left[r] == 0) {
      left[r] = -1;
      return;
    }
    key[r] = in[r].readLong();
    key2[r] = in[r].readLong();
    off[r] = in[r].readLong();
    len[r] = in[r].readInt();
    left[r]--;
  }

  private byte[] copy(OutputStream out, long offset, int len, byte[] tmp, Emit emit)
      throws IOException {
    if (len == 0) {
      return tmp;
    }
    if (channel == null) {
      emit.write(out, memory, (int) offset, len);
      return tmp;
    }
    if (len > WINDOW_MAX) {
      if (tmp.length < len) {
        tmp = new byte[len];
      }
      readFully(tmp, 0, len, offset);
      emit.write(out, tmp, 0, len);
      return tmp;
    }
    if (windows == null) {
      windows = new Window[WINDOWS];
      for (int i = 0; i < WINDOWS; i++) {
        windows[i] = new Window();
      }
    }
    Window w = window(offset, len);
    emit.write(out, w.bytes, (int) (offset - w.start), len);
    w.lastEnd = offset + len;
    w.lastUse = ++useClock;
    return tmp;
  }

  /**
   * The window holding [offset, offset + len): one that already does, else the one whose last
   * record ends at {@code offset} or, failing that, one whose bytes are within {@value #NEAR} of it
   * (records added a little out of order), refilled from {@value #BEHIND} bytes before it with more
   * read ahead (as the operating system does while a file is read in order), else the least
   * recently used, refilled with the record alone (no read ahead after a jump, so records read in
   * no order cost no more than their bytes).
   */
  private Window window(long offset, int len) throws IOException {
    Window next = null;
    Window near = null;
    Window oldest = windows[0];
    for (Window w : windows) {
      if (offset >= w.start && offset + len <= w.start + w.length) {
        return w;
      }
      if (w.lastEnd == offset) {
        next = w;
      } else if (w.length > 0 && offset >= w.start - NEAR && offset < w.start + w.length + NEAR) {
        near = w;
      }
      if (w.lastUse < oldest.lastUse) {
        oldest = w;
      }
    }
    if (next == null) {
      next = near; // a stream read on a little out of order
    }
    Window w = next != null ? next : oldest;
    w.readAhead =
        next != null ? Math.min(WINDOW_MAX, Math.max(READ_AHEAD_MIN, 2 * w.readAhead)) : 0;
    // a stream read on keeps the bytes just before too: records added a little out of key order
    // (a few handed over together) come back from there
    long from = next != null ? Math.max(0, offset - BEHIND) : offset;
    int n = (int) Math.min(offset - from + Math.max(len, w.readAhead), size - from);
    byte[] bytes = w.bytes;
    if (bytes.length < n) {
      bytes = new byte[Math.max(n, Math.min(WINDOW_MAX + BEHIND, Integer.highestOneBit(n) << 1))];
    }
    // the bytes the window already holds are kept (moved to their new place), not read again
    long keepFrom = Math.max(from, w.start);
    long keepTo = Math.min(from + n, w.start + w.length);
    if (next == null || keepFrom >= keepTo) {
      keepFrom = keepTo = from;
    } else {
      System.arraycopy(
          w.bytes,
          (int) (keepFrom - w.start),
          bytes,
          (int) (keepFrom - from),
          (int) (keepTo - keepFrom));
    }
    w.bytes = bytes;
    w.start = from;
    w.length = n;
    if (keepFrom > from) {
      readFully(bytes, 0, (int) (keepFrom - from), from);
    }
    if (keepTo < from + n) {
      readFully(bytes, (int) (keepTo - from), (int) (from + n - keepTo), keepTo);
    }
    return w;
  }

  /** System calls that read the file back so far. */
  long reads() {
    return reads;
  }

  private long reads;

  private void readFully(byte[] into, int at, int len, long offset) throws IOException {
    reads++;
    ByteBuffer bb = ByteBuffer.wrap(into, at, len);
    long pos = offset;
    while (bb.hasRemaining()) {
      int n = channel.read(bb, pos);
      if (n < 0) {
        throw new IOException("spool file shrank");
      }
      pos += n;
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      Files.deleteIfExists(path);
      channel = null;
      writeBuffer = null;
    }
    if (indexPath != null) {
      if (indexOut != null) {
        indexOut.close();
      }
      Files.deleteIfExists(indexPath);
      indexPath = null;
    }
  }
}
