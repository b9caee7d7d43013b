package io.connscope.http;

import static io.connscope.http.Harness.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** HTTP/0.9 Simple-Request and Simple-Response (RFC 1945 §4.1, §6). */
class Http09Test {
  private static final String PAGE = "<html>\n  hello\n</html>\n";

  @Test
  void simpleRequestAndBareBodyResponse() {
    Harness h = Harness.run(new Script().a("GET /zeek.html\r\n").b(PAGE).b(PAGE).fin(1));
    assertTrue(h.tracker.isHttp());
    assertEquals(1, h.tracker.transactions().size());
    Transaction t = h.tx(0);
    assertEquals("GET", t.method());
    assertEquals("/zeek.html", t.uri());
    assertEquals("HTTP/0.9", t.requestVersion());
    assertEquals("HTTP/0.9", t.responseVersion());
    assertEquals(0, t.status());
    assertFalse(t.unanswered());
    assertEquals(2 * PAGE.length(), t.responseBodyBytes());
    assertTrue(h.tracker.anomalies().isEmpty(), h.tracker.anomalies().toString());
  }

  @Test
  void bareLfAndAbsoluteTargetAndOtherMethods() {
    Harness h = Harness.run(new Script().a("POST http://example.com/x?a=1\n").b("ok\n").fin(1));
    assertEquals(1, h.tracker.transactions().size());
    assertEquals("POST", h.tx(0).method());
    assertEquals("http://example.com/x?a=1", h.tx(0).uri());
    assertEquals(3, h.tx(0).responseBodyBytes());
  }

  @Test
  void afterAnHttp11ExchangeOnTheSameConnection() {
    Harness h =
        Harness.run(
            new Script()
                .a("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
                .b("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
                .a("GET /b\r\n")
                .b(PAGE)
                .fin(1));
    assertEquals(2, h.tracker.transactions().size());
    assertEquals(200, h.tx(0).status());
    assertEquals("HTTP/0.9", h.tx(1).responseVersion());
    assertEquals(PAGE.length(), h.tx(1).responseBodyBytes());
  }

  @Test
  void junkIsNotASimpleRequest() {
    for (String line :
        new String[] {
          "T /zeek.html", "GET ", "GET", "get /x", "GET x", "GET /a b", "HELLO world"
        }) {
      byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
      assertFalse(Http1Parser.isSimpleRequest(b, 0, b.length), line);
    }
    Harness h = Harness.run(new Script().a("T /zeek.html\n").b("bad method\n").fin(A).fin(1));
    assertFalse(h.tracker.isHttp());
  }
}
