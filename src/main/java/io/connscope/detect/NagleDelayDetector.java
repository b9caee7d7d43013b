package io.connscope.detect;

/*
 * tcp.nagle_delay
 *
 * Rule: a segment of an HTTP message that was not yet complete was released only by the ACK of
 * the message's earlier segment, and that segment was smaller than the MSS: the application had
 * already written it (the message was unfinished), and Nagle (RFC 896) held it until every
 * earlier byte was acknowledged. Evidence from AckGatedReleases: the segment followed, by the
 * round trip (capture point <-> sender) within releaseToleranceMicros (2 ms) later or max(2 ms,
 * an eighth of that round trip) sooner, the ACK that covered
 * the message's previous segment, and it was held (from the previous segment to it) at least
 * minStallMicros (10 ms). When the receiver also delayed that ACK (a pure ACK, late by at least
 * minStallMicros beyond the round trip) the summary names the delayed ACK; otherwise the wait was
 * one round trip (a long path makes Nagle cost an RTT per split message even with quick ACKs).
 * Attribution: both the held segment and its predecessor lie within one message (from the
 * message's first frame to its last frame on that side of the transaction).
 * Cost: the time the segments were held, summed over the message (it may wait several times).
 * Severity (SeverityRule): warning from minStallMicros, the threshold every wait reported meets.
 * Inferred exchanges: on a TLS connection where no HTTP was read (no keys, an h2 connection) the
 * messages are the client's and the server's records of each exchange inferred from them
 * (InferredExchanges); the finding names the inferred exchange, never a request, is marked
 * inferred in its details, and is suspected (the exchange's bounds are inferred, not seen).
 * Not reported: waits between two messages (that is the request/response rhythm, reported only
 * as tcp.delayed_ack_stall), full-size segments (window-gated), waits under minStallMicros
 * (loopback round trips), and waits the receive window gated (AckGatedReleases' window rule-out:
 * the held segment did not fit in the advertised window before the ACK, or the window was zero:
 * Nagle was not what held it; see tcp.receive_window_limited).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.AckGatedReleases;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.InferredExchanges;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.detect.facts.TimelineScans;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports, per transaction and side, message segments that Nagle held for a delayed ACK. */
public final class NagleDelayDetector extends ReleaseDetector {
  public static final String TYPE = "tcp.nagle_delay";

  public NagleDelayDetector(DetectOptions options, TimelineScans scans) {
    super(options, scans);
  }

  /**
   * Groups the Nagle waits inside one message by (transaction, side), or on a TLS connection
   * without HTTP by (inferred exchange, side), and reports each group.
   */
  @Override
  void report(
      Connection c,
      HttpTracker http,
      TlsFacts tls,
      AckGatedReleases.Batch releases,
      Consumer<Finding> out) {
    boolean isHttp = http != null && http.isHttp();
    List<TlsFacts.Exchange> inferred = InferredExchanges.of(http, tls);
    if (!isHttp && inferred.isEmpty()) {
      return;
    }
    SegmentTimeline t = c.timeline();
    TreeMap<Long, List<AckGatedReleases.Release>> byMessage = null; // made for the first wait
    for (int i = 0; i < releases.size(); i++) {
      if (!releases.nagle(i)
          || releases.windowGated(i)
          || releases.heldMicros(i) < options.minStallMicros) {
        continue;
      }
      AckGatedReleases.Release r = releases.get(i);
      long frame = t.frame(r.released());
      long key = -1;
      if (isHttp) {
        Transaction tx = AckGatedReleases.transactionAt(http, r.dir(), frame);
        if (tx != null
            && t.frame(r.data())
                >= AckGatedReleases.firstFrame(tx, AckGatedReleases.sendsRequests(http, r.dir()))) {
          key = tx.index() * 2L + r.dir();
        }
      } else {
        TlsFacts.Exchange x = InferredExchanges.at(inferred, r.dir(), frame);
        if (x != null && t.frame(r.data()) >= InferredExchanges.firstFrame(x, r.dir())) {
          key = x.index() * 2L + r.dir();
        }
      }
      if (key >= 0) {
        if (byMessage == null) {
          byMessage = new TreeMap<>();
        }
        byMessage.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      }
    }
    if (byMessage == null) {
      return;
    }
    for (List<AckGatedReleases.Release> rs : byMessage.values()) {
      AckGatedReleases.Release r0 = rs.get(0);
      long frame = t.frame(r0.released());
      if (isHttp) {
        Transaction tx = AckGatedReleases.transactionAt(http, r0.dir(), frame);
        boolean requests = AckGatedReleases.sendsRequests(http, r0.dir());
        out.accept(finding(c, tx, r0.dir(), requests, rs, t, options));
      } else {
        TlsFacts.Exchange x = InferredExchanges.at(inferred, r0.dir(), frame);
        out.accept(inferredFinding(c, x, r0.dir(), rs, t, options));
      }
    }
  }

