package io.connscope.detect;

/*
 * tcp.time_wait_reuse
 *
 * Rule: a connection starts with a SYN on a 4-tuple (client address and port, server address and
 * port) whose previous connection closed with FINs less than timeWaitMicros (60 s, 2MSL on
 * Linux) before. The side that sent the first FIN holds the tuple in TIME_WAIT (RFC 793 §3.5):
 *   - the client closed first: the client's stack let a port in TIME_WAIT be reused (a fixed
 *     source port with SO_REUSEADDR, tcp_tw_reuse, or a tiny ephemeral range running out);
 *   - the server closed first: the server accepted a SYN on a tuple in TIME_WAIT, which it may do
 *     when the new SYN's sequence number or timestamp is above the old connection's (RFC 6191,
 *     RFC 1122 §4.2.2.13), and otherwise answers with an ACK or drops it, so the client retries.
 * One finding per client/server pair, at the end of the capture: how often, how soon, who held
 * TIME_WAIT. A connection closed by RST leaves no TIME_WAIT and is not counted.
 * Cost: time the reusing connections lost to SYN retries (first SYN to the one answered).
 * Severity (SeverityRule): error when a reusing connection never opened (no SYN/ACK: the connect
 * failed); otherwise the time SYN retries cost: warning from costWarnMicros (10 ms), info when
 * cheaper or nothing was lost.
 * Aggregates: the last maxClosedTuples closed tuples (LRU) and at most maxPairs pairs.
 */

import io.connscope.common.Addresses;
import io.connscope.common.Direction;
import io.connscope.common.TupleWindow;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports 4-tuples reused while one side still held them in TIME_WAIT. */
public final class TimeWaitReuseDetector implements CrossDetector {
  public static final String TYPE = "tcp.time_wait_reuse";

  /** Values of a closed tuple in {@link #closed}: when, who closed first, the closing frame. */
  private static final int END_US = 0, CLOSED_BY = 1, CLOSE_FRAME = 2;

  private static final class Stats {
    final String firstConnection;
    long reuses, byClient, byServer, minDelay = Long.MAX_VALUE, costMicros, failed, neverOpened;
    final List<Long> frames = new ArrayList<>();

    Stats(String firstConnection) {
      this.firstConnection = firstConnection;
    }
  }

  private final DetectOptions options;

  /**
   * The last closed tuples, oldest first, in primitive arrays (a window of tens of thousands that
   * churns, held as objects, made every young collection copy its newest entries): key client
   * address, server address, then ip version, client port and server port in one long.
   */
  private final TupleWindow closed = new TupleWindow(3, false);

  private final int maxClosed;
  private final LinkedHashMap<PairAggregator.Key, Stats> pairs = new LinkedHashMap<>();

  public TimeWaitReuseDetector(DetectOptions options) {
    this.options = options;
    this.maxClosed = Math.max(1, options.maxClosedTuples);
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    long ports = (long) c.ipVersion() << 32 | (long) c.clientPort() << 16 | c.serverPort();
    int prev =
        closed.find(c.clientAddrHi(), c.clientAddrLo(), c.serverAddrHi(), c.serverAddrLo(), ports);
    if (prev >= 0) {
      closed.remove(prev);
      if (c.synFrame() >= 0) {
        long delay = c.synTsMicros() - closed.get(prev, END_US);
        if (delay >= 0 && delay < options.timeWaitMicros) {
          note(c, (int) closed.get(prev, CLOSED_BY), closed.get(prev, CLOSE_FRAME), delay);
        }
      }
    }
    Connection.CloseReason r = c.closeReason();
    boolean finClosed =
        (r == Connection.CloseReason.BOTH_FIN
                || r == Connection.CloseReason.FIN
                || r == Connection.CloseReason.REUSED)
            && c.closedFirstBy() >= 0
            && c.half(c.closedFirstBy()).finFrame() >= 0
            && c.half(c.closedFirstBy()).rstFrame() < 0;
    if (finClosed) {
      int k =
          closed.addLast(
              c.clientAddrHi(), c.clientAddrLo(), c.serverAddrHi(), c.serverAddrLo(), ports);
      closed.set(k, END_US, c.lastTsMicros());
      closed.set(k, CLOSED_BY, c.closedFirstBy());
      closed.set(k, CLOSE_FRAME, c.half(c.closedFirstBy()).finFrame());
      while (closed.size() > maxClosed) {
        closed.pollFirst(); // the least recently closed live tuple, and dead ones before it
      }
    }
  }

