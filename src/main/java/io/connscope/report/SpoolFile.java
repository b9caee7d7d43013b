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
 * temporary file (deleted on close). Records come back ordered by key, whatever the order they
 * were added in, so a report can list connections by id while they finish in any order.
 *
 * <p>The index (key, offset, length per record) is bounded too: every {@value #RUN} records it is
 * sorted and written to a second temporary file as a run, and the runs are merged at the end, so
 * heap use does not grow with the number of records.
 */
final class SpoolFile implements AutoCloseable {
  private static final int MEMORY_BUDGET = 16 << 20;
  /** Index entries kept in memory before they are sorted and spilled as one run. */
  static final int RUN = 1 << 16;

  private long[] keys = new long[64];
  private long[] offsets = new long[64];
  private int[] lengths = new int[64];
  private int count;
  private long total;
  private byte[] memory = new byte[8192];
  private long size;
  private Path path;
  private FileChannel channel;
  // Spilled index runs: each RUN-sized (the last may be shorter), sorted by key.
  private Path indexPath;
  private DataOutputStream indexOut;
  private final List<Integer> runLengths = new ArrayList<>();

  void add(long key, byte[] data, int len) {
    if (count == RUN) {
      spillIndex();
    }
    if (count == keys.length) {
      int n = Math.min(RUN, count * 2);
      keys = Arrays.copyOf(keys, n);
      offsets = Arrays.copyOf(offsets, n);
      lengths = Arrays.copyOf(lengths, n);
    }
    keys[count] = key;
    offsets[count] = size;
    lengths[count] = len;
    count++;
    total++;
    try {
      if (channel == null && size + len <= MEMORY_BUDGET) {
        if (size + len > memory.length) {
          memory = Arrays.copyOf(memory, (int) Math.min(MEMORY_BUDGET, Math.max(size + len, memory.length * 2L)));
        }
        System.arraycopy(data, 0, memory, (int) size, len);
      } else {
        if (channel == null) {
          path = Files.createTempFile("connscope-", ".spool");
          path.toFile().deleteOnExit();
          channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
          channel.write(ByteBuffer.wrap(memory, 0, (int) size), 0);
          memory = null;
        }
        channel.write(ByteBuffer.wrap(data, 0, len), size);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    size += len;
  }

  int count() {
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /** The in-memory index entries in key order (ties in insertion order). */
  private int[] sortedRun() {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> a.equals(b) ? 0
        : keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : Integer.compare(a, b));
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = order[i];
    }
    return out;
  }

  private void spillIndex() {
    try {
      if (indexOut == null) {
        indexPath = Files.createTempFile("connscope-", ".index");
        indexPath.toFile().deleteOnExit();
        indexOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(indexPath), 1 << 16));
      }
      for (int i : sortedRun()) {
        indexOut.writeLong(keys[i]);
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
   * records when {@code groupShift} is negative (records of one group
   * are written back to back).
   */
  void writeSorted(OutputStream out, byte[] sep, int groupShift) throws IOException {
    if (indexOut == null) {
      int[] order = sortedRun();
      byte[] tmp = new byte[8192];
      for (int k = 0; k < order.length; k++) {
        int i = order[k];
        tmp = copy(out, offsets[i], lengths[i], tmp);
        if (k + 1 < order.length && (groupShift < 0
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
    long[] headOff = new long[runs];
    int[] headLen = new int[runs];
    try {
      long pos = 0;
      for (int r = 0; r < runs; r++) {
        in[r] = new DataInputStream(new BufferedInputStream(runStream(pos), 8192));
        left[r] = runLengths.get(r);
        pos += 20L * runLengths.get(r);
        advance(in, left, headKey, headOff, headLen, r);
      }
      byte[] tmp = new byte[8192];
      boolean first = true;
      long prevKey = 0;
      while (true) {
        int best = -1;
        for (int r = 0; r < runs; r++) {
          if (left[r] >= 0 && (best < 0 || headKey[r] < headKey[best])) {
            best = r;
          }
        }
        if (best < 0) {
          break;
        }
        if (!first && (groupShift < 0 || (headKey[best] >>> groupShift) != (prevKey >>> groupShift))) {
          out.write(sep);
        }
        first = false;
        prevKey = headKey[best];
        tmp = copy(out, headOff[best], headLen[best], tmp);
        advance(in, left, headKey, headOff, headLen, best);
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
  private static void advance(DataInputStream[] in, long[] left, long[] key, long[] off, int[] len,
      int r) throws IOException {
    if (left[r] == 0) {
      left[r] = -1;
      return;
    }
    key[r] = in[r].readLong();
    off[r] = in[r].readLong();
    len[r] = in[r].readInt();
    left[r]--;
  }

  private byte[] copy(OutputStream out, long offset, int len, byte[] tmp) throws IOException {
    if (channel == null) {
      out.write(memory, (int) offset, len);
      return tmp;
    }
    if (tmp.length < len) {
      tmp = new byte[len];
    }
    ByteBuffer bb = ByteBuffer.wrap(tmp, 0, len);
    long pos = offset;
    while (bb.hasRemaining()) {
      int n = channel.read(bb, pos);
      if (n < 0) {
        throw new IOException("spool file shrank");
      }
      pos += n;
    }
    out.write(tmp, 0, len);
    return tmp;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      Files.deleteIfExists(path);
      channel = null;
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
