package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.robustness.SmallHeap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Markdown, HTML and HAR rendered from a report file, read in passes, are the bytes of the goldens
 * (rendered from the whole tree); a report far beyond the bounds is drawn and listed within them,
 * with the rest counted.
 */
class BoundedReportsTest {
  @TempDir Path tmp;

  static java.util.stream.Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  private static String render(Path file, ReportFormat f, int drawn) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SavedReport.render(file, f, out, drawn);
    return out.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void streamedRenderingGivesTheGoldenBytes(Path sample) throws IOException {
    Path json = tmp.resolve("r.json");
    Files.writeString(json, Reports.json(sample));
    String name = sample.getFileName().toString().replaceAll("\\.pcap(ng)?$", "");
    for (String ext : new String[] {"md", "html", "har"}) {
      ReportFormat f =
          ext.equals("md")
              ? ReportFormat.MARKDOWN
              : ext.equals("html") ? ReportFormat.HTML : ReportFormat.HAR;
      assertEquals(
          Files.readString(ReportFormatsGoldenTest.GOLDEN.resolve(name + "." + ext)),
          render(json, f, 0),
          f + " of " + sample);
    }
    // the JSON copied through the streaming path is the tree's bytes
    ByteArrayOutputStream tree = new ByteArrayOutputStream();
    SavedReport.render(new ObjectMapper().readTree(json.toFile()), ReportFormat.JSON, tree);
    assertEquals(tree.toString(StandardCharsets.UTF_8), render(json, ReportFormat.JSON, 0));
  }

  /**
   * A report of 30,000 connections from 3,000 clients, each with 2 transactions; one connection in
   * ten has a finding costing its number in microseconds, C995, C1995... are slow (10 s).
   */
  static void bigReport(Path file, int connections) throws IOException {
    try (OutputStream o = Files.newOutputStream(file);
        Writer w =
            new java.io.OutputStreamWriter(
                new java.io.BufferedOutputStream(o), StandardCharsets.UTF_8)) {
      w.write(
          "{\"schema\":\"connscope-report\",\"schema_version\":\"1.1.0\",\"tool\":{\"name\":\"connscope\",\"version\":\"t\"},\n"
              + "\"capture\":{\"files\":[{\"name\":\"big.pcap\",\"format\":\"pcap\",\"packets\":1,\"bytes\":1}],\"packets\":1,"
              + "\"bytes\":1,\"tcp_packets\":1,\"link_types\":[\"ethernet\"],\"start_epoch_us\":0,\"duration_us\":1,\"warnings\":[]},\n"
              + "\"summary\":{\"connections\":"
              + connections
              + ",\"http_connections\":"
              + connections
              + ",\"transactions\":"
              + 2 * connections
              + ",\"unanswered_requests\":0,\"orphan_responses\":0,\"findings\":"
              + connections / 10
              + "},\n"
              + "\"connections\":[\n");
      for (int i = 1; i <= connections; i++) {
        long start = i * 1000L;
        long end = start + (i % 1000 == 995 ? 10_000_000 : 500);
        w.write(
            (i == 1 ? "" : ",\n")
                + String.format(
                    Locale.ROOT,
                    "{\"id\":\"C%d\",\"client\":{\"ip\":\"10.0.%d.%d\",\"port\":%d},"
                        + "\"server\":{\"ip\":\"10.9.9.9\",\"port\":80},\"start_us\":%d,\"end_us\":%d,\"close\":{\"reason\":\"fin\","
                        + "\"first_by\":\"client\"},\"transactions\":[",
                    i,
                    (i % 3000) / 250,
                    (i % 3000) % 250,
                    1024 + i % 60000,
                    start,
                    end));
        for (int t = 0; t < 2; t++) {
          w.write(
              (t == 0 ? "" : ",")
                  + String.format(
                      Locale.ROOT,
                      "{\"index\":%d,\"method\":\"GET\",\"uri\":\"/%d\","
                          + "\"status\":200,\"request_start_us\":%d,\"request_end_us\":%d,\"response_start_us\":%d,"
                          + "\"response_end_us\":%d,\"timings\":{}}",
                      t,
                      t,
                      start + t * 100,
                      start + t * 100 + 10,
                      start + t * 100 + 20,
                      start + t * 100 + 90));
        }
        w.write("]}");
      }
      w.write("],\n\"findings\":[\n");
      boolean first = true;
      for (int i = 10; i <= connections; i += 10) {
        w.write(
            (first ? "" : ",\n")
                + String.format(
                    Locale.ROOT,
                    "{\"type\":\"http.example_%d\",\"severity\":\"warning\","
                        + "\"confidence\":\"confirmed\",\"connection\":\"C%d\",\"transaction\":0,\"cost_us\":%d,"
                        + "\"evidence\":{\"frames\":[%d],\"display_filter\":\"frame.number == %d\"},\"summary\":\"s%d\",\"fix\":\"f\","
                        + "\"ladder\":[{\"frame\":%d,\"ts_us\":%d,\"dir\":\"client\",\"flags\":\"ACK\",\"seq\":1,\"ack\":1,\"len\":0}]}",
                    i % 3,
                    i,
                    i,
                    i,
                    i,
                    i,
                    i,
                    i * 1000L));
        first = false;
      }
      w.write("]}\n");
    }
  }

