package io.connscope.diff;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One side of a diff, accumulated from the result records: per server (address and port) and per
 * request pattern (method and path without the query string) the transactions, connections, setup
 * times, wait and total times (for percentiles) and bytes; per finding type the count and total
 * cost.
 *
 * <p>Bounds: at most {@value #MAX_PATTERNS} patterns per side (the rest are counted under the
 * pattern {@code (other)}), at most {@value #MAX_SERVERS} servers, at most {@value #MAX_SAMPLES}
 * wait and total samples per side (a side with more transactions is summarised from its first
 * {@value #MAX_SAMPLES}: {@link #sampled} is then true and the reports say so). The transactions of
 * an open connection are aggregated as they come (its server is known at its close), so memory does
 * not grow with a long keep-alive connection.
 */
public final class SideStats implements ResultSink {
  /** Patterns kept per side. */
  public static final int MAX_PATTERNS = 10_000;

  /** Wait and total time samples kept per side. */
  public static final int MAX_SAMPLES = 200_000;

  /**
   * Servers kept per side (the rest are counted under {@code (other servers)}, matched with
   * nothing).
   */
  public static final int MAX_SERVERS = 10_000;

  /** Transactions kept per server for the HTML waterfall. */
  public static final int MAX_ROWS = 60;

  /** Count and total cost of one finding type. */
  public record FindingTotal(long count, long costUs) {}

  /** What one group (a server, or a pattern on it) accumulated. */
  public static final class Group {
    long transactions;
    long connections;
    long lastConnection = -1;
    long setups;
    long setupUs;
    long bytes;
    final Samples wait = new Samples();
    final Samples total = new Samples();

    void add(TransactionResult t, long bytes, boolean keepSample) {
      transactions++;
      if (t.connection() != lastConnection) {
        connections++;
        lastConnection = t.connection();
      }
      long connect = t.timings() == null ? -1 : t.timings().connectUs();
      if (connect >= 0) {
        setups++;
        setupUs += connect;
      }
      this.bytes += bytes;
      if (keepSample) {
        wait.add(t.timings() == null ? -1 : t.timings().waitUs());
        total.add(t.totalUs());
      }
    }

    void merge(Group o) {
      transactions += o.transactions;
      connections += o.connections;
      setups += o.setups;
      setupUs += o.setupUs;
      bytes += o.bytes;
      wait.addAll(o.wait);
      total.addAll(o.total);
    }

    /** The group's numbers as the diff reports them. */
    public DiffResult.Stats stats() {
      return new DiffResult.Stats(
          transactions,
          connections,
          transactions == 0 ? 0 : (double) connections / transactions,
          setups == 0 ? -1 : setupUs / setups,
          wait.percentiles(),
          total.percentiles(),
          bytes);
    }
  }

  /** Known (non-negative) microsecond values, for nearest-rank percentiles. */
  static final class Samples {
    private long[] v = new long[16];
    private int n;

    void add(long us) {
      if (us < 0) {
        return;
      }
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = us;
    }

    void addAll(Samples o) {
      for (int i = 0; i < o.n; i++) {
        add(o.v[i]);
      }
    }

    DiffResult.Percentiles percentiles() {
      if (n == 0) {
        return null;
      }
      long[] s = Arrays.copyOf(v, n);
      Arrays.sort(s);
      return new DiffResult.Percentiles(rank(s, 50), rank(s, 90), rank(s, 99));
    }

    /** Nearest rank: the smallest value with at least p percent of the values at or below it. */
    private static long rank(long[] s, int p) {
      int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }
  }

  /** What a connection's transactions, or a server's, accumulated: groups, Host, waterfall rows. */
  static class Acc {
    String host;
    final Group all = new Group();
    final Map<String, Group> patterns = new TreeMap<>();

    /** The first {@value #MAX_ROWS} transactions' times, for the HTML waterfall. */
    final List<DiffResult.Row> rows = new ArrayList<>();
  }

  /** One server as this side saw it: its groups, clients and the Host header first seen. */
  public static final class Server extends Acc {
    final String key;
    final java.util.TreeSet<String> clients = new java.util.TreeSet<>();

    Server(String key) {
      this.key = key;
    }

    void merge(Acc a) {
      if (host == null) {
        host = a.host;
      }
      all.merge(a.all);
      for (Map.Entry<String, Group> e : a.patterns.entrySet()) {
        patterns.computeIfAbsent(e.getKey(), k -> new Group()).merge(e.getValue());
      }
      for (DiffResult.Row r : a.rows) {
        if (rows.size() < MAX_ROWS) {
          rows.add(r);
        }
      }
    }
  }

  private final List<String> inputs;

  /**
   * Open connections' transactions, aggregated as they come (memory bounded by patterns, not
   * traffic).
   */
  private final Map<Long, Acc> open = new HashMap<>();

  private final Map<String, Server> servers = new LinkedHashMap<>();
  private final java.util.Set<String> patternNames = new java.util.HashSet<>();
  private final Map<String, FindingTotal> findings = new TreeMap<>();
  private final Samples allWait = new Samples();
  private final Samples allTotal = new Samples();
  private long transactions;
  private long connections;
  private boolean sampled;
  private CaptureSummary capture;

  /** A side read from {@code inputs} (names as given, for the reports). */
  public SideStats(List<String> inputs) {
    this.inputs = List.copyOf(inputs);
  }

  @Override
  public void transaction(TransactionResult t) {
    Acc a = open.computeIfAbsent(t.connection(), k -> new Acc());
    transactions++;
    boolean keep = transactions <= MAX_SAMPLES;
    sampled |= !keep;
    long bytes =
        Math.max(0, t.requestHeaderBytes())
            + Math.max(0, t.requestBodyBytes())
            + Math.max(0, t.responseHeaderBytes())
            + Math.max(0, t.responseBodyBytes());
    if (a.host == null && t.requestHeaders() != null) {
      a.host = t.requestHeaders().get("host");
    }
    a.all.add(t, bytes, keep);
    String p = pattern(t);
    if (!patternNames.contains(p)) {
      if (patternNames.size() >= MAX_PATTERNS) {
        p = "(other)";
      } else {
        patternNames.add(p);
      }
    }
    a.patterns.computeIfAbsent(p, k -> new Group()).add(t, bytes, keep);
    if (a.rows.size() < MAX_ROWS && t.requestStartUs() >= 0) {
      a.rows.add(
          new DiffResult.Row(
              t.connection(),
              p,
              t.requestStartUs(),
              t.requestEndUs(),
              t.responseStartUs(),
              t.responseEndUs()));
    }
    if (keep) {
      allWait.add(t.timings() == null ? -1 : t.timings().waitUs());
      allTotal.add(t.totalUs());
    }
  }

  @Override
  public void connection(ConnectionResult c) {
    Acc a = open.remove(c.id());
    connections++;
    if (a == null) {
      return;
    }
    String key =
        c.server().ip().contains(":")
            ? "[" + c.server().ip() + "]:" + c.server().port()
            : c.server().ip() + ":" + c.server().port();
    Server s = servers.get(key);
    if (s == null) {
      if (servers.size() >= MAX_SERVERS) {
        key = "(other servers)";
        s = servers.get(key);
      }
      if (s == null) {
        s = new Server(key);
        servers.put(key, s);
      }
    }
    s.clients.add(c.client().ip());
    s.merge(a);
  }

  /** Method and path without the query string; "(no request)" when the request was not seen. */
  static String pattern(TransactionResult t) {
    if (t.method() == null) {
      return "(no request)";
    }
    String uri = t.uri() == null ? "" : t.uri();
    int q = uri.indexOf('?');
    return t.method() + " " + (q >= 0 ? uri.substring(0, q) : uri);
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
    open.clear();
  }

  public List<String> inputs() {
    return inputs;
  }

  public Map<String, Server> servers() {
    return servers;
  }

  public Map<String, FindingTotal> findings() {
    return findings;
  }

  public long transactions() {
    return transactions;
  }

  public long connections() {
    return connections;
  }

  public boolean sampled() {
    return sampled;
  }

  /** Percentiles of the wait over every transaction of the side, null when none. */
  public DiffResult.Percentiles waitPercentiles() {
    return allWait.percentiles();
  }

  /** Percentiles of the total time over every transaction of the side, null when none. */
  public DiffResult.Percentiles totalPercentiles() {
    return allTotal.percentiles();
  }

  /** The capture summary, null before {@link #finish}. */
  public CaptureSummary capture() {
    return capture;
  }
}
