package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.result.ConnectionResult;
import java.io.IOException;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The time-sequence graph's points in the JSON report (schema 1.4.0): present on connections with a
 * transfer finding, bounded and evenly sampled beyond the bounds, the same for the same capture.
 */
class TimeSequenceReportTest {
  private static JsonNode connection(String sample) throws IOException {
    return new ObjectMapper()
        .readTree(Reports.json(Paths.get("samples", sample)))
        .path("connections")
        .path(0);
  }

  /** 2,700 frames at the server: sampled to the bounds, retransmissions and SACK blocks kept. */
  @Test
  void largeTransferIsSampledWithinTheBounds() throws IOException {
    JsonNode ts = connection("bottleneck-loss-server.pcap").path("time_sequence");
    assertEquals("server", ts.path("sender").asText());
    assertTrue(ts.path("sampled").asBoolean());
    assertEquals(ConnectionResult.TimeSequence.MAX_SEGMENTS, ts.path("segments").size());
    assertEquals(ConnectionResult.TimeSequence.MAX_ACKS, ts.path("acks").size());
    assertEquals(ConnectionResult.TimeSequence.MAX_SACKS, ts.path("sacks").size());
    int rtx = 0;
    long lastUs = -1;
    for (JsonNode r : ts.path("segments")) {
      rtx += r.path(4).asInt();
      assertTrue(r.path(0).asLong() >= lastUs, "in capture order");
      lastUs = r.path(0).asLong();
      assertTrue(r.path(3).asLong() > r.path(2).asLong(), "a segment has bytes");
    }
    // at most half the segment points are retransmissions; the server sent 334
    assertEquals(ConnectionResult.TimeSequence.MAX_SEGMENTS / 2, rtx);
    for (JsonNode r : ts.path("acks")) {
      assertTrue(r.path(3).asLong() >= r.path(2).asLong(), "window edge at or above the ACK");
    }
    // the same capture gives the same points
    assertEquals(ts, connection("bottleneck-loss-server.pcap").path("time_sequence"));
  }

  /** A smaller transfer keeps every point: 260 data segments (2 retransmitted), 2 D-SACKs. */
  @Test
  void smallTransferKeepsEveryPoint() throws IOException {
    JsonNode c = connection("slow-reader.pcap");
    JsonNode ts = c.path("time_sequence");
    assertFalse(ts.path("sampled").asBoolean());
    assertEquals(
        c.path("server_to_client").path("data_segments").asInt(), ts.path("segments").size());
    int rtx = 0;
    for (JsonNode r : ts.path("segments")) {
      rtx += r.path(4).asInt();
    }
    assertEquals(2, rtx);
    assertEquals(2, ts.path("sacks").size(), "the client's two D-SACK blocks");
    assertEquals(6145, ts.path("sacks").path(0).path(2).asLong());
    assertEquals(8193, ts.path("sacks").path(0).path(3).asLong());
  }

  /** No transfer finding, no graph (the points are not in the report). */
  @Test
  void noGraphWithoutATransferFinding() throws IOException {
    assertTrue(connection("keepalive-get.pcap").path("time_sequence").isMissingNode());
    assertTrue(connection("keepalive-get.pcap").path("transfers").isMissingNode());
  }
}
