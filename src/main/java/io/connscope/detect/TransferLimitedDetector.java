package io.connscope.detect;

/*
 * tcp.transfer_limited
 *
 * One cause, one finding: this finding reports a transfer only when its named limit has no
 * dedicated finding that covers it, decided from the facts both are computed from
 * (TransferLimits.coveredBy, never by asking another detector): a receive window limit with at
 * least windowLimitedMinMicros blocked is tcp.receive_window_limited's (which carries the
 * diagnosis: reader slow, no window scaling, or a window too small for the path, and the fix that
 * goes with it); a sender limit with at least senderPauseMinCount pauses is tcp.sender_paused's;
 * congestion/loss with lost segments repaired is tcp.loss_recovery's; slow start on a response
 * whose flights grew as slow start grows them, on a new connection or after an idle longer than
 * the retransmission timeout, is tcp.slow_start's. What stays here: the path (bottleneck rate),
 * which no other finding states, and a limit the dedicated detectors' rules skip. Every transfer's
 * shares, path rate, bandwidth-delay product and limit stay in the result model (the connection's
 * transfers, "What limited each large transfer") whether or not a finding is reported.
 *
 * Rule: for every large transfer (an HTTP message body carried by at least 10 new data segments,
 * TransferLimits.MIN_SEGMENTS), say what limited it, as shares of its time (first to last data
 * segment): receive window (blocked on a zero or full window, TransferGaps' window gaps), the
 * sender itself (application-limited: everything acknowledged, window open, nothing sent, as
 * tcp.sender_paused counts pauses), congestion (loss recovery open; slow start before the first
 * recovery or window block; congestion avoidance after), and the path's rate, estimated from the
 * ACK clock (the fastest the receiver's cumulative ACK advanced over a stretch of at least a round
 * trip and 4 segments, outside recoveries); goodput and the bandwidth-delay product. The limit is
 * the largest of window, sender and congestion, named: receive window (reader slow: the window
 * opened more than a round trip after the data reached the receiver; no window scaling: scaling
 * off and never above 64 KiB; too small for the path otherwise), sender (application-limited),
 * congestion/loss (a recovery repaired lost segments in it), congestion (slow start), path
 * (bottleneck rate).
 * Cost: the time the limit held the transfer: blocked on the window, or paused; for congestion,
 * the transfer's time beyond what its bytes take at the path rate (without a path rate, the
 * recovery and slow-start time).
 * Reported when the cost is at least transferLimitMinMicros (10 ms): a transfer that ran at the
 * path's rate is in the result model (the connection's transfers) and needs no word. Severity
 * from cost: warning when the cost is at least transferWarnMicros (100 ms) and transferWarnShare
 * (10%) of the transfer's time, info otherwise; never error (nothing failed).
 * Confidence: confirmed when the handshake gave the window scale and the round trip, and the
 * capture lost nothing of the sender's bytes; suspected otherwise.
 * Evidence: the first and last data segments, and the first window or pause blocks (for a
 * sender limit, its pauses first).
 * Fix: by limit: the reader reads faster or gets a larger buffer; window scaling on (don't set
 * SO_RCVBUF before connect); the application writes sooner; pace the sender or give the bottleneck
 * a queue of one bandwidth-delay product; a longer-lived connection (slow start); a faster path.
 */

import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.ReceiveWindow;
import io.connscope.detect.facts.TransactionSpans;
import io.connscope.detect.facts.TransferLimits;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Says, per large transfer, what limited it and what it cost. */
public final class TransferLimitedDetector implements ConnectionDetector {
  public static final String TYPE = "tcp.transfer_limited";

  private final DetectOptions options;
  private final ConnectionFacts facts;

  public TransferLimitedDetector(DetectOptions options, ConnectionFacts facts) {
    this.options = options;
    this.facts = facts;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    for (TransferLimits.Transfer x : facts.transfers(c)) {
      if (x.coveredBy() == null && x.costMicros() >= options.transferLimitMinMicros) {
        out.accept(finding(c, http, x));
      }
    }
  }

