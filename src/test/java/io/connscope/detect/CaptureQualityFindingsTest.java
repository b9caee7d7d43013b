package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * capture.truncated, capture.loss and http.unanswered on real captures recorded for them
 * (samples/record.sh: snaplen-truncated, capture-loss, unanswered).
 */
class CaptureQualityFindingsTest {
  /** tcpdump -s 96: every head is cut after its start line, yet both exchanges pair. */
  @Test
  void snaplenTruncatedCaptureStillPairsItsTransactions() throws IOException {
    JsonNode r = StallFindingsTest.report("snaplen-truncated");
    JsonNode txs = r.get("connections").get(0).get("transactions");
    assertEquals(2, txs.size());
    for (JsonNode t : txs) {
      assertEquals(200, t.get("status").asInt(), t.toString());
      assertTrue(t.get("gap_affected").asBoolean());
      assertEquals(1, t.get("pipeline_depth").asInt(), "not pipelined: " + t);
    }
    List<JsonNode> cut = StallFindingsTest.findings(r, "capture.truncated");
    assertEquals(2, cut.size(), cut.toString());
    assertEquals(0, StallFindingsTest.findings(r, "capture.loss").size());
    assertEquals(0, StallFindingsTest.findings(r, "http.pipelining").size());
  }

  /** A capture filter left out 3 of the server's 60 data segments that the client acknowledged. */
  @Test
  void droppedSegmentsAreCaptureLoss() throws IOException {
    JsonNode r = StallFindingsTest.report("capture-loss");
    List<JsonNode> loss = StallFindingsTest.findings(r, "capture.loss");
    assertEquals(1, loss.size(), loss.toString());
    assertTrue(
        loss.get(0)
            .get("summary")
            .asText()
            .startsWith("3000 bytes of the server's data in 3 ranges"),
        loss.get(0).get("summary").asText());
    JsonNode t = r.get("connections").get(0).get("transactions").get(0);
    assertEquals(200, t.get("status").asInt());
    assertEquals(57_000, t.get("response_body_bytes").asLong());
    assertEquals(3_000, t.get("response_body_gap_bytes").asLong());
  }

  /** The server never answers; curl gives up after 1.5 s. */
  @Test
  void aRequestThatNeverGetsAnAnswer() throws IOException {
    JsonNode r = StallFindingsTest.report("unanswered");
    List<JsonNode> u = StallFindingsTest.findings(r, "http.unanswered");
    assertEquals(1, u.size(), u.toString());
    StallFindingsTest.assertBetween(1_400_000, 1_700_000, u.get(0).get("cost_us").asLong(), "wait");
    assertEquals(0, StallFindingsTest.findings(r, "keepalive.proxy_hang").size());
  }
}
