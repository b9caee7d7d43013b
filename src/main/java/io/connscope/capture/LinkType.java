package io.connscope.capture;

/** Link-layer header type numbers (LINKTYPE_* values of the pcap and pcapng formats). */
public final class LinkType {
  private LinkType() {}

  /** BSD loopback: 4-byte address family in the host byte order of the capturing machine. */
  public static final int NULL = 0;
  /** Ethernet II / 802.3, with optional 802.1Q and 802.1ad tags. */
  public static final int ETHERNET = 1;
  /** Raw IP on some BSDs (DLT_RAW = 12). */
  public static final int RAW_BSD = 12;
  /** Raw IP on OpenBSD (DLT_RAW = 14). */
  public static final int RAW_OPENBSD = 14;
  /** Raw IPv4 or IPv6, version taken from the first nibble. */
  public static final int RAW = 101;
  /** OpenBSD loopback: 4-byte address family in network byte order. */
  public static final int LOOP = 108;
  /** Linux cooked capture v1 (16-byte header). */
  public static final int LINUX_SLL = 113;
  /** Raw IPv4. */
  public static final int IPV4 = 228;
  /** Raw IPv6. */
  public static final int IPV6 = 229;
  /** Linux cooked capture v2 (20-byte header). */
  public static final int LINUX_SLL2 = 276;

  /** A short lower-case name for reports ("ethernet", "linux-sll", ... or "linktype-N"). */
  public static String name(int linkType) {
    switch (linkType) {
      case NULL: return "null";
      case ETHERNET: return "ethernet";
      case RAW_BSD:
      case RAW_OPENBSD:
      case RAW: return "raw";
      case LOOP: return "loop";
      case LINUX_SLL: return "linux-sll";
      case IPV4: return "ipv4";
      case IPV6: return "ipv6";
      case LINUX_SLL2: return "linux-sll2";
      default: return "linktype-" + linkType;
    }
  }
}
