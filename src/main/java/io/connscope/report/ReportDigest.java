package io.connscope.report;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the Markdown and HTML reports show, gathered from a {@link ReportSource} in a few passes in
 * memory bounded by {@link Limits}, not by the capture: the verdict and the capture-quality notes
 * over every finding and connection; the costliest findings (the rest counted per type); the
 * ladders, pair timelines and waterfalls to draw (connections with findings first, then the
 * slowest); the first connections for the table; the rest summarised as counts.
 *
 * <p>Passes: findings (verdict, costliest, ladders, which connections have findings), connections
 * (pairs, quality, waterfall and table choices, the connections the ladders need), then, only when
 * something drawn needs them, connections again (the lanes of the pairs chosen) and findings again
 * (those of the connections drawn as waterfalls).
 */
final class ReportDigest {
  /**
   * How much is drawn and listed. {@code drawn} is the one setting ({@code --max-drawn}): at most
   * that many ladders, pair timelines and waterfalls; the defaults are 30, 20 and 40.
   */
  record Limits(
      int ladders,
      int pairs,
      int waterfalls,
      int findingRows,
      int pairRows,
      int tableConnections,
      int tableTransactions,
      int verdictConnections) {
    static final Limits DEFAULT = new Limits(30, 20, 40, 1000, 1000, 2000, 10_000, 50);

    /** The defaults with at most {@code n} ladders, pair timelines and waterfalls drawn. */
    static Limits drawn(int n) {
      return new Limits(
          n,
          n,
          n,
          DEFAULT.findingRows,
          DEFAULT.pairRows,
          DEFAULT.tableConnections,
          DEFAULT.tableTransactions,
          DEFAULT.verdictConnections);
    }
  }

  /** Connections drawn per pair timeline. */
  static final int LANE_CONNECTIONS = 200;

  /** Distinct client/server pairs counted one by one; later ones are summed as "other pairs". */
  static final int TRACKED_PAIRS = 10_000;

  /** Distinct finding types in the verdict; later ones are counted only. */
  static final int TRACKED_TYPES = 500;

  /** TLS connections listed in the TLS table; the rest are counted. */
  static final int TLS_CONNECTIONS = 1000;

  /** Inferred TLS exchanges kept per connection in the connection table and the pair lanes. */
  static final int TLS_EXCHANGES = TlsReport.MAX_EXCHANGE_LINES;

  /** Findings kept per ladder and per waterfall connection. */
  static final int FINDINGS_PER_DRAWING = 1000;

  final ResultJson.Header header;
  final Limits limits;

  /** Where the report's frames are in the input files (cited with them when there are several). */
  final io.connscope.result.FrameFiles frameFiles;

  final List<ReportModel.Verdict> verdicts = new ArrayList<>();
  long findingsTotal;
  long findingsOfOtherTypes;

  /** The costliest findings, costliest first (ties: severity, then report order). */
  final List<Finding> findings = new ArrayList<>();

  final List<Ladder> ladders = new ArrayList<>();

  /** Ladders beyond the drawn ones (groups of findings sharing connection and frames). */
  long laddersNotDrawn;

  final List<String> quality = new ArrayList<>();
  final List<ReportModel.Pair> pairs = new ArrayList<>();
  long pairsTotal;
  long connectionsOutsideTrackedPairs;
  final List<Waterfall> waterfalls = new ArrayList<>();
  long waterfallCandidates;
  final List<ReportSource.ConnectionView> table = new ArrayList<>();
  long connectionsTotal;

  /** The first TLS connections (report order), their facts without inferred exchanges. */
  final List<ConnectionResult> tls = new ArrayList<>();

  long tlsTotal;
  long tlsFailed;
  long tlsResumed;

  /** TLS connections per negotiated version ("unknown" when no ServerHello was seen). */
  final TreeMap<String, Long> tlsVersions = new TreeMap<>();

  /** The slowest transactions, slowest first ({@link #readSlowest}; empty until then). */
  final List<Slow> slowest = new ArrayList<>();

