package io.connscope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.detect.DelayedAckStallDetector;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.robustness.BigCaptures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long transfers that fill the timelines' total ({@link
 * io.connscope.tcp.TcpOptions#maxTimelineEntriesTotal}) leave the connections that come after them
 * a timeline: long timelines stop at {@link io.connscope.tcp.TcpOptions#longTimelinesTotal()}, so a
 * later short connection's delayed-ACK stalls are still found, on one thread and on shards alike.
 */
class TimelineReserveTest {
  @TempDir Path tmp;

  private static final int LONGS = 4, SHORTS = 20;

  /** Per connection's client port: its transactions, and those with a delayed-ACK stall. */
  private static Map<Integer, int[]> stallsByPort(Path capture, long total, int threads)
      throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    config.tcp.maxTimelineEntriesTotal = total;
    Map<Long, int[]> byId = new HashMap<>();
    Map<Integer, int[]> byPort = new TreeMap<>();
    ResultSink sink =
        new ResultSink() {
          @Override
          public void transaction(TransactionResult t) {
            int[] n = byId.computeIfAbsent(t.connection(), k -> new int[2]);
            n[0]++;
            if (t.timings().stalls().stream()
                .anyMatch(s -> DelayedAckStallDetector.TYPE.equals(s.type()))) {
              n[1]++;
            }
          }

          @Override
          public void connection(ConnectionResult c) {
            byPort.put(c.client().port(), byId.getOrDefault(c.id(), new int[2]));
          }

          @Override
          public void finding(Finding f) {}

          @Override
          public void finish(CaptureSummary capture) {}
        };
    ResultBuilder results = new ResultBuilder(sink, config.http);
    AsAnalyzeDoes.analyse(config, results, threads, capture);
    return byPort;
  }

  @Test
  void shortConnectionsAfterLongTransfersKeepTheirTimelines() throws IOException {
    Path capture = tmp.resolve("staggered.pcap");
    // 4 connections of 500 exchanges (5 segments each: 2,500 entries), then 20 of 2
    BigCaptures.staggered(LONGS, 500, SHORTS, 2, capture);
    String oneThread = null;
    for (int threads : new int[] {1, 2}) {
      // all of it fits: every exchange has its stall
      Map<Integer, int[]> whole = stallsByPort(capture, Long.MAX_VALUE, threads);
      // 8,000 entries: the long ones stop at 6,000 between them, the short ones take 20 x 16
      Map<Integer, int[]> bounded = stallsByPort(capture, 8_000, threads);
      assertEquals(LONGS + SHORTS, bounded.size());
      int longStalls = 0;
      for (int i = 0; i < LONGS; i++) {
        assertEquals(500, whole.get(1024 + i)[1]);
        longStalls += bounded.get(1024 + i)[1];
      }
      assertTrue(longStalls < LONGS * 500, "the long ones met the total: " + longStalls);
      for (int i = LONGS; i < LONGS + SHORTS; i++) {
        assertEquals(2, bounded.get(1024 + i)[0], "port " + (1024 + i));
        assertEquals(2, bounded.get(1024 + i)[1], "port " + (1024 + i) + ": its stalls found");
      }
      StringBuilder all = new StringBuilder();
      bounded.forEach(
          (port, n) ->
              all.append(port).append('=').append(n[0]).append('/').append(n[1]).append(' '));
      if (oneThread == null) {
        oneThread = all.toString();
      } else {
        assertEquals(oneThread, all.toString(), "the same on " + threads + " threads");
      }
    }
  }
}
