package io.connscope.detect;

/*
 * tcp.delayed_ack_stall
 *
 * Rule: a sender had data ready but could not send it until an ACK arrived, and the receiver held
 * that ACK back. Found by AckGatedReleases: a new data segment B follows a pure ACK that covered
 * the sender's previous data segment A, and
 *   - the ACK's delay beyond the round trip (capture point <-> receiver) >= minStallMicros (10 ms);
 *   - B followed the ACK by the round trip (capture point <-> sender), at most
 *     releaseToleranceMicros (2 ms) later and at most max(2 ms, an eighth of that round trip)
 *     sooner (near the sender at once; near the receiver one round trip later; much sooner means
 *     B left before the ACK reached the sender).
 * Cost: the ACK's delay beyond the round trip.
 * Severity (SeverityRule): warning from minStallMicros, the threshold every stall reported meets.
 * Gate: Nagle when B is smaller than the sender's MSS, else the congestion/receive window.
 * Peer stack from the delay: ~40 ms Linux, ~100 ms BSD/macOS, ~200 ms Windows.
 * Not a stall: an ACK that carries data (the peer answered), a late ACK after which the sender
 * stays silent (nobody was waiting: e.g. the ACK of a response's last segment), data sent before
 * the ACK (TCP_NODELAY), data sent long after it (application think time), and a release the
 * receive window gated (AckGatedReleases' window rule-out: just before the ACK, B did not fit in
 * the advertised window, the data in flight having reached it or come within min(B, one MSS) of
 * it, or the window was zero; the ACK was a window update sent when the reader drained its
 * buffer, reported as tcp.receive_window_limited).
 * Confidence: confirmed when the handshake gave both round trips, suspected otherwise.
 * Attribution: to the transaction whose message B belongs to; on a TLS connection where no HTTP was
 * read (no keys, an h2 connection), to the inferred exchange whose records B carried (details
 * inferred and inferred_exchange; the stall itself is seen, only the exchange is inferred).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.AckGatedReleases;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.InferredExchanges;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.detect.facts.TimelineScans;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports every delayed-ACK stall of a connection, with the connection's totals. */
public final class DelayedAckStallDetector extends ReleaseDetector {
  public static final String TYPE = "tcp.delayed_ack_stall";

  public DelayedAckStallDetector(DetectOptions options, TimelineScans scans) {
    super(options, scans);
  }

  /**
   * Reports each stall as soon as the transaction it delayed is final (so reports can show it on
   * that transaction); the connection's count, total and median are in the report's per-connection
   * stall summary.
   */
  @Override
  void report(
      Connection c,
      HttpTracker http,
      TlsFacts tls,
      AckGatedReleases.Batch found,
      Consumer<Finding> out) {
    SegmentTimeline t = c.timeline();
    List<TlsFacts.Exchange> inferred = InferredExchanges.of(http, tls);
    for (int k = 0; k < found.size(); k++) {
      if (!found.pureAck(k)
          || found.windowGated(k)
          || found.stallMicros(k) < options.minStallMicros) {
        continue;
      }
      AckGatedReleases.Release r = found.get(k);
      String sender = r.dir() == Direction.CLIENT ? "client" : "server";
      String receiver = r.dir() == Direction.CLIENT ? "server" : "client";
      long receiverDelay = r.stallMicros();
      String hint = AckGatedReleases.stackHint(receiverDelay);
      String gate = r.nagle() ? "nagle" : "window";
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("sender", sender);
      d.put("data_frame", t.frame(r.data()));
      d.put("ack_frame", t.frame(r.ack()));
      d.put("released_frame", t.frame(r.released()));
      d.put("ack_delay_us", r.ackDelayMicros());
      d.put("stall_us", r.stallMicros());
      d.put("released_after_ack_us", t.ts(r.released()) - t.ts(r.ack()));
      d.put("released_bytes", t.len(r.released()));
      d.put("gated_by", gate);
      if (hint != null) {
        d.put("peer_stack_hint", hint);
      }
      TlsFacts.Exchange x =
          inferred.isEmpty()
              ? null
              : InferredExchanges.at(inferred, r.dir(), t.frame(r.released()));
      if (x != null) {
        InferredExchanges.mark(d, x);
      }
      long rttSender = r.dir() == Direction.CLIENT ? c.rttToClientMicros() : c.rttToServerMicros();
      // Locale.US, not ROOT: the same digits, point and sign for %d and %.Nf, and the JDK's
      // Formatter skips its locale lookups for US (one summary per stall: on a long connection
      // stalled at every request they were a third of the analysis thread)
      String summary =
          String.format(
                  Locale.US,
                  "the %s held its ACK of frame %d for %.1f ms beyond the round trip; the %s's next %d bytes"
                      + " (frame %d) followed that ACK (frame %d) after %.2f ms%s: gated by %s%s",
                  receiver,
                  t.frame(r.data()),
                  r.stallMicros() / 1000.0,
                  sender,
                  t.len(r.released()),
                  t.frame(r.released()),
                  t.frame(r.ack()),
                  (t.ts(r.released()) - t.ts(r.ack())) / 1000.0,
                  rttSender >= 1000
                      ? String.format(
                          Locale.US,
                          " (the round trip between the capture point and the %s is %.1f ms)",
                          sender,
                          rttSender / 1000.0)
                      : "",
                  r.nagle()
                      ? "Nagle (a segment smaller than the MSS waits for all earlier data to be"
                          + " acknowledged)"
                      : "the window (full segments waited for the ACK)",
                  hint == null ? "" : "; the delay suggests a " + hint + " receiver")
              + (x == null
                  ? ""
                  : "; in "
                      + InferredExchanges.name(x)
                      + " (from the TLS records' timing: no HTTP message was read)");
      String fix =
          r.nagle()
              ? "on the "
                  + sender
                  + ": set TCP_NODELAY, or write each message in one write"
                  + " (headers and body together); the "
                  + receiver
                  + "'s delayed ACK is then never waited for"
              : "let the "
                  + sender
                  + " keep more data in flight (larger receive window on the "
                  + receiver
                  + ", or TCP_QUICKACK on the "
                  + receiver
                  + " for request/response traffic)";
      out.accept(
          new Finding(
              TYPE,
              SeverityRule.cost(r.stallMicros(), options.minStallMicros),
              r.rttKnown() ? Confidence.CONFIRMED : Confidence.SUSPECTED,
              c.idString(),
              AckGatedReleases.transactionOf(http, r.dir(), t.frame(r.released())),
              r.stallMicros(),
              List.of(t.frame(r.data()), t.frame(r.ack()), t.frame(r.released())),
              AckGatedReleases.filter(t, r),
              summary,
              fix,
              d));
    }
  }
}
