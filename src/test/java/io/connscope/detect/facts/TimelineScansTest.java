package io.connscope.detect.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.http.Transaction;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shared timeline scans give, per transaction and at each close, what each detector's own scan
 * gave before they were shared: an {@link AckGatedReleases} and a {@link TransferGaps} per
 * connection, advanced to the same frames. Over every recorded sample, asked twice each time (the
 * second asker gets the first one's advance, not a second advance).
 */
class TimelineScansTest {
  @Test
  void sameReleasesAndGapsAsOneScanPerDetector() throws IOException {
    List<Path> samples;
    try (Stream<Path> s = Files.list(Paths.get("samples"))) {
      samples = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
    }
    assertTrue(samples.size() > 40, "samples: " + samples.size());
    Compare compare = new Compare(new AnalysisConfig().detect);
    for (Path p : samples) {
      Reports.run(new AnalysisConfig(), compare, p);
    }
    // the samples hold both kinds (delayed ACKs, Nagle, slow readers, paused writers): the
    // comparison compared something
    assertTrue(compare.releases > 500, "releases compared: " + compare.releases);
    assertTrue(compare.gaps > 500, "gaps compared: " + compare.gaps);
    assertTrue(compare.calls > 500, "advances compared: " + compare.calls);
  }

  /** Runs the shared scans beside one scan of each kind per connection, and compares. */
  private static final class Compare implements AnalysisSink {
    final DetectOptions options;
    final TimelineScans shared;
    final Map<Connection, AckGatedReleases> releaseScans = new IdentityHashMap<>();
    final Map<Connection, TransferGaps> gapScans = new IdentityHashMap<>();
    int releases;
    int gaps;
    int calls;

    Compare(DetectOptions options) {
      this.options = options;
      this.shared = new TimelineScans(options);
    }

    @Override
    public void transaction(ConnectionId v, Transaction t, TransactionResult result) {
      Connection c = (Connection) v; // live: this test runs on one thread
      long upTo = Math.max(t.requestLastFrame(), t.responseLastFrame());
      AckGatedReleases.Batch own = new AckGatedReleases.Batch();
      releaseScans.computeIfAbsent(c, k -> new AckGatedReleases(k, options)).advance(upTo, own);
      TransferGaps g = gapScans.computeIfAbsent(c, k -> new TransferGaps(k, options));
      List<TransferGaps.Gap> ownGaps = g.advance(upTo);
      for (int asker = 0; asker < 2; asker++) {
        same(own, ownGaps, shared.at(c, t), c + " transaction " + t.index());
        assertEquals(g.lastFrame(), shared.lastFrame());
      }
    }

    @Override
    public void connection(ConnectionRecord r) {
      Connection c = r.tcp();
      AckGatedReleases.Batch own = new AckGatedReleases.Batch();
      AckGatedReleases scan = releaseScans.remove(c);
      (scan == null ? new AckGatedReleases(c, options) : scan).advance(Long.MAX_VALUE, own);
      TransferGaps g = gapScans.remove(c);
      List<TransferGaps.Gap> ownGaps =
          (g == null ? new TransferGaps(c, options) : g).advance(Long.MAX_VALUE);
      for (int asker = 0; asker < 2; asker++) {
        same(own, ownGaps, shared.closing(c), c + " close");
      }
    }

    private void same(
        AckGatedReleases.Batch own, List<TransferGaps.Gap> ownGaps, TimelineScans s, String where) {
      assertEquals(own.toList(), s.releases().toList(), where);
      assertEquals(ownGaps, s.gaps(), where);
      releases += own.size();
      gaps += ownGaps.size();
      calls++;
    }

    @Override
    public void finding(Finding finding) {}

    @Override
    public void finish(CaptureTotals capture) {}
  }
}
