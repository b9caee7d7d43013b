package io.connscope.detect.facts;

import static org.junit.jupiter.api.Assertions.fail;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Differential test of {@link LossRecovery} against tshark's TCP analysis flags, frame by frame, on
 * every sample ({@code samples/*.pcap}) and every capture of {@code ../shared/corpus} (when
 * present): for each flag, the frames tshark marks and the frames connscope's classification marks:
 *
 * <ul>
 *   <li>{@code retransmission}: tshark's tcp.analysis.retransmission, fast_retransmission or
 *       spurious_retransmission; connscope: a hole filled or a repeat (any trigger);
 *   <li>{@code fast_retransmission}, {@code spurious_retransmission}: the trigger fast or spurious;
 *   <li>{@code out_of_order}: a reordered segment;
 *   <li>{@code lost_segment}: a data segment after a hole ("previous segment not captured");
 *   <li>{@code ack_lost_segment}: an ACK of bytes beyond the highest seen.
 * </ul>
 *
 * Where the sets differ, the row (capture, flag, tshark's count, connscope's count, frames in both)
 * must be listed with a reason in {@value #EXPECTATIONS_NAME}, after reading the packets (two
 * reason ids joined by '+' when its frames differ for two causes); the test fails on an unlisted or
 * stale row and on a reason without explanation. {@code -Dtshark.loss.write=true} rewrites the
 * rows, keeping the reason of each unchanged one (new rows get UNEXPLAINED and fail). Skipped when
 * tshark is not installed; the corpus part when absent.
 *
 * <p>Only data segments (TCP payload) are compared for the segment flags: connscope classifies the
 * loss and recovery of data; tshark also flags retransmitted SYNs (tcp.syn_retry reports those) and
 * FINs. {@code -Dtshark.loss.only=TEXT} examines only the captures whose name contains TEXT and
 * {@code -Dtshark.loss.verbose=true} prints the differing frames (for reading the packets).
 */
class TsharkLossDifferentialTest {
  private static final Path CORPUS = Paths.get("..", "shared", "corpus");
  private static final Path SAMPLES = Paths.get("samples");
  static final String EXPECTATIONS_NAME =
      "src/test/resources/conformance/tshark-loss-differences.tsv";
  private static final Path EXPECTATIONS = Paths.get(EXPECTATIONS_NAME);
  private static final String UNEXPLAINED = "UNEXPLAINED";
  private static final long TIMEOUT_SECONDS = 120;
  static final String[] FLAGS = {
    "retransmission",
    "fast_retransmission",
    "spurious_retransmission",
    "out_of_order",
    "lost_segment",
    "ack_lost_segment"
  };

  @Test
  void flagsAgreeWithTshark() throws Exception {
    Assumptions.assumeTrue(tsharkRuns(), "tshark not installed");
    boolean corpus = Files.isDirectory(CORPUS);
    List<String[]> captures = new ArrayList<>();
    try (Stream<Path> s = Files.list(SAMPLES)) {
      s.filter(p -> p.toString().endsWith(".pcap"))
          .sorted()
          .forEach(p -> captures.add(new String[] {"samples/" + p.getFileName(), p.toString()}));
    }
    if (corpus) {
      try (Stream<Path> s = Files.walk(CORPUS)) {
        s.filter(Files::isRegularFile)
            .filter(TsharkLossDifferentialTest::isCapture)
            .map(p -> CORPUS.relativize(p).toString().replace('\\', '/'))
            .sorted()
            .forEach(n -> captures.add(new String[] {"corpus/" + n, CORPUS.resolve(n).toString()}));
      }
    }
    Path config = Files.createTempDirectory("tshark-config");
    Map<String, String> rows = new TreeMap<>(); // key (capture, flag, counts) -> reason
    Map<String, Integer> totals = new TreeMap<>();
    String only = System.getProperty("tshark.loss.only", "");
    boolean verbose = Boolean.getBoolean("tshark.loss.verbose");
    try {
      for (String[] c : captures) {
        if (!c[0].contains(only)) {
          continue;
        }
        Map<String, TreeSet<Long>> ts = tshark(Paths.get(c[1]), config);
        if (ts == null) {
          continue; // tshark cannot read it (connscope's reading is tested elsewhere)
        }
        Map<String, TreeSet<Long>> cs = connscope(Paths.get(c[1]));
        if (cs == null) {
          continue;
        }
        for (String flag : FLAGS) {
          TreeSet<Long> a = ts.get(flag), b = cs.get(flag);
          totals.merge(flag + " tshark", a.size(), Integer::sum);
          totals.merge(flag + " connscope", b.size(), Integer::sum);
          TreeSet<Long> both = new TreeSet<>(a);
          both.retainAll(b);
          totals.merge(flag + " both", both.size(), Integer::sum);
          if (!a.equals(b) && verbose) {
            TreeSet<Long> onlyT = new TreeSet<>(a), onlyC = new TreeSet<>(b);
            onlyT.removeAll(b);
            onlyC.removeAll(a);
            System.out.println(
                c[0] + " " + flag + " tshark only " + onlyT + " connscope only " + onlyC);
          }
          if (!a.equals(b)) {
            rows.put(
                c[0] + "\t" + flag + "\t" + a.size() + "\t" + b.size() + "\t" + both.size(),
                UNEXPLAINED);
          }
        }
      }
    } finally {
      Files.deleteIfExists(config);
    }
    System.out.println(
        "tshark vs connscope loss flags over " + captures.size() + " captures: " + totals);
    Map<String, String> reasons = new LinkedHashMap<>();
    Map<String, String> expected = read(reasons);
    for (Map.Entry<String, String> r : rows.entrySet()) {
      String reason = expected.get(r.getKey());
      if (reason != null) {
        r.setValue(reason);
      }
    }
    if (!only.isEmpty()) {
      return; // a subset: nothing to compare with the whole file
    }
    if (Boolean.getBoolean("tshark.loss.write")) {
      write(rows, reasons, corpus, expected);
      return;
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> r : rows.entrySet()) {
      if (!expected.containsKey(r.getKey())) {
        problems.add("not listed: " + r.getKey());
      } else {
        for (String id : r.getValue().split("\\+")) { // a row with two causes names both
          if (UNEXPLAINED.equals(id) || !reasons.containsKey(id)) {
            problems.add("no reason: " + r.getKey() + " (" + id + ")");
          }
        }
      }
    }
    for (String k : expected.keySet()) {
      if (!rows.containsKey(k) && (corpus || k.startsWith("samples/"))) {
        problems.add("stale: " + k);
      }
    }
    if (!problems.isEmpty()) {
      fail(
          problems.size()
              + " problems (rewrite with -Dtshark.loss.write=true, then give each"
              + " row its reason):\n"
              + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));
    }
  }

  /** The rows of the expectations file (key -> reason id); fills {@code reasons}. */
  private static Map<String, String> read(Map<String, String> reasons) throws IOException {
    Map<String, String> rows = new TreeMap<>();
    if (!Files.exists(EXPECTATIONS)) {
      return rows;
    }
    for (String line : Files.readAllLines(EXPECTATIONS, StandardCharsets.UTF_8)) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f[0].equals("reason")) {
        reasons.put(f[1], f[2]);
      } else {
        rows.put(String.join("\t", f[0], f[1], f[2], f[3], f[4]), f[5]);
      }
    }
    return rows;
  }

  private static void write(
      Map<String, String> rows,
      Map<String, String> reasons,
      boolean corpus,
      Map<String, String> expected)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (String line :
        Files.exists(EXPECTATIONS)
            ? Files.readAllLines(EXPECTATIONS, StandardCharsets.UTF_8)
            : List.<String>of()) {
      if (line.startsWith("#")) {
        out.add(line);
      }
    }
    for (Map.Entry<String, String> r : reasons.entrySet()) {
      out.add("reason\t" + r.getKey() + "\t" + r.getValue());
    }
    Map<String, String> all = new TreeMap<>(rows);
    if (!corpus) { // keep the corpus rows when the corpus is absent
      expected.forEach(
          (k, v) -> {
            if (!k.startsWith("samples/")) all.putIfAbsent(k, v);
          });
    }
    for (Map.Entry<String, String> r : all.entrySet()) {
      out.add(r.getKey() + "\t" + r.getValue());
    }
    Files.write(EXPECTATIONS, out, StandardCharsets.UTF_8);
  }

  private static boolean isCapture(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    return n.endsWith(".pcap") || n.endsWith(".pcapng") || n.endsWith(".cap");
  }

  private static boolean tsharkRuns() {
    try {
      Process p =
          new ProcessBuilder("tshark", "--version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Map<String, TreeSet<Long>> empty() {
    Map<String, TreeSet<Long>> m = new LinkedHashMap<>();
    for (String f : FLAGS) {
      m.put(f, new TreeSet<>());
    }
    return m;
  }

  /** The frames tshark flags, per flag; null when tshark fails on the capture. */
  private static Map<String, TreeSet<Long>> tshark(Path file, Path config)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "tshark",
                "-n",
                "-r",
                file.toString(),
                "-o",
                "tcp.analyze_sequence_numbers:TRUE",
                "-Y",
                "tcp.analysis.retransmission or tcp.analysis.fast_retransmission or"
                    + " tcp.analysis.spurious_retransmission or tcp.analysis.out_of_order or"
                    + " tcp.analysis.lost_segment or tcp.analysis.ack_lost_segment",
                "-T",
                "fields",
                "-E",
                "separator=/t",
                "-e",
                "frame.number",
                "-e",
                "tcp.len"));
    for (String f : FLAGS) {
      cmd.add("-e");
      cmd.add("tcp.analysis." + f);
    }
    Path out = Files.createTempFile("tshark", ".out");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put("WIRESHARK_CONFIG_DIR", config.toString());
      Process p = pb.start();
      try {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          fail("tshark did not finish " + file + " in " + TIMEOUT_SECONDS + " s");
        }
      } finally {
        if (p.isAlive()) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
      if (p.exitValue() != 0 && p.exitValue() != 2) {
        return null;
      }
      Map<String, TreeSet<Long>> m = empty();
      for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t", -1);
        if (f.length < 2 + FLAGS.length || f[0].isEmpty()) {
          continue;
        }
        long frame = Long.parseLong(f[0].trim());
        // the first of several values (a tunnel's inner TCP after the outer): the outer one's
        boolean data = !f[1].isEmpty() && !f[1].split(",")[0].equals("0");
        for (int k = 0; k < FLAGS.length; k++) {
          if (!f[2 + k].isEmpty() && (data || FLAGS[k].equals("ack_lost_segment"))) {
            m.get(FLAGS[k]).add(frame);
          }
        }
        if (data && (!f[3].isEmpty() || !f[4].isEmpty())) {
          m.get("retransmission").add(frame);
        }
      }
      return m;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The frames connscope's loss classification marks, per flag; null when it cannot read. */
  static Map<String, TreeSet<Long>> connscope(Path file) {
    Map<String, TreeSet<Long>> m = empty();
    DetectOptions options = new AnalysisConfig().detect;
    try {
      Reports.run(
          new AnalysisConfig(),
          new AnalysisSink() {
            @Override
            public void connection(ConnectionRecord r) {
              Connection c = r.tcp();
              SegmentTimeline t = c.timeline();
              for (LossRecovery.Direction d :
                  LossRecovery.of(t, LossRecovery.rtt(c), options.retransmissionMinStallMicros)) {
                for (LossRecovery.Recovery rec : d.recoveries) {
                  for (LossRecovery.Retransmission x : rec.retransmissions) {
                    long f = t.frame(x.index());
                    m.get("retransmission").add(f);
                    if (x.trigger() == LossRecovery.FAST) {
                      m.get("fast_retransmission").add(f);
                    } else if (x.trigger() == LossRecovery.SPURIOUS) {
                      m.get("spurious_retransmission").add(f);
                    }
                  }
                }
                d.reorderedAt.forEach(i -> m.get("out_of_order").add(t.frame(i)));
                d.holeAfter.forEach(i -> m.get("lost_segment").add(t.frame(i)));
                d.ackBeyondSeen.forEach(i -> m.get("ack_lost_segment").add(t.frame(i)));
              }
            }

            @Override
            public void finding(Finding finding) {}

            @Override
            public void finish(CaptureTotals capture) {}
          },
          file);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return m;
  }
}
