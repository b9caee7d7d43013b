package io.connscope.decode;

/**
 * Outcome of {@link FrameDecoder#decode}. Only {@link #OK} means a TCP segment was found; every
 * other value names why not, with a stable warning code for {@code io.connscope.common.Warnings}.
 *
 * <p>Truncation and malformation are told apart as Wireshark's tvbuff does with captured versus
 * reported length: {@link #TRUNCATED} is the capture's fault (snaplen cut the frame before the end
 * of a header we need), {@link #MALFORMED} is the packet's (the bytes cannot be a valid packet). A
 * TCP segment whose payload alone was cut by snaplen is {@link #OK}, with {@link
 * FrameDecoder#payloadLength()} smaller than {@link FrameDecoder#payloadWireLength()}.
 */
public enum DecodeStatus {
  /** A TCP segment: every header through TCP is present and consistent. */
  OK(null),
  /** The link layer carries something other than IPv4/IPv6 (ARP, LLDP, 802.3 LLC, MPLS...). */
  NOT_IP("decode.not_ip"),
  /** An IP packet whose transport is not TCP, and not a tunnel carrying TCP (UDP, ICMP, ESP...). */
  NOT_TCP("decode.not_tcp"),
  /**
   * An IP fragment (IPv4 MF/offset, IPv6 fragment header) that did not complete a datagram: held
   * for reassembly, dropped by the reassembly's limits (which count it), or not reassembled at all
   * by a decoder without an {@link IpDefragmenter}.
   */
  IP_FRAGMENT("decode.ip_fragment"),
  /** Snaplen cut the frame before the end of a header needed to reach the TCP payload. */
  TRUNCATED("decode.snaplen_truncated"),
  /** The bytes cannot be a valid packet (bad version, lengths inconsistent with each other...). */
  MALFORMED("decode.malformed"),
  /** A link-layer header type this decoder does not know. */
  UNSUPPORTED_LINK("decode.unsupported_link");

  private final String warningCode;

  DecodeStatus(String warningCode) {
    this.warningCode = warningCode;
  }

  /** Stable dotted warning code for this outcome ({@code null} for {@link #OK}). */
  public String warningCode() {
    return warningCode;
  }
}
