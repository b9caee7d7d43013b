package io.connscope.detect.facts;

import io.connscope.tcp.Connection;
import io.connscope.tcp.Segment;
import io.connscope.tcp.SegmentTimeline;

/**
 * The receive window as a sender knew it, from a connection's timeline: shared by the delayed-ACK /
 * Nagle rule-out ({@link AckGatedReleases}) and the transfer findings ({@link TransferGaps}).
 *
 * <p>A segment that carries an ACK (not a RST) moves the window's right edge to its ACK number plus
 * its advertised window (in bytes, scaled when the scale is known; SYN windows are never scaled).
 * Data in flight reached the window when the room between the end of the sender's data and that
 * edge is smaller than the next segment the sender would send: min(its length, the MSS). A sender
 * does not send a segment that does not fit (Linux's tcp_snd_wnd_test; RFC 1122 §4.2.3.4
 * sender-side silly-window avoidance holds a segment smaller than the MSS when the window is
 * small), so such a sender waited for the window.
 */
public final class ReceiveWindow {
  private ReceiveWindow() {}

  /** True when timeline entry {@code j} carries an ACK that tells the sender a window. */
  static boolean acks(SegmentTimeline t, int j) {
    return t.ack(j) >= 0 && (t.flags(j) & Segment.RST) == 0;
  }

  /** Right edge of the window entry {@code j} advertises, -1 for none (or {@code j} < 0). */
  static long rightEdge(SegmentTimeline t, int j) {
    return j >= 0 && acks(t, j) ? t.ack(j) + t.window(j) : -1;
  }

  /**
   * True when the window scale of the receiver of direction {@code dir}'s data is known (the
   * handshake's options were seen), so window fields are bytes.
   */
  public static boolean scaleKnown(Connection c, int dir) {
    return c.half(1 - dir).effectiveWindowScale() >= 0;
  }

  /**
   * True when a sender whose data ends at {@code end} could not send {@code need} more bytes: the
   * window was zero, or (scale known) the room to the right edge {@code edge} was smaller than
   * {@code need}. False when no window is known ({@code edge} < 0).
   */
  static boolean held(long edge, boolean zero, long end, long need, boolean scaleKnown) {
    if (edge < 0) {
      return false;
    }
    return zero || (scaleKnown && edge - end < need);
  }

  /** "on (shift N)", "off" or "unknown" for the receiver of direction {@code dir}'s data. */
  public static String scaling(Connection c, int dir) {
    int shift = c.half(1 - dir).effectiveWindowScale();
    if (shift < 0) {
      return "unknown";
    }
    boolean on = c.half(1 - dir).windowScale() >= 0 && c.half(dir).windowScale() >= 0;
    return on ? "on (shift " + shift + ")" : "off";
  }
}
