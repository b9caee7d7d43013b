package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.http.Transaction;
import io.connscope.tcp.ConnectionView;
import java.util.List;

/**
 * The two ways a request on a reused (kept-alive) connection is lost, as predicates over one
 * connection: the dumb-proxy hang (the rule of {@code KeepAliveProxyHangDetector}) and the stale
 * reuse (the rule of {@code KeepAliveStaleReuseDetector}). Those detectors report them; {@code
 * UnansweredDetector} leaves the requests they explain to them. Shared here so that no detector
 * calls another.
 */
public final class ReuseFailures {
  private ReuseFailures() {}

  /** What the connection alone shows of a hang; linked to other connections by the detector. */
  public record Hang(
      String conn,
      int tx,
      int prevTx,
      long requestFrame,
      long requestUs,
      long prevResponseFrame,
      long endFrame,
      long endUs,
      String endedBy,
      String endKind,
      List<String> signs) {}

  /** The hang evidence of request {@code t} after {@code prev}, or null when it is not one. */
  public static Hang hang(
      ConnectionView c, Transaction prev, Transaction t, DetectOptions o, List<String> signs) {
    if (t.responseFirstFrame() >= 0
        || t.status() > 0
        || t.responseNotCaptured()
        || prev.status() <= 0
        || !KeepAlive.negotiation(prev).persistent()) {
      return null;
    }
    long start = t.requestFirstUs();
    long sent = Math.max(start, t.requestLastUs());
    long serverClose = KeepAlive.closeMicros(c.half(Direction.SERVER));
    if (serverClose >= 0 && serverClose <= start + o.staleWindowMicros) {
      return null; // the server closed at the request: keepalive.stale_reuse
    }
    long endUs = c.lastTsMicros();
    long endFrame = c.lastFrame();
    String by = "capture_end";
    String kind = "none";
    for (int dir = Direction.CLIENT; dir <= Direction.SERVER; dir++) {
      long us = KeepAlive.closeMicros(c.half(dir));
      if (us >= start && us <= endUs && (by.equals("capture_end") || us < endUs)) {
        endUs = us;
        endFrame = KeepAlive.closeFrame(c.half(dir));
        by = KeepAlive.side(dir);
        kind = KeepAlive.closeKind(c.half(dir));
      }
    }
    if (endUs - sent < o.hangMinMicros) {
      return null;
    }
    return new Hang(
        c.idString(),
        t.index(),
        prev.index(),
        t.requestFirstFrame(),
        start,
        prev.responseFirstFrame(),
        endFrame,
        endUs,
        by,
        kind,
        signs);
  }

  /** Request {@code t} after {@code prev} was sent as or after the server closed. */
  public static boolean isStale(
      ConnectionView c, Transaction prev, Transaction t, DetectOptions o) {
    if (t.responseFirstFrame() >= 0
        || t.status() > 0
        || t.responseNotCaptured()
        || prev.status() <= 0
        || !KeepAlive.negotiation(prev).persistent()) {
      return false;
    }
    long close = KeepAlive.closeMicros(c.half(Direction.SERVER));
    return close >= 0
        && close >= prev.responseLastUs()
        && close <= t.requestFirstUs() + o.staleWindowMicros;
  }
}
