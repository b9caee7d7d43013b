package io.connscope.decode;

import java.nio.ByteBuffer;

/**
 * Flyweight over a TCP header (RFC 9293 §3.1). Rewrapped by {@link FrameDecoder} for every frame;
 * allocates nothing. Options are parsed only on demand by {@link #parseOptions()} into fields of
 * this view.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Options (Data Offset > 5)                    | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Option parsing understands EOL (0), NOP (1), MSS (2), window scale (3, RFC 7323 §2),
 * SACK-permitted (4) and SACK (5, RFC 2018 §3, at most {@link #MAX_SACK_BLOCKS} blocks kept),
 * timestamps (8, RFC 7323 §3) and skips any other kind by its length. A length below 2 or past the
 * header end stops parsing and sets {@link #optionsMalformed()}; a known kind with the wrong length
 * is ignored and sets the same flag. Neither is a decode failure.
 */
public final class TcpView {
  public static final int SRC_PORT_OFFSET = 0;
  public static final int DST_PORT_OFFSET = 2;
  public static final int SEQ_OFFSET = 4;
  public static final int ACK_OFFSET = 8;
  public static final int DATA_OFFSET_OFFSET = 12;
  public static final int FLAGS_OFFSET = 13;
  public static final int WINDOW_OFFSET = 14;
  public static final int CHECKSUM_OFFSET = 16;
  public static final int URGENT_POINTER_OFFSET = 18;
  public static final int MIN_HEADER_LENGTH = 20;

  /** SACK blocks kept by {@link #parseOptions()} (a 40-byte option space fits at most 4). */
  public static final int MAX_SACK_BLOCKS = 4;

  /** Flag bits of {@link #flags()}. */
  public static final int FIN = 0x01,
      SYN = 0x02,
      RST = 0x04,
      PSH = 0x08,
      ACK = 0x10,
      URG = 0x20,
      ECE = 0x40,
      CWR = 0x80;

  private static final int OPT_EOL = 0,
      OPT_NOP = 1,
      OPT_MSS = 2,
      OPT_WSCALE = 3,
      OPT_SACK_PERMITTED = 4,
      OPT_SACK = 5,
      OPT_TIMESTAMPS = 8;

  /** NOP, NOP, timestamps kind, length 10: the first four option bytes, big-endian. */
  private static final int NOP_NOP_TIMESTAMPS = 0x0101080A;

  private ByteBuffer buf;

  /** Reads {@link #buf}. */
  private final BigEndianBytes bytes = new BigEndianBytes();

  private int offset;

  private int mss;
  private int windowScale;
  private boolean sackPermitted;
  private boolean hasTimestamps;
  private long tsVal;
  private long tsEcr;
  private int sackBlockCount;
  private final long[] sackEdges = new long[MAX_SACK_BLOCKS * 2];
  private boolean optionsMalformed;

  /** Points this view at the header starting at absolute index {@code offset} of {@code buf}. */
  public TcpView wrap(ByteBuffer buf, int offset) {
    this.buf = buf;
    bytes.use(buf);
    this.offset = offset;
    clearOptions();
    return this;
  }

  /** Absolute index of the first header byte. */
  public int offset() {
    return offset;
  }

  public int srcPort() {
    return bytes.u16(offset + SRC_PORT_OFFSET);
  }

  public int dstPort() {
    return bytes.u16(offset + DST_PORT_OFFSET);
  }

  /** Sequence number, unsigned 32-bit. */
  public long seq() {
    return (bytes.s32(offset + SEQ_OFFSET) & 0xFFFFFFFFL);
  }

  /** Acknowledgment number, unsigned 32-bit (meaningful only with the ACK flag). */
  public long ack() {
    return (bytes.s32(offset + ACK_OFFSET) & 0xFFFFFFFFL);
  }

  /** Data offset in 32-bit words. */
  public int dataOffset() {
    return (((byte) bytes.u8(offset + DATA_OFFSET_OFFSET)) & 0xF0) >>> 4;
  }

  /** Header length in bytes, options included. */
  public int headerLength() {
    return (((byte) bytes.u8(offset + DATA_OFFSET_OFFSET)) & 0xF0) >>> 2;
  }

  /** The flags byte (CWR ECE URG ACK PSH RST SYN FIN). */
  public int flags() {
    return bytes.u8(offset + FLAGS_OFFSET);
  }

  public boolean fin() {
    return (flags() & FIN) != 0;
  }

  public boolean syn() {
    return (flags() & SYN) != 0;
  }

  public boolean rst() {
    return (flags() & RST) != 0;
  }

  public boolean psh() {
    return (flags() & PSH) != 0;
  }

  public boolean ackFlag() {
    return (flags() & ACK) != 0;
  }

  public boolean urg() {
    return (flags() & URG) != 0;
  }

