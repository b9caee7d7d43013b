package io.connscope.analysis;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import java.io.IOException;
import java.nio.file.Path;

/** Test helper: analyses a capture file as {@code connscope analyze} does. */
final class AsAnalyzeDoes {
  private AsAnalyzeDoes() {}

  /**
   * Analyses {@code capture} into {@code results} on {@code threads} threads; when the shards' sums
   * reach a limit, the rest on one thread, the sink muted through what was already merged (as
   * {@code analyze} does). Returns whether that happened.
   */
  static boolean analyse(AnalysisConfig config, AnalysisSink results, int threads, Path capture)
      throws IOException {
    try {
      analyse(new Analysis(config, results, threads), capture);
      return false;
    } catch (ShardsDiverged d) {
      Analysis again = new Analysis(config, results, 1);
      again.muteThrough(d.mergedThrough());
      analyse(again, capture);
      return true;
    }
  }

  /** Reads {@code capture} into {@code a} and finishes it. */
  static void analyse(Analysis a, Path capture) throws IOException {
    try (PacketSource src = CaptureFiles.open(capture, a.warnings())) {
      a.read(src, CaptureFiles.formatOf(src), null);
    }
    a.finish();
  }
}
