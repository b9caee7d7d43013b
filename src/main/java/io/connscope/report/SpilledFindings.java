package io.connscope.report;

import io.connscope.result.Finding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Findings that name a transaction, kept in a temporary file (each as the JSON report writes it,
 * {@link FindingJson}) and found again by connection and transaction once all are in ({@link
 * #seal}): the HAR rendered during the analysis holds a few thousand in memory and puts the rest
 * here, so that a capture with a finding on every transaction still has its HAR rendered as the
 * analysis runs, not from the JSON report read back.
 *
 * <p>Memory: {@value #BYTES_EACH} bytes per finding (its key twice, where it is in the file, its
 * length, its place in the order, and a merge buffer while sorting), at most {@value #MAX} findings
 * ({@link #full}).
 */
final class SpilledFindings implements AutoCloseable {
  /** The most findings kept. */
  static final int MAX = 1 << 20;

  /** Memory per finding, once sealed. */
  static final int BYTES_EACH = 36;

  private final Path path;
  private final FileChannel channel;
  private final ByteBuffer writes = ByteBuffer.allocate(1 << 16);
  private final FindingJson json = new FindingJson();
  private long size;

  /** Per finding, in arrival order: its key, offset in the file, length. */
  private long[] keys = new long[1024];

  private long[] offsets = new long[1024];
  private int[] lengths = new int[1024];
  private int count;

  /** After {@link #seal}: the findings' numbers ordered by key, then arrival. */
  private int[] order;

  private long[] sortedKeys;

  /** Reads a finding's bytes back, one at a time, through one reader. */
  private final Record record = new Record();

  private final FindingReader reader = new FindingReader(new TreeReader(record, 4096));

  /**
   * File bytes [{@link #windowAt}, {@link #windowAt} + {@link #windowLength}) read ahead: the HAR
   * asks for findings in about the order they came, so one read serves many.
   */
  private byte[] read = new byte[1 << 16];

  private long windowAt;
  private int windowLength;

  SpilledFindings() throws IOException {
    path = Files.createTempFile("connscope-", ".findings");
    path.toFile().deleteOnExit();
    channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** True when no more findings fit ({@value #MAX}). */
  boolean full() {
    return count >= MAX;
  }

  /** Adds {@code f}, a finding that names a transaction. */
  void add(Finding f) throws IOException {
    json.reset();
    json.write(f);
    if (count == keys.length) {
      keys = Arrays.copyOf(keys, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
    }
    keys[count] = ReportSource.findingKey(f.connection(), f.transaction());
    offsets[count] = size;
    lengths[count] = json.length();
    count++;
    byte[] b = json.bytes();
    for (int at = 0; at < json.length(); ) {
      int n = Math.min(writes.remaining(), json.length() - at);
      writes.put(b, at, n);
      at += n;
      if (!writes.hasRemaining()) {
        flush();
      }
    }
    size += json.length();
  }

  private void flush() throws IOException {
    writes.flip();
    while (writes.hasRemaining()) {
      channel.write(writes);
    }
    writes.clear();
  }

  /** All findings are in: they are ordered by key, ties in arrival order (the report's). */
  void seal() throws IOException {
    flush();
    order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    sort(order, new int[count], 0, count);
    sortedKeys = new long[count];
    for (int i = 0; i < count; i++) {
      sortedKeys[i] = keys[order[i]];
    }
  }

  /** Sorts {@code a[from, to)} by key, stably (a merge sort: ties keep arrival order). */
  private void sort(int[] a, int[] tmp, int from, int to) {
    if (to - from < 2) {
      return;
    }
    int mid = (from + to) >>> 1;
    sort(a, tmp, from, mid);
    sort(a, tmp, mid, to);
    if (keys[a[mid - 1]] <= keys[a[mid]]) {
      return; // already in order: the usual case, findings come by connection
    }
    System.arraycopy(a, from, tmp, from, to - from);
    for (int i = from, l = from, r = mid; i < to; i++) {
      a[i] = r >= to || (l < mid && keys[tmp[l]] <= keys[tmp[r]]) ? tmp[l++] : tmp[r++];
    }
  }

  /**
   * The findings that name transaction {@code index} of connection {@code id}, in arrival order,
   * without their details and ladder (as the HAR shows them); empty when none.
   */
  List<Finding> take(String id, int index) throws IOException {
    long key = ReportSource.findingKey(id, index);
    int i = Arrays.binarySearch(sortedKeys, key);
    if (i < 0) {
      return List.of();
    }
    while (i > 0 && sortedKeys[i - 1] == key) {
      i--;
    }
    List<Finding> out = new ArrayList<>(1);
    for (; i < count && sortedKeys[i] == key; i++) {
      int n = order[i];
      record.set(read, window(offsets[n], lengths[n]), lengths[n]);
      Finding f = reader.read(null, true);
      if (id.equals(f.connection()) && f.transaction() == index) {
        out.add(f);
      }
    }
    return out;
  }

  /** Where in {@link #read} the file's bytes [at, at + len) are, read now when they are not. */
  private int window(long at, int len) throws IOException {
    if (at < windowAt || at + len > windowAt + windowLength) {
      if (read.length < len) {
        read = new byte[len];
      }
      ByteBuffer b = ByteBuffer.wrap(read, 0, (int) Math.min(read.length, size - at));
      while (b.position() < len) {
        if (channel.read(b, at + b.position()) < 0) {
          throw new IOException("the findings' temporary file ends early");
        }
      }
      windowAt = at;
      windowLength = b.position();
    }
    return (int) (at - windowAt);
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(path);
    }
  }

  /** The bytes of one finding, as a stream that ends with them. */
  private static final class Record extends InputStream {
    private byte[] b;
    private int pos;
    private int lim;

    void set(byte[] b, int off, int len) {
      this.b = b;
      pos = off;
      lim = off + len;
    }

    @Override
    public int read() {
      return pos < lim ? b[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] d, int off, int len) {
      if (pos >= lim) {
        return -1;
      }
      int n = Math.min(len, lim - pos);
      System.arraycopy(b, pos, d, off, n);
      pos += n;
      return n;
    }
  }
}
