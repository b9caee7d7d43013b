package io.connscope.detect;

import static io.connscope.detect.SampleFindings.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.result.Finding;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One focused test per finding of the connection-use family, on the real samples recorded by
 * samples/record.sh (times there: a 25 ms delay line each way, so a 50 ms round trip), and the
 * controls that must stay clean.
 */
class ConnectionUseFindingsTest {
  static final Set<String> TYPES =
      Set.of(
          ConnectionSetupOverheadDetector.TYPE,
          SynRetryDetector.TYPE,
          TimeWaitReuseDetector.TYPE,
          PortExhaustionDetector.TYPE,
          SlowStartDetector.TYPE,
          RetransmissionStallDetector.TYPE,
          CaptureLossDetector.LOSS,
          CaptureLossDetector.TRUNCATED);

  static void assertNear(long expected, long actual, double tolerance, String what) {
    assertTrue(
        Math.abs(actual - expected) <= expected * tolerance,
        what + ": expected about " + expected + " within " + tolerance + ", got " + actual);
  }

  @Test
  void serialConnectionPerRequestThroughDelayIsSetupOverhead() throws IOException {
    List<Finding> fs =
        SampleFindings.of("setup-serial-delay", ConnectionSetupOverheadDetector.TYPE);
    assertEquals(1, fs.size(), fs.toString());
    Finding f = fs.get(0);
    assertEquals("C1", f.connection());
    assertEquals("confirmed", f.confidence().id());
    assertEquals(List.of(1L, 9L, 19L, 29L, 39L, 49L, 59L, 69L), f.frames(), "the 8 SYNs");
    assertEquals("serial", f.details().get("pattern"));
    assertEquals(1L, detail(f, "peak_concurrent"));
    assertEquals(7L, detail(f, "setups_avoidable"));
    // 7 avoidable handshakes of one 50 ms round trip each
    assertNear(7 * 50_500, f.costUs(), 0.1, "cost");
  }

  @Test
  void parallelConnectionsKeepOnePerSlot() throws IOException {
    List<Finding> fs =
        SampleFindings.of("setup-parallel-delay", ConnectionSetupOverheadDetector.TYPE);
    assertEquals(1, fs.size(), fs.toString());
    Finding f = fs.get(0);
    assertEquals("parallel", f.details().get("pattern"));
    assertEquals(4L, detail(f, "peak_concurrent"));
    assertEquals(8L, detail(f, "setups_avoidable"), "12 connections, 4 kept");
    assertNear(8 * 50_500, f.costUs(), 0.1, "cost");
  }

  @Test
  void persistentConnectionsHaveNoSetupOverhead() throws IOException {
    assertEquals(
        List.of(),
        SampleFindings.of("setup-persistent-delay", ConnectionSetupOverheadDetector.TYPE));
  }

  /**
   * A connection per request on loopback costs microseconds: info, not silence, with what the same
   * pattern costs at the reference round trip (50 ms each avoidable setup).
   */
  @ParameterizedTest
  @CsvSource({"setup-serial-loopback, 7", "connection-close, 2"})
  void loopbackSetupWithoutReuseIsInfoWithItsCostAtAReferenceRoundTrip(
      String sample, long avoidable) throws IOException {
    List<Finding> fs = SampleFindings.of(sample, ConnectionSetupOverheadDetector.TYPE);
    assertEquals(1, fs.size(), fs.toString());
    Finding f = fs.get(0);
    assertEquals("info", f.severity().id());
    assertEquals("serial", f.details().get("pattern"));
    assertEquals(avoidable, detail(f, "setups_avoidable"));
    assertTrue(f.costUs() > 0 && f.costUs() < 5_000, "loopback handshakes: " + f.costUs());
    assertEquals(50_000L, detail(f, "at_rtt_us"));
    assertEquals(avoidable * 50_000, detail(f, "cost_at_rtt_us"));
    assertTrue(
        f.summary()
            .contains(
                "at 50 ms per round trip these "
                    + avoidable
                    + " setups would cost "
                    + avoidable * 50
                    + " ms"),
        f.summary());
  }

  @Test
  void droppedSynCostsTheOneSecondRetryAndClosedPortIsRefused() throws IOException {
    List<Finding> fs = SampleFindings.of("syn-retry", SynRetryDetector.TYPE);
    assertEquals(2, fs.size(), fs.toString());
    Finding retry = fs.get(0);
    assertEquals("C1", retry.connection());
    assertEquals("syn_retransmission", retry.details().get("kind"));
    assertEquals(List.of(1L, 2L, 3L), retry.frames(), "first SYN, retried SYN, SYN/ACK");
    assertNear(1_000_000, retry.costUs(), 0.1, "Linux's initial SYN timeout");
    Finding refused = fs.get(1);
    assertEquals("C2", refused.connection());
    assertEquals("refused", refused.details().get("kind"));
    assertEquals("warning", retry.severity().id(), "the connect took 1 s longer");
    assertEquals("error", refused.severity().id(), "the connect failed");
    assertEquals(List.of(12L, 13L), refused.frames(), "SYN and RST");
    assertNear(50_500, refused.costUs(), 0.1, "one round trip to the RST");
  }

