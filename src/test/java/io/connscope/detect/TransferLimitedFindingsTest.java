package io.connscope.detect;

import static io.connscope.detect.SampleFindings.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.TransferLimits;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What limited each recorded transfer (samples/record.sh says how each was made), from the client's
 * and the server's vantage point, with the path's rate; and tcp.transfer_limited's rule: a limit a
 * dedicated finding covers is stated once, by that finding.
 */
class TransferLimitedFindingsTest {
  /**
   * The sample's one large transfer, as the facts (and the result model) hold it (default
   * thresholds).
   */
  private static TransferLimits.Transfer only(String sample) throws IOException {
    List<TransferLimits.Transfer> l = new ArrayList<>();
    Reports.run(
        new AnalysisConfig(),
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord connection) {
            l.addAll(TransferLimits.of(connection.tcp(), connection.http(), new DetectOptions()));
          }

          @Override
          public void finding(Finding finding) {}

          @Override
          public void finish(CaptureTotals capture) {}
        },
        SampleFindings.sample(sample));
    assertEquals(1, l.size(), sample + ": " + l);
    return l.get(0);
  }

  private static long share(TransferLimits.Transfer x, long part) {
    return 100 * part / x.micros();
  }

  /** One cause, one finding: the dedicated finding states it, tcp.transfer_limited does not. */
  private static Finding coveredBy(String sample, TransferLimits.Transfer x, String type)
      throws IOException {
    assertEquals(type, x.coveredBy(), sample);
    assertEquals(List.of(), SampleFindings.of(sample, TransferLimitedDetector.TYPE), sample);
    List<Finding> l =
        SampleFindings.of(sample, type).stream()
            .filter(f -> f.transaction() == x.transaction())
            .toList();
    assertEquals(1, l.size(), sample + ": " + l);
    return l.get(0);
  }

  /** 4 KiB receive buffer, 4 KiB read every 10 ms, on loopback (a 11 µs round trip). */
  @Test
  void slowReaderOnLoopbackIsTheReader() throws IOException {
    TransferLimits.Transfer x = only("slow-reader");
    assertEquals(TransferLimits.READER_SLOW, x.limit());
    assertTrue(share(x, x.windowMicros()) >= 95, x.toString());
    // the client opened its window about 10 ms (its read pause) after the data reached it
    long hold = x.readerHoldMicros();
    assertTrue(hold > 8_000 && hold < 12_000, "hold " + hold);
    assertEquals(x.windowMicros(), x.costMicros());
    // stated once, by tcp.receive_window_limited, with the same cost, the diagnosis and its fix
    Finding f = coveredBy("slow-reader", x, ReceiveWindowLimitedDetector.TYPE);
    assertEquals(Severity.WARNING, f.severity());
    assertEquals(TransferLimits.READER_SLOW, f.details().get("limit"));
    assertEquals(x.costMicros(), f.costUs());
    assertEquals(hold, detail(f, "reader_hold_us"));
    assertTrue(f.summary().contains("its application read slowly"), f.summary());
    assertTrue(f.fix().contains("must read faster"), f.fix());
    assertTrue(f.fix().contains("only hides a slow reader"), f.fix());
  }

  /**
   * The same reader across a 50 ms round trip: its 2920-byte window, acknowledged at once, holds
   * the transfer before the reader does (record.sh: "a 4 KiB window per 50 ms round trip limits it
   * before the reader does"), from both ends alike.
   */
  @Test
  void slowReaderAcrossTheLinkIsTheWindowFromBothEnds() throws IOException {
    for (String s : List.of("slow-reader-link", "slow-reader-link-server")) {
      TransferLimits.Transfer x = only(s);
      assertEquals(TransferLimits.WINDOW_SMALL, x.limit(), s);
      assertTrue(share(x, x.windowMicros()) >= 75, s + ": " + x);
      assertEquals(2920, x.receiverMaxWindow(), s);
      assertTrue(x.readerHoldMicros() < x.rttMicros(), s + ": " + x);
      Finding f = coveredBy(s, x, ReceiveWindowLimitedDetector.TYPE);
      assertEquals(TransferLimits.WINDOW_SMALL, f.details().get("limit"), s);
      assertEquals(Severity.WARNING, f.severity(), s);
      assertTrue(f.summary().contains("too small for the path"), f.summary());
      assertTrue(f.fix().contains("bandwidth-delay product"), f.fix());
      assertTrue(!f.fix().contains("read faster"), f.fix());
    }
  }

  /** The server writes 64 KiB every 60 ms: the sender, not the network. */
  @Test
  void pausedWriterIsTheSender() throws IOException {
    TransferLimits.Transfer x = only("paused-writer");
    assertEquals(TransferLimits.APPLICATION, x.limit());
    assertTrue(share(x, x.applicationMicros()) >= 90, x.toString());
    assertTrue(share(x, x.windowMicros()) < 1, x.toString());
    assertTrue(x.pathRateLowerBound(), "paced by the app");
    Finding f = coveredBy("paused-writer", x, SenderPausedDetector.TYPE);
    assertEquals(x.costMicros(), f.costUs());
  }

  /**
   * The server writes 2 MiB in two 1 MiB pieces, 300 ms apart: one pause, below tcp.sender_paused's
   * count of 2, so tcp.transfer_limited states the sender limit. From the packets (tshark): frame
   * 53 ends the first piece, frame 54 the client's ACK of everything (window open), 300.742 ms
   * later frame 55 starts the second piece; the round trip is 7 µs.
   */
  @Test
  void onePauseIsTheSenderStatedHere() throws IOException {
    TransferLimits.Transfer x = only("one-pause-writer");
    assertEquals(TransferLimits.APPLICATION, x.limit());
    assertEquals(null, x.coveredBy());
    assertTrue(x.segments() >= 20, x.toString());
    assertTrue(share(x, x.applicationMicros()) >= 95, x.toString());
    assertEquals(List.of(), SampleFindings.of("one-pause-writer", SenderPausedDetector.TYPE));
    List<Finding> l = SampleFindings.of("one-pause-writer", TransferLimitedDetector.TYPE);
    assertEquals(1, l.size(), l.toString());
    Finding f = l.get(0);
    assertEquals(TransferLimits.APPLICATION, f.details().get("limit"));
    assertEquals("server", f.details().get("sender"));
    // the pause measured from the packets (ACK at frame 54 to frame 55), less the round trip
    assertTrue(Math.abs(f.costUs() - 300_742) <= 1_000, "cost " + f.costUs());
    assertEquals(x.costMicros(), f.costUs());
    // >= 100 ms and >= 10% of the transfer's time: a warning
    assertEquals(Severity.WARNING, f.severity());
    assertEquals("confirmed", f.confidence().id());
    // the evidence holds the pause (its first and next segment), not only the µs window blocks
    assertTrue(f.frames().containsAll(List.of(53L, 55L)), f.frames().toString());
    assertTrue(f.summary().contains("limited by the sender (application-limited)"), f.summary());
    assertTrue(f.fix().contains("produced the body slowly"), f.fix());
  }

  /**
   * 2 MiB through tc tbf 20 Mbit/s with a 32 KB queue, 20 ms each way: slow start overflows the
   * queue and SACK recovers; the ACK clock shows the 20 Mbit/s from both ends (tbf's 16 KB burst
   * lets it run a little faster over one round trip).
   */
  @Test
  void bottleneckIsCongestionLossAtTheTcRateFromBothEnds() throws IOException {
    for (String s : List.of("bottleneck-loss", "bottleneck-loss-server")) {
      TransferLimits.Transfer x = only(s);
      assertEquals(TransferLimits.LOSS, x.limit(), s);
      long rate = x.pathRateBps();
      assertTrue(rate >= 18_000_000 && rate <= 23_000_000, s + ": path rate " + rate);
      assertEquals(false, x.pathRateLowerBound(), s);
      assertTrue(x.goodputBps() < rate, s + ": goodput " + x.goodputBps() + " below " + rate);
      assertEquals(rate * x.rttMicros() / 8_000_000, x.bdpBytes(), s);
      assertTrue(x.lostSegments() >= 100, s);
      assertTrue(share(x, x.recoveryMicros()) >= 10, s + ": " + x);
      // cost: beyond what 2 MiB take at the path's rate
      long ideal = x.bytes() * 8_000_000 / rate;
      assertEquals(x.micros() - ideal, x.costMicros(), s);
      coveredBy(s, x, LossRecoveryDetector.TYPE);
    }
  }

  /** One drop in a 256 KiB slow start: the slow start, not the single fast retransmit. */
  @Test
  void oneDropInSlowStartIsSlowStart() throws IOException {
    TransferLimits.Transfer x = only("drop-fast-retransmit");
    assertEquals(TransferLimits.SLOW_START, x.limit());
    assertEquals(1, x.lostSegments());
    coveredBy("drop-fast-retransmit", x, SlowStartDetector.TYPE);
  }

  /** A cold 256 KiB response: tcp.slow_start's, with its cost, not a second one. */
  @Test
  void coldResponseIsSlowStartStatedOnce() throws IOException {
    TransferLimits.Transfer x = only("slow-start-cold");
    assertEquals(TransferLimits.SLOW_START, x.limit());
    coveredBy("slow-start-cold", x, SlowStartDetector.TYPE);
  }

  /**
   * BBR, the third response after 1 s idle, sent in one flight: slow start held none of it (no
   * flights that grew), so it is not named slow start, and tcp.slow_start does not judge it.
   */
  @Test
  void aResponseInOneFlightIsNotSlowStart() throws IOException {
    List<Finding> l = SampleFindings.of("slow-start-delay", TransferLimitedDetector.TYPE);
    assertEquals(List.of(), l);
    assertTrue(
        SampleFindings.of("slow-start-delay", SlowStartDetector.TYPE).stream()
            .noneMatch(s -> s.transaction() == 2));
  }

  /** Small or fast transfers need no word. */
  @Test
  void cleanSamplesShowNothing() throws IOException {
    for (String s : List.of("keepalive-get", "delayed-link", "delayed-link-server", "pipelined")) {
      assertEquals(List.of(), SampleFindings.of(s, TransferLimitedDetector.TYPE), s);
    }
  }
}
