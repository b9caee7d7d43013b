package io.connscope.report;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Test helper: runs the whole pipeline over capture files and returns a report. */
public final class Reports {
  private Reports() {}

  public static String json(AnalysisConfig config, Path... files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    run(config, new JsonReportWriter(out, "test"), files);
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String json(Path... files) throws IOException {
    return json(new AnalysisConfig(), files);
  }

  public static String text(Path... files) throws IOException {
    StringWriter sw = new StringWriter();
    PrintWriter pw = new PrintWriter(sw);
    run(new AnalysisConfig(), new TextReportWriter(pw), files);
    pw.flush();
    return sw.toString();
  }

  /**
   * Runs the pipeline with its result model ({@link io.connscope.analysis.ResultBuilder}) into
   * {@code sink}.
   */
  public static void run(AnalysisConfig config, io.connscope.result.ResultSink sink, Path... files)
      throws IOException {
    run(config, new io.connscope.analysis.ResultBuilder(sink), files);
  }

  /** Runs the pipeline into {@code sink}, in the pipeline's own types. */
  public static void run(
      AnalysisConfig config, io.connscope.analysis.AnalysisSink sink, Path... files)
      throws IOException {
    Analysis a = new Analysis(config, sink);
    for (Path f : files) {
      try (PacketSource src = CaptureFiles.open(f, a.warnings())) {
        a.read(src, CaptureFiles.formatOf(src), null);
      }
    }
    a.finish();
  }
}