  @Test
  void fixedSourcePortReusesTheServersTimeWaitTuple() throws IOException {
    List<Finding> fs = SampleFindings.of("time-wait-reuse", TimeWaitReuseDetector.TYPE);
    assertEquals(1, fs.size(), fs.toString());
    Finding f = fs.get(0);
    assertEquals("C2", f.connection(), "the first reusing connection");
    assertEquals(4L, detail(f, "reuses"));
    assertEquals(4L, detail(f, "time_wait_on_server"), "the server closed first");
    assertEquals(0L, detail(f, "time_wait_on_client"));
    assertNear(200_000, detail(f, "min_delay_us"), 0.25, "the client paused 0.2 s");
    assertEquals(0, f.costUs());
    assertEquals("info", f.severity().id());
    assertEquals(8, f.frames().size(), "each previous FIN and new SYN");
  }

  @Test
  void tinyPortRangeCyclesThroughClientTimeWait() throws IOException {
    List<Finding> tw = SampleFindings.of("port-cycle", TimeWaitReuseDetector.TYPE);
    assertEquals(1, tw.size(), tw.toString());
    assertEquals(16L, detail(tw.get(0), "reuses"), "24 connections over 8 ports");
    assertEquals(16L, detail(tw.get(0), "time_wait_on_client"));
    List<Finding> pe = SampleFindings.of("port-cycle", PortExhaustionDetector.TYPE);
    assertEquals(1, pe.size(), pe.toString());
    Finding f = pe.get(0);
    assertEquals("warning", f.severity().id());
    assertEquals("suspected", f.confidence().id(), "failed connects leave no packet");
    assertEquals(true, f.details().get("ports_cycling"));
    assertEquals(8L, detail(f, "distinct_ports"));
    assertEquals(24L, detail(f, "connections"));
    // tcp_tw_reuse lets a port in TIME_WAIT go after 1 s
    assertNear(1_000_000, f.costUs(), 0.15, "longest pause");
  }

  /**
   * A client with 10 ephemeral ports (40000-40009, tcp_tw_reuse off) opened one connection per GET,
   * closing first, until connect() failed with EADDRNOTAVAIL: at 17 a second, far below the default
   * budget, it ran out; the failed connect left no packet.
   */
  @Test
  void smallRangeUsedUpOnceEachIsSuspectedExhaustion() throws IOException {
    List<Finding> pe = SampleFindings.of("port-exhausted", PortExhaustionDetector.TYPE);
    assertEquals(1, pe.size(), pe.toString());
    Finding f = pe.get(0);
    assertEquals("error", f.severity().id(), "connect() failed");
    assertEquals("suspected", f.confidence().id(), "a failed connect leaves no packet");
    assertEquals(true, f.details().get("ran_out"));
    assertEquals(false, f.details().get("ports_cycling"));
    assertEquals("40000-40009", f.details().get("suggested_port_range"));
    assertEquals(10L, detail(f, "distinct_ports"));
    assertEquals(10L, detail(f, "connections"));
    assertEquals(91L, detail(f, "last_syn_frame"), "the tenth SYN");
    assertTrue(detail(f, "budget_share_pct") < 10, "far below the budget");
    assertTrue(
        f.summary().contains("net.ipv4.ip_local_port_range = 40000 40009 (10 ports)"), f.summary());
    assertEquals(0, f.costUs());
  }

