package io.connscope.diff;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.PatternStats;
import io.connscope.result.Percentiles;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side of a diff, accumulated from the result records: per server (address and port) and per
 * request pattern (method and path without the query string) the transactions, connections, setup
 * times, wait and total times (for percentiles) and bytes, by {@link PatternStats} (the aggregation
 * the analyze reports' pattern tables use); per finding type the count and total cost.
 *
 * <p>Bounds: those of {@link PatternStats} (patterns beyond {@value PatternStats#MAX_PATTERNS}
 * counted under {@code (other)}; percentiles over the first {@value PatternStats#MAX_SAMPLES}
 * transactions: {@link #sampled} is then true and the reports say so), at most {@value
 * #MAX_SERVERS} servers, {@value #MAX_ROWS} waterfall rows per server.
 */
public final class SideStats implements ResultSink {
  /** Wait and total time samples kept per side. */
  public static final int MAX_SAMPLES = PatternStats.MAX_SAMPLES;

  /**
   * Servers kept per side (the rest are counted under {@code (other servers)}, matched with
   * nothing).
   */
  public static final int MAX_SERVERS = 10_000;

  /** Transactions kept per server for the HTML waterfall. */
  public static final int MAX_ROWS = 60;

  /** Count and total cost of one finding type. */
  public record FindingTotal(long count, long costUs) {}

  /** The numbers of {@code g} as the diff reports them. */
  static DiffResult.Stats stats(PatternStats.Group g) {
    long n = g.transactions();
    return new DiffResult.Stats(
        n,
        g.connections(),
        n == 0 ? 0 : (double) g.connections() / n,
        g.setups() == 0 ? -1 : g.setupUs() / g.setups(),
        g.waitPercentiles(),
        g.totalPercentiles(),
        g.bytes());
  }

  /**
   * One server as this side saw it (or, before its close, one connection): its groups, clients, the
   * Host header first seen and the first transactions' times for the HTML waterfall.
   */
  public static final class Server extends PatternStats.Table {
    String host;
    final java.util.TreeSet<String> clients = new java.util.TreeSet<>();

    /** The first {@value #MAX_ROWS} transactions' times, for the HTML waterfall. */
    final List<DiffResult.Row> rows = new ArrayList<>();

    @Override
    protected void added(TransactionResult t, String pattern) {
      if (host == null && t.requestHeaders() != null) {
        host = t.requestHeaders().get("host");
      }
      if (rows.size() < MAX_ROWS && t.requestStartUs() >= 0) {
        rows.add(
            new DiffResult.Row(
                t.connection(),
                pattern,
                t.requestStartUs(),
                t.requestEndUs(),
                t.responseStartUs(),
                t.responseEndUs()));
      }
    }

    @Override
    protected void merge(PatternStats.Table o) {
      super.merge(o);
      Server a = (Server) o;
      if (host == null) {
        host = a.host;
      }
      for (DiffResult.Row r : a.rows) {
        if (rows.size() < MAX_ROWS) {
          rows.add(r);
        }
      }
    }
  }

  private final List<String> inputs;
  private final PatternStats<Server> stats =
      new PatternStats<>(Server::new, MAX_SERVERS, "(other servers)");
  private final Map<String, FindingTotal> findings = new TreeMap<>();
  private long connections;
  private CaptureSummary capture;

  /** A side read from {@code inputs} (names as given, for the reports). */
  public SideStats(List<String> inputs) {
    this.inputs = List.copyOf(inputs);
  }

  @Override
  public void transaction(TransactionResult t) {
    stats.transaction(t);
  }

  @Override
  public void connection(ConnectionResult c) {
    connections++;
    String key =
        c.server().ip().contains(":")
            ? "[" + c.server().ip() + "]:" + c.server().port()
            : c.server().ip() + ":" + c.server().port();
    Server s = stats.connection(c, key);
    if (s != null) {
      s.clients.add(c.client().ip());
    }
  }

  @Override
  public void finding(Finding f) {
    findings.merge(
        f.type(),
        new FindingTotal(f.count(), Math.max(0, f.costUs())),
        (a, b) -> new FindingTotal(a.count() + b.count(), a.costUs() + b.costUs()));
  }

  @Override
  public void finish(CaptureSummary capture) {
    this.capture = capture;
    stats.finish();
  }

  public List<String> inputs() {
    return inputs;
  }

  public Map<String, Server> servers() {
    return stats.tables();
  }

  public Map<String, FindingTotal> findings() {
    return findings;
  }

  public long transactions() {
    return stats.all().transactions();
  }

  public long connections() {
    return connections;
  }

  public boolean sampled() {
    return stats.sampled();
  }

  /** Percentiles of the wait over every transaction of the side, null when none. */
  public Percentiles waitPercentiles() {
    return stats.all().waitPercentiles();
  }

  /** Percentiles of the total time over every transaction of the side, null when none. */
  public Percentiles totalPercentiles() {
    return stats.all().totalPercentiles();
  }

  /** The capture summary, null before {@link #finish}. */
  public CaptureSummary capture() {
    return capture;
  }
}
