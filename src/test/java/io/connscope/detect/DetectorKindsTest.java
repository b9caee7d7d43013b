package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.detect.facts.DetectOptions;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The contract a sharded analysis relies on (analysis.Shards): a detector that judges connections
 * alone reports nothing at the end of the capture (several instances run, one per shard, and the
 * end would have no order among them); only detectors across connections have a {@code finish}.
 */
class DetectorKindsTest {
  @Test
  void onlyDetectorsAcrossConnectionsReportAtTheEnd() throws NoSuchMethodException {
    DetectOptions o = new DetectOptions();
    int across = 0;
    for (Detector d : Detectors.all(o, new ConnectionFacts(o, new Warnings()))) {
      Class<?> declaring = d.getClass().getMethod("finish", Consumer.class).getDeclaringClass();
      if (d.acrossConnections()) {
        across++;
      } else {
        assertEquals(
            Detector.class, declaring, d.getClass().getSimpleName() + " judges alone: no finish");
      }
    }
    assertTrue(
        across > 0 && across < Detectors.all(o, new ConnectionFacts(o, new Warnings())).size());
  }
}