  public boolean ece() {
    return (flags() & ECE) != 0;
  }

  public boolean cwr() {
    return (flags() & CWR) != 0;
  }

  /** Raw (unscaled) window field. */
  public int window() {
    return bytes.u16(offset + WINDOW_OFFSET);
  }

  public int checksum() {
    return bytes.u16(offset + CHECKSUM_OFFSET);
  }

  public int urgentPointer() {
    return bytes.u16(offset + URGENT_POINTER_OFFSET);
  }

  /**
   * Parses the options of the wrapped header into this view's option fields. The header must be
   * present in full (as it is after an OK decode). Allocates nothing; may be called again.
   */
  public TcpView parseOptions() {
    clearOptions();
    int p = offset + MIN_HEADER_LENGTH;
    int end = offset + headerLength();
    if (end - p == 12 && bytes.s32(p) == NOP_NOP_TIMESTAMPS) {
      // The layout of nearly every segment between Linux hosts after the handshake: NOP, NOP,
      // timestamps; what the loop below finds for it, with two reads instead of a dozen.
      hasTimestamps = true;
      tsVal = (bytes.s32(p + 4) & 0xFFFFFFFFL);
      tsEcr = (bytes.s32(p + 8) & 0xFFFFFFFFL);
      return this;
    }
    while (p < end) {
      int kind = bytes.u8(p);
      if (kind == OPT_EOL) {
        break;
      }
      if (kind == OPT_NOP) {
        p++;
        continue;
      }
      // RFC 9293 §3.1: every other option is kind, length (counting both), data.
      if (p + 1 >= end) {
        optionsMalformed = true;
        break;
      }
      int len = bytes.u8(p + 1);
      if (len < 2 || p + len > end) {
        optionsMalformed = true;
        break;
      }
      switch (kind) {
        case OPT_MSS:
          if (len == 4) {
            mss = bytes.u16(p + 2);
          } else {
            optionsMalformed = true;
          }
          break;
        case OPT_WSCALE:
          if (len == 3) {
            windowScale = bytes.u8(p + 2);
          } else {
            optionsMalformed = true;
          }
          break;
        case OPT_SACK_PERMITTED:
          if (len == 2) {
            sackPermitted = true;
          } else {
            optionsMalformed = true;
          }
          break;
        case OPT_SACK:
          if ((len - 2) % 8 == 0 && len > 2) {
            int blocks = Math.min((len - 2) >>> 3, MAX_SACK_BLOCKS);
            for (int b = 0; b < blocks; b++) {
              sackEdges[2 * b] = (bytes.s32(p + 2 + 8 * b) & 0xFFFFFFFFL);
              sackEdges[2 * b + 1] = (bytes.s32(p + 6 + 8 * b) & 0xFFFFFFFFL);
            }
            sackBlockCount = blocks;
          } else {
            optionsMalformed = true;
          }
          break;
        case OPT_TIMESTAMPS:
          if (len == 10) {
            hasTimestamps = true;
            tsVal = (bytes.s32(p + 2) & 0xFFFFFFFFL);
            tsEcr = (bytes.s32(p + 6) & 0xFFFFFFFFL);
          } else {
            optionsMalformed = true;
          }
          break;
        default:
          break;
      }
      p += len;
    }
    return this;
  }

  private void clearOptions() {
    mss = -1;
    windowScale = -1;
    sackPermitted = false;
    hasTimestamps = false;
    tsVal = 0;
    tsEcr = 0;
    sackBlockCount = 0;
    optionsMalformed = false;
  }

  /** MSS option value, -1 when absent (valid after {@link #parseOptions()}). */
  public int mss() {
    return mss;
  }

  /** Window scale shift count as sent (may exceed the RFC 7323 limit of 14), -1 when absent. */
  public int windowScale() {
    return windowScale;
  }

  public boolean sackPermitted() {
    return sackPermitted;
  }

  public boolean hasTimestamps() {
    return hasTimestamps;
  }

  /** TSval, unsigned 32-bit (0 when absent). */
  public long tsVal() {
    return tsVal;
  }

  /** TSecr, unsigned 32-bit (0 when absent). */
  public long tsEcr() {
    return tsEcr;
  }

  /** Number of SACK blocks kept (0 to {@link #MAX_SACK_BLOCKS}). */
  public int sackBlockCount() {
    return sackBlockCount;
  }

  /** Left edge of SACK block {@code i}, unsigned 32-bit. */
  public long sackLeft(int i) {
    return sackEdges[2 * i];
  }

  /** Right edge (first sequence number after the block) of SACK block {@code i}. */
  public long sackRight(int i) {
    return sackEdges[2 * i + 1];
  }

  /** True when the last {@link #parseOptions()} met a malformed option and stopped or skipped. */
  public boolean optionsMalformed() {
    return optionsMalformed;
  }
}
