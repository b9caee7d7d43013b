package io.connscope.capture;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reader of classic libpcap files (draft-ietf-opsawg-pcap), both byte orders, microsecond ({@code
 * a1b2c3d4}) and nanosecond ({@code a1b23c4d}) variants, and the "modified" pcap of old Linux
 * tcpdump builds ({@code a1b2cd34}: 8 more bytes per record header, which are skipped).
 *
 * <pre>
 *  global header (24 bytes)             record header (16 bytes; 24 if modified), data
 *  0  magic         4  major | minor    0  ts seconds      4  ts micro/nanoseconds
 *  8  thiszone     12  sigfigs          8  captured length 12  original length
 * 16  snaplen      20  linktype (low 26 bits; FCS info above)
 * </pre>
 *
 * <p>Frames are served in place from the input window: {@link #buffer()} is valid until the next
 * call to {@link #next()}. Damage is counted in {@link Warnings}: {@code capture.truncated_file} (a
 * record cut short at the end), {@code capture.bad_record} (an absurd captured length: reading
 * stops), {@code capture.bad_record_length} (captured length above the original length: the frame
 * is still delivered, with the original length raised to the captured one).
 */
public final class PcapReader extends CaptureFileReader {
  static final int MAGIC_MICROS = 0xa1b2c3d4;
  static final int MAGIC_NANOS = 0xa1b23c4d;
  static final int MAGIC_MODIFIED = 0xa1b2cd34;

  /** Frames up to this size are accepted whatever the snaplen says. */
  static final int MIN_FRAME_CAP = 256 * 1024;

  /** Frames above this size are corrupt whatever the snaplen says. */
  static final int MAX_FRAME_CAP = 16 * 1024 * 1024;

  private static final int GLOBAL_HEADER = 24;

  private boolean swap;
  private boolean nanos;
  private int recordHeader = 16;
  private int linkType;
  private long snaplen;
  private int maxFrame;

  /**
   * Reads the global header from {@code in}, which must start with a pcap magic number. Frames are
   * numbered from {@code frameNumberBase + 1}.
   */
  PcapReader(CaptureInput in, Warnings warnings, long frameNumberBase) throws IOException {
    super(in, warnings);
    info.frameNumber = frameNumberBase;
    if (!in.ensure(GLOBAL_HEADER)) {
      warnings.add(
          "capture.truncated_file",
          frameNumberBase + 1,
          1,
          in.name() + ": pcap file header cut at " + in.available() + " of 24 bytes");
      done = true;
      return;
    }
    ByteBuffer b = in.buffer();
    int p = in.pos();
    int magic = b.getInt(p);
    swap = !isMagic(magic);
    int m = swap ? Integer.reverseBytes(magic) : magic;
    if (!isMagic(m)) {
      throw new CaptureFormatException(in.name() + ": not a pcap file");
    }
    nanos = m == MAGIC_NANOS;
    if (m == MAGIC_MODIFIED) {
      recordHeader = 24; // + ifindex(4) protocol(2) pkt_type(1) pad(1)
    }
    snaplen = u32(p + 16);
    // Upper bits of the link type field carry FCS information (draft-ietf-opsawg-pcap sec. 4).
    linkType = (int) (u32(p + 20) & 0x03FFFFFF);
    maxFrame = (int) Math.max(MIN_FRAME_CAP, Math.min(snaplen, MAX_FRAME_CAP));
    in.consume(GLOBAL_HEADER);
    info.linkType = linkType;
    info.interfaceId = 0;
  }

  /** True for a pcap magic number read in its own byte order. */
  static boolean isMagic(int m) {
    return m == MAGIC_MICROS || m == MAGIC_NANOS || m == MAGIC_MODIFIED;
  }

  /** The unsigned 32 bits at {@code index}, in the file's byte order (read from the array). */
  private long u32(int index) {
    byte[] a = in.array();
    int v =
        swap
            ? (a[index] & 0xFF)
                | (a[index + 1] & 0xFF) << 8
                | (a[index + 2] & 0xFF) << 16
                | a[index + 3] << 24
            : a[index] << 24
                | (a[index + 1] & 0xFF) << 16
                | (a[index + 2] & 0xFF) << 8
                | a[index + 3] & 0xFF;
    return v & 0xFFFFFFFFL;
  }

  /** Link type of every frame in this file. */
  public int linkType() {
    return linkType;
  }

  /** Snapshot length from the file header. */
  public long snaplen() {
    return snaplen;
  }

  /** True for the nanosecond-resolution variant. */
  public boolean nanosecondResolution() {
    return nanos;
  }

  @Override
  public boolean next() throws IOException {
    if (done) {
      return false;
    }
    long frame = info.frameNumber + 1;
    if (!in.ensure(recordHeader)) {
      if (in.available() > 0) {
        truncated(frame, in.available(), recordHeader, "record header");
      }
      done = true;
      return false;
    }
    int p = in.pos();
    long sec = u32(p);
    long frac = u32(p + 4);
    long capLen = u32(p + 8);
    long wireLen = u32(p + 12);
    if (capLen > maxFrame) {
      if (warnings.get("capture.bad_record") == 0) {
        warnings.add(
            "capture.bad_record",
            frame,
            1,
            in.name()
                + ": record at offset "
                + in.offset()
                + " claims "
                + capLen
                + " captured bytes (limit "
                + maxFrame
                + "); rest of file ignored");
      } else {
        warnings.count("capture.bad_record", frame);
      }
      done = true;
      return false;
    }
    int need = recordHeader + (int) capLen;
    if (!in.ensure(need)) {
      truncated(frame, in.available(), need, "record");
      done = true;
      return false;
    }
    wireLen = wireLength(frame, capLen, wireLen);
    info.frameNumber = frame;
    info.timestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
    info.capturedLength = (int) capLen;
    info.wireLength = (int) Math.min(wireLen, Integer.MAX_VALUE);
    frameOffset = in.pos() + recordHeader;
    in.consume(need);
    return true;
  }

  @Override
  String baseFormat() {
    return "pcap";
  }
}
