package io.connscope.decode;

import static io.connscope.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.LinkType;
import io.connscope.common.Addresses;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tunnels and the extra link types: the decoder reports the innermost TCP packet. */
class TunnelDecodeTest {
  /** A hand-built frame, the tunnel the decoder should report and whether the inner IP is v6. */
  record Case(String name, int linkType, byte[] frame, Tunnel tunnel, int depth, boolean v6) {}

  private static final byte[] KEY = bytes(0, 0, 0, 7);
  private static final byte[] SEQ = bytes(0, 0, 0, 1);

  /** 802.11 QoS data frame header, ToDS (26 bytes), then LLC/SNAP for {@code etherType}. */
  static byte[] wlanData(int etherType) {
    byte[] h = new byte[26 + 8];
    h[0] = (byte) 0x88; // type 2 (data), subtype 8 (QoS data)
    h[1] = 0x01; // ToDS
    System.arraycopy(bytes(0xAA, 0xAA, 3, 0, 0, 0, etherType >> 8, etherType & 0xFF), 0, h, 26, 8);
    return h;
  }

  static byte[] teredoV6(byte[] tcp) {
    return ipv6(6, v6(0x20010000_4136e378L, 0x8000_63bf_3fff_fdd2L), SERVER6, tcp);
  }

  static List<Case> cases(byte[] t) {
    byte[] v4 = ipv4(t);
    byte[] v6 = ipv6(t);
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "ipip", LinkType.ETHERNET, ether(0x0800, outer4(4, v4)), Tunnel.IP_IN_IP, 1, false));
    c.add(
        new Case(
            "6in4", LinkType.ETHERNET, ether(0x0800, outer4(41, v6)), Tunnel.IP_IN_IP, 1, true));
    c.add(new Case("4in6", LinkType.RAW, ipv6(4, CLIENT6, SERVER6, v4), Tunnel.IP_IN_IP, 1, false));
    c.add(
        new Case(
            "gre-key-ip",
            LinkType.ETHERNET,
            ether(0x0800, outer4(47, gre(0x2000, 0x0800, KEY, v4))),
            Tunnel.GRE,
            1,
            false));
    c.add(
        new Case(
            "gre-csum-teb",
            LinkType.ETHERNET,
            ether(0x0800, outer4(47, gre(0x8000, 0x6558, bytes(0, 0, 0, 0), ether(0x86DD, v6)))),
            Tunnel.GRE,
            1,
            true));
    c.add(
        new Case(
            "erspan2",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    47,
                    gre(
                        0x1000,
                        0x88BE,
                        SEQ,
                        cat(bytes(0x10, 0, 0, 20, 0, 0, 0, 1), ether(0x0800, v4))))),
            Tunnel.ERSPAN,
            1,
            false));
    c.add(
        new Case(
            "erspan1",
            LinkType.ETHERNET,
            ether(0x0800, outer4(47, gre(0, 0x88BE, new byte[0], ether(0x0800, v4)))),
            Tunnel.ERSPAN,
            1,
            false));
    c.add(
        new Case(
            "erspan3-subheader",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    47,
                    gre(
                        0x1000,
                        0x22EB,
                        SEQ,
                        cat(
                            bytes(0x20, 0, 0, 20, 1, 2, 3, 4, 0, 0, 0, 1),
                            new byte[8],
                            ether(0x0800, v4))))),
            Tunnel.ERSPAN,
            1,
            false));
    c.add(
        new Case(
            "pptp",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    47,
                    gre(
                        0x3081,
                        0x880B,
                        cat(KEY, SEQ, SEQ),
                        cat(bytes(0xFF, 0x03, 0x00, 0x21), v4)))),
            Tunnel.GRE,
            1,
            false));
    c.add(
        new Case(
            "gre-aruba",
            LinkType.ETHERNET,
            ether(0x0800, outer4(47, gre(0, 0x8200, new byte[0], cat(wlanData(0x0800), v4)))),
            Tunnel.GRE,
            1,
            false));
    c.add(
        new Case(
            "gre-in-udp",
            LinkType.ETHERNET,
            ether(0x0800, outer4(17, udp(50343, 4754, gre(0, 0x0800, new byte[0], v4)))),
            Tunnel.GRE,
            1,
            false));
    c.add(
        new Case(
            "vxlan",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    17,
                    udp(51000, 4789, cat(bytes(0x08, 0, 0, 0, 0, 0, 42, 0), ether(0x0800, v4))))),
            Tunnel.VXLAN,
            1,
            false));
    c.add(
        new Case(
            "vxlan-gpe-v6",
            LinkType.ETHERNET,
            ether(0x0800, outer4(17, udp(4789, 4790, cat(bytes(0x0C, 0, 0, 2, 0, 0, 42, 0), v6)))),
            Tunnel.VXLAN,
            1,
            true));
    c.add(
        new Case(
            "geneve-options",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    17,
                    udp(
                        51000,
                        6081,
                        cat(
                            bytes(0x02, 0, 0x65, 0x58, 0, 0, 42, 0),
                            new byte[8],
                            ether(0x86DD, v6))))),
            Tunnel.GENEVE,
            1,
            true));
    c.add(
        new Case(
            "teredo-auth-origin",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    17,
                    udp(
                        3544,
                        3797,
                        cat(
                            bytes(0, 1, 2, 1, 0xAB, 0xCD, 0xEF),
                            new byte[9],
                            bytes(0, 0, 0xF1, 0x2B, 0x3F, 0xFF, 0xFF, 0xFE),
                            v6)))),
            Tunnel.TEREDO,
            1,
            true));
    c.add(
        new Case(
            "teredo-any-port",
            LinkType.ETHERNET,
            ether(0x0800, outer4(17, udp(3797, 32900, teredoV6(t)))),
            Tunnel.TEREDO,
            1,
            true));
    byte[] ayiya = new byte[8 + 16 + 20];
    ayiya[0] = 0x41; // identity 2^4 = 16 bytes, type 1
    ayiya[1] = 0x52; // signature 5 words = 20 bytes, SHA-1
    ayiya[2] = 0x21; // auth method 2, opcode 1 (forward)
    ayiya[3] = 41;
    c.add(
        new Case(
            "ayiya",
            LinkType.ETHERNET,
            ether(0x0800, outer4(17, udp(53796, 5072, cat(ayiya, v6)))),
            Tunnel.AYIYA,
            1,
            true));
    // GTPv1 G-PDU with S and E flags, one 4-byte extension header (PDU session container).
    byte[] gtp =
        ByteBuffer.allocate(16)
            .put((byte) 0x36)
            .put((byte) 0xFF)
            .putShort((short) (8 + v4.length))
            .putInt(0x1234)
            .putShort((short) 1)
            .put((byte) 0)
            .put((byte) 0x85)
            .put(bytes(1, 0x10, 0x05, 0))
            .array();
    c.add(
        new Case(
            "gtp-u-ext",
            LinkType.ETHERNET,
            ether(0x0800, outer4(17, udp(2152, 2152, cat(gtp, v4)))),
            Tunnel.GTP_U,
            1,
            false));
    c.add(
        new Case(
            "vxlan-in-erspan",
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    47,
                    gre(
                        0x1000,
                        0x88BE,
                        SEQ,
                        cat(
                            bytes(0x10, 0, 0, 20, 0, 0, 0, 1),
                            ether(
                                0x0800,
                                outer4(
                                    17,
                                    udp(
                                        4789,
                                        4790,
                                        cat(
                                            bytes(0x08, 0, 0, 0, 0, 0, 42, 0),
                                            ether(0x0800, v4))))))))),
            Tunnel.VXLAN,
            2,
            false));
    // NFLOG, TLVs little-endian: a prefix TLV (type 10, padded), then the payload (type 9).
    byte[] nflog =
        cat(
            bytes(2, 0, 0, 0),
            bytes(7, 0, 10, 0, 'a', 'b', 0, 0),
            bytes((4 + v4.length) & 0xFF, (4 + v4.length) >> 8, 9, 0),
            v4);
    c.add(new Case("nflog", LinkType.NFLOG, nflog, Tunnel.NONE, 0, false));
    // Radiotap: TSFT (8, aligned to 8) and flags (0x20: 802.11 header padded to 4 bytes).
    byte[] radiotap = bytes(0, 0, 20, 0, 0x03, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x20, 0, 0, 0);
    byte[] wlan = wlanData(0x0800);
    byte[] paddedWlan =
        cat(
            java.util.Arrays.copyOf(wlan, 26),
            bytes(0, 0),
            java.util.Arrays.copyOfRange(wlan, 26, 34));
    c.add(
        new Case(
            "radiotap",
            LinkType.IEEE802_11_RADIOTAP,
            cat(radiotap, paddedWlan, v4),
            Tunnel.NONE,
            0,
            false));
    c.add(
        new Case(
            "chdlc", LinkType.C_HDLC, cat(bytes(0x0F, 0, 0x08, 0), v4), Tunnel.NONE, 0, false));
    c.add(
        new Case("ppp", LinkType.PPP, cat(bytes(0xFF, 0x03, 0, 0x21), v4), Tunnel.NONE, 0, false));
    c.add(
        new Case(
            "ppp-serial-compressed",
            LinkType.PPP_SERIAL,
            cat(bytes(0x57), v6),
            Tunnel.NONE,
            0,
            true));
    return c;
  }

  /** The cases as mutation / allocation samples. */
  static List<MutationTest.Sample> samples(byte[] tcp) {
    List<MutationTest.Sample> s = new ArrayList<>();
    for (Case c : cases(tcp)) {
      s.add(new MutationTest.Sample(c.name(), c.linkType(), c.frame()));
    }
    return s;
  }

  private final FrameDecoder d = new FrameDecoder();

  private DecodeStatus decode(int link, byte[] frame) {
    return d.decode(place(frame), PAD, info(link, frame.length, frame.length));
  }

  @Test
  void everyCaseReachesTheInnerTcpPacket() {
    byte[] payload = ascii("GET / HTTP/1.1\r\n\r\n");
    for (Case c : cases(tcp(payload))) {
      assertEquals(DecodeStatus.OK, decode(c.linkType(), c.frame()), c.name() + " " + d.reason());
      assertEquals(c.tunnel(), d.tunnel(), c.name());
      assertEquals(c.depth(), d.tunnelDepth(), c.name());
      assertEquals(c.v6() ? 6 : 4, d.ipVersion(), c.name());
      if (c.v6()) {
        long hi = c.name().startsWith("teredo-any") ? 0x20010000_4136e378L : 0x20010db8_00000000L;
        assertEquals(hi, d.srcHi(), c.name());
        assertEquals(ByteBuffer.wrap(SERVER6).getLong(8), d.dstLo(), c.name());
      } else {
        assertEquals(Addresses.ipv4MappedLo(CLIENT), d.srcLo(), c.name());
        assertEquals(Addresses.ipv4MappedLo(SERVER), d.dstLo(), c.name());
      }
      assertEquals(43210, d.tcp().srcPort(), c.name());
      assertEquals(80, d.tcp().dstPort(), c.name());
      assertEquals(payload.length, d.payloadLength(), c.name());
    }
  }

  @Test
  void plainUdpStaysUdpWithOuterAddresses() {
    byte[] dns = ether(0x0800, outer4(17, udp(1920, 53, new byte[30])));
    assertEquals(DecodeStatus.NOT_TCP, decode(LinkType.ETHERNET, dns));
    assertEquals(Tunnel.NONE, d.tunnel());
    assertEquals(Addresses.ipv4MappedLo(0x0A000001), d.srcLo());
  }

  @Test
  void tunnelPortsWithoutTheirHeaderAreNotTunnels() {
    byte[] v4 = ipv4(tcp(ascii("x")));
    // VXLAN without the I flag, GTP-U echo request (type 1), AYIYA opcode 0.
    assertEquals(
        DecodeStatus.NOT_TCP,
        decode(
            LinkType.ETHERNET,
            ether(0x0800, outer4(17, udp(5000, 4789, cat(new byte[8], ether(0x0800, v4)))))));
    assertEquals(
        DecodeStatus.NOT_TCP,
        decode(
            LinkType.ETHERNET,
            ether(
                0x0800,
                outer4(
                    17,
                    udp(2152, 2152, cat(bytes(0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0), v4))))));
    assertEquals(Tunnel.NONE, d.tunnel());
    // An IPv6 packet in UDP on an arbitrary port is Teredo only with a Teredo address.
    assertEquals(
        DecodeStatus.NOT_TCP,
        decode(
            LinkType.ETHERNET, ether(0x0800, outer4(17, udp(3797, 32900, ipv6(tcp(ascii("x"))))))));
    assertEquals(Tunnel.NONE, d.tunnel());
  }

  @Test
  void nestingIsBounded() {
    byte[] p = ipv4(tcp(ascii("x")));
    for (int i = 0; i < FrameDecoder.MAX_TUNNEL_DEPTH; i++) {
      p = outer4(4, p);
    }
    assertEquals(DecodeStatus.OK, decode(LinkType.RAW, p));
    assertEquals(FrameDecoder.MAX_TUNNEL_DEPTH, d.tunnelDepth());
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.RAW, outer4(4, p)));
    assertEquals("decode.tunnel.too_deep", d.reason());
  }

  @Test
  void protectedAndNonDataWirelessFramesAreNotIp() {
    byte[] v4 = ipv4(tcp(ascii("x")));
    byte[] radiotap = bytes(0, 0, 8, 0, 0, 0, 0, 0);
    byte[] wlan = wlanData(0x0800);
    wlan[1] |= 0x40; // Protected Frame
    assertEquals(
        DecodeStatus.NOT_IP, decode(LinkType.IEEE802_11_RADIOTAP, cat(radiotap, wlan, v4)));
    assertEquals("decode.80211.protected", d.reason());
    byte[] beacon = wlanData(0x0800);
    beacon[0] = (byte) 0x80; // management, beacon
    assertEquals(
        DecodeStatus.NOT_IP, decode(LinkType.IEEE802_11_RADIOTAP, cat(radiotap, beacon, v4)));
    byte[] nullData = wlanData(0x0800);
    nullData[0] = (byte) 0xC8; // QoS Null: no body
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.IEEE802_11, cat(nullData, v4)));
  }

  @Test
  void nflogTlvsInEitherByteOrder() {
    byte[] v4 = ipv4(tcp(ascii("x")));
    int len = 4 + v4.length;
    byte[] be =
        cat(
            bytes(2, 0, 0, 0),
            bytes(0, 8, 0, 1, 8, 0, 0, 1),
            bytes(len >> 8, len & 0xFF, 0, 9),
            v4);
    assertEquals(DecodeStatus.OK, decode(LinkType.NFLOG, be));
    assertEquals(
        DecodeStatus.NOT_IP, decode(LinkType.NFLOG, bytes(2, 0, 0, 0, 8, 0, 1, 0, 0, 0, 0, 0)));
    assertEquals("decode.nflog.no_payload", d.reason());
  }
}
