package io.connscope.detect;

import java.util.List;

/** The detectors of a default analysis, in the order they run. */
public final class Detectors {
  private Detectors() {}

  public static List<Detector> all(DetectOptions options) {
    return List.of(new DelayedAckStallDetector(options), new NagleDelayDetector(options),
        new SynRetryDetector(options), new ConnectionSetupOverheadDetector(options),
        new TimeWaitReuseDetector(options), new PortExhaustionDetector(options),
        new SlowStartDetector(options), new RetransmissionStallDetector(options),
        new CaptureLossDetector(options));
  }
}
