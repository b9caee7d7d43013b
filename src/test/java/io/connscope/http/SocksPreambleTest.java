package io.connscope.http;

import static io.connscope.http.Harness.A;
import static io.connscope.http.Harness.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SocksPreambleTest {
  private static final String GET = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

  static byte[] b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static final byte[] SOCKS4 = b(4, 1, 0, 80, 93, 184, 216, 119, 'b', 'o', 'b', 0);
  static final byte[] SOCKS4A = cat(b(4, 1, 0, 80, 0, 0, 0, 1, 0), ascii("example.com"), b(0));
  static final byte[] SOCKS4_REPLY = b(0, 0x5A, 0, 0, 0, 0, 0, 0);
  static final byte[] SOCKS5_CLIENT =
      cat(
          b(5, 2, 0, 2),
          b(1, 3, 'b', 'o', 'b', 2, 'p', 'w'),
          b(5, 1, 0, 3, 11),
          ascii("example.com"),
          b(0, 80));
  static final byte[] SOCKS5_SERVER =
      cat(b(5, 2), b(1, 0), b(5, 0, 0, 4), new byte[16], b(0x1F, 0x90));

  @Test
  void measuresEachHandshake() {
    assertEquals(SOCKS4.length, SocksPreamble.clientLength(SOCKS4, SOCKS4.length, false));
    assertEquals(SOCKS4A.length, SocksPreamble.clientLength(SOCKS4A, SOCKS4A.length, false));
    assertEquals(8, SocksPreamble.serverLength(SOCKS4_REPLY, 8, false));
    assertEquals(
        SOCKS5_CLIENT.length,
        SocksPreamble.clientLength(SOCKS5_CLIENT, SOCKS5_CLIENT.length, false));
    assertEquals(
        SOCKS5_SERVER.length,
        SocksPreamble.serverLength(SOCKS5_SERVER, SOCKS5_SERVER.length, false));
    // the HTTP after the handshake does not change the measure
    byte[] withGet = cat(SOCKS5_CLIENT, ascii(GET));
    assertEquals(SOCKS5_CLIENT.length, SocksPreamble.clientLength(withGet, withGet.length, true));
  }

  @Test
  void aCutHandshakeIsPendingUntilNoMoreBytesCome() {
    for (int n = 0; n < SOCKS5_CLIENT.length; n++) {
      assertEquals(
          SocksPreamble.PENDING,
          SocksPreamble.clientLength(SOCKS5_CLIENT, n, false),
          "cut at " + n);
      assertEquals(SocksPreamble.NONE, SocksPreamble.clientLength(SOCKS5_CLIENT, n, true));
    }
    assertEquals(SocksPreamble.PENDING, SocksPreamble.clientLength(SOCKS4A, 12, false));
  }

  @Test
  void otherBytesAreNotSocks() {
    byte[] get = ascii(GET);
    assertEquals(SocksPreamble.NONE, SocksPreamble.clientLength(get, get.length, false));
    byte[] tls = b(0x16, 3, 1, 0, 0x50);
    assertEquals(SocksPreamble.NONE, SocksPreamble.clientLength(tls, tls.length, false));
    byte[] badRsv = b(5, 1, 0, 5, 1, 1, 1, 10, 0, 0, 1, 0, 80); // RSV must be 0
    assertEquals(SocksPreamble.NONE, SocksPreamble.clientLength(badRsv, badRsv.length, false));
  }

  @Test
  void httpAfterSocks4IsParsed() {
    Harness h = Harness.run(new Script().bytes(A, SOCKS4).bytes(B, SOCKS4_REPLY).a(GET).b(OK));
    assertTrue(h.tracker.isHttp());
    assertEquals(1, h.tracker.transactions().size());
    assertEquals("/a", h.tx(0).uri());
    assertEquals(200, h.tx(0).status());
    assertEquals(2, h.tx(0).responseBodyBytes());
    assertTrue(h.tracker.anomalies().isEmpty(), h.tracker.anomalies().toString());
  }

  @Test
  void httpAfterSocks5WithAuthenticationIsParsedWhateverTheSplits() {
    byte[] client = SOCKS5_CLIENT;
    byte[] server = SOCKS5_SERVER;
    for (int cut = 1; cut < client.length; cut++) {
      Harness h =
          Harness.run(
              new Script()
                  .bytes(A, Arrays.copyOf(client, cut))
                  .bytes(B, Arrays.copyOf(server, 2))
                  .bytes(A, Arrays.copyOfRange(client, cut, client.length))
                  .bytes(B, Arrays.copyOfRange(server, 2, server.length))
                  .a(GET + GET)
                  .b(OK + OK));
      assertEquals(2, h.tracker.transactions().size(), "cut " + cut);
      assertEquals(200, h.tx(1).status(), "cut " + cut);
    }
  }

  @Test
  void socksCarryingSomethingElseIsNotHttp() {
    Harness h =
        Harness.run(
            new Script()
                .bytes(A, SOCKS4)
                .bytes(B, SOCKS4_REPLY)
                .bytes(A, b(0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5))
                .fin(A)
                .fin(B));
    assertFalse(h.tracker.isHttp());
  }
}
