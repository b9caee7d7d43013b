package io.connscope.detect;

import io.connscope.capture.Warnings;
import java.util.List;

/** The detectors of a default analysis, in the order they run. */
public final class Detectors {
  private Detectors() {}

  /**
   * The detectors, reading the analysis' pair aggregates {@code pairs} (fed by the pipeline
   * before the detectors see a connection); what a detector could not do for a limit is counted in
   * {@code warnings}.
   */
  public static List<Detector> all(DetectOptions options, PairAggregator pairs, Warnings warnings) {
    // first: indexes for the linking detectors
    HttpConnections index = new HttpConnections(options, warnings);
    return List.of(index, new DelayedAckStallDetector(options), new NagleDelayDetector(options),
        new KeepAliveProxyHangDetector(options, index), new HopByHopForwardedDetector(options, index),
        new KeepAliveRefusedDetector(options, index), new KeepAliveNotRequestedDetector(options, index),
        new CloseDelimitedDetector(options), new FramingErrorDetector(options),
        new KeepAliveStaleReuseDetector(options, index), new KeepAliveLimitDetector(options, index),
        new PipeliningDetector(options), new UnansweredDetector(options),
        new SynRetryDetector(options), new ConnectionSetupOverheadDetector(options, pairs),
        new TimeWaitReuseDetector(options), new PortExhaustionDetector(options),
        new SlowStartDetector(options), new RetransmissionStallDetector(options),
        new LossRecoveryDetector(options),
        new ReceiveWindowLimitedDetector(options), new SenderPausedDetector(options),
        new CaptureLossDetector(options));
  }
}
