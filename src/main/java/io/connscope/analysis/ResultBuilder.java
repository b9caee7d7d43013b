package io.connscope.analysis;

import io.connscope.common.Addresses;
import io.connscope.common.Direction;
import io.connscope.common.FairShares;
import io.connscope.common.Warnings;
import io.connscope.detect.LossRecoveryDetector;
import io.connscope.detect.TransferLimitedDetector;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.http.Transaction;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternStats;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.ConnectionId;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns what the pipeline produces (connections, HTTP trackers, transactions, findings, the capture
 * totals) into the result model ({@link io.connscope.result}) and hands each record to a {@link
 * ResultSink} once it is final. Every number a report shows is computed here, once: transaction
 * timings and stalls, the keep-alive negotiation of a transaction and the ending of a connection, a
 * connection's stall summary, the capture totals.
 *
 * <p>Stalls: a transaction's {@code timings.stalls} are the findings about it known when it is
 * handed over. Transactions of an open connection wait (as the pipeline's objects) until the
 * connection closes, so that findings reported at the close are in them; beyond {@value
 * #MAX_WAITING} waiting on one connection, the oldest is handed over with the findings known then,
 * the first of them after the connection's {@link ResultSink#connectionStarted} (its endpoints,
 * read from the open connection, whose roles are settled once it carried a transaction). So too
 * when {@value #WAITING_TOTAL} wait over all open connections beyond each one's last {@value
 * #WAITING_ALONE} (as their HTTP trackers keep at most as many for the close-time detectors, {@link
 * io.connscope.http.HttpOptions#maxTransactionsKeptTotal()}), shared fairly ({@link FairShares}): a
 * connection waiting less than its share takes the room of the oldest of the connection waiting the
 * most, any other hands over its own oldest. Memory: at most {@value #MAX_WAITING} transactions per
 * open connection, {@value #WAITING_ALONE} per open connection and {@value #WAITING_TOTAL} beyond
 * over all, and the findings about open connections. A waiting transaction is held as its result
 * (about 600 bytes) while fewer than {@value #WHOLE_WAITING} are held so over all open connections;
 * beyond, as the final transaction (which its HTTP tracker keeps too) and two timings, 32 bytes
 * ({@link Deferred}), and its result is made again at the hand-over: the same record, since a final
 * transaction does not change.
 *
 * <p>Requests per pattern: every transaction handed over goes to a {@link PatternStats} keyed by
 * its client/server pair (client address, server address and port), each pair's table is its {@code
 * PairSummary.patterns} and {@code latencyHistogram}; memory follows the bounds of {@link
 * PatternStats}, with at most {@value #MAX_PAIRS} pairs told apart.
 *
 * <p>Findings are grouped by what the reader acts on: the occurrences of one problem (finding type)
 * on the transactions of one client/server pair (client address, server address and port) become
 * one finding (a finding about a connection as a whole, naming no transaction, has its connection
 * as its unit and stays as its detector reported it: several of one type on one connection are
 * different problems, such as the two directions of a truncated capture), handed over at the end:
 * its connection, transaction, evidence, summary and ladder are those of the costliest occurrence,
 * its cost the total, its severity the most severe of them, and {@link Finding.Occurrences} counts
 * them, keeps the {@value #WORST_KEPT} costliest (ties in report order) with their frames and every
 * one as a row (at most {@value #MAX_ROWS} rows in all, the rest counted). A problem seen once
 * stays the finding its detector reported. Capture-wide and connection findings are handed over as
 * they come. Beyond {@value #MAX_PAIRS} pairs, a connection is its own unit; beyond {@value
 * #MAX_GROUPS} problems held, the findings of a new problem are handed over one by one as they come
 * (so memory stays bounded whatever the capture), except those about a connection still open when
 * they came: they go out as one finding per problem at its close, as a group would have (the report
 * the same however many of them were held whole). The transactions' stalls and the connections'
 * stall summaries count every occurrence. Memory: per group its counters, {@value #WORST_KEPT}
 * findings and its rows; per HTTP connection number 4 bytes (its pair); per open connection its
 * first {@value #PENDING_WHOLE} findings naming a transaction, then per type a group's worth and a
 * row (16 bytes) each ({@link Pending}), and the stalls of its transactions not handed over yet.
 */
public final class ResultBuilder implements AnalysisSink {
  /** Transactions of one open connection kept until its close; beyond, the oldest go out. */
  static final int MAX_WAITING = 1000;

  /**
   * Waiting transactions held as their result over all open connections; beyond, as a {@link
   * Deferred}. 100 open connections of 1,000 transactions each held 60 MB of results.
   */
  static final int WHOLE_WAITING = 16_384;

  /**
   * Transactions waiting on each open connection that do not count against {@link #WAITING_TOTAL}:
   * its last.
   */
  static final int WAITING_ALONE = io.connscope.http.HttpTracker.KEPT_ALONE;

  /**
   * Transactions waiting over all open connections beyond each one's last {@link #WAITING_ALONE}.
   */
  static final long WAITING_TOTAL = 100_000;

  /**
   * The transactions waiting on an open connection from its second on, oldest first, with the
   * connection (to hand its oldest over when another connection needs the room).
   */
  private static final class Queue extends ArrayDeque<Object> {
    final ConnectionId c;

    /**
     * Its slot in {@link #waitingShares} once it waits beyond {@value #WAITING_ALONE}; -1 before.
     */
    int slot = -1;

    Queue(ConnectionId c) {
      this.c = c;
    }
  }

  /** What a persistent pattern would have saved, as written in every pair's estimate. */
  public static final String ESTIMATE_ASSUMPTIONS =
      "one persistent connection per concurrently"
          + " used connection (the peak); each avoided setup costs the pair's mean setup time; a warm"
          + " connection sends a response in one round trip, so the extra flights measured on first"
          + " responses are saved in proportion to the avoided setups";

  private final ResultSink out;

  /** Per client/server pair and request pattern, as transactions and connections are final. */
  private final PatternStats<PatternStats.Table> patterns =
      new PatternStats<>(PatternStats.Table::new, MAX_PAIRS, "");

  /**
   * Final transactions of open connections not handed over yet, by connection number: the {@link
   * TransactionResult} or {@link Deferred} itself while it is the only one (most connections carry
   * one), a {@link Queue} of them from the second on.
   */
  private final HashMap<Long, Object> waiting = new HashMap<>();

  /** The {@link #waiting} transactions held as their result. */
  private long wholeWaiting;

  /**
   * A waiting transaction held as what makes its result again at the hand-over: the final
   * transaction and the two timings that depended on its connection then.
   */
  private record Deferred(Transaction t, long connectUs, long serverUs) {}

  /** Makes the results of {@link Deferred} transactions (on this builder's thread only). */
  private final ConnectionResults again = new ConnectionResults();

  /**
   * Open connections announced to the sink ({@link ResultSink#connectionStarted}): those whose
   * transactions go out before their close.
   */
  private final java.util.HashSet<Long> announced = new java.util.HashSet<>();

  /** Costs of the findings about open connections, by connection and type (stall summary). */
  private final Map<String, TreeMap<String, Costs>> costsOf = new HashMap<>();

  /** Costs in microseconds, as longs (a finding on every transaction of a long connection). */
  private static final class Costs {
    long[] v = new long[4];
    int n;

    void add(long cost) {
      if (n == v.length) {
        v = Arrays.copyOf(v, 2 * n);
      }
      v[n++] = cost;
    }
  }

  /**
   * The stalls of the open connections' transactions, by connection and transaction index, in the
   * order found: each transaction takes its own when it is handed over (so what is held follows the
   * transactions waiting, not the findings of a long connection). A transaction's one stall is held
   * alone, two or more in a list.
   */
  private final Map<String, HashMap<Integer, Object>> stallsOf = new HashMap<>();

  /**
   * Open connections with a transfer finding (tcp.loss_recovery, tcp.transfer_limited): the sender
   * whose time-sequence graph the connection's result carries.
   */
  private final Map<String, String> transferFindings = new HashMap<>();

  private long connections;
  private long httpConnections;
  private long transactions;
  private long unanswered;
  private long orphans;
  private long findings;
  private long handshakes;
  private long handshakeMicros;

  /** Occurrences kept with their frames and ladder per grouped finding. */
  static final int WORST_KEPT = 3;

  /** Occurrence rows kept in all groups together. */
  static final long MAX_ROWS = 100_000;

  /**
   * Problems (groups) held until the end; the findings of further problems are handed over one by
   * one.
   */
  static final int MAX_GROUPS = 1_000;

  /** Client/server pairs told apart for grouping; beyond, a connection is its own unit. */
  static final int MAX_PAIRS = 10_000;

  /** Connection numbers whose pair is remembered (4 bytes each); later ones are their own unit. */
  static final long MAX_REMEMBERED = 64_000_000;

  /** Findings about connections not finished yet, by connection number: grouped at the close. */
  private final TreeMap<Long, Pending> pending = new TreeMap<>();

  /**
   * Findings of an open connection held whole; beyond, what their groups take of them (the report
   * is the same whatever this is: {@code PendingFindingsTest}). A finding with its ladder, details
   * and texts held about 3.9 KB (a delayed-ACK stall): 64 of them on each of 100 open connections
   * were 25 MB, 8 on each of 5,000 were 156 MB. One: a connection with a single finding (the common
   * case) holds it as it is. From the next finding on, those held whole join their groups, where
   * only each group's costliest stays whole (stop 36: until then they stayed whole beside the
   * groups until the close).
   */
  static final int PENDING_WHOLE = 1;

  /**
   * The findings about one open connection until its close gives their pair (their unit): up to
   * {@value #PENDING_WHOLE} whole, in the order they came; from one more on, all of them per
   * finding type as what its group will take of them (count, total, severity, the costliest, in a
   * {@link Group} of its own: the first whole, the others as their occurrence), and their rows in
   * the order they came, each with its type (16 bytes: its group, transaction and cost; the
   * connection is the pending one's). At the close {@link #group(Pending, long)} gives the groups
   * what grouping each finding in turn gave them: a long connection with a finding on every
   * transaction holds a few findings and a row each, not every finding with its ladder. One
   * difference, beyond {@value #MAX_GROUPS} problems: a problem that finds no room for its group
   * goes out as one grouped finding, whole ones included, not one by one.
   */
  private static final class Pending {
    final List<Finding> whole = new ArrayList<>();
    java.util.LinkedHashMap<String, Group> byType;
    Group[] rowGroup = new Group[0];
    int[] rowTransaction = new int[0];
    long[] rowCost = new long[0];
    int rowCount;

    /** The connection number of the findings (all of them name it): the key it is held by. */
    final long connection;

    Pending(long connection) {
      this.connection = connection;
    }

    void add(Finding f, int wholeKept, long rowRoom) {
      if (byType == null && whole.size() < wholeKept) {
        whole.add(f);
        return;
      }
      // one more than are held whole: those go to the groups too, in the order they came (a
      // group holds its costliest whole, the others as their occurrence)
      for (Finding w : whole) {
        tallyAndRow(w, rowRoom);
      }
      whole.clear();
      tallyAndRow(f, rowRoom);
    }

    private void tallyAndRow(Finding f, long rowRoom) {
      if (byType == null) {
        byType = new java.util.LinkedHashMap<>();
      }
      Group g = byType.computeIfAbsent(f.type(), k -> new Group());
      tally(g, f);
      if (rowCount >= rowRoom) {
        // beyond the rows that can still be kept in all: omitted at the close whatever comes
        g.omitted++;
        return;
      }
      if (rowCount == rowGroup.length) {
        int n = Math.max(16, 2 * rowCount);
        rowGroup = Arrays.copyOf(rowGroup, n);
        rowTransaction = Arrays.copyOf(rowTransaction, n);
        rowCost = Arrays.copyOf(rowCost, n);
      }
      rowGroup[rowCount] = g;
      rowTransaction[rowCount] = f.transaction();
      rowCost[rowCount] = f.costUs();
      rowCount++;
    }
  }

  /** By connection number: its unit + 1 (0: not finished yet, or not remembered). */
  private int[] unitOf = new int[1024];

  private final HashMap<HttpConnections.Pair, Integer> pairUnits = new HashMap<>();

  /**
   * The pair {@link #unitOf} last looked up and its unit (null: none, the pairs were full), valid
   * since {@link #pairUnits} only grows: once full, a pair without a unit never gets one.
   */
  private HttpConnections.Pair lastPair;

  private Integer lastUnit;

  /** The groups, in the order they were made. */
  private final java.util.LinkedHashMap<GroupKey, Group> groups = new java.util.LinkedHashMap<>();

  private long rowsKept;

  /**
   * A problem on a unit: pair index (>= 0), or -1 - connection number when the connection is the
   * unit.
   */
  record GroupKey(String type, long unit) {
    // written out (the values a record generates): they run for every finding, and the generated
    // ones go through method handles, slow until the JIT compiled them
    @Override
    public int hashCode() {
      return 31 * Objects.hashCode(type) + Long.hashCode(unit);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof GroupKey k && unit == k.unit && Objects.equals(type, k.type);
    }
  }

  /** The occurrences of one problem on one unit, while the analysis runs. */
  private static final class Group {
    final List<Finding> worst = new ArrayList<>(WORST_KEPT + 1);
    long count;
    long total;
    io.connscope.result.Severity severity;
    long[] rows = new long[12];
    int rowCount;
    long omitted;
  }

  public ResultBuilder(ResultSink out) {
    this(out, PENDING_WHOLE, MAX_ROWS, WHOLE_WAITING, WAITING_TOTAL);
  }

  /**
   * As above, with as many transactions waiting beyond each connection's first few as the HTTP
   * trackers of {@code http} keep ({@link
   * io.connscope.http.HttpOptions#maxTransactionsKeptTotal()}).
   */
  public ResultBuilder(ResultSink out, io.connscope.http.HttpOptions http) {
    this(out, PENDING_WHOLE, MAX_ROWS, WHOLE_WAITING, http.maxTransactionsKeptTotal());
  }

  /**
   * As above, an open connection's first {@code pendingWhole} findings held whole, at most {@code
   * maxRows} rows kept in all, and at most {@code wholeWaiting} waiting transactions held as their
   * result, {@code waitingTotal} beyond each connection's first few (tests: each against holding
   * everything whole).
   */
  ResultBuilder(
      ResultSink out, int pendingWhole, long maxRows, long wholeWaiting, long waitingTotal) {
    this.out = out;
    this.pendingWhole = pendingWhole;
    this.maxRows = maxRows;
    this.maxWholeWaiting = wholeWaiting;
    this.waitingShares = new FairShares<>(waitingTotal);
  }

  private final int pendingWhole;
  private final long maxRows;
  private final long maxWholeWaiting;

  /**
   * The transactions waiting beyond each open connection's last {@value #WAITING_ALONE}, shared
   * fairly ({@link FairShares}): once the total is full, a connection waiting less than its share
   * takes the room of the oldest transaction of the connection waiting the most, which is handed
   * over with the findings known then.
   */
  private final FairShares<Queue> waitingShares;

  @Override
  @SuppressWarnings("unchecked")
  public void transaction(ConnectionId c, Transaction t, TransactionResult result) {
    Long id = c.id();
    Object held;
    if (t == null || wholeWaiting < maxWholeWaiting) { // null: replayed without its transaction
      held = result;
      wholeWaiting++;
    } else {
      held = new Deferred(t, result.timings().connectUs(), result.timings().serverUs());
    }
    Object w = waiting.putIfAbsent(id, held);
    if (w != null) {
      Queue q;
      if (w instanceof Queue d) {
        q = d;
      } else {
        q = new Queue(c);
        q.addLast(w);
        waiting.put(id, q);
      }
      q.addLast(held);
      if (q.size() > MAX_WAITING) {
        handOverOldest(q);
      } else if (q.size() > WAITING_ALONE) {
        if (q.slot < 0) {
          q.slot = waitingShares.join(q);
        }
        int g = waitingShares.take(q.slot, true);
        if (g >= 0) { // the total is reached: the oldest of the longest queue, or this one's
          handOverOldest(waitingShares.owner(g));
        }
      }
    }
    transactions++;
    if (result.unanswered()) {
      unanswered++;
    }
    if (result.orphanResponse()) {
      orphans++;
    }
  }

  @Override
  public void finding(Finding f) {
    note(f);
    if (f.connection() == null || (f.transaction() < 0 && f.inferredExchange() < 0)) {
      // capture-wide, or about a connection as a whole: the unit the detector reported on
      // (findings about one transaction or one inferred exchange are grouped per pair)
      findings++;
      out.finding(f);
      return;
    }
    long n = f.connectionNumber();
    int unit = n > 0 && n < unitOf.length ? unitOf[(int) n] : 0;
    if (unit > 0) {
      group(f, unit - 1);
    } else if (n > 0 && n < MAX_REMEMBERED) {
      // open: its pair is known at its close
      pending.computeIfAbsent(n, Pending::new).add(f, pendingWhole, maxRows - rowsKept);
    } else {
      group(f, -1 - Math.max(0, n));
    }
  }

  private void group(Finding f, long unit) {
    GroupKey key = new GroupKey(f.type(), unit);
    Group g = groups.get(key);
    if (g == null) {
      if (groups.size() >= MAX_GROUPS) { // memory stays bounded: this problem is reported as found
        findings++;
        out.finding(f);
        return;
      }
      g = new Group();
      groups.put(key, g);
    }
    tally(g, f);
    row(g, f.connectionNumber(), f.transaction(), f.costUs());
  }

  /** {@code f} counted in {@code g}: its count, total, severity and costliest, not its row. */
  private static void tally(Group g, Finding f) {
    g.count++;
    g.total += f.costUs();
    g.severity = severer(g.severity, f.severity());
    keepIfCostliest(g, f);
  }

  /** The more severe of {@code held} (null: none yet) and {@code s}; {@code held} on a tie. */
  private static io.connscope.result.Severity severer(
      io.connscope.result.Severity held, io.connscope.result.Severity s) {
    return held == null || s.compareTo(held) > 0 ? s : held;
  }

  /**
   * {@code f} among {@code g}'s {@value #WORST_KEPT} costliest when it is one, after its ties. Only
   * the costliest is held whole (its texts, details and ladder are the grouped finding's); those
   * behind it are held as what their occurrence shows ({@link #behind}).
   */
  private static void keepIfCostliest(Group g, Finding f) {
    int at = 0;
    while (at < g.worst.size() && !costlier(f, g.worst.get(at))) {
      at++;
    }
    if (at < WORST_KEPT) {
      g.worst.add(at, at == 0 ? f : behind(f));
      if (g.worst.size() > WORST_KEPT) {
        g.worst.remove(WORST_KEPT);
      }
      if (at == 0 && g.worst.size() > 1) {
        g.worst.set(1, behind(g.worst.get(1)));
      }
    }
  }

  /**
   * {@code f} as a group holds it behind its costliest, which it can no longer become (a finding
   * only ever moves back): what its occurrence shows (connection, transaction, cost, frames) and
   * what orders it, without its texts, details and ladder. A delayed-ACK stall with its ladder is
   * about 3.9 KB whole; 20,000 open connections each holding a group's three costliest held 310 MB
   * of them.
   */
  private static Finding behind(Finding f) {
    if (f.summary() == null) {
      return f; // already
    }
    return new Finding(
        f.type(),
        f.severity(),
        f.confidence(),
        f.connection(),
        f.transaction(),
        f.costUs(),
        f.frames(),
        null,
        null,
        null,
        Collections.emptySortedMap(),
        List.of(),
        null);
  }

  /** A row of {@code g}, while the rows kept in all are fewer than {@link #MAX_ROWS}. */
  private void row(Group g, long connection, long transaction, long cost) {
    if (rowsKept < maxRows) {
      if (g.rowCount * 3 + 3 > g.rows.length) {
        g.rows = Arrays.copyOf(g.rows, g.rows.length * 2);
      }
      g.rows[g.rowCount * 3] = connection;
      g.rows[g.rowCount * 3 + 1] = transaction;
      g.rows[g.rowCount * 3 + 2] = cost;
      g.rowCount++;
      rowsKept++;
    } else {
      g.omitted++;
    }
  }

  /**
   * Groups what {@code p} held in {@code unit}, as grouping each of its findings in turn would: the
   * whole ones one by one, then each type's tally (its group made, in the order the types came,
   * when it has none), then the rows in the order they came. A problem with no room for its group
   * goes out as one finding of all of them, whole or not (until stop 35 its whole ones went out one
   * by one and the rest as one: the report changed with {@link #PENDING_WHOLE}).
   */
  private void group(Pending p, long unit) {
    // the problems without room for their group (MAX_GROUPS): each goes out as one finding of
    // everything this connection held about it, whole or not, so that the report does not depend
    // on how many were held whole (PENDING_WHOLE); in the order their types came
    java.util.LinkedHashMap<String, Group> alone = null;
    for (Finding f : p.whole) {
      if (groups.size() >= MAX_GROUPS && !groups.containsKey(new GroupKey(f.type(), unit))) {
        if (alone == null) {
          alone = new java.util.LinkedHashMap<>();
        }
        Group part = alone.computeIfAbsent(f.type(), k -> new Group());
        tally(part, f);
        row(part, p.connection, f.transaction(), f.costUs());
      } else {
        group(f, unit);
      }
    }
    if (p.byType == null) {
      emitAlone(alone);
      return;
    }
    java.util.IdentityHashMap<Group, Group> into = new java.util.IdentityHashMap<>();
    for (Map.Entry<String, Group> e : p.byType.entrySet()) {
      Group part = e.getValue();
      GroupKey key = new GroupKey(e.getKey(), unit);
      Group g = groups.get(key);
      if (g == null && groups.size() >= MAX_GROUPS) {
        if (alone == null) {
          alone = new java.util.LinkedHashMap<>();
        }
        g = alone.get(e.getKey());
        if (g == null) {
          alone.put(e.getKey(), part); // no room for its group: its findings go out as one
          into.put(part, part);
          continue;
        }
      }
      if (g == null) {
        g = new Group();
        groups.put(key, g);
      }
      g.count += part.count;
      g.total += part.total;
      g.severity = severer(g.severity, part.severity);
      for (Finding f : part.worst) { // in their order: ties as they came
        keepIfCostliest(g, f);
      }
      g.omitted += part.omitted; // the rows it could not keep
      into.put(part, g);
    }
    for (int i = 0; i < p.rowCount; i++) {
      Group g = into.get(p.rowGroup[i]);
      row(g, p.connection, p.rowTransaction[i], p.rowCost[i]);
    }
    emitAlone(alone);
  }

  /** Hands over each of {@code alone}'s groups (null: none) as one finding. */
  private void emitAlone(Map<String, Group> alone) {
    if (alone == null) {
      return;
    }
    for (Group part : alone.values()) {
      findings++;
      out.finding(grouped(part));
    }
  }

  /**
   * {@code a} goes before {@code b} among the worst: costlier, ties in report order (connection,
   * transaction).
   */
  private static boolean costlier(Finding a, Finding b) {
    if (a.costUs() != b.costUs()) {
      return a.costUs() > b.costUs();
    }
    if (a.connectionNumber() != b.connectionNumber()) {
      return a.connectionNumber() < b.connectionNumber();
    }
    return a.transaction() < b.transaction();
  }

  /** The pair unit of a finished connection, remembered for the findings that name it later. */
  private long unitOf(ConnectionView c) {
    // client address, server address and port, as the report writes them (Addresses.format is
    // one-to-one): the same pairs as the text key built before, without building it
    Integer u;
    if (lastPair != null && lastPair.matches(c)) {
      u = lastUnit; // the pair of the last HTTP connection: no pair made and hashed
    } else {
      HttpConnections.Pair key = HttpConnections.Pair.of(c);
      u = pairUnits.get(key);
      if (u == null && pairUnits.size() < MAX_PAIRS) {
        u = pairUnits.size();
        pairUnits.put(key, u);
      }
      lastPair = key;
      lastUnit = u;
    }
    long unit = u != null ? u : -1 - c.id();
    if (u != null && c.id() > 0 && c.id() < MAX_REMEMBERED) {
      if (c.id() >= unitOf.length) {
        unitOf =
            Arrays.copyOf(
                unitOf, (int) Math.min(MAX_REMEMBERED, Math.max(c.id() + 1, unitOf.length * 2L)));
      }
      unitOf[(int) c.id()] = u + 1;
    }
    return unit;
  }

  /** The finding that stands for group {@code g}: its worst occurrence, with the group's counts. */
  private static Finding grouped(Group g) {
    Finding w = g.worst.get(0);
    if (g.count == 1) {
      return w;
    }
    List<Finding.Occurrence> worst = new ArrayList<>(g.worst.size());
    for (Finding f : g.worst) {
      worst.add(new Finding.Occurrence(f.connection(), f.transaction(), f.costUs(), f.frames()));
    }
    List<Finding.Occurrence> rows = new ArrayList<>(g.rowCount);
    for (int i = 0; i < g.rowCount; i++) {
      rows.add(
          new Finding.Occurrence(
              io.connscope.result.ConnectionIds.of(g.rows[i * 3]),
              (int) g.rows[i * 3 + 1],
              g.rows[i * 3 + 2],
              List.of()));
    }
    return new Finding(
        w.type(),
        g.severity,
        w.confidence(),
        w.connection(),
        w.transaction(),
        g.total,
        w.frames(),
        w.displayFilter(),
        w.summary(),
        w.fix(),
        w.details(),
        w.ladder(),
        new Finding.Occurrences(
            g.count, g.total, w.costUs(), List.copyOf(worst), List.copyOf(rows), g.omitted));
  }

  /** Costs and transaction findings of open connections, for stall summaries and stalls. */
  @SuppressWarnings("unchecked")
  private void note(Finding f) {
    if (f.connection() != null
        && (LossRecoveryDetector.TYPE.equals(f.type())
            || TransferLimitedDetector.TYPE.equals(f.type()))
        && f.details().get("sender") instanceof String sender) {
      transferFindings.putIfAbsent(f.connection(), sender); // the first one's sender is graphed
    }
    if (f.connection() != null && f.costUs() > 0) {
      costsOf
          .computeIfAbsent(f.connection(), k -> new TreeMap<>())
          .computeIfAbsent(f.type(), k -> new Costs())
          .add(f.costUs());
    }
    if (f.connection() != null && f.transaction() >= 0) {
      HashMap<Integer, Object> mine =
          stallsOf.computeIfAbsent(f.connection(), k -> new HashMap<>());
      TransactionResult.Stall s = new TransactionResult.Stall(f.type(), f.costUs());
      Object had = mine.putIfAbsent(f.transaction(), s);
      if (had instanceof TransactionResult.Stall first) {
        List<TransactionResult.Stall> both = new ArrayList<>(2);
        both.add(first);
        both.add(s);
        mine.put(f.transaction(), both);
      } else if (had != null) {
        ((List<TransactionResult.Stall>) had).add(s);
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void connection(ConnectionRecord record) {
    ClosedConnection c = record.closed();
    Long id = c.id(); // boxed once for the maps keyed by it
    Object w = waiting.remove(id);
    if (!announced.isEmpty()) {
      announced.remove(id);
    }
    if (w instanceof Queue q) {
      if (q.slot >= 0) {
        waitingShares.leave(q.slot);
      }
      for (Object t : q) {
        handOver(withStalls(c, t));
      }
    } else if (w != null) {
      handOver(withStalls(c, w));
    }
    String graphOf = transferFindings.remove(c.idString());
    ConnectionResult result =
        record
            .result()
            .of(
                c.id(),
                stallSummary(costsOf.remove(c.idString())),
                graphOf == null
                    ? null
                    : TimeSequences.of(
                        c, "client".equals(graphOf) ? Direction.CLIENT : Direction.SERVER));
    stallsOf.remove(c.idString());
    connections++;
    if (result.isHttp()) {
      httpConnections++;
    }
    if (result.handshake().setupUs() >= 0) {
      handshakes++;
      handshakeMicros += Math.max(0, result.handshake().setupUs());
    }
    Pending mine = pending.isEmpty() ? null : pending.remove(id);
    long unit =
        result.isHttp() ? unitOf(c) : -1 - c.id(); // only HTTP connections have transactions
    if (mine != null) {
      group(mine, unit);
    }
    patterns.connection(result, pairKey(result));
    out.connection(result);
  }

  /**
   * Hands over the oldest transaction waiting in {@code q} before its connection's close, the first
   * of them after the connection's start.
   */
  private void handOverOldest(Queue q) {
    ConnectionId c = q.c;
    if (c instanceof ConnectionView v && announced.add(c.id())) {
      out.connectionStarted( // its first transaction goes out before its close
          new ConnectionStart(
              c.id(),
              new Endpoint(Addresses.format(v.clientAddrHi(), v.clientAddrLo()), v.clientPort()),
              new Endpoint(Addresses.format(v.serverAddrHi(), v.serverAddrLo()), v.serverPort())));
    }
    handOver(withStalls(c, q.pollFirst()));
  }

  /**
   * The result of waiting transaction {@code w} of {@code c} (its {@link TransactionResult} or
   * {@link Deferred}) with its id and the findings about it known now.
   */
  @SuppressWarnings("unchecked")
  private TransactionResult withStalls(ConnectionId c, Object w) {
    TransactionResult t;
    if (w instanceof Deferred d) {
      t = again.transaction(c.id(), d.t(), d.connectUs(), d.serverUs());
    } else {
      t = (TransactionResult) w;
      wholeWaiting--;
    }
    HashMap<Integer, Object> known = stallsOf.isEmpty() ? null : stallsOf.get(c.idString());
    Object stalls = known == null ? null : known.remove(t.index());
    if (stalls == null) {
      return t.of(c.id(), List.of());
    }
    return t.of(
        c.id(),
        stalls instanceof TransactionResult.Stall one
            ? List.of(one)
            : (List<TransactionResult.Stall>) stalls);
  }

  /** A connection's stall summary: the costs of the findings about it, by type. */
  private static SortedMap<String, ConnectionResult.StallSummary> stallSummary(
      Map<String, Costs> costs) {
    if (costs == null || costs.isEmpty()) {
      return Collections.emptySortedMap();
    }
    TreeMap<String, ConnectionResult.StallSummary> stalls = new TreeMap<>();
    for (Map.Entry<String, Costs> e : costs.entrySet()) {
      long[] v = Arrays.copyOf(e.getValue().v, e.getValue().n);
      Arrays.sort(v);
      stalls.put(
          e.getKey(),
          new ConnectionResult.StallSummary(
              v.length, Arrays.stream(v).sum(), v[(v.length - 1) / 2]));
    }
    return Collections.unmodifiableSortedMap(stalls);
  }

  private void handOver(TransactionResult t) {
    patterns.transaction(t);
    out.transaction(t);
  }

  /**
   * The last key {@link #pairKey(ConnectionResult)} made, and the address strings (by identity:
   * {@link ConnectionResults} hands out the same string while an address repeats) and port it was
   * made of: consecutive connections of one pair reuse it instead of building the same text again.
   */
  private String lastClient, lastServer, lastKey;

  private int lastPort;

  /** The key of {@code c}'s client/server pair in {@link #patterns}. */
  private String pairKey(ConnectionResult c) {
    String client = c.client().ip();
    Endpoint server = c.server();
    if (lastKey == null
        || client != lastClient
        || server.ip() != lastServer
        || server.port() != lastPort) {
      lastClient = client;
      lastServer = server.ip();
      lastPort = server.port();
      lastKey = pairKey(client, server);
    }
    return lastKey;
  }

  /** The key of a client/server pair in {@link #patterns}. */
  private static String pairKey(String client, Endpoint server) {
    return client + " " + server.ip() + " " + server.port();
  }

  @Override
  public void finish(CaptureTotals t) {
    // the findings naming no finished connection: each connection its own unit
    for (Map.Entry<Long, Pending> left : pending.entrySet()) {
      group(left.getValue(), -1 - left.getKey());
    }
    pending.clear();
    for (Group g : groups.values()) {
      findings++;
      out.finding(grouped(g));
    }
    groups.clear();
    List<CaptureSummary.FileSummary> files = new ArrayList<>();
    for (CaptureTotals.FileSummary f : t.files()) {
      files.add(
          new CaptureSummary.FileSummary(
              f.name(),
              f.format(),
              f.packets(),
              f.bytes(),
              f.firstFrame(),
              f.firstNanos() == Long.MIN_VALUE ? -1 : f.firstNanos() / 1000,
              f.lastNanos() == Long.MIN_VALUE ? -1 : f.lastNanos() / 1000));
    }
    List<CaptureSummary.Warning> warnings = new ArrayList<>();
    for (Map.Entry<String, Warnings.Entry> e : t.warnings().entries().entrySet()) {
      Warnings.Entry en = e.getValue();
      warnings.add(
          new CaptureSummary.Warning(e.getKey(), en.count(), en.firstFrame(), en.detail()));
    }
    patterns.finish();
    List<PairSummary> pairs = new ArrayList<>();
    for (PairAggregator.Pair p : t.pairs()) {
      pairs.add(pair(p, patterns));
    }
    out.finish(
        new CaptureSummary(
            List.copyOf(files),
            t.packets(),
            t.bytes(),
            t.tcpPackets(),
            List.copyOf(t.linkTypes()),
            t.startEpochMicros(),
            t.durationMicros(),
            t.filter(),
            t.filteredOut(),
            Collections.unmodifiableList(warnings),
            new CaptureSummary.Totals(
                connections,
                httpConnections,
                transactions,
                unanswered,
                orphans,
                findings,
                t.connectionsOutsidePairs(),
                handshakes,
                handshakeMicros),
            Collections.unmodifiableList(pairs)));
  }

  private static PairSummary pair(PairAggregator.Pair p, PatternStats<PatternStats.Table> ps) {
    PairAggregator.Key k = p.key();
    String client = Addresses.format(k.clientHi(), k.clientLo());
    Endpoint server = new Endpoint(Addresses.format(k.serverHi(), k.serverLo()), k.serverPort());
    PatternStats.Table table = ps.tables().get(pairKey(client, server));
    return new PairSummary(
        client,
        server,
        p.firstConnection(),
        p.connections(),
        p.httpConnections(),
        p.transactions(),
        p.transactionsPerConnection(),
        p.reusedConnections(),
        p.maxPipelineDepth(),
        p.peakConcurrent(),
        p.pattern(),
        p.setups(),
        p.setupMicros(),
        p.tlsConnections(),
        p.tlsMicros(),
        p.transactionMicros(),
        Math.round(p.setupShare() * 100),
        p.startUs(),
        p.endUs(),
        new PairSummary.PersistentEstimate(
            p.setupsAvoidable(),
            p.setupSavedMicros(),
            p.slowStartSavedMicros(),
            p.setupSavedMicros() + p.slowStartSavedMicros(),
            ESTIMATE_ASSUMPTIONS),
        table == null ? List.of() : table.summaries(),
        table == null ? null : table.histogram(), // none without transactions
        p.inferredExchanges() == 0
            ? null
            : new PairSummary.InferredUse(
                p.inferredConnections(),
                p.inferredExchanges(),
                (double) p.inferredExchanges() / p.inferredConnections(),
                p.inferredReusedConnections(),
                p.inferredMaxPerConnection(),
                p.inferredPattern()));
  }
}
