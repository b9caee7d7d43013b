package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tcp.delayed_ack_stall and tcp.nagle_delay on real captures (samples/README.md says how each was
 * recorded): the hits, their frames and magnitudes, and the controls that must show nothing.
 */
class StallFindingsTest {
  static JsonNode report(String sample) throws IOException {
    return report(sample, new AnalysisConfig());
  }

  /**
   * The JSON report of {@code sample}, with its {@code findings} replaced by the detectors' own
   * findings, one per occurrence (the report groups the occurrences of a problem on a client/server
   * pair into one finding; these tests check each occurrence).
   */
  static JsonNode report(String sample, AnalysisConfig config) throws IOException {
    Path p = Paths.get("samples", sample + ".pcap");
    ObjectMapper m = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(Reports.json(config, p));
    com.fasterxml.jackson.databind.node.ArrayNode raw = m.createArrayNode();
    for (Finding f : SampleFindings.of(p, config)) {
      com.fasterxml.jackson.databind.node.ObjectNode o = raw.addObject();
      o.put("type", f.type());
      o.put("severity", f.severity().id());
      o.put("confidence", f.confidence().id());
      o.put("connection", f.connection());
      if (f.transaction() >= 0) {
        o.put("transaction", f.transaction());
      }
      o.put("cost_us", f.costUs());
      com.fasterxml.jackson.databind.node.ObjectNode ev = o.putObject("evidence");
      f.frames().forEach(ev.putArray("frames")::add);
      ev.put("display_filter", f.displayFilter());
      o.put("summary", f.summary());
      o.put("fix", f.fix());
      o.set("details", m.valueToTree(f.details()));
    }
    r.set("findings", raw);
    return r;
  }

