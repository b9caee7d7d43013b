package io.connscope.detect;

/*
 * connection.syn_retry
 *
 * Rule: per connection whose client SYN was seen, one finding when
 *   - the client sent its SYN more than once (the SYN or the SYN/ACK was lost, or the server
 *     dropped it: a full accept queue, a firewall); the retries follow the SYN timeout, 1 s then
 *     doubling (RFC 6298 §5.7; Linux: 1, 2, 4... s), which the user sees as a slow connect;
 *   - the server sent its SYN/ACK more than once (its SYN/ACK or the client's ACK was lost, or
 *     the server's accept queue was full and it dropped the ACK);
 *   - the server answered the SYN with RST: connection refused (nothing listening);
 *   - the handshake never completed: no SYN/ACK and no RST in the capture.
 * Cost: time from the first SYN (SYN/ACK) to the one that got through; for a refused connect the
 * time to the RST; for a handshake that never completed the time from the first SYN to the last
 * packet of the connection.
 * Not reported: connections first seen mid-stream (no SYN); retries less than 100 ms after the
 * first (a duplicate in the capture: no stack retries a SYN that soon, Linux waits 1 s); a lone
 * SYN with nothing after it for less than 3 s (the capture probably just ended).
 * Severity (SeverityRule): error when the connect failed (refused by RST; a handshake that never
 * completed within 3 s); retries that got through cost the connect their time: warning from
 * costWarnMicros (10 ms), info when cheaper; a handshake the capture ended on early is judged by
 * its cost too. Confidence: confirmed (the packets are in the capture); suspected for "never
 * completed" when the capture ended less than 3 s after the SYN (the answer may just be after
 * the end).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import io.connscope.tcp.Segment;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports slow or failed connection setups. */
public final class SynRetryDetector implements ConnectionDetector {
  public static final String TYPE = "connection.syn_retry";

  /** An unanswered SYN younger than this at the end of the capture may still have been answered. */
  static final long UNANSWERED_MIN_MICROS = 3_000_000;

  /** Retries closer than this to the first transmission are capture duplicates, not retries. */
  static final long MIN_RETRY_MICROS = 100_000;

  private final long warnUs;

