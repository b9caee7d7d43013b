package io.connscope.detect;

/*
 * tcp.retransmission_stall
 *
 * Rule: time a sender sat idle inside a transaction because of
 *   - a retransmission timeout: a retransmitted data segment (or FIN) that was not triggered by
 *     duplicate ACKs (fewer than 2 duplicate ACKs for its sequence number since its first
 *     transmission: RFC 5681 §3.2 fast retransmit needs 3, SACK-based recovery fewer) and that
 *     the sender sent after a silence of at least max(retransmissionMinStallMicros (50 ms),
 *     2 round trips). Fast retransmits keep the data flowing and are not reported. Linux's
 *     minimum RTO is 200 ms; a tail-loss probe (RFC 8985) after about 2 round trips counts too,
 *     since the sender also waited for it;
 *   - a zero window: the receiver advertised a window of 0 and the sender waited until the
 *     window reopened, for at least zeroWindowMinMicros (10 ms).
 * Cost: silence minus one round trip (what ACK clocking would have taken anyway) for a timeout;
 * the whole wait for a zero window. One finding per transaction and kind (per connection when
 * the connection carries no HTTP), summing its stalls.
 * the connection carries no HTTP), summing its stalls.
 * Severity (SeverityRule): warning from the stall threshold (retransmissionMinStallMicros or
 * zeroWindowMinMicros) that every stall reported meets.
 * Attribution: a retransmission belongs to the transaction whose frames include the original
 * transmission (by time when the original is not in the capture); a zero-window wait to the
 * transaction running when the window closed.
 * Not reported: stalls outside every transaction on an HTTP connection (idle time).
 * Confidence: confirmed when the original transmission is in the capture and the connection lost
 * nothing in the capture; suspected otherwise (a capture drop looks like a retransmission).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.Flights;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.detect.facts.TransactionSpans;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import io.connscope.tcp.Segment;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports time lost to retransmission timeouts and zero-window waits. */
public final class RetransmissionStallDetector implements ConnectionDetector {
  public static final String TYPE = "tcp.retransmission_stall";

  private final DetectOptions options;

  public RetransmissionStallDetector(DetectOptions options) {
    this.options = options;
  }

  private static final class Group {
    final int tx;
    final String kind;
    final int sender;
    long cost, longest;
    int count;
    boolean confirmed = true;
    final List<Long> frames = new ArrayList<>();

    Group(int tx, String kind, int sender) {
      this.tx = tx;
      this.kind = kind;
      this.sender = sender;
    }
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    SegmentTimeline t = c.timeline();
    boolean isHttp = http != null && http.isHttp();
    List<Transaction> txs = isHttp ? http.transactions() : List.of();
    long rtt = Math.max(0, Flights.rtt(c));
    boolean lossy = c.half(Direction.CLIENT).gaps() + c.half(Direction.SERVER).gaps() > 0;
    Map<String, Group> groups = new LinkedHashMap<>();
    long[] lastSent = {-1, -1};
    long[] zeroSince = {-1, -1};
    int[] zeroIndex = {-1, -1};
    for (int i = 0; i < t.size(); i++) {
      int d = t.dir(i);
      int f = t.flags(i);
      boolean rst = (f & Segment.RST) != 0, syn = (f & Segment.SYN) != 0;
      boolean carries = t.len(i) > 0 || (f & Segment.FIN) != 0;
      if (t.isRetransmission(i) && carries && !t.isKeepAlive(i) && lastSent[d] >= 0) {
        long silence = t.ts(i) - lastSent[d];
        if (silence >= Math.max(options.retransmissionMinStallMicros, 2 * rtt)
            && dupAcks(t, i, d) < 2) {
          int orig = original(t, i);
          int tx =
              orig >= 0
                  ? TransactionSpans.byFrame(txs, t.frame(orig))
                  : TransactionSpans.byTime(txs, t.ts(i));
          if (tx >= 0 || !isHttp) {
            Group g =
                groups.computeIfAbsent(tx + "/timeout/" + d, k -> new Group(tx, "timeout", d));
            long cost = Math.max(0, silence - rtt);
            g.cost += cost;
            g.longest = Math.max(g.longest, cost);
            g.count++;
            g.confirmed &= !lossy && orig >= 0;
            if (g.frames.size() < 10) {
              g.frames.add(t.frame(i));
            }
          }
        }
      }
      if (!rst && !syn) {
        if (t.window(i) == 0 && zeroSince[d] < 0) {
          zeroSince[d] = t.ts(i);
          zeroIndex[d] = i;
        } else if (t.window(i) > 0 && zeroSince[d] >= 0) {
          long wait = t.ts(i) - zeroSince[d];
          int tx = TransactionSpans.byTime(txs, zeroSince[d]);
          if (wait >= options.zeroWindowMinMicros && (tx >= 0 || !isHttp)) {
            int sender = 1 - d;
            Group g =
                groups.computeIfAbsent(
                    tx + "/zero_window/" + sender, k -> new Group(tx, "zero_window", sender));
            g.cost += wait;
            g.longest = Math.max(g.longest, wait);
            g.count++;
            g.confirmed &= !lossy;
            if (g.frames.size() < 10) {
              g.frames.add(t.frame(zeroIndex[d]));
              g.frames.add(t.frame(i));
            }
          }
          zeroSince[d] = -1;
        }
      }
      lastSent[d] = t.ts(i);
    }
    for (Group g : groups.values()) {
      out.accept(finding(c, g));
    }
  }

