package io.connscope.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs connscope's pipeline over every capture of the shared corpus ({@code ../shared/corpus},
 * skipped when absent) and compares the HTTP transactions it finds with the expectation of the
 * project the capture comes from (Zeek http.log, Arkime sessions, Suricata eve checks, tcpdump
 * output), or with tshark's dissection where no peer states one. See docs/conformance.md.
 *
 * <p>Prints a table (capture, expected, got, verdict). Fails when a capture crashes the pipeline
 * or makes it print anything to stderr, when agreement falls below the thresholds, when a peer
 * disagreement is not in {@link #KNOWN}, or when a {@link #KNOWN} entry no longer disagrees.
 */
class CorpusConformanceTest {
  private static final Path CORPUS = Paths.get("..", "shared", "corpus");

  /** Agreement with peer baselines, documented exceptions counted as disagreements. */
  static final double PEER_THRESHOLD = 0.0;
  /** Agreement with tshark's counts (a reference, not ground truth). */
  static final double TSHARK_THRESHOLD = 0.0;

  /**
   * Captures where connscope and the reference disagree for a documented reason (who is right
   * and why: docs/conformance.md). Each must still disagree, so a fix shows up as a stale entry.
   */
  static final Map<String, String> KNOWN = new LinkedHashMap<>();

  record Row(String capture, String group, String expected, String got, String verdict) {}

  @Test
  void corpusAgreesWithPeers() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(CORPUS.resolve("index.json")), "corpus absent");
    JsonNode index = new ObjectMapper().readTree(CORPUS.resolve("index.json").toFile());
    List<Row> rows = new ArrayList<>();
    List<String> crashes = new ArrayList<>();
    List<String> unexplained = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    int[] peer = new int[3]; // total, agree, explained
    int[] tshark = new int[3];
    for (JsonNode rec : index) {
      String local = rec.get("local").asText();
      Path file = CORPUS.resolve(local);
      Observed o = Observed.of(file);
      if (o.crash != null || !o.stderr.isEmpty()) {
        crashes.add(local + ": " + (o.crash != null ? o.crash : o.stderr));
        rows.add(new Row(local, "-", "-", "-", "CRASH"));
        continue;
      }
      Peers.Result r = rec.get("has_peer_baseline").asBoolean() ? peer(rec.get("peer_detail"), o)
          : null;
      boolean isPeer = r != null;
      if (r == null) {
        r = Peers.tshark(rec.get("features"), o);
      }
      if (r == null) {
        rows.add(new Row(local, "-", "-", "-", "NO-EXPECTATION"));
        continue;
      }
      int[] tally = isPeer ? peer : tshark;
      tally[0]++;
      String verdict;
      if (r.agree()) {
        tally[1]++;
        verdict = "agree";
        if (KNOWN.containsKey(local)) {
          stale.add(local);
          verdict = "agree(STALE-EXCEPTION)";
        }
      } else if (KNOWN.containsKey(local)) {
        tally[2]++;
        verdict = "explained: " + KNOWN.get(local);
      } else {
        verdict = "DISAGREE";
        if (isPeer) {
          unexplained.add(local);
        }
      }
      rows.add(new Row(local, r.peer(), r.expected(), r.got(), verdict));
    }
    print(rows, peer, tshark);
    assertTrue(crashes.isEmpty(), "pipeline crashed or printed to stderr:\n" + String.join("\n", crashes));
    assertTrue(stale.isEmpty(), "documented exceptions that now agree (remove them): " + stale);
    assertTrue(unexplained.isEmpty(), "undocumented disagreements with peers: " + unexplained);
    assertTrue(rate(peer) >= PEER_THRESHOLD, "peer agreement " + rate(peer));
    assertTrue(rate(tshark) >= TSHARK_THRESHOLD, "tshark agreement " + rate(tshark));
    assertEquals(index.size(), rows.size());
  }

  private static Peers.Result peer(JsonNode d, Observed o) {
    return switch (d.path("kind").asText()) {
      case "zeek" -> {
        Peers.Result r = Peers.zeek(d.get("http_log"), o);
        yield r != null ? r : Peers.zeekConn(d.get("conn_log"), o);
      }
      case "arkime" -> Peers.arkime(d.get("http_sessions"), o);
      case "suricata" -> Peers.suricata(d.get("tests"), o);
      case "tcpdump" -> Peers.tcpdump(d.get("http_lines"), o);
      default -> null;
    };
  }

  private static double rate(int[] t) {
    return t[0] == 0 ? 1.0 : (double) t[1] / t[0];
  }

  private static void print(List<Row> rows, int[] peer, int[] tshark) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-70s %-9s %-60s %-60s %s%n", "capture", "vs", "expected", "got",
        "verdict"));
    for (Row r : rows) {
      sb.append(String.format("%-70s %-9s %-60s %-60s %s%n", cut(r.capture(), 70), r.group(),
          cut(r.expected(), 60), cut(r.got(), 60), r.verdict()));
    }
    for (Row r : rows) {
      if (r.verdict().equals("DISAGREE")) {
        sb.append("\nDISAGREE ").append(r.capture()).append(" (").append(r.group())
            .append(")\n  expected: ").append(r.expected()).append("\n  got:      ")
            .append(r.got()).append('\n');
      }
    }
    sb.append(String.format("%npeer baselines: %d/%d agree (%.1f%%), %d documented exceptions%n",
        peer[1], peer[0], 100.0 * rate(peer), peer[2]));
    sb.append(String.format("tshark only:    %d/%d agree (%.1f%%), %d documented exceptions%n",
        tshark[1], tshark[0], 100.0 * rate(tshark), tshark[2]));
    System.out.print(sb);
  }

  private static String cut(String s, int n) {
    s = s.replace('\n', ' ');
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
