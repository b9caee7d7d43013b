package io.connscope.detect;

import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.PairAggregator;
import java.util.List;

/** The detectors of a default analysis, in the order they run. */
public final class Detectors {
  private Detectors() {}

  /**
   * The detectors, reading the facts the stage before them computed ({@code facts}: pair aggregates
   * and the index of HTTP connections, fed by the pipeline before the detectors see a connection).
   * No detector calls another.
   */
  public static List<Detector> all(DetectOptions options, ConnectionFacts facts) {
    HttpConnections index = facts.links();
    PairAggregator pairs = facts.pairs();
    return List.of(
        new DelayedAckStallDetector(options, facts.scans()),
        new NagleDelayDetector(options, facts.scans()),
        new KeepAliveProxyHangDetector(options, index),
        new HopByHopForwardedDetector(options, index),
        new KeepAliveRefusedDetector(options, index),
        new KeepAliveNotRequestedDetector(options, index),
        new CloseDelimitedDetector(options),
        new FramingErrorDetector(options),
        new KeepAliveStaleReuseDetector(options, index),
        new KeepAliveLimitDetector(options, index),
        new PipeliningDetector(options),
        new UnansweredDetector(options),
        new SynRetryDetector(options),
        new ConnectionSetupOverheadDetector(options, pairs),
        new TimeWaitReuseDetector(options),
        new PortExhaustionDetector(options),
        new SlowStartDetector(options),
        new RetransmissionStallDetector(options),
        new LossRecoveryDetector(options),
        new ReceiveWindowLimitedDetector(options, facts.scans()),
        new SenderPausedDetector(options, facts.scans()),
        new TransferLimitedDetector(options, facts),
        new CaptureLossDetector(options),
        new TlsHandshakeFailedDetector(options),
        new TlsResumptionMissedDetector(options),
        new TlsSetupShareDetector(options, pairs));
  }
}
