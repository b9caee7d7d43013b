package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds, in one connection's timeline, why a sender paused between two of its data segments: the
 * shared evidence behind tcp.receive_window_limited and tcp.sender_paused.
 *
 * <p>For each direction, for each new data segment B (not a retransmission or keep-alive) and the
 * new data segment A sent before it, with no retransmission of that direction between them (loss
 * recovery is another story) and B starting where A ended (no data the capture missed between
 * them), the receiver's segments between A and B are read for the window ({@link ReceiveWindow});
 * "need" is min(B's length, the sender's MSS):
 *
 * <p>The window the sender knew when it sent A: the receiver's segments that reached the sender
 * before A left. A segment that passes the capture point at t reaches the sender and A comes back
 * to the capture point one round trip (capture point <-> sender) later, so these are the receiver's
 * segments captured at least that round trip, less releaseToleranceMicros (2 ms), before A (all of
 * those before A near the sender; near the receiver, not the ACKs still on their way). Without the
 * handshake the round trip is unknown and taken as 0.
 *
 * <ul>
 *   <li><b>window</b>: at A the data in flight had reached the window (the room from A's end to the
 *       largest right edge the sender knew is below "need", or that window was zero): the sender
 *       could not send B. The first later receiver segment whose window admits B (room at least
 *       "need", non-zero) is the window opening; the sender was blocked from A until it learned of
 *       it: {@code min(B - A, opening - A + rtt(capture point <-> sender))} (near the sender the
 *       round trip is ~0 and B follows the opening at once; near the receiver the opening reaches
 *       the sender and B comes back one round trip later; B - A is the same at every vantage point,
 *       both being the sender's). No opening seen (a capture that missed it): not counted.
 *   <li><b>paused</b>: the first receiver segment after A that acknowledged everything up to A's
 *       end with a window that admits B: from then the sender had window and nothing in flight, and
 *       sent nothing until B: {@code B - that ACK - rtt(capture point <-> sender)} (near the
 *       receiver the ACK's trip to the sender and B's trip back are one round trip). A delayed ACK
 *       of A only shortens this (the pause is counted from the ACK): the figure is a lower bound.
 * </ul>
 *
 * In the sender's first flight (no data of its acknowledged yet, as far as it knew when A left) a
 * full window is not counted unless it was zero: a receiver whose first window equals the sender's
 * initial congestion window (10 segments, RFC 6928) held nothing slow start did not hold. A gap can
 * have both (the window opened and then the sender still waited). Windows in bytes need the
 * handshake's window scale; without it only zero windows count as full. Detectors apply their
 * thresholds and attribution to these measurements.
 */
public final class TransferGaps {
  /**
   * One gap between data segments A ({@code data}) and B ({@code next}) of direction {@code dir}:
   * the receiver's window-opening segment ({@code open}, -1 when not window-blocked) and the time
   * blocked; the all-acknowledged ACK that started a pause ({@code idleFrom}, -1 for none) and the
   * pause; whether the window was zero at A; whether the receiver sent data between A and B (an
   * exchange, e.g. a 100 Continue, not a pause).
   */
  public record Gap(
      int dir,
      int data,
      int next,
      int open,
      long blockedMicros,
      boolean zeroWindow,
      int idleFrom,
      long pausedMicros,
      boolean peerData) {}

  /**
   * Entries before A searched for a blocked sender's window opening (near the receiver: the
   * segments of one round trip). Bounds the work per gap when the handshake's round trip is far
   * longer than the path's (a slow server accept); an opening further back is not seen.
   */
  static final int MAX_LOOKBACK = 1024;

  private final Connection c;
  private final DetectOptions options;

  /** Next timeline entry to examine. */
  private int next;

  /** Per direction: the last new data segment, -1 before the first. */
  private final int[] prev = {-1, -1};

  /** Per direction: a retransmission was seen since {@link #prev}. */
  private final boolean[] retransmitted = new boolean[2];

  /** Per direction: the largest data segment seen. */
  private final int[] maxLen = new int[2];

  /** Per direction: the largest right edge the peer had advertised when {@link #prev} left. */
  private final long[] edgeAtPrev = {-1, -1};

  /** Per direction: the peer's last window was zero when {@link #prev} left. */
  private final boolean[] zeroAtPrev = new boolean[2];

  /** Per direction: the first receiver segment the sender did not know when {@link #prev} left. */
  private final int[] openFromAtPrev = new int[2];

  /**
   * Per sending direction: the next entry to fold into {@link #knownEdge} (entries before it were
   * captured at least the sender's round trip before the sender's last data segment).
   */
  private final int[] known = new int[2];

  /**
   * Per sending direction: the largest right edge of the receiver's segments before {@link #known}.
   */
  private final long[] knownEdge = {-1, -1};

  /** Per sending direction: the receiver's last window before {@link #known} was zero. */
  private final boolean[] knownZero = new boolean[2];

  /**
   * Per sending direction: the largest ACK of its data among the segments before {@link #known}.
   */
  private final long[] knownAck = {-1, -1};

  /** Per direction: {@link #knownAck} when {@link #prev} left. */
  private final long[] ackAtPrev = {-1, -1};

  /** A scan of one connection's timeline, advanced as the connection goes on (each entry once). */
  public TransferGaps(Connection c, DetectOptions options) {
    this.c = c;
    this.options = options;
  }

  /** Frame of the last entry examined, -1 before the first. */
  public long lastFrame() {
    return next == 0 ? -1 : c.timeline().frame(next - 1);
  }

  /** Examines the entries not examined yet whose frame is at most {@code upToFrame}. */
  public List<Gap> advance(long upToFrame) {
    List<Gap> out = null; // made for the first gap: most calls on small exchanges find none
    SegmentTimeline t = c.timeline();
    for (; next < t.size() && t.frame(next) <= upToFrame; next++) {
      int i = next;
      int dir = t.dir(i);
      if (t.isRetransmission(i) && t.len(i) > 0) {
        retransmitted[dir] = true;
      }
      if (t.len(i) == 0 || t.isRetransmission(i) || t.isKeepAlive(i)) {
        continue;
      }
      maxLen[dir] = Math.max(maxLen[dir], t.len(i));
      int a = prev[dir];
      long edgeA = edgeAtPrev[dir];
      boolean zeroA = zeroAtPrev[dir];
      int openFrom = openFromAtPrev[dir];
      long ackA = ackAtPrev[dir];
      boolean clean = !retransmitted[dir];
      prev[dir] = i;
      retransmitted[dir] = false;
      learn(t, dir, i);
      edgeAtPrev[dir] = knownEdge[dir];
      zeroAtPrev[dir] = knownZero[dir];
      openFromAtPrev[dir] = known[dir];
      ackAtPrev[dir] = knownAck[dir];
      if (a < 0 || !clean || t.seq(i) != t.seq(a) + t.len(a)) {
        continue; // loss recovery, or data between A and B the capture did not keep
      }
      Gap g = gap(t, dir, a, i, edgeA, zeroA, openFrom, ackA);
      if (g != null) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(g);
      }
    }
    return out == null ? List.of() : out;
  }

  /**
   * Folds into direction {@code dir}'s known window the receiver's segments the sender had received
   * when it sent entry {@code i}: captured at least the round trip (capture point <-> sender), less
   * the release tolerance, before it. Each entry is folded once per direction.
   */
  private void learn(SegmentTimeline t, int dir, int i) {
    // less the release tolerance: near the sender an ACK that arrived just before i (which it
    // may have clocked out) counts as known, whatever the handshake's processing time
    long cutoff = t.ts(i) - Math.max(0, rttSender(dir) - options.releaseToleranceMicros);
    int k = known[dir];
    for (; k < i && t.ts(k) <= cutoff; k++) {
      if (t.dir(k) != dir && ReceiveWindow.acks(t, k)) {
        knownEdge[dir] = Math.max(knownEdge[dir], ReceiveWindow.rightEdge(t, k));
        knownZero[dir] = t.window(k) == 0;
        knownAck[dir] = Math.max(knownAck[dir], t.ack(k));
      }
    }
    known[dir] = k;
  }

  private long rttSender(int dir) {
    return Math.max(0, dir == Direction.CLIENT ? c.rttToClientMicros() : c.rttToServerMicros());
  }

  private Gap gap(
      SegmentTimeline t,
      int dir,
      int a,
      int b,
      long edgeA,
      boolean zeroA,
      int openFrom,
      long ackA) {
    long endA = t.seq(a) + t.len(a);
    long need = Math.min(t.len(b), AckGatedReleases.effectiveMss(c, dir, maxLen[dir]));
    boolean scaleKnown = ReceiveWindow.scaleKnown(c, dir);
    // in the first flight (no data of the sender acknowledged yet, as it knew) a full but open
    // window is no evidence: the initial congestion window holds the flight as much
    boolean blocked =
        ReceiveWindow.held(edgeA, zeroA, endA, need, scaleKnown) && (zeroA || ackA > 1);
    long rttSender = rttSender(dir);
    long edge = edgeA;
    int open = -1;
    int idleFrom = -1;
    boolean peerData = false;
    // a blocked sender's opening may come from the first receiver segment it had not seen at A
    // (captured before A near the receiver: at most one window of segments back)
    int from = blocked ? Math.min(Math.max(openFrom, a + 1 - MAX_LOOKBACK), a + 1) : a + 1;
    for (int j = from; j < b; j++) {
      if (t.dir(j) == dir) {
        continue;
      }
      peerData |= j > a && t.len(j) > 0;
      if (!ReceiveWindow.acks(t, j)) {
        continue;
      }
      edge = Math.max(edge, ReceiveWindow.rightEdge(t, j));
      boolean admits = t.window(j) > 0 && (!scaleKnown || edge - endA >= need);
      if (blocked && open < 0 && admits) {
        open = j;
      }
      if (idleFrom < 0 && admits && t.ack(j) >= endA) {
        idleFrom = j;
      }
    }
    long blockedMicros =
        open < 0 ? 0 : Math.min(t.ts(b) - t.ts(a), t.ts(open) - t.ts(a) + rttSender);
    long paused = idleFrom < 0 ? 0 : Math.max(0, t.ts(b) - t.ts(idleFrom) - rttSender);
    if (blockedMicros <= 0 && paused < options.senderPauseMinMicros) {
      return null; // neither detector counts it: no garbage for every ACK-clocked pair
    }
    return new Gap(
        dir, a, b, open, Math.max(0, blockedMicros), blocked && zeroA, idleFrom, paused, peerData);
  }
}
