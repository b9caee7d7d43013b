package io.connscope.detect;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Test helper: the findings of the whole pipeline over a capture, by type. */
final class SampleFindings {
  private SampleFindings() {}

  static Path sample(String name) {
    Path p = Paths.get("samples", name + ".pcap");
    assumeTrue(Files.exists(p), "sample " + p + " missing");
    return p;
  }

  static List<Finding> of(Path file) throws IOException {
    return of(file, new AnalysisConfig());
  }

  static List<Finding> of(Path file, AnalysisConfig config) throws IOException {
    List<Finding> out = new ArrayList<>();
    Reports.run(
        config,
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord connection) {}

          @Override
          public void finding(Finding finding) {
            out.add(finding);
          }

          @Override
          public void finish(CaptureTotals capture) {}
        },
        file);
    return out;
  }

  static List<Finding> of(String sample, String type) throws IOException {
    return of(sample(sample)).stream().filter(f -> f.type().equals(type)).toList();
  }

  static long detail(Finding f, String name) {
    return ((Number) f.details().get(name)).longValue();
  }
}