  /** A transaction with its connection (the connection without its transactions). */
  record Slow(ConnectionResult connection, TransactionResult transaction) {}

  /**
   * Reads every transaction of {@code src} (one more pass) and keeps the {@code n} with the longest
   * total time (first request byte to last response byte), slowest first; ties in report order.
   */
  void readSlowest(ReportSource src, int n) throws IOException {
    Slowest s = new Slowest(n);
    src.transactions(s);
    take(s);
  }

  /** Sets the slowest transactions to those {@code s} gathered, slowest first. */
  void take(Slowest s) {
    slowest.clear();
    slowest.addAll(s.result());
  }

  /**
   * The slowest transactions of a pass over the transactions, which may feed others too ({@link
   * SavedReport}), kept in a bounded queue.
   */
  static final class Slowest implements ReportSource.TransactionVisitor {
    private final int n;
    private long seq;

    // head: the one to drop (the fastest; among equals the latest)
    private final PriorityQueue<Object[]> q =
        new PriorityQueue<>(
            Comparator.comparingLong((Object[] x) -> ((Slow) x[0]).transaction().totalUs())
                .thenComparingLong(x -> -(Long) x[1]));

    /** Keeps the {@code n} slowest. */
    Slowest(int n) {
      this.n = n;
    }

    @Override
    public void accept(ConnectionResult c, TransactionResult t) {
      long s = seq++;
      if (t.totalUs() < 0 || n <= 0) {
        return;
      }
      if (q.size() == n) {
        Object[] head = q.peek();
        if (((Slow) head[0]).transaction().totalUs() >= t.totalUs()) {
          return;
        }
        q.poll();
      }
      q.add(new Object[] {new Slow(c, t), s});
    }

    /** The slowest, slowest first; ties in report order. */
    List<Slow> result() {
      List<Object[]> all = new ArrayList<>(q);
      all.sort(
          Comparator.comparingLong((Object[] x) -> -((Slow) x[0]).transaction().totalUs())
              .thenComparingLong(x -> (Long) x[1]));
      List<Slow> out = new ArrayList<>(all.size());
      for (Object[] x : all) {
        out.add((Slow) x[0]);
      }
      return out;
    }
  }

  /**
   * The slowest transactions gathered while the analysis runs, from the records as they come (a
   * transaction before its connection, connections in the order they finish), as {@link Slowest}
   * gathers them from the report read back: the {@code n} with the longest total time, ties in
   * report order (connection, then transaction). Memory: the {@code n} kept and their connections.
   */
  static final class LiveSlowest implements ResultSink {
    private final int n;

    /** Less slow first; among equals, later in report order first. */
    private static final Comparator<TransactionResult> LESS_SLOW =
        Comparator.comparingLong(TransactionResult::totalUs)
            .thenComparing(Comparator.comparingLong(TransactionResult::connection).reversed())
            .thenComparing(Comparator.comparingInt(TransactionResult::index).reversed());

    /** Head: the one to drop. */
    private final PriorityQueue<TransactionResult> q = new PriorityQueue<>(LESS_SLOW);

    /** The connections of the transactions kept (and maybe of some dropped since). */
    private final HashMap<Long, ConnectionResult> connections = new HashMap<>();

    LiveSlowest(int n) {
      this.n = n;
    }

    @Override
    public void transaction(TransactionResult t) {
      if (t.totalUs() < 0 || n <= 0) {
        return;
      }
      if (q.size() == n) {
        if (LESS_SLOW.compare(t, q.peek()) <= 0) {
          return;
        }
        q.poll();
      }
      q.add(t);
    }

    @Override
    public void connection(ConnectionResult c) {
      for (TransactionResult t : q) {
        if (t.connection() == c.id()) {
          connections.put(c.id(), c);
          break;
        }
      }
      if (connections.size() > 4 * n) { // let go of those whose transactions were dropped
        java.util.Set<Long> kept = new java.util.HashSet<>();
        for (TransactionResult t : q) {
          kept.add(t.connection());
        }
        connections.keySet().retainAll(kept);
      }
    }

