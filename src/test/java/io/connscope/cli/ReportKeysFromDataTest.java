package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Map keys a report file brings (a connection's HTTP anomalies, its stall summary: the schema lets
 * them be any string) are written back escaped, as any string from the data: an unpaired surrogate
 * is an escape, not an internal error, and keys are not kept past the run.
 */
class ReportKeysFromDataTest {
  /**
   * Analyses the sample to a report file, puts {@code edited} in place of the first {@code found}
   * (which the report must hold), has {@code report} write the file back as JSON, and returns that.
   */
  private static String writtenBack(Path tmp, String found, String edited, String what)
      throws Exception {
    Path json = tmp.resolve("r.json");
    MainTest.Result a =
        MainTest.run("analyze", "samples/keepalive-get.pcap", "-o", json.toString());
    assertEquals(0, a.code(), a.err());
    String text = Files.readString(json, StandardCharsets.UTF_8);
    assertTrue(text.contains(found), what);
    Files.writeString(
        json,
        text.replaceFirst(
            java.util.regex.Pattern.quote(found), java.util.regex.Matcher.quoteReplacement(edited)),
        StandardCharsets.UTF_8);
    Path out = tmp.resolve("again.json");
    MainTest.Result r = MainTest.run("report", json.toString(), "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  @Test
  void anyKeyOfTheDataIsWrittenBackEscaped(@TempDir Path tmp) throws Exception {
    String out =
        writtenBack(
            tmp,
            "\"anomalies\":{}",
            "\"anomalies\":{\"x\\ud800y\":1}",
            "a connection without anomalies");
    assertTrue(out.contains("\"anomalies\":{\"x\\uD800y\":1}"), "the key written back escaped");
  }

  /**
   * A transaction's strings from a report file (its URI here) are written back as the generator
   * writes any string: surrogates as escapes, an unpaired one too (it was an internal error).
   */
  @Test
  void anyTransactionStringOfTheDataIsWrittenBackEscaped(@TempDir Path tmp) throws Exception {
    String out =
        writtenBack(
            tmp,
            "\"uri\":\"/a.txt\"",
            "\"uri\":\"/a\\ud800b\\ud83d\\ude00c\"",
            "the sample's first request");
    assertTrue(
        out.contains("\"uri\":\"/a\\uD800b\\uD83D\\uDE00c\""), "the URI written back escaped");
  }
}
