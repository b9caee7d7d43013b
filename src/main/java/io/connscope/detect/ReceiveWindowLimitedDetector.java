package io.connscope.detect;

/*
 * tcp.receive_window_limited
 *
 * Rule: the receiver's window held the sender inside a message. From TransferGaps, per pair of
 * consecutive new data segments A, B of the message's sender: at A the data in flight had reached
 * the receiver's advertised window (the room from A's end to the largest right edge, ACK + window,
 * advertised before A was below min(B's length, the sender's MSS): "window full"), or the window
 * was zero; B left after a receiver segment opened the window enough for it (the window update).
 * Cost: the time the sender was blocked, summed over the message: per block min(B - A, opening -
 * A + rtt(capture point <-> sender)), the same from every vantage point.
 * Reported when the cost is at least windowLimitedMinMicros (10 ms): a loopback bulk transfer
 * fills a 64 KiB window for microseconds. Severity from cost: warning when the cost is at least
 * transferWarnMicros (100 ms) and at least transferWarnShare (10%) of the message's transfer time
 * (its first to last segment), info otherwise; never error (nothing failed).
 * Attribution: both A and B lie within one message (transaction and side); per direction on a
 * connection without HTTP.
 * Details: the receiver's largest advertised window, whether window scaling was on (both SYNs
 * carried the option) and its shift, blocks, zero-window blocks, longest block, transfer time.
 * The window the sender knew at A: the receiver's segments captured at least the round trip
 * (capture point <-> sender), less releaseToleranceMicros, before A (TransferGaps).
 * Not counted: gaps with a retransmission between A and B (loss recovery), windows of unknown
 * scale (handshake not captured) unless zero, a block whose window opening the capture missed, a
 * full (not zero) window in the sender's first flight (the initial congestion window held it as
 * much).
 * Confidence: confirmed when the window scale is known and the connection lost nothing in the
 * capture; suspected otherwise.
 * Diagnosis (shared with tcp.transfer_limited, TransferLimits.windowLimit): the receiver's mean
 * time from the data reaching it to the window opening (TransferLimits.readerHold, weighted by the
 * time blocked: details reader_hold_us) against the round trip: longer, the reader was slow
 * (limit "receive window (reader slow)"); else no window scaling (scaling off, window never above
 * 64 KiB) or a window too small for the path.
 * Fix, by that diagnosis: a slow reader: the receiving application must read faster (a larger
 * buffer only hides it); no scaling: turn window scaling on; a window too small for the path: a
 * receive buffer of at least the bandwidth-delay product, don't clamp it (an SO_RCVBUF set by the
 * application turns Linux's autotuning off, and set before connect it fixes the window scale;
 * net.ipv4.tcp_rmem's maximum caps autotuning).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.LossRecovery;
import io.connscope.detect.facts.ReceiveWindow;
import io.connscope.detect.facts.TimelineScans;
import io.connscope.detect.facts.TransferGaps;
import io.connscope.detect.facts.TransferLimits;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reports, per message, the time its sender spent blocked on the receiver's window. */
public final class ReceiveWindowLimitedDetector extends TransferGapDetector {
  public static final String TYPE = "tcp.receive_window_limited";

  public ReceiveWindowLimitedDetector(DetectOptions options, TimelineScans scans) {
    super(options, scans);
  }

  @Override
  long cost(Connection c, TransferGaps.Gap g) {
    return g.open() >= 0 ? g.blockedMicros() : 0;
  }

  @Override
  void account(Connection c, TransferGaps.Gap gap, long cost, Group g) {
    g.weighted += TransferLimits.readerHold(c, c.timeline(), gap.dir(), gap) * cost;
  }

  @Override
  void evidence(SegmentTimeline t, TransferGaps.Gap g, List<Long> frames) {
    frames.add(t.frame(g.data()));
    frames.add(t.frame(g.open()));
    frames.add(t.frame(g.next()));
  }

