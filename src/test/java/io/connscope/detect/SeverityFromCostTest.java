package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.result.Finding;
import io.connscope.result.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The severity rule (docs/findings.md, "Severity: from what it cost") over every recorded sample: a
 * warning always measured a cost (a finding with 0 ms cost is info or, when something failed,
 * error); the one exception is capture.loss, whose cost is to the analysis (data it needed is
 * missing), not to the user.
 */
class SeverityFromCostTest {
  @Test
  void noSampleHasAWarningThatCostNothing() throws IOException {
    List<Path> samples;
    try (Stream<Path> s = Files.list(Paths.get("samples"))) {
      samples = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
    }
    assertTrue(samples.size() > 30, "samples: " + samples.size());
    List<String> wrong = new ArrayList<>();
    int warnings = 0;
    for (Path p : samples) {
      for (Finding f : SampleFindings.of(p)) {
        if (f.severity() == Severity.WARNING) {
          warnings++;
          if (f.costUs() <= 0 && !f.type().equals(CaptureLossDetector.LOSS)) {
            wrong.add(p.getFileName() + " " + f.type() + " " + f.connection());
          }
        }
      }
    }
    assertTrue(warnings > 10, "warnings seen: " + warnings);
    assertTrue(wrong.isEmpty(), "warnings with no cost: " + wrong);
  }
}