  /** Ports reused (port-cycle), spread over the default range (port-burst, the rest): no. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "port-cycle",
        "port-burst",
        "setup-serial-loopback",
        "setup-serial-delay",
        "connection-close",
        "time-wait-reuse",
        "framing-request"
      })
  void clientsThatDidNotRunOutAreNotSaidTo(String sample) throws IOException {
    for (Finding f : SampleFindings.of(sample, PortExhaustionDetector.TYPE)) {
      assertEquals(false, f.details().get("ran_out"), sample + ": " + f.summary());
    }
  }

  @Test
  void burstNearThePortBudgetIsReportedAsInfo() throws IOException {
    List<Finding> pe = SampleFindings.of("port-burst", PortExhaustionDetector.TYPE);
    assertEquals(1, pe.size(), pe.toString());
    Finding f = pe.get(0);
    assertEquals("info", f.severity().id());
    assertEquals(false, f.details().get("ports_cycling"));
    assertEquals(320L, detail(f, "connections"));
    assertEquals(320L, detail(f, "distinct_ports"));
    long peak = detail(f, "peak_per_second");
    assertTrue(peak >= 235 && peak <= 290, "about 260 a second, got " + peak);
    assertEquals(0, f.costUs());
    assertEquals(List.of(), SampleFindings.of("port-burst", TimeWaitReuseDetector.TYPE));
  }

  @Test
  void largeResponseOnNewConnectionPaysSlowStart() throws IOException {
    List<Finding> fs = SampleFindings.of("slow-start-delay", SlowStartDetector.TYPE);
    assertEquals(
        1,
        fs.size(),
        "the warm response and the one after 1 s idle (sent in one"
            + " flight by this kernel) are not reported: "
            + fs);
    Finding f = fs.get(0);
    assertEquals("C1", f.connection());
    assertEquals(0, f.transaction());
    assertEquals("confirmed", f.confidence().id(), "measured against the warm transaction #1");
    assertEquals("new_connection", f.details().get("kind"));
    assertEquals(3L, detail(f, "flights"));
    assertEquals(1L, detail(f, "reference_flights"));
    assertEquals(1L, detail(f, "reference_transaction"));
    assertEquals(6L, f.frames().get(0), "first segment of the response");
    assertNear(2 * 50_500, f.costUs(), 0.1, "two extra round trips");
  }

  /**
   * One 256 KiB response on a new connection across a 50 ms path, Reno: flights of 10, 20, 40, 80
   * and 32 segments, what slow start from an initial window of 10 predicts; no warm response on the
   * connection, so the warm round trips come from the client's receive window.
   */
  @Test
  void coldResponseIsJudgedOnItsOwnAgainstTheInitialWindow() throws IOException {
    List<Finding> fs = SampleFindings.of("slow-start-cold", SlowStartDetector.TYPE);
    assertEquals(1, fs.size(), fs.toString());
    Finding f = fs.get(0);
    assertEquals("new_connection", f.details().get("kind"));
    assertEquals("confirmed", f.confidence().id(), "the flights match the model");
    assertEquals("warning", f.severity().id());
    assertEquals(List.of(14480L, 28960L, 57920L, 115840L, 45027L), f.details().get("flight_bytes"));
    assertEquals(14480L, detail(f, "initial_window_bytes"));
    assertEquals(5L, detail(f, "predicted_flights"));
    assertEquals(5L, detail(f, "flights"));
    assertEquals("receive_window", f.details().get("warm_from"));
    assertEquals(1L, detail(f, "reference_flights"));
    assertEquals(4L, detail(f, "extra_round_trips"));
    long rtt = detail(f, "rtt_us");
    assertNear(50_500, rtt, 0.15, "the 25 ms + 25 ms line");
    assertEquals(4 * rtt, f.costUs(), "each extra round trip costs one round trip");
  }

  /**
   * Three 128 KiB responses on one connection, Reno: cold (4 flights), warm (1), then after 1.5 s
   * idle the window restarts from 10 segments (4 flights again).
   */
  @Test
  void responseAfterIdleRestartsFromTheInitialWindow() throws IOException {
    List<Finding> fs = SampleFindings.of("slow-start-idle", SlowStartDetector.TYPE);
    assertEquals(2, fs.size(), fs.toString());
    assertEquals("new_connection", fs.get(0).details().get("kind"));
    assertEquals(0, fs.get(0).transaction());
    Finding f = fs.get(1);
    assertEquals("restart_after_idle", f.details().get("kind"));
    assertEquals(2, f.transaction());
    assertEquals("confirmed", f.confidence().id());
    assertTrue(detail(f, "idle_before_us") > 1_400_000, "1.5 s idle");
    assertEquals(List.of(14480L, 28960L, 57920L, 29795L), f.details().get("flight_bytes"));
    assertEquals(1L, detail(f, "reference_flights"), "the warm transaction #1 took one flight");
    assertEquals(1L, detail(f, "reference_transaction"));
    assertEquals(3L, detail(f, "extra_round_trips"));
    assertEquals(3 * detail(f, "rtt_us"), f.costUs());
  }

  @Test
  void droppedResponseWaitsForTheRetransmissionTimeout() throws IOException {
    List<Finding> fs = SampleFindings.of("rto-delay", RetransmissionStallDetector.TYPE);
    assertEquals(1, fs.size(), fs.toString());
    Finding f = fs.get(0);
    assertEquals("C1", f.connection());
    assertEquals(1, f.transaction(), "the second response was dropped");
    assertEquals("timeout", f.details().get("kind"));
    assertEquals("server", f.details().get("sender"));
    assertEquals(List.of(10L), f.frames(), "the retransmission");
    // the server retransmitted 253 ms after the original; one 50 ms round trip was due anyway
    assertNear(203_000, f.costUs(), 0.1, "cost");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "keepalive-get",
        "pipelined",
        "chunked-and-head",
        "post-100-continue",
        "ipv6-close-delimited",
        "nagle-post-split",
        "nagle-post-nodelay",
        "server-split-response",
        "delayed-link",
        "setup-persistent-delay"
      })
  void cleanSamplesHaveNoneOfTheseFindings(String sample) throws IOException {
    List<Finding> fs =
        SampleFindings.of(SampleFindings.sample(sample)).stream()
            .filter(f -> TYPES.contains(f.type()))
            .toList();
    assertEquals(List.of(), fs);
  }
}
