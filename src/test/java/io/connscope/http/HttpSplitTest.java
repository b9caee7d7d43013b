package io.connscope.http;

import static io.connscope.http.Harness.A;
import static io.connscope.http.Harness.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Netty-style: every fixture gives the same transactions whole, cut in two at every byte of every
 * step, and cut into fragments of every size; and (line endings aside) with LF-only and mixed line
 * endings.
 */
class HttpSplitTest {

  static Map<String, Script> fixtures() {
    Map<String, Script> f = new LinkedHashMap<>();
    f.put(
        "get",
        new Script()
            .a(
                "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\nAccept: */*\r\n\r\n")
            .b(
                "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"));
    f.put(
        "pipelined",
        new Script()
            .a(
                "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
            .b(
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 404 Not Found\r\n"
                    + "Content-Length: 0\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
    f.put(
        "keepalive",
        new Script()
            .a("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            .b(
                "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5\r\n"
                    + "Content-Length: 4\r\n\r\nabcd")
            .a("GET /b HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            .b("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nef"));
    f.put(
        "head",
        new Script()
            .a("HEAD /big HTTP/1.1\r\nHost: h\r\n\r\nGET /small HTTP/1.1\r\nHost: h\r\n\r\n")
            .b(
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"));
    f.put(
        "304-204",
        new Script()
            .a("GET /c HTTP/1.1\r\nHost: h\r\n\r\n")
            .b("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n")
            .a("DELETE /d HTTP/1.1\r\nHost: h\r\n\r\n")
            .b("HTTP/1.1 204 No Content\r\n\r\n")
            .a("GET /e HTTP/1.1\r\nHost: h\r\n\r\n")
            .b("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nzz"));
    f.put(
        "continue",
        new Script()
            .a("PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
            .b("HTTP/1.1 100 Continue\r\n\r\n")
            .a("0123456789")
            .b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    f.put(
        "chunked",
        new Script()
            .a(
                "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3;ext=1\r\nabc\r\n0\r\n\r\n")
            .b(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    + "5;name=\"v\";x\r\nhello\r\nA \r\n0123456789\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"));
    f.put(
        "close-delimited",
        new Script()
            .a("GET /old HTTP/1.0\r\n\r\n")
            .b("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>body</html>")
            .fin(B)
            .fin(A));
    f.put(
        "connect",
        new Script()
            .a("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            .b("HTTP/1.1 200 Connection established\r\n\r\n")
            .a("\u0016\u0003\u0001\u0002\u0000\u0001GET / HTTP/1.1\r\n\r\n")
            .b("\u0016\u0003\u0003HTTP/1.1 200 OK\r\n\r\n"));
    f.put(
        "websocket",
        new Script()
            .a(
                "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            .b(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    + "\u0081\u0005hello")
            .a("\u0081\u0085abcdHTTP/1.1 GET"));
    f.put(
        "obs-fold",
        new Script()
            .a(
                "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: first\r\n  second\r\n\tthird\r\nX: y\r\n \r\n\r\n")
            .b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    f.put(
        "leading-empty-lines",
        new Script()
            .a("\r\n\r\nGET / HTTP/1.1\r\n\r\n")
            .b("\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!"));
    f.put(
        "swap",
        new Script()
            .a("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
            .b("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            .b("GET /y HTTP/1.1\r\nHost: h\r\n\r\n")
            .a("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    return f;
  }

  static Stream<String> names() {
    return fixtures().keySet().stream();
  }

  private static List<String> run(Script s, Harness.Splitter sp) {
    return Harness.run(s, sp, new HttpOptions(), true).outcome();
  }

  @ParameterizedTest
  @MethodSource("names")
  void sameOutcomeForEverySplit(String name) {
    Script s = fixtures().get(name);
    List<String> whole = run(s, Harness.WHOLE);
    assertTrue(whole.size() > 1, "no transactions: " + whole);
    for (int step = 0; step < s.steps.size(); step++) {
      Harness.Step st = s.steps.get(step);
      if (st.data() == null) {
        continue;
      }
      for (int cut = 1; cut < st.data().length; cut++) {
        int target = step;
        int at = cut;
        List<String> got = run(s, (i, len) -> i == target ? new int[] {at} : new int[0]);
        assertEquals(whole, got, name + ": step " + step + " cut at " + cut);
      }
    }
    int longest =
        s.steps.stream()
            .filter(x -> x.data() != null)
            .mapToInt(x -> x.data().length)
            .max()
            .orElse(1);
    for (int size = 1; size <= longest; size++) {
      int k = size;
      List<String> got = run(s, (i, len) -> fragments(len, k));
      assertEquals(whole, got, name + ": fragments of " + size);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void lineEndingsDoNotChangeTheTransactions(String name) {
    Script s = fixtures().get(name);
    List<String> crlf = withoutLineEndingEffects(run(s, Harness.WHOLE));
    Script lf = s.map(t -> t.replace("\r\n", "\n"));
    List<String> lfOut = run(lf, Harness.WHOLE);
    assertEquals(crlf, withoutLineEndingEffects(lfOut), name + " LF only");
    assertEquals(
        crlf,
        withoutLineEndingEffects(run(lf, (i, len) -> fragments(len, 1))),
        name + " LF only, byte by byte");
    Script mixed = s.map(HttpSplitTest::mixEndings);
    assertEquals(crlf, withoutLineEndingEffects(run(mixed, Harness.WHOLE)), name + " mixed");
    if (name.equals("get")) {
      assertTrue(lfOut.get(lfOut.size() - 1).contains("http.bare_lf=2"), lfOut.toString());
    }
  }

  /** Every other CRLF becomes a bare LF. */
  private static String mixEndings(String t) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (int i = 0; i < t.length(); i++) {
      if (t.startsWith("\r\n", i) && n++ % 2 == 1) {
        continue; // drop the CR
      }
      sb.append(t.charAt(i));
    }
    return sb.toString();
  }

  private static List<String> withoutLineEndingEffects(List<String> out) {
    List<String> r = new ArrayList<>();
    for (String s : out) {
      r.add(
          s.replaceAll("reqHB=\\d+ respHB=\\d+", "")
              .replaceAll("http\\.bare_lf(=\\d+)?(, )?", "")
              .replace(", ]", "]")
              .replace(", }", "}"));
    }
    return r;
  }

  static int[] fragments(int len, int size) {
    int n = (len - 1) / size;
    int[] cuts = new int[Math.max(0, n)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = (i + 1) * size;
    }
    return cuts;
  }
}