    @Override
    public void finding(Finding f) {}

    @Override
    public void finish(CaptureSummary capture) {}

    /** The slowest, slowest first; null when one's connection did not come. */
    List<Slow> result() {
      List<TransactionResult> all = new ArrayList<>(q);
      all.sort(LESS_SLOW.reversed());
      List<Slow> out = new ArrayList<>(all.size());
      for (TransactionResult t : all) {
        ConnectionResult c = connections.get(t.connection());
        if (c == null) {
          return null;
        }
        out.add(new Slow(c, t));
      }
      return out;
    }
  }

  /** Sets the slowest transactions to {@code s}, slowest first. */
  void take(List<Slow> s) {
    slowest.clear();
    slowest.addAll(s);
  }

  /** Findings sharing a connection and evidence frames, drawn as one ladder. */
  record Ladder(
      String anchor,
      String key,
      List<LadderEntry> ladder,
      List<Finding> findings,
      Set<Long> evidence,
      ConnectionResult[] connection) {}

  /** A connection drawn as a waterfall, with its findings. */
  record Waterfall(ReportSource.ConnectionView connection, List<Finding> findings) {}

  private ReportDigest(ResultJson.Header header, Limits limits) {
    this.header = header;
    this.limits = limits;
    this.frameFiles = header.capture().frameFiles();
  }

