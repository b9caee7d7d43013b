package io.connscope.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Splitting a large uncompressed classic pcap file between tasks, as splittable pcap readers for
 * Hadoop do: a split owns the records that start in its byte range {@code [start, end)}; its first
 * record is found by scanning from {@code start} for an offset where several consecutive record
 * headers are plausible and chain (each header says where the next one starts).
 *
 * <p>A record header is plausible when its fraction of a second is below one second in the file's
 * resolution, its captured length is at most the snaplen (when the file declares one) and at most
 * its original length, its original length is at most {@value #MAX_ORIGINAL} bytes, and its seconds
 * are within a day before the file's first packet and {@value #MAX_SPAN_S} seconds after it;
 * consecutive records are at most {@value #MAX_STEP_S} seconds apart. {@value #CHAIN} such records
 * in a chain (or fewer that end exactly at the end of the file) make a boundary. A gzip file and a
 * pcapng file are never split (pcapng blocks are found by their lengths from the start; gzip cannot
 * be entered in the middle).
 */
final class CaptureSplits {
  static final int GLOBAL_HEADER = 24;
  static final int RECORD_HEADER = 16;
  static final int CHAIN = 8;
  static final long MAX_ORIGINAL = 16L << 20;
  static final long MAX_SPAN_S = 20L * 366 * 86400;
  static final long MAX_STEP_S = 86400;

  /** Bytes read from a split point to look for its first record. */
  static final int SCAN_WINDOW = 8 << 20;

  private CaptureSplits() {}

  /** What the global header of a classic pcap file says, or null when it is not one. */
  record PcapHeader(byte[] bytes, ByteOrder order, boolean nanos, long snaplen) {
    static PcapHeader of(byte[] h) {
      if (h.length < GLOBAL_HEADER) {
        return null;
      }
      int magic = ByteBuffer.wrap(h).order(ByteOrder.BIG_ENDIAN).getInt(0);
      ByteOrder order;
      boolean nanos;
      if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
        order = ByteOrder.BIG_ENDIAN;
        nanos = magic == 0xa1b23c4d;
      } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4
          || Integer.reverseBytes(magic) == 0xa1b23c4d) {
        order = ByteOrder.LITTLE_ENDIAN;
        nanos = Integer.reverseBytes(magic) == 0xa1b23c4d;
      } else {
        return null; // pcapng, the modified pcap format, or not a capture: not split
      }
      long snaplen = ByteBuffer.wrap(h).order(order).getInt(16) & 0xFFFFFFFFL;
      return new PcapHeader(h.clone(), order, nanos, snaplen);
    }
  }

  /**
   * The offset (relative to {@code data[0]}, which is at file offset {@code base}) of the first
   * record boundary in {@code data[0, limit)}, or -1 when there is none. {@code atEof}: {@code
   * data} ends at the end of the file. {@code firstSec}: the seconds of the file's first packet.
   */
  static int firstBoundary(
      byte[] data, int length, int limit, boolean atEof, PcapHeader h, long firstSec) {
    ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(h.order());
    for (int p = 0; p < limit && p < length; p++) {
      if (chains(b, p, length, atEof, h, firstSec)) {
        return p;
      }
    }
    return -1;
  }

  private static boolean chains(
      ByteBuffer b, int p, int length, boolean atEof, PcapHeader h, long firstSec) {
    long prevSec = -1;
    int n = 0;
    while (n < CHAIN) {
      if (p == length) {
        return atEof && n > 0 || !atEof && n >= 2; // the end of the file, or of what was read
      }
      if (p + RECORD_HEADER > length) {
        return !atEof && n >= 2;
      }
      long sec = b.getInt(p) & 0xFFFFFFFFL;
      long frac = b.getInt(p + 4) & 0xFFFFFFFFL;
      long cap = b.getInt(p + 8) & 0xFFFFFFFFL;
      long orig = b.getInt(p + 12) & 0xFFFFFFFFL;
      if (frac >= (h.nanos() ? 1_000_000_000L : 1_000_000L)
          || (h.snaplen() > 0 && cap > h.snaplen())
          || cap > orig
          || orig > MAX_ORIGINAL
          || sec + 86400 < firstSec
          || sec > firstSec + MAX_SPAN_S
          || (prevSec >= 0 && Math.abs(sec - prevSec) > MAX_STEP_S)) {
        return false;
      }
      prevSec = sec;
      long next = (long) p + RECORD_HEADER + cap;
      if (next > length) {
        return !atEof && n >= 1; // runs past what was read: the headers so far chained
      }
      p = (int) next;
      n++;
    }
    return true;
  }

  /**
   * The records of one split: passes {@code in} (positioned at a record boundary at file offset
   * {@code pos}) through, up to the end of the last record that starts before {@code end}. It reads
   * each record header as it passes to know where the next one starts; a header cut by the end of
   * the file is passed as it is (the pcap reader reports it).
   */
  static final class SplitStream extends InputStream {
    private final InputStream in;
    private final ByteOrder order;
    private final long end;
    private final byte[] header = new byte[RECORD_HEADER];
    private int headerAt = RECORD_HEADER;
    private int headerLength = RECORD_HEADER;
    private long pos;
    private long nextRecord;

    SplitStream(InputStream in, ByteOrder order, long pos, long end) {
      this.in = in;
      this.order = order;
      this.pos = pos;
      this.nextRecord = pos;
      this.end = end;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (headerAt < headerLength) {
        int n = Math.min(len, headerLength - headerAt);
        System.arraycopy(header, headerAt, b, off, n);
        headerAt += n;
        pos += n;
        return n;
      }
      if (pos == nextRecord) {
        if (pos >= end) {
          return -1;
        }
        int got = in.readNBytes(header, 0, RECORD_HEADER);
        if (got == 0) {
          return -1;
        }
        headerLength = got;
        headerAt = 0;
        long cap =
            got == RECORD_HEADER ? ByteBuffer.wrap(header).order(order).getInt(8) & 0xFFFFFFFFL : 0;
        nextRecord = pos + got + cap;
        return read(b, off, len);
      }
      int n = in.read(b, off, (int) Math.min(len, nextRecord - pos));
      if (n > 0) {
        pos += n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
