package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connscope report} reads files written by others: every report connscope writes passes the
 * schema check, a wrong type, an unknown field or version is refused with one line naming the JSON
 * path, and untrusted strings cannot escape their Markdown code span.
 */
class UntrustedReportTest {
  @TempDir Path tmp;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Path write(JsonNode n) throws IOException {
    Path p = tmp.resolve("r" + System.nanoTime() + ".json");
    Files.writeString(p, MAPPER.writeValueAsString(n));
    return p;
  }

  private static ObjectNode golden(String name) throws IOException {
    return (ObjectNode)
        MAPPER.readTree(Path.of("src/test/resources/golden/" + name + ".json").toFile());
  }

  @Test
  void everyGoldenReportPassesTheCheck() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden"))) {
      for (Path p : s.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
        SavedReport.check(p);
      }
    }
  }

  /**
   * What connscope writes, connscope reads back: the JSON report of every capture of the shared
   * corpus ({@code ../shared/corpus}, other projects' captures; skipped when absent) passes the
   * check that {@code connscope report} makes. A mid-stream capture's ladder once held a negative
   * relative sequence number that the schema refused (markofu/NetworkForensics/puzzle1.pcap).
   */
  @Test
  void everyCorpusCapturesReportPassesTheCheck() throws IOException {
    Path corpus = Path.of("..", "shared", "corpus");
    Assumptions.assumeTrue(Files.isRegularFile(corpus.resolve("index.json")), "corpus absent");
    List<String> refused = new ArrayList<>();
    int checked = 0;
    for (JsonNode rec : MAPPER.readTree(corpus.resolve("index.json").toFile())) {
      Path capture = corpus.resolve(rec.get("local").asText());
      Path p = Files.createTempFile(tmp, "corpus", ".json");
      Files.writeString(p, Reports.json(capture));
      try {
        SavedReport.check(p);
      } catch (IOException e) {
        refused.add(rec.get("local").asText() + ": " + e.getMessage());
      }
      Files.delete(p);
      checked++;
    }
    assertTrue(checked > 300, "corpus captures checked: " + checked);
    assertEquals(List.of(), refused);
  }

  private String refusal(JsonNode doc) throws IOException {
    Path p = write(doc);
    IOException e = assertThrows(IOException.class, () -> SavedReport.check(p));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    return e.getMessage();
  }

  /**
   * A checked report is rendered from where its arrays start ({@link SavedReport.Checked}): the
   * same bytes as reading the whole document for each pass, whatever the order of its fields; a
   * document that repeats an array is read whole, every array of that name, as before.
   */
  @Test
  void aCheckedReportRendersAsTheWholeDocumentDoes() throws IOException {
    List<ReportFormat> formats =
        List.of(ReportFormat.HTML, ReportFormat.MARKDOWN, ReportFormat.HAR, ReportFormat.JSON);
    for (String name : List.of("keepalive-max", "pipelined", "framing-request")) {
      ObjectNode g = golden(name);
      ObjectNode arraysFirst = MAPPER.createObjectNode(); // the arrays before the other fields
      arraysFirst.set("findings", g.get("findings"));
      arraysFirst.set("connections", g.get("connections"));
      g.fields().forEachRemaining(e -> arraysFirst.putIfAbsent(e.getKey(), e.getValue()));
      Path repeated = tmp.resolve(name + "-repeated.json"); // "findings" twice: [] then the rest
      String text = MAPPER.writeValueAsString(g);
      Files.writeString(
          repeated, text.replaceFirst("^\\{", "{\"findings\":[],"), StandardCharsets.UTF_8);
      for (Path p : List.of(write(g), write(arraysFirst), repeated)) {
        for (ReportFormat f : formats) {
          java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
          SavedReport.render(p, List.of(f), List.of(whole), 0);
          java.io.ByteArrayOutputStream checked = new java.io.ByteArrayOutputStream();
          SavedReport.render(SavedReport.check(p), List.of(f), List.of(checked), 0);
          assertEquals(
              whole.toString(StandardCharsets.UTF_8),
              checked.toString(StandardCharsets.UTF_8),
              p.getFileName() + " " + f);
        }
      }
    }
  }

  @Test
  void wrongTypesUnknownFieldsAndVersionsAreRefusedNamingThePath() throws IOException {
    ObjectNode r = golden("framing-request");
    ((ObjectNode) r.path("connections").get(0)).put("start_us", "soon");
    assertEquals(
        "$.connections[0].start_us should be integer, not the string \"soon\"", refusal(r));

    r = golden("framing-request");
    ((ObjectNode) r.path("connections").get(2).path("transactions").get(0)).put("status", true);
    assertTrue(
        refusal(r).startsWith("$.connections[2].transactions[0].status should be "), refusal(r));

    r = golden("framing-request");
    ((ObjectNode) r.path("findings").get(1)).put("type", "x`<img src=x onerror=alert(1)>`");
    assertTrue(
        refusal(r)
            .startsWith("$.findings[1].type \"x`<img src=x onerror=alert(1)>`\" does not match"),
        refusal(r));

    r = golden("framing-request"); // a path through objects and arrays, made only for the message
    ((com.fasterxml.jackson.databind.node.ArrayNode)
            r.path("findings").get(1).path("evidence").path("frames"))
        .insert(0, "x");
    assertEquals(
        "$.findings[1].evidence.frames[0] should be integer, not the string \"x\"", refusal(r));
    r = golden("framing-request");
    ((ObjectNode) r.path("findings").get(1).path("evidence")).put("k\u0001", 1);
    assertEquals(
        "$.findings[1].evidence has a field the schema does not know: \"k\\x01\"", refusal(r));

    r = golden("framing-request");
    r.put("schema_version", "2.0.0");
    assertEquals(
        "report schema version \"2.0.0\" is not supported (this connscope reads 1.x.y)",
        refusal(r));

    r = golden("framing-request");
    r.put("extra", 1);
    assertEquals("$ has a field the schema does not know: \"extra\"", refusal(r));

    r = golden("framing-request");
    r.remove("summary");
    assertEquals("$ lacks the required field \"summary\"", refusal(r));

    Path cut = tmp.resolve("cut.json");
    byte[] whole = Files.readAllBytes(Path.of("src/test/resources/golden/framing-request.json"));
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    IOException e = assertThrows(IOException.class, () -> SavedReport.check(cut));
    assertTrue(e.getMessage().startsWith("not a JSON document"), e.getMessage());
  }

  @Test
  void aCodeSpanFenceOutrunsEveryBacktickRun() {
    assertEquals("`http.framing_error`", Escape.mdSpan("http.framing_error"));
    assertEquals("``a`b``", Escape.mdSpan("a`b"));
    assertEquals("```` ```x ````", Escape.mdSpan("```x"));
    assertEquals("`` x` ``", Escape.mdSpan("x`"));
    assertEquals("`a\\|b\\x0a`", Escape.mdSpan("a|b\n"));
  }

  @Test
  void aBacktickInAFindingTypeCannotLetHtmlThrough() throws IOException {
    // rendered directly (the command refuses such a file; the writers must hold anyway)
    ObjectNode r = golden("framing-request");
    String evil = "x`<img src=x onerror=alert(1)>`y";
    for (JsonNode f : r.path("findings")) {
      ((ObjectNode) f).put("type", evil);
    }
    StringWriter md = new StringWriter();
    MarkdownReportWriter.write(r, md);
    String s = md.toString();
    assertTrue(s.contains("``x`<img src=x onerror=alert(1)>`y``"), s);
    // outside code spans no '<' from the report survives
    String outside = s.replaceAll("``x`<img src=x onerror=alert\\(1\\)>`y``", "");
    assertFalse(outside.contains("<img"), outside);
  }
}
