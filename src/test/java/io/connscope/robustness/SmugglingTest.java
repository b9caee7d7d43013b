package io.connscope.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ConnectionId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling ambiguities go through the whole pipeline with one reading: the same bytes give
 * the same transactions and anomalies whether they arrive in one segment, byte by byte or in random
 * pieces, and every ambiguity is counted under its {@code http.*} code.
 */
class SmugglingTest {
  /** What the pipeline made of a request stream: one line per transaction, then the warnings. */
  static String analyze(String requests, String responses, long splitSeed) {
    StringBuilder b = new StringBuilder();
    Map<String, Long> warnings = new TreeMap<>();
    AnalysisSink sink =
        new AnalysisSink() {
          @Override
          public void transaction(ConnectionId c, Transaction t, TransactionResult result) {
            b.append(t.index())
                .append(' ')
                .append(t.method())
                .append(' ')
                .append(t.uri())
                .append(" -> ")
                .append(t.unanswered() ? "none" : t.status())
                .append(" req ")
                .append(t.requestFraming())
                .append('/')
                .append(t.requestBodyBytes())
                .append(' ')
                .append(t.anomalies())
                .append('\n');
          }

          @Override
          public void connection(ConnectionRecord connection) {}

          @Override
          public void finding(Finding finding) {}

          @Override
          public void finish(CaptureTotals capture) {
            capture.warnings().entries().forEach((k, v) -> warnings.put(k, v.count()));
          }
        };
    Analysis a = new Analysis(new AnalysisConfig(), sink);
    Synth s = new Synth();
    int cli = Synth.ip(10, 0, 0, 1);
    int srv = Synth.ip(10, 0, 0, 2);
    long[] ts = {1_700_000_000_000_000_000L};
    s.tcp(cli, srv, 40000, 80, 100, 0, Synth.SYN).feed(a, ts[0] += 1000);
    s.tcp(srv, cli, 80, 40000, 900, 101, Synth.SYN | Synth.ACK).feed(a, ts[0] += 1000);
    byte[] req = Synth.ascii(requests);
    byte[] resp = Synth.ascii(responses);
    java.util.Random r = new java.util.Random(splitSeed);
    long cseq = 101;
    for (int off = 0; off < req.length; ) {
      int n =
          splitSeed == 0
              ? req.length
              : splitSeed == 1 ? 1 : 1 + r.nextInt(Math.min(40, req.length - off));
      n = Math.min(n, req.length - off);
      s.tcp(cli, srv, 40000, 80, cseq, 901, Synth.ACK, req, off, n).feed(a, ts[0] += 1000);
      cseq += n;
      off += n;
    }
    s.tcp(srv, cli, 80, 40000, 901, cseq, Synth.ACK, resp, 0, resp.length).feed(a, ts[0] += 1000);
    s.tcp(cli, srv, 40000, 80, cseq, 901 + resp.length, Synth.ACK | Synth.FIN)
        .feed(a, ts[0] += 1000);
    s.tcp(srv, cli, 80, 40000, 901 + resp.length, cseq + 1, Synth.ACK | Synth.FIN)
        .feed(a, ts[0] += 1000);
    a.finish();
    return b.append(warnings).toString();
  }

  /** Analyses the stream whole, byte by byte and in 5 random splits; all must agree. */
  static String deterministic(String requests, String responses) {
    String whole = analyze(requests, responses, 0);
    assertEquals(whole, analyze(requests, responses, 1), "byte by byte");
    for (long seed = 2; seed < 7; seed++) {
      assertEquals(whole, analyze(requests, responses, seed), "split seed " + seed);
    }
    return whole;
  }

  static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

  @Test
  void contentLengthAndTransferEncodingTransferEncodingWins() {
    // RFC 7230 3.3.3 item 3: chunked wins; the "smuggled" GET is the second request
    String r =
        deterministic(
            "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
            OK + OK);
    assertTrue(r.contains("0 POST /a -> 200 req CHUNKED/0 [http.te_cl_conflict]"), r);
    assertTrue(r.contains("1 GET /smuggled -> 200"), r);
    assertTrue(r.contains("http.te_cl_conflict=1"), r);
  }

  @Test
  void duplicateContentLengths() {
    String differing =
        deterministic(
            "POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 12\r\n\r\n"
                + "helloGET /b HTTP/1.1\r\n\r\n",
            OK + OK);
    assertTrue(differing.contains("http.conflicting_content_length=1"), differing);
    assertTrue(differing.contains("http.desync=1"), differing);
    String same =
        deterministic(
            "POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", OK);
    assertTrue(same.startsWith("0 POST /a -> 200 req LENGTH/5 []"), same);
  }

  @Test
  void obsFoldBareLfAndNul() {
    String fold = deterministic("GET /f HTTP/1.1\r\nX-A: one\r\n  two\r\n\r\n", OK);
    assertTrue(fold.contains("http.obs_fold=1"), fold);
    String lf = deterministic("GET /l HTTP/1.1\nHost: x\n\n", OK);
    assertTrue(lf.contains("0 GET /l -> 200") && lf.contains("http.bare_lf=1"), lf);
    String nul = deterministic("GET /n\0x HTTP/1.1\r\nHost: a\0b\r\n\r\n", OK);
    assertTrue(nul.contains("http.nul_in_header=1"), nul);
  }

  @Test
  void transferEncodingThatDoesNotEndInChunked() {
    String r =
        deterministic(
            "POST /t HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", OK);
    assertTrue(r.contains("http.bad_transfer_encoding=1"), r);
  }

  @Test
  void everyAmbiguityAtOnceOnOneConnection() {
    List<String> parts =
        new ArrayList<>(
            List.of(
                "POST /1 HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "GET /2 HTTP/1.1\nX: a\n b\n\n",
                "GET /3\0 HTTP/1.1\r\n\r\n",
                "POST /4 HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                "GET /5 HTTP/1.1\r\n\r\n"));
    String r = deterministic(String.join("", parts), OK.repeat(5));
    for (String code :
        new String[] {
          "te_cl_conflict", "bare_lf", "obs_fold", "nul_in_header", "conflicting_content_length"
        }) {
      assertTrue(r.contains("http." + code + "="), code + " in " + r);
    }
  }
}
