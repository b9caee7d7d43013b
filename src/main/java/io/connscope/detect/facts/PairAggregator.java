package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.http.HttpView;
import io.connscope.http.Transaction;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.ConnectionView;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Per client/server pair (client address, server address and port) aggregates of how the client
 * used its connections: counts, setup time, peak concurrency and the connection pattern of the
 * classic taxonomy (serial, parallel, persistent, pipelined), with an estimate of what one
 * persistent connection per concurrent slot would have saved.
 *
 * <p>Memory is bounded: a fixed set of numbers per pair, at most {@link DetectOptions#maxPairs}
 * pairs (connections of further pairs are only counted, {@link #droppedConnections()}), and a ring
 * of the last {@value #RING} connections per pair for the concurrency peak (a peak above it is
 * reported as at least that).
 *
 * <p>Setup time of a connection: first SYN to the client's handshake ACK at the capture point (one
 * round trip whatever the vantage, plus any SYN retry). For TLS (the HTTP layer recognised a TLS
 * handshake record) the TLS handshake is added: as the TLS layer measured it when it saw the
 * handshake complete (ClientHello to the first application data record, {@code
 * tls.timing.setup_us}), else measured from the timeline, without decryption, from the client's
 * first data to the first data of its second flight (the client's Finished, followed by application
 * data in TLS 1.3; in TLS 1.2 one more round trip follows, so this is a lower bound).
 */
public final class PairAggregator {
  /** Connections remembered per pair for the concurrency peak. */
  static final int RING = 64;

  /** SYN frames kept per pair as evidence. */
  static final int EVIDENCE = 10;

  /**
   * Pair identity. hashCode and equals are written out (the values a record generates): they run
   * for every connection, and the generated ones go through method handles.
   */
  public record Key(
      int ipVersion, long clientHi, long clientLo, long serverHi, long serverLo, int serverPort) {
    @Override
    public int hashCode() {
      int h = ipVersion;
      h = 31 * h + Long.hashCode(clientHi);
      h = 31 * h + Long.hashCode(clientLo);
      h = 31 * h + Long.hashCode(serverHi);
      h = 31 * h + Long.hashCode(serverLo);
      return 31 * h + serverPort;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && ipVersion == k.ipVersion
          && clientHi == k.clientHi
          && clientLo == k.clientLo
          && serverHi == k.serverHi
          && serverLo == k.serverLo
          && serverPort == k.serverPort;
    }

    /** Whether {@code c} is of this pair: {@link #of} would make a key equal to this one. */
    public boolean matches(ConnectionView c) {
      return serverPort == c.serverPort()
          && clientLo == c.clientAddrLo()
          && serverLo == c.serverAddrLo()
          && clientHi == c.clientAddrHi()
          && serverHi == c.serverAddrHi()
          && ipVersion == c.ipVersion();
    }

    public static Key of(ConnectionView c) {
      return new Key(
          c.ipVersion(),
          c.clientAddrHi(),
          c.clientAddrLo(),
          c.serverAddrHi(),
          c.serverAddrLo(),
          c.serverPort());
    }

    /**
     * The value of {@code c}'s pair in {@code pairs}; a new one from {@code make} (given the key
     * and {@code c}'s id) when the map holds fewer than {@code maxPairs} (at least 1) pairs, else
     * null: the bound every per-pair aggregate keeps.
     */
    public static <V> V getOrAdd(
        Map<Key, V> pairs, ConnectionView c, int maxPairs, BiFunction<Key, String, V> make) {
      Key k = of(c);
      V v = pairs.get(k);
      if (v == null && pairs.size() < Math.max(1, maxPairs)) {
        v = make.apply(k, c.idString());
        pairs.put(k, v);
      }
      return v;
    }
  }

  /** The aggregates of one pair. */
  public static final class Pair {
    private final Key key;
    private final String firstConnection;
    private long connections, httpConnections, transactions, reusedConnections;
    private int maxPipelineDepth;
    private long setups, setupMicros, tlsConnections, tlsMicros, transactionMicros;
    private long slowStartExtraMicros;
    private long inferredConnections, inferredExchanges, inferredReused;
    private long inferredMaxPerConnection;
    private long startUs = Long.MAX_VALUE, endUs;
    private final List<Long> synFrames = new ArrayList<>();
    private final long[] ringStart = new long[RING], ringEnd = new long[RING];
    private final int[] ringCount = new int[RING];
    private int ringSize, ringNext, peak;

    Pair(Key key, String firstConnection) {
      this.key = key;
      this.firstConnection = firstConnection;
    }

    public Key key() {
      return key;
    }

    /** Id of the first connection handed over for this pair. */
    public String firstConnection() {
      return firstConnection;
    }

    public long connections() {
      return connections;
    }

    public long httpConnections() {
      return httpConnections;
    }

    public long transactions() {
      return transactions;
    }

    /** Connections that carried two transactions or more. */
    public long reusedConnections() {
      return reusedConnections;
    }

    public int maxPipelineDepth() {
      return maxPipelineDepth;
    }

    /**
     * Connections without HTTP read (TLS without keys, h2) whose exchanges were inferred from their
     * TLS records: at least one.
     */
    public long inferredConnections() {
      return inferredConnections;
    }

    /** Exchanges inferred on {@link #inferredConnections()} (inferred, never seen as HTTP). */
    public long inferredExchanges() {
      return inferredExchanges;
    }

    /**
     * Connections of {@link #inferredConnections()} that carried two inferred exchanges or more.
     */
    public long inferredReusedConnections() {
      return inferredReused;
    }

    /** Most inferred exchanges on one connection. */
    public long inferredMaxPerConnection() {
      return inferredMaxPerConnection;
    }

    /**
     * The pattern of {@link #pattern()} computed from the inferred exchanges: {@code persistent} (a
     * connection carried several), {@code single}, {@code parallel}, {@code serial}, or {@code
     * none} (no exchange inferred). Pipelining cannot be told from records.
     */
    public String inferredPattern() {
      if (inferredExchanges == 0) {
        return "none";
      }
      if (inferredReused > 0) {
        return "persistent";
      }
      if (connections <= 1) {
        return "single";
      }
      return peak > 1 ? "parallel" : "serial";
    }

    /** Connections whose setup (complete TCP handshake) was seen. */
    public long setups() {
      return setups;
    }

    /** Total setup time: TCP handshakes plus TLS handshakes. */
    public long setupMicros() {
      return setupMicros;
    }

    public long tlsConnections() {
      return tlsConnections;
    }

    /** Part of {@link #setupMicros()} spent in TLS handshakes (lower bound). */
    public long tlsMicros() {
      return tlsMicros;
    }

    /** Sum over transactions of first request byte to last response byte. */
    public long transactionMicros() {
      return transactionMicros;
    }

    /**
     * Most connections in use at once (first packet to last data segment) (at least, beyond {@value
     * PairAggregator#RING}).
     */
    public int peakConcurrent() {
      return peak;
    }

    public long startUs() {
      return startUs == Long.MAX_VALUE ? 0 : startUs;
    }

    public long endUs() {
      return endUs;
    }

    /** SYN frames of the first connections, as evidence. */
    public List<Long> synFrames() {
      List<Long> out = new ArrayList<>(synFrames);
      out.sort(null);
      return out;
    }

    public double transactionsPerConnection() {
      return connections == 0 ? 0 : (double) transactions / connections;
    }

    /**
     * The classic pattern: {@code pipelined} (requests sent before earlier responses came), {@code
     * persistent} (connections carried several transactions), {@code parallel} (one transaction per
     * connection, several at once), {@code serial} (one transaction per connection, one at a time),
     * {@code single} (one connection, at most one transaction) or {@code none} (no HTTP
     * transaction).
     */
    public String pattern() {
      if (transactions == 0) {
        return "none";
      }
      if (maxPipelineDepth > 1) {
        return "pipelined";
      }
      if (reusedConnections > 0) {
        return "persistent";
      }
      if (connections <= 1) {
        return "single";
      }
      return peak > 1 ? "parallel" : "serial";
    }

    /** Setups a persistent pattern would have avoided: one connection per concurrent slot. */
    public long setupsAvoidable() {
      return Math.max(0, Math.min(setups, connections - Math.max(1, peak)));
    }

    /** Setup time a persistent pattern would have saved (mean setup times avoidable setups). */
    public long setupSavedMicros() {
      return setups == 0 ? 0 : setupMicros * setupsAvoidable() / setups;
    }

    /**
     * Slow-start round trips a persistent pattern would have saved: the extra round trips of the
     * first response of each connection (flights beyond one, times the round trip), for the share
     * of connections that would not have been opened.
     */
    public long slowStartSavedMicros() {
      return setups == 0 ? 0 : slowStartExtraMicros * setupsAvoidable() / setups;
    }

    /** Setup time as a share of setup plus transaction time. */
    public double setupShare() {
      long all = setupMicros + transactionMicros;
      return all == 0 ? 0 : (double) setupMicros / all;
    }

    void add(
        ConnectionView c,
        HttpView http,
        Seen seen,
        long[] bytes,
        int[] idx,
        long tlsSetupUs,
        TlsFacts tls) {
      connections++;
      startUs = Math.min(startUs, c.firstTsMicros());
      endUs = Math.max(endUs, c.lastTsMicros());
      noteConcurrency(c.firstTsMicros(), lastDataTs(c.timeline(), c.lastTsMicros()));
      long rtt = Flights.rtt(c);
      boolean setupSeen = c.synTsMicros() >= 0 && c.ackTsMicros() >= 0;
      if (setupSeen) {
        setups++;
        setupMicros += Math.max(0, c.ackTsMicros() - c.synTsMicros());
        if (synFrames.size() < EVIDENCE) {
          synFrames.add(c.synFrame());
        }
      }
      if (tlsSetupUs >= 0) { // measured by the TLS layer (decrypted or not)
        tlsConnections++;
        tlsMicros += tlsSetupUs;
        setupMicros += tlsSetupUs;
      } else if (http != null && "tls".equals(http.notHttpReason())) {
        long hs = tlsHandshake(c.timeline());
        if (hs >= 0) {
          tlsConnections++;
          tlsMicros += hs;
          setupMicros += hs;
        }
      }
      if (http == null || !http.isHttp()) {
        inferred(c, tls, setupSeen, rtt, bytes, idx);
        return;
      }
      if (seen == null || seen.count() == 0) {
        return;
      }
      httpConnections++;
      transactions += seen.count();
      if (seen.count() > 1) {
        reusedConnections++;
      }
      maxPipelineDepth = Math.max(maxPipelineDepth, http.maxPipelineDepth());
      transactionMicros += seen.micros();
      Transaction first = seen.first();
      if (setupSeen) {
        firstResponse(c, rtt, first.responseFirstFrame(), first.responseLastFrame(), bytes, idx);
      }
    }

    /**
     * The exchanges inferred from the TLS records of a connection without HTTP: counted apart from
     * transactions; the first one's response flights count for the slow start a persistent pattern
     * would save, as a first transaction's do.
     */
    private void inferred(
        ConnectionView c, TlsFacts tls, boolean setupSeen, long rtt, long[] bytes, int[] idx) {
      if (tls == null || tls.inferredExchangeCount() == 0) {
        return;
      }
      long n = tls.inferredExchangeCount();
      inferredConnections++;
      inferredExchanges += n;
      if (n > 1) {
        inferredReused++;
      }
      inferredMaxPerConnection = Math.max(inferredMaxPerConnection, n);
      if (tls.inferredExchanges().isEmpty()) {
        return;
      }
      TlsFacts.Exchange first = tls.inferredExchanges().get(0);
      if (setupSeen) {
        firstResponse(c, rtt, first.responseFirstFrame(), first.responseLastFrame(), bytes, idx);
      }
    }

    /**
     * The first response of a new connection: each of its flights beyond the first is a round trip
     * a warm (persistent) connection would not have paid.
     */
    private void firstResponse(
        ConnectionView c, long rtt, long firstFrame, long lastFrame, long[] bytes, int[] idx) {
      if (rtt <= 0 || firstFrame < 0) {
        return;
      }
      int f = Flights.count(c.timeline(), Direction.SERVER, firstFrame, lastFrame, rtt, bytes, idx);
      if (f > 1) {
        slowStartExtraMicros += (f - 1) * rtt;
      }
    }

    /** Peak of concurrently open connections, over the last {@value PairAggregator#RING}. */
    private void noteConcurrency(long start, long end) {
      int mine = 1;
      for (int i = 0; i < ringSize; i++) {
        if (ringStart[i] <= start && start < ringEnd[i]) {
          mine++;
        }
        if (start <= ringStart[i] && ringStart[i] < end) {
          ringCount[i]++;
          peak = Math.max(peak, ringCount[i]);
        }
      }
      ringStart[ringNext] = start;
      ringEnd[ringNext] = Math.max(end, start + 1);
      ringCount[ringNext] = mine;
      ringNext = (ringNext + 1) % RING;
      ringSize = Math.min(RING, ringSize + 1);
      peak = Math.max(peak, mine);
    }
  }

  /** What the final transactions of one connection added up to. */
  private record Seen(long count, long micros, Transaction first) {
    /** As handed over while the connection lived, else what its tracker still keeps. */
    static Seen of(HttpView http) {
      if (http.handedOver() > 0) {
        return new Seen(http.handedOver(), http.handedOverMicros(), http.firstHandedOver());
      }
      long micros = 0;
      for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
        Transaction t = http.transactions().get(ti);
        if (t.requestFirstUs() >= 0 && t.responseLastUs() >= t.requestFirstUs()) {
          micros += t.responseLastUs() - t.requestFirstUs();
        }
      }
      List<Transaction> kept = http.transactions();
      return new Seen(kept.size(), micros, kept.isEmpty() ? null : kept.get(0));
    }
  }

  private final int maxPairs;
  private final LinkedHashMap<Key, Pair> pairs = new LinkedHashMap<>();

  /**
   * The pair of the last connection added (pairs stay in {@link #pairs}): consecutive connections
   * of one pair find it without a key made and hashed.
   */
  private Pair last;

  private final long[] bytes = new long[Flights.MAX_SIZED];
  private final int[] idx = new int[Flights.MAX_SIZED];
  private long droppedConnections;

  public PairAggregator(DetectOptions options) {
    this.maxPairs = Math.max(1, options.maxPairs);
  }

  /**
   * Adds a finished connection, with the TLS setup time the TLS layer measured ({@code tlsSetupUs}:
   * ClientHello to the first application data record, -1 when the connection is not TLS or its
   * handshake did not complete) and its TLS facts ({@code tls}, null when not TLS): where no HTTP
   * was read, its inferred exchanges are counted apart. {@code http} is null when no HTTP tracker
   * was attached.
   */
  public void add(ConnectionView c, HttpView http, long tlsSetupUs, TlsFacts tls) {
    Pair p =
        last != null && last.key.matches(c) ? last : Key.getOrAdd(pairs, c, maxPairs, Pair::new);
    if (p == null) {
      droppedConnections++;
      return;
    }
    last = p;
    p.add(c, http, http == null ? null : Seen.of(http), bytes, idx, tlsSetupUs, tls);
  }

  /** The pairs in the order they were first seen. */
  public List<Pair> pairs() {
    return new ArrayList<>(pairs.values());
  }

  /** Connections not aggregated because {@link DetectOptions#maxPairs} pairs were full. */
  public long droppedConnections() {
    return droppedConnections;
  }

  /**
   * When the connection was last in use: its last data segment (the close handshake that follows
   * overlaps the next connection of a serial client and does not count), else its last packet.
   */
  public static long lastDataTs(SegmentTimeline t, long fallback) {
    for (int i = t.size() - 1; i >= 0; i--) {
      if (t.len(i) > 0 && !t.isKeepAlive(i)) {
        return t.ts(i);
      }
    }
    return fallback;
  }

  /**
   * The TLS handshake of a connection, seen without decryption: from the client's first data
   * segment (ClientHello) to the first client data segment after the server answered; -1 when the
   * timeline does not show that exchange.
   */
  static long tlsHandshake(SegmentTimeline t) {
    long hello = -1;
    boolean serverAnswered = false;
    for (int i = 0; i < t.size(); i++) {
      if (t.len(i) == 0 || t.isRetransmission(i)) {
        continue;
      }
      if (t.dir(i) == Direction.CLIENT) {
        if (hello < 0) {
          hello = t.ts(i);
        } else if (serverAnswered) {
          return t.ts(i) - hello;
        }
      } else if (hello >= 0) {
        serverAnswered = true;
      }
    }
    return -1;
  }
}
