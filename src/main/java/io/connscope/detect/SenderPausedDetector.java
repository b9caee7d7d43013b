package io.connscope.detect;

/*
 * tcp.sender_paused
 *
 * Rule: the sender was application-limited inside a message, repeatedly: it had window and
 * nothing in flight, yet sent nothing for a while. From TransferGaps, per pair of consecutive new
 * data segments A, B of the message's sender: a receiver segment after A acknowledged everything
 * up to A's end with a window that admits B (room to the right edge at least min(B's length, the
 * MSS), non-zero), and B left at least max(senderPauseMinMicros (10 ms), half the round trip
 * between the capture point and the sender) after it, less that round trip (near the receiver,
 * the ACK's trip to the sender and B's trip back; the half round trip keeps the path's delay
 * variation, which a capture near the receiver counts in the pause, out). At least
 * senderPauseMinCount (2) such pauses in one message.
 * Cost: the pauses, summed (a lower bound: a delayed ACK of A starts the count late).
 * Severity from cost: warning when the cost is at least transferWarnMicros (100 ms) and at least
 * transferWarnShare (10%) of the message's transfer time, info otherwise; never error.
 * Attribution: both A and B lie within one HTTP message (transaction and side), so the time a
 * server takes to answer and the client's think time between requests are never counted. Not
 * reported on connections without HTTP: without message boundaries an RPC's or an interactive
 * session's rhythm looks the same.
 * Not counted: gaps with a retransmission between A and B (loss recovery), gaps in which data was
 * still unacknowledged (the sender may have been waiting for its congestion window), gaps in which
 * the window did not admit B (tcp.receive_window_limited), gaps in which the receiver sent data (an
 * exchange inside the message, e.g. a 100 Continue before the request body).
 * Confidence: confirmed when the handshake gave the window scale and the round trip and the
 * connection lost nothing in the capture; suspected otherwise.
 * Fix: the application produces the body slowly (a slow upstream, a database, a generator that
 * flushes in pieces): speed it up, send what is ready sooner, or cache; the network was not the
 * limit.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.ReceiveWindow;
import io.connscope.detect.facts.TimelineScans;
import io.connscope.detect.facts.TransferGaps;
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

/** Reports, per message, the time its sender sat idle with window and nothing in flight. */
public final class SenderPausedDetector extends TransferGapDetector {
  public static final String TYPE = "tcp.sender_paused";

  public SenderPausedDetector(DetectOptions options, TimelineScans scans) {
    super(options, scans);
  }

  @Override
  long cost(Connection c, TransferGaps.Gap g) {
    long rttSender = g.dir() == Direction.CLIENT ? c.rttToClientMicros() : c.rttToServerMicros();
    long min = Math.max(options.senderPauseMinMicros, Math.max(0, rttSender) / 2);
    return g.idleFrom() >= 0 && !g.peerData() && g.pausedMicros() >= min ? g.pausedMicros() : 0;
  }

  @Override
  void evidence(SegmentTimeline t, TransferGaps.Gap g, List<Long> frames) {
    frames.add(t.frame(g.data()));
    frames.add(t.frame(g.idleFrom()));
    frames.add(t.frame(g.next()));
  }

  @Override
  Finding finding(Connection c, HttpTracker http, Group g) {
    if (g.tx == null || g.count < options.senderPauseMinCount) {
      return null;
    }
    boolean client = g.dir == Direction.CLIENT;
    String sender = client ? "client" : "server";
    String receiver = client ? "server" : "client";
    long transfer = transferMicros(c, http, g);
    List<Long> frames = new ArrayList<>(new TreeSet<>(g.frames));
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("sender", sender);
    d.put("pauses", g.count);
    d.put("longest_pause_us", g.longest);
    d.put("transfer_us", transfer);
    String share =
        transfer > 0
            ? String.format(
                Locale.ROOT,
                " of the %.1f ms transfer (%d%%)",
                transfer / 1000.0,
                Math.round(100.0 * Math.min(g.cost, transfer) / transfer))
            : "";
    String summary =
        String.format(
            Locale.ROOT,
            "the %s paused %d times inside its %s with everything acknowledged and the %s's window"
                + " open: %.1f ms idle%s (longest %.1f ms); the %s, not the network, set the pace",
            sender,
            g.count,
            message(http, g),
            receiver,
            g.cost / 1000.0,
            share,
            g.longest / 1000.0,
            sender);
    String fix =
        "on the "
            + sender
            + ": produce the body"
            + " faster (a slow upstream, database or generator that writes in pieces), send what is"
            + " ready sooner, or cache it; a bigger window or buffer will not help";
    long rtt = client ? c.rttToClientMicros() : c.rttToServerMicros();
    boolean confirmed =
        rtt >= 0
            && ReceiveWindow.scaleKnown(c, g.dir)
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
