package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import org.junit.jupiter.api.Test;

/** Regressions found by the corpus conformance test (io.connscope.conformance), one per bug. */
class CorpusRegressionTest {

  /** zeek/http/http-lower-case.pcap: nginx answering {@code http/1.1 200 OK}. */
  @Test
  void lowerCaseVersionInStatusLineIsAResponse() {
    Harness h =
        Harness.run(
            new Script()
                .a("GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n")
                .b("http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    assertEquals(1, h.tracker.transactions().size());
    Transaction t = h.tx(0);
    assertEquals(200, t.status());
    assertEquals("HTTP/1.1", t.responseVersion());
    assertFalse(t.unanswered());
    assertTrue(t.responseComplete());
    assertTrue(h.tracker.anomalies().isEmpty(), h.tracker.anomalies().toString());
  }

  @Test
  void lowerCaseVersionInRequestLineIsARequest() {
    Harness h =
        Harness.run(
            new Script()
                .a("GET / Http/1.0\r\n\r\n")
                .b("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
    assertTrue(h.tracker.isHttp());
    assertEquals("GET", h.tx(0).method());
    assertEquals("HTTP/1.0", h.tx(0).requestVersion());
    assertEquals(200, h.tx(0).status());
  }
}
