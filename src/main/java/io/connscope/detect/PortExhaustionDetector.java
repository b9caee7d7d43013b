package io.connscope.detect;

/*
 * tcp.port_exhaustion
 *
 * Rule: per client address towards one server address and port, the rate of new connections
 * (SYNs) against the client's port budget. A closed connection keeps its 4-tuple in TIME_WAIT on
 * the side that closed first for 2MSL, so a client that closes first can open at most
 * (ephemeral ports) / (TIME_WAIT time) connections a second to one server address and port:
 * Linux's 28,232 ports (32768-60999) over 60 s is about 470 a second.
 *   - rate: the most new connections in one second (1 s bins) and in one TIME_WAIT window
 *     (60 s, from the last 64 bins); reported when the peak per second reaches portRateMinShare
 *     (50 %) of the budget (ephemeralPorts / timeWaitMicros);
 *   - the wall: more connections in one TIME_WAIT window than distinct source ports seen, with
 *     the client closing first (its ports cycled while still in TIME_WAIT: a small port range,
 *     or reuse forced by the stack), reported whatever the rate; the longest pause between new
 *     connections while cycling is where connect() likely failed (EADDRNOTAVAIL sends nothing).
 *   - ran out (a small range used up): at least exhaustMinPorts (4) connections, each from its
 *     own source port (none reused), the client closing first on every one (so every port sat in
 *     TIME_WAIT), all opened within one TIME_WAIT time (60 s) of the first, their ports filling a
 *     contiguous range lo..hi with no port missing, and in the order of Linux's allocator: every
 *     port of lo's parity before any port of the other parity (Linux's connect() takes ports of
 *     the range's low parity first and the others only when none of those is free, so the other
 *     parity appearing says the first half ran out; a sequential allocator alternates parity and
 *     is not taken for it). After the last one the client opened no more connections to the
 *     server in the capture: the next connect() most likely failed with EADDRNOTAVAIL, which
 *     sends nothing. Reported whatever the rate (20 a second through 10 ports runs out in half a
 *     second); the note gives the range the capture suggests (net.ipv4.ip_local_port_range lo hi).
 * Cost: the longest pause between two new connections when the wall was hit (suspected: a failed
 * connect leaves no packet), 0 otherwise.
 * Severity (SeverityRule): ran out: error (connect() failing is a failure the user saw; suspected,
 * as it leaves no packet); the wall: the cost rule on the longest pause (costWarnMicros, 10 ms);
 * a rate near the budget alone: info (nothing was lost).
 * Aggregates: per pair 64 one-second bins, a 65,536-bit set of source ports (8 KiB), counters;
 * at most maxPairs pairs.
 */

import io.connscope.common.Addresses;
import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports clients opening connections to one server near or past their port budget. */
public final class PortExhaustionDetector implements CrossDetector {
  public static final String TYPE = "tcp.port_exhaustion";
  static final int BINS = 64;

  private static final class Stats {
    final String firstConnection;
    final long[] binSec = new long[BINS];
    final int[] binCount = new int[BINS];
    final BitSet ports = new BitSet(65536);

    /**
     * Bits set in {@link #ports} (counted as they are set: a cardinality per connection scanned 8
     * KB).
     */
    int distinct;

    long connections, clientClosedFirst, lastStart = -1, longestPause, longestPauseFrame;
    long firstStart = Long.MAX_VALUE, lastFrame = -1;

    /** Per source-port parity (even, odd): the first and the last SYN time. */
    final long[] parityFirst = {Long.MAX_VALUE, Long.MAX_VALUE};

    final long[] parityLast = {Long.MIN_VALUE, Long.MIN_VALUE};
    int peakSecond, peakWindow, distinctAtPeakWindow;
    final List<Long> frames = new ArrayList<>();

    Stats(String firstConnection) {
      this.firstConnection = firstConnection;
      java.util.Arrays.fill(binSec, Long.MIN_VALUE);
    }
  }

  private final DetectOptions options;
  private final LinkedHashMap<PairAggregator.Key, Stats> pairs = new LinkedHashMap<>();

  /**
   * The pair of the last connection counted and its stats (pairs stay in {@link #pairs}):
   * consecutive connections of one pair find them without a key made and hashed.
   */
  private PairAggregator.Key lastKey;

  private Stats lastStats;

