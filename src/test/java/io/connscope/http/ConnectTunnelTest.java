package io.connscope.http;

import static io.connscope.http.Harness.A;
import static io.connscope.http.Harness.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import org.junit.jupiter.api.Test;

/** What follows a CONNECT's 2xx: plain HTTP is parsed on (a proxy's view), anything else not. */
class ConnectTunnelTest {
  private static final String CONNECT =
      "CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n";
  private static final String ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n";
  private static final String GET = "GET /inner HTTP/1.1\r\nHost: example.com\r\n\r\n";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";

  @Test
  void plainHttpInsideConnectIsParsed() {
    Harness h = Harness.run(new Script().a(CONNECT).b(ESTABLISHED).a(GET).b(OK).a(GET).b(OK));
    assertEquals(3, h.tracker.transactions().size());
    assertEquals("CONNECT", h.tx(0).method());
    assertEquals("/inner", h.tx(1).uri());
    assertEquals(200, h.tx(2).status());
    assertEquals(3, h.tx(2).responseBodyBytes());
    assertTrue(h.tracker.tunnel());
    assertTrue(h.tracker.anomalies().isEmpty(), h.tracker.anomalies().toString());
  }

  @Test
  void requestSentBeforeTheTwoHundredIsKept() {
    Harness h = Harness.run(new Script().a(CONNECT + GET).b(ESTABLISHED + OK));
    assertEquals(2, h.tracker.transactions().size());
    assertEquals(200, h.tx(1).status());
    assertEquals(3, h.tx(1).responseBodyBytes());
  }

  @Test
  void tlsOrOtherProtocolsInsideStayOpaque() {
    Harness tls =
        Harness.run(
            new Script()
                .a(CONNECT)
                .b(ESTABLISHED)
                .bytes(A, new byte[] {0x16, 3, 1, 0, 4, 1, 0, 0, 0})
                .bytes(B, new byte[] {0x16, 3, 3, 0}));
    assertEquals(1, tls.tracker.transactions().size());
    assertTrue(tls.tracker.anomalies().isEmpty(), tls.tracker.anomalies().toString());
    // a text protocol whose first line is no request line (SSH banners both ways)
    Harness ssh =
        Harness.run(
            new Script()
                .a(CONNECT)
                .b(ESTABLISHED)
                .a("SSH-2.0-OpenSSH_9.6\r\n")
                .b("SSH-2.0-OpenSSH_9.6\r\n")
                .a("GET / HTTP/1.1\r\n\r\n"));
    assertEquals(1, ssh.tracker.transactions().size());
    assertTrue(ssh.tracker.anomalies().isEmpty(), ssh.tracker.anomalies().toString());
  }

  @Test
  void upgradeStillStopsParsing() {
    Harness h =
        Harness.run(
            new Script()
                .a(
                    "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                .b("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
                .a(GET)
                .b(OK));
    assertEquals(1, h.tracker.transactions().size());
    assertEquals(101, h.tx(0).status());
  }

  @Test
  void refusedConnectKeepsParsingAsUsual() {
    Harness h =
        Harness.run(
            new Script()
                .a(CONNECT)
                .b("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                .a(CONNECT)
                .b(ESTABLISHED)
                .a(GET)
                .b(OK));
    assertEquals(3, h.tracker.transactions().size());
    assertEquals(407, h.tx(0).status());
    assertEquals(200, h.tx(2).status());
  }
}
