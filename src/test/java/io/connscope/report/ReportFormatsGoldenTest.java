package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests of the Markdown, HTML and HAR reports: every sample's JSON report is read back and
 * rendered, compared byte for byte with src/test/resources/golden-reports/NAME.{md,html,har},
 * rendered twice to prove determinism, and the HAR validated against a HAR 1.2 JSON Schema.
 * Regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class ReportFormatsGoldenTest {
  static final Path GOLDEN = Paths.get("src/test/resources/golden-reports");

  static Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  static String render(String json, ReportFormat f) throws IOException {
    JsonNode tree =
        SavedReport.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SavedReport.render(tree, f, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static JsonSchema harSchema() throws IOException {
    try (InputStream in =
        ReportFormatsGoldenTest.class.getResourceAsStream("/har/har-1.2.schema.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void formatsMatchGolden(Path sample) throws IOException {
    String json = Reports.json(sample);
    String name = sample.getFileName().toString().replaceAll("\\.pcap(ng)?$", "");
    for (ReportFormat f :
        new ReportFormat[] {ReportFormat.MARKDOWN, ReportFormat.HTML, ReportFormat.HAR}) {
      String doc = render(json, f);
      assertEquals(doc, render(Reports.json(sample), f), "same input, same bytes: " + f);
      String ext = f == ReportFormat.MARKDOWN ? "md" : f == ReportFormat.HTML ? "html" : "har";
      Path golden = GOLDEN.resolve(name + "." + ext);
      if (Boolean.getBoolean("golden.update")) {
        Files.createDirectories(GOLDEN);
        Files.writeString(golden, doc, StandardCharsets.UTF_8);
      }
      assertTrue(Files.exists(golden), "no golden " + golden + ": run with -Dgolden.update=true");
      assertEquals(
          Files.readString(golden, StandardCharsets.UTF_8), doc, f + " report of " + sample);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void harIsValidHar12(Path sample) throws IOException {
    String json = Reports.json(sample);
    JsonNode har = new ObjectMapper().readTree(render(json, ReportFormat.HAR));
    Set<ValidationMessage> errors = harSchema().validate(har);
    assertTrue(errors.isEmpty(), "HAR 1.2 violations: " + errors);
    JsonNode report = new ObjectMapper().readTree(json);
    assertEquals(
        report.path("summary").path("transactions").asInt(),
        har.path("log").path("entries").size(),
        "one entry per transaction");
    for (JsonNode e : har.path("log").path("entries")) {
      double sum = 0;
      // ssl is part of connect (HAR 1.2: "the time is also included in the connect field")
      for (String t : new String[] {"blocked", "dns", "connect", "send", "wait", "receive"}) {
        double v = e.path("timings").path(t).asDouble();
        sum += v < 0 ? 0 : v;
      }
      assertEquals(e.path("time").asDouble(), sum, 0.0005, "time is the sum of the timings");
      double ssl = e.path("timings").path("ssl").asDouble();
      assertTrue(
          ssl < 0 || ssl <= e.path("timings").path("connect").asDouble(), "ssl within connect");
      assertTrue(e.path("connection").asText().matches("C[0-9]+"));
    }
  }

  /** The schema is not vacuous: a HAR with a negative send time or no entries list is rejected. */
  @Test
  void harSchemaRejectsBrokenHar() throws IOException {
    String json = Reports.json(Paths.get("samples/keepalive-get.pcap"));
    ObjectMapper m = new ObjectMapper();
    JsonNode har = m.readTree(render(json, ReportFormat.HAR));
    ((com.fasterxml.jackson.databind.node.ObjectNode)
            har.path("log").path("entries").get(0).path("timings"))
        .put("send", -1);
    assertTrue(!harSchema().validate(har).isEmpty(), "send -1 is not valid HAR");
    ((com.fasterxml.jackson.databind.node.ObjectNode) har.path("log")).remove("entries");
    assertTrue(!harSchema().validate(har).isEmpty(), "entries are required");
  }

  /**
   * A Nagle sample: the HAR entry of a stalled transaction carries its findings and its send time.
   */
  @Test
  void harCarriesFindingsOfTheEntry() throws IOException {
    String json = Reports.json(Paths.get("samples/nagle-post-split.pcap"));
    JsonNode har = new ObjectMapper().readTree(render(json, ReportFormat.HAR));
    JsonNode e1 = har.path("log").path("entries").get(1);
    assertEquals("http://127.0.0.1:18107/upload/1", e1.path("request").path("url").asText());
    java.util.List<String> types = new java.util.ArrayList<>();
    e1.path("_connscope").path("findings").forEach(f -> types.add(f.path("type").asText()));
    assertEquals(java.util.List.of("tcp.delayed_ack_stall", "tcp.nagle_delay"), types);
    assertTrue(e1.path("timings").path("send").asDouble() > 40, "the stall is in the send phase");
    assertEquals(-1, e1.path("timings").path("connect").asInt(), "reused connection: no connect");
    assertTrue(
        har.path("log").path("entries").get(0).path("timings").path("connect").asDouble() >= 0);
  }
}
