package io.connscope.analysis;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Test helper: runs the pipeline in its two parts, a connection stage ({@link
 * Analysis#connectionStage}) over every frame and a {@link CrossReplay}, with every event that
 * crosses between them handed to {@code boundary} first, which returns what the cross stage
 * receives instead (a copy that went through a serializer, as a stage in another process would
 * receive it).
 */
public final class Crossing {
  private Crossing() {}

  /**
   * Runs {@code files} in order through both stages into {@code sink}, through {@code boundary}.
   */
  public static void run(
      AnalysisConfig config, AnalysisSink sink, UnaryOperator<StageEvent> boundary, Path... files)
      throws IOException {
    CrossReplay replay = new CrossReplay(config, sink);
    // one connection stage over everything: its events come in position order
    Analysis a = Analysis.connectionStage(config, e -> replay.accept(boundary.apply(e)));
    for (Path f : files) {
      try (PacketSource src = CaptureFiles.open(f, a.warnings())) {
        a.read(src, CaptureFiles.formatOf(src), null);
      }
    }
    a.finish();
    replay.stage(a.tcpPackets(), a.connections(), a.warnings());
    replay.finish(a.readTotals());
  }
}