  private Finding finding(
      Connection c,
      Transaction tx,
      int dir,
      boolean requests,
      List<AckGatedReleases.Release> rs,
      SegmentTimeline t,
      DetectOptions options) {
    AckGatedReleases.Release r0 = rs.get(0);
    long messageStart = messageStartSeq(t, dir, AckGatedReleases.firstFrame(tx, requests));
    long headerBytes = requests ? tx.requestHeaderBytes() : tx.responseHeaderBytes();
    boolean headersThenBody =
        rs.size() == 1
            && messageStart >= 0
            && t.seq(r0.data()) + t.len(r0.data()) - messageStart == headerBytes;
    String what =
        requests
            ? "request " + safe(tx.method()) + " " + safe(tx.uri())
            : "response " + tx.status() + " to " + safe(tx.method()) + " " + safe(tx.uri());
    String how =
        headersThenBody
            ? "headers and body in two writes; the body"
            : "written in pieces; a later piece";
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("headers_then_body", headersThenBody);
    return finding(
        c, dir, requests, what + " " + how, rs, t, options, d, tx.index(), Confidence.CONFIRMED);
  }

  /**
   * The Nagle waits of one side of an inferred exchange: the records of one message, as the TLS
   * layer grouped them (suspected: the message's bounds are inferred).
   */
  private static Finding inferredFinding(
      Connection c,
      TlsFacts.Exchange x,
      int dir,
      List<AckGatedReleases.Release> rs,
      SegmentTimeline t,
      DetectOptions options) {
    boolean requests = dir == Direction.CLIENT;
    String what =
        (requests ? "the request records of " : "the response records of ")
            + InferredExchanges.name(x)
            + " (from the TLS records' timing: no HTTP message was read) were written in pieces;"
            + " a later piece";
    TreeMap<String, Object> d = new TreeMap<>();
    InferredExchanges.mark(d, x);
    return finding(c, dir, requests, what, rs, t, options, d, -1, Confidence.SUSPECTED);
  }

  /**
   * The finding for the waits {@code rs} of one message ({@code what} says which and how it was
   * written); {@code d} holds the details particular to the message; the confidence is at most
   * {@code atMost} (suspected when a round trip was not known).
   */
  private static Finding finding(
      Connection c,
      int dir,
      boolean requests,
      String what,
      List<AckGatedReleases.Release> rs,
      SegmentTimeline t,
      DetectOptions options,
      TreeMap<String, Object> d,
      int transaction,
      Confidence atMost) {
    boolean client = dir == Direction.CLIENT;
    String side = client ? "client" : "server";
    String peer = client ? "server" : "client";
    long cost = 0;
    List<Long> frames = new ArrayList<>();
    boolean confirmed = atMost == Confidence.CONFIRMED;
    boolean delayedAck = false;
    for (AckGatedReleases.Release r : rs) {
      cost += r.heldMicros();
      delayedAck |= r.pureAck() && r.stallMicros() >= options.minStallMicros;
      frames.add(t.frame(r.data()));
      frames.add(t.frame(r.ack()));
      frames.add(t.frame(r.released()));
      confirmed &= r.rttKnown();
    }
    frames.sort(null);
    String summary =
        String.format(
            Locale.ROOT,
            "%s: %s waited %.1f ms for the %s's %s%s",
            side,
            what,
            cost / 1000.0,
            peer,
            delayedAck ? "delayed ACK" : "ACK (one round trip; the ACK was not delayed)",
            rs.size() > 1 ? " (" + rs.size() + " waits)" : "");
    d.put("side", side);
    d.put("message", requests ? "request" : "response");
    d.put("waits", rs.size());
    d.put("delayed_ack", delayedAck);
    d.put("held_frames", rs.stream().map(r -> t.frame(r.released())).toList());
    StringBuilder filter = new StringBuilder("frame.number in {");
    for (int i = 0; i < frames.size(); i++) {
      filter.append(i == 0 ? "" : " ").append(frames.get(i));
    }
    filter.append('}');
    String fix =
        "set TCP_NODELAY on the "
            + side
            + "'s socket, or write each "
            + (requests ? "request" : "response")
            + " in one write (headers and body together)";
    return new Finding(
        TYPE,
        SeverityRule.cost(cost, options.minStallMicros),
        confirmed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        transaction,
        cost,
        frames,
        filter.toString(),
        summary,
        fix,
        d);
  }

  /** Relative sequence number of the segment carried by {@code frame} in direction {@code dir}. */
  private static long messageStartSeq(SegmentTimeline t, int dir, long frame) {
    for (int i = 0; i < t.size(); i++) {
      if (t.frame(i) == frame && t.dir(i) == dir && t.len(i) > 0) {
        return t.seq(i);
      }
      if (t.frame(i) > frame) {
        break;
      }
    }
    return -1;
  }

  private static String safe(String s) {
    return s == null ? "-" : s;
  }
}
