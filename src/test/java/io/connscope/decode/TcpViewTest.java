package io.connscope.decode;

import static io.connscope.decode.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.LinkType;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TcpViewTest {
  private final FrameDecoder d = new FrameDecoder();

  private TcpView decodeTcp(int flags, byte[] options) {
    byte[] f = ipv4(tcp(5000, 80, 1, 0, flags, options, new byte[0]));
    ByteBuffer b = place(f);
    assertEquals(DecodeStatus.OK, d.decode(b, PAD, info(LinkType.RAW, f.length, f.length)));
    return d.tcp().parseOptions();
  }

  @Test
  void synOptionsLinuxStyle() {
    // MSS 1460, SACK-permitted, TS 0xFFFFFFF0/0, NOP, WS 7 (what Linux sends in a SYN)
    TcpView t =
        decodeTcp(
            TcpView.SYN,
            bytes(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 0, 1, 3, 3, 7));
    assertEquals(10, t.dataOffset());
    assertTrue(t.syn());
    assertFalse(t.ackFlag());
    assertEquals(1460, t.mss());
    assertEquals(7, t.windowScale());
    assertTrue(t.sackPermitted());
    assertTrue(t.hasTimestamps());
    assertEquals(0xFFFFFFF0L, t.tsVal());
    assertEquals(0, t.tsEcr());
    assertEquals(0, t.sackBlockCount());
    assertFalse(t.optionsMalformed());
  }

  /** NOP, NOP, timestamps (the usual data segment, read by a shortcut) and its near misses. */
  @Test
  void nopNopTimestampsAndNearMisses() {
    TcpView t = decodeTcp(TcpView.ACK, bytes(1, 1, 8, 10, 0x80, 0, 0, 1, 0, 0, 0x30, 0x39));
    assertTrue(t.hasTimestamps());
    assertEquals(0x80000001L, t.tsVal());
    assertEquals(12345, t.tsEcr());
    assertFalse(t.optionsMalformed() || t.sackPermitted());
    assertEquals(-1, t.mss());
    assertEquals(0, t.sackBlockCount());
    // same first bytes, wrong length: malformed, no timestamps
    TcpView bad = decodeTcp(TcpView.ACK, bytes(1, 1, 8, 9, 0, 0, 0, 1, 0, 0, 0, 2));
    assertFalse(bad.hasTimestamps());
    assertTrue(bad.optionsMalformed());
    // a SACK block in the same 12 bytes
    TcpView sack = decodeTcp(TcpView.ACK, bytes(1, 1, 5, 10, 0, 0, 0, 5, 0, 0, 0, 9));
    assertFalse(sack.hasTimestamps());
    assertEquals(1, sack.sackBlockCount());
    assertEquals(5, sack.sackLeft(0));
    assertEquals(9, sack.sackRight(0));
    // timestamps then more options (16 bytes): the general parser
    TcpView more = decodeTcp(TcpView.ACK, bytes(1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 8, 1, 1, 4, 2));
    assertTrue(more.hasTimestamps() && more.sackPermitted());
    assertEquals(7, more.tsVal());
  }

  @Test
  void noOptionsLeavesDefaults() {
    TcpView t = decodeTcp(TcpView.ACK, new byte[0]);
    assertEquals(-1, t.mss());
    assertEquals(-1, t.windowScale());
    assertFalse(t.sackPermitted() || t.hasTimestamps() || t.optionsMalformed());
    assertEquals(0, t.sackBlockCount());
  }

  @Test
  void sackBlocksWithTimestamps() {
    ByteBuffer o = ByteBuffer.allocate(40);
    o.put(bytes(1, 1, 8, 10)).putInt(100).putInt(0x90000000);
    o.put(bytes(1, 1, 5, 26))
        .putInt(1000)
        .putInt(2000)
        .putInt(3000)
        .putInt(4000)
        .putInt(0xFFFFFF00)
        .putInt(0x00000100);
    TcpView t = decodeTcp(TcpView.ACK, java.util.Arrays.copyOf(o.array(), o.position()));
    assertTrue(t.hasTimestamps());
    assertEquals(100, t.tsVal());
    assertEquals(0x90000000L, t.tsEcr());
    assertEquals(3, t.sackBlockCount());
    assertEquals(1000, t.sackLeft(0));
    assertEquals(2000, t.sackRight(0));
    assertEquals(3000, t.sackLeft(1));
    assertEquals(4000, t.sackRight(1));
    assertEquals(0xFFFFFF00L, t.sackLeft(2));
    assertEquals(0x100, t.sackRight(2));
    assertFalse(t.optionsMalformed());
  }

  @Test
  void fourSackBlocksFillTheOptionSpace() {
    ByteBuffer o = ByteBuffer.allocate(36).put(bytes(1, 1, 5, 34));
    for (int i = 0; i < 8; i++) {
      o.putInt(i * 10);
    }
    TcpView t = decodeTcp(TcpView.ACK, o.array());
    assertEquals(4, t.sackBlockCount());
    assertEquals(60, t.sackLeft(3));
    assertEquals(70, t.sackRight(3));
  }

  @Test
  void eolEndsParsing() {
    TcpView t = decodeTcp(TcpView.SYN, bytes(2, 4, 0x02, 0x18, 0, 0, 0, 0, 3, 3, 9, 0));
    assertEquals(536, t.mss());
    assertEquals(-1, t.windowScale(), "options after EOL are padding");
    assertFalse(t.optionsMalformed());
  }

  @Test
  void unknownOptionsAreSkippedByLength() {
    TcpView t = decodeTcp(TcpView.SYN, bytes(30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0x78));
    assertEquals(1400, t.mss());
    assertFalse(t.optionsMalformed());
  }

  @Test
  void malformedOptionLengthsStopParsingWithoutFailingTheDecode() {
    TcpView zero = decodeTcp(TcpView.SYN, bytes(2, 4, 0x05, 0xb4, 3, 0, 7, 1, 4, 2));
    assertEquals(1460, zero.mss(), "options before the bad one are kept");
    assertTrue(zero.optionsMalformed());
    assertFalse(zero.sackPermitted(), "parsing stopped at the zero length");

    TcpView one = decodeTcp(TcpView.SYN, bytes(1, 8, 1, 0));
    assertTrue(one.optionsMalformed());
    assertFalse(one.hasTimestamps());

    TcpView beyond = decodeTcp(TcpView.SYN, bytes(1, 1, 8, 10, 0, 0, 0, 1));
    assertTrue(beyond.optionsMalformed());
    assertFalse(beyond.hasTimestamps());

    TcpView kindAtEnd = decodeTcp(TcpView.SYN, bytes(1, 1, 1, 2));
    assertTrue(kindAtEnd.optionsMalformed(), "a kind byte with no room for its length");
  }

  @Test
  void wrongLengthForAKnownKindIsFlaggedAndSkipped() {
    TcpView t = decodeTcp(TcpView.SYN, bytes(2, 6, 0x05, 0xb4, 0, 0, 3, 3, 8, 0));
    assertTrue(t.optionsMalformed());
    assertEquals(-1, t.mss());
    assertEquals(8, t.windowScale(), "parsing continued after the bad MSS");
    TcpView sack = decodeTcp(TcpView.ACK, bytes(5, 7, 0, 0, 0, 0, 0, 0));
    assertTrue(sack.optionsMalformed());
    assertEquals(0, sack.sackBlockCount());
  }

  @Test
  void optionsAreResetForEveryFrame() {
    decodeTcp(TcpView.SYN, bytes(2, 4, 0x05, 0xb4, 3, 3, 7, 0));
    TcpView t = decodeTcp(TcpView.ACK, new byte[0]);
    assertEquals(-1, t.mss());
    assertEquals(-1, t.windowScale());
  }

  @Test
  void flagBitsAndUrgentPointer() {
    byte[] f = ipv4(tcp(1, 2, 3, 4, 0xFF, new byte[0], new byte[0]));
    f[20 + 18] = 0x12;
    f[20 + 19] = 0x34;
    assertEquals(DecodeStatus.OK, d.decode(place(f), PAD, info(LinkType.RAW, f.length, f.length)));
    TcpView t = d.tcp();
    assertTrue(
        t.fin() && t.syn() && t.rst() && t.psh() && t.ackFlag() && t.urg() && t.ece() && t.cwr());
    assertEquals(0xFF, t.flags());
    assertEquals(0x1234, t.urgentPointer());
  }
}