  static List<JsonNode> findings(JsonNode report, String type) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode f : report.get("findings")) {
      if (f.get("type").asText().equals(type)) {
        out.add(f);
      }
    }
    return out;
  }

  static List<Long> frames(JsonNode f) {
    List<Long> out = new ArrayList<>();
    f.get("evidence").get("frames").forEach(n -> out.add(n.asLong()));
    return out;
  }

  static void assertBetween(long lo, long hi, long v, String what) {
    assertTrue(v >= lo && v <= hi, what + " = " + v + ", expected within [" + lo + ", " + hi + "]");
  }

  /** Client writes POST headers and body separately, Nagle on, Linux server on loopback. */
  @Test
  void naglePostSplitOnLoopback() throws IOException {
    JsonNode r = report("nagle-post-split");
    List<JsonNode> stalls = findings(r, "tcp.delayed_ack_stall");
    // the first request is sent while the server is still in quick-ACK mode: no stall
    assertEquals(4, stalls.size(), stalls.toString());
    long[][] expectedFrames = {{10, 11, 12}, {16, 17, 18}, {22, 23, 24}, {28, 29, 30}};
    for (int i = 0; i < 4; i++) {
      JsonNode s = stalls.get(i);
      assertEquals(
          List.of(expectedFrames[i][0], expectedFrames[i][1], expectedFrames[i][2]), frames(s));
      assertEquals("C1", s.get("connection").asText());
      assertEquals(i + 1, s.get("transaction").asInt());
      assertBetween(38_000, 50_000, s.get("cost_us").asLong(), "stall");
      assertEquals("nagle", s.get("details").get("gated_by").asText());
      assertEquals("client", s.get("details").get("sender").asText());
      assertTrue(s.get("details").get("peer_stack_hint").asText().startsWith("Linux"));
      assertEquals("confirmed", s.get("confidence").asText());
      assertEquals(
          "frame.number in {"
              + expectedFrames[i][0]
              + " "
              + expectedFrames[i][1]
              + " "
              + expectedFrames[i][2]
              + "}",
          s.get("evidence").get("display_filter").asText());
    }
    List<JsonNode> nagle = findings(r, "tcp.nagle_delay");
    assertEquals(4, nagle.size());
    for (int i = 0; i < 4; i++) {
      JsonNode n = nagle.get(i);
      assertEquals(i + 1, n.get("transaction").asInt());
      assertEquals("client", n.get("details").get("side").asText());
      assertTrue(n.get("details").get("headers_then_body").asBoolean());
      assertTrue(
          n.get("summary")
              .asText()
              .contains("POST /upload/" + (i + 1) + " headers and body in two writes"),
          n.get("summary").asText());
      assertTrue(n.get("fix").asText().contains("TCP_NODELAY"));
      assertBetween(38_000, 50_000, n.get("cost_us").asLong(), "nagle wait");
    }
  }

  /** The control: the same client with TCP_NODELAY on. */
  @Test
  void noDelayControlShowsNothing() throws IOException {
    JsonNode r = report("nagle-post-nodelay");
    assertEquals(0, r.get("findings").size(), r.get("findings").toString());
    assertEquals(5, r.get("summary").get("transactions").asInt());
  }

  /** Other clean captures: keep-alive, pipelining, 100-continue, chunked: no stall findings. */
  @Test
  void cleanSamplesShowNoStalls() throws IOException {
    for (String s :
        List.of(
            "keepalive-get",
            "pipelined",
            "post-100-continue",
            "chunked-and-head",
            "connection-close",
            "ipv6-close-delimited")) {
      JsonNode r = report(s);
      assertEquals(0, findings(r, "tcp.delayed_ack_stall").size(), s);
      assertEquals(0, findings(r, "tcp.nagle_delay").size(), s);
    }
  }

  /** nginx with tcp_nodelay off writes the response head and body separately. */
  @Test
  void serverSplitResponseStallsOnTheResponseSide() throws IOException {
    JsonNode r = report("server-split-response");
    List<JsonNode> stalls = findings(r, "tcp.delayed_ack_stall");
    assertEquals(4, stalls.size());
    for (JsonNode s : stalls) {
      assertEquals("server", s.get("details").get("sender").asText());
      assertBetween(38_000, 50_000, s.get("cost_us").asLong(), "stall");
    }
    List<JsonNode> nagle = findings(r, "tcp.nagle_delay");
    assertEquals(4, nagle.size());
    for (JsonNode n : nagle) {
      assertEquals("server", n.get("details").get("side").asText());
      assertTrue(
          n.get("summary").asText().startsWith("server: response 200 to GET /small.txt"),
          n.toString());
    }
  }

  /**
   * The same traffic over a 50 ms link, captured near the client and near the server: both vantage
   * points give the same stalls (the ACK's delay beyond the round trip), and the first request,
   * answered by a quick ACK, still waits one round trip for Nagle.
   */
  @Test
  void delayedLinkFromBothEnds() throws IOException {
    for (String sample : List.of("delayed-link", "delayed-link-server")) {
      JsonNode r = report(sample);
      JsonNode c = r.get("connections").get(0);
      assertEquals(
          sample.endsWith("server") ? "near_server" : "near_client",
          c.get("vantage").asText(),
          sample);
      List<JsonNode> stalls = findings(r, "tcp.delayed_ack_stall");
      assertEquals(4, stalls.size(), sample);
      for (JsonNode s : stalls) {
        assertBetween(38_000, 60_000, s.get("cost_us").asLong(), sample + " stall beyond the RTT");
        assertEquals("confirmed", s.get("confidence").asText());
      }
      List<JsonNode> nagle = findings(r, "tcp.nagle_delay");
      assertEquals(5, nagle.size(), sample);
      JsonNode first = nagle.get(0);
      assertEquals(0, first.get("transaction").asInt());
      assertBetween(48_000, 55_000, first.get("cost_us").asLong(), sample + " one RTT");
      assertTrue(!first.get("details").get("delayed_ack").asBoolean());
      for (int i = 1; i < 5; i++) {
        assertBetween(
            85_000, 115_000, nagle.get(i).get("cost_us").asLong(), sample + " RTT + delayed ACK");
        assertTrue(nagle.get(i).get("details").get("delayed_ack").asBoolean());
      }
    }
  }

  /** The threshold is an option: above the observed 40 ms nothing is a stall. */
  @Test
  void minStallThresholdIsHonoured() throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    config.detect.minStallMicros = 60_000;
    JsonNode r = report("nagle-post-split", config);
    assertEquals(0, findings(r, "tcp.delayed_ack_stall").size());
    assertEquals(0, findings(r, "tcp.nagle_delay").size());
  }
}
