package io.connscope.analysis;

import io.connscope.common.Warnings;
import io.connscope.detect.ConnectionDetector;
import io.connscope.detect.Detector;
import io.connscope.detect.Detectors;
import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.http.ClosedHttp;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.http.TransactionListener;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionHandler;
import io.connscope.tcp.ConnectionId;
import io.connscope.tcp.ConnectionTable;
import io.connscope.tcp.StreamListener;
import io.connscope.tls.TlsKeys;
import io.connscope.tls.TlsTracker;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The half of the pipeline that sees one connection at a time: the connection table, TLS and HTTP
 * per connection, the facts only a connection decides, and the detectors that judge a connection
 * alone. Each final transaction and finished connection goes {@link Downstream}, with the findings
 * of those detectors held ({@link Held}). One instance sees all connections of a single-threaded
 * analysis, or those of one shard ({@link Shards}).
 */
final class ConnectionStage implements ConnectionHandler {
  /**
   * Where transactions and finished connections go: the {@link CrossStage}, or a shard's output.
   */
  interface Downstream {
    /**
     * A final transaction of open connection {@code c} (live: only its id is to be read elsewhere),
     * with its result record.
     */
    void transaction(ConnectionId c, Transaction t, TransactionResult result, Held held);

    /** A finished connection: its record. */
    void closed(ConnectionRecord record, Held held);
  }

  private final AnalysisConfig config;
  private final TlsKeys keys;
  private final Warnings warnings;
  private final Downstream down;
  private final ConnectionTable table;
  private final ConnectionFacts facts;

  /** Every detector's slot, in order: the detector when it judges a connection alone, else null. */
  private final ConnectionDetector[] alone;

  /** The slots of the detectors that judge each transaction ({@code judgesTransactions}). */
  private final int[] judgingTransactions;

  /** The trackers of each open connection: one map, one put and one remove per connection. */
  private final Map<Connection, Opened> opened = new IdentityHashMap<>();

  private final Holding holding = new Holding();
  private final ConnectionResults results = new ConnectionResults();
  private long connections;

  /** The final transactions the trackers keep beyond each one's first few, over all of them. */
  private final HttpTracker.KeptBudget kept;

  /** Set for a connections-only pass: told each connection's id, nothing else runs. */
  private final LongConsumer startsOnly;

  ConnectionStage(
      AnalysisConfig config,
      TlsKeys keys,
      Warnings warnings,
      Downstream down,
      LongConsumer startsOnly) {
    this.config = config;
    this.keys = keys;
    this.warnings = warnings;
    this.down = down;
    this.startsOnly = startsOnly;
    this.table = new ConnectionTable(config.tcp, this, warnings);
    this.kept = new HttpTracker.KeptBudget(config.http.maxTransactionsKeptTotal());
    this.facts = new ConnectionFacts(config.detect, warnings);
    List<Detector> all = Detectors.all(config.detect, facts);
    this.alone = new ConnectionDetector[all.size()];
    int judging = 0;
    for (int i = 0; i < alone.length; i++) {
      alone[i] = all.get(i) instanceof ConnectionDetector d ? d : null;
      judging += alone[i] != null && alone[i].judgesTransactions() ? 1 : 0;
    }
    this.judgingTransactions = new int[judging];
    for (int i = 0, n = 0; i < alone.length; i++) {
      if (alone[i] != null && alone[i].judgesTransactions()) {
        judgingTransactions[n++] = i;
      }
    }
  }

  ConnectionTable table() {
    return table;
  }

  /** {@link HttpTracker.KeptBudget#peak()} of this stage's trackers. */
  long keptPeak() {
    return kept.peak();
  }

  /** Connections opened so far. */
  long connections() {
    return connections;
  }

  @Override
  public StreamListener open(Connection c) {
    connections++;
    if (startsOnly != null) {
      startsOnly.accept(c.id());
      return null;
    }
    // TLS sits between the streams and HTTP: raw bytes pass through, or plaintext with keys
    TlsTracker tls = new TlsTracker(c, keys);
    HttpTracker tracker = new HttpTracker(tls.control(), config.http, warnings, kept);
    tls.setDownstream(tracker);
    Opened o = new Opened(c, tls, tracker);
    tracker.setListener(o);
    opened.put(c, o);
    return tls;
  }

  /**
   * An open connection's trackers, and the listener of its final transactions (a class, not a
   * capturing lambda: one is made per connection, and a lambda's creation goes through its call
   * site's method handle, slow under the first JIT tier).
   */
  private final class Opened implements TransactionListener {
    final Connection c;
    final TlsTracker tls;
    final HttpTracker tracker;

    Opened(Connection c, TlsTracker tls, HttpTracker tracker) {
      this.c = c;
      this.tls = tls;
      this.tracker = tracker;
    }

    @Override
    public void completed(Transaction t) {
      holding.start(c, Held.TRANSACTION);
      for (int i : judgingTransactions) {
        holding.index = i;
        alone[i].transaction(c, tracker, t, holding);
      }
      down.transaction(c, t, results.transaction(c, t), holding.take());
    }
  }

  @Override
  public void closed(Connection c) {
    if (startsOnly != null) {
      return;
    }
    Opened o = opened.remove(c);
    HttpTracker tracker = o == null ? null : o.tracker;
    TlsTracker tls = o == null ? null : o.tls;
    long connect =
        c.synTsMicros() >= 0 && c.ackTsMicros() >= 0 ? c.ackTsMicros() - c.synTsMicros() : -1;
    TlsFacts tlsFacts = tls == null ? null : tls.facts(connect);
    facts.ofConnection(c, tracker);
    holding.start(c, Held.TLS);
    if (tlsFacts != null) {
      for (int i = 0; i < alone.length; i++) {
        if (alone[i] != null) {
          holding.index = i;
          alone[i].tls(c, tlsFacts, holding);
        }
      }
    }
    holding.phase = Held.CONNECTION;
    for (int i = 0; i < alone.length; i++) {
      if (alone[i] != null) {
        holding.index = i;
        alone[i].connection(c, tracker, holding);
      }
    }
    Held held = holding.take();
    down.closed(
        new ConnectionRecord(
            ClosedConnection.of(c),
            ClosedHttp.of(tracker),
            tlsFacts,
            results.connection(c, tracker, tlsFacts, facts.transfers(c)),
            c,
            tracker),
        held);
  }

  /**
   * Holds what the detector at {@link #index} reports in {@link #phase} about connection {@link
   * #of}, with its ladder taken now (the connection's timeline moves on).
   */
  private static final class Holding implements Consumer<Finding> {
    Connection of;
    int index;
    byte phase;
    private Held held;

    void start(Connection c, byte phaseOf) {
      of = c;
      phase = phaseOf;
      held = null;
    }

    Held take() {
      Held h = held;
      held = null;
      return h;
    }

    @Override
    public void accept(Finding f) {
      if (held == null) {
        held = new Held();
      }
      held.add(index, phase, Ladder.laddered(of, f));
    }
  }
}
