package io.connscope.detect;

import static io.connscope.detect.SampleFindings.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tcp.loss_recovery on real captures (samples/record.sh says how each was recorded): the same
 * bottleneck download seen at the client and at the server, a single chosen drop repaired by fast
 * retransmit, a tail drop repaired by a timeout, and clean controls.
 */
class LossRecoveryFindingsTest {
  private static Finding only(String sample) throws IOException {
    List<Finding> l = SampleFindings.of(sample, LossRecoveryDetector.TYPE);
    assertEquals(1, l.size(), sample + ": " + l);
    return l.get(0);
  }

  /**
   * At the client, after the bottleneck: every loss is a hole in the server's bytes that a
   * retransmission fills later; the first recovery is the burst at the end of slow start.
   */
  @Test
  void bottleneckSeenAtTheClient() throws IOException {
    Finding f = only("bottleneck-loss");
    assertEquals("server", f.details().get("sender"));
    assertEquals(0, f.transaction());
    long retrans = detail(f, "retransmissions");
    assertTrue(retrans >= 50, "a burst, not a few: " + retrans);
    assertEquals(retrans, detail(f, "lost_before_capture"));
    assertEquals(0, detail(f, "repeated_after_capture"));
    assertEquals(
        retrans,
        detail(f, "fast") + detail(f, "sack") + detail(f, "recovery"),
        "SACK recovery, no timeout");
    assertTrue(detail(f, "fast") >= 1, "each recovery starts at the duplicated ACK");
    // the further holes are resent below bytes the client's SACK blocks reported held
    assertTrue(detail(f, "sack") > retrans / 2, f.details().toString());
    assertEquals(detail(f, "recoveries"), detail(f, "sack_recoveries"));
    assertEquals(0, detail(f, "dsack_spurious"));
    assertTrue(f.summary().contains("SACK blocks drove every recovery"), f.summary());
    assertEquals(0, detail(f, "spurious"));
    assertEquals(0, detail(f, "capture_lost_bytes"));
    assertEquals(1, detail(f, "slow_start_overflow"));
    assertTrue(f.summary().contains("end of slow start"), f.summary());
    assertTrue(f.costUs() >= 50_000, "the recoveries cost at least a round trip each");
    assertEquals(Severity.WARNING, f.severity());
    assertEquals(Confidence.CONFIRMED, f.confidence());
  }

  /**
   * At the server, before the bottleneck: every original left, so each retransmission repeats bytes
   * seen; retransmissions that the full queue dropped again are repeated once more, so the server
   * side counts at least as many as the client side filled.
   */
  @Test
  void bottleneckSeenAtTheServer() throws IOException {
    Finding f = only("bottleneck-loss-server");
    long retrans = detail(f, "retransmissions");
    assertEquals(retrans, detail(f, "repeated_after_capture"));
    assertEquals(0, detail(f, "lost_before_capture"));
    assertEquals(retrans, detail(f, "fast") + detail(f, "sack") + detail(f, "recovery"));
    assertTrue(detail(f, "sack") > retrans / 2, f.details().toString());
    assertEquals(detail(f, "recoveries"), detail(f, "sack_recoveries"));
    assertEquals(1, detail(f, "slow_start_overflow"));
    Finding client = only("bottleneck-loss");
    assertTrue(retrans >= detail(client, "retransmissions"), retrans + " vs " + client);
    // the longest delay is the same loss seen from both ends: within one round trip (42 ms)
    long a = detail(f, "longest_delay_us"), b = detail(client, "longest_delay_us");
    assertTrue(Math.abs(a - b) < 42_000, a + " vs " + b);
  }

  /** The delay line dropped the server's 40th data frame: a fast retransmit fills the hole. */
  @Test
  void chosenDropIsFastRetransmit() throws IOException {
    Finding f = only("drop-fast-retransmit");
    assertEquals(1, detail(f, "retransmissions"));
    assertEquals(1, detail(f, "fast"));
    assertEquals(1, detail(f, "lost_before_capture"));
    assertEquals(0, detail(f, "slow_start_overflow"));
    // frame 80 comes after the hole, 155 fills it (tshark: lost_segment, fast_retransmission)
    assertEquals(List.of(80L, 155L), f.frames());
    // about one round trip (42 ms at the client) late
    assertTrue(f.costUs() > 40_000 && f.costUs() < 100_000, "" + f.costUs());
  }

  /** A lost one-segment response at the tail: nothing else to ACK, so a timeout repairs it. */
  @Test
  void tailDropIsTimeout() throws IOException {
    Finding f = only("rto-delay");
    assertEquals(1, detail(f, "retransmissions"));
    assertEquals(1, detail(f, "rto") + detail(f, "tlp"));
    assertEquals(1, detail(f, "repeated_after_capture"));
    long delay = detail(f, "timeout_delay_us");
    assertTrue(delay >= 200_000, "at least Linux's minimum RTO: " + delay);
    // the wait for the timer is tcp.retransmission_stall's cost: not counted twice
    assertEquals(1, detail(f, "timeout_recoveries"));
    assertEquals(0, f.costUs());
    assertEquals(Severity.INFO, f.severity());
    assertEquals(1, SampleFindings.of("rto-delay", RetransmissionStallDetector.TYPE).size());
  }

  /**
   * The slow reader's server resends the tail of a full window twice (frames 11 and 14); the
   * client's D-SACKs (frames 12 and 15, a first SACK block below the ACK: RFC 2883) report both
   * received twice: spurious, nothing lost, no cost (before D-SACK was read, they were in-recovery
   * retransmits that 'delayed' the data 15.9 ms).
   */
  @Test
  void dsackShowsTheSlowReadersRetransmissionsSpurious() throws IOException {
    Finding f = only("slow-reader");
    assertEquals(2, detail(f, "retransmissions"));
    assertEquals(2, detail(f, "spurious"));
    assertEquals(2, detail(f, "dsack_spurious"));
    assertEquals(0, detail(f, "lost_segments"));
    assertEquals(0, f.costUs());
    assertEquals(Severity.INFO, f.severity());
    assertEquals(List.of(10L, 11L, 12L, 13L, 14L, 15L), f.frames());
    assertTrue(f.summary().contains("D-SACKs reported their bytes received twice"), f.summary());
  }

  /**
   * Clean transfers show nothing: loopback, the delay line without drops, slow start alone.
   * (slow-reader is not clean: see {@link #dsackShowsTheSlowReadersRetransmissionsSpurious}.)
   */
  @Test
  void cleanSamplesShowNothing() throws IOException {
    for (String s :
        List.of(
            "keepalive-get",
            "slow-start-delay",
            "delayed-link",
            "delayed-link-server",
            "paused-writer",
            "setup-parallel-delay")) {
      assertEquals(List.of(), SampleFindings.of(s, LossRecoveryDetector.TYPE), s);
    }
  }
}
