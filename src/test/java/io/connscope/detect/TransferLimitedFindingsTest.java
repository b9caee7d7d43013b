package io.connscope.detect;

import static io.connscope.detect.SampleFindings.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.detect.facts.TransferLimits;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tcp.transfer_limited on the recorded transfers (samples/record.sh says how each was made): what
 * limited each, from the client's and the server's vantage point, with the path's rate.
 */
class TransferLimitedFindingsTest {
  private static Finding only(String sample) throws IOException {
    List<Finding> l = SampleFindings.of(sample, TransferLimitedDetector.TYPE);
    assertEquals(1, l.size(), sample + ": " + l);
    return l.get(0);
  }

  private static long share(Finding f, String part) {
    return 100 * detail(f, part) / detail(f, "transfer_us");
  }

  /** 4 KiB receive buffer, 4 KiB read every 10 ms, on loopback (a 11 µs round trip). */
  @Test
  void slowReaderOnLoopbackIsTheReader() throws IOException {
    Finding f = only("slow-reader");
    assertEquals(TransferLimits.READER_SLOW, f.details().get("limit"));
    assertTrue(share(f, "receive_window_us") >= 95, f.summary());
    // the client opened its window about 10 ms (its read pause) after the data reached it
    long hold = detail(f, "reader_hold_us");
    assertTrue(hold > 8_000 && hold < 12_000, "hold " + hold);
    assertEquals(Severity.WARNING, f.severity());
    assertEquals(detail(f, "receive_window_us"), f.costUs());
    assertTrue(f.summary().contains("its application read slowly"), f.summary());
  }

  /**
   * The same reader across a 50 ms round trip: its 2920-byte window, acknowledged at once, holds
   * the transfer before the reader does (record.sh: "a 4 KiB window per 50 ms round trip limits it
   * before the reader does"), from both ends alike.
   */
  @Test
  void slowReaderAcrossTheLinkIsTheWindowFromBothEnds() throws IOException {
    for (String s : List.of("slow-reader-link", "slow-reader-link-server")) {
      Finding f = only(s);
      assertEquals(TransferLimits.WINDOW_SMALL, f.details().get("limit"), s);
      assertTrue(share(f, "receive_window_us") >= 75, s + ": " + f.summary());
      assertEquals(2920, detail(f, "receiver_max_window"), s);
      assertTrue(detail(f, "reader_hold_us") < detail(f, "rtt_us"), s + ": " + f.details());
      assertEquals(Severity.WARNING, f.severity(), s);
    }
  }

  /** The server writes 64 KiB every 60 ms: the sender, not the network. */
  @Test
  void pausedWriterIsTheSender() throws IOException {
    Finding f = only("paused-writer");
    assertEquals(TransferLimits.APPLICATION, f.details().get("limit"));
    assertTrue(share(f, "application_us") >= 90, f.summary());
    assertTrue(share(f, "receive_window_us") < 1, f.summary());
    assertEquals(Severity.WARNING, f.severity());
    assertEquals(
        1, f.details().get("path_rate_lower_bound") == Boolean.TRUE ? 1 : 0, "paced by the app");
  }

  /**
   * 2 MiB through tc tbf 20 Mbit/s with a 32 KB queue, 20 ms each way: slow start overflows the
   * queue and SACK recovers; the ACK clock shows the 20 Mbit/s from both ends (tbf's 16 KB burst
   * lets it run a little faster over one round trip).
   */
  @Test
  void bottleneckIsCongestionLossAtTheTcRateFromBothEnds() throws IOException {
    for (String s : List.of("bottleneck-loss", "bottleneck-loss-server")) {
      Finding f = only(s);
      assertEquals(TransferLimits.LOSS, f.details().get("limit"), s);
      long rate = detail(f, "path_rate_bps");
      assertTrue(rate >= 18_000_000 && rate <= 23_000_000, s + ": path rate " + rate);
      assertEquals(Boolean.FALSE, f.details().get("path_rate_lower_bound"), s);
      long goodput = detail(f, "goodput_bps");
      assertTrue(goodput < rate, s + ": goodput " + goodput + " below the path's " + rate);
      long bdp = detail(f, "bdp_bytes");
      assertEquals(rate * detail(f, "rtt_us") / 8_000_000, bdp, s);
      assertTrue(detail(f, "lost_segments") >= 100, s);
      assertTrue(share(f, "recovery_us") >= 10, s + ": " + f.summary());
      // cost: beyond what 2 MiB take at the path's rate
      long ideal = detail(f, "bytes") * 8_000_000 / rate;
      assertEquals(detail(f, "transfer_us") - ideal, f.costUs(), s);
      assertEquals(Severity.WARNING, f.severity(), s);
    }
  }

  /** One drop in a 256 KiB slow start: the slow start, not the single fast retransmit. */
  @Test
  void oneDropInSlowStartIsSlowStart() throws IOException {
    Finding f = only("drop-fast-retransmit");
    assertEquals(TransferLimits.SLOW_START, f.details().get("limit"));
    assertEquals(1, detail(f, "lost_segments"));
  }

  /** Small or fast transfers need no word. */
  @Test
  void cleanSamplesShowNothing() throws IOException {
    for (String s : List.of("keepalive-get", "delayed-link", "delayed-link-server", "pipelined")) {
      assertEquals(List.of(), SampleFindings.of(s, TransferLimitedDetector.TYPE), s);
    }
  }
}
