package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.report.Budget;
import io.connscope.robustness.BigCaptures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports that fit where they go, on a generated capture far larger than their budgets (6,000
 * transactions on 2,000 keep-alive connections, 500 client/server pairs, 6,000 distinct request
 * patterns whose paths are long runs of Markdown and HTML syntax): the Markdown of {@code analyze}
 * and of {@code diff} stays under {@value Budget#MARKDOWN} characters and points to the HTML/JSON
 * for the rest; the text report's size follows its fixed bounds, not the traffic.
 */
class ReportSizeTest {
  @Test
  void markdownAndTextStayBoundedOnAManyPatternCapture(@TempDir Path dir) throws Exception {
    Path before = dir.resolve("before.pcap");
    Path after = dir.resolve("after.pcap");
    BigCaptures.patterns(2000, 0, before);
    BigCaptures.patterns(2000, 30_000, after); // every answer 30 ms later

    Path md = dir.resolve("r.md");
    Path txt = dir.resolve("r.txt");
    Path json = dir.resolve("r.json");
    MainTest.Result r =
        MainTest.run(
            "analyze",
            before.toString(),
            "-o",
            md.toString(),
            "-o",
            txt.toString(),
            "-o",
            json.toString());
    assertEquals(0, r.code(), r.err());
    String m = Files.readString(md, StandardCharsets.UTF_8);
    assertTrue(m.length() < Budget.MARKDOWN, "Markdown of " + m.length() + " characters");
    assertTrue(m.contains("6000 transactions"), "the summary counts every transaction");
    assertTrue(m.contains("more patterns: see the HTML/JSON report"), "the rest is pointed to");
    assertTrue(m.contains("## Slowest transactions"));
    assertFalse(m.contains("<script>"), "packet strings stay escaped");
    String t = Files.readString(txt, StandardCharsets.UTF_8);
    // the text report is bounded by counts: at most 50 findings (summary cut at 600 characters,
    // fix at 300), 20 pairs of 5 patterns, 20 connections of 10 transactions, 5 slowest; here
    // every pair also has its connection.setup_overhead (info) finding
    assertTrue(t.length() < 100_000, "text report of " + t.length() + " characters");
    assertTrue(t.contains("more patterns (see --format json or html)"));
    String j = Files.readString(json, StandardCharsets.UTF_8);
    assertTrue(j.contains("\"time_us\""), "the JSON has every pattern");

    // the same Markdown from the saved JSON report
    MainTest.Result again = MainTest.run("report", json.toString(), "--format", "markdown");
    assertEquals(0, again.code(), again.err());
    assertEquals(m, again.out());

    MainTest.Result d =
        MainTest.run("diff", before.toString(), after.toString(), "--format", "markdown");
    assertEquals(0, d.code(), d.err());
    assertTrue(d.out().length() < Budget.MARKDOWN, "diff Markdown of " + d.out().length());
    assertTrue(d.out().contains("more patterns: see the HTML/JSON diff"), d.out());
    assertTrue(d.out().contains("### Regressions"), "the gate's section is kept");
  }
}
