package io.connscope.robustness.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.connscope.report.ReportFormat;
import io.connscope.report.SavedReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Fuzzes {@code connscope report}: arbitrary bytes as a saved JSON report (seeds: small reports of
 * samples). The check against the schema may refuse them with an IOException; a report it accepts
 * must render in every format without any exception, with no markup of its own in Markdown (only
 * connscope's {@code <details>} and {@code <summary>}) and only connscope's one script in HTML.
 */
public class ReportFuzzTest {
  private static Path file;
  private static final Pattern MD_TAG = Pattern.compile("<(?!/?(details|summary)>)[A-Za-z/!?]");

  public static void fuzzerTestOneInput(byte[] data) {
    try {
      if (file == null) {
        file = Files.createTempFile("connscope-report-fuzz", ".json");
        file.toFile().deleteOnExit();
      }
      Files.write(file, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      SavedReport.check(file);
    } catch (IOException e) {
      if (e.getMessage() == null || e.getMessage().contains("\n")) {
        throw new AssertionError("a refusal is one line: " + e.getMessage());
      }
      return; // refused with a message: fine
    }
    for (ReportFormat f :
        new ReportFormat[] {
          ReportFormat.JSON, ReportFormat.MARKDOWN, ReportFormat.HTML, ReportFormat.HAR
        }) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        SavedReport.render(file, f, out, 3);
      } catch (IOException e) {
        throw new AssertionError("a report the schema accepts failed to render as " + f, e);
      }
      String s = out.toString(StandardCharsets.UTF_8);
      if (f == ReportFormat.MARKDOWN && MD_TAG.matcher(s).find()) {
        throw new AssertionError("markup from the report reached the Markdown: " + s);
      }
      if (f == ReportFormat.HTML && s.split("<script", -1).length != 2) {
        throw new AssertionError("a script from the report reached the HTML");
      }
    }
  }

  @FuzzTest(maxDuration = "3s")
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
