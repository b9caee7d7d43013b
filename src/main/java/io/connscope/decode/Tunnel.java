package io.connscope.decode;

/**
 * Encapsulation the decoder removed to reach the TCP packet it reports (see {@link
 * FrameDecoder#tunnel()}). The addresses and ports a decode reports are always the innermost
 * packet's.
 */
public enum Tunnel {
  /** The TCP packet was not encapsulated. */
  NONE("none"),
  /** IPv4 or IPv6 directly in IP (protocol 4 or 41; 6in4 / RFC 4213, RFC 2003). */
  IP_IN_IP("ip-in-ip"),
  /** GRE (RFC 2784, RFC 2890; version 1 PPTP), also GRE-in-UDP (RFC 8086, port 4754). */
  GRE("gre"),
  /** Cisco ERSPAN type I/II/III inside GRE, carrying Ethernet. */
  ERSPAN("erspan"),
  /** VXLAN (RFC 7348, UDP 4789) and VXLAN-GPE (UDP 4790). */
  VXLAN("vxlan"),
  /** Geneve (RFC 8926, UDP 6081). */
  GENEVE("geneve"),
  /** Teredo (RFC 4380, UDP 3544): IPv6 in UDP. */
  TEREDO("teredo"),
  /** AYIYA (UDP 5072): IPv4/IPv6 in UDP with an identity and signature header. */
  AYIYA("ayiya"),
  /** GTP-U version 1 (3GPP TS 29.281, UDP 2152) G-PDUs. */
  GTP_U("gtp-u");

  private final String label;

  Tunnel(String label) {
    this.label = label;
  }

  /** Short lower-case name for reports ("vxlan", "gtp-u", ...). */
  public String label() {
    return label;
  }
}