  @Override
  Finding finding(Connection c, HttpTracker http, Group g) {
    if (g.cost < options.windowLimitedMinMicros) {
      return null;
    }
    boolean client = g.dir == Direction.CLIENT;
    String sender = client ? "client" : "server";
    String receiver = client ? "server" : "client";
    long transfer = transferMicros(c, http, g);
    long maxWindow = c.half(1 - g.dir).maxWindow();
    String scaling = ReceiveWindow.scaling(c, g.dir);
    List<Long> frames = new ArrayList<>(new TreeSet<>(g.frames));
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("sender", sender);
    d.put("receiver", receiver);
    d.put("blocks", g.count);
    d.put("zero_window_blocks", g.zero);
    d.put("longest_block_us", g.longest);
    d.put("transfer_us", transfer);
    d.put("receiver_max_window", maxWindow);
    d.put("window_scaling", scaling);
    long rtt = LossRecovery.rtt(c);
    long hold = g.weighted / Math.max(1, g.cost);
    String limit = TransferLimits.windowLimit(hold, rtt, scaling, maxWindow);
    d.put("limit", limit);
    d.put("reader_hold_us", hold);
    String share =
        transfer > 0
            ? String.format(
                Locale.ROOT,
                " of the %.1f ms transfer (%d%%)",
                transfer / 1000.0,
                Math.round(100.0 * Math.min(g.cost, transfer) / transfer))
            : "";
    String how =
        g.zero == 0
            ? "the window was full each time"
            : g.zero == g.count
                ? "the window was zero each time"
                : String.format(Locale.ROOT, "the window was full, %d of them zero", g.zero);
    String summary =
        String.format(
                Locale.ROOT,
                "the %s's receive window held the %s's %s: blocked %.1f ms%s, %s (%s); the %s"
                    + " advertised at most %d bytes (window scaling %s)",
                receiver,
                sender,
                message(http, g),
                g.cost / 1000.0,
                share,
                times(g.count),
                how,
                receiver,
                maxWindow,
                scaling)
            + (limit.equals(TransferLimits.READER_SLOW)
                ? String.format(
                    Locale.ROOT,
                    "; it opened the window %s after the data reached it on average, longer than"
                        + " the %s round trip: its application read slowly",
                    KeepAlive.ms(hold),
                    KeepAlive.ms(Math.max(0, rtt)))
                : String.format(
                    Locale.ROOT,
                    "; it opened the window %s after the data reached it on average, within the"
                        + " %s round trip: the window is %s",
                    KeepAlive.ms(hold),
                    KeepAlive.ms(Math.max(0, rtt)),
                    limit.equals(TransferLimits.NO_SCALING)
                        ? "capped at 64 KiB without window scaling"
                        : "too small for the path"));
    String fix =
        switch (limit) {
          case TransferLimits.READER_SLOW ->
              "the "
                  + receiver
                  + "'s application must read faster (a larger receive buffer only hides a slow"
                  + " reader)";
          case TransferLimits.NO_SCALING ->
              "turn window scaling on at the "
                  + receiver
                  + " (an SO_RCVBUF set before connect fixes a small scale, or none) and give it a"
                  + " receive buffer of at least the bandwidth-delay product";
          default ->
              "give the "
                  + receiver
                  + " a receive buffer of at least the bandwidth-delay product: don't clamp it (an"
                  + " SO_RCVBUF set by the application turns Linux's receive-buffer autotuning off,"
                  + " and set before connect it fixes the window scale; net.ipv4.tcp_rmem's maximum"
                  + " caps autotuning)";
        };
    boolean confirmed =
        ReceiveWindow.scaleKnown(c, g.dir)
            && c.half(Direction.CLIENT).gaps() + c.half(Direction.SERVER).gaps() == 0;
    return new Finding(
        TYPE,
        severity(g.cost, transfer),
        confirmed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        g.tx == null ? -1 : g.tx.index(),
        g.cost,
        frames,
        filter(frames),
        summary,
        fix,
        d);
  }
}