  private void note(ConnectionView c, int closedBy, long closeFrame, long delay) {
    Stats s = PairAggregator.Key.getOrAdd(pairs, c, options.maxPairs, (k, id) -> new Stats(id));
    if (s == null) {
      return;
    }
    s.reuses++;
    if (closedBy == Direction.CLIENT) {
      s.byClient++;
    } else {
      s.byServer++;
    }
    s.minDelay = Math.min(s.minDelay, delay);
    if (c.synCount() > 1 && c.synAckTsMicros() >= 0 && c.rttToServerMicros() >= 0) {
      s.costMicros += Math.max(0, c.synAckTsMicros() - c.rttToServerMicros() - c.synTsMicros());
      s.failed++;
    } else if (c.synAckFrame() < 0) {
      s.costMicros += Math.max(0, c.lastTsMicros() - c.synTsMicros());
      s.failed++;
      s.neverOpened++;
    }
    if (s.frames.size() < 20) {
      s.frames.add(closeFrame);
      s.frames.add(c.synFrame());
    }
  }

  private static String holders(Stats s) {
    String client =
        "the client (it closed first" + (s.byServer > 0 ? ", " + s.byClient + " times)" : ")");
    String server =
        "the server (it closed first" + (s.byClient > 0 ? ", " + s.byServer + " times)" : ")");
    if (s.byServer == 0) {
      return client;
    }
    if (s.byClient == 0) {
      return server;
    }
    return client + " or " + server;
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (Map.Entry<PairAggregator.Key, Stats> e : pairs.entrySet()) {
      PairAggregator.Key k = e.getKey();
      Stats s = e.getValue();
      String client = Addresses.format(k.clientHi(), k.clientLo());
      String server = Addresses.format(k.serverHi(), k.serverLo()) + ":" + k.serverPort();
      String holder = s.byClient >= s.byServer ? "client" : "server";
      String summary =
          String.format(
              Locale.ROOT,
              "%d new connection%s from %s to %s reused a 4-tuple closed less than %d s before (the"
                  + " soonest %.1f ms after the close), while %s held it in TIME_WAIT%s",
              s.reuses,
              s.reuses == 1 ? "" : "s",
              client,
              server,
              options.timeWaitMicros / 1_000_000,
              s.minDelay / 1000.0,
              holders(s),
              s.failed > 0
                  ? String.format(
                      Locale.ROOT,
                      "; %d of them needed SYN retries or failed," + " costing %.1f ms",
                      s.failed,
                      s.costMicros / 1000.0)
                  : "");
      String fix =
          holder.equals("client")
              ? "let the client use ephemeral source ports (do not bind a fixed port with SO_REUSEADDR),"
                  + " widen its ephemeral port range, or keep connections alive instead of opening one"
                  + " per request"
              : "keep connections alive instead of opening one per request; if the server must close,"
                  + " make sure the client's new SYNs carry TCP timestamps (the server then accepts"
                  + " reuse safely, RFC 6191) or let the client close first";
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("client", client);
      d.put("server", server);
      d.put("reuses", s.reuses);
      d.put("time_wait_on_client", s.byClient);
      d.put("time_wait_on_server", s.byServer);
      d.put("min_delay_us", s.minDelay);
      d.put("failed_or_retried", s.failed);
      List<Long> frames = new ArrayList<>(s.frames);
      frames.sort(null);
      StringBuilder filter = new StringBuilder("frame.number in {");
      for (int i = 0; i < frames.size(); i++) {
        filter.append(i == 0 ? "" : " ").append(frames.get(i));
      }
      filter.append('}');
      out.accept(
          new Finding(
              TYPE,
              s.neverOpened > 0
                  ? SeverityRule.failed()
                  : SeverityRule.cost(s.costMicros, options.costWarnMicros),
              Confidence.CONFIRMED,
              s.firstConnection,
              -1,
              s.costMicros,
              frames,
              filter.toString(),
              summary,
              fix,
              d));
    }
  }
}
