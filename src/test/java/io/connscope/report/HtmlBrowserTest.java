package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTML report in a real browser: Debian's headless Chromium (installed by .ci/run; the test
 * skips when it is absent). The page is loaded from file:// with every background service off; the
 * dumped DOM must hold the waterfall and ladder diagrams, Chromium's log must show no console
 * message, no script error and no blocked or failed fetch. A screenshot is written to
 * target/report.png (and target/report-hostile.png) for people to look at.
 */
class HtmlBrowserTest {
  static String chromium;

  @BeforeAll
  static void findChromium() {
    for (String c : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Paths.get(dir, c))) {
          chromium = Paths.get(dir, c).toString();
          return;
        }
      }
    }
  }

  record Run(String stdout, String stderr) {}

  static Run chromium(Path page, String... mode) throws IOException, InterruptedException {
    Assumptions.assumeTrue(chromium != null, "chromium not installed");
    Path profile = Files.createTempDirectory("connscope-chromium-");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-default-apps",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=1200,1600"));
    cmd.addAll(List.of(mode));
    cmd.add(page.toUri().toString());
    Path out = Files.createTempFile("connscope-chromium-", ".out");
    Path err = Files.createTempFile("connscope-chromium-", ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished within 90 s");
      assertEquals(0, p.exitValue(), () -> "chromium failed: " + read(err));
      return new Run(read(out), read(err));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      deleteTree(profile);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
    }
  }

  static Path writeHtml(String sample, String name) throws IOException {
    String html =
        ReportFormatsGoldenTest.render(
            Reports.json(Paths.get("samples", sample)), ReportFormat.HTML);
    Path dir = Paths.get("target", "browser");
    Files.createDirectories(dir);
    Path page = dir.resolve(name).toAbsolutePath();
    Files.writeString(page, html, StandardCharsets.UTF_8);
    return page;
  }

  /** Console output, script errors, CSP refusals and failed loads as Chromium logs them. */
  static void assertQuiet(String log) {
    for (String line : log.split("\n")) {
      assertFalse(line.contains("CONSOLE"), "console message: " + line);
      assertFalse(line.contains("Uncaught"), "script error: " + line);
      assertFalse(
          line.contains("Refused to"),
          "blocked by the page's CSP (a fetch was attempted): " + line);
      assertFalse(line.contains("net::ERR_"), "network error: " + line);
    }
  }

  @Test
  void naglePageRendersItsDiagramsWithoutNetwork() throws Exception {
    Path page = writeHtml("nagle-post-split.pcap", "nagle-post-split.html");
    Run dom = chromium(page, "--dump-dom");
    assertQuiet(dom.stderr());
    String d = dom.stdout();
    assertTrue(d.contains("<svg class=\"waterfall\""), "waterfall diagram in the DOM");
    assertTrue(d.contains("<svg class=\"ladder\""), "ladder diagram in the DOM");
    assertTrue(d.contains("<g class=\"pkt held\""), "the held ACK is highlighted");
    assertTrue(d.contains("<g class=\"pkt released\""), "the released segment is highlighted");
    assertTrue(d.contains("<rect class=\"stall\""), "stalls marked on the waterfall");
    assertTrue(d.contains("<svg class=\"timeline\""), "connection-use timeline");
    // nothing in the page can load anything: no src/href to another origin
    assertFalse(d.matches("(?s).*(src|href)=\"(https?:|//).*"), "no external reference");
    Path shot = Paths.get("target", "report.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    Run s = chromium(page, "--screenshot=" + shot, "--hide-scrollbars");
    assertQuiet(s.stderr());
    assertTrue(Files.size(shot) > 10_000, "a screenshot with content");
  }

  @Test
  void tlsPageDrawsItsTlsSegmentsWithoutNetwork() throws Exception {
    Path page = writeHtml("tls-https.pcap", "tls-https.html");
    Run dom = chromium(page, "--dump-dom");
    assertQuiet(dom.stderr());
    String d = dom.stdout();
    assertTrue(d.contains("<section id=\"tls\">"), "TLS table in the DOM");
    assertTrue(d.contains("<rect class=\"tls\""), "TLS segment on the waterfall");
    assertTrue(
        d.contains("<rect class=\"receive inferred\""),
        "inferred exchanges drawn, marked inferred");
    assertFalse(d.matches("(?s).*(src|href)=\"(https?:|//).*"), "no external reference");
    Path shot = Paths.get("target", "report-tls.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    Run s = chromium(page, "--screenshot=" + shot, "--hide-scrollbars");
    assertQuiet(s.stderr());
    assertTrue(Files.size(shot) > 10_000, "a screenshot with content");
  }

  /**
   * The time-sequence graph of the bottleneck download: one per connection with a transfer finding,
   * as many marks in the browser's DOM as the JSON report has points (segments, retransmissions,
   * SACK blocks; bounded and sampled), axes labelled.
   */
  @Test
  void bottleneckPageDrawsItsTimeSequenceGraph() throws Exception {
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Reports.json(Paths.get("samples", "bottleneck-loss.pcap")));
    com.fasterxml.jackson.databind.JsonNode ts =
        json.path("connections").path(0).path("time_sequence");
    int segs = 0, rtx = 0;
    for (com.fasterxml.jackson.databind.JsonNode r : ts.path("segments")) {
      if (r.path(4).asInt() == 1) {
        rtx++;
      } else {
        segs++;
      }
    }
    int sacks = ts.path("sacks").size();
    assertTrue(rtx > 0 && sacks > 0 && segs > 0, ts.toString().substring(0, 200));
    Path page = writeHtml("bottleneck-loss.pcap", "bottleneck-loss.html");
    Run dom = chromium(page, "--dump-dom");
    assertQuiet(dom.stderr());
    String d = dom.stdout();
    assertEquals(1, count(d, "<svg class=\"tsg\""), "one graph: one connection");
    assertEquals(segs, count(d, "<line class=\"ts-seg\""), "a mark per data segment");
    assertEquals(rtx, count(d, "<g class=\"ts-rtx\""), "a mark per retransmission");
    assertEquals(sacks, count(d, "<line class=\"ts-sack\""), "a mark per SACK block");
    assertEquals(1, count(d, "<path class=\"ts-ack\""), "the ACK line");
    assertEquals(1, count(d, "<path class=\"ts-win\""), "the receive-window line");
    assertTrue(d.contains("sequence number (bytes)") && d.contains("time since"), "axes labelled");
    assertFalse(d.matches("(?s).*(src|href)=\"(https?:|//).*"), "no external reference");
    Path shot = Paths.get("target", "report-tsg.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    Run s = chromium(page, "--screenshot=" + shot, "--hide-scrollbars");
    assertQuiet(s.stderr());
    assertTrue(Files.size(shot) > 10_000, "a screenshot with content");
  }

  private static int count(String s, String what) {
    return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }

  @Test
  void hostileSniStaysInert() throws Exception {
    String html = ReportFormatsGoldenTest.render(TlsReportsTest.hostileJson(), ReportFormat.HTML);
    Path dir = Paths.get("target", "browser");
    Files.createDirectories(dir);
    Path page = dir.resolve("tls-hostile.html").toAbsolutePath();
    Files.writeString(page, html, StandardCharsets.UTF_8);
    Run dom = chromium(page, "--dump-dom");
    assertQuiet(dom.stderr());
    String d = dom.stdout();
    assertFalse(d.contains("<img"), "no element injected by the SNI or ALPN");
    assertEquals(1, d.split("<script", -1).length - 1, "only connscope's own script element");
    assertTrue(d.contains("&lt;img src=x onerror=alert(1)&gt;"), "the payload is text");
  }

  @Test
  void hostilePageStaysInert() throws Exception {
    Path page = writeHtml("hostile-strings.pcap", "hostile-strings.html");
    Run dom = chromium(page, "--dump-dom");
    assertQuiet(dom.stderr());
    String d = dom.stdout();
    assertFalse(d.contains("<img"), "no element injected");
    assertEquals(1, d.split("<script", -1).length - 1, "only connscope's own script element");
    assertTrue(d.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the payload is text");
    chromium(
        page,
        "--screenshot=" + Paths.get("target", "report-hostile.png").toAbsolutePath(),
        "--hide-scrollbars");
  }

  @Test
  void latencyHistogramShowsMicrosecondsAndSecondsOnOneAxis() throws Exception {
    // a real sample's report, its first pair's histogram set to 50 us and 5 s values
    com.fasterxml.jackson.databind.ObjectMapper m =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            m.readTree(Reports.json(Paths.get("samples", "close-delimited-11.pcap")));
    com.fasterxml.jackson.databind.node.ObjectNode h =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            r.path("pairs").get(0).path("latency_histogram");
    java.util.List<Long> lower = new java.util.ArrayList<>();
    h.path("lower_us").forEach(x -> lower.add(x.asLong()));
    com.fasterxml.jackson.databind.node.ArrayNode wait = m.createArrayNode();
    com.fasterxml.jackson.databind.node.ArrayNode total = m.createArrayNode();
    for (long l : lower) {
      wait.add(l == 50 ? 4 : l == 5_000_000 ? 1 : 0);
      total.add(l == 100 ? 4 : l == 5_000_000 ? 2 : 0);
    }
    h.set("wait_us", wait);
    h.set("total_us", total);
    String html = ReportFormatsGoldenTest.render(m.writeValueAsString(r), ReportFormat.HTML);
    Path dir = Paths.get("target", "browser");
    Files.createDirectories(dir);
    Path page = dir.resolve("histogram.html").toAbsolutePath();
    Files.writeString(page, html, StandardCharsets.UTF_8);
    Run dom = chromium(page, "--dump-dom");
    assertQuiet(dom.stderr());
    String d = dom.stdout();
    assertTrue(d.contains("<svg class=\"histogram\""), "histogram in the DOM");
    java.util.regex.Matcher bar =
        java.util.regex.Pattern.compile(
                "<rect class=\"(wait|receive)\" x=\"(\\d+)\" y=\"\\d+\" width=\"\\d+\""
                    + " height=\"(\\d+)\"><title>(\\w+) ([^<]*): (\\d+) transactions?</title>")
            .matcher(d.substring(d.indexOf("<svg class=\"histogram\"")));
    java.util.Map<String, int[]> bars = new java.util.TreeMap<>();
    while (bar.find()) {
      bars.put(
          bar.group(4) + " " + bar.group(5),
          new int[] {Integer.parseInt(bar.group(2)), Integer.parseInt(bar.group(3))});
    }
    assertEquals(
        java.util.Set.of(
            "wait 50us to 100us", "wait 5s to 10s", "total 100us to 200us", "total 5s to 10s"),
        bars.keySet(),
        "one bar per non-empty bucket, 50 us and 5 s on the same axis");
    assertTrue(
        bars.get("wait 5s to 10s")[0] > bars.get("wait 50us to 100us")[0] + 400, "log scale");
    int small = bars.get("wait 5s to 10s")[1];
    int tall = bars.get("wait 50us to 100us")[1];
    assertTrue(
        Math.abs(4 * small - tall) <= 4, "heights follow the counts: " + small + ", " + tall);
    assertFalse(d.matches("(?s).*(src|href)=\"(https?:|//).*"), "no external reference");
    Path shot = Paths.get("target", "report-histogram.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    Run s = chromium(page, "--screenshot=" + shot, "--hide-scrollbars");
    assertQuiet(s.stderr());
    assertTrue(Files.size(shot) > 10_000, "a screenshot with content");
  }
}
