package io.connscope.decode;

import static io.connscope.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** IPv4 and IPv6 fragment reassembly through a {@link FrameDecoder} with an IpDefragmenter. */
class IpDefragmenterTest {
  private static final long SECOND = 1_000_000_000L;

  private final Warnings warnings = new Warnings();
  private FrameDecoder d = new FrameDecoder(new IpDefragmenter(warnings));
  private long frame;

  /** A TCP segment whose payload is 100 bytes of a recognisable pattern. */
  private static final byte[] PAYLOAD = pattern(100);

  private static final byte[] SEGMENT = tcp(PAYLOAD); // 120 bytes

  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('A' + i % 26);
    }
    return b;
  }

  /** An IPv4 fragment carrying {@code seg[off, off + len)}, identification {@code id}. */
  static byte[] frag4(int id, byte[] seg, int off, int len, boolean more) {
    byte[] ip =
        ipv4(
            6,
            CLIENT,
            SERVER,
            new byte[0],
            (more ? 0x2000 : 0) | off / 8,
            Arrays.copyOfRange(seg, off, off + len));
    ip[4] = (byte) (id >>> 8);
    ip[5] = (byte) id;
    return ip;
  }

  /** An IPv6 fragment with a destination-options header before the Fragment header. */
  static byte[] frag6(byte[] seg, int off, int len, boolean more) {
    return ipv6(
        60,
        CLIENT6,
        SERVER6,
        cat(ext(44, 8), fragment(6, off / 8, more), Arrays.copyOfRange(seg, off, off + len)));
  }

  private DecodeStatus decode(byte[] ipPacket, long tsNanos) {
    byte[] f = ether(ipPacket[0] >>> 4 == 6 ? 0x86DD : 0x0800, ipPacket);
    CaptureInfo info = info(LinkType.ETHERNET, f.length, f.length);
    info.frameNumber = ++frame;
    info.timestampNanos = tsNanos;
    return d.decode(place(f), PAD, info);
  }

  private DecodeStatus decode(byte[] ipPacket) {
    return decode(ipPacket, 0);
  }

  private byte[] payload() {
    byte[] out = new byte[d.payloadLength()];
    d.buffer().get(d.payloadOffset(), out);
    return out;
  }

  @Test
  void ipv4InOrder() {
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(7, SEGMENT, 0, 48, true)));
    assertEquals("decode.fragment.held", d.reason());
    assertFalse(d.reassembled());
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(7, SEGMENT, 48, 48, true)));
    assertEquals(DecodeStatus.OK, decode(frag4(7, SEGMENT, 96, 24, false)));
    assertTrue(d.reassembled());
    assertArrayEquals(PAYLOAD, payload());
    assertEquals(43210, d.tcp().srcPort());
    assertEquals(80, d.tcp().dstPort());
    assertEquals(1000, d.tcp().seq());
    assertEquals(0x0000ffffC0000201L, d.srcLo());
    assertEquals(20 + 120, d.ipv4().totalLength());
    assertFalse(d.ipv4().isFragment());
    assertEquals(100, d.payloadWireLength());
    assertTrue(warnings.isEmpty(), warnings.entries().toString());
    assertEquals(DecodeStatus.OK, decode(ipv4(SEGMENT)), "a whole packet after a reassembly");
    assertFalse(d.reassembled());
  }

  @Test
  void ipv4OutOfOrderInEveryPermutation() {
    int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    int id = 100;
    for (int[] order : orders) {
      byte[][] frags = {
        frag4(id, SEGMENT, 0, 40, true),
        frag4(id, SEGMENT, 40, 56, true),
        frag4(id, SEGMENT, 96, 24, false)
      };
      for (int k = 0; k < 3; k++) {
        DecodeStatus s = decode(frags[order[k]]);
        assertEquals(
            k == 2 ? DecodeStatus.OK : DecodeStatus.IP_FRAGMENT,
            s,
            Arrays.toString(order) + " step " + k);
      }
      assertArrayEquals(PAYLOAD, payload(), Arrays.toString(order));
      id++;
    }
    assertTrue(warnings.isEmpty(), warnings.entries().toString());
  }

  @Test
  void anEmptyFragmentFirstFillsNothing() {
    // found by the fuzzer: a fragment with no data inside the first hole, before any buffer
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(9, SEGMENT, 48, 0, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(9, SEGMENT, 0, 48, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(9, SEGMENT, 48, 48, true)));
    assertEquals(DecodeStatus.OK, decode(frag4(9, SEGMENT, 96, 24, false)));
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void interleavedDatagramsAreKeptApart() {
    byte[] other = tcp(43211, 80, 5, 6, TcpView.ACK, new byte[0], pattern(60));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(1, SEGMENT, 0, 64, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(2, other, 0, 40, true)));
    assertEquals(DecodeStatus.OK, decode(frag4(2, other, 40, 40, false)));
    assertEquals(43211, d.tcp().srcPort());
    assertEquals(DecodeStatus.OK, decode(frag4(1, SEGMENT, 64, 56, false)));
    assertEquals(43210, d.tcp().srcPort());
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void overlapKeepsTheFirstCopy() {
    byte[] changed = SEGMENT.clone();
    for (int i = 40; i < 80; i++) {
      changed[i] = 'x';
    }
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(9, SEGMENT, 0, 56, true)));
    // bytes 40..55 overlap the first fragment: those stay; 56..79 are new and taken from here
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(9, changed, 40, 40, true)));
    assertEquals(1, warnings.get("decode.fragment_overlap"));
    assertEquals(DecodeStatus.OK, decode(frag4(9, SEGMENT, 80, 40, false)));
    byte[] expected = SEGMENT.clone();
    for (int i = 56; i < 80; i++) {
      expected[i] = 'x';
    }
    assertArrayEquals(Arrays.copyOfRange(expected, 20, 120), payload());
    assertEquals(1, warnings.get("decode.fragment_overlap"));
  }

  @Test
  void fragmentInsideAHoleSplitsIt() {
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(3, SEGMENT, 96, 24, false)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(3, SEGMENT, 40, 16, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(3, SEGMENT, 0, 40, true)));
    assertEquals(DecodeStatus.OK, decode(frag4(3, SEGMENT, 56, 40, true)));
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void duplicatesCountAsOverlapsAndCompleteOnce() {
    byte[] first = frag4(4, SEGMENT, 0, 64, true);
    byte[] last = frag4(4, SEGMENT, 64, 56, false);
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(first));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(first));
    assertEquals(1, warnings.get("decode.fragment_overlap"));
    assertEquals(DecodeStatus.OK, decode(last));
    // the capture holds the last fragment twice: the copy starts a datagram that never completes
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(last));
    d.finish();
    assertEquals(1, warnings.get("decode.fragment_incomplete"));
    assertEquals(0, warnings.get("decode.fragment_timeout"));
  }

  @Test
  void incompleteDatagramTimesOutByCaptureTime() {
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(5, SEGMENT, 0, 64, true), 0));
    assertEquals(DecodeStatus.OK, decode(ipv4(SEGMENT), 29 * SECOND));
    assertEquals(0, warnings.get("decode.fragment_timeout"));
    // 30 s after the first fragment the datagram is gone: the late last fragment starts anew
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(5, SEGMENT, 64, 56, false), 30 * SECOND));
    assertEquals(1, warnings.get("decode.fragment_timeout"));
    assertEquals(
        DecodeStatus.OK,
        decode(frag4(5, SEGMENT, 0, 64, true), 31 * SECOND),
        "reassembled from the fragments after the timeout");
    assertArrayEquals(PAYLOAD, payload());
    d.finish();
    assertEquals(0, warnings.get("decode.fragment_incomplete"));
    assertEquals(1, warnings.get("decode.fragment_timeout"));
  }

  @Test
  void lateFragmentsCompleteWithinTheTimeout() {
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(6, SEGMENT, 0, 64, true), 0));
    assertEquals(DecodeStatus.OK, decode(frag4(6, SEGMENT, 64, 56, false), 29 * SECOND));
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void datagramOver65535BytesIsDropped() {
    // offset 65528 (8191 units) + 24 bytes: the payload alone would end past 65535
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(8, SEGMENT, 0, 64, true)));
    byte[] far = ipv4(6, CLIENT, SERVER, new byte[0], 8191, pattern(24));
    far[4] = 0;
    far[5] = 8;
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(far));
    assertEquals("decode.fragment.dropped", d.reason());
    assertEquals(1, warnings.get("decode.fragment_limit"));
    // the datagram was discarded: its last fragment no longer completes anything
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(8, SEGMENT, 64, 56, false)));
  }

  @Test
  void tableFullEvictsTheOldestDatagram() {
    d = new FrameDecoder(new IpDefragmenter(warnings, 2, 30 * SECOND));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(1, SEGMENT, 0, 64, true), 1));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(2, SEGMENT, 0, 64, true), 2));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(3, SEGMENT, 0, 64, true), 3));
    assertEquals(1, warnings.get("decode.fragment_limit"));
    assertEquals(
        DecodeStatus.IP_FRAGMENT,
        decode(frag4(1, SEGMENT, 64, 56, false), 4),
        "datagram 1 was evicted");
    assertEquals(DecodeStatus.OK, decode(frag4(3, SEGMENT, 64, 56, false), 5));
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void malformedFragmentsAreRejected() {
    assertEquals(DecodeStatus.MALFORMED, decode(frag4(10, SEGMENT, 0, 30, true)));
    assertEquals("decode.fragment.bad_length", d.reason());
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(10, SEGMENT, 64, 56, false)));
    // a second, shorter end of the same datagram
    assertEquals(DecodeStatus.MALFORMED, decode(frag4(10, SEGMENT, 64, 48, false)));
    assertEquals("decode.fragment.inconsistent_end", d.reason());
    assertEquals(DecodeStatus.OK, decode(frag4(10, SEGMENT, 0, 64, true)));
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void truncatedFragmentCannotBeReassembled() {
    byte[] f = ether(0x0800, frag4(11, SEGMENT, 0, 64, true));
    CaptureInfo info = info(LinkType.ETHERNET, 60, f.length);
    assertEquals(DecodeStatus.TRUNCATED, d.decode(place(Arrays.copyOf(f, 60)), PAD, info));
    assertEquals("decode.fragment.truncated", d.reason());
  }

  @Test
  void withoutDefragmenterFragmentsStayFragments() {
    d = new FrameDecoder();
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(1, SEGMENT, 0, 64, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag4(1, SEGMENT, 64, 56, false)));
    assertEquals("decode.ipv4.fragment", d.reason());
  }

  @Test
  void ipv6InOrderAndOutOfOrder() {
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag6(SEGMENT, 0, 64, true)));
    assertEquals(DecodeStatus.OK, decode(frag6(SEGMENT, 64, 56, false)));
    assertTrue(d.reassembled());
    assertArrayEquals(PAYLOAD, payload());
    assertEquals(6, d.ipVersion());
    assertEquals(8 + 120, d.ipv6().payloadLength(), "destination options kept, fragment removed");
    assertEquals(1, d.ipv6().extensionHeaderCount());
    assertEquals(60, d.ipv6().nextHeader());
    assertEquals(43210, d.tcp().srcPort());

    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag6(SEGMENT, 96, 24, false)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag6(SEGMENT, 48, 48, true)));
    assertEquals(DecodeStatus.OK, decode(frag6(SEGMENT, 0, 48, true)));
    assertArrayEquals(PAYLOAD, payload());
    assertTrue(warnings.isEmpty(), warnings.entries().toString());
  }

  @Test
  void ipv6FragmentRightAfterTheFixedHeader() {
    byte[] a = ipv6(44, CLIENT6, SERVER6, cat(fragment(6, 0, true), Arrays.copyOf(SEGMENT, 64)));
    byte[] b =
        ipv6(
            44, CLIENT6, SERVER6, cat(fragment(6, 8, false), Arrays.copyOfRange(SEGMENT, 64, 120)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(b));
    assertEquals(DecodeStatus.OK, decode(a));
    assertEquals(6, d.ipv6().nextHeader());
    assertEquals(120, d.ipv6().payloadLength());
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void ipv6OverlapAndDuplicate() {
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag6(SEGMENT, 0, 64, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag6(SEGMENT, 0, 64, true)));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(frag6(SEGMENT, 32, 64, true)));
    assertEquals(2, warnings.get("decode.fragment_overlap"));
    assertEquals(DecodeStatus.OK, decode(frag6(SEGMENT, 96, 24, false)));
    assertArrayEquals(PAYLOAD, payload());
  }

  @Test
  void fragmentedTunnelIsReassembledBeforeDecapsulation() {
    // GRE (Ethernet) in an outer IPv4 packet split in two fragments
    byte[] inner = ether(0x0800, ipv4(SEGMENT));
    byte[] greBody = gre(0, 0x6558, new byte[0], inner);
    byte[] a = ipv4(47, 0x0A000001, 0x0A000002, new byte[0], 0x2000, Arrays.copyOf(greBody, 80));
    byte[] b =
        ipv4(
            47,
            0x0A000001,
            0x0A000002,
            new byte[0],
            10,
            Arrays.copyOfRange(greBody, 80, greBody.length));
    assertEquals(DecodeStatus.IP_FRAGMENT, decode(b));
    assertEquals(DecodeStatus.OK, decode(a));
    assertEquals(Tunnel.GRE, d.tunnel());
    assertEquals(0x0000ffffC0000201L, d.srcLo(), "inner addresses");
    assertArrayEquals(PAYLOAD, payload());
  }

  /**
   * Mutated fragments (random bytes in the IP and fragment headers, random order, duplicates, a
   * small table and a short timeout) never throw, and an OK result stays inside its buffer.
   */
  @Test
  void mutatedFragmentsNeverThrow() {
    d = new FrameDecoder(new IpDefragmenter(warnings, 4, 50));
    java.util.Random rnd = new java.util.Random(815);
    byte[] big = tcp(pattern(1400));
    int oks = 0;
    for (int i = 0; i < 20_000; i++) {
      int off = 8 * rnd.nextInt(big.length / 8);
      int len = Math.min(big.length - off, 8 * (1 + rnd.nextInt(40)));
      boolean more = off + len < big.length;
      byte[] ip =
          rnd.nextBoolean()
              ? frag4(rnd.nextInt(3), big, off, len, more)
              : frag6(big, off, len, more);
      int header = ip[0] >>> 4 == 6 ? 56 : 20;
      for (int n = rnd.nextInt(3); n > 0; n--) {
        ip[rnd.nextInt(header)] = (byte) rnd.nextInt(256);
      }
      DecodeStatus s = decode(ip, i);
      assertNotNull(s);
      if (s == DecodeStatus.OK) {
        oks++;
        assertTrue(d.payloadOffset() >= 0 && d.payloadLength() >= 0);
        assertTrue(d.payloadOffset() + d.payloadLength() <= d.buffer().limit());
      } else {
        assertNotNull(d.reason());
      }
    }
    d.finish();
    assertTrue(oks > 0, "some datagrams completed");
  }

  /** The corpus captures that need reassembly: their fragments complete into TCP segments. */
  @Test
  void corpusCapturesReassemble() throws IOException {
    Path corpus = Paths.get("..", "shared", "corpus");
    Assumptions.assumeTrue(Files.isDirectory(corpus), "corpus absent");
    // capture, datagrams reassembled into TCP segments (as many as tshark reassembles), datagrams
    // left incomplete
    Object[][] cases = {
      {"zeek/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap", 36, 4},
      {"arkime/socks5-http-302-frag.pcap", 4, 0},
      {"zeek/erspan.pcap", 16, 0},
    };
    for (Object[] c : cases) {
      Path file = corpus.resolve((String) c[0]);
      Assumptions.assumeTrue(Files.isRegularFile(file), file + " absent");
      Warnings w = new Warnings();
      FrameDecoder dec = new FrameDecoder(new IpDefragmenter(w));
      int reassembled = 0;
      for (Frame f : frames(file)) {
        if (dec.decode(f.buf, f.offset, f.info) == DecodeStatus.OK && dec.reassembled()) {
          reassembled++;
        }
      }
      dec.finish();
      assertEquals(c[1], reassembled, c[0] + ": " + w.entries());
      assertEquals((long) (int) c[2], w.get("decode.fragment_incomplete"), (String) c[0]);
      assertEquals(0, w.get("decode.fragment_overlap"), (String) c[0]);
      assertEquals(0, w.get("decode.fragment_limit"), (String) c[0]);
    }
  }

  record Frame(ByteBuffer buf, int offset, CaptureInfo info) {}

  /** Frames of a classic pcap file (microsecond timestamps), each with its own CaptureInfo. */
  static List<Frame> frames(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) == 0xd4c3b2a1) {
      b.order(ByteOrder.BIG_ENDIAN);
    }
    assertEquals(0xa1b2c3d4, b.getInt(0), file + " is not a microsecond pcap");
    int link = b.getInt(20) & 0x0FFFFFFF;
    List<Frame> out = new ArrayList<>();
    for (int p = 24; p + 16 <= bytes.length; ) {
      int incl = b.getInt(p + 8);
      CaptureInfo info = new CaptureInfo();
      info.linkType = link;
      info.frameNumber = out.size() + 1;
      info.timestampNanos = (b.getInt(p) & 0xFFFFFFFFL) * SECOND + b.getInt(p + 4) * 1000L;
      info.capturedLength = incl;
      info.wireLength = b.getInt(p + 12);
      out.add(new Frame(b, p + 16, info));
      p += 16 + incl;
    }
    return out;
  }
}