  /** Peer ACKs equal to the retransmitted segment's sequence number, before it. */
  private static int dupAcks(SegmentTimeline t, int i, int d) {
    long seq = t.seq(i);
    int n = 0;
    for (int j = i - 1; j >= 0; j--) {
      if (t.dir(j) == d && t.seq(j) == seq && !t.isRetransmission(j)) {
        break; // the original transmission
      }
      if (t.dir(j) != d && t.len(j) == 0 && t.ack(j) == seq) {
        n++;
      }
    }
    return Math.max(0, n - 1); // the first ACK at seq is the normal one
  }

  /** Timeline index of the first transmission of the data retransmitted at {@code i}, or -1. */
  private static int original(SegmentTimeline t, int i) {
    long seq = t.seq(i);
    int d = t.dir(i);
    for (int j = 0; j < i; j++) {
      if (t.dir(j) == d
          && t.seq(j) <= seq
          && seq < t.seq(j) + Math.max(1, t.len(j))
          && !t.isRetransmission(j)) {
        return j;
      }
    }
    return -1;
  }

  private static String times(int n) {
    return n == 1 ? "once" : n + " times";
  }

  private Finding finding(Connection c, Group g) {
    String sender = g.sender == Direction.CLIENT ? "client" : "server";
    String receiver = g.sender == Direction.CLIENT ? "server" : "client";
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("kind", g.kind);
    d.put("sender", sender);
    d.put("stalls", g.count);
    d.put("longest_us", g.longest);
    String where = g.tx >= 0 ? " during transaction #" + g.tx : "";
    String summary =
        "timeout".equals(g.kind)
            ? String.format(
                Locale.ROOT,
                "the %s waited for a retransmission timeout %s%s (not"
                    + " a fast retransmit: no duplicate ACKs), losing %.1f ms (longest %.1f ms)",
                sender,
                times(g.count),
                where,
                g.cost / 1000.0,
                g.longest / 1000.0)
            : String.format(
                Locale.ROOT,
                "the %s's receive window was zero %s%s: the %s waited"
                    + " %.1f ms in all (longest %.1f ms) for the %s to read",
                receiver,
                times(g.count),
                where,
                sender,
                g.cost / 1000.0,
                g.longest / 1000.0,
                receiver);
    String fix =
        "timeout".equals(g.kind)
            ? "find the packet loss on the path (interface errors, a congested or policing link);"
                + " with SACK and enough data in flight, losses are repaired by fast retransmit instead"
            : "make the "
                + receiver
                + " read faster (a busy or blocked application, a too small"
                + " receive buffer)";
    List<Long> frames = new ArrayList<>(g.frames);
    frames.sort(null);
    StringBuilder filter = new StringBuilder("frame.number in {");
    for (int i = 0; i < frames.size(); i++) {
      filter.append(i == 0 ? "" : " ").append(frames.get(i));
    }
    filter.append('}');
    return new Finding(
        TYPE,
        SeverityRule.cost(g.cost, options.retransmissionMinStallMicros),
        g.confirmed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        g.tx,
        g.cost,
        frames,
        filter.toString(),
        summary,
        fix,
        d);
  }
}
