package io.connscope.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Writes a little-endian libpcap file: microsecond timestamps, or nanosecond ones (magic {@code
 * a1b23c4d}) when asked. Used by {@code capture -w} and by tests to synthesize captures.
 *
 * <p>Frames longer than the snaplen are cut to it (the original length is kept). Writing a frame
 * allocates nothing. Not thread-safe.
 */
public final class PcapWriter implements AutoCloseable {
  private final OutputStream out;
  private final int snaplen;
  private final boolean nanos;
  private final byte[] header = new byte[24];
  private byte[] scratch;

  /** Writes the file header to {@code out} (buffered here; closed by {@link #close()}). */
  public PcapWriter(OutputStream out, int linkType, int snaplen, boolean nanos) throws IOException {
    if (snaplen <= 0) {
      throw new IllegalArgumentException("snaplen must be positive: " + snaplen);
    }
    this.out = new BufferedOutputStream(out, 1 << 16);
    this.snaplen = snaplen;
    this.nanos = nanos;
    putInt(0, nanos ? PcapReader.MAGIC_NANOS : PcapReader.MAGIC_MICROS);
    putShort(4, 2); // version 2.4
    putShort(6, 4);
    putInt(8, 0); // thiszone
    putInt(12, 0); // sigfigs
    putInt(16, snaplen);
    putInt(20, linkType);
    this.out.write(header, 0, 24);
  }

  /**
   * Appends one frame: {@code capLen} bytes of {@code buf} from absolute index {@code off} (the
   * buffer's position is not used or moved), seen at {@code tsNanos} with {@code wireLen} bytes on
   * the wire.
   */
  public void write(long tsNanos, ByteBuffer buf, int off, int capLen, int wireLen)
      throws IOException {
    int len = Math.min(capLen, snaplen);
    long sec = Math.floorDiv(tsNanos, 1_000_000_000L);
    long frac = Math.floorMod(tsNanos, 1_000_000_000L);
    putInt(0, (int) sec);
    putInt(4, (int) (nanos ? frac : frac / 1000));
    putInt(8, len);
    putInt(12, Math.max(wireLen, capLen));
    out.write(header, 0, 16);
    if (buf.hasArray()) {
      out.write(buf.array(), buf.arrayOffset() + off, len);
    } else {
      if (scratch == null || scratch.length < len) {
        scratch = new byte[Math.max(len, 2048)];
      }
      buf.get(off, scratch, 0, len);
      out.write(scratch, 0, len);
    }
  }

  private void putInt(int at, int v) {
    header[at] = (byte) v;
    header[at + 1] = (byte) (v >>> 8);
    header[at + 2] = (byte) (v >>> 16);
    header[at + 3] = (byte) (v >>> 24);
  }

  private void putShort(int at, int v) {
    header[at] = (byte) v;
    header[at + 1] = (byte) (v >>> 8);
  }

  /** Flushes buffered frames to the underlying stream. */
  public void flush() throws IOException {
    out.flush();
  }

  /** Flushes and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    out.close();
  }
}
