package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pair aggregates over the real samples: pattern, concurrency, setup time and the estimate.
 * Connections without data count as in use until their last packet (port-burst: each close overlaps
 * the next connect).
 */
class PairAggregatorTest {
  static List<PairAggregator.Pair> pairs(String sample, DetectOptions o) throws IOException {
    PairAggregator agg = new PairAggregator(o);
    Reports.run(
        new AnalysisConfig(),
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord r) {
            agg.add(r.tcp(), r.http(), -1, null);
          }

          @Override
          public void finding(Finding f) {}

          @Override
          public void finish(CaptureTotals c) {}
        },
        SampleFindings.sample(sample));
    return agg.pairs();
  }

  @ParameterizedTest
  @CsvSource({
    "keepalive-get, persistent, 2, 4, 1",
    "pipelined, pipelined, 1, 3, 1",
    "connection-close, serial, 3, 3, 1",
    "setup-serial-delay, serial, 8, 8, 1",
    "setup-parallel-delay, parallel, 12, 12, 4",
    "setup-persistent-delay, persistent, 1, 8, 1",
    "ipv6-close-delimited, single, 1, 1, 1",
    "port-burst, none, 320, 0, 2",
  })
  void patternOfEachSample(String sample, String pattern, long conns, long txs, int peak)
      throws IOException {
    List<PairAggregator.Pair> ps = pairs(sample, new DetectOptions());
    assertEquals(1, ps.size());
    PairAggregator.Pair p = ps.get(0);
    assertEquals(pattern, p.pattern());
    assertEquals(conns, p.connections());
    assertEquals(txs, p.transactions());
    assertEquals(peak, p.peakConcurrent());
  }

  @Test
  void serialThroughDelayEstimateSavesSevenHandshakes() throws IOException {
    PairAggregator.Pair p = pairs("setup-serial-delay", new DetectOptions()).get(0);
    assertEquals(8, p.setups());
    assertTrue(
        p.setupMicros() >= 8 * 50_000 && p.setupMicros() <= 8 * 56_000, "" + p.setupMicros());
    assertEquals(7, p.setupsAvoidable());
    assertEquals(p.setupMicros() * 7 / 8, p.setupSavedMicros());
    assertEquals(0, p.slowStartSavedMicros(), "512-byte responses fit one flight");
    assertTrue(p.setupShare() > 0.4 && p.setupShare() < 0.6, "" + p.setupShare());
  }

  @Test
  void pairsAreCappedAndTheRestCounted() throws IOException {
    DetectOptions o = new DetectOptions();
    o.maxPairs = 1;
    PairAggregator agg = new PairAggregator(o);
    Reports.run(
        new AnalysisConfig(),
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord r) {
            agg.add(r.tcp(), r.http(), -1, null);
          }

          @Override
          public void finding(Finding f) {}

          @Override
          public void finish(CaptureTotals c) {}
        },
        SampleFindings.sample("keepalive-get"),
        SampleFindings.sample("pipelined"));
    assertEquals(1, agg.pairs().size());
    assertEquals(1, agg.droppedConnections(), "pipelined's connection is another pair");
  }
}
