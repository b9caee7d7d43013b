package io.connscope.decode;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes one captured frame from its link-layer header down to the TCP payload, in place and
 * without allocating.
 *
 * <p>One decoder owns one {@link Ipv4View}, {@link Ipv6View} and {@link TcpView} and rewraps them
 * for every frame: the views and every accessor here are valid only until the next {@link
 * #decode} call, and only as far as the returned status says. Payload, ports and sequence numbers
 * after {@link DecodeStatus#OK}; addresses and {@link #ipVersion()} also after {@link
 * DecodeStatus#NOT_TCP} and {@link DecodeStatus#IP_FRAGMENT}; {@link #reason()} after any status.
 *
 * <p>Link layers: Ethernet with up to {@link #MAX_VLAN_TAGS} stacked 802.1Q / 802.1ad / 0x9100
 * tags, 802.2 LLC/SNAP, MPLS label stacks (IP guessed from the version nibble after the bottom
 * label) and PPPoE sessions; Linux cooked SLL and SLL2, BSD NULL (family in either byte order) and LOOP, and raw IP
 * (DLT 12, 14, 101, 228, 229). IP fragments are not reassembled ({@link DecodeStatus#IP_FRAGMENT}).
 *
 * <p>Lengths: the frame holds {@code capturedLength} bytes of a {@code wireLength}-byte packet.
 * Where a header we need runs past the captured bytes the result is {@link DecodeStatus#TRUNCATED}
 * if snaplen cut the frame and {@link DecodeStatus#MALFORMED} otherwise. A length field that
 * claims more than was on the wire is {@link DecodeStatus#MALFORMED}. Bytes after the IP packet
 * (Ethernet padding, trailers) are ignored. An IPv4 total length of 0 (segmentation offload seen
 * on the sending host) is replaced by the length on the wire, and {@link #ipLengthInferred()}
 * says so.
 *
 * <p>Byte order: the views read big-endian. When {@code buf} is in little-endian order (say a pcap
 * reader's buffer), the decoder reads through a big-endian duplicate that it allocates once per
 * buffer and keeps for up to four such buffers in rotation; indices such as
 * {@link #payloadOffset()} are the same in both.
 */
public final class FrameDecoder {
  /** Deepest VLAN tag stack decoded; a deeper stack is {@link DecodeStatus#MALFORMED}. */
  public static final int MAX_VLAN_TAGS = 4;
  /** Little-endian buffers whose big-endian duplicates are kept (several merged readers). */
  static final int BIG_ENDIAN_CACHE = 4;

  static final int ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86DD, ETHERTYPE_VLAN = 0x8100,
      ETHERTYPE_QINQ = 0x88A8, ETHERTYPE_QINQ_OLD = 0x9100, ETHERTYPE_MPLS = 0x8847,
      ETHERTYPE_MPLS_MULTICAST = 0x8848, ETHERTYPE_PPPOE_SESSION = 0x8864;
  static final int PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057;
  /** Deepest MPLS label stack followed; a deeper one is {@link DecodeStatus#MALFORMED}. */
  static final int MAX_MPLS_LABELS = 8;
  static final int ETHERNET_HEADER_LENGTH = 14, SLL_HEADER_LENGTH = 16, SLL2_HEADER_LENGTH = 20,
      NULL_HEADER_LENGTH = 4;
  static final int AF_INET = 2;
  private static final int PROTO_TCP = 6;

  private final Ipv4View ipv4 = new Ipv4View();
  private final Ipv6View ipv6 = new Ipv6View();
  private final TcpView tcp = new TcpView();

  /** Little-endian caller buffers and their big-endian duplicates, round-robin. */
  private final ByteBuffer[] leCallers = new ByteBuffer[BIG_ENDIAN_CACHE];
  private final ByteBuffer[] beDuplicates = new ByteBuffer[BIG_ENDIAN_CACHE];
  private int nextCacheSlot;

  private ByteBuffer buf;
  private int frameStart;
  private int capEnd;
  private int wireLength;
  private boolean truncated;

  private String reason;
  private int ipVersion;
  private int ipOffset;
  private boolean ipLengthInferred;
  private long srcHi, srcLo, dstHi, dstLo;
  private int vlanCount;
  private int outerVlanId;
  private int payloadOffset, payloadLength, payloadWireLength;

  /**
   * Decodes the frame at {@code buf[off, off + info.capturedLength)} whose link type and wire
   * length come from {@code info}. Never throws on bad bytes; the buffer's position and limit are
   * neither used nor changed (only its limit bounds the read).
   */
  public DecodeStatus decode(ByteBuffer buf, int off, CaptureInfo info) {
    this.buf = bigEndian(buf);
    reason = null;
    ipVersion = 0;
    ipOffset = -1;
    ipLengthInferred = false;
    vlanCount = 0;
    outerVlanId = -1;
    payloadOffset = -1;
    payloadLength = 0;
    payloadWireLength = 0;
    if (off < 0 || off > buf.limit() || info.capturedLength < 0) {
      return fail(DecodeStatus.MALFORMED, "decode.bad_frame_bounds");
    }
    int captured = Math.min(info.capturedLength, buf.limit() - off);
    frameStart = off;
    capEnd = off + captured;
    truncated = captured < info.wireLength;
    wireLength = Math.max(info.wireLength, captured);
    switch (info.linkType) {
      case LinkType.ETHERNET:
        return ethernet(off);
      case LinkType.LINUX_SLL:
        if (off + SLL_HEADER_LENGTH > capEnd) {
          return shortHeader("decode.sll.short");
        }
        return etherType(off + SLL_HEADER_LENGTH, this.buf.getShort(off + 14) & 0xFFFF);
      case LinkType.LINUX_SLL2:
        if (off + SLL2_HEADER_LENGTH > capEnd) {
          return shortHeader("decode.sll2.short");
        }
        return etherType(off + SLL2_HEADER_LENGTH, this.buf.getShort(off) & 0xFFFF);
      case LinkType.NULL:
      case LinkType.LOOP:
        return loopback(off, info.linkType == LinkType.NULL);
      case LinkType.RAW:
      case LinkType.RAW_BSD:
      case LinkType.RAW_OPENBSD:
        return rawIp(off);
      case LinkType.IPV4:
        return ipv4(off);
      case LinkType.IPV6:
        return ipv6(off);
      default:
        return fail(DecodeStatus.UNSUPPORTED_LINK, "decode.unsupported_link");
    }
  }

  private ByteBuffer bigEndian(ByteBuffer caller) {
    if (caller.order() == ByteOrder.BIG_ENDIAN) {
      return caller;
    }
    for (int i = 0; i < BIG_ENDIAN_CACHE; i++) {
      if (leCallers[i] == caller) { // identity, not ByteBuffer.equals (which compares content)
        ByteBuffer be = beDuplicates[i];
        be.limit(caller.limit());
        return be;
      }
    }
    int slot = nextCacheSlot;
    nextCacheSlot = (slot + 1) % BIG_ENDIAN_CACHE;
    leCallers[slot] = caller;
    beDuplicates[slot] = caller.duplicate().order(ByteOrder.BIG_ENDIAN);
    return beDuplicates[slot];
  }

  private DecodeStatus ethernet(int off) {
    if (off + ETHERNET_HEADER_LENGTH > capEnd) {
      return shortHeader("decode.ethernet.short");
    }
    return etherType(off + ETHERNET_HEADER_LENGTH, buf.getShort(off + 12) & 0xFFFF);
  }

  /**
   * Dispatches on an EtherType whose payload starts at {@code p}, unwrapping VLAN tags, 802.2
   * LLC/SNAP, MPLS label stacks and PPPoE sessions on the way to IP.
   */
  private DecodeStatus etherType(int p, int type) {
    for (int step = 0; ; step++) {
      switch (type) {
        case ETHERTYPE_IPV4:
          return ipv4(p);
        case ETHERTYPE_IPV6:
          return ipv6(p);
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD:
          if (vlanCount == MAX_VLAN_TAGS) {
            return fail(DecodeStatus.MALFORMED, "decode.vlan.too_many_tags");
          }
          // IEEE 802.1Q tag after the TPID: TCI (PCP 3, DEI 1, VID 12 bits), then the inner type.
          if (p + 4 > capEnd) {
            return shortHeader("decode.vlan.short");
          }
          if (vlanCount == 0) {
            outerVlanId = buf.getShort(p) & 0x0FFF;
          }
          vlanCount++;
          type = buf.getShort(p + 2) & 0xFFFF;
          p += 4;
          break;
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MULTICAST:
          return mpls(p);
        case ETHERTYPE_PPPOE_SESSION:
          return pppoe(p);
        default:
          // A value up to 1500 is an 802.3 length (SLL: 4 = ETH_P_802_2): an 802.2 LLC header
          // follows. Only SNAP (AA AA 03, OUI 000000 or 0000F8, RFC 1042) carries an EtherType.
          if (type > 1500 || step > MAX_VLAN_TAGS) {
            return fail(DecodeStatus.NOT_IP, "decode.not_ip");
          }
          if (p + 8 > capEnd) {
            return shortHeader("decode.llc.short");
          }
          int oui = buf.getShort(p + 4) & 0xFFFF;
          if (buf.getInt(p) != 0xAAAA0300 || (oui != 0 && oui != 0x00F8)) {
            return fail(DecodeStatus.NOT_IP, "decode.llc.not_snap");
          }
          type = buf.getShort(p + 6) & 0xFFFF;
          p += 8;
          break;
      }
    }
  }

  /** MPLS label stack (RFC 3032 §2.1): skip to bottom of stack, guess IP from the version nibble. */
  private DecodeStatus mpls(int p) {
    for (int i = 0; i < MAX_MPLS_LABELS; i++) {
      if (p + 4 > capEnd) {
        return shortHeader("decode.mpls.short");
      }
      boolean bottom = (buf.get(p + 2) & 0x01) != 0;
      p += 4;
      if (bottom) {
        if (p >= capEnd) {
          return shortHeader("decode.mpls.short");
        }
        int version = (buf.get(p) & 0xF0) >>> 4;
        if (version == 4) {
          return ipv4(p);
        }
        if (version == 6) {
          return ipv6(p);
        }
        return fail(DecodeStatus.NOT_IP, "decode.mpls.not_ip"); // pseudowire, control word...
      }
    }
    return fail(DecodeStatus.MALFORMED, "decode.mpls.too_many_labels");
  }

  /**
   * PPPoE session stage (RFC 2516 §4): 6-byte header, then the PPP protocol, 2 bytes or 1 when
   * compressed (RFC 1661 §6.5: a first byte with its low bit set is the whole field).
   */
  private DecodeStatus pppoe(int p) {
    if (p + 7 > capEnd) {
      return shortHeader("decode.pppoe.short");
    }
    int protocol = buf.get(p + 6) & 0xFF;
    int ip = p + 7;
    if ((protocol & 1) == 0) {
      if (p + 8 > capEnd) {
        return shortHeader("decode.pppoe.short");
      }
      protocol = buf.getShort(p + 6) & 0xFFFF;
      ip = p + 8;
    }
    if (protocol == PPP_IPV4) {
      return ipv4(ip);
    }
    if (protocol == PPP_IPV6) {
      return ipv6(ip);
    }
    return fail(DecodeStatus.NOT_IP, "decode.pppoe.not_ip");
  }

  private DecodeStatus loopback(int off, boolean hostOrder) {
    if (off + NULL_HEADER_LENGTH > capEnd) {
      return shortHeader("decode.loopback.short");
    }
    int family = buf.getInt(off);
    // DLT_NULL stores the family in the capturing host's order; families are small, so a value
    // with zero low bytes came from a little-endian host.
    if (hostOrder && (family & 0xFFFF) == 0) {
      family = Integer.reverseBytes(family);
    }
    switch (family) {
      case AF_INET:
        return ipv4(off + NULL_HEADER_LENGTH);
      case 10: // Linux AF_INET6
      case 24: // NetBSD, OpenBSD, BSD/OS
      case 28: // FreeBSD, DragonFly
      case 30: // macOS
        return ipv6(off + NULL_HEADER_LENGTH);
      default:
        return fail(DecodeStatus.NOT_IP, "decode.loopback.not_ip");
    }
  }

  private DecodeStatus rawIp(int p) {
    if (p >= capEnd) {
      return shortHeader("decode.raw.short");
    }
    int version = (buf.get(p) & 0xF0) >>> 4;
    if (version == 4) {
      return ipv4(p);
    }
    if (version == 6) {
      return ipv6(p);
    }
    return fail(DecodeStatus.MALFORMED, "decode.ip.bad_version");
  }

  private DecodeStatus ipv4(int p) {
    if (p >= capEnd) {
      return shortHeader("decode.ipv4.short");
    }
    ipv4.wrap(buf, p);
    if (ipv4.version() != 4) {
      return fail(DecodeStatus.MALFORMED, "decode.ipv4.bad_version");
    }
    if (p + Ipv4View.MIN_HEADER_LENGTH > capEnd) {
      return shortHeader("decode.ipv4.short");
    }
    int headerLength = ipv4.headerLength();
    if (headerLength < Ipv4View.MIN_HEADER_LENGTH) {
      return fail(DecodeStatus.MALFORMED, "decode.ipv4.bad_ihl");
    }
    int onWire = wireLength - (p - frameStart); // bytes of this packet on the wire
    int totalLength = ipv4.totalLength();
    if (totalLength == 0) {
      // TSO/GSO: the sending host's capture sees the super-segment before the NIC fills in the
      // length (Wireshark: "reported as 0, presumed to be because of TCP segmentation offload").
      totalLength = onWire;
      ipLengthInferred = true;
    }
    if (totalLength < headerLength) {
      return fail(DecodeStatus.MALFORMED, "decode.ipv4.total_length_below_header");
    }
    if (totalLength > onWire) {
      return fail(DecodeStatus.MALFORMED, "decode.ipv4.total_length_beyond_frame");
    }
    if (p + headerLength > capEnd) {
      return shortHeader("decode.ipv4.options_short");
    }
    ipVersion = 4;
    ipOffset = p;
    srcHi = 0;
    srcLo = Addresses.ipv4MappedLo(ipv4.src());
    dstHi = 0;
    dstLo = Addresses.ipv4MappedLo(ipv4.dst());
    if (ipv4.isFragment()) {
      return fail(DecodeStatus.IP_FRAGMENT, "decode.ipv4.fragment");
    }
    if (ipv4.protocol() != PROTO_TCP) {
      return fail(DecodeStatus.NOT_TCP, "decode.ipv4.not_tcp");
    }
    return tcp(p + headerLength, p + totalLength);
  }

  private DecodeStatus ipv6(int p) {
    if (p >= capEnd) {
      return shortHeader("decode.ipv6.short");
    }
    ipv6.wrap(buf, p);
    if (ipv6.version() != 6) {
      return fail(DecodeStatus.MALFORMED, "decode.ipv6.bad_version");
    }
    if (p + Ipv6View.HEADER_LENGTH > capEnd) {
      return shortHeader("decode.ipv6.short");
    }
    int payloadLen = ipv6.payloadLength();
    if (payloadLen == 0 && ipv6.nextHeader() == Ipv6View.HOP_BY_HOP) {
      // RFC 2675 jumbogram (or offload super-packet): the real length is in a hop-by-hop
      // option; not implemented.
      return fail(DecodeStatus.MALFORMED, "decode.ipv6.jumbogram");
    }
    int ipEnd = p + Ipv6View.HEADER_LENGTH + payloadLen;
    if (ipEnd - frameStart > wireLength) {
      return fail(DecodeStatus.MALFORMED, "decode.ipv6.payload_length_beyond_frame");
    }
    ipVersion = 6;
    ipOffset = p;
    srcHi = ipv6.srcHi();
    srcLo = ipv6.srcLo();
    dstHi = ipv6.dstHi();
    dstLo = ipv6.dstLo();
    DecodeStatus s = ipv6.walk(ipEnd, capEnd, truncated);
    if (s != DecodeStatus.OK) {
      return fail(s, ipv6.reason);
    }
    return tcp(ipv6.upperOffset(), ipEnd);
  }

  /** TCP header at {@code p}; the IP packet ends at {@code ipEnd} (which may exceed capEnd). */
  private DecodeStatus tcp(int p, int ipEnd) {
    if (p + TcpView.MIN_HEADER_LENGTH > ipEnd) {
      return fail(DecodeStatus.MALFORMED, "decode.tcp.segment_below_header");
    }
    if (p + TcpView.MIN_HEADER_LENGTH > capEnd) {
      return shortHeader("decode.tcp.short");
    }
    tcp.wrap(buf, p);
    int headerLength = tcp.headerLength();
    if (headerLength < TcpView.MIN_HEADER_LENGTH) {
      return fail(DecodeStatus.MALFORMED, "decode.tcp.bad_data_offset");
    }
    if (p + headerLength > ipEnd) {
      return fail(DecodeStatus.MALFORMED, "decode.tcp.data_offset_beyond_segment");
    }
    if (p + headerLength > capEnd) {
      return shortHeader("decode.tcp.options_short");
    }
    payloadOffset = p + headerLength;
    payloadWireLength = ipEnd - payloadOffset;
    payloadLength = Math.min(ipEnd, capEnd) - payloadOffset;
    return DecodeStatus.OK;
  }

  /** A header runs past the captured bytes: snaplen's fault if the frame was cut, else bad data. */
  private DecodeStatus shortHeader(String why) {
    reason = why;
    return truncated ? DecodeStatus.TRUNCATED : DecodeStatus.MALFORMED;
  }

  private DecodeStatus fail(DecodeStatus status, String why) {
    reason = why;
    return status;
  }

  /**
   * Stable dotted code naming why the last decode was not OK (e.g. {@code decode.ipv4.bad_ihl},
   * {@code decode.tcp.short}); {@code null} after OK. Finer than {@link
   * DecodeStatus#warningCode()}, meant as a warning's detail.
   */
  public String reason() { return reason; }

  /** The buffer the views read: the caller's, or its big-endian duplicate (same indices). */
  public ByteBuffer buffer() { return buf; }

  /** True when the last frame was cut by snaplen (captured length below wire length). */
  public boolean snaplenTruncated() { return truncated; }

  /** 4 or 6 once an IP header was read, 0 otherwise. */
  public int ipVersion() { return ipVersion; }

  /** Absolute index of the IP header, -1 when none was read. */
  public int ipOffset() { return ipOffset; }

  /** True when the IPv4 total length was 0 and the wire length stood in for it. */
  public boolean ipLengthInferred() { return ipLengthInferred; }

  /** Source address, high 64 bits (0 for IPv4, which is stored IPv4-mapped). */
  public long srcHi() { return srcHi; }
  /** Source address, low 64 bits ({@code 0x0000ffff_aabbccdd} for IPv4 a.b.c.d). */
  public long srcLo() { return srcLo; }
  public long dstHi() { return dstHi; }
  public long dstLo() { return dstLo; }

  public Ipv4View ipv4() { return ipv4; }
  public Ipv6View ipv6() { return ipv6; }
  public TcpView tcp() { return tcp; }

  /** Absolute index into the buffer of the first TCP payload byte. */
  public int payloadOffset() { return payloadOffset; }

  /** TCP payload bytes present in the capture. */
  public int payloadLength() { return payloadLength; }

  /** TCP payload bytes per the IP length fields; exceeds {@link #payloadLength()} when cut. */
  public int payloadWireLength() { return payloadWireLength; }

  /** Number of VLAN tags unwrapped. */
  public int vlanCount() { return vlanCount; }

  /** VLAN id of the outermost tag, -1 when untagged. */
  public int outerVlanId() { return outerVlanId; }
}
