package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connscope.report.SchemaCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connscope diff} on real samples: the same client before (nagle-post-split.pcap,
 * TCP_NODELAY off) and after (nagle-post-nodelay.pcap, TCP_NODELAY on) the fix, recorded by
 * samples/record.sh against servers on ports 18107 and 18108 (so the pair is matched with --map).
 * Goldens in src/test/resources/golden-diff (regenerate with {@code -Dgolden.update=true} and
 * review the diff).
 */
class DiffCommandTest {
  static final Path GOLDEN = Paths.get("src/test/resources/golden-diff");
  static final String BEFORE = "samples/nagle-post-split.pcap";
  static final String AFTER = "samples/nagle-post-nodelay.pcap";
  static final String MAP = "127.0.0.1:18107=127.0.0.1:18108";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  private static JsonNode schema() throws IOException {
    try (InputStream in = DiffCommandTest.class.getResourceAsStream("/schema/diff-v1.json")) {
      return MAPPER.readTree(in);
    }
  }

  private static void golden(String name, String actual) throws IOException {
    Path g = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(g, actual, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(g, StandardCharsets.UTF_8), actual, "golden " + g);
  }

  @Test
  void nagleFixGoldenInEveryFormat() throws IOException {
    for (String[] f :
        new String[][] {
          {"text", "nagle-fix.txt"},
          {"markdown", "nagle-fix.md"},
          {"json", "nagle-fix.json"},
          {"html", "nagle-fix.html"}
        }) {
      MainTest.Result r = MainTest.run("diff", BEFORE, AFTER, "--map", MAP, "--format", f[0]);
      assertEquals(0, r.code(), r.err());
      MainTest.Result again = MainTest.run("diff", BEFORE, AFTER, "--map", MAP, "--format", f[0]);
      assertEquals(r.out(), again.out(), "deterministic");
      golden(f[1], r.out());
    }
    JsonNode d =
        MAPPER.readTree(
            MainTest.run("diff", BEFORE, AFTER, "--map", MAP, "--format", "json").out());
    SchemaCheck.validate(d, schema());
    // the fix removes both stall types and nothing appears
    String verdict = d.path("verdict").asText();
    assertTrue(verdict.startsWith("tcp.delayed_ack_stall: 4 -> 0"), verdict);
    assertTrue(verdict.contains("tcp.nagle_delay: 4 -> 0"), verdict);
    assertTrue(verdict.endsWith("nothing new"), verdict);
    for (JsonNode f : d.path("findings")) {
      assertEquals("gone", f.path("status").asText(), f.toString());
    }
    JsonNode pair = d.path("pairs").get(0);
    assertEquals(1, d.path("pairs").size());
    assertEquals("map", pair.path("matched_by").asText());
    // the stalled requests (1..4) lose about 40 ms each; request 0 was never stalled
    assertTrue(pair.path("before").path("total_us").path("p90").asLong() > 40_000, pair.toString());
    assertTrue(pair.path("after").path("total_us").path("p90").asLong() < 5_000, pair.toString());
    assertEquals(5, pair.path("patterns").size());
    assertFalse(d.path("regression").path("failed").asBoolean());
  }

  /** Another fix: the same eight GETs on eight connections, then on one persistent connection. */
  @Test
  void persistentConnectionsFix() throws IOException {
    MainTest.Result r =
        MainTest.run(
            "diff",
            "samples/setup-serial-delay.pcap",
            "samples/setup-persistent-delay.pcap",
            "--map",
            "10.99.1.2:18120=10.99.1.2:18121",
            "--format",
            "json",
            "--fail-on-regression");
    assertEquals(0, r.code(), r.err());
    JsonNode d = MAPPER.readTree(r.out());
    SchemaCheck.validate(d, schema());
    assertTrue(
        d.path("verdict").asText().contains("connection.setup_overhead: 1 -> 0"),
        d.path("verdict").asText());
    assertTrue(
        d.path("verdict").asText().contains("connections 8 -> 1"), d.path("verdict").asText());
    JsonNode pair = d.path("pairs").get(0);
    assertEquals(1.0, pair.path("before").path("connections_per_transaction").asDouble());
    assertEquals(0.125, pair.path("after").path("connections_per_transaction").asDouble());
  }

  @Test
  void schemaRejectsWhatConnscopeWouldNotWrite() throws IOException {
    ObjectNode d =
        (ObjectNode) MAPPER.readTree(MainTest.run("diff", BEFORE, AFTER, "--format", "json").out());
    d.remove("verdict");
    assertThrows(IOException.class, () -> SchemaCheck.validate(d, schema()));
  }

