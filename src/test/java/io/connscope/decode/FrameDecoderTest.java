package io.connscope.decode;

import static io.connscope.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import io.connscope.common.Addresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private final FrameDecoder d = new FrameDecoder();
  private ByteBuffer last;

  private DecodeStatus decode(int link, byte[] frame) {
    return decode(link, frame, frame.length, frame.length);
  }

  /** Decodes the first {@code captured} bytes of {@code frame}, placed at offset PAD. */
  private DecodeStatus decode(int link, byte[] frame, int captured, int wire) {
    last = place(Arrays.copyOf(frame, captured));
    return d.decode(last, PAD, info(link, captured, wire));
  }

  private String payload() {
    byte[] out = new byte[d.payloadLength()];
    last.get(d.payloadOffset(), out);
    return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static final byte[] HELLO = ascii("hello");

  @Test
  void ethernetIpv4Tcp() {
    byte[] f =
        ether(
            0x0800,
            ipv4(
                tcp(
                    43210,
                    80,
                    0xFFFFFFF0L,
                    0x80000001L,
                    TcpView.ACK | TcpView.PSH,
                    new byte[0],
                    HELLO)));
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f));
    assertNull(d.reason());
    assertEquals(4, d.ipVersion());
    assertEquals(PAD + 14, d.ipOffset());
    assertEquals(0, d.srcHi());
    assertEquals(0x0000ffffC0000201L, d.srcLo());
    assertEquals(0x0000ffffC6336407L, d.dstLo());
    assertEquals("192.0.2.1", Addresses.format(d.srcHi(), d.srcLo()));
    assertEquals(SERVER, d.ipv4().dst());
    assertEquals(64, d.ipv4().ttl());
    assertEquals(0x1234, d.ipv4().identification());
    assertTrue(d.ipv4().dontFragment());
    TcpView t = d.tcp();
    assertEquals(43210, t.srcPort());
    assertEquals(80, t.dstPort());
    assertEquals(0xFFFFFFF0L, t.seq());
    assertEquals(0x80000001L, t.ack());
    assertEquals(5, t.dataOffset());
    assertEquals(20, t.headerLength());
    assertEquals(0x18, t.flags());
    assertTrue(t.ackFlag() && t.psh());
    assertFalse(t.syn() || t.fin() || t.rst() || t.urg());
    assertEquals(65535, t.window());
    assertEquals(0xBEEF, t.checksum());
    assertEquals(PAD + 54, d.payloadOffset());
    assertEquals(5, d.payloadLength());
    assertEquals(5, d.payloadWireLength());
    assertEquals("hello", payload());
    assertEquals(0, d.vlanCount());
    assertEquals(-1, d.outerVlanId());
    assertFalse(d.snaplenTruncated());
  }

  @Test
  void ethernetPaddingAfterIpPacketIsIgnored() {
    byte[] f = Arrays.copyOf(ether(0x0800, ipv4(tcp(new byte[0]))), 60);
    Arrays.fill(f, 54, 60, (byte) 'x');
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f));
    assertEquals(0, d.payloadLength());
    assertEquals(0, d.payloadWireLength());
  }

  @Test
  void vlanAndQinqTagsAreUnwrapped() {
    byte[] ip = ipv4(tcp(HELLO));
    assertEquals(
        DecodeStatus.OK,
        decode(LinkType.ETHERNET, etherTagged(new int[] {0x8100, 100}, 0x0800, ip)));
    assertEquals(1, d.vlanCount());
    assertEquals(100, d.outerVlanId());
    assertEquals(PAD + 18 + 40, d.payloadOffset());

    assertEquals(
        DecodeStatus.OK,
        decode(
            LinkType.ETHERNET,
            etherTagged(new int[] {0x88A8, 10, 0x8100, 20}, 0x86DD, ipv6(tcp(HELLO)))));
    assertEquals(2, d.vlanCount());
    assertEquals(10, d.outerVlanId());
    assertEquals(6, d.ipVersion());
    assertEquals("hello", payload());

    assertEquals(
        DecodeStatus.OK,
        decode(
            LinkType.ETHERNET,
            etherTagged(new int[] {0x9100, 4094, 0x8100, 1, 0x8100, 2, 0x8100, 3}, 0x0800, ip)));
    assertEquals(4, d.vlanCount());
    assertEquals(4094, d.outerVlanId());
    assertEquals("hello", payload());

    assertEquals(
        DecodeStatus.MALFORMED,
        decode(
            LinkType.ETHERNET,
            etherTagged(
                new int[] {0x8100, 1, 0x8100, 2, 0x8100, 3, 0x8100, 4, 0x8100, 5}, 0x0800, ip)));
    assertEquals("decode.vlan.too_many_tags", d.reason());
  }

  @Test
  void nonIpEthernetIsNotIp() {
    byte[] arp = new byte[28];
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.ETHERNET, ether(0x0806, arp)));
    assertEquals(0, d.ipVersion());
    assertEquals(
        DecodeStatus.NOT_IP,
        decode(LinkType.ETHERNET, etherTagged(new int[] {0x8100, 7}, 0x0806, arp)));
    assertEquals(7, d.outerVlanId());
    // 802.3 length field instead of an EtherType (LLC frames such as STP)
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.ETHERNET, ether(38, new byte[38])));
  }

  @Test
  void llcSnapMplsAndPppoeReachIp() {
    byte[] ip = ipv4(tcp(HELLO));
    byte[] snap = cat(bytes(0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00), ip);
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, ether(snap.length, snap)));
    assertEquals(PAD + 14 + 8 + 40, d.payloadOffset());
    byte[] llcNotSnap = cat(bytes(0x42, 0x42, 0x03, 0, 0, 0, 0x08, 0x00), ip);
    assertEquals(
        DecodeStatus.NOT_IP, decode(LinkType.ETHERNET, ether(llcNotSnap.length, llcNotSnap)));

    // two labels, the second with bottom-of-stack set
    byte[] mpls = cat(bytes(0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40), ipv6(tcp(HELLO)));
    assertEquals(
        DecodeStatus.OK,
        decode(LinkType.ETHERNET, etherTagged(new int[] {0x8100, 9}, 0x8847, mpls)));
    assertEquals(6, d.ipVersion());
    assertEquals(PAD + 18 + 8 + 60, d.payloadOffset());
    byte[] pseudowire = cat(bytes(0x00, 0x01, 0x01, 0x40, 0, 0, 0, 0), new byte[60]);
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.ETHERNET, ether(0x8847, pseudowire)));
    byte[] endless = new byte[4 * 12];
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, ether(0x8847, endless)));

    byte[] pppoe = cat(bytes(0x11, 0x00, 0x12, 0x34, 0, ip.length + 2, 0x00, 0x21), ip);
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, ether(0x8864, pppoe)));
    assertEquals(PAD + 14 + 8 + 40, d.payloadOffset());
    assertEquals("hello", payload());
    byte[] compressed = cat(bytes(0x11, 0x00, 0x12, 0x34, 0, ip.length + 1, 0x21), ip);
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, ether(0x8864, compressed)));
    assertEquals(PAD + 14 + 7 + 40, d.payloadOffset());
    byte[] lcp = cat(bytes(0x11, 0x00, 0x12, 0x34, 0, 6, 0xC0, 0x21), new byte[4]);
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.ETHERNET, ether(0x8864, lcp)));
  }

  @Test
  void linuxCookedV1AndV2() {
    assertEquals(DecodeStatus.OK, decode(LinkType.LINUX_SLL, sll(0x0800, ipv4(tcp(HELLO)))));
    assertEquals(PAD + 16 + 40, d.payloadOffset());
    assertEquals("hello", payload());
    assertEquals(DecodeStatus.OK, decode(LinkType.LINUX_SLL2, sll2(0x86DD, ipv6(tcp(HELLO)))));
    assertEquals(PAD + 20 + 60, d.payloadOffset());
    assertEquals(6, d.ipVersion());
    assertEquals(
        DecodeStatus.OK,
        decode(LinkType.LINUX_SLL, sll(0x8100, cat(bytes(0, 42, 0x08, 0x00), ipv4(tcp(HELLO))))));
    assertEquals(42, d.outerVlanId());
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.LINUX_SLL, sll(0x0806, new byte[28])));
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.LINUX_SLL2, sll2(0x0004, new byte[28])));
  }

  @Test
  void nullLinkAcceptsBothByteOrdersAndEveryIpv6Family() {
    byte[] v4 = ipv4(tcp(HELLO));
    byte[] v6 = ipv6(tcp(HELLO));
    for (boolean le : new boolean[] {true, false}) {
      assertEquals(DecodeStatus.OK, decode(LinkType.NULL, nullLink(2, le, v4)), "le=" + le);
      assertEquals(4, d.ipVersion());
      assertEquals("hello", payload());
      for (int family : new int[] {10, 24, 28, 30}) {
        assertEquals(
            DecodeStatus.OK,
            decode(LinkType.NULL, nullLink(family, le, v6)),
            "family " + family + " le=" + le);
        assertEquals(6, d.ipVersion());
        assertEquals(PAD + 4 + 60, d.payloadOffset());
      }
      assertEquals(DecodeStatus.NOT_IP, decode(LinkType.NULL, nullLink(7, le, v4)));
    }
  }

  @Test
  void loopIsNetworkOrderOnly() {
    byte[] v6 = ipv6(tcp(HELLO));
    assertEquals(DecodeStatus.OK, decode(LinkType.LOOP, nullLink(24, false, v6)));
    assertEquals(DecodeStatus.OK, decode(LinkType.LOOP, nullLink(2, false, ipv4(tcp(HELLO)))));
    assertEquals(DecodeStatus.NOT_IP, decode(LinkType.LOOP, nullLink(24, true, v6)));
  }

  @Test
  void rawIpLinkTypes() {
    byte[] v4 = ipv4(tcp(HELLO));
    byte[] v6 = ipv6(tcp(HELLO));
    for (int link : new int[] {LinkType.RAW, LinkType.RAW_BSD, LinkType.RAW_OPENBSD}) {
      assertEquals(DecodeStatus.OK, decode(link, v4));
      assertEquals(4, d.ipVersion());
      assertEquals(PAD + 40, d.payloadOffset());
      assertEquals(DecodeStatus.OK, decode(link, v6));
      assertEquals(6, d.ipVersion());
      byte[] bad = v4.clone();
      bad[0] = 0x55;
      assertEquals(DecodeStatus.MALFORMED, decode(link, bad));
    }
    assertEquals(DecodeStatus.OK, decode(LinkType.IPV4, v4));
    assertEquals(DecodeStatus.OK, decode(LinkType.IPV6, v6));
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.IPV4, v6));
    assertEquals("decode.ipv4.bad_version", d.reason());
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.IPV6, v4));
    assertEquals(DecodeStatus.UNSUPPORTED_LINK, decode(147, v4)); // USER0
    assertEquals(DecodeStatus.UNSUPPORTED_LINK, decode(195, v4)); // IEEE 802.15.4
  }

  @Test
  void ipv4OptionsAreSkippedThroughIhl() {
    byte[] options = bytes(0x01, 0x01, 0x83, 0x07, 0x04, 0, 0, 0, 0, 0); // NOP NOP LSRR
    byte[] f = ether(0x0800, ipv4(6, CLIENT, SERVER, options, 0, tcp(HELLO)));
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f));
    assertEquals(8, d.ipv4().ihl());
    assertEquals(32, d.ipv4().headerLength());
    assertEquals(PAD + 14 + 32, d.tcp().offset());
    assertEquals("hello", payload());
  }

  @Test
  void ipv4FragmentsAreNotReassembled() {
    byte[] mf = ipv4(6, CLIENT, SERVER, new byte[0], 0x2000, tcp(HELLO));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(LinkType.RAW, mf));
    assertTrue(d.ipv4().moreFragments());
    assertEquals(0, d.ipv4().fragmentOffset());
    assertEquals(0x0000ffffC0000201L, d.srcLo(), "addresses are set for fragments");
    byte[] later = ipv4(6, CLIENT, SERVER, new byte[0], 185, HELLO);
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(LinkType.RAW, later));
    assertEquals(185, d.ipv4().fragmentOffset());
    assertFalse(d.ipv4().moreFragments());
  }

  @Test
  void nonTcpTransportsAreNotTcp() {
    assertEquals(
        DecodeStatus.NOT_TCP,
        decode(LinkType.RAW, ipv4(17, CLIENT, SERVER, new byte[0], 0, new byte[12])));
    assertEquals(17, d.ipv4().protocol());
    assertEquals(4, d.ipVersion());
    assertEquals(
        DecodeStatus.NOT_TCP, decode(LinkType.RAW, ipv6(58, CLIENT6, SERVER6, new byte[8])));
    assertEquals(58, d.ipv6().upperProtocol());
    assertEquals("2001:db8::1", Addresses.format(d.srcHi(), d.srcLo()));
    assertEquals(
        DecodeStatus.NOT_TCP, decode(LinkType.RAW, ipv6(50, CLIENT6, SERVER6, new byte[16])));
    assertEquals(
        DecodeStatus.NOT_TCP, decode(LinkType.RAW, ipv6(59, CLIENT6, SERVER6, new byte[0])));
    assertEquals(
        DecodeStatus.NOT_TCP,
        decode(LinkType.RAW, ipv6(60, CLIENT6, SERVER6, cat(ext(59, 8), new byte[8]))));
  }

  @Test
  void ipv6ExtensionHeadersBeforeTcp() {
    // hop-by-hop -> destination options -> routing -> AH -> mobility -> TCP
    byte[] body = cat(ext(60, 8), ext(43, 24), ext(51, 24), ah(135, 20), ext(6, 16), tcp(HELLO));
    assertEquals(DecodeStatus.OK, decode(LinkType.RAW, ipv6(0, CLIENT6, SERVER6, body)));
    Ipv6View v = d.ipv6();
    assertEquals(5, v.extensionHeaderCount());
    assertEquals(6, v.upperProtocol());
    assertEquals(PAD + 40 + 8 + 24 + 24 + 20 + 16, v.upperOffset());
    assertEquals(v.upperOffset(), d.tcp().offset());
    assertEquals("hello", payload());
    assertEquals(5, d.payloadWireLength());
    assertEquals(0x12345, v.flowLabel());
    assertEquals(64, v.hopLimit());
    assertEquals(0, v.nextHeader());
    assertEquals(0x20010db800000000L, d.dstHi());
    assertEquals(0x80, d.dstLo());
  }

  @Test
  void ipv6FragmentHeader() {
    byte[] t = tcp(HELLO);
    assertEquals(
        DecodeStatus.IP_FRAGMENT,
        decode(LinkType.RAW, ipv6(44, CLIENT6, SERVER6, cat(fragment(6, 0, true), t))),
        "first fragment");
    assertEquals(
        DecodeStatus.IP_FRAGMENT,
        decode(LinkType.RAW, ipv6(44, CLIENT6, SERVER6, cat(fragment(6, 100, false), t))),
        "last fragment");
    assertEquals(
        DecodeStatus.OK,
        decode(LinkType.RAW, ipv6(44, CLIENT6, SERVER6, cat(fragment(6, 0, false), t))),
        "atomic fragment (RFC 6946)");
    assertEquals("hello", payload());
  }

  @Test
  void ipv6ExtensionChainIsBounded() {
    byte[] body = tcp(HELLO);
    for (int i = 0; i < Ipv6View.MAX_EXTENSION_HEADERS; i++) {
      body = cat(ext(i == 0 ? 6 : 60, 8), body);
    }
    assertEquals(DecodeStatus.OK, decode(LinkType.RAW, ipv6(60, CLIENT6, SERVER6, body)));
    assertEquals(Ipv6View.MAX_EXTENSION_HEADERS, d.ipv6().extensionHeaderCount());
    body = cat(ext(60, 8), body);
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.RAW, ipv6(60, CLIENT6, SERVER6, body)));
    assertEquals("decode.ipv6.too_many_extension_headers", d.reason());
  }

  @Test
  void ipv6JumbogramIsMalformed() {
    byte[] f = ipv6(0, CLIENT6, SERVER6, cat(bytes(6, 0, 0xC2, 4, 0, 1, 0, 0), tcp(HELLO)));
    f[4] = 0;
    f[5] = 0;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.RAW, f));
    assertEquals("decode.ipv6.jumbogram", d.reason());
  }

  @Test
  void snaplenCutInsideAHeaderIsTruncated() {
    byte[] f =
        ether(
            0x0800,
            ipv4(
                6,
                CLIENT,
                SERVER,
                new byte[8],
                0,
                tcp(1, 2, 3, 4, TcpView.SYN, bytes(2, 4, 5, 0xb4), ascii("0123456789"))));
    int wire = f.length; // 14 + 28 + 24 + 10
    int[] headerCuts = {0, 5, 13, 14, 20, 33, 41, 42, 50, 61, 62, 65};
    for (int cut : headerCuts) {
      assertEquals(DecodeStatus.TRUNCATED, decode(LinkType.ETHERNET, f, cut, wire), "cut " + cut);
      assertTrue(d.snaplenTruncated());
      assertEquals(
          DecodeStatus.MALFORMED,
          decode(LinkType.ETHERNET, f, cut, cut),
          "same bytes, not snaplen-cut: cut " + cut);
    }
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f, 66, wire), "header complete");
    assertEquals(0, d.payloadLength());
    assertEquals(10, d.payloadWireLength());
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f, 69, wire));
    assertEquals(3, d.payloadLength());
    assertEquals(10, d.payloadWireLength());
    assertEquals("012", payload());
    assertEquals(1460, d.tcp().parseOptions().mss());
  }

  @Test
  void snaplenCutInIpv6ExtensionHeaderIsTruncated() {
    byte[] f = ipv6(0, CLIENT6, SERVER6, cat(ext(60, 16), ext(6, 8), tcp(HELLO)));
    for (int cut : new int[] {39, 40, 41, 55, 57, 70}) {
      assertEquals(DecodeStatus.TRUNCATED, decode(LinkType.RAW, f, cut, f.length), "cut " + cut);
    }
    assertEquals(DecodeStatus.OK, decode(LinkType.RAW, f, 84, f.length));
    assertEquals(0, d.payloadLength());
    assertEquals(5, d.payloadWireLength());
  }

  @Test
  void inconsistentLengthsAreMalformed() {
    byte[] good = ether(0x0800, ipv4(tcp(HELLO)));

    byte[] ihl3 = good.clone();
    ihl3[14] = 0x43;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, ihl3));
    assertEquals("decode.ipv4.bad_ihl", d.reason());

    byte[] dataOffset4 = good.clone();
    dataOffset4[14 + 20 + 12] = 0x40;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, dataOffset4));
    assertEquals("decode.tcp.bad_data_offset", d.reason());

    byte[] totalBelowHeader = good.clone();
    totalBelowHeader[14 + 3] = 19;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, totalBelowHeader));
    assertEquals("decode.ipv4.total_length_below_header", d.reason());

    byte[] totalBelowTcp = good.clone();
    totalBelowTcp[14 + 3] = 30;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, totalBelowTcp));
    assertEquals("decode.tcp.segment_below_header", d.reason());

    byte[] totalBeyondFrame = good.clone();
    totalBeyondFrame[14 + 3] = 46;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, totalBeyondFrame));
    assertEquals("decode.ipv4.total_length_beyond_frame", d.reason());
    // The same packet cut by snaplen but claiming more than the wire length is still malformed.
    assertEquals(
        DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, totalBeyondFrame, 50, good.length));

    byte[] dataOffsetBeyondSegment = good.clone();
    dataOffsetBeyondSegment[14 + 20 + 12] = (byte) 0xF0; // 60-byte header in a 25-byte segment
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, dataOffsetBeyondSegment));
    assertEquals("decode.tcp.data_offset_beyond_segment", d.reason());

    byte[] badVersion = good.clone();
    badVersion[14] = 0x65;
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.ETHERNET, badVersion));

    byte[] v6 = ipv6(tcp(HELLO));
    v6[5] = 26; // payload length beyond the frame
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.RAW, v6));
    assertEquals("decode.ipv6.payload_length_beyond_frame", d.reason());
    byte[] extBeyond = ipv6(60, CLIENT6, SERVER6, cat(ext(6, 8), tcp(HELLO)));
    extBeyond[40 + 1] = 10; // 88-byte extension header in a 33-byte payload
    assertEquals(DecodeStatus.MALFORMED, decode(LinkType.RAW, extBeyond));
  }

  @Test
  void ipv4TotalLengthZeroIsTakenFromTheWire() {
    byte[] f = ether(0x0800, ipv4(tcp(HELLO)));
    f[14 + 2] = 0;
    f[14 + 3] = 0;
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f));
    assertTrue(d.ipLengthInferred());
    assertEquals(5, d.payloadWireLength());
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f, 56, 2000));
    assertEquals(2, d.payloadLength());
    assertEquals(2000 - 54, d.payloadWireLength());
  }

  @Test
  void hugeWireLengthDoesNotOverflow() {
    byte[] f = ether(0x0800, ipv4(tcp(HELLO)));
    assertEquals(DecodeStatus.OK, decode(LinkType.ETHERNET, f, f.length, Integer.MAX_VALUE));
    assertEquals(5, d.payloadLength());
    byte[] v6 = ipv6(tcp(HELLO));
    assertEquals(DecodeStatus.OK, decode(LinkType.RAW, v6, v6.length, Integer.MAX_VALUE));
    assertEquals(DecodeStatus.OK, decode(LinkType.RAW, v6, v6.length, -1), "bogus wire length");
  }

  @Test
  void littleEndianBufferDecodesTheSame() {
    byte[] f = ether(0x0800, ipv4(tcp(1, 443, 0x01020304L, 7, TcpView.SYN, new byte[0], HELLO)));
    ByteBuffer b = place(f).order(ByteOrder.LITTLE_ENDIAN);
    CaptureInfo info = info(LinkType.ETHERNET, f.length, f.length);
    for (int round = 0; round < 2; round++) {
      assertEquals(DecodeStatus.OK, d.decode(b, PAD, info));
      assertEquals(443, d.tcp().dstPort());
      assertEquals(0x01020304L, d.tcp().seq());
      assertEquals(0x0000ffffC0000201L, d.srcLo());
      assertEquals(PAD + 54, d.payloadOffset());
    }
    assertEquals(ByteOrder.LITTLE_ENDIAN, b.order(), "the caller's buffer is left alone");
  }

  @Test
  void bufferLimitBoundsTheFrame() {
    byte[] f = ether(0x0800, ipv4(tcp(HELLO)));
    ByteBuffer b = place(f);
    b.limit(PAD + 30); // a record cut short by the end of a file: bytes missing from the capture
    assertEquals(
        DecodeStatus.TRUNCATED, d.decode(b, PAD, info(LinkType.ETHERNET, f.length, f.length)));
    assertEquals("decode.ipv4.short", d.reason());
    assertEquals(DecodeStatus.MALFORMED, d.decode(b, b.limit() + 1, info(LinkType.ETHERNET, 4, 4)));
    assertEquals(DecodeStatus.MALFORMED, d.decode(b, -1, info(LinkType.ETHERNET, 4, 4)));
  }
}
