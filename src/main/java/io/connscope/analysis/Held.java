package io.connscope.analysis;

import io.connscope.result.Finding;
import java.util.Arrays;

/**
 * The findings the per-connection detectors reported on one call (a transaction, or a connection's
 * close), held with the index of the detector that reported each and the phase of the close, so
 * that {@link CrossStage} hands them to the sink in detector order, interleaved with the findings
 * of the detectors that run across connections, exactly as one pass calling every detector in turn.
 * Public as a type only, for the Spark job's Kryo registrations ({@code
 * io.connscope.spark.KryoClasses}): it crosses to a stage in another process with the connection.
 */
public final class Held {
  static final byte TRANSACTION = 0, TLS = 1, CONNECTION = 2;

  private int[] detector = new int[4];
  private byte[] phase = new byte[4];
  private Finding[] findings = new Finding[4];
  private int size;

  void add(int detectorIndex, byte phaseOf, Finding f) {
    if (size == findings.length) {
      detector = Arrays.copyOf(detector, 2 * size);
      phase = Arrays.copyOf(phase, 2 * size);
      findings = Arrays.copyOf(findings, 2 * size);
    }
    detector[size] = detectorIndex;
    phase[size] = phaseOf;
    findings[size] = f;
    size++;
  }

  /** Hands over, in the order held, the findings of detector {@code index} in {@code phaseOf}. */
  void emit(int index, byte phaseOf, AnalysisSink sink) {
    for (int i = 0; i < size; i++) {
      if (detector[i] == index && phase[i] == phaseOf) {
        sink.finding(findings[i]);
      }
    }
  }
}
