package io.connscope.result;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Per key (a client/server pair in the analyze reports, a server in {@code connscope diff}) and per
 * request pattern (method and path without the query string): transactions, connections, setups,
 * bytes, the wait and total times for nearest-rank {@link Percentiles}, and a {@link
 * LatencyHistogram} per key; accumulated from the result records as they stream (the one
 * implementation both use).
 *
 * <p>A connection's transactions are aggregated in a table of their own as they come (its key is
 * known at its close, {@link #connection}), then merged into its key's table, so memory does not
 * grow with a long keep-alive connection.
 *
 * <p>Bounds (memory follows the bounds, not the traffic): at most {@value #MAX_PATTERNS} distinct
 * patterns (later ones are counted under {@value #OTHER}); at most {@value #MAX_CELLS} patterns
 * over all keys' tables (a pattern new to a key beyond that is counted under its {@value #OTHER});
 * at most {@code maxKeys} keys (later ones are counted under the overflow key); wait and total
 * samples of the first {@value #MAX_SAMPLES} transactions only ({@link #sampled} is then true:
 * percentiles describe those first transactions; counts, bytes and histograms count every one).
 *
 * @param <T> the table type: {@link Table}, or a subclass keeping more per key
 */
public final class PatternStats<T extends PatternStats.Table> {
  /** Distinct patterns kept. */
  public static final int MAX_PATTERNS = 10_000;

  /** Wait and total time samples kept. */
  public static final int MAX_SAMPLES = 200_000;

  /** Patterns kept over all keys' tables. */
  public static final int MAX_CELLS = 100_000;

  /** The pattern that counts what is beyond the caps. */
  public static final String OTHER = "(other)";

  /** What one group (a key, or a pattern on it) accumulated. */
  public static final class Group {
    private long transactions;
    private long connections;
    private long lastConnection = -1;
    private long setups;
    private long setupUs;
    private long bytes;
    private long timeUs;
    private final Samples wait = new Samples();
    private final Samples total = new Samples();

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
      timeUs += Math.max(0, t.totalUs());
      if (keepSample) {
        wait.add(waitUs(t));
        total.add(t.totalUs());
      }
    }

    void merge(Group o) {
      transactions += o.transactions;
      connections += o.connections;
      setups += o.setups;
      setupUs += o.setupUs;
      bytes += o.bytes;
      timeUs += o.timeUs;
      wait.addAll(o.wait);
      total.addAll(o.total);
    }

    public long transactions() {
      return transactions;
    }

    /** Connections used (a connection counted once per run of the group's transactions). */
    public long connections() {
      return connections;
    }

    /** Transactions whose connection's handshake was seen. */
    public long setups() {
      return setups;
    }

    /** Their total setup time. */
    public long setupUs() {
      return setupUs;
    }

    /** Request and response bytes, headers and bodies. */
    public long bytes() {
      return bytes;
    }

    /** The sum of the known total times. */
    public long timeUs() {
      return timeUs;
    }

    /** Percentiles of the wait, null when none is known. */
    public Percentiles waitPercentiles() {
      return wait.percentiles();
    }

    /** Percentiles of the total time, null when none is known. */
    public Percentiles totalPercentiles() {
      return total.percentiles();
    }

    PatternSummary summary(String pattern) {
      return new PatternSummary(
          pattern,
          transactions,
          connections,
          bytes,
          timeUs,
          wait.percentiles(),
          total.percentiles());
    }
  }

  /** Known (non-negative) microsecond values. */
  /**
   * Samples in the order added. The first is held in a field, the array made for the second: most
   * groups are one connection's, which most often carries one transaction.
   */
  private static final class Samples {
    private long first;
    private long[] v;
    private int n;

    void add(long us) {
      if (us < 0) {
        return;
      }
      if (n == 0) {
        first = us;
        n = 1;
        return;
      }
      if (v == null) {
        v = new long[4];
        v[0] = first;
      } else if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = us;
    }

    long get(int i) {
      return i == 0 ? first : v[i];
    }

    void addAll(Samples o) {
      for (int i = 0; i < o.n; i++) {
        add(o.get(i));
      }
    }

    Percentiles percentiles() {
      return n == 0 ? null : Percentiles.of(v != null ? v : new long[] {first}, n);
    }
  }

  /** One key's groups (or one open connection's, before its key is known) and histograms. */
  public static class Table {
    String key;
    final Group all = new Group();
    final TreeMap<String, Group> patterns = new TreeMap<>();
    private long[] waitBuckets;
    private long[] totalBuckets;

    /**
     * The wait and total buckets of a table's one transaction until a second one needs the arrays
     * (most connections carry one): -1 for none.
     */
    private int firstWait = -1, firstTotal = -1;

    /** The key, null for an open connection's table. */
    public final String key() {
      return key;
    }

    /** Every transaction of the table. */
    public final Group all() {
      return all;
    }

    /** Per pattern, by pattern. */
    public final Map<String, Group> patterns() {
      return patterns;
    }

    /**
     * Called after {@code t} was added under {@code pattern} to an open connection's table:
     * subclasses keep more here.
     */
    protected void added(TransactionResult t, String pattern) {}

    /** Merges {@code o} (an open connection's table) in; subclasses merge what they keep more. */
    protected void merge(Table o) {
      all.merge(o.all);
      waitBuckets = counted(counted(sum(waitBuckets, o.waitBuckets), firstWait), o.firstWait);
      totalBuckets = counted(counted(sum(totalBuckets, o.totalBuckets), firstTotal), o.firstTotal);
      firstWait = -1;
      firstTotal = -1;
    }

    /** The table's patterns as reports show them: the longest total time first, then by name. */
    public final List<PatternSummary> summaries() {
      List<PatternSummary> out = new ArrayList<>(patterns.size());
      for (Map.Entry<String, Group> e : patterns.entrySet()) {
        out.add(e.getValue().summary(e.getKey()));
      }
      out.sort(
          Comparator.comparingLong(PatternSummary::timeUs)
              .reversed()
              .thenComparing(PatternSummary::pattern));
      return List.copyOf(out);
    }

    /** The table's wait and total time histograms. */
    public final LatencyHistogram histogram() {
      return new LatencyHistogram(
          LatencyHistogram.BUCKETS_US,
          counts(counted(sum(null, waitBuckets), firstWait)),
          counts(counted(sum(null, totalBuckets), firstTotal)));
    }

    void count(TransactionResult t) {
      int w = LatencyHistogram.bucket(waitUs(t));
      if (w >= 0) {
        if (waitBuckets == null && firstWait < 0) {
          firstWait = w;
        } else {
          waitBuckets = counted(counted(waitBuckets, firstWait), w);
          firstWait = -1;
        }
      }
      int a = LatencyHistogram.bucket(t.totalUs());
      if (a >= 0) {
        if (totalBuckets == null && firstTotal < 0) {
          firstTotal = a;
        } else {
          totalBuckets = counted(counted(totalBuckets, firstTotal), a);
          firstTotal = -1;
        }
      }
    }

    /** {@code b} with one more count in {@code bucket} (none when negative); made when null. */
    private static long[] counted(long[] b, int bucket) {
      if (bucket < 0) {
        return b;
      }
      if (b == null) {
        b = new long[LatencyHistogram.BUCKETS_US.size()];
      }
      b[bucket]++;
      return b;
    }

    private static long[] sum(long[] a, long[] b) {
      if (b == null) {
        return a;
      }
      if (a == null) {
        return b.clone();
      }
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    }

    private static List<Long> counts(long[] b) {
      List<Long> out = new ArrayList<>(LatencyHistogram.BUCKETS_US.size());
      for (int i = 0; i < LatencyHistogram.BUCKETS_US.size(); i++) {
        out.add(b == null ? 0L : b[i]);
      }
      return List.copyOf(out);
    }
  }

  private final Supplier<T> make;
  private final int maxKeys;
  private final String overflowKey;
  private final Map<Long, T> open = new HashMap<>();
  private final Map<String, T> tables = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();
  private final Group all = new Group();
  private long cells;
  private boolean sampled;

  /** The last transaction's method and target (by identity) and its {@link #pattern}. */
  private String lastMethod;

  private String lastUri;
  private String lastPattern;

  /**
   * @param make a new empty table
   * @param maxKeys keys told apart; the connections of later keys are counted under {@code
   *     overflowKey}
   */
  public PatternStats(Supplier<T> make, int maxKeys, String overflowKey) {
    this.make = make;
    this.maxKeys = maxKeys;
    this.overflowKey = overflowKey;
  }

  /** Adds a final transaction to its connection's table. */
  public void transaction(TransactionResult t) {
    Long id = t.connection(); // boxed once for the lookup and the put
    T a = open.get(id);
    if (a == null) {
      a = make.get();
      open.put(id, a);
    }
    boolean keep = all.transactions < MAX_SAMPLES;
    sampled |= !keep;
    long bytes = bytes(t);
    all.add(t, bytes, keep);
    a.all.add(t, bytes, keep);
    a.count(t);
    String p;
    if (t.method() != null && t.method() == lastMethod && t.uri() == lastUri) {
      p = lastPattern; // the same strings as the last transaction's: the parser reuses them
    } else {
      p = pattern(t);
      lastMethod = t.method();
      lastUri = t.uri();
      lastPattern = p;
    }
    if (!names.contains(p)) {
      if (names.size() >= MAX_PATTERNS) {
        p = OTHER;
      } else {
        names.add(p);
      }
    }
    a.patterns.computeIfAbsent(p, k -> new Group()).add(t, bytes, keep);
    a.added(t, p);
  }

  /**
   * Merges finished connection {@code c}'s transactions into the table of {@code key}; returns that
   * table, or null when {@code c} had no transaction.
   */
  public T connection(ConnectionResult c, String key) {
    T a = open.remove(c.id());
    if (a == null) {
      return null;
    }
    T s = tables.get(key);
    if (s == null) {
      if (tables.size() >= maxKeys) {
        key = overflowKey;
        s = tables.get(key);
      }
      if (s == null) {
        s = make.get();
        s.key = key;
        tables.put(key, s);
      }
    }
    s.merge(a);
    for (Map.Entry<String, Group> e : a.patterns.entrySet()) {
      String p = e.getKey();
      Group g = s.patterns.get(p);
      if (g == null) {
        if (cells >= MAX_CELLS) {
          p = OTHER;
          g = s.patterns.get(p);
        }
        if (g == null) {
          g = new Group();
          s.patterns.put(p, g);
          cells++;
        }
      }
      g.merge(e.getValue());
    }
    return s;
  }

  /** Forgets the connections still open (their transactions count in {@link #all} only). */
  public void finish() {
    open.clear();
  }

  /** The keys' tables, in the order keys were first closed. */
  public Map<String, T> tables() {
    return tables;
  }

  /** Every transaction seen. */
  public Group all() {
    return all;
  }

  /** True when more than {@value #MAX_SAMPLES} transactions came: percentiles cover the first. */
  public boolean sampled() {
    return sampled;
  }

  /** Method and path without the query string; "(no request)" when the request was not seen. */
  public static String pattern(TransactionResult t) {
    if (t.method() == null) {
      return "(no request)";
    }
    String uri = t.uri() == null ? "" : t.uri();
    int q = uri.indexOf('?');
    return t.method() + " " + (q >= 0 ? uri.substring(0, q) : uri);
  }

  /** Request and response bytes, headers and bodies (unknown sizes count 0). */
  public static long bytes(TransactionResult t) {
    return Math.max(0, t.requestHeaderBytes())
        + Math.max(0, t.requestBodyBytes())
        + Math.max(0, t.responseHeaderBytes())
        + Math.max(0, t.responseBodyBytes());
  }

  private static long waitUs(TransactionResult t) {
    return t.timings() == null ? -1 : t.timings().waitUs();
  }
}