  static ReportDigest of(com.fasterxml.jackson.databind.JsonNode report) {
    try {
      return build(ReportSource.of(report), Limits.DEFAULT);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Connection ids as numbers ("C12" is 12); -1 for anything else. */
  private static long number(String id) {
    if (id == null || id.length() < 2 || id.charAt(0) != 'C' || id.length() > 12) {
      return -1;
    }
    long n = 0;
    for (int i = 1; i < id.length(); i++) {
      char ch = id.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      n = n * 10 + (ch - '0');
    }
    return n <= Integer.MAX_VALUE ? n : -1;
  }

  /**
   * Connections with findings: a bit per connection number (up to 2^24: a report from elsewhere
   * cannot make it large), a bounded set for other ids.
   */
  private static final class IdSet {
    final BitSet bits = new BitSet();
    final Set<String> others = new HashSet<>();

    /** Connection numbers below this are bits (2 MiB at most); larger ones go to the set. */
    static final int BITS = 1 << 24;

    void add(String id) {
      long n = number(id);
      if (n >= 0 && n < BITS) {
        bits.set((int) n);
      } else if (id != null && others.size() < 100_000) {
        others.add(id);
      }
    }

    boolean contains(String id) {
      long n = number(id);
      return n >= 0 && n < BITS ? bits.get((int) n) : others.contains(id);
    }

    int size() {
      return bits.cardinality() + others.size();
    }
  }

  /** One finding type across the report, while findings stream by. */
  private static final class TypeAgg {
    int count;
    long cost;
    Finding top;
    final TreeSet<String> first =
        new TreeSet<>(
            Comparator.comparingLong(io.connscope.result.ConnectionIds::number)
                .thenComparing(Comparator.naturalOrder()));

    /**
     * Connections counted: a new one whenever it differs from the previous finding's (connscope
     * writes findings ordered by connection, so this counts distinct connections in bounded
     * memory).
     */
    long distinct;

    String last;
  }

  /** One client/server pair, while connections stream by. */
  private static final class PairAgg {
    final String client;
    final String server;
    final int order;
    int connections;
    long transactions;
    int perConnection;
    int pipeline;

    /** Exchanges inferred from TLS records on connections without HTTP read, and most on one. */
    long inferredExchanges;

    long inferredPerConnection;
    final TreeMap<String, Integer> closes = new TreeMap<>();
    boolean findings;

    /**
     * End times of the connections still open at the latest start (min-heap), for the peak
     * concurrency.
     */
    long[] heap = new long[4];

    int heapSize;
    int maxParallel;
    List<ReportSource.ConnectionView> lane;

    PairAgg(String client, String server, int order) {
      this.client = client;
      this.server = server;
      this.order = order;
    }

    /**
     * Connections come in report order (by start): a start counts before an end at the same time.
     */
    void open(long start, long end) {
      while (heapSize > 0 && heap[0] < start) {
        heap[0] = heap[--heapSize];
        for (int i = 0; ; ) {
          int l = 2 * i + 1;
          int m = l + 1 < heapSize && heap[l + 1] < heap[l] ? l + 1 : l;
          if (l >= heapSize || heap[i] <= heap[m]) {
            break;
          }
          long t = heap[i];
          heap[i] = heap[m];
          heap[m] = t;
          i = m;
        }
      }
      if (heapSize == heap.length) {
        heap = java.util.Arrays.copyOf(heap, heapSize * 2);
      }
      int i = heapSize++;
      heap[i] = end;
      while (i > 0 && heap[(i - 1) / 2] > heap[i]) {
        long t = heap[i];
        heap[i] = heap[(i - 1) / 2];
        heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
      }
      maxParallel = Math.max(maxParallel, heapSize);
    }
  }

  static ReportDigest build(ReportSource src, Limits limits) throws IOException {
    return build(src, limits, null);
  }

  /**
   * The digest of {@code src}; with {@code transactions}, also hands every transaction to it in the
   * same pass as the connections when the source can ({@link
   * ReportSource#connectionsAndTransactions}), in a pass of its own otherwise.
   */
  static ReportDigest build(
      ReportSource src, Limits limits, ReportSource.TransactionVisitor transactions)
      throws IOException {
    ReportDigest d = new ReportDigest(src.header(), limits);
    d.run(src, transactions);
    return d;
  }

  private void run(ReportSource src, ReportSource.TransactionVisitor transactions)
      throws IOException {
    // ---- pass 1: findings
    Map<String, TypeAgg> types = new TreeMap<>();
    Comparator<Object[]> costliest =
        Comparator.comparingLong((Object[] x) -> -((Finding) x[0]).costUs())
            .thenComparingInt(x -> ((Finding) x[0]).severity().rank())
            .thenComparingLong(x -> (Long) x[1]);
    PriorityQueue<Object[]> top = new PriorityQueue<>(costliest.reversed());
    Map<String, Ladder> ladderByKey = new LinkedHashMap<>();
    IdSet withFindings = new IdSet();
    long[] seq = {0};
    src.findings(
        f -> {
          findingsTotal++;
          String type = f.type();
          TypeAgg t = types.get(type);
          if (t == null && types.size() < TRACKED_TYPES) {
            t = new TypeAgg();
            types.put(type, t);
          }
          String conn = f.connection();
          List<String> conns = connections(f);
          for (String c : conns) {
            withFindings.add(c);
          }
          if (t == null) {
            findingsOfOtherTypes++;
          } else {
            t.count += (int) Math.min(Integer.MAX_VALUE - t.count, f.count()); // occurrences
            t.cost += f.costUs();
            if (t.top == null || f.costUs() > t.top.costUs()) {
              t.top = f;
            }
            for (String c : conns) {
              if (!c.equals(t.last)) {
                t.last = c;
                if (t.first.size() >= limits.verdictConnections()
                    && !t.first.isEmpty()
                    && t.first.comparator().compare(c, t.first.last()) > 0) {
                  t.distinct++; // after the first ones kept: added and dropped again, so counted
                  continue;
                }
                if (t.first.add(c) || t.first.size() >= limits.verdictConnections()) {
                  t.distinct++;
                }
                if (t.first.size() > limits.verdictConnections()) {
                  t.first.pollLast();
                }
              }
            }
          }
          Object[] x = {f, seq[0]++};
          // one comparison for most findings of a long list: not costlier than the least costly
          // kept, so added and dropped again
          if (top.size() < limits.findingRows()
              || top.isEmpty()
              || costliest.compare(x, top.peek()) < 0) {
            top.add(x);
            if (top.size() > limits.findingRows()) {
              top.poll();
            }
          }
          if (!f.ladder().isEmpty()) {
            String key = ladderKey(f);
            Ladder l = ladderByKey.get(key);
            if (l == null && ladderByKey.size() < limits.ladders()) {
              Set<Long> ev = new HashSet<>(f.frames());
              l =
                  new Ladder(
                      "ladder-" + (ladderByKey.size() + 1),
                      key,
                      f.ladder(),
                      new ArrayList<>(),
                      ev,
                      new ConnectionResult[1]);
              ladderByKey.put(key, l);
            } else if (l == null && laddersSeen.size() < MAX_LADDER_KEYS) {
              laddersSeen.add(key);
            }
            if (l != null && l.findings().size() < FINDINGS_PER_DRAWING) {
              l.findings().add(f);
            }
          }
        });
    laddersNotDrawn = laddersSeen.size();
    laddersSeen.clear();
    for (Map.Entry<String, TypeAgg> e : types.entrySet()) {
      TypeAgg t = e.getValue();
      verdicts.add(
          new ReportModel.Verdict(
              e.getKey(),
              t.count,
              t.cost,
              List.copyOf(t.first),
              t.top,
              Math.max(0, t.distinct - t.first.size())));
    }
    verdicts.sort(
        Comparator.comparingLong(ReportModel.Verdict::costMicros)
            .reversed()
            .thenComparing(ReportModel.Verdict::type));
    List<Object[]> sorted = new ArrayList<>(top);
    sorted.sort(costliest);
    for (Object[] x : sorted) {
      findings.add((Finding) x[0]);
    }
    ladders.addAll(ladderByKey.values());

    // ---- pass 2: connections
    Map<String, Ladder> ladderConnections = new HashMap<>();
    for (Ladder l : ladders) {
      String c = l.findings().get(0).connection();
      if (c != null) {
        ladderConnections.putIfAbsent(c, l);
      }
    }
    Map<String, PairAgg> pairAggs = new LinkedHashMap<>();
    long[] gaps = {0};
    long[] inferred = {0};
    List<ReportSource.ConnectionView> drawnWithFindings = new ArrayList<>();
    // head: the least slow (ties: the latest), dropped when the queue is over its bound
    PriorityQueue<Object[]> slow =
        new PriorityQueue<>(
            Comparator.comparingLong((Object[] x) -> ((long[]) x[1])[0])
                .thenComparingLong(x -> ((long[]) x[1])[1]));
    long[] tableTx = {0};
    long[] connSeq = {0};
    ReportSource.ConnectionVisitor pass2 =
        v -> {
          // the head only, unless the connection is kept: most connections are never bound
          // (ReportSource.ConnectionView)
          connectionsTotal++;
          long mySeq = connSeq[0]++;
          ReportSource.Head h = v.head();
          String id = h.idString();
          gaps[0] += h.gaps();
          if (h.rolesInferred()) {
            inferred[0]++;
          }
          for (Ladder l : ladders) {
            if (l.connection()[0] == null && id.equals(l.findings().get(0).connection())) {
              l.connection()[0] = v.bound().connection();
            }
          }
          int txs = v.transactionsRead();
          ReportSource.Head.Tls t = h.tls();
          if (t != null) {
            tlsTotal++;
            tlsVersions.merge(t.version() == null ? "unknown" : t.version(), 1L, Long::sum);
            if ("failed".equals(t.handshake())) {
              tlsFailed++;
            }
            if (t.resumption() != null && !"none".equals(t.resumption())) {
              tlsResumed++;
            }
            if (tls.size() < TLS_CONNECTIONS) {
              ConnectionResult c = v.bound().connection();
              tls.add(withTls(c, TlsReport.limited(c.tls(), 0)));
            }
          }
          if (table.size() < limits.tableConnections() && tableTx[0] < limits.tableTransactions()) {
            ReportSource.ConnectionView b = v.bound();
            table.add(slim(b));
            tableTx[0] +=
                Math.max(
                    1,
                    b.transactions().isEmpty() && t != null
                        ? Math.min(TLS_EXCHANGES, t.exchanges())
                        : b.transactions().size());
          }
          boolean hasFindings = withFindings.contains(id);
          if (txs > 0 || tlsDrawn(t)) {
            waterfallCandidates++;
            if (hasFindings) {
              if (drawnWithFindings.size() < limits.waterfalls()) {
                drawnWithFindings.add(v.bound());
              }
            } else if (limits.waterfalls() > 0) {
              long duration = h.endUs() - h.startUs();
              // the slowest, ties by report order; the queue's head is the one to drop (a full
              // queue drops this one when it is not slower than the head: it is the latest)
              if (slow.size() < limits.waterfalls() || duration > ((long[]) slow.peek()[1])[0]) {
                slow.add(new Object[] {v.bound(), new long[] {duration, -mySeq}});
                if (slow.size() > limits.waterfalls()) {
                  slow.poll();
                }
              }
            }
          }
          String key = pairKey(h);
          PairAgg p = pairAggs.get(key);
          if (p == null) {
            pairsTotal++;
            if (pairAggs.size() < TRACKED_PAIRS) {
              p = new PairAgg(h.clientIp(), ReportModel.endpoint(h.server()), pairAggs.size());
              pairAggs.put(key, p);
            }
          }
          if (p == null) {
            connectionsOutsideTrackedPairs++;
            return;
          }
          p.connections++;
          p.transactions += txs;
          p.perConnection = Math.max(p.perConnection, txs);
          if (txs == 0 && t != null && t.exchangeCount() > 0) {
            p.inferredExchanges += t.exchangeCount();
            p.inferredPerConnection = Math.max(p.inferredPerConnection, t.exchangeCount());
          }
          p.pipeline = Math.max(p.pipeline, h.maxPipelineDepth());
          String reason = h.closeReason() == null ? "open" : h.closeReason();
          String by = h.closeFirstBy() == null ? "" : h.closeFirstBy();
          if (p.closes.size() < 64) {
            p.closes.merge(
                reason + (by.isEmpty() || "null".equals(by) ? "" : " by " + by), 1, Integer::sum);
          }
          p.findings |= hasFindings;
          p.open(h.startUs(), h.endUs());
          if (p.order < limits.pairs()) {
            if (p.lane == null) {
              p.lane = new ArrayList<>();
            }
            if (p.lane.size() < LANE_CONNECTIONS) {
              p.lane.add(slim(v.bound()));
            }
          }
        };
    if (transactions == null) {
      if (!src.connectionsAndTransactions(pass2, null)) { // kept ones bound without a tree
        src.connections(pass2);
      }
    } else if (!src.connectionsAndTransactions(pass2, transactions)) {
      src.connections(pass2);
      src.transactions(transactions);
    }
    if (gaps[0] > 0) {
      quality.add("content gaps (packets missing from the capture): " + gaps[0]);
    }
    if (inferred[0] > 0) {
      quality.add("connections without a handshake (client/server roles inferred): " + inferred[0]);
    }
    List<String> warnings = new ArrayList<>();
    for (io.connscope.result.CaptureSummary.Warning w : header.capture().warnings()) {
      warnings.add(
          w.code()
              + ": "
              + w.count()
              + " (first at frame "
              + frameFiles.cite(w.firstFrame())
              + ")"
              + (w.detail() != null ? ": " + w.detail() : ""));
    }
    quality.addAll(0, warnings);

    // waterfalls: with findings first, then the slowest, each group in report order
    List<Object[]> rest = new ArrayList<>(slow);
    rest.sort(
        Comparator.comparingLong((Object[] x) -> -((long[]) x[1])[0])
            .thenComparingLong(x -> -((long[]) x[1])[1]));
    rest =
        new ArrayList<>(
            rest.subList(0, Math.min(rest.size(), limits.waterfalls() - drawnWithFindings.size())));
    rest.sort(Comparator.comparingLong(x -> -((long[]) x[1])[1]));
    List<ReportSource.ConnectionView> drawn = new ArrayList<>(drawnWithFindings);
    for (Object[] x : rest) {
      drawn.add((ReportSource.ConnectionView) x[0]);
    }

    // pairs: those with findings first, then in report order; listed in report order
    List<PairAgg> all = new ArrayList<>(pairAggs.values());
    Set<PairAgg> chosen = new HashSet<>();
    for (PairAgg p : all) {
      if (p.findings && chosen.size() < limits.pairs()) {
        chosen.add(p);
      }
    }
    for (PairAgg p : all) {
      if (!p.findings && chosen.size() < limits.pairs()) {
        chosen.add(p);
      }
    }
    Map<String, PairAgg> needLanes = new HashMap<>();
    for (Map.Entry<String, PairAgg> e : pairAggs.entrySet()) {
      if (chosen.contains(e.getValue()) && e.getValue().lane == null) {
        e.getValue().lane = new ArrayList<>();
        needLanes.put(e.getKey(), e.getValue());
      }
    }
    for (PairAgg p : all) {
      if (!chosen.contains(p)) {
        p.lane = null;
      }
    }
    // ---- pass 3 (only when needed): lanes of pairs chosen late, findings of the waterfalls
    if (!needLanes.isEmpty()) {
      src.connections(
          v -> {
            PairAgg p = needLanes.get(pairKey(v.head()));
            if (p != null && p.lane.size() < LANE_CONNECTIONS) {
              p.lane.add(slim(v));
            }
          });
    }
    Map<String, List<Finding>> waterfallFindings = new LinkedHashMap<>();
    for (ReportSource.ConnectionView c : drawn) {
      waterfallFindings.put(c.connection().idString(), new ArrayList<>());
    }
    if (!drawn.isEmpty()) {
      src.findings(
          f -> {
            List<Finding> l = f.connection() == null ? null : waterfallFindings.get(f.connection());
            if (l != null && l.size() < FINDINGS_PER_DRAWING) {
              l.add(f);
            }
          },
          waterfallFindings::containsKey); // the others are read past, not bound
    }
    for (ReportSource.ConnectionView c : drawn) {
      waterfalls.add(new Waterfall(c, waterfallFindings.get(c.connection().idString())));
    }
    int listed = 0;
    for (PairAgg p : all) {
      if (listed++ >= limits.pairRows() && !chosen.contains(p)) {
        continue;
      }
      pairs.add(pair(p));
    }
  }

  /** Ladders not drawn, counted one by one up to this many (then "at least"). */
  static final int MAX_LADDER_KEYS = 100_000;

  private final Set<String> laddersSeen = new HashSet<>();

  /**
   * The connections a finding is about: its own, then those of every occurrence it groups, in the
   * order found (with repeats); none for a capture-wide finding. A view: nothing is copied.
   */
  private static List<String> connections(Finding f) {
    if (f.connection() == null) {
      return List.of();
    }
    if (f.occurrences() == null || f.occurrences().rows().isEmpty()) {
      return List.of(f.connection());
    }
    List<Finding.Occurrence> rows = f.occurrences().rows();
    return new java.util.AbstractList<>() {
      @Override
      public String get(int i) {
        String c = i == 0 ? f.connection() : rows.get(i - 1).connection();
        return c == null ? f.connection() : c;
      }

      @Override
      public int size() {
        return rows.size() + 1;
      }
    };
  }

  /** The key of a connection's client/server pair: client address, server address and port. */
  private static String pairKey(ReportSource.Head h) {
    return h.clientIp() + " " + ReportModel.endpoint(h.server());
  }

  /**
   * The fields the connection table and the pair timelines show, and nothing else: thousands of
   * connections are kept for them, so each transaction keeps its numbers, not its strings.
   */
  static ReportSource.ConnectionView slim(ReportSource.ConnectionView c) {
    List<TransactionResult> txs = new ArrayList<>(c.transactions().size());
    for (TransactionResult t : c.transactions()) {
      txs.add(
          new TransactionResult(
              t.connection(),
              t.index(),
              t.depth(),
              t.pipelineDepth(),
              t.method(),
              t.uri(),
              null,
              t.status(),
              null,
              null,
              List.of(),
              Map.of(),
              Map.of(),
              0,
              0,
              0,
              null,
              0,
              0,
              0,
              null,
              -1,
              -1,
              -1,
              -1,
              t.requestStartUs(),
              t.requestEndUs(),
              t.responseStartUs(),
              t.responseEndUs(),
              t.timings(),
              t.unanswered(),
              t.responseNotCaptured(),
              -1,
              -1,
              false,
              false,
              false,
              false,
              false,
              false,
              List.of(),
              null));
    }
    ConnectionResult k = c.connection();
    return new ReportSource.ConnectionView(
        k.tls() == null ? k : withTls(k, TlsReport.limited(k.tls(), TLS_EXCHANGES)),
        txs,
        c.transactionsRead());
  }

  /**
   * A connection without HTTP transactions is drawn as a waterfall when its TLS shows something to
   * draw: the handshake's start (ClientHello) or inferred exchanges.
   */
  static boolean tlsDrawn(ReportSource.Head.Tls t) {
    return t != null && (t.clientHelloUs() >= 0 || t.exchanges() > 0);
  }

  /** {@code c} with {@code tls} for its TLS facts. */
  static ConnectionResult withTls(ConnectionResult c, io.connscope.result.TlsFacts tls) {
    if (tls == c.tls()) {
      return c;
    }
    return new ConnectionResult(
        c.id(),
        c.client(),
        c.server(),
        c.ipVersion(),
        c.rolesFrom(),
        c.rolesInferred(),
        c.firstFrame(),
        c.lastFrame(),
        c.startUs(),
        c.endUs(),
        c.handshake(),
        c.vantage(),
        c.coverage(),
        c.close(),
        c.history(),
        c.clientToServer(),
        c.serverToClient(),
        c.http(),
        tls,
        c.keepalive(),
        c.stallSummary(),
        c.transactionCount(),
        c.transfers(),
        c.timeSequence());
  }

  static String ladderKey(Finding f) {
    return f.connection() + " " + ReportModel.frames(f);
  }

  /** The ladder drawn for a finding, or null. */
  Ladder ladderOf(Finding f) {
    if (f.ladder().isEmpty()) {
      return null;
    }
    String key = ladderKey(f);
    for (Ladder l : ladders) {
      if (l.key().equals(key)) {
        return l;
      }
    }
    return null;
  }

  private static ReportModel.Pair pair(PairAgg a) {
    List<String> p = new ArrayList<>();
    if (a.maxParallel > 1) {
      p.add("parallel (" + a.maxParallel + " at once)");
    } else if (a.connections > 1) {
      p.add("serial");
    }
    if (a.perConnection > 1) {
      p.add("persistent");
    } else if (a.transactions > 0) {
      p.add("one request per connection");
    }
    if (a.pipeline > 1) {
      p.add("pipelined (depth " + a.pipeline + ")");
    }
    if (a.inferredExchanges > 0) {
      p.add(
          (a.inferredPerConnection > 1 ? "persistent" : "one exchange per connection")
              + " (inferred from TLS records, no HTTP read)");
    } else if (a.transactions == 0) {
      p.add("no HTTP");
    }
    StringBuilder cl = new StringBuilder();
    for (Map.Entry<String, Integer> e : a.closes.entrySet()) {
      cl.append(cl.length() == 0 ? "" : ", ").append(e.getValue()).append(" ").append(e.getKey());
    }
    return new ReportModel.Pair(
        a.client,
        a.server,
        a.lane == null ? List.of() : a.lane,
        a.connections,
        a.transactions,
        a.perConnection,
        a.maxParallel,
        a.pipeline,
        a.inferredExchanges,
        a.inferredPerConnection,
        String.join(", ", p),
        cl.toString().replace('_', ' '));
  }
}
