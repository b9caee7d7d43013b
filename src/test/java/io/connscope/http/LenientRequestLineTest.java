package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Odd request lines that Zeek reads and servers answer: connscope pairs their responses too. */
class LenientRequestLineTest {
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

  private static Transaction only(String request, String response) {
    Harness h = Harness.run(new Script().a(request).b(response).fin(0).fin(1));
    assertTrue(h.tracker.isHttp(), request);
    assertEquals(1, h.tracker.transactions().size(), request);
    return h.tx(0);
  }

  @Test
  void emptyTarget() {
    Transaction t = only("GET  HTTP/1.1\r\nHost: h\r\n\r\n", OK);
    assertEquals("GET", t.method());
    assertEquals("", t.uri());
    assertEquals("HTTP/1.1", t.requestVersion());
    assertEquals(200, t.status());
    Transaction o = only("OPTIONS HTTP/1.1\r\n\r\n", "HTTP/1.0 400 Bad Request\r\n\r\n");
    assertEquals("OPTIONS", o.method());
    assertEquals("", o.uri());
    assertEquals(400, o.status());
  }

  @Test
  void versionWithoutMinorDigit() {
    Transaction t = only("GET / HTTP/1.\r\n\r\n", OK);
    assertEquals("/", t.uri());
    assertEquals("HTTP/1.", t.requestVersion());
    assertEquals(200, t.status());
    Transaction w = only("GET /update.php?a=1 http/1.0.8\r\nHost: h\r\n\r\n", OK);
    assertEquals("/update.php?a=1", w.uri());
    assertEquals("HTTP/1.0.8", w.requestVersion());
    assertEquals(200, w.status());
  }

  @Test
  void gluedTargetAndVersionIsASimpleRequest() {
    // no SP before the version: Zeek and the server read "/HTTP/1.1" as an HTTP/0.9 target;
    // the server's answer, status line included, is the 0.9 body
    Harness h =
        Harness.run(
            new Script()
                .a("HEAD /HTTP/1.1\r\nHost: h\r\n\r\n")
                .b("HTTP/1.0 400 Bad Request\r\n\r\n<html>bad</html>")
                .fin(0)
                .fin(1));
    assertEquals(1, h.tracker.transactions().size());
    Transaction t = h.tx(0);
    assertEquals("HEAD", t.method());
    assertEquals("/HTTP/1.1", t.uri());
    assertEquals("HTTP/0.9", t.responseVersion());
    assertEquals(26 + 2 + 16, t.responseBodyBytes());
  }

  @Test
  void stillRejected() {
    for (String line :
        new String[] {
          "GET/ HTTP/1.1",
          "GET/HTTP/1.1",
          "OPTIONS",
          "OPTIONSHTTP/1.1",
          "GET / HTTP/1",
          "GET / HTTP/.1",
          "GET / HTTP/1.1x",
          "\u00c3\u0083 / HTTP/1.1"
        }) {
      byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
      assertFalse(Http1Parser.isRequestLine(b, 0, b.length), line);
    }
  }
}
