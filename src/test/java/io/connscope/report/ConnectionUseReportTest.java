package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The pair section and the per-transaction timing breakdown, in both report formats. */
class ConnectionUseReportTest {
  static Path sample(String name) {
    Path p = Paths.get("samples", name + ".pcap");
    assumeTrue(Files.exists(p));
    return p;
  }

  @Test
  void jsonPairAndTimingBreakdown() throws IOException {
    JsonNode doc = new ObjectMapper().readTree(Reports.json(sample("setup-serial-delay")));
    JsonNode pair = doc.get("pairs").get(0);
    assertEquals("10.99.1.1", pair.get("client").asText());
    assertEquals(18120, pair.get("server").get("port").asInt());
    assertEquals("serial", pair.get("pattern").asText());
    assertEquals(7, pair.get("persistent_estimate").get("setups_avoided").asInt());
    assertTrue(pair.get("persistent_estimate").get("assumptions").asText().contains("peak"));
    JsonNode t = doc.get("connections").get(0).get("transactions").get(0).get("timings");
    JsonNode hs = doc.get("connections").get(0).get("handshake");
    assertTrue(t.get("connect_us").asLong() >= 50_000, t.toString());
    // near the client, the wait includes one round trip to the server
    assertEquals(
        t.get("wait_us").asLong() - hs.get("rtt_to_server_us").asLong(),
        t.get("server_us").asLong());
    assertEquals(0, t.get("stalls").size());
  }

  @Test
  void stallsListTheFindingsOfTheirTransaction() throws IOException {
    JsonNode doc = new ObjectMapper().readTree(Reports.json(sample("rto-delay")));
    JsonNode txs = doc.get("connections").get(0).get("transactions");
    assertEquals(0, txs.get(0).get("timings").get("stalls").size());
    JsonNode s = txs.get(1).get("timings").get("stalls");
    // the retransmission timeout, and the loss recovery it belongs to, whose cost (the same wait)
    // is left to tcp.retransmission_stall so that it is not counted twice
    assertEquals(2, s.size());
    assertEquals("tcp.retransmission_stall", s.get(0).get("type").asText());
    assertTrue(s.get(0).get("cost_us").asLong() > 150_000);
    assertEquals("tcp.loss_recovery", s.get(1).get("type").asText());
    assertEquals(0, s.get(1).get("cost_us").asLong());
  }

  @Test
  void textHasPairSectionAndBreakdown() throws IOException {
    String text = Reports.text(sample("setup-parallel-delay"));
    assertTrue(text.contains("Client/server pairs"), text);
    assertTrue(
        text.contains(
            "10.99.1.1 -> 10.99.1.2:18122  parallel: 12 connections, 12 transactions"
                + " (1.0 per connection), at most 4 at once"),
        text);
    assertTrue(text.contains("(8 setups)"), text);
    assertTrue(
        text.matches("(?s).*#0 +GET /size/512 -> 200 OK  connect 5\\d\\.\\d ms .*\\(server .*"),
        text);
    String rto = Reports.text(sample("rto-delay"));
    assertTrue(rto.contains("stalls: tcp.retransmission_stall 20"), rto);
  }
}