  @Test
  void withoutMapDifferentServersAreNeverPaired() throws IOException {
    JsonNode d = MAPPER.readTree(MainTest.run("diff", BEFORE, AFTER, "--format", "json").out());
    assertEquals(2, d.path("pairs").size());
    assertEquals("before_only", d.path("pairs").get(0).path("matched_by").asText());
    assertEquals("after_only", d.path("pairs").get(1).path("matched_by").asText());
    assertTrue(
        d.path("verdict").asText().contains("1 server only before; 1 server only after"),
        d.toString());
  }

  @Test
  void captureAgainstItsOwnSavedReportIsNoChange() throws IOException {
    Path json = tmp.resolve("split.json");
    assertEquals(0, MainTest.run("analyze", BEFORE, "-o", json.toString()).code());
    MainTest.Result r = MainTest.run("diff", "--fail-on-regression", BEFORE, json.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("verdict: no change: 5 transactions, the same findings"), r.out());
    MainTest.Result back =
        MainTest.run("diff", "--fail-on-regression", json.toString(), BEFORE, "--format", "json");
    assertEquals(0, back.code(), back.err());
    JsonNode d = MAPPER.readTree(back.out());
    for (JsonNode f : d.path("findings")) {
      assertEquals("same", f.path("status").asText(), f.toString());
    }
    assertEquals("address", d.path("pairs").get(0).path("matched_by").asText());
  }

  @Test
  void failOnRegressionExitCodesBothWays() throws IOException {
    assertEquals(
        0, MainTest.run("diff", "--fail-on-regression", BEFORE, AFTER, "--map", MAP).code());
    String back = "127.0.0.1:18108=127.0.0.1:18107";
    MainTest.Result r =
        MainTest.run(
            "diff", "--fail-on-regression", AFTER, BEFORE, "--map", back, "--format", "json");
    assertEquals(ExitCodes.REGRESSION, r.code(), r.err());
    JsonNode d = MAPPER.readTree(r.out());
    assertTrue(d.path("regression").path("failed").asBoolean());
    assertTrue(
        d.path("regression")
            .path("regressions")
            .get(0)
            .asText()
            .startsWith("new finding tcp.delayed_ack_stall"));
    // without the flag the same comparison exits 0
    assertEquals(0, MainTest.run("diff", AFTER, BEFORE, "--map", back).code());
    // p90 thresholds: only the new finding types are left when the p90 allowance is 100 ms
    JsonNode loose =
        MAPPER.readTree(
            MainTest.run(
                    "diff",
                    AFTER,
                    BEFORE,
                    "--map",
                    back,
                    "--format",
                    "json",
                    "--regression-p90-min-ms",
                    "100")
                .out());
    assertEquals(2, loose.path("regression").path("regressions").size(), loose.toString());
  }

  @Test
  void badInputsAreOneLineErrors() throws IOException {
    MainTest.assertOneLineError(
        MainTest.run("diff", "samples/no-such.pcap", AFTER), ExitCodes.INPUT, "no such file");
    MainTest.assertOneLineError(
        MainTest.run("diff", BEFORE, "samples/README.md"), ExitCodes.INPUT, "samples/README.md");
    Path damaged = tmp.resolve("damaged.json");
    Files.writeString(damaged, "{\"schema\":\"connscope-report\",\"schema_version\":\"1.0.0\"}");
    MainTest.assertOneLineError(
        MainTest.run("diff", damaged.toString(), AFTER), ExitCodes.INPUT, "damaged.json");
    Path notJson = tmp.resolve("broken.json");
    Files.writeString(notJson, "{\"schema\":");
    MainTest.assertOneLineError(
        MainTest.run("diff", BEFORE, notJson.toString()), ExitCodes.INPUT, "not a JSON document");
    MainTest.assertOneLineError(
        MainTest.run("diff", "--map", "nonsense", BEFORE, AFTER), ExitCodes.USAGE, "--map");
    MainTest.assertOneLineError(
        MainTest.run("diff", BEFORE, AFTER, "-o", tmp.resolve("x.pdf").toString()),
        ExitCodes.USAGE,
        "extension");
    MainTest.assertOneLineError(MainTest.run("diff", BEFORE), ExitCodes.USAGE, "AFTER");
  }

