package io.connscope.decode;

import java.nio.ByteBuffer;

/**
 * Flyweight over an IPv6 header (RFC 8200 §3) and the chain of extension headers behind it (RFC
 * 8200 §4). Rewrapped by {@link FrameDecoder} for every frame; allocates nothing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                     Source Address (128 bits)                 +  8
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                  Destination Address (128 bits)               + 24
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   extension headers (Next Header, Hdr Ext Len, ...) ...       | 40
 * </pre>
 *
 * <p>The extension-header walk follows at most {@link #MAX_EXTENSION_HEADERS} headers: hop-by-hop
 * (0), routing (43), destination options (60), mobility (135), HIP (139), shim6 (140) are skipped
 * by their length in 8-octet units; AH (51) by its length in 4-octet units plus 2 (RFC 4302 §2.2);
 * a fragment header (44) ends the walk as {@link DecodeStatus#IP_FRAGMENT} unless it is an atomic
 * fragment (offset 0, M clear, RFC 6946), with {@link #fragmentHeaderOffset()} set for the
 * reassembly. ESP (50) and No Next Header (59) end it as {@link DecodeStatus#NOT_TCP}. Jumbograms
 * (RFC 2675, payload length 0) are not supported.
 */
public final class Ipv6View {
  public static final int VERSION_CLASS_FLOW_OFFSET = 0;
  public static final int PAYLOAD_LENGTH_OFFSET = 4;
  public static final int NEXT_HEADER_OFFSET = 6;
  public static final int HOP_LIMIT_OFFSET = 7;
  public static final int SRC_OFFSET = 8;
  public static final int DST_OFFSET = 24;
  public static final int HEADER_LENGTH = 40;

  /** Longest extension-header chain followed before giving up as malformed. */
  public static final int MAX_EXTENSION_HEADERS = 8;

  static final int HOP_BY_HOP = 0,
      TCP = 6,
      ROUTING = 43,
      FRAGMENT = 44,
      ESP = 50,
      AH = 51,
      NO_NEXT = 59,
      DEST_OPTIONS = 60,
      MOBILITY = 135,
      HIP = 139,
      SHIM6 = 140;

  private ByteBuffer buf;

  /** Reads {@link #buf}. */
  private final BigEndianBytes bytes = new BigEndianBytes();

  private int offset;
  private int upperProtocol;
  private int upperOffset;
  private int extensionCount;
  private int fragmentHeaderOffset;
  private int nextHeaderFieldOffset;

  /** Reason code of the last non-OK walk result. */
  String reason;

  /** Points this view at the header starting at absolute index {@code offset} of {@code buf}. */
  public Ipv6View wrap(ByteBuffer buf, int offset) {
    this.buf = buf;
    bytes.use(buf);
    this.offset = offset;
    this.upperProtocol = -1;
    this.upperOffset = -1;
    this.extensionCount = 0;
    this.fragmentHeaderOffset = -1;
    this.nextHeaderFieldOffset = -1;
    return this;
  }

  /** Absolute index of the first header byte. */
  public int offset() {
    return offset;
  }

  public int version() {
    return (((byte) bytes.u8(offset)) & 0xF0) >>> 4;
  }

  public int trafficClass() {
    return (((short) bytes.u16(offset)) & 0x0FF0) >>> 4;
  }

  public int flowLabel() {
    return bytes.s32(offset) & 0x000FFFFF;
  }

  /** Payload Length: bytes after the fixed 40-byte header, extension headers included. */
  public int payloadLength() {
    return bytes.u16(offset + PAYLOAD_LENGTH_OFFSET);
  }

  /** Next Header of the fixed header (the first extension header or the transport). */
  public int nextHeader() {
    return bytes.u8(offset + NEXT_HEADER_OFFSET);
  }

  public int hopLimit() {
    return bytes.u8(offset + HOP_LIMIT_OFFSET);
  }

  public long srcHi() {
    return bytes.s64(offset + SRC_OFFSET);
  }

  public long srcLo() {
    return bytes.s64(offset + SRC_OFFSET + 8);
  }

