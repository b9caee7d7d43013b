package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.ResultBuilder;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.LinkType;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.robustness.Synth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HAR of {@code analyze} is rendered while the analysis runs ({@link HarReportWriter.Live}),
 * from the records as they come, not from the JSON report read back: it must be the bytes the JSON
 * report renders to ({@code connscope report -o x.har}), with 1 and 2 analysis threads, for every
 * sample and for long keep-alive connections whose transactions are handed over before they close
 * (announced by {@link ResultSink#connectionStarted}).
 */
class HarDuringAnalysisTest {
  @TempDir Path tmp;

  static Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everySamplesHarIsRenderedDuringTheAnalysisAsFromItsReport(Path sample) throws IOException {
    for (int threads : new int[] {1, 2}) {
      sameAsFromReport(List.of(sample), threads, true);
    }
  }

  @Test
  void severalInputFilesRenderTheHarDuringTheAnalysisWhenTold() throws IOException {
    List<Path> rotated;
    try (Stream<Path> s = Files.list(Path.of("samples/rotated"))) {
      rotated = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
    }
    assertTrue(rotated.size() > 1);
    // entries name frames by file there: their files are filled in at the end, the same bytes
    for (int threads : new int[] {1, 2}) {
      sameAsFromReport(rotated, threads, true, true);
    }
    // not told: rendered from the JSON report, the same bytes
    sameAsFromReport(rotated, 1, false, false);
    // two files with the same last path component are named by their paths as given
    Path a = Files.createDirectories(tmp.resolve("a")).resolve("same.pcap");
    Path b = Files.createDirectories(tmp.resolve("b")).resolve("same.pcap");
    Files.copy(rotated.get(0), a);
    Files.copy(Path.of("samples/keepalive-get.pcap"), b);
    sameAsFromReport(List.of(a, b, rotated.get(1)), 1, true, true);
  }

  /**
   * Two keep-alive connections of 1,300 transactions each, requests at the same instants (HAR
   * entries in report order: the first connection's first), the second connection's exchanges
   * ending first and it closing first (its records come first).
   */
  private Path longConnections() throws IOException {
    Path file = tmp.resolve("long.pcap");
    int client = Synth.ip(10, 0, 0, 1);
    int server = Synth.ip(10, 0, 0, 2);
    Synth s = new Synth();
    long base = 1_700_000_000_000_000_000L;
    try (OutputStream o = Files.newOutputStream(file);
        PcapWriter w = new PcapWriter(o, LinkType.ETHERNET, 65535, false)) {
      int[] ports = {40001, 40002};
      long[] cseq = {1000, 5000};
      long[] sseq = {9000, 20000};
      for (int c = 0; c < 2; c++) {
        s.tcp(client, server, ports[c], 80, cseq[c], 0, Synth.SYN).write(w, base + c * 10_000);
        s.tcp(server, client, 80, ports[c], sseq[c], cseq[c] + 1, Synth.SYN | Synth.ACK)
            .write(w, base + c * 10_000 + 100_000);
        cseq[c]++;
        sseq[c]++;
        s.tcp(client, server, ports[c], 80, cseq[c], sseq[c], Synth.ACK)
            .write(w, base + c * 10_000 + 150_000);
      }
      byte[] response =
          Synth.ascii(
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
      for (int i = 0; i < 1300; i++) {
        long at = base + 1_000_000L + i * 2_000_000L;
        for (int c = 0; c < 2; c++) {
          byte[] request =
              Synth.ascii(
                  c == 0
                      ? "GET /a/" + i + "?q=" + i + "&x HTTP/1.1\r\nHost: example.test\r\n\r\n"
                      : "GET /b/" + i + " HTTP/1.1\r\nUser-Agent: t\r\n\r\n"); // no Host
          s.tcp(client, server, ports[c], 80, cseq[c], sseq[c], Synth.PSH | Synth.ACK, request)
              .write(w, at); // both requests at the same instant: HAR order by connection
          cseq[c] += request.length;
        }
        for (int c = 1; c >= 0; c--) { // the second connection's exchanges end first
          s.tcp(server, client, 80, ports[c], sseq[c], cseq[c], Synth.PSH | Synth.ACK, response)
              .write(w, at + 300_000 + (1 - c) * 1_000);
          sseq[c] += response.length;
          s.tcp(client, server, ports[c], 80, cseq[c], sseq[c], Synth.ACK)
              .write(w, at + 400_000 + (1 - c) * 1_000);
        }
      }
      long end = base + 1_000_000L + 1300 * 2_000_000L;
      for (int c = 1; c >= 0; c--) { // and it closes first
        s.tcp(client, server, ports[c], 80, cseq[c], sseq[c], Synth.FIN | Synth.ACK).write(w, end);
        s.tcp(server, client, 80, ports[c], sseq[c], cseq[c] + 1, Synth.FIN | Synth.ACK)
            .write(w, end + 100_000);
        s.tcp(client, server, ports[c], 80, cseq[c] + 1, sseq[c] + 1, Synth.ACK)
            .write(w, end + 200_000);
      }
    }
    return file;
  }

  @Test
  void longConnectionsAreAnnouncedBeforeTheirFirstTransaction() throws IOException {
    Path file = longConnections();
    for (int threads : new int[] {1, 2}) {
      List<Object> events = new ArrayList<>();
      analyse(List.of(file), threads, new RecordingSink(events));
      Map<Long, ConnectionStart> started = new HashMap<>();
      Map<Long, Integer> transactions = new HashMap<>();
      int connections = 0;
      for (Object e : events) {
        if (e instanceof ConnectionStart s) {
          assertEquals(null, started.put(s.id(), s), "announced once: " + s);
          assertFalse(transactions.containsKey(s.id()), "before its first transaction: " + s);
        } else if (e instanceof TransactionResult t) {
          transactions.merge(t.connection(), 1, Integer::sum);
        } else if (e instanceof ConnectionResult c) {
          connections++;
          ConnectionStart s = started.get(c.id());
          assertNotNull(s, c.idString() + " (1,300 transactions) announced, threads " + threads);
          assertEquals(c.client(), s.client());
          assertEquals(c.server(), s.server());
          assertEquals(1300, transactions.get(c.id()));
        }
      }
      assertEquals(2, connections);
      sameAsFromReport(List.of(file), threads, true);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void findingsBeyondThoseHeldAreFoundAgainOnFile(Path sample) throws IOException {
    // none, one or two held in memory, the rest on file (SpilledFindings): the same HAR as all held
    byte[] all = liveHar(sample, HarReportWriter.Live.MAX_FINDINGS);
    for (int held : new int[] {0, 1, 2}) {
      byte[] har = liveHar(sample, held);
      if (!java.util.Arrays.equals(all, har)) {
        assertEquals(
            new String(all, StandardCharsets.UTF_8),
            new String(har, StandardCharsets.UTF_8),
            sample + ", " + held + " held");
      }
    }
  }

  /** The HAR of {@code sample} rendered during its analysis, at most {@code held} findings held. */
  private static byte[] liveHar(Path sample, int held) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (HarReportWriter.Live har = new HarReportWriter.Live(false, held)) {
      analyse(List.of(sample), 1, har);
      assertTrue(har.write(out, "test"), sample + ": rendered during the analysis");
    }
    return out.toByteArray();
  }

  @Test
  void aCaptureWithMoreFindingsThanHeldHasItsHarRenderedDuringTheAnalysis() throws IOException {
    // 6,000 connections, each with a request never answered: 6,000 findings naming a transaction,
    // beyond the 4,096 held in memory
    Path file = tmp.resolve("unanswered.pcap");
    io.connscope.robustness.BigCaptures.unanswered(6_000, file);
    for (int threads : new int[] {1, 2}) {
      sameAsFromReport(List.of(file), threads, true);
    }
  }

  @Test
  void severalHarOutputsAreRenderedOnceDuringTheAnalysis() throws IOException {
    Path json = tmp.resolve("r.json");
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    ReportSet set = new ReportSet("test", 64);
    try (OutputStream jsonOut = Files.newOutputStream(json)) {
      set.add(ReportFormat.HAR, a);
      set.add(ReportFormat.JSON, jsonOut, json);
      set.add(ReportFormat.HAR, b);
      analyse(List.of(Path.of("samples/keepalive-get.pcap")), 1, set);
    }
    assertTrue(set.harDuringAnalysis());
    ByteArrayOutputStream fromReport = new ByteArrayOutputStream();
    SavedReport.render(json, ReportFormat.HAR, fromReport, 0);
    assertTrue(fromReport.size() > 0);
    assertArrayEquals(fromReport.toByteArray(), a.toByteArray());
    assertArrayEquals(fromReport.toByteArray(), b.toByteArray());
  }

  @Test
  void shortConnectionsAreNotAnnounced() throws IOException {
    List<Object> events = new ArrayList<>();
    analyse(List.of(Path.of("samples/keepalive-get.pcap")), 1, new RecordingSink(events));
    assertTrue(events.stream().anyMatch(e -> e instanceof TransactionResult));
    assertFalse(events.stream().anyMatch(e -> e instanceof ConnectionStart));
  }

  private static void analyse(List<Path> inputs, int threads, ResultSink sink) throws IOException {
    Analysis a = new Analysis(new AnalysisConfig(), new ResultBuilder(sink), threads);
    for (Path f : inputs) {
      try (PacketSource src = CaptureFiles.open(f, a.warnings())) {
        src.info().frameNumber = a.packets();
        a.read(src, CaptureFiles.formatOf(src), null);
      }
    }
    a.finish();
  }

  /**
   * Analyses {@code inputs} into a JSON, a Markdown and a HAR output of one {@link ReportSet}, as
   * {@code analyze -o r.json -o r.md -o r.har} does, and checks the Markdown and the HAR are those
   * the JSON report renders to, the HAR rendered during the analysis or not as {@code during} says.
   */
  private void sameAsFromReport(List<Path> inputs, int threads, boolean during) throws IOException {
    sameAsFromReport(inputs, threads, during, false);
  }

  /** As above, the set told ({@link ReportSet#severalInputs}) that the input is several files. */
  private void sameAsFromReport(List<Path> inputs, int threads, boolean during, boolean several)
      throws IOException {
    Path json = tmp.resolve("r.json");
    Files.deleteIfExists(json);
    ByteArrayOutputStream har = new ByteArrayOutputStream();
    ByteArrayOutputStream md = new ByteArrayOutputStream();
    ReportSet set = new ReportSet("test", 64);
    set.severalInputs(several);
    try (OutputStream jsonOut = Files.newOutputStream(json)) {
      set.add(ReportFormat.JSON, jsonOut, json);
      set.add(ReportFormat.MARKDOWN, md);
      set.add(ReportFormat.HAR, har);
      analyse(inputs, threads, set);
    }
    String what = inputs + ", threads " + threads;
    // Markdown's slowest transactions are gathered during the analysis too
    ByteArrayOutputStream mdFromReport = new ByteArrayOutputStream();
    SavedReport.render(json, ReportFormat.MARKDOWN, mdFromReport, 0);
    assertEquals(
        mdFromReport.toString(StandardCharsets.UTF_8), md.toString(StandardCharsets.UTF_8), what);
    ByteArrayOutputStream fromReport = new ByteArrayOutputStream();
    SavedReport.render(json, ReportFormat.HAR, fromReport, 0);
    assertEquals(during, set.harDuringAnalysis(), what);
    assertTrue(har.size() > 0, what);
    if (!java.util.Arrays.equals(fromReport.toByteArray(), har.toByteArray())) {
      assertEquals( // the difference, readable
          fromReport.toString(StandardCharsets.UTF_8), har.toString(StandardCharsets.UTF_8), what);
    }
    assertArrayEquals(fromReport.toByteArray(), har.toByteArray(), what);
  }
}
