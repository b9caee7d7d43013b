package io.connscope.decode;

import java.nio.ByteBuffer;

/**
 * Flyweight over an IPv4 header (RFC 791 §3.1). Rewrapped by {@link FrameDecoder} for every frame;
 * it never copies and never allocates. Reads are absolute and big-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP/ECN    |          Total Length         |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5, skipped)                 | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A packet with MF set or a non-zero fragment offset is a fragment ({@link #isFragment()}): the
 * decoder hands it to its {@link IpDefragmenter}, if it has one. Options are skipped through the
 * IHL, never interpreted.
 */
public final class Ipv4View {
  public static final int VERSION_IHL_OFFSET = 0;
  public static final int TOS_OFFSET = 1;
  public static final int TOTAL_LENGTH_OFFSET = 2;
  public static final int IDENTIFICATION_OFFSET = 4;
  public static final int FLAGS_FRAGMENT_OFFSET = 6;
  public static final int TTL_OFFSET = 8;
  public static final int PROTOCOL_OFFSET = 9;
  public static final int CHECKSUM_OFFSET = 10;
  public static final int SRC_OFFSET = 12;
  public static final int DST_OFFSET = 16;

  /** Length of the header without options. */
  public static final int MIN_HEADER_LENGTH = 20;

  /** Flag bits within {@link #flags()}. */
  public static final int FLAG_DF = 0x2, FLAG_MF = 0x1;

  private ByteBuffer buf;

  /** Reads {@link #buf}. */
  private final BigEndianBytes bytes = new BigEndianBytes();

  private int offset;

  /** Points this view at the header starting at absolute index {@code offset} of {@code buf}. */
  public Ipv4View wrap(ByteBuffer buf, int offset) {
    this.buf = buf;
    bytes.use(buf);
    this.offset = offset;
    return this;
  }

  /** Absolute index of the first header byte. */
  public int offset() {
    return offset;
  }

  public int version() {
    return (((byte) bytes.u8(offset)) & 0xF0) >>> 4;
  }

  /** Internet Header Length in 32-bit words. */
  public int ihl() {
    return ((byte) bytes.u8(offset)) & 0x0F;
  }

  /** Header length in bytes, options included. */
  public int headerLength() {
    return (((byte) bytes.u8(offset)) & 0x0F) << 2;
  }

  public int tos() {
    return bytes.u8(offset + TOS_OFFSET);
  }

  /** Total Length field: header plus payload, in bytes (0 for some offloaded segments). */
  public int totalLength() {
    return bytes.u16(offset + TOTAL_LENGTH_OFFSET);
  }

  public int identification() {
    return bytes.u16(offset + IDENTIFICATION_OFFSET);
  }

  /** The three flag bits (reserved, DF, MF). */
  public int flags() {
    return (((byte) bytes.u8(offset + FLAGS_FRAGMENT_OFFSET)) & 0xE0) >>> 5;
  }

  public boolean dontFragment() {
    return (flags() & FLAG_DF) != 0;
  }

  public boolean moreFragments() {
    return (flags() & FLAG_MF) != 0;
  }

  /** Fragment offset in 8-byte units. */
  public int fragmentOffset() {
    return ((short) bytes.u16(offset + FLAGS_FRAGMENT_OFFSET)) & 0x1FFF;
  }

  /** True when this packet is a fragment of a larger datagram (MF set or offset non-zero). */
  public boolean isFragment() {
    return (((short) bytes.u16(offset + FLAGS_FRAGMENT_OFFSET)) & 0x3FFF) != 0;
  }

  public int ttl() {
    return bytes.u8(offset + TTL_OFFSET);
  }

  public int protocol() {
    return bytes.u8(offset + PROTOCOL_OFFSET);
  }

  public int checksum() {
    return bytes.u16(offset + CHECKSUM_OFFSET);
  }

  /** Source address as a big-endian int (a.b.c.d is {@code a << 24 | ...}). */
  public int src() {
    return bytes.s32(offset + SRC_OFFSET);
  }

  /** Destination address as a big-endian int. */
  public int dst() {
    return bytes.s32(offset + DST_OFFSET);
  }
}