  public long dstHi() {
    return bytes.s64(offset + DST_OFFSET);
  }

  public long dstLo() {
    return bytes.s64(offset + DST_OFFSET + 8);
  }

  /** Protocol number after the extension headers (valid after a walk; -1 before). */
  public int upperProtocol() {
    return upperProtocol;
  }

  /** Absolute index of the upper-layer header (valid after a walk reached it; -1 otherwise). */
  public int upperOffset() {
    return upperOffset;
  }

  /**
   * Absolute index of the Fragment header that ended the walk as {@link DecodeStatus#IP_FRAGMENT};
   * -1 otherwise. Everything before it is the unfragmentable part.
   */
  public int fragmentHeaderOffset() {
    return fragmentHeaderOffset;
  }

  /**
   * Absolute index of the Next Header byte that names the Fragment header (in the fixed header or
   * the last extension header before it); -1 unless the walk ended at a fragment.
   */
  public int fragmentNextHeaderFieldOffset() {
    return nextHeaderFieldOffset;
  }

  /** Number of extension headers skipped by the walk. */
  public int extensionHeaderCount() {
    return extensionCount;
  }

  /**
   * Walks the extension headers to the transport header. {@code ipEnd} is where the packet ends per
   * the payload length, {@code capEnd} where the captured bytes end; {@code truncated} tells
   * whether snaplen cut the frame. Returns OK when a TCP header was reached.
   */
  DecodeStatus walk(int ipEnd, int capEnd, boolean truncated) {
    int nh = nextHeader();
    int p = offset + HEADER_LENGTH;
    int nhField = offset + NEXT_HEADER_OFFSET;
    for (int i = 0; i <= MAX_EXTENSION_HEADERS; i++) {
      int len;
      switch (nh) {
        case TCP:
          upperProtocol = TCP;
          upperOffset = p;
          return DecodeStatus.OK;
        case HOP_BY_HOP:
        case ROUTING:
        case DEST_OPTIONS:
        case MOBILITY:
        case HIP:
        case SHIM6:
        case AH:
        case FRAGMENT:
          break;
        default: // UDP, ICMPv6, ESP (50: opaque), No Next Header (59), anything else
          upperProtocol = nh;
          upperOffset = p;
          reason = "decode.ipv6.not_tcp";
          return DecodeStatus.NOT_TCP;
      }
      if (i == MAX_EXTENSION_HEADERS) {
        break;
      }
      // Every extension header starts with Next Header and a length byte; the fragment header
      // is a fixed 8 bytes (RFC 8200 §4.5).
      int need = nh == FRAGMENT ? 8 : 2;
      if (p + need > ipEnd) {
        reason = "decode.ipv6.extension_beyond_payload";
        return DecodeStatus.MALFORMED;
      }
      if (p + need > capEnd) {
        reason = "decode.ipv6.extension_truncated";
        return truncated ? DecodeStatus.TRUNCATED : DecodeStatus.MALFORMED;
      }
      int next = bytes.u8(p);
      int lenByte = bytes.u8(p + 1);
      if (nh == FRAGMENT) {
        // Offset (13 bits) and M flag in bytes 2-3; an atomic fragment (both 0) is a whole packet.
        if ((((short) bytes.u16(p + 2)) & 0xFFF9) != 0) {
          upperProtocol = next;
          fragmentHeaderOffset = p;
          nextHeaderFieldOffset = nhField;
          reason = "decode.ipv6.fragment";
          return DecodeStatus.IP_FRAGMENT;
        }
        len = 8;
      } else if (nh == AH) {
        len = (lenByte + 2) << 2; // RFC 4302 §2.2: in 32-bit words, minus 2
      } else {
        len = (lenByte + 1) << 3; // RFC 8200 §4.3: in 8-octet units, not counting the first 8
      }
      extensionCount++;
      nh = next;
      nhField = p;
      p += len;
    }
    reason = "decode.ipv6.too_many_extension_headers";
    return DecodeStatus.MALFORMED;
  }
}