  public SynRetryDetector(DetectOptions options) {
    this.warnUs = options.costWarnMicros;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (c.synFrame() < 0) {
      return;
    }
    SegmentTimeline t = c.timeline();
    List<Integer> syns = new ArrayList<>();
    List<Integer> synAcks = new ArrayList<>();
    int rst = -1;
    for (int i = 0; i < t.size(); i++) {
      int f = t.flags(i);
      if ((f & Segment.SYN) != 0 && t.dir(i) == Direction.CLIENT && (f & Segment.ACK) == 0) {
        syns.add(i);
      } else if ((f & Segment.SYN) != 0 && t.dir(i) == Direction.SERVER && (f & Segment.ACK) != 0) {
        synAcks.add(i);
      } else if ((f & Segment.RST) != 0
          && t.dir(i) == Direction.SERVER
          && rst < 0
          && synAcks.isEmpty()) {
        rst = i;
      }
    }
    if (syns.isEmpty()) {
      return;
    }
    long firstSyn = t.ts(syns.get(0));
    if (synAcks.isEmpty() && rst >= 0) {
      int last = syns.get(syns.size() - 1);
      long cost = t.ts(rst) - firstSyn;
      out.accept(
          finding(
              c,
              "refused",
              SeverityRule.failed(),
              true,
              cost,
              frames(t, syns, rst),
              String.format(
                  Locale.ROOT,
                  "the server refused the connection: RST %.1f ms after the %s" + " (frame %d)%s",
                  (t.ts(rst) - t.ts(last)) / 1000.0,
                  syns.size() > 1 ? "last of " + syns.size() + " SYNs" : "SYN",
                  t.frame(last),
                  syns.size() > 1
                      ? String.format(Locale.ROOT, "; %.1f ms after the first SYN", cost / 1000.0)
                      : ""),
              "check that the server listens on that address and port (service down, wrong port, or"
                  + " a firewall answering with RST)",
              syns,
              t));
      return;
    }
    if (synAcks.isEmpty()) {
      long cost = c.lastTsMicros() - firstSyn;
      boolean sure = cost >= UNANSWERED_MIN_MICROS;
      if (!sure && (syns.size() < 2 || cost < MIN_RETRY_MICROS)) {
        return;
      }
      out.accept(
          finding(
              c,
              "no_answer",
              sure ? SeverityRule.failed() : SeverityRule.cost(cost, warnUs),
              sure,
              cost,
              frames(t, syns, -1),
              String.format(
                  Locale.ROOT,
                  "the handshake never completed: %d SYN%s over %.1f ms and no"
                      + " SYN/ACK or RST in the capture",
                  syns.size(),
                  syns.size() > 1 ? "s" : "",
                  cost / 1000.0),
              "check that the server is reachable (routing, a firewall dropping SYNs) and not"
                  + " overloaded (a full listen backlog drops SYNs)",
              syns,
              t));
      return;
    }
    int answered = syns.get(0);
    for (int s : syns) {
      if (s < synAcks.get(0)) {
        answered = s;
      }
    }
    long synCost = t.ts(answered) - firstSyn;
    if (syns.size() > 1 && answered != syns.get(0) && synCost >= MIN_RETRY_MICROS) {
      List<Integer> used = syns.subList(0, syns.indexOf(answered) + 1);
      out.accept(
          finding(
              c,
              "syn_retransmission",
              SeverityRule.cost(synCost, warnUs),
              true,
              synCost,
              frames(t, used, synAcks.get(0)),
              String.format(
                  Locale.ROOT,
                  "the client sent its SYN %d times; the SYN/ACK (frame %d)"
                      + " answered the one sent %.1f ms after the first: the connect took that much longer",
                  used.size(),
                  t.frame(synAcks.get(0)),
                  synCost / 1000.0),
              "find where the first SYNs were lost: a full listen backlog on the server (raise the"
                  + " backlog and somaxconn, accept faster), a firewall or rate limiter, or packet loss"
                  + " on the path",
              used,
              t));
    }
    if (synAcks.size() > 1) {
      long cost = t.ts(synAcks.get(synAcks.size() - 1)) - t.ts(synAcks.get(0));
      if (cost >= MIN_RETRY_MICROS) {
        out.accept(
            finding(
                c,
                "syn_ack_retransmission",
                SeverityRule.cost(cost, warnUs),
                true,
                cost,
                frames(t, synAcks, -1),
                String.format(
                    Locale.ROOT,
                    "the server sent its SYN/ACK %d times over %.1f ms: the SYN/ACK"
                        + " or the client's ACK was lost, or the server's accept queue was full",
                    synAcks.size(),
                    cost / 1000.0),
                "check the server's accept queue (listen backlog, how fast the application accepts)"
                    + " and loss on the path",
                synAcks,
                t));
      }
    }
  }

  private static List<Long> frames(SegmentTimeline t, List<Integer> idx, int extra) {
    List<Long> f = new ArrayList<>();
    for (int i : idx) {
      f.add(t.frame(i));
    }
    if (extra >= 0) {
      f.add(t.frame(extra));
    }
    f.sort(null);
    return f;
  }

  private static Finding finding(
      Connection c,
      String kind,
      Severity severity,
      boolean confirmed,
      long cost,
      List<Long> frames,
      String summary,
      String fix,
      List<Integer> retries,
      SegmentTimeline t) {
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("kind", kind);
    d.put("syn_count", c.synCount());
    d.put("syn_ack_count", c.synAckCount());
    List<Long> intervals = new ArrayList<>();
    for (int i = 1; i < retries.size(); i++) {
      intervals.add(t.ts(retries.get(i)) - t.ts(retries.get(i - 1)));
    }
    d.put("retry_intervals_us", intervals);
    StringBuilder filter = new StringBuilder("frame.number in {");
    for (int i = 0; i < frames.size(); i++) {
      filter.append(i == 0 ? "" : " ").append(frames.get(i));
    }
    filter.append('}');
    return new Finding(
        TYPE,
        severity,
        confirmed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        -1,
        Math.max(0, cost),
        frames,
        filter.toString(),
        summary,
        fix,
        d);
  }
}