  private Finding finding(Connection c, HttpTracker http, TransferLimits.Transfer x) {
    SegmentTimeline t = c.timeline();
    String sender = KeepAlive.side(x.sender());
    String receiver = KeepAlive.side(1 - x.sender());
    Transaction tx = http.transactions().get(x.transaction());
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "the %s's %s (%d bytes in %.1f ms, %s) was limited by %s%s: %s",
            sender,
            TransactionSpans.message(http, tx, x.sender()),
            x.bytes(),
            x.micros() / 1000.0,
            ConnectionResult.Transfer.rate(x.goodputBps()),
            x.limit().startsWith("congestion") ? "" : "the ",
            x.limit(),
            reason(x, sender, receiver)));
    s.append(
        String.format(
            Locale.ROOT,
            "; of its time: receive window %d%%, sender %d%%, slow start %d%%, recovery %d%%,"
                + " congestion avoidance %d%%",
            pct(x.windowMicros(), x.micros()),
            pct(x.applicationMicros(), x.micros()),
            pct(x.slowStartMicros(), x.micros()),
            pct(x.recoveryMicros(), x.micros()),
            pct(x.avoidanceMicros(), x.micros())));
    if (x.pathRateBps() > 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "; path rate %s%s from the ACK clock",
              x.pathRateLowerBound() ? "at least " : "",
              ConnectionResult.Transfer.rate(x.pathRateBps())));
      if (x.bdpBytes() >= 0) {
        s.append(
            String.format(
                Locale.ROOT,
                ", bandwidth-delay product %s%d bytes at a %s round trip",
                x.pathRateLowerBound() ? "at least " : "",
                x.bdpBytes(),
                KeepAlive.ms(x.rttMicros())));
      }
    }
    s.append(String.format(Locale.ROOT, "; it cost %.1f ms", x.costMicros() / 1000.0));

    TreeSet<Long> frames = new TreeSet<>();
    frames.add(t.frame(x.firstIndex()));
    frames.add(t.frame(x.lastIndex()));
    frames.addAll(x.blockFrames());
    List<Long> evidence = List.copyOf(frames);
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("sender", sender);
    d.put("limit", x.limit());
    d.put("bytes", x.bytes());
    d.put("segments", x.segments());
    d.put("transfer_us", x.micros());
    d.put("receive_window_us", x.windowMicros());
    d.put("zero_window_us", x.zeroWindowMicros());
    d.put("application_us", x.applicationMicros());
    d.put("slow_start_us", x.slowStartMicros());
    d.put("recovery_us", x.recoveryMicros());
    d.put("congestion_avoidance_us", x.avoidanceMicros());
    d.put("lost_segments", x.lostSegments());
    d.put("goodput_bps", x.goodputBps());
    d.put("path_rate_bps", x.pathRateBps());
    d.put("path_rate_lower_bound", x.pathRateLowerBound());
    d.put("bdp_bytes", x.bdpBytes());
    d.put("rtt_us", x.rttMicros());
    d.put("receiver_max_window", x.receiverMaxWindow());
    d.put("window_scaling", x.scaling());
    if (x.readerHoldMicros() >= 0) {
      d.put("reader_hold_us", x.readerHoldMicros());
    }
    Severity severity =
        x.costMicros() >= options.transferWarnMicros
                && x.costMicros() >= options.transferWarnShare * x.micros()
            ? Severity.WARNING
            : Severity.INFO;
    boolean confirmed =
        ReceiveWindow.scaleKnown(c, x.sender())
            && x.rttMicros() >= 0
            && c.half(x.sender()).gapBytes() == 0;
    return new Finding(
        TYPE,
        severity,
        confirmed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        x.transaction(),
        x.costMicros(),
        evidence,
        TransactionSpans.filter(evidence),
        s.toString(),
        fix(x, receiver, sender),
        d);
  }

  private static String reason(TransferLimits.Transfer x, String sender, String receiver) {
    return switch (x.limit()) {
      case TransferLimits.READER_SLOW ->
          String.format(
              Locale.ROOT,
              "blocked on the %s's window %d%% of its time; the %s opened it %s after the data"
                  + " reached it on average, longer than the %s round trip: its application read"
                  + " slowly",
              receiver,
              pct(x.windowMicros(), x.micros()),
              receiver,
              KeepAlive.ms(x.readerHoldMicros()),
              KeepAlive.ms(Math.max(0, x.rttMicros())));
      case TransferLimits.NO_SCALING, TransferLimits.WINDOW_SMALL ->
          String.format(
              Locale.ROOT,
              "blocked on the %s's window %d%% of its time; the %s advertised at most %d bytes (window"
                  + " scaling %s) and acknowledged promptly: the window is smaller than the path"
                  + " holds",
              receiver,
              pct(x.windowMicros(), x.micros()),
              receiver,
              x.receiverMaxWindow(),
              x.scaling());
      case TransferLimits.APPLICATION ->
          String.format(
              Locale.ROOT,
              "the %s sat idle with everything acknowledged and the window open %d%% of the time",
              sender,
              pct(x.applicationMicros(), x.micros()));
      case TransferLimits.LOSS ->
          String.format(
              Locale.ROOT,
              "%d lost segments; recovering took %d%% of the time and slow start %d%%",
              x.lostSegments(),
              pct(x.recoveryMicros(), x.micros()),
              pct(x.slowStartMicros(), x.micros()));
      case TransferLimits.SLOW_START ->
          String.format(
              Locale.ROOT,
              "the congestion window was still growing %d%% of the time",
              pct(x.slowStartMicros(), x.micros()));
      default -> "the sender kept the path full";
    };
  }

  private static String fix(TransferLimits.Transfer x, String receiver, String sender) {
    return switch (x.limit()) {
      case TransferLimits.READER_SLOW ->
          "the "
              + receiver
              + "'s application must read faster (a larger receive buffer only hides a slow reader)";
      case TransferLimits.NO_SCALING ->
          "turn window scaling on at the "
              + receiver
              + " (an SO_RCVBUF set before connect fixes a small scale, or none) and give it a receive"
              + " buffer of at least the bandwidth-delay product";
      case TransferLimits.WINDOW_SMALL ->
          "give the "
              + receiver
              + " a receive buffer of at least the bandwidth-delay product (don't clamp SO_RCVBUF;"
              + " net.ipv4.tcp_rmem's maximum caps autotuning)";
      case TransferLimits.APPLICATION ->
          "the "
              + sender
              + "'s application produced the body slowly: speed it up or send what is ready sooner";
      case TransferLimits.LOSS ->
          "find the loss on the path; for a burst at the end of slow start,"
              + " pace the sender (fq, BBR) or give the bottleneck a queue of about one"
              + " bandwidth-delay product";
      case TransferLimits.SLOW_START ->
          "reuse warm connections (keep-alive), and don't let them"
              + " idle into a slow-start restart (net.ipv4.tcp_slow_start_after_idle)";
      default -> "the path's rate set the pace: only a faster path (or less data) helps";
    };
  }

  private static int pct(long part, long whole) {
    return whole > 0 ? (int) Math.round(100.0 * part / whole) : 0;
  }
}
