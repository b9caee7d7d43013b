package io.connscope.report;

import static io.connscope.report.Escape.md;

import com.fasterxml.jackson.databind.JsonNode;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternSummary;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Renders a report (its result records, as {@link ReportDigest} gathered them) as Markdown for a
 * bug ticket (GitHub, GitLab, Jira's Markdown): a headline verdict with the costliest problems
 * first and the time they cost, the findings table with evidence frames, the tshark display filter
 * and the fix, the requests per pattern (method and path) with their latency percentiles, the
 * slowest transactions, the connection use per client/server pair, the capture-quality notes, and
 * long lists collapsed in {@code <details>}. Every connection and transaction is in the HTML and
 * JSON reports, which the Markdown points to.
 *
 * <p>Size: under {@value Budget#MARKDOWN} characters whatever the capture (a ticket comment), by
 * construction: every part is written through a {@link Budget} in which each section has a share
 * ({@link #SHARES}); rows that do not fit are counted in a note that points to the HTML/JSON
 * report.
 *
 * <p>Every string that came from packets goes through {@link Escape#md}; output is deterministic.
 */
public final class MarkdownReportWriter {
  /** Rows shown before the rest of a table is collapsed. */
  static final int SHOWN_ROWS = 10;

  /** Longest finding summary or fix shown (longer ones are cut; the HTML/JSON have them whole). */
  static final int SUMMARY = 600;

  /** Slowest transactions listed. */
  static final int SLOWEST = 10;

  /** Request patterns listed at most (the longest total time first). */
  static final int PATTERN_ROWS = 100;

  /**
   * The characters reserved for each section after the head (verdict, capture, quality): findings,
   * request patterns, slowest transactions, large transfers, pairs, TLS, the closing lines. A
   * section may also use what the ones before it left.
   */
  static final int[] SHARES = {14_000, 14_000, 5_000, 3_000, 5_000, 4_000, 1_000};

  /** The characters reserved for the sections after section {@code i} (0: findings). */
  private static int after(int i) {
    int n = 0;
    for (int j = i + 1; j < SHARES.length; j++) {
      n += SHARES[j];
    }
    return n;
  }

  private MarkdownReportWriter() {}

  public static void write(JsonNode r, Writer out) throws IOException {
    ReportSource src = ReportSource.of(r);
    ReportDigest d = ReportDigest.build(src, ReportDigest.Limits.DEFAULT);
    d.readSlowest(src, SLOWEST);
    write(d, out);
  }

  /**
   * Renders what {@code d} gathered (its slowest transactions read by {@link
   * ReportDigest#readSlowest}): under {@value Budget#MARKDOWN} characters whatever the report.
   */
  static void write(ReportDigest d, Writer out) throws IOException {
    Budget b = new Budget(Budget.MARKDOWN - 1).section(after(-1));
    ResultJson.Header r = d.header;
    CaptureSummary cap = r.capture();
    CaptureSummary.Totals sum = cap.totals();
    b.add("# connscope report: " + md(ReportModel.cut(ReportModel.files(cap), 300)) + "\n\n");
    List<ReportModel.Verdict> verdicts = d.verdicts;
    if (verdicts.isEmpty()) {
      b.add(
          "**Verdict:** no connection-level problem found in "
              + sum.transactions()
              + " HTTP transactions over "
              + sum.connections()
              + " connections.\n\n");
    } else {
      ReportModel.Verdict top = verdicts.get(0);
      b.add(
          "**Verdict:** "
              + md(ReportModel.title(top.type()))
              + " cost "
              + ReportModel.ms(top.costMicros())
              + " over "
              + top.count()
              + (top.count() == 1 ? " occurrence" : " occurrences")
              + ". Costliest problems first:\n\n");
      int shown = 0;
      for (ReportModel.Verdict v : verdicts) {
        boolean fits =
            b.add(
                "- **"
                    + md(ReportModel.title(v.type()))
                    + "** ("
                    + Escape.mdSpan(v.type())
                    + "): "
                    + ReportModel.ms(v.costMicros())
                    + " lost, "
                    + v.count()
                    + (v.count() == 1 ? " finding" : " findings")
                    + " on "
                    + md(v.where())
                    + ". Worst: "
                    + md(ReportModel.cut(v.costliest().summary(), SUMMARY))
                    + ". **Fix:** "
                    + md(ReportModel.cut(v.costliest().fix(), SUMMARY))
                    + ".\n");
        if (!fits) {
          break;
        }
        shown++;
      }
      if (shown < verdicts.size()) {
        b.note(
            "- " + (verdicts.size() - shown) + " more finding types: see the HTML/JSON report.\n");
      }
      b.add(
          "\nTimes lost by different finding types can overlap (one stall can be seen by two detectors).\n\n");
    }
    b.add(
        "Capture: "
            + cap.packets()
            + " packets, "
            + Text.seconds(cap.durationUs())
            + ", "
            + sum.connections()
            + (sum.connections() == 1 ? " connection (" : " connections (")
            + sum.httpConnections()
            + " HTTP), "
            + sum.transactions()
            + " transactions, "
            + sum.unansweredRequests()
            + " unanswered.\n\n");
    if (cap.filter() != null) {
      b.add(
          "Filter: "
              + Escape.mdSpan(cap.filter())
              + ", "
              + cap.filteredOut()
              + " packets excluded.\n\n");
    }
    if (d.frameFiles.multi()) {
      b.add(md("F" + ReportModel.fileFrames(cap).substring(1)) + ".\n\n");
    }
    List<String> quality = d.quality;
    if (quality.isEmpty()) {
      b.add("Capture quality: no damage or missing packets detected.\n\n");
    } else {
      b.add(
          "> **Capture quality:** the capture is incomplete or damaged; conclusions near these places are weaker.\n");
      int shown = 0;
      for (String q : quality) {
        if (!b.add("> - " + md(q) + "\n")) {
          break;
        }
        shown++;
      }
      if (shown < quality.size()) {
        b.note("> - " + (quality.size() - shown) + " more notes: see the HTML/JSON report.\n");
      }
      b.add("\n");
    }

    findings(b.section(after(0)), d);
    patterns(b.section(after(1)), d);
    slowest(b.section(after(2)), d);
    transfers(b.section(after(3)), d);
    pairs(b.section(after(4)), d);
    tls(b.section(after(5)), d);
    b.section(0);
    b.add(
        "Every connection and transaction, with timings, ladders and waterfalls: see the HTML or"
            + " JSON report of this capture.\n");
    b.add(
        "\n_Generated by connscope "
            + md(ReportModel.cut(r.toolVersion(), 40))
            + " (report schema "
            + md(ReportModel.cut(r.schemaVersion(), 40))
            + "). Open the capture in Wireshark and paste a display filter to see the evidence._\n");
    out.write(b.toString());
  }

  /**
   * Adds the rows of a table (its head already written) that fit in {@code b}, those after the
   * first {@value #SHOWN_ROWS} collapsed under a {@code <details>} whose summary counts them;
   * returns how many were added (the caller closes the {@code <details>} when more than {@value
   * #SHOWN_ROWS}).
   */
  private static int collapsed(Budget b, List<String> rows, String head, String what) {
    String open =
        "\n<details><summary>" + (rows.size() - SHOWN_ROWS) + what + "</summary>\n\n" + head;
    int fit = b.fitting(rows, SHOWN_ROWS, open.length());
    int shown = 0;
    for (int i = 0; i < fit; i++) {
      String pre =
          i == SHOWN_ROWS
              ? "\n<details><summary>" + (fit - SHOWN_ROWS) + what + "</summary>\n\n" + head
              : "";
      if (!b.add(pre + rows.get(i))) {
        break;
      }
      shown++;
    }
    return shown;
  }

  private static void findings(Budget b, ReportDigest d) {
    List<Finding> fs = d.findings;
    b.add("## Findings\n\n");
    if (fs.isEmpty()) {
      b.add("None.\n\n");
      return;
    }
    String head =
        "| # | Finding | Where | Cost | Evidence frames | Display filter | Summary | Fix |\n"
            + "|---|---|---|---:|---|---|---|---|\n";
    b.add(head);
    List<String> rows = new java.util.ArrayList<>(fs.size());
    for (int i = 0; i < fs.size(); i++) {
      Finding f = fs.get(i);
      rows.add(
          "| "
              + (i + 1)
              + " | "
              + md(f.severity().id())
              + ": "
              + Escape.mdSpan(f.type())
              + " ("
              + md(f.confidence().id())
              + ") | "
              + md(ReportModel.where(f))
              + " | "
              + ReportModel.ms(f.costUs())
              + " | "
              + (d.frameFiles.multi()
                  ? md(ReportModel.cut(ReportModel.frames(f, d.frameFiles), 400))
                  : ReportModel.cut(ReportModel.frames(f), 200))
              + " | "
              + Escape.mdCode(ReportModel.cut(f.displayFilter(), 400))
              + fileFilters(d, f)
              + " | "
              + md(ReportModel.cut(f.summary(), SUMMARY))
              + " | "
              + md(ReportModel.cut(f.fix(), SUMMARY))
              + " |\n");
    }
    int shown = collapsed(b, rows, head, " more findings");
    String close = shown > SHOWN_ROWS ? "\n</details>\n" : "";
    long more = d.findingsTotal - shown;
    b.note(
        close
            + (more > 0
                ? "\n"
                    + more
                    + " less costly findings are not listed: the verdict above counts them per"
                    + " type; the HTML/JSON report has them all.\n"
                : "")
            + "\n");
  }

  /**
   * The request patterns of every pair, the longest total time first: count, p50/p90/p99 of wait
   * and total time, bytes (computed by the analysis, {@code PatternStats}).
   */
  private static void patterns(Budget b, ReportDigest d) {
    List<Object[]> rows = new java.util.ArrayList<>();
    for (PairSummary p : d.header.capture().pairs()) {
      for (PatternSummary s : p.patterns()) {
        rows.add(new Object[] {p, s});
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    // stable: pairs in report order, patterns in their pair's order
    rows.sort(
        java.util.Comparator.comparingLong((Object[] x) -> -((PatternSummary) x[1]).timeUs()));
    b.add(
        "## Requests per pattern\n\nMethod and path without the query, per client/server pair,"
            + " the longest total time first; times are p50 / p90 / p99 (nearest rank) of the wait"
            + " (request sent to first response byte) and of the total time.\n\n");
    b.add(
        "| Client | Server | Request | Count | Wait p50 / p90 / p99 | Total p50 / p90 / p99 | Bytes |\n"
            + "|---|---|---|---:|---|---|---:|\n");
    int shown = 0;
    for (Object[] x : rows) {
      PairSummary p = (PairSummary) x[0];
      PatternSummary s = (PatternSummary) x[1];
      if (shown == PATTERN_ROWS
          || !b.add(
              "| "
                  + md(p.client())
                  + " | "
                  + md(ReportModel.endpoint(p.server()))
                  + " | "
                  + md(ReportModel.cut(s.pattern(), 120))
                  + " | "
                  + s.transactions()
                  + " | "
                  + Text.percentiles(s.waitTime())
                  + " | "
                  + Text.percentiles(s.total())
                  + " | "
                  + Text.bytes(s.bytes())
                  + " |\n")) {
        break;
      }
      shown++;
    }
    b.note(
        (rows.size() > shown
                ? "\n" + (rows.size() - shown) + " more patterns: see the HTML/JSON report.\n"
                : "")
            + "\n");
  }

  /** With several input files: the finding's display filter in each file's own frame numbers. */
  private static String fileFilters(ReportDigest d, Finding f) {
    StringBuilder r = new StringBuilder();
    for (io.connscope.result.FrameFiles.FileFilter ffl : d.frameFiles.filters(f.frames())) {
      r.append("<br>in ")
          .append(md(ffl.file()))
          .append(": ")
          .append(Escape.mdCode(ReportModel.cut(ffl.filter(), 400)));
    }
    return r.toString();
  }

  /** What limited each large transfer of the connections the digest kept, in words. */
  private static void transfers(Budget b, ReportDigest d) {
    List<String> rows = new java.util.ArrayList<>();
    for (ReportSource.ConnectionView v : d.table) {
      for (ConnectionResult.Transfer x : v.connection().transfers()) {
        rows.add(
            "- "
                + md(v.connection().idString())
                + ": "
                + md(ReportModel.cut(x.describe(), SUMMARY))
                + "\n");
      }
    }
    if (rows.isEmpty() || !b.add("## What limited each large transfer\n\n")) {
      return;
    }
    int shown = 0;
    for (String row : rows) {
      if (!b.add(row)) {
        break;
      }
      shown++;
    }
    b.note(
        (shown < rows.size()
                ? "- " + (rows.size() - shown) + " more: see the HTML/JSON report.\n"
                : "")
            + (d.connectionsTotal > d.table.size()
                ? "\nOf the first " + d.table.size() + " connections; the JSON report has all.\n"
                : "")
            + "\n");
  }

  /** The slowest transactions of the capture (first request byte to last response byte). */
  private static void slowest(Budget b, ReportDigest d) {
    if (d.slowest.isEmpty()) {
      return;
    }
    b.add(
        "## Slowest transactions\n\n"
            + "| Connection | Client | Server | Request | Status | Wait | Total |\n"
            + "|---|---|---|---|---:|---:|---:|\n");
    int shown = 0;
    for (ReportDigest.Slow x : d.slowest) {
      ConnectionResult c = x.connection();
      TransactionResult t = x.transaction();
      if (!b.add(
          "| "
              + md(c.idString() + " #" + t.index())
              + " | "
              + md(ReportModel.endpoint(c.client()))
              + " | "
              + md(ReportModel.endpoint(c.server()))
              + " | "
              + md(ReportModel.cut(ReportModel.request(t), 160))
              + " | "
              + md(ReportModel.outcome(t))
              + " | "
              + Text.dur(t.timings() == null ? -1 : t.timings().waitUs())
              + " | "
              + Text.dur(t.totalUs())
              + " |\n")) {
        break;
      }
      shown++;
    }
    b.note(
        (shown < d.slowest.size()
                ? "\n" + (d.slowest.size() - shown) + " more: see the HTML/JSON report.\n"
                : "")
            + "\n");
  }

  private static void pairs(Budget b, ReportDigest d) {
    List<ReportModel.Pair> ps = d.pairs;
    b.add("## Connection use per client/server pair\n\n");
    if (ps.isEmpty()) {
      b.add("No TCP connections.\n\n");
      return;
    }
    String head =
        "| Client | Server | Connections | Transactions | Most per connection | Most at once | Use | Closes |\n"
            + "|---|---|---:|---:|---:|---:|---|---|\n";
    b.add(head);
    List<String> rows = new java.util.ArrayList<>(ps.size());
    for (ReportModel.Pair p : ps) {
      rows.add(
          "| "
              + md(p.client())
              + " | "
              + md(p.server())
              + " | "
              + p.connectionCount()
              + " | "
              + md(p.transactionsText())
              + " | "
              + md(p.maxPerConnectionText())
              + " | "
              + p.maxParallel()
              + " | "
              + md(p.pattern())
              + " | "
              + md(p.closes())
              + " |\n");
    }
    int shown = collapsed(b, rows, head, " more pairs");
    String close = shown > SHOWN_ROWS ? "\n</details>\n" : "";
    long more = d.pairsTotal - shown;
    b.note(
        close
            + (more > 0
                ? "\n"
                    + more
                    + " more pairs are not listed"
                    + (d.connectionsOutsideTrackedPairs > 0 && shown == ps.size()
                        ? " (" + d.connectionsOutsideTrackedPairs + " connections)"
                        : "")
                    + ": the HTML/JSON report has them all.\n"
                : "")
            + "\n");
  }

  /**
   * One row per TLS connection (version, suite, SNI, ALPN, handshake, resumption and its phases),
   * then what failed or could not be read. Strings from packets (SNI, ALPN, notes) are escaped.
   */
  private static void tls(Budget b, ReportDigest d) {
    List<ConnectionResult> cs = d.tls;
    if (d.tlsTotal == 0) {
      return;
    }
    StringBuilder h =
        new StringBuilder("## TLS\n\n")
            .append(d.tlsTotal)
            .append(d.tlsTotal == 1 ? " TLS connection (" : " TLS connections (");
    String sep = "";
    for (java.util.Map.Entry<String, Long> e : d.tlsVersions.entrySet()) {
      h.append(sep).append(e.getValue()).append(' ').append(md(e.getKey()));
      sep = ", ";
    }
    h.append("): ")
        .append(d.tlsResumed)
        .append(" resumed, ")
        .append(d.tlsFailed)
        .append(" failed. ")
        .append(
            "Phases: connect (SYN to ACK), hello (ClientHello to ServerHello), server flight, finished to data"
                + " (client Finished to the first application data; inferred when the Finished was encrypted),"
                + " TLS setup (ClientHello to the first application data).\n\n");
    String head =
        "| Connection | Server | SNI | Version | Cipher suite | ALPN | Handshake | Resumption | Connect | Hello"
            + " | Server flight | Finished to data | TLS setup | Round trips | Keys |\n"
            + "|---|---|---|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|\n";
    if (!b.add(h.append(head))) {
      return;
    }
    List<String> rows = new java.util.ArrayList<>(cs.size());
    for (int i = 0; i < cs.size(); i++) {
      StringBuilder row = new StringBuilder();
      ConnectionResult c = cs.get(i);
      TlsFacts f = c.tls();
      TlsFacts.Timing t = f.timing();
      row.append("| ")
          .append(md(c.idString()))
          .append(" | ")
          .append(md(ReportModel.endpoint(c.server())))
          .append(" | ")
          .append(md(f.sni()))
          .append(" | ")
          .append(md(f.version() == null ? "-" : f.version()))
          .append(" | ")
          .append(md(f.cipherSuite() == null ? "-" : f.cipherSuite()))
          .append(" | ")
          .append(md(TlsReport.alpn(f)))
          .append(" | ")
          .append(md(TlsReport.handshake(f)))
          .append(" | ")
          .append(md(TlsReport.resumption(f)))
          .append(" | ")
          .append(ReportModel.msOrDash(t.tcpConnectUs()))
          .append(" | ")
          .append(ReportModel.msOrDash(t.helloToServerHelloUs()))
          .append(" | ")
          .append(ReportModel.msOrDash(t.serverFlightUs()))
          .append(" | ")
          .append(TlsReport.finishedToData(t))
          .append(" | ")
          .append(ReportModel.msOrDash(t.setupUs()))
          .append(" | ")
          .append(TlsReport.roundTrips(t))
          .append(" | ")
          .append(md(f.decryption()))
          .append(" |\n");
      rows.add(row.toString());
    }
    int shown = collapsed(b, rows, head, " more TLS connections");
    StringBuilder n = new StringBuilder();
    if (shown > SHOWN_ROWS) {
      n.append("\n</details>\n");
    }
    if (d.tlsTotal > shown) {
      n.append("\nThe first ")
          .append(shown)
          .append(" TLS connections are listed; the HTML/JSON report has all ")
          .append(d.tlsTotal)
          .append(".\n");
    }
    StringBuilder r = new StringBuilder();
    int remarks = 0;
    for (int i = 0; i < shown; i++) {
      ConnectionResult c = cs.get(i);
      for (String line : TlsReport.remarks(c.tls(), d.frameFiles)) {
        String l = "- " + md(c.idString()) + ": " + md(line) + "\n";
        if (r.length() + l.length() > 3_000) {
          remarks++;
          continue;
        }
        r.append(l);
      }
    }
    if (r.length() > 0) {
      b.note(n.toString());
      n.setLength(0);
      b.add("\nFailures, alerts and what could not be read:\n\n" + r);
      if (remarks > 0) {
        n.append("- ").append(remarks).append(" more: see the HTML/JSON report.\n");
      }
    }
    b.note(n.append('\n').toString());
  }
}