  /**
   * A side of several captures (repeated --before): the rotated pieces of BEFORE, named in any
   * order, are taken by their first packets, as one capture: the comparison is BEFORE's own.
   */
  @Test
  void aSideOfSeveralCapturesIsOneCapture() throws IOException {
    String whole = MainTest.run("diff", BEFORE, AFTER, "--map", MAP).out();
    MainTest.Result pieces =
        MainTest.run(
            "diff",
            "--before",
            "samples/rotated/nagle-post-split-2.pcap",
            "--before",
            "samples/rotated/nagle-post-split-0.pcap",
            "--before",
            "samples/rotated/nagle-post-split-3.pcap",
            "--before",
            "samples/rotated/nagle-post-split-1.pcap",
            "--after",
            AFTER,
            "--map",
            MAP);
    assertEquals(0, pieces.code(), pieces.err());
    // the same comparison; only the line naming the before side's inputs differs
    assertEquals(withoutBefore(whole), withoutBefore(pieces.out()));
    assertTrue(
        pieces
            .out()
            .contains(
                "before:  samples/rotated/nagle-post-split-2.pcap,"
                    + " samples/rotated/nagle-post-split-0.pcap,"
                    + " samples/rotated/nagle-post-split-3.pcap,"
                    + " samples/rotated/nagle-post-split-1.pcap (1 connection, 5 transactions)"),
        pieces.out());
    // a glob among them, and a saved report as the other side
    Path saved = tmp.resolve("after.json");
    assertEquals(0, MainTest.run("analyze", AFTER, "-o", saved.toString()).code());
    MainTest.Result mixed =
        MainTest.run(
            "diff",
            "--before",
            "samples/rotated/nagle-post-split-1.pcap",
            "--before",
            "samples/rotated/nagle-post-split-[023].pcap",
            "--after",
            saved.toString(),
            "--map",
            MAP);
    assertEquals(0, mixed.code(), mixed.err());
    assertEquals(withoutBefore(whole), withoutBefore(mixed.out()).replace(saved.toString(), AFTER));
  }

  private static String withoutBefore(String diff) {
    return diff.replaceAll("(?m)^before: .*\n", "");
  }

  @Test
  void sidesAreGivenOneWayAndASavedReportIsAWholeSide() throws IOException {
    Path saved = tmp.resolve("before.json");
    assertEquals(0, MainTest.run("analyze", BEFORE, "-o", saved.toString()).code());
    MainTest.assertOneLineError(
        MainTest.run("diff", "--before", saved.toString(), "--before", BEFORE, "--after", AFTER),
        ExitCodes.USAGE,
        "a saved report is a whole side");
    MainTest.assertOneLineError(
        MainTest.run("diff", "--before", BEFORE, "--after", AFTER, "--after", saved.toString()),
        ExitCodes.USAGE,
        "give it alone as --after");
    MainTest.assertOneLineError(
        MainTest.run("diff", BEFORE, AFTER, "--before", BEFORE), ExitCodes.USAGE, "not both");
    MainTest.assertOneLineError(
        MainTest.run("diff", "--before", BEFORE), ExitCodes.USAGE, "missing AFTER");
    MainTest.assertOneLineError(
        MainTest.run("diff", "--before", BEFORE, "--before", "samples/no-such.pcap", AFTER),
        ExitCodes.USAGE,
        "not both");
    MainTest.assertOneLineError(
        MainTest.run(
            "diff", "--before", BEFORE, "--before", "samples/no-such.pcap", "--after", AFTER),
        ExitCodes.INPUT,
        "no-such.pcap");
  }

  /** A side given as a directory stands for its files: the output may be none of them. */
  @Test
  void theOutputIsNeverAFileOfADirectorySide() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("ring"));
    Path capture = dir.resolve("cap.txt"); // rotated captures need not be named .pcap
    Files.copy(Path.of(BEFORE), capture);
    byte[] original = Files.readAllBytes(capture);
    MainTest.assertOneLineError(
        MainTest.run("diff", dir.toString(), AFTER, "-o", capture.toString()),
        ExitCodes.USAGE,
        "is the input");
    assertArrayEquals(original, Files.readAllBytes(capture));
  }

  @Test
  void stringsFromPacketsAreEscaped() {
    String hostile = "samples/hostile-strings.pcap";
    MainTest.Result text = MainTest.run("diff", hostile, hostile);
    assertEquals(0, text.code(), text.err());
    assertFalse(text.out().contains("\u001b"), "no terminal escape in text");
    MainTest.Result md = MainTest.run("diff", hostile, hostile, "--format", "markdown");
    assertEquals(0, md.code(), md.err());
    assertFalse(md.out().contains("<script"), "no raw HTML in Markdown");
    assertFalse(md.out().contains("\u001b"), "no terminal escape in Markdown");
    MainTest.Result html = MainTest.run("diff", hostile, hostile, "--format", "html");
    assertEquals(0, html.code(), html.err());
    assertFalse(
        html.out().toLowerCase(java.util.Locale.ROOT).contains("<script"),
        "no script element in HTML");
    assertTrue(html.out().contains("&lt;script&gt;"), "the hostile path is shown, escaped");
  }

  @Test
  void htmlDrawsBothWaterfallsOfTheMostChangedServer() {
    MainTest.Result r = MainTest.run("diff", BEFORE, AFTER, "--map", MAP, "--format", "html");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("aria-label=\"before waterfall\""), r.out());
    assertTrue(r.out().contains("aria-label=\"after waterfall\""), r.out());
    // without --map nothing is matched, so nothing is drawn side by side
    assertFalse(
        MainTest.run("diff", BEFORE, AFTER, "--format", "html").out().contains("waterfall\""));
  }
}
