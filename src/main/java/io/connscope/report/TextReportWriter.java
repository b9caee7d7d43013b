package io.connscope.report;

import io.connscope.analysis.CaptureSummary;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.capture.Warnings;
import io.connscope.decode.Addresses;
import io.connscope.detect.DetectOptions;
import io.connscope.detect.Finding;
import io.connscope.detect.PairAggregator;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.tcp.Connection;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The human summary printed by default: capture totals, the first connections with their
 * transactions and timings, the slowest transactions, findings and warnings. It keeps only a
 * bounded number of connections and transactions in memory whatever the capture size; the JSON
 * report has everything. Strings from packets are escaped for the terminal.
 */
public final class TextReportWriter implements ReportWriter {
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

  private final PrintWriter out;
  private final TreeMap<Long, String> connectionBlocks = new TreeMap<>();
  /** Slowest transactions: key = total time, then connection id and index for a stable order. */
  private final TreeMap<String, String> slowest = new TreeMap<>();
  /** Total time of the fastest entry in a full slowest list: faster ones are not formatted. */
  private long slowestMin = -1;
  /** Transaction lines of the listed connections (ids up to MAX_CONNECTIONS) still open. */
  private final java.util.HashMap<Long, List<Transaction>> transactionLines = new java.util.HashMap<>();
  /** Order of the listed findings: connection number, transaction, first evidence frame, type. */
  static final Comparator<Finding> FINDING_ORDER = Comparator
      .comparingLong((Finding f) -> JsonReportWriter.connectionNumber(f.connection()))
      .thenComparingInt(Finding::transaction)
      .thenComparingLong(f -> f.frames().isEmpty() ? 0 : f.frames().get(0))
      .thenComparing(Finding::type)
      .thenComparing(Finding::summary);

  /** The first MAX_FINDINGS findings in report order (the arrival number breaks ties). */
  private final java.util.TreeSet<Numbered> findings = new java.util.TreeSet<>(
      java.util.Comparator.comparing(Numbered::finding, FINDING_ORDER)
          .thenComparingLong(Numbered::number));

  private record Numbered(Finding finding, long number) {}
  private long findingCount;
  private long connections;
  private long httpConnections;
  private long transactions;
  private long unanswered;
  private long orphans;
  private long handshakes;
  private long handshakeMicros;
  /** Findings about one transaction, kept until their connection is described. */
  private final Map<String, List<Finding>> transactionFindings = new HashMap<>();

