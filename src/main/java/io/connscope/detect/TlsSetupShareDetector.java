package io.connscope.detect;

/*
 * tls.setup_share
 *
 * Rule: per client/server pair (client address, server address and port), at the end of the
 * capture, one finding when
 *   - at least MIN_SHORT (3) TLS connections of the pair completed their handshake with its
 *     setup measured (ClientHello to the first application data record, tls.timing.setup_us) and
 *     were short: at most SHORT_EXCHANGES (2) exchanges each (HTTP transactions when decrypted,
 *     else the exchanges inferred from the application data records), and
 *   - on those short connections, TLS setup summed is at least MIN_SHARE (25 %) of their time in
 *     use summed (first SYN, else first packet, to the last data segment), and
 *   - keep-alive would have avoided at least one of them: short connections beyond the pair's
 *     peak of connections open at once (PairAggregator: one kept-alive connection per slot).
 * Cost: the TLS setup keep-alive would have saved: mean TLS setup of the short connections x
 *   the avoidable ones. Also reported (details, summary): the same handshakes at the reference
 *   round trip (DetectOptions.referenceRttMicros, 50 ms): avoidable x mean TLS round trips (tls.timing.round_trips) x 50 ms, what
 *   they would cost a client 50 ms from its server; and whether the server resumes sessions (a
 *   resumed handshake seen on the pair), which saves a round trip in TLS 1.2 and the certificate
 *   in both versions, not the handshake.
 * Not reported: pairs with fewer short TLS connections (a single HTTPS request is not a
 *   pattern), connections whose handshake failed or was not seen, long connections (more
 *   exchanges: keep-alive is already used), a client whose connections were all in use at once
 *   (nothing to avoid). At most DetectOptions.maxPairs pairs are followed.
 * Severity (SeverityRule): warning when the cost is at least costWarnMicros (10 ms), info when
 *   cheaper. Confidence: confirmed when every short connection was counted from HTTP
 *   transactions (decrypted); suspected when any count comes from inferred exchanges (an h2 or
 *   pipelined connection's requests may merge into one inferred exchange).
 * Overlap: connection.setup_overhead counts TLS setups in its pair setup time, and
 *   tls.resumption_missed the full handshakes a resumption would have shortened: the costs overlap.
 */

import io.connscope.common.Addresses;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reports client/server pairs whose short TLS connections spent a large share of their time in TLS
 * setup.
 */
public final class TlsSetupShareDetector implements CrossDetector {
  public static final String TYPE = "tls.setup_share";

  /** Short TLS connections on one pair before they are worth a finding. */
  static final int MIN_SHORT = 3;

  /** Exchanges (transactions or inferred exchanges) of a short connection, at most. */
  static final int SHORT_EXCHANGES = 2;

  /** TLS setup's share of the short connections' time in use, at least. */
  static final double MIN_SHARE = 0.25;

  /**
   * Frames kept as evidence per pair (ClientHello and first application data of each connection).
   */
  static final int EVIDENCE = 10;

  private final DetectOptions options;
  private final int maxPairs;
  private final PairAggregator pairs;
  private final Map<PairAggregator.Key, Group> groups = new LinkedHashMap<>();

  /** The short TLS connections of one pair. */
  private static final class Group {
    String client;
    String server;
    String first;
    int tlsConnections;
    int shortConnections;
    int inferredCounts;
    long setupUs;
    long inUseUs;
    long roundTrips;
    int roundTripsSeen;
    int resumed;
    long longest;
    final List<Long> frames = new ArrayList<>();
  }

  public TlsSetupShareDetector(DetectOptions options, PairAggregator pairs) {
    this.options = options;
    this.maxPairs = options.maxPairs;
    this.pairs = pairs;
  }

