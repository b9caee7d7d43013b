package io.connscope.report;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.FrameFiles;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternSummary;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The human summary printed by default: capture totals, the first connections with their
 * transactions and timings, the slowest transactions, findings and warnings. It keeps only a
 * bounded number of connections and transactions in memory whatever the capture size; the JSON
 * report has everything. It only formats the result records: every number comes computed. Strings
 * from packets are escaped for the terminal.
 */
public final class TextReportWriter implements ResultSink {
  /** Connections listed in detail: the first ones (ids 1 to this). */
  static final int MAX_CONNECTIONS = 20;

  /** Transactions listed per connection. */
  static final int MAX_TRANSACTIONS = 10;

  /** Entries in the slowest-transactions list. */
  static final int MAX_SLOWEST = 5;

  /** Findings listed. */
  static final int MAX_FINDINGS = 50;

  /** Client/server pairs listed (most connections first). */
  static final int MAX_PAIRS = 20;

  /** Request patterns listed per pair (the longest total time first). */
  static final int MAX_PATTERNS = 5;

  private final PrintWriter out;

  /**
   * The listed connections with their listed transactions, formatted at the end (frames are cited
   * with their input file, known then): at most MAX_CONNECTIONS of MAX_TRANSACTIONS.
   */
  private final TreeMap<Long, Listed> connectionBlocks = new TreeMap<>();

  private record Listed(ConnectionResult connection, List<TransactionResult> transactions) {}

  /** Slowest transactions: key = total time, then connection id and index for a stable order. */
  private final TreeMap<String, TransactionResult> slowest = new TreeMap<>();

  /** Total time of the fastest entry in a full slowest list: faster ones are not formatted. */
  private long slowestMin = -1;

  /** Transaction lines of the listed connections (ids up to MAX_CONNECTIONS) still open. */
  private final HashMap<Long, List<TransactionResult>> transactionLines = new HashMap<>();

  /** Order of the listed findings: connection number, transaction, first evidence frame, type. */
  static final Comparator<Finding> FINDING_ORDER =
      Comparator.comparingLong(Finding::connectionNumber)
          .thenComparingInt(Finding::transaction)
          .thenComparingLong(f -> f.frames().isEmpty() ? 0 : f.frames().get(0))
          .thenComparing(Finding::type)
          .thenComparing(Finding::summary);

  /** The first MAX_FINDINGS findings in report order (the arrival number breaks ties). */
  private final TreeSet<Numbered> findings =
      new TreeSet<>(
          Comparator.comparing(Numbered::finding, FINDING_ORDER)
              .thenComparingLong(Numbered::number));

  private record Numbered(Finding finding, long number) {}

  private long findingCount;

  public TextReportWriter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void transaction(TransactionResult t) {
    long total = t.totalUs();
    if (total >= 0 && (slowest.size() < MAX_SLOWEST || total > slowestMin)) {
      String key =
          String.format(
              Locale.ROOT, "%019d %019d %09d", Long.MAX_VALUE - total, t.connection(), t.index());
      slowest.put(key, t);
      if (slowest.size() > MAX_SLOWEST) {
        slowest.pollLastEntry();
      }
      if (slowest.size() == MAX_SLOWEST) {
        slowestMin = Long.MAX_VALUE - Long.parseLong(slowest.lastKey().substring(0, 19));
      }
    }
    if (t.connection() <= MAX_CONNECTIONS) {
      List<TransactionResult> listed =
          transactionLines.computeIfAbsent(t.connection(), k -> new ArrayList<>());
      if (listed.size() < MAX_TRANSACTIONS) {
        listed.add(t); // formatted at the connection's close
      }
    }
  }

  @Override
  public void connection(ConnectionResult c) {
    if (c.id() <= MAX_CONNECTIONS) {
      List<TransactionResult> listed = transactionLines.remove(c.id());
      connectionBlocks.put(c.id(), new Listed(c, listed == null ? List.of() : listed));
    }
  }

  /** A line of the slowest-transactions list. */
  private static String slowLine(TransactionResult t, FrameFiles ff) {
    return String.format(
        Locale.ROOT,
        "  %-10s %s #%d %s %s -> %s",
        Text.ms(t.totalUs()),
        t.connectionId(),
        t.index(),
        Text.safe(t.method(), 16),
        Text.safe(t.uri(), 60),
        status(t, ff));
  }

