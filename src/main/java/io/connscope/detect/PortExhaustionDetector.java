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
 * Cost: the longest pause between two new connections when the wall was hit (suspected: a failed
 * connect leaves no packet), 0 otherwise.
 * Severity: warning when the wall was hit or the peak reached the budget, info otherwise.
 * Aggregates: per pair 64 one-second bins, a 65,536-bit set of source ports (8 KiB), counters;
 * at most maxPairs pairs.
 */

import io.connscope.common.Addresses;
import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports clients opening connections to one server near or past their port budget. */
public final class PortExhaustionDetector implements Detector {
  public static final String TYPE = "tcp.port_exhaustion";
  static final int BINS = 64;

  private static final class Stats {
    final String firstConnection;
    final long[] binSec = new long[BINS];
    final int[] binCount = new int[BINS];
    final BitSet ports = new BitSet(65536);
    long connections, clientClosedFirst, lastStart = -1, longestPause, longestPauseFrame;
    int peakSecond, peakWindow, distinctAtPeakWindow;
    final List<Long> frames = new ArrayList<>();

    Stats(String firstConnection) {
      this.firstConnection = firstConnection;
      java.util.Arrays.fill(binSec, Long.MIN_VALUE);
    }
  }

  private final DetectOptions options;
  private final LinkedHashMap<PairAggregator.Key, Stats> pairs = new LinkedHashMap<>();

  public PortExhaustionDetector(DetectOptions options) {
    this.options = options;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (c.synFrame() < 0) {
      return;
    }
    Stats s = PairAggregator.Key.getOrAdd(pairs, c, options.maxPairs, (k, id) -> new Stats(id));
    if (s == null) {
      return;
    }
    long start = c.synTsMicros();
    s.connections++;
    s.ports.set(c.clientPort());
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
      s.distinctAtPeakWindow = s.ports.cardinality();
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
      int distinct = s.ports.cardinality();
      boolean wall =
          s.clientClosedFirst > 0
              && s.peakWindow > s.distinctAtPeakWindow
              && s.connections > distinct;
      double share = s.peakSecond / budget;
      if (!wall && share < options.portRateMinShare) {
        continue;
      }
      PairAggregator.Key k = e.getKey();
      String client = Addresses.format(k.clientHi(), k.clientLo());
      String server = Addresses.format(k.serverHi(), k.serverLo()) + ":" + k.serverPort();
      String summary =
          String.format(
              Locale.ROOT,
              "%s opened up to %d connections a second to %s (%d in one %d s TIME_WAIT window) against"
                  + " a budget of about %.0f a second (%d ports / %d s): %d%% of it; %d distinct source"
                  + " ports for %d connections, the client closed first in %d%s",
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
                      "; its source ports cycled while still in TIME_WAIT"
                          + " (a port range of about %d), and new connections paused for up to %.1f ms"
                          + " (connect() failing for want of a port is suspected)",
                      distinct,
                      s.longestPause / 1000.0)
                  : "");
      String fix =
          "reuse connections (keep-alive, a connection pool) instead of one per request;"
              + " otherwise widen the client's ephemeral port range (net.ipv4.ip_local_port_range),"
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
      List<Long> frames = new ArrayList<>(s.frames);
      if (wall && s.longestPauseFrame > 0 && !frames.contains(s.longestPauseFrame)) {
        frames.add(s.longestPauseFrame);
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
              wall || share >= 1 ? Severity.WARNING : Severity.INFO,
              wall ? Confidence.SUSPECTED : Confidence.CONFIRMED,
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
}
