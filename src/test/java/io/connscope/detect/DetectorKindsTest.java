package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connscope.common.Warnings;
import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.tcp.Connection;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The two kinds of detectors (analysis.Shards and the stages rely on the split): which detectors
 * run across connections, in the order of {@link Detectors#all}. Moving a detector from one kind to
 * the other changes where it runs and what it may read; this list says it was meant.
 */
class DetectorKindsTest {
  @Test
  void theDetectorsAcrossConnectionsAreThePairAndLinkOnes() {
    DetectOptions o = new DetectOptions();
    List<String> across =
        Detectors.all(o, new ConnectionFacts(o, new Warnings())).stream()
            .filter(d -> d instanceof CrossDetector)
            .map(d -> d.getClass().getSimpleName())
            .toList();
    assertEquals(
        List.of(
            "KeepAliveProxyHangDetector",
            "HopByHopForwardedDetector",
            "KeepAliveRefusedDetector",
            "KeepAliveNotRequestedDetector",
            "KeepAliveStaleReuseDetector",
            "KeepAliveLimitDetector",
            "ConnectionSetupOverheadDetector",
            "TimeWaitReuseDetector",
            "PortExhaustionDetector",
            "TlsResumptionMissedDetector",
            "TlsSetupShareDetector"),
        across);
  }

  /**
   * The connection stage calls {@link ConnectionDetector#transaction} only on the detectors that
   * say they judge transactions: a detector that overrides it must say so, or it is never called.
   */
  @Test
  void theDetectorsThatJudgeTransactionsAreThoseThatOverrideTransaction() throws Exception {
    DetectOptions o = new DetectOptions();
    for (Detector d : Detectors.all(o, new ConnectionFacts(o, new Warnings()))) {
      if (d instanceof ConnectionDetector c) {
        boolean overrides =
            c.getClass()
                    .getMethod(
                        "transaction",
                        Connection.class,
                        HttpTracker.class,
                        Transaction.class,
                        Consumer.class)
                    .getDeclaringClass()
                != ConnectionDetector.class;
        assertEquals(overrides, c.judgesTransactions(), d.getClass().getSimpleName());
      }
    }
  }
}
