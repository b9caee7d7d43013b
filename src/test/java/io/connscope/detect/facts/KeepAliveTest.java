package io.connscope.detect.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.common.Direction;
import io.connscope.common.Warnings;
import io.connscope.http.HttpOptions;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ConnectionId;
import io.connscope.tcp.StreamControl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keep-alive negotiation table (RFC 7230 6.1-6.3, RFC 2068 19.7.1) and its helpers. */
class KeepAliveTest {
  private static final StreamControl ROLES =
      new StreamControl() {
        @Override
        public boolean rolesInferred() {
          return false;
        }

        @Override
        public void swapRoles() {}
      };

  /** One exchange through the real HTTP tracker; {@code response} null for none. */
  static Transaction exchange(String request, String response) {
    HttpTracker t = new HttpTracker(ROLES, new HttpOptions(), new Warnings());
    feed(t, Direction.CLIENT, request, 1);
    if (response != null) {
      feed(t, Direction.SERVER, response, 2);
    }
    t.onFin(Direction.SERVER, 3, 30);
    t.onClose(30);
    return t.transactions().get(0);
  }

  private static void feed(HttpTracker t, int dir, String s, long frame) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    t.onData(dir, ByteBuffer.wrap(b), 0, b.length, frame, frame * 10);
  }

  @ParameterizedTest(name = "{0} {1} / {2} {3} -> {4} {5} {6}")
  @CsvSource(
      delimiter = '|',
      value = {
        // request version | request Connection | response version | response Connection | asked |
        // answered | persistent
        "HTTP/1.1 | -          | HTTP/1.1 | -          | default    | default    | true",
        "HTTP/1.1 | close      | HTTP/1.1 | close      | close      | close      | false",
        "HTTP/1.1 | -          | HTTP/1.1 | close      | default    | close      | false",
        "HTTP/1.0 | -          | HTTP/1.1 | close      | none       | close      | false",
        "HTTP/1.0 | -          | HTTP/1.0 | -          | none       | none       | false",
        "HTTP/1.0 | Keep-Alive | HTTP/1.0 | -          | keep_alive | none       | false",
        "HTTP/1.0 | Keep-Alive | HTTP/1.0 | keep-alive | keep_alive | keep_alive | true",
        "HTTP/1.0 | Keep-Alive | HTTP/1.1 | keep-alive | keep_alive | keep_alive | true",
        "HTTP/1.0 | Keep-Alive | HTTP/1.1 | -          | keep_alive | default    | true",
        "HTTP/1.0 | -          | HTTP/1.1 | -          | none       | default    | false",
        "HTTP/1.1 | 'TE, close' | HTTP/1.1 | -         | close      | default    | false",
        "HTTP/1.1 | Keep-Alive, Upgrade | HTTP/1.1 | Keep-Alive | keep_alive | keep_alive | true"
      })
  void negotiationTable(
      String reqVersion,
      String reqConn,
      String respVersion,
      String respConn,
      String asked,
      String answered,
      boolean persistent) {
    String req =
        "GET / "
            + reqVersion
            + "\r\nHost: x\r\n"
            + (reqConn.equals("-") ? "" : "Connection: " + reqConn + "\r\n")
            + "\r\n";
    String resp =
        respVersion
            + " 200 OK\r\nContent-Length: 2\r\n"
            + (respConn.equals("-") ? "" : "Connection: " + respConn + "\r\n")
            + "\r\nok";
    KeepAlive.Negotiation n = KeepAlive.negotiation(exchange(req, resp));
    assertEquals(asked, n.clientAsked());
    assertEquals(answered, n.serverAnswered());
    assertEquals(persistent, n.persistent());
  }

  @Test
  void closeDelimitedBodyIsNeverPersistent() {
    KeepAlive.Negotiation n =
        KeepAlive.negotiation(
            exchange(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nbody until close"));
    assertEquals(KeepAlive.KEEP_ALIVE, n.serverAnswered());
    assertFalse(n.persistent());
  }

  @Test
  void keepAliveParametersAndProxyConnection() {
    KeepAlive.Negotiation n =
        KeepAlive.negotiation(
            exchange(
                "GET http://h/ HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n",
                "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n"));
    assertEquals(KeepAlive.NONE, n.clientAsked());
    assertEquals("Keep-Alive", n.proxyConnection());
    assertTrue(n.clientWants(), "Proxy-Connection: keep-alive is a wish, for proxies");
    assertEquals(100, n.keepAliveMax());
    assertEquals(5, n.keepAliveTimeoutSeconds());
  }

  @Test
  void noResponse() {
    KeepAlive.Negotiation n =
        KeepAlive.negotiation(exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n", null));
    assertEquals(null, n.serverAnswered());
    assertFalse(n.persistent());
    assertFalse(n.serverRefused());
  }

  /**
   * The cached negotiation is the computed one for every transaction of every sample, asked in turn
   * with the transaction before it (a miss, a hit, then a miss again for the earlier one).
   */
  @Test
  void cachedNegotiationIsTheComputedOne() throws IOException {
    List<Transaction> all = new ArrayList<>();
    try (java.util.stream.Stream<Path> s = Files.list(Paths.get("samples"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".pcap")).sorted().toList()) {
        Reports.run(
            new AnalysisConfig(),
            new AnalysisSink() {
              @Override
              public void transaction(ConnectionId c, Transaction t, TransactionResult result) {
                all.add(t);
              }

              @Override
              public void connection(ConnectionRecord r) {}

              @Override
              public void finding(Finding f) {}

              @Override
              public void finish(CaptureTotals capture) {}
            },
            p);
      }
    }
    assertTrue(all.size() > 200, "transactions: " + all.size());
    Transaction before = all.get(0);
    int persistent = 0;
    for (Transaction t : all) {
      KeepAlive.Negotiation n = KeepAlive.negotiation(t);
      assertEquals(KeepAlive.negotiate(t), n);
      assertSame(n, KeepAlive.negotiation(t), "the second ask is the first answer");
      assertEquals(KeepAlive.negotiate(before), KeepAlive.negotiation(before));
      assertEquals(n, KeepAlive.negotiation(t));
      persistent += n.persistent() ? 1 : 0;
      before = t;
    }
    assertTrue(persistent > 0 && persistent < all.size(), "persistent: " + persistent);
  }

  @Test
  void helpers() {
    assertEquals(5, KeepAlive.param("timeout=5, max=100", "timeout"));
    assertEquals(100, KeepAlive.param("Timeout = 5 , MAX=100", "max"));
    assertEquals(-1, KeepAlive.param("max=x", "max"));
    assertEquals(-1, KeepAlive.param("maximum=3", "max"));
    assertEquals(-1, KeepAlive.param(null, "max"));
    assertTrue(KeepAlive.hasToken("TE, Keep-Alive", "keep-alive"));
    assertFalse(KeepAlive.hasToken("keep-alived", "keep-alive"));
    assertEquals("/a.txt", KeepAlive.path("http://127.0.0.1:8080/a.txt"));
    assertEquals("/", KeepAlive.path("http://host"));
    assertEquals("/a?b=http://c/d", KeepAlive.path("/a?b=http://c/d"));
    assertTrue(KeepAlive.absoluteForm("HTTP://h/"));
    assertFalse(KeepAlive.absoluteForm("/h"));
    assertTrue(KeepAlive.idempotent("DELETE"));
    assertFalse(KeepAlive.idempotent("POST"));
    assertFalse(KeepAlive.idempotent("PATCH"));
    assertEquals(120L, KeepAlive.contentLength(" 120 "));
    assertEquals(-1L, KeepAlive.contentLength("12a"));
    assertEquals("Proxy-Connection", KeepAlive.headerName("proxy-connection"));
    assertTrue(KeepAlive.is11("HTTP/1.1"));
    assertTrue(KeepAlive.is11("HTTP/2.0"));
    assertFalse(KeepAlive.is11("HTTP/1.0"));
    assertEquals("812 µs", KeepAlive.ms(812));
    assertEquals("1.50 ms", KeepAlive.ms(1500));
  }
}
