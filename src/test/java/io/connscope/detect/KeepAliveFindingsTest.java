package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keep-alive findings on the recorded samples (samples/README.md): type, place, evidence frames
 * and cost of each, and controls where none may appear. Costs are checked within the ranges the
 * recordings allow (timeouts of the sample scripts), frames exactly.
 */
class KeepAliveFindingsTest {
  static final Set<String> KEEPALIVE_TYPES =
      Set.of(
          KeepAliveProxyHangDetector.TYPE,
          HopByHopForwardedDetector.TYPE,
          KeepAliveRefusedDetector.TYPE,
          KeepAliveRefusedDetector.IGNORED_TYPE,
          KeepAliveNotRequestedDetector.TYPE,
          CloseDelimitedDetector.TYPE,
          FramingErrorDetector.TYPE,
          KeepAliveStaleReuseDetector.TYPE,
          KeepAliveLimitDetector.TYPE,
          PipeliningDetector.TYPE,
          UnansweredDetector.TYPE);

  static List<Finding> findings(String sample) throws IOException {
    List<Finding> out = new ArrayList<>();
    AnalysisSink sink =
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord connection) {}

          @Override
          public void finding(Finding finding) {
            out.add(finding);
          }

          @Override
          public void finish(CaptureTotals capture) {}
        };
    Analysis a = new Analysis(new AnalysisConfig(), sink);
    Path p = Paths.get("samples", sample);
    try (PacketSource src = CaptureFiles.open(p, a.warnings())) {
      a.read(src, CaptureFiles.formatOf(src), null);
    }
    a.finish();
    return out;
  }

  static List<Finding> ofType(List<Finding> fs, String type) {
    return fs.stream().filter(f -> f.type().equals(type)).toList();
  }

  static Finding only(String sample, String type) throws IOException {
    List<Finding> fs = ofType(findings(sample), type);
    assertEquals(1, fs.size(), type + " in " + sample + ": " + fs);
    return fs.get(0);
  }

  static void assertCost(Finding f, long min, long max) {
    assertTrue(
        f.costUs() >= min && f.costUs() <= max,
        f.type() + " cost " + f.costUs() + " not in [" + min + ", " + max + "]");
  }

  @Test
  void dumbProxyHangIsProvenByBothLegs() throws IOException {
    Finding f = only("dumb-proxy-hang.pcap", KeepAliveProxyHangDetector.TYPE);
    assertEquals("C1", f.connection());
    assertEquals(1, f.transaction());
    assertEquals("error", f.severity().id());
    assertEquals("confirmed", f.confidence().id());
    // forwarded upstream (9), origin agreed (11), relayed (13), hung request (15), client FIN
    // (17), retry on C3 (21)
    assertEquals(List.of(9L, 11L, 13L, 15L, 17L, 21L), f.frames());
    assertCost(f, 1_400_000, 1_700_000); // the client's 1.5 s timeout
    assertEquals("C3", f.details().get("retry_connection"));
    assertEquals("C2", f.details().get("upstream_connection"));
    assertEquals(true, f.details().get("upstream_never_forwarded"));
    assertEquals("client", f.details().get("ended_by"));
    assertEquals(List.of("absolute-form request URI"), f.details().get("proxy_signs"));
  }

  @Test
  void blindRelayForwardsHopByHopHeaders() throws IOException {
    List<Finding> fs = ofType(findings("dumb-proxy-hang.pcap"), HopByHopForwardedDetector.TYPE);
    assertEquals(2, fs.size(), fs.toString());
    assertEquals("C2", fs.get(0).connection());
    assertEquals(List.of(4L, 9L), fs.get(0).frames());
    assertEquals("C4", fs.get(1).connection());
    assertEquals(List.of(21L, 26L), fs.get(1).frames());
    for (Finding f : fs) {
      assertEquals(0, f.transaction());
      assertEquals("confirmed", f.confidence().id());
      assertEquals(0, f.costUs());
      assertEquals(List.of("Connection: Keep-Alive"), f.details().get("forwarded"));
    }
    // what it broke: the client's next request on C1 hung (error); after the retry on C3 nothing
    assertEquals("error", fs.get(0).severity().id());
    assertEquals("hung_request", fs.get(0).details().get("broke"));
    assertEquals("info", fs.get(1).severity().id());
    assertEquals("nothing", fs.get(1).details().get("broke"));
  }

  @Test
  void proxyConnectionThroughTheRelayDoesNotHang() throws IOException {
    List<Finding> fs = findings("proxy-connection-relay.pcap");
    assertTrue(ofType(fs, KeepAliveProxyHangDetector.TYPE).isEmpty(), fs.toString());
    assertTrue(ofType(fs, UnansweredDetector.TYPE).isEmpty(), fs.toString());
    List<Finding> hop = ofType(fs, HopByHopForwardedDetector.TYPE);
    assertEquals(2, hop.size());
    assertEquals(List.of("Proxy-Connection: Keep-Alive"), hop.get(0).details().get("forwarded"));
    // nothing broke: the origin answered Connection: close
    assertEquals("info", hop.get(0).severity().id());
    assertEquals("nothing_origin_closed", hop.get(0).details().get("broke"));
    // the server ignores Proxy-Connection and closes: ignored (not refused), on the client leg and
    // upstream; nothing hung and the extra loopback handshakes cost microseconds
    assertTrue(ofType(fs, KeepAliveRefusedDetector.TYPE).isEmpty(), fs.toString());
    List<Finding> ignored = ofType(fs, KeepAliveRefusedDetector.IGNORED_TYPE);
    assertEquals(List.of("C1", "C2"), ignored.stream().map(Finding::connection).sorted().toList());
    for (Finding f : ignored) {
      assertEquals("info", f.severity().id());
      assertCost(f, 1, 5_000);
      assertTrue(f.summary().contains("nothing hung"), f.summary());
    }
  }

  @Test
  void reverseProxyIsTheControl() throws IOException {
    List<Finding> fs = findings("reverse-proxy-keepalive.pcap");
    assertTrue(ofType(fs, KeepAliveProxyHangDetector.TYPE).isEmpty(), fs.toString());
    assertTrue(ofType(fs, HopByHopForwardedDetector.TYPE).isEmpty(), fs.toString());
    assertTrue(ofType(fs, KeepAliveRefusedDetector.TYPE).isEmpty(), fs.toString());
    // nginx's own upstream requests are HTTP/1.0 with Connection: close
    Finding f = only("reverse-proxy-keepalive.pcap", KeepAliveNotRequestedDetector.TYPE);
    assertEquals("C2", f.connection());
    assertEquals("info", f.severity().id());
    assertEquals(2, f.details().get("connections"));
  }

  @Test
  void serverRefusingKeepAlive() throws IOException {
    Finding f = only("keepalive-refused.pcap", KeepAliveRefusedDetector.TYPE);
    assertEquals("C1", f.connection());
    assertEquals(0, f.transaction());
    assertEquals("info", f.severity().id(), "two loopback handshakes cost microseconds");
    assertEquals(List.of(6L, 16L, 26L), f.frames());
    assertEquals(3, f.details().get("refused_connections"));
    assertEquals(2, f.details().get("connections_after_refusal"));
    assertCost(f, 1, 5_000); // two loopback handshakes
    assertEquals(f.costUs(), f.details().get("handshake_us"));
  }

  @Test
  void http10ClientThatNeverAsks() throws IOException {
    Finding f = only("http10-not-requested.pcap", KeepAliveNotRequestedDetector.TYPE);
    assertEquals("C1", f.connection());
    assertEquals("info", f.severity().id());
    assertEquals(List.of(4L, 12L, 24L), f.frames());
    assertEquals(3, f.details().get("connections"));
    assertCost(f, 1, 5_000);
    assertTrue(
        ofType(findings("http10-not-requested.pcap"), KeepAliveRefusedDetector.TYPE).isEmpty());
  }

  @Test
  void closeDelimitedResponses() throws IOException {
    List<Finding> fs = ofType(findings("close-delimited-11.pcap"), CloseDelimitedDetector.TYPE);
    assertEquals(2, fs.size());
    assertEquals("C1", fs.get(0).connection());
    assertEquals(List.of(6L, 10L), fs.get(0).frames());
    assertEquals("info", fs.get(0).severity().id()); // no cost measured here
    assertTrue(fs.get(0).summary().contains("this breaks reuse"), fs.get(0).summary());
    Finding old = only("ipv6-close-delimited.pcap", CloseDelimitedDetector.TYPE);
    assertEquals("info", old.severity().id()); // HTTP/1.0 client asked for nothing
    assertEquals(List.of(6L, 14L), old.frames());
  }

  @Test
  void contentLengthLiesBothWays() throws IOException {
    List<Finding> fs = ofType(findings("content-length-lies.pcap"), FramingErrorDetector.TYPE);
    assertEquals(2, fs.size(), fs.toString());
    Finding longer = fs.stream().filter(f -> f.connection().equals("C1")).findFirst().orElseThrow();
    assertEquals(0, longer.transaction());
    assertEquals("confirmed", longer.confidence().id());
    assertEquals(List.of(6L, 10L), longer.frames());
    // 20 leftover bytes glued to the next response's status line, which is found again after them
    assertEquals(20L, longer.details().get("leftover_bytes"));
    Finding shorter =
        fs.stream().filter(f -> f.connection().equals("C2")).findFirst().orElseThrow();
    assertEquals(0, shorter.transaction());
    assertEquals(
        "suspected", shorter.confidence().id()); // the client gave up: the server may be slow
    assertEquals(100L, shorter.details().get("missing_bytes"));
    assertEquals(List.of(20L, 22L), shorter.frames());
    assertCost(shorter, 1_400_000, 1_700_000);
    // the lost request is explained by the framing error, not reported again
    assertTrue(ofType(findings("content-length-lies.pcap"), UnansweredDetector.TYPE).isEmpty());
    // the server's Content-Length lied: both blame the response
    assertEquals("response", longer.details().get("side"));
    assertEquals("response", shorter.details().get("side"));
  }

  /**
   * samples/framing-request.pcap: six POSTs with malformed framing, each answered by a correct 200
   * (a server that does not check): each finding blames the request, never the 200.
   */
  @Test
  void malformedRequestFramingBlamesTheRequestNotTheResponse() throws IOException {
    List<Finding> fs = ofType(findings("framing-request.pcap"), FramingErrorDetector.TYPE);
    List<String> expected =
        List.of(
            "http.bad_content_length",
            "http.conflicting_content_length",
            "http.te_cl_conflict",
            "http.bad_transfer_encoding",
            "http.bad_chunk_size",
            "http.bad_chunk_delimiter");
    List<String> uris =
        List.of("/neg", "/conflict", "/te-cl", "/bad-te", "/bad-chunk", "/bad-delim");
    assertEquals(6, fs.size(), fs.toString());
    for (int i = 0; i < 6; i++) {
      Finding f = fs.get(i);
      assertEquals("C" + (i + 1), f.connection());
      assertEquals("request", f.details().get("side"), f.summary());
      assertEquals(List.of(expected.get(i)), f.details().get("errors"));
      assertTrue(
          f.summary()
              .startsWith(
                  "the request POST " + uris.get(i) + " (transaction 0) has broken framing"),
          f.summary());
      assertTrue(f.summary().contains("the server answered it with 200"), f.summary());
      assertFalse(f.summary().contains("200 response"), "the 200 is not blamed: " + f.summary());
      assertTrue(f.fix().startsWith("the client must send"), f.fix());
    }
    assertEquals("Content-Length: -1", fs.get(0).details().get("framing_headers"));
    assertEquals(
        "Content-Length: 3, Content-Length: 5", fs.get(1).details().get("framing_headers"));
  }

  /** samples/framing-response.pcap: the same anomalies in five responses blame the response. */
  @Test
  void malformedResponseFramingBlamesTheResponse() throws IOException {
    List<Finding> fs = ofType(findings("framing-response.pcap"), FramingErrorDetector.TYPE);
    List<String> expected =
        List.of(
            "http.bad_content_length",
            "http.conflicting_content_length",
            "http.te_cl_conflict",
            "http.bad_chunk_size",
            "http.bad_chunk_delimiter");
    assertEquals(5, fs.size(), fs.toString());
    for (int i = 0; i < 5; i++) {
      Finding f = fs.get(i);
      assertEquals("response", f.details().get("side"), f.summary());
      assertEquals(List.of(expected.get(i)), f.details().get("errors"));
      assertTrue(
          f.summary().contains("(the 200 response to GET /case/" + i + ") has broken framing"),
          f.summary());
      assertTrue(f.fix().startsWith("the server must send"), f.fix());
    }
  }

  @Test
  void postSentOnAClosedIdleConnection() throws IOException {
    Finding f = only("stale-reuse.pcap", KeepAliveStaleReuseDetector.TYPE);
    assertEquals("C1", f.connection());
    assertEquals(1, f.transaction());
    assertEquals("error", f.severity().id()); // POST retried
    assertEquals("confirmed", f.confidence().id());
    assertEquals(List.of(8L, 10L, 11L, 15L), f.frames()); // FIN, POST, RST, retry
    assertEquals("C2", f.details().get("retry_connection"));
    assertEquals(false, f.details().get("idempotent"));
    assertEquals(true, f.details().get("close_before_request"));
    assertCost(f, 0, 10_000);
    List<Finding> all = findings("stale-reuse.pcap");
    assertTrue(ofType(all, KeepAliveProxyHangDetector.TYPE).isEmpty());
    assertTrue(ofType(all, UnansweredDetector.TYPE).isEmpty());
  }

  @Test
  void keepAliveMaxAndTimeout() throws IOException {
    List<Finding> fs = ofType(findings("keepalive-max.pcap"), KeepAliveLimitDetector.TYPE);
    assertEquals(2, fs.size(), fs.toString());
    Finding max = fs.get(0);
    assertEquals("C1", max.connection());
    assertEquals(1, max.transaction());
    assertEquals("max", max.details().get("limit"));
    assertEquals("C2", max.details().get("next_connection"));
    assertEquals("info", max.severity().id(), "the new loopback handshake cost microseconds");
    assertEquals(List.of(6L, 9L, 10L), max.frames());
    Finding timeout = fs.get(1);
    assertEquals("C2", timeout.connection());
    assertEquals("timeout", timeout.details().get("limit"));
    assertEquals("info", timeout.severity().id()); // the client came back: a loopback handshake
    assertEquals("C3", timeout.details().get("next_connection"));
    assertEquals(List.of(18L, 20L), timeout.frames());
    long idle = (Long) timeout.details().get("idle_us");
    assertTrue(idle > 900_000 && idle < 1_200_000, "idle " + idle);
  }

  @Test
  void pipelinedRequests() throws IOException {
    Finding f = only("pipelined.pcap", PipeliningDetector.TYPE);
    assertEquals("C1", f.connection());
    assertEquals(1, f.transaction());
    assertEquals("info", f.severity().id());
    assertEquals(3, f.details().get("max_depth"));
    assertEquals(2, f.details().get("pipelined_requests"));
    assertCost(f, 0, 50_000);
  }

  /** Controls: healthy keep-alive, serial HTTP/1.1 close, and the timing samples. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "keepalive-get.pcap",
        "connection-close.pcap",
        "chunked-and-head.pcap",
        "post-100-continue.pcap",
        "nagle-post-split.pcap",
        "nagle-post-nodelay.pcap",
        "server-split-response.pcap",
        "delayed-link.pcap",
        "delayed-link-server.pcap"
      })
  void noKeepAliveFindingOnHealthySamples(String sample) throws IOException {
    List<Finding> fs =
        findings(sample).stream().filter(f -> KEEPALIVE_TYPES.contains(f.type())).toList();
    assertTrue(fs.isEmpty(), sample + ": " + fs);
  }

  @Test
  void hangThresholdIsAnOption() throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    config.detect.hangMinMicros = 2_000_000; // longer than the client's 1.5 s timeout
    List<Finding> out = new ArrayList<>();
    runProxyHang(config, out);
    assertTrue(ofType(out, KeepAliveProxyHangDetector.TYPE).isEmpty());
    // no longer a hang, but still a request without an answer
    assertEquals(1, ofType(out, UnansweredDetector.TYPE).size());
  }

  @Test
  void linkingIndexFullIsAWarningAndTheLinkedFindingIsNotMade() throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    config.detect.maxIndexedConnections =
        1; // the capture has the client leg, the upstream leg and the retry
    List<Finding> out = new ArrayList<>();
    Analysis a = runProxyHang(config, out);
    long notIndexed = a.warnings().get(HttpConnections.INDEX_FULL);
    assertTrue(notIndexed >= 2, "connections past the cap are counted: " + notIndexed);
    assertTrue(
        a.warnings().entries().get(HttpConnections.INDEX_FULL).detail().contains("first 1 "));
    List<Finding> hang = ofType(out, KeepAliveProxyHangDetector.TYPE);
    assertEquals(1, hang.size());
    assertEquals(
        "suspected",
        hang.get(0).confidence().id(),
        "confirming the hang needs the upstream leg, which was not indexed");
    assertTrue(!hang.get(0).details().containsKey("upstream_connection"));
  }

  /**
   * The dumb-proxy-hang sample through the pipeline with {@code config}, its findings into {@code
   * out}.
   */
  private static Analysis runProxyHang(AnalysisConfig config, List<Finding> out)
      throws IOException {
    Analysis a =
        new Analysis(
            config,
            new AnalysisSink() {
              @Override
              public void connection(ConnectionRecord connection) {}

              @Override
              public void finding(Finding finding) {
                out.add(finding);
              }

              @Override
              public void finish(CaptureTotals capture) {}
            });
    try (PacketSource src =
        CaptureFiles.open(Paths.get("samples", "dumb-proxy-hang.pcap"), a.warnings())) {
      a.read(src, CaptureFiles.formatOf(src), null);
    }
    a.finish();
    return a;
  }
}