  private static int count(String s, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void aBigReportIsDrawnWithinTheBoundsAndTheRestCounted() throws IOException {
    Path json = tmp.resolve("big.json");
    bigReport(json, 30_000);
    String html = render(json, ReportFormat.HTML, 0);
    assertEquals(30, count(html, "<figure id=\"ladder-"), "30 ladders drawn");
    assertTrue(html.contains("2970 more ladders not drawn."), "the rest counted");
    assertEquals(40, count(html, "<svg class=\"waterfall\""));
    // waterfalls: the 3,000 connections with findings come first, in report order
    assertTrue(html.contains("aria-label=\"waterfall of C10\""));
    assertTrue(html.contains("29960 more connections not drawn."), html.length() + "");
    assertEquals(20, count(html, "<svg class=\"timeline\""));
    assertTrue(html.contains("2980 more pairs not drawn."));
    assertEquals(1000, count(html, "<tr><td class=\"num\">"), "1000 findings listed");
    assertTrue(html.contains("2000 less costly findings are not listed"));
    // the costliest finding (C30000, 30 ms) is listed first
    assertTrue(html.indexOf("C30000 #0") < html.indexOf("C29990 #0"));
    assertTrue(html.contains("28000 more connections in the JSON report"));
    // the verdict counts every finding: 1000 per type
    assertTrue(html.contains(", 1000 findings on "), "verdict counts");
    assertTrue(html.contains("and 950 more connections"), "verdict lists 50 connections per type");

    String few = render(json, ReportFormat.HTML, 5);
    assertEquals(5, count(few, "<figure id=\"ladder-"));
    assertEquals(5, count(few, "<svg class=\"waterfall\""));
    assertEquals(5, count(few, "<svg class=\"timeline\""));

    String md = render(json, ReportFormat.MARKDOWN, 0);
    // Markdown: within its budget; what does not fit is counted and pointed to
    assertTrue(md.length() < Budget.MARKDOWN, md.length() + " characters");
    assertTrue(md.matches("(?s).*\\n\\d+ less costly findings are not listed.*"));
    assertTrue(md.contains("see the HTML or JSON report"), "connections are in the HTML/JSON");
    assertTrue(
        md.matches("(?s).*\\n\\d+ more pairs are not listed: the HTML/JSON report.*"),
        "pairs beyond the budget are counted");
    JsonNode har = new ObjectMapper().readTree(render(json, ReportFormat.HAR, 0));
    assertEquals(60_000, har.path("log").path("entries").size(), "HAR has every transaction");
    JsonNode e = har.path("log").path("entries").get(19); // C10 #1, in start order
    assertEquals("C10", e.path("connection").asText());
    assertEquals(1, e.path("_connscope").path("transaction").asInt());
    assertEquals(0, e.path("_connscope").path("findings").size());
    assertEquals(
        "http.example_1",
        har.path("log")
            .path("entries")
            .get(18)
            .path("_connscope")
            .path("findings")
            .get(0)
            .path("type")
            .asText(),
        "the finding of C10 #0 is on its entry");
  }

  /**
   * Writes a report of {@code args[0]} connections (see {@link #bigReport}) and renders it in every
   * format to a byte counter; run in a JVM with a small heap by the test below.
   */
  public static void main(String[] args) throws IOException {
    Path json = Files.createTempFile("connscope-big", ".json");
    try {
      bigReport(json, Integer.parseInt(args[0]));
      System.out.println("json_bytes=" + Files.size(json));
      for (ReportFormat f :
          new ReportFormat[] {
            ReportFormat.MARKDOWN, ReportFormat.HTML, ReportFormat.HAR, ReportFormat.JSON
          }) {
        long[] n = {0};
        OutputStream counter =
            new OutputStream() {
              @Override
              public void write(int b) {
                n[0]++;
              }

              @Override
              public void write(byte[] b, int off, int len) {
                n[0] += len;
              }
            };
        SavedReport.render(json, f, counter, 0);
        System.out.println(f.name().toLowerCase(Locale.ROOT) + "_bytes=" + n[0]);
      }
    } finally {
      Files.deleteIfExists(json);
    }
  }

  /**
   * 60,000 connections (120,000 transactions, 6,000 findings; a 45 MB report) render in every
   * format within a 64 MiB heap: nothing grows with the report but the HAR spool, which goes to
   * disk. (The renderers used to read the whole report as a tree: about 250 MB here.)
   */
  @Test
  void aLargeReportRendersInEveryFormatWithinASmallHeap() throws Exception {
    SmallHeap.Run r = SmallHeap.run("-Xmx64m", 5, BoundedReportsTest.class, "60000");
    String out = r.output();
    assertTrue(r.finished(), "did not finish");
    assertEquals(0, r.exit(), out);
    assertTrue(out.contains("json_bytes="), out);
    Matcher m = Pattern.compile("html_bytes=(\\d+)").matcher(out);
    assertTrue(m.find(), out);
    assertTrue(Long.parseLong(m.group(1)) < 8_000_000, "the page is bounded: " + out);
  }

  @Test
  void slowConnectionsAreDrawnAfterThoseWithFindings() throws IOException {
    Path json = tmp.resolve("big.json");
    bigReport(json, 1000);
    // 100 connections with findings: with 150 drawn, the 50 others are the slowest (C995 is 10 s),
    // not the first
    String html = render(json, ReportFormat.HTML, 150);
    assertEquals(150, count(html, "<svg class=\"waterfall\""));
    assertTrue(
        html.contains("aria-label=\"waterfall of C995\""), "the slowest connection is drawn");
  }
}