  private static String status(TransactionResult t, FrameFiles ff) {
    if (t.unanswered()) {
      return "no response";
    }
    TransactionResult.ResponseNotCaptured lost = t.responseNotCaptured();
    if (lost != null) {
      return "response not captured ("
          + lost.bytesAcknowledged()
          + " bytes acknowledged by the client, frame "
          + Text.safe(ff.cite(lost.ackFrame()), 300)
          + ")";
    }
    return (t.status() == null ? "0" : t.status().toString())
        + (t.reason() == null ? "" : " " + Text.safe(t.reason(), 40));
  }

  private static String describe(Listed listed, FrameFiles ff) {
    ConnectionResult c = listed.connection();
    StringBuilder lines = new StringBuilder(TlsReport.text(c.tls(), ff));
    for (TransactionResult t : listed.transactions()) {
      lines.append(line(t, ff));
    }
    String transactionLines = lines.toString();
    long count = c.isHttp() ? c.transactionCount() : 0;
    ConnectionResult.Handshake h = c.handshake();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "  %-5s %s:%d -> %s:%d",
            c.idString(),
            c.client().ip(),
            c.client().port(),
            c.server().ip(),
            c.server().port()));
    String coverage = c.coverage();
    if (h.setupUs() >= 0) {
      b.append("  handshake ").append(Text.ms(h.setupUs()));
    } else if (coverage != null && (h.synUs() >= 0 || h.synAckUs() >= 0)) {
      b.append("  handshake partly seen");
    } else {
      b.append("  no handshake");
    }
    if (coverage != null) {
      b.append(
          coverage.equals("client_only")
              ? " (server's packets not captured)"
              : " (client's packets not captured)");
    }
    if (c.rolesInferred()) {
      b.append(" (roles inferred)");
    }
    b.append(
        String.format(
            Locale.ROOT,
            "  %d tx  close %s%s  vantage %s  [%s]",
            count,
            orDash(c.close().reason()),
            c.close().firstBy() == null ? "" : " by " + c.close().firstBy(),
            orDash(c.vantage()),
            Text.safe(c.history(), 40)));
    if (c.http() != null && c.http().notHttpReason() != null) {
      b.append("  not HTTP (").append(Text.safe(c.http().notHttpReason(), 40)).append(')');
    }
    b.append('\n').append(transactionLines);
    if (count > MAX_TRANSACTIONS) {
      b.append(
          String.format(
              Locale.ROOT, "        ... %d more transactions%n", count - MAX_TRANSACTIONS));
    }
    for (ConnectionResult.Transfer x : c.transfers()) {
      b.append("        transfer: ").append(x.describe()).append('\n');
    }
    return b.toString();
  }

  private static String line(TransactionResult t, FrameFiles ff) {
    TransactionResult.Timings tm = t.timings();
    long first = t.requestFrame() >= 0 ? t.requestFrame() : t.responseFrame();
    long last = t.responseLastFrame() >= 0 ? t.responseLastFrame() : t.requestLastFrame();
    String where = first >= 0 && last >= 0 ? ff.whereRange(first, last) : null;
    return String.format(
        Locale.ROOT,
        "        #%-3d %s %s -> %s  %ssend %s  wait %s%s  receive %s  frames %s-%s%s%s%s%n",
        t.index(),
        Text.safe(t.method(), 16),
        Text.safe(t.uri(), 60),
        status(t, ff),
        tm.connectUs() >= 0 ? "connect " + Text.ms(tm.connectUs()) + "  " : "",
        Text.ms(tm.sendUs()),
        Text.ms(tm.waitUs()),
        tm.serverUs() >= 0 ? " (server " + Text.ms(tm.serverUs()) + ")" : "",
        Text.ms(tm.receiveUs()),
        frame(first),
        frame(last),
        where == null ? "" : " (" + Text.safe(where, 300) + ")",
        t.pipelineDepth() > 1 ? "  pipelined (depth " + t.pipelineDepth() + ")" : "",
        stallText(tm.stalls()));
  }

  /** The stalls known for a transaction, as " stalls: type 12.3 ms, ...". */
  private static String stallText(List<TransactionResult.Stall> stalls) {
    StringBuilder b = new StringBuilder();
    for (TransactionResult.Stall s : stalls) {
      b.append(b.length() == 0 ? "  stalls: " : ", ")
          .append(s.type())
          .append(' ')
          .append(Text.ms(s.costUs()));
    }
    return b.toString();
  }

  private static String frame(long f) {
    return f >= 0 ? Long.toString(f) : "?";
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }

  @Override
  public void finding(Finding finding) {
    findingCount++;
    findings.add(new Numbered(finding, findingCount));
    if (findings.size() > MAX_FINDINGS) {
      findings.pollLast();
    }
  }

  private void printPairs(CaptureSummary capture) {
    List<PairSummary> ps = new ArrayList<>(capture.pairs());
    if (ps.isEmpty()) {
      return;
    }
    ps.sort((a, b) -> Long.compare(b.connections(), a.connections()));
    out.println();
    out.println(
        "Client/server pairs (connection use; \"persistent would save\" is an estimate:"
            + " one connection per concurrently used one, mean setup per avoided connection):");
    int n = 0;
    for (PairSummary p : ps) {
      if (n++ == MAX_PAIRS) {
        out.printf(Locale.ROOT, "  ... %d more pairs (see --format json)%n", ps.size() - MAX_PAIRS);
        break;
      }
      out.printf(
          Locale.ROOT,
          "  %s -> %s:%d  %s: %d connection%s, %d transaction%s (%.1f per"
              + " connection), at most %d at once%n",
          p.client(),
          p.server().ip(),
          p.server().port(),
          p.pattern(),
          p.connections(),
          p.connections() == 1 ? "" : "s",
          p.transactions(),
          p.transactions() == 1 ? "" : "s",
          p.transactionsPerConnection(),
          p.peakConcurrent());
      PairSummary.InferredUse u = p.inferred();
      if (u != null) {
        out.printf(
            Locale.ROOT,
            "      inferred from TLS records (no HTTP read): %s, %d exchange%s on %d connection%s"
                + " (%.1f per connection, at most %d on one, %d reused)%n",
            u.pattern(),
            u.exchanges(),
            u.exchanges() == 1 ? "" : "s",
            u.connections(),
            u.connections() == 1 ? "" : "s",
            u.exchangesPerConnection(),
            u.maxPerConnection(),
            u.reusedConnections());
      }
      if (p.setups() > 0) {
        out.printf(
            Locale.ROOT,
            "      setup %s in %d handshake%s (%s each%s, %d%% of setup plus"
                + " transaction time); persistent would save %s (%d setup%s%s)%n",
            Text.ms(p.setupUs()),
            p.setups(),
            p.setups() == 1 ? "" : "s",
            Text.ms(p.meanSetupUs()),
            p.tlsConnections() > 0 ? ", TLS " + Text.ms(p.tlsSetupUs()) : "",
            p.setupSharePct(),
            Text.ms(p.persistentEstimate().savedUs()),
            p.persistentEstimate().setupsAvoided(),
            p.persistentEstimate().setupsAvoided() == 1 ? "" : "s",
            p.persistentEstimate().slowStartSavedUs() > 0
                ? " and " + Text.ms(p.persistentEstimate().slowStartSavedUs()) + " of slow start"
                : "");
      }
      printPatterns(p);
    }
  }

  /** The pair's costliest request patterns: count, wait and total percentiles, bytes. */
  private void printPatterns(PairSummary p) {
    List<PatternSummary> ps = p.patterns();
    if (ps.isEmpty()) {
      return;
    }
    out.println("      requests (method and path; p50 / p90 / p99 of wait and total time):");
    for (int i = 0; i < ps.size(); i++) {
      if (i == MAX_PATTERNS) {
        out.printf(
            Locale.ROOT,
            "        ... %d more patterns (see --format json or html)%n",
            ps.size() - MAX_PATTERNS);
        break;
      }
      PatternSummary s = ps.get(i);
      out.printf(
          Locale.ROOT,
          "        %s: %d, wait %s, total %s, %s%n",
          Text.safe(s.pattern(), 80),
          s.transactions(),
          Text.percentiles(s.waitTime()),
          Text.percentiles(s.total()),
          Text.bytes(s.bytes()));
    }
  }

  @Override
  public void finish(CaptureSummary capture) {
    FrameFiles ff = capture.frameFiles();
    out.printf(
        Locale.ROOT,
        "Capture: %d file%s, %d packets (%d TCP), %s, %s, %s%n",
        capture.files().size(),
        capture.files().size() == 1 ? "" : "s",
        capture.packets(),
        capture.tcpPackets(),
        Text.bytes(capture.bytes()),
        capture.linkTypes().isEmpty() ? "no link type" : String.join("+", capture.linkTypes()),
        Text.seconds(capture.durationUs()));
    for (CaptureSummary.FileSummary f : capture.files()) {
      out.printf(
          Locale.ROOT,
          "  %s (%s): %d packets%s%n",
          Text.safe(f.name(), 200),
          f.format(),
          f.packets(),
          ff.multi() && f.packets() > 0
              ? ", frames " + f.firstFrame() + "-" + (f.firstFrame() + f.packets() - 1)
              : "");
    }
    if (capture.filter() != null) {
      out.printf(
          Locale.ROOT,
          "  filter '%s': %d packets excluded%n",
          Text.safe(capture.filter(), 200),
          capture.filteredOut());
    }
    CaptureSummary.Totals totals = capture.totals();
    out.printf(
        Locale.ROOT,
        "Connections: %d (%d with HTTP), transactions: %d, unanswered requests: %d, "
            + "responses without request: %d%n",
        totals.connections(),
        totals.httpConnections(),
        totals.transactions(),
        totals.unansweredRequests(),
        totals.orphanResponses());
    if (totals.handshakes() > 0) {
      out.printf(
          Locale.ROOT,
          "Handshakes: %d, %s in total, %s on average%n",
          totals.handshakes(),
          Text.ms(totals.handshakeUs()),
          Text.ms(totals.handshakeUs() / totals.handshakes()));
    }
    if (!connectionBlocks.isEmpty()) {
      out.println();
      out.println("Connections (client -> server):");
      for (Listed block : connectionBlocks.values()) {
        out.print(describe(block, ff));
      }
      if (totals.connections() > connectionBlocks.size()) {
        out.printf(
            Locale.ROOT,
            "  ... %d more connections (see --format json)%n",
            totals.connections() - connectionBlocks.size());
      }
    }
    printPairs(capture);
    if (!slowest.isEmpty()) {
      out.println();
      out.println("Slowest transactions (first request byte to last response byte):");
      for (TransactionResult t : slowest.values()) {
        out.println(slowLine(t, ff));
      }
    }
    out.println();
    if (findings.isEmpty()) {
      out.println("Findings: none");
    } else {
      out.printf(Locale.ROOT, "Findings: %d%n", findingCount);
      for (Numbered nf : findings) {
        Finding f = nf.finding();
        out.printf(
            Locale.ROOT,
            "  [%s] %s %s%s: %s (cost %s%s)%n",
            f.severity().id(),
            f.type(),
            f.connection() == null ? "" : f.connection(),
            f.transaction() >= 0
                ? " #" + f.transaction()
                : f.inferredExchange() >= 0 ? " ~" + f.inferredExchange() : "",
            Text.safe(f.summary(), 600),
            Text.ms(f.costUs()),
            f.count() > 1
                ? String.format(
                    Locale.ROOT,
                    " in %d occurrences on this" + " client/server pair, the worst %s",
                    f.count(),
                    Text.ms(f.worstUs()))
                : "");
        out.printf(
            Locale.ROOT,
            "      evidence: frames %s; filter: %s%n",
            ff.multi() ? "[" + Text.safe(ff.citeAll(f.frames(), ""), 100_000) + "]" : f.frames(),
            Text.safe(f.displayFilter(), 300));
        for (FrameFiles.FileFilter ffl : ff.filters(f.frames())) {
          out.printf(
              Locale.ROOT,
              "      in %s: %s%n",
              Text.safe(ffl.file(), 300),
              Text.safe(ffl.filter(), 100_000));
        }
        out.printf(Locale.ROOT, "      fix: %s%n", Text.safe(f.fix(), 300));
      }
      if (findingCount > findings.size()) {
        out.printf(
            Locale.ROOT,
            "  ... %d more findings (see --format json)%n",
            findingCount - findings.size());
      }
    }
    if (!capture.warnings().isEmpty()) {
      out.println();
      out.println("Warnings:");
      for (CaptureSummary.Warning w : capture.warnings()) {
        out.printf(
            Locale.ROOT,
            "  %-34s %8d  first at frame %s%s%n",
            w.code(),
            w.count(),
            Text.safe(ff.cite(w.firstFrame()), 300),
            w.detail() == null ? "" : "  (" + Text.safe(w.detail(), 200) + ")");
      }
    }
    out.flush();
  }
}
