package io.connscope.capture;

/** Link-layer header type numbers (LINKTYPE_* values of the pcap and pcapng formats). */
public final class LinkType {
  private LinkType() {}

  /** BSD loopback: 4-byte address family in the host byte order of the capturing machine. */
  public static final int NULL = 0;

  /** Ethernet II / 802.3, with optional 802.1Q and 802.1ad tags. */
  public static final int ETHERNET = 1;

  /** PPP, with or without the HDLC-like address and control bytes (RFC 1662). */
  public static final int PPP = 9;

  /** Raw IP on some BSDs (DLT_RAW = 12). */
  public static final int RAW_BSD = 12;

  /** Raw IP on OpenBSD (DLT_RAW = 14). */
  public static final int RAW_OPENBSD = 14;

  /** PPP in HDLC-like framing (RFC 1662), as on serial links. */
  public static final int PPP_SERIAL = 50;

  /** Raw IPv4 or IPv6, version taken from the first nibble. */
  public static final int RAW = 101;

  /** Cisco HDLC: address, control and an EtherType before the packet. */
  public static final int C_HDLC = 104;

  /** IEEE 802.11 MAC frames without a radio header. */
  public static final int IEEE802_11 = 105;

  /** OpenBSD loopback: 4-byte address family in network byte order. */
  public static final int LOOP = 108;

  /** Linux cooked capture v1 (16-byte header). */
  public static final int LINUX_SLL = 113;

  /** IEEE 802.11 frames after a radiotap header. */
  public static final int IEEE802_11_RADIOTAP = 127;

  /** Raw IPv4. */
  public static final int IPV4 = 228;

  /** Raw IPv6. */
  public static final int IPV6 = 229;

  /** Linux netfilter NFLOG: a 4-byte header, then TLVs, one of which holds the packet. */
  public static final int NFLOG = 239;

  /** Linux cooked capture v2 (20-byte header). */
  public static final int LINUX_SLL2 = 276;

  /** A short lower-case name for reports ("ethernet", "linux-sll", ... or "linktype-N"). */
  public static String name(int linkType) {
    switch (linkType) {
      case NULL:
        return "null";
      case ETHERNET:
        return "ethernet";
      case RAW_BSD:
      case RAW_OPENBSD:
      case RAW:
        return "raw";
      case LOOP:
        return "loop";
      case LINUX_SLL:
        return "linux-sll";
      case IPV4:
        return "ipv4";
      case IPV6:
        return "ipv6";
      case LINUX_SLL2:
        return "linux-sll2";
      case PPP:
        return "ppp";
      case PPP_SERIAL:
        return "ppp-serial";
      case C_HDLC:
        return "cisco-hdlc";
      case IEEE802_11:
        return "ieee802.11";
      case IEEE802_11_RADIOTAP:
        return "ieee802.11-radiotap";
      case NFLOG:
        return "nflog";
      default:
        return "linktype-" + linkType;
    }
  }
}