  public PortExhaustionDetector(DetectOptions options) {
    this.options = options;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    if (c.synFrame() < 0) {
      return;
    }
    Stats s =
        lastKey != null && lastKey.matches(c)
            ? lastStats
            : PairAggregator.Key.getOrAdd(pairs, c, options.maxPairs, (k, id) -> new Stats(id));
    if (s == null) {
      return;
    }
    if (s != lastStats) {
      lastStats = s;
      lastKey = PairAggregator.Key.of(c);
    }
    long start = c.synTsMicros();
    s.connections++;
    if (!s.ports.get(c.clientPort())) {
      s.ports.set(c.clientPort());
      s.distinct++;
    }
    int parity = c.clientPort() & 1;
    s.parityFirst[parity] = Math.min(s.parityFirst[parity], start);
    s.parityLast[parity] = Math.max(s.parityLast[parity], start);
    s.firstStart = Math.min(s.firstStart, start);
    if (start >= s.lastStart) {
      s.lastFrame = c.synFrame();
    }
    if (c.closedFirstBy() == Direction.CLIENT) {
      s.clientClosedFirst++;
    }
    if (s.lastStart >= 0 && start - s.lastStart > s.longestPause) {
      s.longestPause = start - s.lastStart;
      s.longestPauseFrame = c.synFrame();
    }
    s.lastStart = Math.max(s.lastStart, start);
    long sec = start / 1_000_000;
    int b = (int) Math.floorMod(sec, (long) BINS);
    if (s.binSec[b] != sec) {
      s.binSec[b] = sec;
      s.binCount[b] = 0;
    }
    s.binCount[b]++;
    s.peakSecond = Math.max(s.peakSecond, s.binCount[b]);
    long windowSec = Math.max(1, Math.min(BINS, options.timeWaitMicros / 1_000_000));
    int window = 0;
    for (int i = 0; i < BINS; i++) {
      if (s.binSec[i] != Long.MIN_VALUE && s.binSec[i] > sec - windowSec && s.binSec[i] <= sec) {
        window += s.binCount[i];
      }
    }
    if (window > s.peakWindow) {
      s.peakWindow = window;
      s.distinctAtPeakWindow = s.distinct;
    }
    if (s.frames.size() < 10) {
      s.frames.add(c.synFrame());
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    double budget = options.ephemeralPorts / Math.max(1e-6, options.timeWaitMicros / 1e6);
    for (Map.Entry<PairAggregator.Key, Stats> e : pairs.entrySet()) {
      Stats s = e.getValue();
      int distinct = s.distinct;
      boolean wall =
          s.clientClosedFirst > 0
              && s.peakWindow > s.distinctAtPeakWindow
              && s.connections > distinct;
      double share = s.peakSecond / budget;
      Range ran = wall ? null : ranOut(s, distinct);
      if (!wall && ran == null && share < options.portRateMinShare) {
        continue;
      }
      PairAggregator.Key k = e.getKey();
      String client = Addresses.format(k.clientHi(), k.clientLo());
      String server = Addresses.format(k.serverHi(), k.serverLo()) + ":" + k.serverPort();
      String summary =
          ran != null
              ? ranOutSummary(client, server, s, ran, budget)
              : String.format(
                  Locale.ROOT,
                  "%s opened up to %d connections a second to %s (%d in one %d s TIME_WAIT window)"
                      + " against a budget of about %.0f a second (%d ports / %d s): %d%% of it; %d"
                      + " distinct source ports for %d connections, the client closed first in %d%s",
                  client,
                  s.peakSecond,
                  server,
                  s.peakWindow,
                  options.timeWaitMicros / 1_000_000,
                  budget,
                  options.ephemeralPorts,
                  options.timeWaitMicros / 1_000_000,
                  Math.round(share * 100),
                  distinct,
                  s.connections,
                  s.clientClosedFirst,
                  wall
                      ? String.format(
                          Locale.ROOT,
                          "; its source ports cycled while still in TIME_WAIT (a port range of"
                              + " about %d), and new connections paused for up to %.1f ms (connect()"
                              + " failing for want of a port is suspected)",
                          distinct,
                          s.longestPause / 1000.0)
                      : "");
      String fix =
          (ran != null
                  ? "widen the client's ephemeral port range (net.ipv4.ip_local_port_range: "
                      + (ran.hi - ran.lo + 1)
                      + " ports allow "
                      + (ran.hi - ran.lo + 1)
                      + " connections to one server per TIME_WAIT time when the client closes"
                      + " first), or "
                  : "")
              + "reuse connections (keep-alive, a connection pool) instead of one per request;"
              + (ran != null
                  ? " or"
                  : " otherwise widen the client's ephemeral port range"
                      + " (net.ipv4.ip_local_port_range),")
              + " let the server close first so TIME_WAIT stays on the server, or spread connections"
              + " over several server addresses";
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("client", client);
      d.put("server", server);
      d.put("connections", s.connections);
      d.put("peak_per_second", s.peakSecond);
      d.put("peak_per_time_wait", s.peakWindow);
      d.put("budget_per_second", Math.round(budget));
      d.put("budget_share_pct", Math.round(share * 100));
      d.put("distinct_ports", distinct);
      d.put("client_closed_first", s.clientClosedFirst);
      d.put("ports_cycling", wall);
      d.put("longest_pause_us", s.longestPause);
      d.put("ran_out", ran != null);
      if (ran != null) {
        d.put("suggested_port_range", ran.lo + "-" + ran.hi);
        d.put("last_syn_frame", s.lastFrame);
      }
      List<Long> frames = new ArrayList<>(s.frames);
      if (wall && s.longestPauseFrame > 0 && !frames.contains(s.longestPauseFrame)) {
        frames.add(s.longestPauseFrame);
      }
      if (ran != null && s.lastFrame > 0 && !frames.contains(s.lastFrame)) {
        frames.add(s.lastFrame);
      }
      frames.sort(null);
      String v = k.ipVersion() == 6 ? "ipv6" : "ip";
      String filter =
          "tcp.flags.syn == 1 && tcp.flags.ack == 0 && "
              + v
              + ".src == "
              + client
              + " && "
              + v
              + ".dst == "
              + Addresses.format(k.serverHi(), k.serverLo())
              + " && tcp.dstport == "
              + k.serverPort();
      out.accept(
          new Finding(
              TYPE,
              ran != null
                  ? SeverityRule.failed()
                  : wall
                      ? SeverityRule.cost(s.longestPause, options.costWarnMicros)
                      : Severity.INFO,
              wall || ran != null ? Confidence.SUSPECTED : Confidence.CONFIRMED,
              s.firstConnection,
              -1,
              wall ? s.longestPause : 0,
              frames,
              filter,
              summary,
              fix,
              d));
    }
  }

  private String ranOutSummary(String client, String server, Stats s, Range ran, double budget) {
    long span = Math.max(1, s.lastStart - s.firstStart);
    double perSecond = s.connections > 1 ? (s.connections - 1) * 1e6 / span : 0;
    return String.format(
        Locale.ROOT,
        "%s probably ran out of source ports towards %s: it used each of the %d ports %d-%d once in"
            + " %.2f s (%.0f connections a second, %d%% of the default budget of about %.0f),"
            + " closing first each time (each port then held in TIME_WAIT for %d s), the %s ports"
            + " first and the %s ones only when those were taken, as Linux allocates them, and"
            + " opened no connection after frame %d: the next connect() most likely failed with"
            + " EADDRNOTAVAIL, which sends nothing. The capture suggests"
            + " net.ipv4.ip_local_port_range = %d %d (%d ports)",
        client,
        server,
        s.connections,
        ran.lo,
        ran.hi,
        span / 1e6,
        perSecond,
        Math.round(perSecond / budget * 100),
        budget,
        options.timeWaitMicros / 1_000_000,
        (ran.lo & 1) == 0 ? "even" : "odd",
        (ran.lo & 1) == 0 ? "odd" : "even",
        s.lastFrame,
        ran.lo,
        ran.hi,
        ran.hi - ran.lo + 1);
  }

  /** A contiguous source-port range a client used up. */
  private record Range(int lo, int hi) {}

  /**
   * The range {@code s}'s client ran out of (see the rule at the top), or null: each port used
   * once, the client closing first on every connection, all within one TIME_WAIT time, the ports
   * filling lo..hi, in Linux's parity order.
   */
  private Range ranOut(Stats s, int distinct) {
    if (distinct < options.exhaustMinPorts
        || s.connections != distinct
        || s.clientClosedFirst != s.connections
        || s.lastStart - s.firstStart >= options.timeWaitMicros) {
      return null;
    }
    int lo = s.ports.nextSetBit(0);
    int hi = s.ports.length() - 1;
    if (hi - lo + 1 != distinct) {
      return null; // a port missing: not a range used up
    }
    int low = lo & 1;
    if (s.parityLast[low] >= s.parityFirst[1 - low]) {
      return null; // the other parity before the first half ran out: not Linux's order
    }
    return new Range(lo, hi);
  }
}
