package io.connscope.decode;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import io.connscope.common.Addresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes one captured frame from its link-layer header down to the TCP payload, in place and
 * without allocating.
 *
 * <p>One decoder owns one {@link Ipv4View}, {@link Ipv6View} and {@link TcpView} and rewraps them
 * for every frame: the views and every accessor here are valid only until the next {@link #decode}
 * call, and only as far as the returned status says. Payload, ports and sequence numbers after
 * {@link DecodeStatus#OK}; addresses and {@link #ipVersion()} also after {@link
 * DecodeStatus#NOT_TCP} and {@link DecodeStatus#IP_FRAGMENT}; {@link #reason()} after any status.
 *
 * <p>Link layers: Ethernet with up to {@link #MAX_VLAN_TAGS} stacked 802.1Q / 802.1ad / 0x9100
 * tags, 802.2 LLC/SNAP, MPLS label stacks (IP guessed from the version nibble after the bottom
 * label) and PPPoE sessions; Linux cooked SLL and SLL2, BSD NULL (family in either byte order) and
 * LOOP, and raw IP (DLT 12, 14, 101, 228, 229); PPP (9, 50), Cisco HDLC (104), NFLOG (239), and
 * 802.11 with or without radiotap (127, 105: unprotected data frames, through LLC/SNAP).
 *
 * <p>IP fragments, outer or tunnelled, go to the decoder's {@link IpDefragmenter} (none for {@link
 * #FrameDecoder()}) and decode as {@link DecodeStatus#IP_FRAGMENT} until the datagram is complete.
 * The frame that completes it is decoded from the reassembled datagram: {@link #reassembled()} is
 * true, and {@link #buffer()} and every offset then refer to the defragmenter's buffer, valid until
 * the next {@link #decode}. Frames that are not fragments take the same path as without a
 * defragmenter and allocate nothing.
 *
 * <p>Tunnels are followed to the innermost TCP packet, whose addresses and ports are reported, up
 * to {@link #MAX_TUNNEL_DEPTH} levels ({@link #tunnel()}, {@link #tunnelDepth()}): IPv4/IPv6 in IP
 * (protocols 4, 41), GRE (Ethernet 0x6558, ERSPAN I/II/III, Aruba 802.11, PPTP's PPP, any
 * EtherType), and in UDP: VXLAN (4789) and VXLAN-GPE (4790), Geneve (6081), GTP-U G-PDUs (2152),
 * Teredo (3544, or any port when the datagram is exactly an IPv6 packet with a Teredo address),
 * AYIYA (5072) and GRE-in-UDP (4754). A port alone does not make a tunnel: its header must check
 * out, otherwise the datagram stays {@link DecodeStatus#NOT_TCP}.
 *
 * <p>Lengths: the frame holds {@code capturedLength} bytes of a {@code wireLength}-byte packet.
 * Where a header we need runs past the captured bytes the result is {@link DecodeStatus#TRUNCATED}
 * if snaplen cut the frame and {@link DecodeStatus#MALFORMED} otherwise. A length field that claims
 * more than was on the wire is {@link DecodeStatus#MALFORMED}. Bytes after the IP packet (Ethernet
 * padding, trailers) are ignored. An IPv4 total length of 0 (segmentation offload seen on the
 * sending host) is replaced by the length on the wire, and {@link #ipLengthInferred()} says so.
 *
 * <p>Byte order: the views read big-endian. When {@code buf} is in little-endian order (say a pcap
 * reader's buffer), the decoder reads through a big-endian duplicate that it allocates once per
 * buffer and keeps for up to four such buffers in rotation; indices such as {@link
 * #payloadOffset()} are the same in both.
 */
public final class FrameDecoder {
  /** Deepest VLAN tag stack decoded; a deeper stack is {@link DecodeStatus#MALFORMED}. */
  public static final int MAX_VLAN_TAGS = 4;

  /** Little-endian buffers whose big-endian duplicates are kept (several merged readers). */
  static final int BIG_ENDIAN_CACHE = 4;

  static final int ETHERTYPE_IPV4 = 0x0800,
      ETHERTYPE_IPV6 = 0x86DD,
      ETHERTYPE_VLAN = 0x8100,
      ETHERTYPE_QINQ = 0x88A8,
      ETHERTYPE_QINQ_OLD = 0x9100,
      ETHERTYPE_MPLS = 0x8847,
      ETHERTYPE_MPLS_MULTICAST = 0x8848,
      ETHERTYPE_PPPOE_SESSION = 0x8864;
  static final int PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057;

  /** Deepest MPLS label stack followed; a deeper one is {@link DecodeStatus#MALFORMED}. */
  static final int MAX_MPLS_LABELS = 8;

  static final int ETHERNET_HEADER_LENGTH = 14,
      SLL_HEADER_LENGTH = 16,
      SLL2_HEADER_LENGTH = 20,
      NULL_HEADER_LENGTH = 4;
  static final int AF_INET = 2;
  private static final int PROTO_IPIP = 4,
      PROTO_TCP = 6,
      PROTO_UDP = 17,
      PROTO_IPV6 = 41,
      PROTO_GRE = 47;

  /** Deepest tunnel nesting decoded; a deeper one is {@link DecodeStatus#MALFORMED}. */
  public static final int MAX_TUNNEL_DEPTH = 4;

  static final int PORT_GRE_UDP = 4754,
      PORT_VXLAN = 4789,
      PORT_VXLAN_GPE = 4790,
      PORT_GENEVE = 6081,
      PORT_TEREDO = 3544,
      PORT_AYIYA = 5072,
      PORT_GTP_U = 2152;

  /** First 32 bits of every Teredo address (RFC 4380 §2.13). */
  static final int TEREDO_PREFIX = 0x20010000;

  static final int ETHERTYPE_TEB = 0x6558,
      ETHERTYPE_ERSPAN_2 = 0x88BE,
      ETHERTYPE_ERSPAN_3 = 0x22EB,
      ETHERTYPE_PPP = 0x880B;

  /** GRE protocol types Aruba access points use for tunnelled 802.11 frames. */
  static final int ARUBA_FIRST = 0x8200, ARUBA_LAST = 0x8350;

  /** NFLOG TLV type of the packet payload (NFULA_PAYLOAD). */
  static final int NFULA_PAYLOAD = 9;

  private final Ipv4View ipv4 = new Ipv4View();
  private final Ipv6View ipv6 = new Ipv6View();
  private final TcpView tcp = new TcpView();
  private final IpDefragmenter defrag;

  /** Little-endian caller buffers and their big-endian duplicates, round-robin. */
  private final ByteBuffer[] leCallers = new ByteBuffer[BIG_ENDIAN_CACHE];

  private final ByteBuffer[] beDuplicates = new ByteBuffer[BIG_ENDIAN_CACHE];
  private int nextCacheSlot;

  private ByteBuffer buf;

  /** Reads {@link #buf}. */
  private final BigEndianBytes bytes = new BigEndianBytes();

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
  private int tunnelDepth;
  private Tunnel tunnel = Tunnel.NONE;
  private long nowNanos, frameNumber;
  private int reassemblies;
  private boolean reassembled;

  /** A decoder that does not reassemble: fragments stay {@link DecodeStatus#IP_FRAGMENT}. */
  public FrameDecoder() {
    this(null);
  }

  /** A decoder that reassembles IP fragments with {@code defrag} (null: none). */
  public FrameDecoder(IpDefragmenter defrag) {
    this.defrag = defrag;
  }

  /**
   * Decodes the frame at {@code buf[off, off + info.capturedLength)} whose link type and wire
   * length come from {@code info}. Never throws on bad bytes; the buffer's position and limit are
   * neither used nor changed (only its limit bounds the read).
   */
  public DecodeStatus decode(ByteBuffer buf, int off, CaptureInfo info) {
    this.buf = bigEndian(buf);
    bytes.use(this.buf);
    reason = null;
    ipVersion = 0;
    ipOffset = -1;
    ipLengthInferred = false;
    vlanCount = 0;
    outerVlanId = -1;
    payloadOffset = -1;
    payloadLength = 0;
    payloadWireLength = 0;
    tunnelDepth = 0;
    tunnel = Tunnel.NONE;
    reassemblies = 0;
    reassembled = false;
    nowNanos = info.timestampNanos;
    frameNumber = info.frameNumber;
    if (defrag != null) {
      defrag.expire(nowNanos);
    }
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
        return etherType(off + SLL_HEADER_LENGTH, bytes.u16(off + 14));
      case LinkType.LINUX_SLL2:
        if (off + SLL2_HEADER_LENGTH > capEnd) {
          return shortHeader("decode.sll2.short");
        }
        return etherType(off + SLL2_HEADER_LENGTH, bytes.u16(off));
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
      case LinkType.C_HDLC:
        // Cisco HDLC: address, control, then an EtherType (as tcpdump's chdlc_print).
        if (off + 4 > capEnd) {
          return shortHeader("decode.chdlc.short");
        }
        return etherType(off + 4, bytes.u16(off + 2));
      case LinkType.PPP:
      case LinkType.PPP_SERIAL:
        return ppp(off);
      case LinkType.NFLOG:
        return nflog(off);
      case LinkType.IEEE802_11:
        return ieee80211(off);
      case LinkType.IEEE802_11_RADIOTAP:
        return radiotap(off);
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
    return etherType(off + ETHERNET_HEADER_LENGTH, bytes.u16(off + 12));
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
            outerVlanId = ((short) bytes.u16(p)) & 0x0FFF;
          }
          vlanCount++;
          type = bytes.u16(p + 2);
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
          type = snapType(p);
          if (type == SNAP_SHORT) {
            return shortHeader("decode.llc.short");
          }
          if (type == SNAP_OTHER) {
            return fail(DecodeStatus.NOT_IP, "decode.llc.not_snap");
          }
          p += 8;
          break;
      }
    }
  }

  private static final int SNAP_SHORT = -1, SNAP_OTHER = -2;

  /**
   * The EtherType of an 802.2 LLC/SNAP header at {@code p} (AA AA 03, OUI 000000 or 0000F8, RFC
   * 1042); {@link #SNAP_SHORT} when cut short, {@link #SNAP_OTHER} for any other LLC.
   */
  private int snapType(int p) {
    if (p + 8 > capEnd) {
      return SNAP_SHORT;
    }
    int oui = bytes.u16(p + 4);
    if (bytes.s32(p) != 0xAAAA0300 || (oui != 0 && oui != 0x00F8)) {
      return SNAP_OTHER;
    }
    return bytes.u16(p + 6);
  }

  /**
   * MPLS label stack (RFC 3032 §2.1): skip to bottom of stack, guess IP from the version nibble.
   */
  private DecodeStatus mpls(int p) {
    for (int i = 0; i < MAX_MPLS_LABELS; i++) {
      if (p + 4 > capEnd) {
        return shortHeader("decode.mpls.short");
      }
      boolean bottom = (((byte) bytes.u8(p + 2)) & 0x01) != 0;
      p += 4;
      if (bottom) {
        if (p >= capEnd) {
          return shortHeader("decode.mpls.short");
        }
        int version = (((byte) bytes.u8(p)) & 0xF0) >>> 4;
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
    return pppProtocol(p + 6);
  }

  /**
   * PPP in HDLC-like framing (RFC 1662 §3.1: address 0xFF and control 0x03, which may be omitted
   * when negotiated away) for LINKTYPE_PPP, PPP_SERIAL and PPTP's GRE.
   */
  private DecodeStatus ppp(int p) {
    if (p + 2 > capEnd) {
      return shortHeader("decode.ppp.short");
    }
    if ((bytes.u16(p)) == 0xFF03) {
      p += 2;
    }
    return pppProtocol(p);
  }

  /** The PPP protocol field at {@code p}: 2 bytes, or 1 when its low bit is set (RFC 1661 §6.5). */
  private DecodeStatus pppProtocol(int p) {
    if (p + 1 > capEnd) {
      return shortHeader("decode.ppp.short");
    }
    int protocol = bytes.u8(p);
    int ip = p + 1;
    if ((protocol & 1) == 0) {
      if (p + 2 > capEnd) {
        return shortHeader("decode.ppp.short");
      }
      protocol = bytes.u16(p);
      ip = p + 2;
    }
    if (protocol == PPP_IPV4) {
      return ipv4(ip);
    }
    if (protocol == PPP_IPV6) {
      return ipv6(ip);
    }
    return fail(DecodeStatus.NOT_IP, "decode.ppp.not_ip");
  }

  private DecodeStatus loopback(int off, boolean hostOrder) {
    if (off + NULL_HEADER_LENGTH > capEnd) {
      return shortHeader("decode.loopback.short");
    }
    int family = bytes.s32(off);
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
    int version = (((byte) bytes.u8(p)) & 0xF0) >>> 4;
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
      return fragment4(p, headerLength, totalLength);
    }
    int protocol = ipv4.protocol();
    if (protocol != PROTO_TCP) {
      return ipPayload(protocol, p + headerLength, p + totalLength, "decode.ipv4.not_tcp");
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
    if (s == DecodeStatus.IP_FRAGMENT && defrag != null) {
      return fragment6(p, ipEnd);
    }
    if (s == DecodeStatus.NOT_TCP) {
      return ipPayload(ipv6.upperProtocol(), ipv6.upperOffset(), ipEnd, ipv6.reason);
    }
    if (s != DecodeStatus.OK) {
      return fail(s, ipv6.reason);
    }
    return tcp(ipv6.upperOffset(), ipEnd);
  }

  /** An IPv4 fragment at {@code p}: to the defragmenter, keyed with its protocol (RFC 791 §3.2). */
  private DecodeStatus fragment4(int p, int headerLength, int totalLength) {
    if (defrag == null) {
      return fail(DecodeStatus.IP_FRAGMENT, "decode.ipv4.fragment");
    }
    if (p + totalLength > capEnd) {
      return shortHeader("decode.fragment.truncated"); // bytes missing: cannot be reassembled
    }
    int slot =
        defrag.slot(
            4,
            srcHi,
            srcLo,
            dstHi,
            dstLo,
            ipv4.identification(),
            ipv4.protocol(),
            nowNanos,
            frameNumber);
    if (slot < 0) {
      return fail(DecodeStatus.IP_FRAGMENT, "decode.fragment.dropped");
    }
    return reassembly(
        defrag.add(
            slot,
            buf,
            p,
            headerLength,
            -1,
            0,
            ipv4.fragmentOffset() << 3,
            ipv4.moreFragments(),
            p + headerLength,
            totalLength - headerLength,
            frameNumber),
        4);
  }

  /**
   * An IPv6 fragment at {@code p}: keyed by addresses and identification (RFC 8200 §4.5); the
   * headers before the Fragment header are the unfragmentable part.
   */
  private DecodeStatus fragment6(int p, int ipEnd) {
    if (ipEnd > capEnd) {
      return shortHeader("decode.fragment.truncated");
    }
    int f = ipv6.fragmentHeaderOffset();
    int offsetFlags = bytes.u16(f + 2);
    int slot =
        defrag.slot(6, srcHi, srcLo, dstHi, dstLo, bytes.s32(f + 4), 0, nowNanos, frameNumber);
    if (slot < 0) {
      return fail(DecodeStatus.IP_FRAGMENT, "decode.fragment.dropped");
    }
    return reassembly(
        defrag.add(
            slot,
            buf,
            p,
            f - p,
            ipv6.fragmentNextHeaderFieldOffset() - p,
            bytes.u8(f),
            offsetFlags & 0xFFF8,
            (offsetFlags & 1) != 0,
            f + 8,
            ipEnd - f - 8,
            frameNumber),
        6);
  }

  /** Outcome of adding a fragment; a completed datagram is decoded from the defragmenter's copy. */
  private DecodeStatus reassembly(int result, int version) {
    switch (result) {
      case IpDefragmenter.HELD:
        return fail(DecodeStatus.IP_FRAGMENT, "decode.fragment.held");
      case IpDefragmenter.DROPPED:
        return fail(DecodeStatus.IP_FRAGMENT, "decode.fragment.dropped");
      case IpDefragmenter.REJECTED:
        return fail(DecodeStatus.MALFORMED, defrag.reason);
      default:
        break;
    }
    // A reassembled tunnel packet may carry fragments in turn; bound the chain.
    if (++reassemblies > MAX_TUNNEL_DEPTH) {
      return fail(DecodeStatus.MALFORMED, "decode.fragment.too_deep");
    }
    buf = defrag.buffer();
    bytes.use(buf);
    frameStart = defrag.start();
    wireLength = defrag.length();
    capEnd = frameStart + wireLength;
    truncated = false;
    reassembled = true;
    return version == 4 ? ipv4(frameStart) : ipv6(frameStart);
  }

  /**
   * Ends the capture: datagrams still waiting for fragments are counted as incomplete by the
   * defragmenter, if any.
   */
  public void finish() {
    if (defrag != null) {
      defrag.finish();
    }
  }

  /**
   * A non-TCP IP payload of {@code protocol} at {@code p}, the IP packet ending at {@code ipEnd}:
   * IP-in-IP, GRE and UDP tunnels are followed to the inner packet, anything else is {@link
   * DecodeStatus#NOT_TCP} with {@code notTcp} as the reason.
   */
  private DecodeStatus ipPayload(int protocol, int p, int ipEnd, String notTcp) {
    switch (protocol) {
      case PROTO_IPIP:
        return enter(Tunnel.IP_IN_IP) ? ipv4(p) : tooDeep();
      case PROTO_IPV6:
        return enter(Tunnel.IP_IN_IP) ? ipv6(p) : tooDeep();
      case PROTO_GRE:
        return gre(p, ipEnd);
      case PROTO_UDP:
        return udp(p, ipEnd, notTcp);
      default:
        return fail(DecodeStatus.NOT_TCP, notTcp);
    }
  }

  /** Counts one more level of encapsulation; false when that exceeds {@link #MAX_TUNNEL_DEPTH}. */
  private boolean enter(Tunnel t) {
    if (tunnelDepth == MAX_TUNNEL_DEPTH) {
      return false;
    }
    tunnelDepth++;
    tunnel = t;
    return true;
  }

  private DecodeStatus tooDeep() {
    return fail(DecodeStatus.MALFORMED, "decode.tunnel.too_deep");
  }

  /**
   * A UDP datagram (RFC 768) at {@code p}: a tunnel when either port is a tunnel's well-known port
   * and the header after UDP checks out; otherwise {@link DecodeStatus#NOT_TCP}.
   */
  private DecodeStatus udp(int p, int ipEnd, String notTcp) {
    if (p + 8 > ipEnd) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (p + 8 > capEnd) {
      return shortHeader("decode.udp.short"); // cannot tell whether it is a tunnel
    }
    int sport = bytes.u16(p);
    int dport = bytes.u16(p + 2);
    int udpLength = bytes.u16(p + 4);
    if (udpLength < 8 || p + udpLength > ipEnd) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    int q = p + 8;
    int end = p + udpLength;
    if (isPort(PORT_VXLAN, sport, dport) || isPort(PORT_VXLAN_GPE, sport, dport)) {
      return vxlan(q, end, notTcp);
    }
    if (isPort(PORT_GENEVE, sport, dport)) {
      return geneve(q, end, notTcp);
    }
    if (isPort(PORT_GTP_U, sport, dport)) {
      return gtpU(q, end, notTcp);
    }
    if (isPort(PORT_TEREDO, sport, dport)) {
      return teredo(q, end, false, notTcp);
    }
    if (isPort(PORT_AYIYA, sport, dport)) {
      return ayiya(q, notTcp);
    }
    if (isPort(PORT_GRE_UDP, sport, dport)) {
      return gre(q, end);
    }
    // Once qualified, a Teredo client talks to relays and peers from and to any port (RFC 4380
    // §5.2); Zeek detects those datagrams by content, as done here, with a Teredo address
    // (2001:0::/32) required on one side.
    return teredo(q, end, true, notTcp);
  }

  private static boolean isPort(int port, int sport, int dport) {
    return sport == port || dport == port;
  }

  /**
   * GRE (RFC 2784, key and sequence number RFC 2890; version 1 is PPTP's enhanced GRE, RFC 2637
   * §4.1). A header with routing present (the RFC 1701 R bit) is not followed.
   */
  private DecodeStatus gre(int p, int end) {
    if (p + 4 > capEnd) {
      return shortHeader("decode.gre.short");
    }
    if (!enter(Tunnel.GRE)) {
      return tooDeep();
    }
    int flags = bytes.u16(p);
    int protocol = bytes.u16(p + 2);
    int version = flags & 0x7;
    if ((flags & 0x4000) != 0 || version > 1) {
      return fail(DecodeStatus.NOT_IP, "decode.gre.unsupported");
    }
    int q = p + 4;
    if ((flags & 0x8000) != 0) { // checksum + reserved
      q += 4;
    }
    if ((flags & 0x2000) != 0) { // key (version 1: payload length + call id)
      q += 4;
    }
    boolean sequence = (flags & 0x1000) != 0;
    if (sequence) {
      q += 4;
    }
    if (version == 1 && (flags & 0x0080) != 0) { // PPTP acknowledgment number
      q += 4;
    }
    if (q > end) {
      return fail(DecodeStatus.MALFORMED, "decode.gre.beyond_packet");
    }
    if (q > capEnd) {
      return shortHeader("decode.gre.short");
    }
    if (version == 1) {
      return protocol == ETHERTYPE_PPP ? ppp(q) : fail(DecodeStatus.NOT_IP, "decode.gre.not_ip");
    }
    switch (protocol) {
      case ETHERTYPE_TEB:
        return ethernet(q);
      case ETHERTYPE_ERSPAN_2:
        tunnel = Tunnel.ERSPAN;
        // Type I has no header of its own and no GRE sequence number; type II has 8 bytes.
        return ethernet(sequence ? q + 8 : q);
      case ETHERTYPE_ERSPAN_3:
        tunnel = Tunnel.ERSPAN;
        // 12 bytes, then an 8-byte platform-specific subheader when the O flag (last bit) is set.
        if (q + 12 > capEnd) {
          return shortHeader("decode.erspan.short");
        }
        return ethernet(q + ((((byte) bytes.u8(q + 11)) & 0x01) != 0 ? 20 : 12));
      default:
        if (protocol >= ARUBA_FIRST && protocol <= ARUBA_LAST) {
          return ieee80211Frame(q, "decode.gre.aruba");
        }
        if (protocol <= 1500) {
          return fail(DecodeStatus.NOT_IP, "decode.gre.not_ip");
        }
        return etherType(q, protocol);
    }
  }

  /**
   * VXLAN (RFC 7348 §5: 8 bytes, I flag 0x08) carrying Ethernet; VXLAN-GPE (P flag 0x04) names its
   * payload in byte 3: 1 IPv4, 2 IPv6, 3 Ethernet.
   */
  private DecodeStatus vxlan(int p, int end, String notTcp) {
    if (p + 8 > end) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (p + 8 > capEnd) {
      return shortHeader("decode.vxlan.short");
    }
    int flags = bytes.u8(p);
    if ((flags & 0x08) == 0) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (!enter(Tunnel.VXLAN)) {
      return tooDeep();
    }
    if ((flags & 0x04) != 0) {
      switch (((byte) bytes.u8(p + 3))) {
        case 1:
          return ipv4(p + 8);
        case 2:
          return ipv6(p + 8);
        case 3:
          return ethernet(p + 8);
        default:
          return fail(DecodeStatus.NOT_IP, "decode.vxlan.not_ip");
      }
    }
    return ethernet(p + 8);
  }

  /** Geneve (RFC 8926 §3.4): version 0, options in 4-byte units, then an EtherType'd payload. */
  private DecodeStatus geneve(int p, int end, String notTcp) {
    if (p + 8 > end) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (p + 8 > capEnd) {
      return shortHeader("decode.geneve.short");
    }
    if ((((byte) bytes.u8(p)) & 0xC0) != 0) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (!enter(Tunnel.GENEVE)) {
      return tooDeep();
    }
    int q = p + 8 + ((((byte) bytes.u8(p)) & 0x3F) << 2);
    if (q > end) {
      return fail(DecodeStatus.MALFORMED, "decode.geneve.options_beyond_packet");
    }
    int protocol = bytes.u16(p + 2);
    return protocol == ETHERTYPE_TEB ? ethernet(q) : etherType(q, protocol);
  }

  /**
   * GTP-U version 1 (3GPP TS 29.281 §5.1): an 8-byte header; a G-PDU (type 255) carries a user IP
   * packet. With any of E, S, PN set 4 more bytes follow, ending in the first extension header
   * type; each extension header gives its length in 4-byte units and ends with the next type.
   */
  private DecodeStatus gtpU(int p, int end, String notTcp) {
    if (p + 8 > end) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (p + 8 > capEnd) {
      return shortHeader("decode.gtp.short");
    }
    int flags = bytes.u8(p);
    if ((flags & 0xF0) != 0x30 || (bytes.u8(p + 1)) != 0xFF) {
      return fail(DecodeStatus.NOT_TCP, notTcp); // GTPv1 with PT=1 and a G-PDU only
    }
    if (!enter(Tunnel.GTP_U)) {
      return tooDeep();
    }
    int q = p + 8;
    if ((flags & 0x07) != 0) {
      if (q + 4 > capEnd) {
        return shortHeader("decode.gtp.short");
      }
      int next = (flags & 0x04) != 0 ? bytes.u8(q + 3) : 0;
      q += 4;
      for (int i = 0; next != 0; i++) {
        if (i == MAX_TUNNEL_DEPTH * 2 || q + 1 > end) {
          return fail(DecodeStatus.MALFORMED, "decode.gtp.bad_extension");
        }
        if (q + 1 > capEnd) {
          return shortHeader("decode.gtp.short");
        }
        int len = (bytes.u8(q)) << 2;
        if (len == 0 || q + len > end) {
          return fail(DecodeStatus.MALFORMED, "decode.gtp.bad_extension");
        }
        if (q + len > capEnd) {
          return shortHeader("decode.gtp.short");
        }
        next = bytes.u8(q + len - 1);
        q += len;
      }
    }
    if (q > end) {
      return fail(DecodeStatus.MALFORMED, "decode.gtp.beyond_packet");
    }
    return innerIp(q, "decode.gtp.not_ip");
  }

  /**
   * Teredo (RFC 4380 §5.1.1): an IPv6 packet in UDP, optionally after an authentication indicator
   * (0x0001, id and auth lengths, id, auth value, 8-byte nonce, confirmation byte) and an origin
   * indication (0x0000, port, address: 8 bytes). Anything else on port 3544 (bubbles without IPv6,
   * router solicitations in IPv4...) stays UDP.
   */
  private DecodeStatus teredo(int p, int end, boolean anyPort, String notTcp) {
    int q = p;
    for (int i = 0; i < 2; i++) { // authentication, then origin indication
      if (q + 2 > end) {
        return fail(DecodeStatus.NOT_TCP, notTcp);
      }
      if (q + 4 > capEnd) {
        return teredoCut(anyPort, notTcp);
      }
      int indicator = bytes.u16(q);
      if (indicator == 0x0001 && i == 0) {
        q += 4 + (bytes.u8(q + 2)) + (bytes.u8(q + 3)) + 9;
      } else if (indicator == 0x0000) {
        q += 8;
        break;
      } else {
        break;
      }
    }
    // Only a whole IPv6 packet that exactly fills the rest of the datagram is taken.
    if (q + Ipv6View.HEADER_LENGTH > end) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (q + Ipv6View.HEADER_LENGTH > capEnd) {
      return teredoCut(anyPort, notTcp);
    }
    if ((((byte) bytes.u8(q)) & 0xF0) != 0x60
        || q + Ipv6View.HEADER_LENGTH + (bytes.u16(q + 4)) != end) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (anyPort
        && bytes.s32(q + Ipv6View.SRC_OFFSET) != TEREDO_PREFIX
        && bytes.s32(q + Ipv6View.DST_OFFSET) != TEREDO_PREFIX) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (!enter(Tunnel.TEREDO)) {
      return tooDeep();
    }
    return ipv6(q);
  }

  /** A cut Teredo header: truncated on port 3544; elsewhere it cannot be told from plain UDP. */
  private DecodeStatus teredoCut(boolean anyPort, String notTcp) {
    return anyPort ? fail(DecodeStatus.NOT_TCP, notTcp) : shortHeader("decode.teredo.short");
  }

  /**
   * AYIYA ("Anything In Anything", draft-massar-v6ops-ayiya §6): 8 bytes (identity length and type,
   * signature length and hash method, auth method and opcode, next header, epoch), the identity
   * (2^idlen bytes) and the signature (siglen 4-byte words). Opcode 1 forwards a packet.
   */
  private DecodeStatus ayiya(int p, String notTcp) {
    if (p + 8 > capEnd) {
      return shortHeader("decode.ayiya.short");
    }
    int opcode = ((byte) bytes.u8(p + 2)) & 0x0F;
    int next = bytes.u8(p + 3);
    if (opcode != 1 || (next != PROTO_IPIP && next != PROTO_IPV6)) {
      return fail(DecodeStatus.NOT_TCP, notTcp);
    }
    if (!enter(Tunnel.AYIYA)) {
      return tooDeep();
    }
    int q =
        p
            + 8
            + (1 << ((((byte) bytes.u8(p)) & 0xF0) >>> 4))
            + ((((byte) bytes.u8(p + 1)) & 0xF0) >>> 4) * 4;
    return next == PROTO_IPIP ? ipv4(q) : ipv6(q);
  }

  /** An IP packet of either version at {@code p} (version from the first nibble). */
  private DecodeStatus innerIp(int p, String notIp) {
    if (p >= capEnd) {
      return shortHeader("decode.ip.short");
    }
    int version = (((byte) bytes.u8(p)) & 0xF0) >>> 4;
    if (version == 4) {
      return ipv4(p);
    }
    if (version == 6) {
      return ipv6(p);
    }
    return fail(DecodeStatus.NOT_IP, notIp);
  }

  /**
   * NFLOG (LINKTYPE_NFLOG): family, version, resource id, then TLVs whose length (header included,
   * padded to 4) and type are in the capturing host's byte order; the packet is the NFULA_PAYLOAD
   * TLV. Types are small, so a type with an empty low byte read big-endian came from a
   * little-endian host.
   */
  private DecodeStatus nflog(int off) {
    if (off + 4 > capEnd) {
      return shortHeader("decode.nflog.short");
    }
    int p = off + 4;
    for (int i = 0; p + 4 <= capEnd; i++) {
      int len = bytes.u16(p);
      int type = bytes.u16(p + 2);
      if ((type & 0xFF) == 0 && type != 0) {
        len = Short.reverseBytes((short) len) & 0xFFFF;
        type = type >>> 8;
      }
      type &= 0x7FFF; // NLA_F_NESTED
      if (len < 4 || i > 64) {
        return fail(DecodeStatus.MALFORMED, "decode.nflog.bad_tlv");
      }
      if (type == NFULA_PAYLOAD) {
        return innerIp(p + 4, "decode.nflog.not_ip");
      }
      p += (len + 3) & ~3;
    }
    return truncated
        ? shortHeader("decode.nflog.short")
        : fail(DecodeStatus.NOT_IP, "decode.nflog.no_payload");
  }

  /**
   * Radiotap (LINKTYPE_IEEE802_11_RADIOTAP): version 0, a little-endian header length, present
   * bitmaps chained by bit 31. The flags field (present bit 1, after the 8-aligned TSFT of bit 0)
   * says whether the 802.11 header is padded to 4 bytes (0x20).
   */
  private DecodeStatus radiotap(int off) {
    if (off + 8 > capEnd) {
      return shortHeader("decode.radiotap.short");
    }
    int length = Short.reverseBytes(((short) bytes.u16(off + 2))) & 0xFFFF;
    if (((byte) bytes.u8(off)) != 0 || length < 8) {
      return fail(DecodeStatus.MALFORMED, "decode.radiotap.bad_header");
    }
    int present = Integer.reverseBytes(bytes.s32(off + 4));
    int f = off + 8;
    int headerEnd = Math.min(off + length, capEnd);
    for (int word = present; (word & 0x80000000) != 0 && f + 4 <= headerEnd; f += 4) {
      word = Integer.reverseBytes(bytes.s32(f));
    }
    padded80211 = false;
    if ((present & 0x1) != 0) {
      f = off + (((f - off) + 7) & ~7) + 8;
    }
    if ((present & 0x2) != 0 && f < headerEnd) {
      padded80211 = (((byte) bytes.u8(f)) & 0x20) != 0;
    }
    int p = off + length;
    DecodeStatus s = ieee80211Frame(p, "decode.radiotap.not_ip");
    padded80211 = false;
    return s;
  }

  private boolean padded80211;

  private DecodeStatus ieee80211(int off) {
    padded80211 = false;
    return ieee80211Frame(off, "decode.80211.not_ip");
  }

  /**
   * An 802.11 MAC frame (IEEE 802.11-2020 §9.2): only unprotected data frames with a body go on,
   * through LLC/SNAP. Header: frame control, duration, 3 addresses, sequence control (24 bytes), a
   * 4th address when both ToDS and FromDS are set, QoS control in QoS subtypes, and an HT control
   * field when a QoS frame has the +HTC/Order bit.
   */
  private DecodeStatus ieee80211Frame(int p, String notIp) {
    if (p + 24 > capEnd) {
      return shortHeader("decode.80211.short");
    }
    int fc0 = bytes.u8(p);
    int fc1 = bytes.u8(p + 1);
    int type = (fc0 >>> 2) & 0x3;
    int subtype = fc0 >>> 4;
    if (type != 2 || (subtype & 0x4) != 0) {
      return fail(DecodeStatus.NOT_IP, notIp); // management, control, or data without a body
    }
    if ((fc1 & 0x40) != 0) {
      return fail(DecodeStatus.NOT_IP, "decode.80211.protected");
    }
    int h = 24;
    if ((fc1 & 0x03) == 0x03) {
      h += 6;
    }
    if ((subtype & 0x8) != 0) {
      h += 2;
      if ((fc1 & 0x80) != 0) {
        h += 4;
      }
    }
    if (padded80211) {
      h = (h + 3) & ~3;
    }
    int type2 = snapType(p + h);
    if (type2 == SNAP_SHORT) {
      return shortHeader("decode.llc.short");
    }
    if (type2 == SNAP_OTHER) {
      return fail(DecodeStatus.NOT_IP, "decode.llc.not_snap");
    }
    return etherType(p + h + 8, type2);
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
  public String reason() {
    return reason;
  }

  /**
   * The buffer the views and offsets refer to: the caller's, or its big-endian duplicate (same
   * indices), or after {@link #reassembled()} the defragmenter's buffer.
   */
  public ByteBuffer buffer() {
    return buf;
  }

  /** True when this frame completed a fragmented datagram and was decoded from its reassembly. */
  public boolean reassembled() {
    return reassembled;
  }

  /** True when the last frame was cut by snaplen (captured length below wire length). */
  public boolean snaplenTruncated() {
    return truncated;
  }

  /** 4 or 6 once an IP header was read, 0 otherwise. */
  public int ipVersion() {
    return ipVersion;
  }

  /** Absolute index of the IP header, -1 when none was read. */
  public int ipOffset() {
    return ipOffset;
  }

  /** True when the IPv4 total length was 0 and the wire length stood in for it. */
  public boolean ipLengthInferred() {
    return ipLengthInferred;
  }

  /** Source address, high 64 bits (0 for IPv4, which is stored IPv4-mapped). */
  public long srcHi() {
    return srcHi;
  }

  /** Source address, low 64 bits ({@code 0x0000ffff_aabbccdd} for IPv4 a.b.c.d). */
  public long srcLo() {
    return srcLo;
  }

  public long dstHi() {
    return dstHi;
  }

  public long dstLo() {
    return dstLo;
  }

  public Ipv4View ipv4() {
    return ipv4;
  }

  public Ipv6View ipv6() {
    return ipv6;
  }

  public TcpView tcp() {
    return tcp;
  }

  /** Absolute index into the buffer of the first TCP payload byte. */
  public int payloadOffset() {
    return payloadOffset;
  }

  /** TCP payload bytes present in the capture. */
  public int payloadLength() {
    return payloadLength;
  }

  /** TCP payload bytes per the IP length fields; exceeds {@link #payloadLength()} when cut. */
  public int payloadWireLength() {
    return payloadWireLength;
  }

  /** Levels of encapsulation removed to reach the reported packet (0 when not tunnelled). */
  public int tunnelDepth() {
    return tunnelDepth;
  }

  /** The innermost encapsulation removed, {@link Tunnel#NONE} when not tunnelled. */
  public Tunnel tunnel() {
    return tunnel;
  }

  /** Number of VLAN tags unwrapped. */
  public int vlanCount() {
    return vlanCount;
  }

  /** VLAN id of the outermost tag, -1 when untagged. */
  public int outerVlanId() {
    return outerVlanId;
  }
}
