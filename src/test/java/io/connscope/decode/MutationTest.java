package io.connscope.decode;

import static io.connscope.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation of hand-built frames: every byte flipped and every prefix cut must decode to some
 * status without throwing, and an OK result must stay inside the captured bytes.
 */
class MutationTest {
  private static final long SEED = 0x5EEDC0DEL;

  /** One sample frame and its link type. */
  record Sample(String name, int linkType, byte[] frame) {}

  static List<Sample> samples() {
    byte[] hello = ascii("GET / HTTP/1.1\r\n\r\n");
    byte[] synOpts = bytes(2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7);
    byte[] sack = bytes(1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4);
    byte[] t = tcp(hello);
    byte[] v4 = ipv4(t);
    byte[] v6 = ipv6(t);
    List<Sample> s = new ArrayList<>();
    s.add(new Sample("ether-v4", LinkType.ETHERNET, ether(0x0800, v4)));
    s.add(
        new Sample(
            "ether-v4-syn",
            LinkType.ETHERNET,
            ether(0x0800, ipv4(tcp(1, 2, 3, 0, TcpView.SYN, synOpts, new byte[0])))));
    s.add(
        new Sample(
            "ether-v4-sack",
            LinkType.ETHERNET,
            ether(
                0x0800,
                ipv4(
                    6,
                    CLIENT,
                    SERVER,
                    bytes(1, 1, 1, 0),
                    0,
                    tcp(1, 2, 3, 4, TcpView.ACK, sack, hello)))));
    s.add(
        new Sample(
            "qinq-v6",
            LinkType.ETHERNET,
            etherTagged(new int[] {0x88A8, 5, 0x8100, 6}, 0x86DD, v6)));
    s.add(
        new Sample(
            "v6-ext",
            LinkType.RAW,
            ipv6(
                0,
                CLIENT6,
                SERVER6,
                cat(ext(60, 8), ext(43, 24), ext(51, 16), ah(44, 12), fragment(6, 0, false), t))));
    s.add(
        new Sample(
            "v6-frag", LinkType.RAW, ipv6(44, CLIENT6, SERVER6, cat(fragment(6, 3, true), t))));
    s.add(
        new Sample(
            "snap",
            LinkType.ETHERNET,
            ether(8 + v4.length, cat(bytes(0xAA, 0xAA, 3, 0, 0, 0, 8, 0), v4))));
    s.add(
        new Sample(
            "mpls", LinkType.ETHERNET, ether(0x8847, cat(bytes(0, 1, 0, 64, 0, 2, 1, 64), v4))));
    s.add(
        new Sample(
            "pppoe",
            LinkType.ETHERNET,
            ether(0x8864, cat(bytes(0x11, 0, 0, 1, 0, v6.length + 2, 0, 0x57), v6))));
    s.add(new Sample("sll", LinkType.LINUX_SLL, sll(0x0800, v4)));
    s.add(new Sample("sll2", LinkType.LINUX_SLL2, sll2(0x86DD, v6)));
    s.add(new Sample("null-le", LinkType.NULL, nullLink(30, true, v6)));
    s.add(new Sample("null-be", LinkType.NULL, nullLink(2, false, v4)));
    s.add(new Sample("loop", LinkType.LOOP, nullLink(24, false, v6)));
    s.add(new Sample("ipv4", LinkType.IPV4, v4));
    s.add(new Sample("ipv6", LinkType.IPV6, v6));
    s.addAll(TunnelDecodeTest.samples(t));
    return s;
  }

  private final FrameDecoder d = new FrameDecoder();

  private DecodeStatus decodeChecked(ByteBuffer b, CaptureInfo info, String what) {
    DecodeStatus s = d.decode(b, PAD, info);
    assertNotNull(s, what);
    if (s == DecodeStatus.OK) {
      int capEnd = PAD + Math.min(info.capturedLength, b.limit() - PAD);
      assertTrue(d.payloadOffset() >= PAD, what);
      assertTrue(d.payloadLength() >= 0, what);
      assertTrue(d.payloadOffset() + d.payloadLength() <= capEnd, what);
      assertTrue(d.payloadLength() <= d.payloadWireLength(), what);
      assertTrue(d.tcp().offset() + d.tcp().headerLength() <= capEnd, what);
      TcpView t = d.tcp().parseOptions();
      assertTrue(t.sackBlockCount() >= 0 && t.sackBlockCount() <= TcpView.MAX_SACK_BLOCKS, what);
    } else {
      assertNotNull(d.reason(), what);
    }
    return s;
  }

  @Test
  void everySampleDecodesOkUnmutated() {
    for (Sample s : samples()) {
      ByteBuffer b = place(s.frame());
      DecodeStatus expected =
          s.name().equals("v6-frag") ? DecodeStatus.IP_FRAGMENT : DecodeStatus.OK;
      assertEquals(
          expected,
          decodeChecked(b, info(s.linkType(), s.frame().length, s.frame().length), s.name()),
          s.name());
    }
  }

  @Test
  void flippedBytesNeverThrow() {
    Random rnd = new Random(SEED);
    int outcomes = 0;
    for (Sample s : samples()) {
      byte[] f = s.frame();
      for (int pos = 0; pos < f.length; pos++) {
        for (int k = 0; k < 4; k++) {
          byte[] m = f.clone();
          m[pos] = (byte) (k == 0 ? m[pos] ^ 0xFF : k == 1 ? 0 : rnd.nextInt(256));
          int wire = rnd.nextBoolean() ? m.length : m.length + rnd.nextInt(3000);
          String what = s.name() + " pos " + pos + " k " + k;
          decodeChecked(place(m), info(s.linkType(), m.length, wire), what);
          outcomes++;
        }
      }
    }
    assertTrue(outcomes > 1000);
  }

  @Test
  void everyCutNeverThrowsAndHeaderCutsAreTruncated() {
    for (Sample s : samples()) {
      byte[] f = s.frame();
      for (int cut = 0; cut <= f.length; cut++) {
        String what = s.name() + " cut " + cut;
        ByteBuffer b = place(java.util.Arrays.copyOf(f, cut));
        DecodeStatus snap = decodeChecked(b, info(s.linkType(), cut, f.length), what);
        // Teredo off its port is recognised by content: once cut, it is plain UDP.
        boolean byContent = s.name().equals("teredo-any-port") && snap == DecodeStatus.NOT_TCP;
        assertTrue(
            snap == DecodeStatus.OK
                || snap == DecodeStatus.TRUNCATED
                || snap == DecodeStatus.IP_FRAGMENT
                || byContent,
            what + " -> " + snap);
        DecodeStatus asIs = decodeChecked(b, info(s.linkType(), cut, cut), what);
        assertNotEquals(DecodeStatus.TRUNCATED, asIs, what + " (not snaplen-cut)");
      }
    }
  }

  @Test
  void randomMultiByteMutationsNeverThrow() {
    Random rnd = new Random(SEED + 1);
    List<Sample> samples = samples();
    for (int i = 0; i < 20_000; i++) {
      Sample s = samples.get(rnd.nextInt(samples.size()));
      byte[] m = s.frame().clone();
      for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
        m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
      }
      int captured = rnd.nextInt(m.length + 1);
      int wire = rnd.nextInt(4) == 0 ? rnd.nextInt(m.length + 1) : m.length;
      int link = rnd.nextInt(8) == 0 ? rnd.nextInt(300) : s.linkType();
      decodeChecked(
          place(java.util.Arrays.copyOf(m, captured)),
          info(link, captured, wire),
          s.name() + " #" + i);
    }
  }
}