  public TextReportWriter(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void transaction(long connection, long synTsMicros, long ackTsMicros,
      long rttToServerMicros, Transaction t) {
    transactions++;
    if (t.unanswered()) {
      unanswered++;
    }
    if (t.orphanResponse()) {
      orphans++;
    }
    long total = t.requestFirstUs() >= 0 && t.responseLastUs() >= 0
        ? t.responseLastUs() - t.requestFirstUs() : -1;
    if (total >= 0 && (slowest.size() < MAX_SLOWEST || total > slowestMin)) {
      String key = String.format(Locale.ROOT, "%019d %019d %09d", Long.MAX_VALUE - total, connection, t.index());
      slowest.put(key, String.format(Locale.ROOT, "  %-10s %s #%d %s %s -> %s",
          Text.ms(total), "C" + connection, t.index(), Text.safe(t.method(), 16),
          Text.safe(t.uri(), 60), status(t)));
      if (slowest.size() > MAX_SLOWEST) {
        slowest.pollLastEntry();
      }
      if (slowest.size() == MAX_SLOWEST) {
        slowestMin = Long.MAX_VALUE - Long.parseLong(slowest.lastKey().substring(0, 19));
      }
    }
    if (connection <= MAX_CONNECTIONS) {
      List<Transaction> listed = transactionLines.computeIfAbsent(connection, k -> new ArrayList<>());
      if (listed.size() < MAX_TRANSACTIONS) {
        listed.add(t); // formatted at the connection's close, when its stalls are all known
      }
    }
  }

  @Override
  public void connection(ConnectionRecord record) {
    connections++;
    Connection c = record.tcp();
    HttpTracker http = record.http();
    if (c.synTsMicros() >= 0 && c.ackTsMicros() >= 0) {
      handshakes++;
      handshakeMicros += Math.max(0, c.ackTsMicros() - c.synTsMicros());
    }
    long count = http != null && http.isHttp() ? http.transactionCount() : 0;
    if (count > 0) {
      httpConnections++;
    }
    if (c.id() <= MAX_CONNECTIONS) {
      StringBuilder lines = new StringBuilder();
      for (Transaction t : transactionLines.getOrDefault(c.id(), List.of())) {
        lines.append(line(c, t));
      }
      transactionLines.remove(c.id());
      connectionBlocks.put(c.id(), describe(c, http, count, TlsReport.text(record.tls()) + lines));
    }
    transactionFindings.remove(c.idString());
  }

  private static String status(Transaction t) {
    if (t.unanswered()) {
      return "no response";
    }
    if (t.responseNotCaptured()) {
      return "response not captured (" + t.responseBytesNotCaptured()
          + " bytes acknowledged by the client, frame " + t.responseAckedFrame() + ")";
    }
    return t.status() + (t.reason() == null ? "" : " " + Text.safe(t.reason(), 40));
  }

  private static String describe(Connection c, HttpTracker http, long count, String transactionLines) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "  %-5s %s:%d -> %s:%d", c.idString(),
        Addresses.format(c.clientAddrHi(), c.clientAddrLo()), c.clientPort(),
        Addresses.format(c.serverAddrHi(), c.serverAddrLo()), c.serverPort()));
    String coverage = JsonReportWriter.coverage(c);
    if (c.synTsMicros() >= 0 && c.ackTsMicros() >= 0) {
      b.append("  handshake ").append(Text.ms(c.ackTsMicros() - c.synTsMicros()));
    } else if (coverage != null && (c.synTsMicros() >= 0 || c.synAckTsMicros() >= 0)) {
      b.append("  handshake partly seen");
    } else {
      b.append("  no handshake");
    }
    if (coverage != null) {
      b.append(coverage.equals("client_only") ? " (server's packets not captured)"
          : " (client's packets not captured)");
    }
    if (c.rolesInferred()) {
      b.append(" (roles inferred)");
    }
    b.append(String.format(Locale.ROOT, "  %d tx  close %s%s  vantage %s  [%s]",
        count, lower(c.closeReason()),
        c.closedFirstBy() == 0 ? " by client" : c.closedFirstBy() == 1 ? " by server" : "",
        lower(c.vantage()), Text.safe(c.history(), 40)));
    if (http != null && !http.isHttp() && http.notHttpReason() != null) {
      b.append("  not HTTP (").append(Text.safe(http.notHttpReason(), 40)).append(')');
    }
    b.append('\n').append(transactionLines);
    if (count > MAX_TRANSACTIONS) {
      b.append(String.format(Locale.ROOT, "        ... %d more transactions%n", count - MAX_TRANSACTIONS));
    }
    return b.toString();
  }

  private String line(Connection c, Transaction t) {
    return String.format(Locale.ROOT,
        "        #%-3d %s %s -> %s  %ssend %s  wait %s%s  receive %s  frames %s-%s%s%s%n",
        t.index(), Text.safe(t.method(), 16), Text.safe(t.uri(), 60), status(t),
        JsonReportWriter.connectTime(c, t) >= 0
            ? "connect " + Text.ms(JsonReportWriter.connectTime(c, t)) + "  " : "",
        Text.ms(span(t.requestFirstUs(), t.requestLastUs())),
        Text.ms(span(t.requestLastUs(), t.responseFirstUs())),
        JsonReportWriter.serverTime(c, t) >= 0
            ? " (server " + Text.ms(JsonReportWriter.serverTime(c, t)) + ")" : "",
        Text.ms(span(t.responseFirstUs(), t.responseLastUs())),
        frame(t.requestFirstFrame() >= 0 ? t.requestFirstFrame() : t.responseFirstFrame()),
        frame(t.responseLastFrame() >= 0 ? t.responseLastFrame() : t.requestLastFrame()),
        t.pipelineDepth() > 1 ? "  pipelined (depth " + t.pipelineDepth() + ")" : "",
        stallText(transactionFindings.get(c.idString()), t.index()));
  }

  /** The stall findings already known for transaction {@code tx}, as "  stalls: type 12.3 ms, ...". */
  private static String stallText(List<Finding> stalls, int tx) {
    StringBuilder b = new StringBuilder();
    if (stalls != null) {
      for (Finding f : stalls) {
        if (f.transaction() == tx) {
          b.append(b.length() == 0 ? "  stalls: " : ", ").append(f.type()).append(' ')
              .append(Text.ms(f.costMicros()));
        }
      }
    }
    return b.toString();
  }


  private static String frame(long f) {
    return f >= 0 ? Long.toString(f) : "?";
  }

  private static long span(long from, long to) {
    return from >= 0 && to >= 0 ? Math.max(0, to - from) : -1;
  }

  private static String lower(Enum<?> e) {
    return e == null ? "-" : e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void finding(Finding finding) {
    findingCount++;
    findings.add(new Numbered(finding, findingCount));
    if (findings.size() > MAX_FINDINGS) {
      findings.pollLast();
    }
    if (finding.connection() != null && finding.transaction() >= 0) {
      transactionFindings.computeIfAbsent(finding.connection(), k -> new ArrayList<>()).add(finding);
    }
  }

  private void printPairs(CaptureSummary capture) {
    List<PairAggregator.Pair> ps = capture.pairs();
    if (ps.isEmpty()) {
      return;
    }
    ps.sort((a, b) -> Long.compare(b.connections(), a.connections()));
    out.println();
    out.println("Client/server pairs (connection use; \"persistent would save\" is an estimate:"
        + " one connection per concurrently used one, mean setup per avoided connection):");
    int n = 0;
    for (PairAggregator.Pair p : ps) {
      if (n++ == MAX_PAIRS) {
        out.printf(Locale.ROOT, "  ... %d more pairs (see --format json)%n", ps.size() - MAX_PAIRS);
        break;
      }
      PairAggregator.Key k = p.key();
      out.printf(Locale.ROOT, "  %s -> %s:%d  %s: %d connection%s, %d transaction%s (%.1f per"
          + " connection), at most %d at once%n",
          Addresses.format(k.clientHi(), k.clientLo()), Addresses.format(k.serverHi(), k.serverLo()),
          k.serverPort(), p.pattern(), p.connections(), p.connections() == 1 ? "" : "s",
          p.transactions(), p.transactions() == 1 ? "" : "s", p.transactionsPerConnection(),
          p.peakConcurrent());
      if (p.setups() > 0) {
        out.printf(Locale.ROOT, "      setup %s in %d handshake%s (%s each%s, %d%% of setup plus"
            + " transaction time); persistent would save %s (%d setup%s%s)%n",
            Text.ms(p.setupMicros()), p.setups(), p.setups() == 1 ? "" : "s",
            Text.ms(p.setupMicros() / p.setups()),
            p.tlsConnections() > 0 ? ", TLS " + Text.ms(p.tlsMicros()) : "",
            Math.round(p.setupShare() * 100),
            Text.ms(p.setupSavedMicros() + p.slowStartSavedMicros()), p.setupsAvoidable(),
            p.setupsAvoidable() == 1 ? "" : "s",
            p.slowStartSavedMicros() > 0 ? " and " + Text.ms(p.slowStartSavedMicros()) + " of slow start" : "");
      }
    }
  }

  @Override
  public void finish(CaptureSummary capture) {
    out.printf(Locale.ROOT, "Capture: %d file%s, %d packets (%d TCP), %s, %s, %s%n",
        capture.files().size(), capture.files().size() == 1 ? "" : "s", capture.packets(),
        capture.tcpPackets(), Text.bytes(capture.bytes()),
        capture.linkTypes().isEmpty() ? "no link type" : String.join("+", capture.linkTypes()),
        Text.seconds(capture.durationMicros()));
    for (CaptureSummary.FileSummary f : capture.files()) {
      out.printf(Locale.ROOT, "  %s (%s): %d packets%n", Text.safe(f.name(), 200), f.format(), f.packets());
    }
    out.printf(Locale.ROOT, "Connections: %d (%d with HTTP), transactions: %d, unanswered requests: %d, "
        + "responses without request: %d%n", connections, httpConnections, transactions, unanswered, orphans);
    if (handshakes > 0) {
      out.printf(Locale.ROOT, "Handshakes: %d, %s in total, %s on average%n", handshakes,
          Text.ms(handshakeMicros), Text.ms(handshakeMicros / handshakes));
    }
    if (!connectionBlocks.isEmpty()) {
      out.println();
      out.println("Connections (client -> server):");
      for (String block : connectionBlocks.values()) {
        out.print(block);
      }
      if (connections > connectionBlocks.size()) {
        out.printf(Locale.ROOT, "  ... %d more connections (see --format json)%n",
            connections - connectionBlocks.size());
      }
    }
    printPairs(capture);
    if (!slowest.isEmpty()) {
      out.println();
      out.println("Slowest transactions (first request byte to last response byte):");
      for (String line : slowest.values()) {
        out.println(line);
      }
    }
    out.println();
    if (findings.isEmpty()) {
      out.println("Findings: none");
    } else {
      out.printf(Locale.ROOT, "Findings: %d%n", findingCount);
      for (Numbered nf : findings) {
        Finding f = nf.finding();
        out.printf(Locale.ROOT, "  [%s] %s %s%s: %s (cost %s)%n", f.severity(), f.type(),
            f.connection() == null ? "" : f.connection(),
            f.transaction() >= 0 ? " #" + f.transaction() : "", Text.safe(f.summary(), 600),
            Text.ms(f.costMicros()));
        out.printf(Locale.ROOT, "      evidence: frames %s; filter: %s%n", f.frames(), Text.safe(f.displayFilter(), 300));
        out.printf(Locale.ROOT, "      fix: %s%n", Text.safe(f.fix(), 300));
      }
      if (findingCount > findings.size()) {
        out.printf(Locale.ROOT, "  ... %d more findings (see --format json)%n", findingCount - findings.size());
      }
    }
    Warnings w = capture.warnings();
    if (!w.isEmpty()) {
      out.println();
      out.println("Warnings:");
      for (Map.Entry<String, Warnings.Entry> e : w.entries().entrySet()) {
        Warnings.Entry en = e.getValue();
        out.printf(Locale.ROOT, "  %-34s %8d  first at frame %d%s%n", e.getKey(), en.count(),
            en.firstFrame(), en.detail() == null ? "" : "  (" + Text.safe(en.detail(), 200) + ")");
      }
    }
    out.flush();
  }
}
