package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report groups the occurrences of one problem on the transactions of one client/server pair
 * into one finding (issue 15, item 7): checked against the detectors' own findings, one per
 * occurrence, on the Nagle sample (one client, four split POSTs: four Nagle delays and four
 * delayed-ACK stalls).
 */
class FindingGroupsTest {
  private static final Path SAMPLE = SamplesGoldenTest.SAMPLES.resolve("nagle-post-split.pcap");

  private static List<Finding> occurrences(String type) throws IOException {
    List<Finding> out = new ArrayList<>();
    Reports.run(
        new AnalysisConfig(),
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord connection) {}

          @Override
          public void finding(Finding f) {
            if (f.type().equals(type)) {
              out.add(f);
            }
          }

          @Override
          public void finish(CaptureTotals capture) {}
        },
        SAMPLE);
    return out;
  }

  @Test
  void oneFindingPerProblemAndPairWithEveryOccurrence() throws IOException {
    JsonNode r = new ObjectMapper().readTree(Reports.json(SAMPLE));
    for (String type : new String[] {"tcp.nagle_delay", "tcp.delayed_ack_stall"}) {
      List<Finding> raw = occurrences(type);
      assertEquals(4, raw.size(), type + " occurrences");
      List<JsonNode> grouped = new ArrayList<>();
      r.get("findings")
          .forEach(
              f -> {
                if (f.get("type").asText().equals(type)) {
                  grouped.add(f);
                }
              });
      assertEquals(1, grouped.size(), type + ": one finding for the pair");
      JsonNode g = grouped.get(0);
      Finding worst = raw.stream().max(Comparator.comparingLong(Finding::costUs)).orElseThrow();
      long total = raw.stream().mapToLong(Finding::costUs).sum();
      JsonNode o = g.get("occurrences");
      assertEquals(4, o.get("count").asLong());
      assertEquals(total, o.get("total_us").asLong());
      assertEquals(total, g.get("cost_us").asLong(), "cost_us is the total");
      assertEquals(worst.costUs(), o.get("worst_us").asLong());
      // existing readers: connection, transaction, evidence and summary name the worst occurrence
      assertEquals(worst.connection(), g.get("connection").asText());
      assertEquals(worst.transaction(), g.get("transaction").asInt());
      assertEquals(worst.summary(), g.get("summary").asText());
      assertEquals(
          worst.frames().toString(), g.get("evidence").get("frames").toString().replace(",", ", "));
      assertEquals(3, o.get("worst").size(), "the worst few");
      assertEquals(4, o.get("rows").size(), "every occurrence as a row");
      for (int i = 0; i < raw.size(); i++) {
        JsonNode row = o.get("rows").get(i);
        assertEquals(raw.get(i).connection(), row.get(0).asText());
        assertEquals(raw.get(i).transaction(), row.get(1).asInt());
        assertEquals(raw.get(i).costUs(), row.get(2).asLong());
      }
    }
    assertEquals(2, r.get("summary").get("findings").asInt());
    // the transactions' stalls still list every occurrence
    int stalls = 0;
    for (JsonNode t : r.get("connections").get(0).get("transactions")) {
      stalls += t.get("timings").get("stalls").size();
    }
    assertEquals(8, stalls);
  }

  @Test
  void aProblemSeenOnceStaysAsItsDetectorReportedIt() throws IOException {
    JsonNode r =
        new ObjectMapper()
            .readTree(Reports.json(SamplesGoldenTest.SAMPLES.resolve("unanswered.pcap")));
    assertTrue(r.get("findings").size() > 0);
    for (JsonNode f : r.get("findings")) {
      assertNull(f.get("occurrences"), f.toString());
    }
  }
}
