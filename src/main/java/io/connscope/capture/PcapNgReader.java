package io.connscope.capture;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reader of pcapng files (draft-ietf-opsawg-pcapng): any number of sections, each in its own byte
 * order, any number of interfaces per section.
 *
 * <pre>
 *  every block                      enhanced packet block body (type 6)
 *  0  block type                    8  interface id   12 ts high   16 ts low
 *  4  block total length            20 captured len   24 original len   28 data, options
 *  8  body ...                      simple packet block (type 3): 8 original len, 12 data
 *  len-4  block total length        obsolete packet block (type 2): 8 if id (16 bits), 10 drops,
 *                                   12 ts high, 16 ts low, 20 captured len, 24 original len, 28 data
 * </pre>
 *
 * <p>Each block is read whole into the input window and a packet's bytes are served in place
 * ({@link #frameOffset()} points inside the block). Other block types (name resolution, interface
 * statistics, decryption secrets, custom...) are skipped; types this reader does not know are
 * counted as {@code capture.unknown_block}. Damage is counted in {@link Warnings}: {@code
 * capture.bad_block} (impossible block length: reading stops), {@code capture.truncated_file} (last
 * block cut short), {@code capture.bad_interface} (packet of an undefined interface: skipped),
 * {@code capture.bad_record} (packet longer than its block: skipped).
 */
public final class PcapNgReader extends CaptureFileReader {
  static final int SHB = 0x0A0D0D0A;
  static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
  static final int OPB = 2;
  static final int IDB = 1;
  static final int SPB = 3;
  static final int EPB = 6;

  /** A block longer than this is taken for corruption. */
  static final int MAX_BLOCK = 16 * 1024 * 1024;

  private static final int OPT_END = 0;
  private static final int OPT_IF_TSRESOL = 9;
  private static final int OPT_IF_TSOFFSET = 14;

  private boolean swap;
  private long lastTimestamp;

  // Interfaces of the current section, indexed by interface id (grow on IDB only).
  private int interfaces;
  private int[] ifLinkType = new int[4];
  private long[] ifSnaplen = new long[4];

  /** if_tsresol: when {@code ifPow2[i]} the unit is 2^-ifExp[i] s, else 10^-ifExp[i] s. */
  private boolean[] ifPow2 = new boolean[4];

  private int[] ifExp = new int[4];
  private long[] ifOffsetNanos = new long[4];

  /**
   * Starts reading {@code in}, which must begin with a section header block. Frames are numbered
   * from {@code frameNumberBase + 1}.
   */
  PcapNgReader(CaptureInput in, Warnings warnings, long frameNumberBase) {
    super(in, warnings);
    info.frameNumber = frameNumberBase;
  }

  @Override
  public boolean next() throws IOException {
    while (!done) {
      if (readBlock()) {
        return true;
      }
    }
    return false;
  }

  /** Reads one block; true when it produced a frame. */
  private boolean readBlock() throws IOException {
    long frame = info.frameNumber + 1;
    if (!in.ensure(12)) {
      if (in.available() > 0) {
        truncated(frame, in.available(), 12, "block");
      }
      done = true;
      return false;
    }
    ByteBuffer b = in.buffer();
    int p = in.pos();
    int type = i32(p);
    if (type == SHB) { // the block type reads the same in both byte orders
      int bom = b.getInt(p + 8);
      if (bom == BYTE_ORDER_MAGIC) {
        swap = false;
      } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
        swap = true;
      } else {
        badBlock(frame, "section header with byte-order magic " + Integer.toHexString(bom));
        return false;
      }
    }
    long len = i32(p + 4) & 0xFFFFFFFFL;
    if (len < 12 || (len & 3) != 0 || len > MAX_BLOCK || (type == SHB && len < 28)) {
      badBlock(frame, "block of type 0x" + Integer.toHexString(type) + " with length " + len);
      return false;
    }
    int blockLen = (int) len;
    if (!in.ensure(blockLen)) {
      truncated(frame, in.available(), blockLen, "block");
      done = true;
      return false;
    }
    p = in.pos();
    if (i32(p + blockLen - 4) != blockLen) {
      badBlock(
          frame,
          "block of type 0x"
              + Integer.toHexString(type)
              + " with length "
              + len
              + " but trailing length "
              + (i32(p + blockLen - 4) & 0xFFFFFFFFL));
      return false;
    }
    boolean produced;
    switch (type) {
      case SHB:
        produced = sectionHeader(p, blockLen, frame);
        break;
      case IDB:
        produced = false;
        interfaceDescription(p, blockLen, frame);
        break;
      case EPB:
        produced = packet(p, blockLen, frame, i32(p + 8), 28, true, false);
        break;
      case OPB:
        produced = packet(p, blockLen, frame, u16(p + 8), 28, true, false);
        break;
      case SPB:
        produced = packet(p, blockLen, frame, 0, 12, false, true);
        break;
      case 4: // name resolution
      case 5: // interface statistics
      case 7: // IRIG timestamp
      case 8: // ARINC 429
      case 10: // decryption secrets
        produced = false;
        secrets(p, blockLen);
        break;
      case 9: // systemd journal export
      case 0x00000BAD: // custom, may be copied
      case 0x40000BAD: // custom, must not be copied
        produced = false;
        break;
      default:
        produced = false;
        warnings.count("capture.unknown_block", frame);
        break;
    }
    in.consume(blockLen);
    return produced;
  }

  /** Secrets type of a TLS key log (NSS format) in a Decryption Secrets Block. */
  static final int SECRETS_TLS_KEYLOG = 0x544c534b;

  private java.util.function.Consumer<String> tlsKeyLog;

  /**
   * Hands the content of every TLS key log Decryption Secrets Block to {@code sink}, as it is read
   * (before the packets that follow it).
   */
  public void onTlsKeyLog(java.util.function.Consumer<String> sink) {
    this.tlsKeyLog = sink;
  }

  private void secrets(int p, int blockLen) {
    if (tlsKeyLog == null || blockLen < 20 || i32(p + 8) != SECRETS_TLS_KEYLOG) {
      return;
    }
    long len = i32(p + 12) & 0xFFFFFFFFL;
    if (len > blockLen - 20) {
      return; // damaged: the secrets would run past the block
    }
    byte[] b = new byte[(int) len];
    in.buffer().get(p + 16, b);
    tlsKeyLog.accept(new String(b, java.nio.charset.StandardCharsets.UTF_8));
  }

  private boolean sectionHeader(int p, int blockLen, long frame) {
    int major = u16(p + 12);
    if (major != 1) {
      badBlock(frame, "section header of unsupported version " + major);
      return false;
    }
    interfaces = 0; // interface ids are per section
    return false;
  }

  private void interfaceDescription(int p, int blockLen, long frame) {
    if (blockLen < 20) {
      warnings.count("capture.bad_interface", frame);
      return;
    }
    int id = interfaces;
    if (id == ifLinkType.length) {
      int n = id * 2;
      ifLinkType = Arrays.copyOf(ifLinkType, n);
      ifSnaplen = Arrays.copyOf(ifSnaplen, n);
      ifPow2 = Arrays.copyOf(ifPow2, n);
      ifExp = Arrays.copyOf(ifExp, n);
      ifOffsetNanos = Arrays.copyOf(ifOffsetNanos, n);
    }
    ifLinkType[id] = u16(p + 8);
    ifSnaplen[id] = i32(p + 12) & 0xFFFFFFFFL;
    ifPow2[id] = false;
    ifExp[id] = 6; // default resolution: microseconds
    ifOffsetNanos[id] = 0;
    // Options: code(16) length(16) value padded to 32 bits (pcapng sec. 3.5).
    int o = p + 16;
    int end = p + blockLen - 4;
    while (o + 4 <= end) {
      int code = u16(o);
      int olen = u16(o + 2);
      if (code == OPT_END || o + 4 + olen > end) {
        break;
      }
      if (code == OPT_IF_TSRESOL && olen >= 1) {
        int v = in.buffer().get(o + 4) & 0xFF;
        // Most significant bit set: negative power of 2, else negative power of 10 (sec. 4.2).
        ifPow2[id] = (v & 0x80) != 0;
        ifExp[id] = v & 0x7F;
      } else if (code == OPT_IF_TSOFFSET && olen >= 8) {
        ifOffsetNanos[id] = i64(o + 4) * 1_000_000_000L;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    interfaces = id + 1;
  }

  /**
   * Delivers the packet of an EPB/OPB ({@code hasTimestamp}) or an SPB ({@code simple}) whose data
   * starts at block offset {@code dataAt}.
   */
  private boolean packet(
      int p, int blockLen, long frame, int ifId, int dataAt, boolean hasTimestamp, boolean simple) {
    if (ifId < 0 || ifId >= interfaces) {
      if (warnings.get("capture.bad_interface") == 0) {
        warnings.add(
            "capture.bad_interface",
            frame,
            1,
            in.name()
                + ": packet block at offset "
                + in.offset()
                + " refers to undefined interface "
                + (ifId & 0xFFFFFFFFL));
      } else {
        warnings.count("capture.bad_interface", frame);
      }
      return false;
    }
    int room = blockLen - 4 - dataAt;
    if (room < 0) {
      badRecord(frame, "packet block at offset " + in.offset() + " too short: " + blockLen);
      return false;
    }
    long capLen;
    long wireLen;
    if (simple) {
      // SPB: captured length is implied by the block length and the snaplen (sec. 4.4).
      wireLen = i32(p + 8) & 0xFFFFFFFFL;
      capLen = Math.min(wireLen, room);
      if (ifSnaplen[0] != 0) {
        capLen = Math.min(capLen, ifSnaplen[0]);
      }
    } else {
      capLen = i32(p + 20) & 0xFFFFFFFFL;
      wireLen = i32(p + 24) & 0xFFFFFFFFL;
      if (capLen > room) {
        badRecord(
            frame,
            "packet block at offset "
                + in.offset()
                + " claims "
                + capLen
                + " captured bytes in a block of "
                + blockLen);
        return false;
      }
    }
    wireLen = wireLength(frame, capLen, wireLen);
    if (hasTimestamp) {
      long ts = ((i32(p + 12) & 0xFFFFFFFFL) << 32) | (i32(p + 16) & 0xFFFFFFFFL);
      lastTimestamp = toNanos(ts, ifId);
    }
    info.frameNumber = frame;
    info.timestampNanos = lastTimestamp; // SPB has none: keep the previous one
    info.capturedLength = (int) capLen;
    info.wireLength = (int) Math.min(wireLen, Integer.MAX_VALUE);
    info.interfaceId = ifId;
    info.linkType = ifLinkType[ifId];
    frameOffset = p + dataAt;
    return true;
  }

  private long toNanos(long ts, int ifId) {
    int e = ifExp[ifId];
    long nanos;
    if (ifPow2[ifId]) {
      if (e == 0) {
        nanos = ts * 1_000_000_000L;
      } else if (e >= 64) {
        nanos = 0;
      } else {
        long sec = ts >>> e;
        long frac = ts & ((1L << e) - 1);
        // frac * 10^9 >> e, as a 128-bit product so that large exponents cannot overflow.
        long lo = frac * 1_000_000_000L;
        long hi = Math.multiplyHigh(frac, 1_000_000_000L);
        long fracNanos = (lo >>> e) | (hi << (64 - e));
        nanos = sec * 1_000_000_000L + fracNanos;
      }
    } else if (e <= 9) {
      nanos = ts * POW10[9 - e];
    } else if (e - 9 < POW10.length) {
      nanos = Long.divideUnsigned(ts, POW10[e - 9]);
    } else {
      nanos = 0;
    }
    return nanos + ifOffsetNanos[ifId];
  }

  private static final long[] POW10 = {
    1L,
    10L,
    100L,
    1_000L,
    10_000L,
    100_000L,
    1_000_000L,
    10_000_000L,
    100_000_000L,
    1_000_000_000L,
    10_000_000_000L,
    100_000_000_000L,
    1_000_000_000_000L,
    10_000_000_000_000L,
    100_000_000_000_000L,
    1_000_000_000_000_000L,
    10_000_000_000_000_000L,
    100_000_000_000_000_000L,
    1_000_000_000_000_000_000L
  };

  private void badBlock(long frame, String what) {
    warnings.add(
        "capture.bad_block",
        frame,
        1,
        in.name() + ": " + what + " at offset " + in.offset() + "; rest of file ignored");
    done = true;
  }

  private void badRecord(long frame, String what) {
    if (warnings.get("capture.bad_record") == 0) {
      warnings.add("capture.bad_record", frame, 1, in.name() + ": " + what);
    } else {
      warnings.count("capture.bad_record", frame);
    }
  }

  private int i32(int index) {
    int v = in.buffer().getInt(index);
    return swap ? Integer.reverseBytes(v) : v;
  }

  private long i64(int index) {
    long v = in.buffer().getLong(index);
    return swap ? Long.reverseBytes(v) : v;
  }

  private int u16(int index) {
    short v = in.buffer().getShort(index);
    return (swap ? Short.reverseBytes(v) : v) & 0xFFFF;
  }

  @Override
  String baseFormat() {
    return "pcapng";
  }
}