  @Override
  public void tls(ConnectionView c, HttpView http, TlsFacts f, Consumer<Finding> out) {
    long setup = f.timing().setupUs();
    if (!"complete".equals(f.handshake()) || setup < 0) {
      return;
    }
    PairAggregator.Key key = PairAggregator.Key.of(c);
    Group g = groups.get(key);
    if (g == null) {
      if (groups.size() >= maxPairs) {
        return;
      }
      g = new Group();
      g.client = Addresses.format(c.clientAddrHi(), c.clientAddrLo());
      g.server = Addresses.format(c.serverAddrHi(), c.serverAddrLo()) + ":" + c.serverPort();
      groups.put(key, g);
    }
    g.tlsConnections++;
    if (f.resumption() != null && !"none".equals(f.resumption())) {
      g.resumed++;
    }
    boolean inferred = http == null || http.handedOver() == 0;
    long exchanges = inferred ? f.inferredExchangeCount() : http.handedOver();
    if (exchanges > SHORT_EXCHANGES) {
      return;
    }
    long start = c.synTsMicros() >= 0 ? c.synTsMicros() : c.firstTsMicros();
    long inUse = Math.max(0, PairAggregator.lastDataTs(c.timeline(), c.lastTsMicros()) - start);
    g.shortConnections++;
    if (inferred) {
      g.inferredCounts++;
    }
    if (g.first == null) {
      g.first = c.idString();
    }
    g.setupUs += setup;
    g.inUseUs += Math.max(inUse, setup);
    g.longest = Math.max(g.longest, setup);
    if (f.timing().roundTrips() >= 0) {
      g.roundTrips += f.timing().roundTrips();
      g.roundTripsSeen++;
    }
    if (g.frames.size() + 2 <= EVIDENCE) {
      g.frames.add(f.timing().clientHelloFrame());
      g.frames.add(f.timing().firstAppDataFrame());
    }
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {}

  @Override
  public void finish(Consumer<Finding> out) {
    Map<PairAggregator.Key, Integer> peak = new HashMap<>();
    for (PairAggregator.Pair p : pairs.pairs()) {
      peak.put(p.key(), p.peakConcurrent());
    }
    for (Map.Entry<PairAggregator.Key, Group> e : groups.entrySet()) {
      Group g = e.getValue();
      if (g.shortConnections < MIN_SHORT || g.inUseUs == 0) {
        continue;
      }
      double share = (double) g.setupUs / g.inUseUs;
      int slots = Math.max(1, peak.getOrDefault(e.getKey(), 1));
      int avoidable = Math.max(0, g.shortConnections - slots);
      if (share < MIN_SHARE || avoidable == 0) {
        continue;
      }
      long mean = g.setupUs / g.shortConnections;
      double meanRoundTrips = g.roundTripsSeen == 0 ? 0 : (double) g.roundTrips / g.roundTripsSeen;
      long atWan = Math.round(avoidable * meanRoundTrips * options.referenceRttMicros);
      List<Long> frames = new ArrayList<>(g.frames);
      frames.sort(null);
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("client", g.client);
      d.put("server", g.server);
      d.put("tls_connections", g.tlsConnections);
      d.put("short_connections", g.shortConnections);
      d.put("short_max_exchanges", SHORT_EXCHANGES);
      d.put("counted_from_inferred_exchanges", g.inferredCounts);
      d.put("tls_setup_us", g.setupUs);
      d.put("in_use_us", g.inUseUs);
      d.put("setup_share_pct", Math.round(share * 100));
      d.put("mean_setup_us", mean);
      d.put("peak_concurrent", slots);
      d.put("avoidable", avoidable);
      d.put("mean_round_trips", Math.round(meanRoundTrips * 10) / 10.0);
      d.put("at_rtt_us", options.referenceRttMicros);
      d.put("cost_at_rtt_us", atWan);
      d.put("resumed_handshakes", g.resumed);
      String summary =
          String.format(
              Locale.ROOT,
              "%s opened %d short TLS connections to %s (at most %d"
                  + " exchange%s each): TLS setup took %.1f ms of their %.1f ms in use (%d%%, %.1f ms each);"
                  + " keep-alive would have avoided %d of these handshakes (%.1f ms here; %.1f ms at a %d ms"
                  + " round trip, %.1f round trips each)%s",
              g.client,
              g.shortConnections,
              g.server,
              SHORT_EXCHANGES,
              SHORT_EXCHANGES == 1 ? "" : "s",
              g.setupUs / 1000.0,
              g.inUseUs / 1000.0,
              Math.round(share * 100),
              mean / 1000.0,
              avoidable,
              mean * avoidable / 1000.0,
              atWan / 1000.0,
              options.referenceRttMicros / 1000,
              meanRoundTrips,
              g.resumed > 0
                  ? "; the server resumes sessions ("
                      + g.resumed
                      + " resumed here), which"
                      + " shortens a handshake but does not remove it"
                  : "");
      String fix =
          "reuse connections: keep HTTPS connections alive in the client (a connection pool, no"
              + " Connection: close) and on the server (keep-alive timeout longer than the gap between"
              + " requests); where connections must be new, resume TLS sessions";
      out.accept(
          new Finding(
              TYPE,
              SeverityRule.cost(mean * avoidable, options.costWarnMicros),
              g.inferredCounts > 0 ? Confidence.SUSPECTED : Confidence.CONFIRMED,
              g.first,
              -1,
              mean * avoidable,
              frames,
              KeepAlive.filter(frames),
              summary,
              fix,
              d));
    }
  }
}
