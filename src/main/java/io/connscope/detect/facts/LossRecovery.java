package io.connscope.detect.facts;

import io.connscope.tcp.Connection;
import io.connscope.tcp.Segment;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Loss and recovery of one connection, per sending direction: a pure pass over its {@link
 * SegmentTimeline} (no state kept between connections, nothing on the per-packet path).
 *
 * <p>A 1-byte segment at the highest byte while the peer's window is 0 is a zero-window probe and
 * left out (its byte is sent again when the window opens). Every other data segment of a direction
 * is one of:
 *
 * <ul>
 *   <li><b>new</b>: it starts at or beyond the highest byte the direction had sent so far; when it
 *       starts beyond, the bytes skipped are a <b>hole</b> (not seen at this capture point);
 *   <li><b>reordered</b>: it fills a hole less than half a round trip (3 ms when the round trip is
 *       unknown) after the hole appeared, and the peer had not acknowledged it yet: too early for a
 *       retransmission, which needs the receiver's duplicate ACK to travel to the sender and the
 *       copy to come back;
 *   <li><b>hole filled</b>: it fills a hole later: the original was lost between the sender and the
 *       capture point (network loss seen from a receiver-side vantage point);
 *   <li><b>duplicate</b>: the same sequence range as a segment seen less than half a round trip (3
 *       ms) before: a copy made by the capture (a frame recorded twice) or the network, not a
 *       retransmission, which cannot come that early (it needs the peer's ACKs, or a timeout);
 *   <li><b>repeat</b>: otherwise, its first byte was seen before: the sender retransmitted
 *       something that passed the capture point (network loss after it, or a spurious
 *       retransmission).
 * </ul>
 *
 * Each hole fill and repeat is a retransmission, classified by what triggered it:
 *
 * <ul>
 *   <li><b>spurious</b>: the peer's cumulative ACK, seen before it, already covered all of it; or a
 *       D-SACK block (RFC 2883 §4: the first SACK block of an ACK, below its cumulative ACK or
 *       inside its second block) that the peer sent after it covers all of it: the receiver reports
 *       it got those bytes twice, so the retransmission repaired nothing;
 *   <li><b>fast</b>: otherwise, the segment the duplicate ACKs ask for (it starts at the peer's
 *       cumulative ACK, which at least {@link #FAST_DUP_ACKS} duplicate ACKs (no data, the same ACK
 *       and window, data outstanding: RFC 5681 §2) repeated, the last within {@link
 *       #FAST_WINDOW_MICROS} plus a round trip: RFC 5681 §3.2; tshark's rule but for the round
 *       trip), whatever the silence before it;
 *   <li><b>rto</b> or <b>tlp</b> (timeout): otherwise, when the direction sent no data for at least
 *       max({@code retransmissionMinStallMicros}, 1.5 round trips) before it. A tail-loss probe
 *       (RFC 8985 §7) resends the highest segment sent, an RTO (RFC 6298) the first one not
 *       acknowledged: a retransmission of the tail that is not at the cumulative ACK is a probe,
 *       one at the ACK that is not the tail is an RTO; when it is both (one segment outstanding), a
 *       silence below {@link #RTO_MIN_MICROS} (Linux's minimum RTO) makes it a probe;
 *   <li><b>sack</b>: otherwise, when the peer had reported, since its cumulative ACK last moved, a
 *       SACK block above it (the receiver holds later bytes: the sender's scoreboard marks the hole
 *       lost, RFC 6675 §5): a SACK retransmission, the further holes of a SACK recovery;
 *   <li><b>recovery</b>: otherwise: ACKs kept coming and the sender repaired the loss without a
 *       timeout, not at a duplicated ACK and without SACK blocks above it: a retransmission after a
 *       partial ACK (RFC 6582), an early retransmit or RACK (RFC 8985).
 * </ul>
 *
 * A recovery is a <b>SACK recovery</b> when the peer's ACKs carried SACK blocks (other than
 * D-SACKs) while it was open: SACK, not only duplicate ACKs, told the sender what to resend.
 *
 * <p>Retransmissions are grouped into <b>recoveries</b>: one starts at a retransmission when none
 * is open, with the highest byte sent then as its recovery point, and ends when the peer's
 * cumulative ACK reaches that point (or at the end of the timeline: unfinished). A recovery's
 * <b>delay</b> is the longest time any of its retransmitted bytes arrived later than their first
 * transmission (seen here, or for a hole the moment the hole appeared, which is when the original
 * would have passed): a lower bound of how much later the receiver could deliver the bytes after
 * the loss to its application. Spurious retransmissions delay nothing.
 *
 * <p>The first recovery of a direction that repaired at least {@link #BURST_MIN_SEGMENTS} lost
 * segments out of a flight of at least {@link #OVERFLOW_MIN_FLIGHT_SEGMENTS} full segments, before
 * which the sender had retransmitted nothing, is a <b>slow-start overflow</b>: the flight grew
 * until a queue on the path overflowed and dropped a burst.
 *
 * <p><b>Capture loss</b> is counted apart: bytes the peer acknowledged that no captured segment
 * carried (holes never filled, or acknowledged beyond the highest byte seen). They are not network
 * loss (the receiver got them) and start no recovery. A direction of which no data segment was
 * captured has none (a one-sided capture, not loss).
 */
public final class LossRecovery {
  /** Linux's minimum retransmission timeout (TCP_RTO_MIN). */
  static final long RTO_MIN_MICROS = 200_000;

  /** Lost segments in one recovery from which a first recovery is a slow-start overflow. */
  static final int BURST_MIN_SEGMENTS = 3;

  /**
   * Flight, in largest segments, from which a first loss burst is a slow-start overflow: beyond the
   * initial window of 10 (RFC 6928), slow start had grown it.
   */
  static final int OVERFLOW_MIN_FLIGHT_SEGMENTS = 10;

  /** Fill of a hole taken as reordering when the round trip is unknown. */
  static final long REORDER_DEFAULT_MICROS = 3_000;

  /** {@link Retransmission#kind}: what a data segment was. */
  public static final int NEW = 0, REORDERED = 1, HOLE_FILLED = 2, REPEAT = 3, DUPLICATE = 4;

  /** {@link Retransmission#trigger}: what sent a retransmission; indexes of {@link #TRIGGER}. */
  public static final int FAST = 0, RTO = 1, TLP = 2, SPURIOUS = 3, RECOVERY = 4, SACK = 5;

  /** Names of the triggers, as finding details show them. Never modified. */
  public static final String[] TRIGGER = {"fast", "rto", "tlp", "spurious", "recovery", "sack"};

  /** Duplicate ACKs from which a retransmission at the ACK is a fast retransmit (as tshark). */
  static final int FAST_DUP_ACKS = 2;

  /**
   * A fast retransmit follows the last duplicate ACK within this plus a round trip (tshark: 20 ms;
   * the round trip because near the receiver the copy arrives a round trip after the ACK left).
   */
  static final long FAST_WINDOW_MICROS = 20_000;

  /**
   * One retransmission; {@code dsackIndex} is the timeline index of the peer's D-SACK that showed
   * it spurious, -1 for none.
   */
  public record Retransmission(
      int index,
      int kind,
      int trigger,
      long delayMicros,
      long silenceMicros,
      int originalIndex,
      int dsackIndex) {}

  /** One recovery of a direction. */
  public static final class Recovery {
    /** Sending direction ({@code StreamControl.CLIENT} or {@code SERVER}). */
    public final int sender;

    final long recoveryPoint;
    final long startMicros;

    /** Timeline index of the first retransmission, and of the original (or hole) it repairs. */
    public final int firstIndex, originIndex;

    /** Bytes the sender had in flight (sent, not acknowledged) when the recovery started. */
    public final long flightBytes;

    /**
     * Filled by {@link LossRecovery#of} and read-only for detectors: the retransmissions in
     * timeline order, their count per trigger, the {@code lost} and {@code dupAcks} counters, the
     * largest retransmission delay, the end ({@code -1} while open) and whether the slow-start
     * overflow rule of the class comment held.
     */
    public final List<Retransmission> retransmissions = new ArrayList<>();

    public final int[] triggers = new int[TRIGGER.length];
    public int lost, dupAcks;
    public long delayMicros, endMicros = -1;
    public boolean slowStartOverflow;

    /** The peer's ACKs carried SACK blocks (not D-SACKs) while the recovery was open. */
    public boolean sack;

    /** Retransmissions a D-SACK showed spurious. */
    public int dsacks;

    Recovery(
        int sender,
        long recoveryPoint,
        long startMicros,
        int firstIndex,
        int originIndex,
        long flightBytes) {
      this.sender = sender;
      this.recoveryPoint = recoveryPoint;
      this.startMicros = startMicros;
      this.firstIndex = firstIndex;
      this.originIndex = originIndex;
      this.flightBytes = flightBytes;
    }

    /** The recovery ended (its recovery point was acknowledged) within the capture. */
    public boolean finished() {
      return endMicros >= 0;
    }
  }

  /** What one direction's data segments were. */
  public static final class Direction {
    /**
     * Sending direction, its data segments by kind, retransmissions per trigger, bytes the capture
     * lost and its recoveries in order. Read-only for detectors.
     */
    public final int sender;

    public int dataSegments, reordered, holesFilled, repeats, duplicates;

    /** The peer sent SACK blocks for this direction's bytes (D-SACKs included). */
    public boolean peerSacks;

    public final int[] triggers = new int[TRIGGER.length];
    public long captureLostBytes;
    int captureLostRanges;
    public final List<Recovery> recoveries = new ArrayList<>();

    /**
     * Timeline indexes: data segments that start beyond the highest byte sent (a hole before them),
     * reordered segments, and the peer's ACKs that newly acknowledge bytes never seen (a hole, or
     * beyond the direction's next sequence number after its SYN, data and FIN; once any segment of
     * the direction was seen). Empty (and immutable) until the first index: most directions have
     * none, and two directions of every connection are classified.
     */
    List<Integer> holeAfter = List.of(), reorderedAt = List.of(), ackBeyondSeen = List.of();

    Direction(int sender) {
      this.sender = sender;
    }

    int retransmissions() {
      return holesFilled + repeats;
    }
  }

  private LossRecovery() {}

  /** {@code list} with {@code index} added: a new list in place of the immutable empty one. */
  private static List<Integer> added(List<Integer> list, int index) {
    List<Integer> l = list.isEmpty() ? new ArrayList<>() : list;
    l.add(index);
    return l;
  }

  /**
   * The round trip at the capture point: the handshake's ({@link Flights#rtt}), or the shortest
   * seen on the data when shorter (a handshake with retried SYNs or a slow accept is no measure).
   * -1 when unknown.
   */
  public static long rtt(Connection c) {
    long hs = Flights.rtt(c);
    long a = c.half(0).rttMinMicros(), b = c.half(1).rttMinMicros();
    long data = a >= 0 && b >= 0 ? Math.max(a, b) : -1;
    if (hs <= 0) {
      return data > 0 ? data : -1;
    }
    return data > 0 ? Math.min(hs, data) : hs;
  }

  /** Both directions of {@code t} ({@link StreamControl#CLIENT}, {@link StreamControl#SERVER}). */
  public static Direction[] of(SegmentTimeline t, long rttMicros, long timeoutMinMicros) {
    return new Direction[] {
      direction(t, io.connscope.common.Direction.CLIENT, rttMicros, timeoutMinMicros),
      direction(t, io.connscope.common.Direction.SERVER, rttMicros, timeoutMinMicros)
    };
  }

  /** True when {@code [from, to)} holds a byte of a hole or one at or beyond {@code next}. */
  private static boolean coversUnseen(TreeMap<Long, long[]> holes, long from, long to, long next) {
    if (to > next) {
      return true;
    }
    if (holes.isEmpty()) {
      return false; // most connections: no lookup, no box
    }
    Map.Entry<Long, long[]> h = holes.lowerEntry(to);
    return h != null && h.getValue()[0] > Math.max(from, 0);
  }

  /**
   * The peer's D-SACK blocks of direction {@code d}'s bytes (RFC 2883 §4): left edge -> {right,
   * timeline index} for each (several per left edge kept in order).
   */
  private static NavigableMap<Long, List<long[]>> dsacks(SegmentTimeline t, int d) {
    int n = t.sackCount();
    if (n == 0) {
      return Collections.emptyNavigableMap(); // most connections: no SACK block at all
    }
    TreeMap<Long, List<long[]>> out = new TreeMap<>();
    for (int k = 0; k < n; k++) {
      int i = t.sackEntry(k);
      if (t.dir(i) == d || (k > 0 && t.sackEntry(k - 1) == i)) {
        continue; // only the first block of an ACK can be a D-SACK
      }
      long l = t.sackLeft(k), r = t.sackRight(k);
      boolean second = k + 1 < n && t.sackEntry(k + 1) == i;
      if (r <= t.ack(i) || second && t.sackLeft(k + 1) <= l && r <= t.sackRight(k + 1)) {
        out.computeIfAbsent(l, x -> new ArrayList<>(1)).add(new long[] {r, i});
      }
    }
    return out;
  }

  /**
   * Timeline index of the first D-SACK sent after entry {@code i} that covers {@code [s, e)}; -1
   * for none. Looks at the few left edges at or below {@code s} (a D-SACK reports one segment's
   * range, or a little more).
   */
  private static int dsackOf(NavigableMap<Long, List<long[]>> dsacks, int i, long s, long e) {
    int best = -1, looked = 0;
    for (Map.Entry<Long, List<long[]>> m = dsacks.floorEntry(s);
        m != null && looked < 4;
        m = dsacks.lowerEntry(m.getKey()), looked++) {
      for (long[] b : m.getValue()) {
        if (b[0] >= e && b[1] > i && (best < 0 || b[1] < best)) {
          best = (int) b[1];
        }
      }
    }
    return best;
  }

  static Direction direction(SegmentTimeline t, int d, long rtt, long timeoutMinMicros) {
    Direction out = new Direction(d);
    NavigableMap<Long, List<long[]>> dsacks = dsacks(t, d);
    int sackCursor = 0; // next SACK block of the timeline to read
    long sackHigh = -1; // highest SACK right edge (not D-SACK) since the peer's ACK last moved
    long reorder = rtt > 0 ? rtt / 2 : REORDER_DEFAULT_MICROS;
    long timeout = Math.max(timeoutMinMicros, rtt > 0 ? rtt * 3 / 2 : 0);
    long dupWindow = FAST_WINDOW_MICROS + Math.max(0, rtt);
    // first transmissions seen: start -> timeline index; holes: start -> {end, ts, index}
    LongIntFloorMap firsts = new LongIntFloorMap();
    TreeMap<Long, long[]> holes = new TreeMap<>();
    long high = -1; // highest byte + 1 sent by d so far (-1: no data yet)
    long ack = -1; // the peer's highest cumulative ACK of d's bytes
    long finSeq = -1;
    long next = -1; // d's next sequence number (after its SYN, data and FIN seen so far)
    int dups = 0;
    int maxLen = 0;
    long lastDupTs = -1;
    long peerWindow = -1; // the peer's latest advertised window
    long lastDataTs = -1;
    Recovery open = null;
    for (int i = 0; i < t.size(); i++) {
      int f = t.flags(i);
      boolean sacked = false; // this segment of the peer carried SACK blocks above its ACK
      while (sackCursor < t.sackCount() && t.sackEntry(sackCursor) < i) {
        sackCursor++;
      }
      for (; sackCursor < t.sackCount() && t.sackEntry(sackCursor) == i; sackCursor++) {
        if (t.dir(i) != d) {
          out.peerSacks = true;
          if (t.sackLeft(sackCursor) > Math.max(t.ack(i), 0)) {
            sacked = true;
            sackHigh = Math.max(sackHigh, t.sackRight(sackCursor));
          }
        }
      }
      if (t.dir(i) != d) {
        long a = t.ack(i);
        if (a < 0 || (f & Segment.RST) != 0) {
          continue;
        }
        if (sacked && open != null) {
          open.sack = true;
        }
        if (a > ack) {
          if (sackHigh <= a) {
            sackHigh = -1; // the ACK covers every block reported: the scoreboard is empty
          }
          if (next >= 0 && coversUnseen(holes, ack, a, next)) {
            out.ackBeyondSeen = added(out.ackBeyondSeen, i);
          }
          ack = a;
          dups = 0;
          if (open != null && ack >= open.recoveryPoint) {
            open.endMicros = t.ts(i);
            open = null;
          }
        } else if (a == ack && t.window(i) != peerWindow) {
          dups = 0; // a window update, not a duplicate ACK (RFC 5681 §2)
        } else if (a == ack
            && t.len(i) == 0
            && (f & (Segment.SYN | Segment.FIN)) == 0
            && high > ack) {
          dups++;
          lastDupTs = t.ts(i);
          if (open != null) {
            open.dupAcks++;
          }
        }
        if ((f & Segment.SYN) == 0) {
          peerWindow = t.window(i);
        }
        continue;
      }
      if ((f & Segment.FIN) != 0) {
        finSeq = t.seq(i) + t.len(i);
      }
      next = Math.max(next, t.seq(i) + t.len(i) + ((f & (Segment.SYN | Segment.FIN)) != 0 ? 1 : 0));
      int len = t.len(i);
      if (high < 0) {
        high = 1; // the first byte (after the SYN; for a stream seen mid-way, the first seen)
      }
      if (len == 0
          && (f & (Segment.SYN | Segment.RST)) == 0
          && !t.isKeepAlive(i)
          && t.seq(i) > high + (finSeq == high ? 1 : 0)) {
        // a FIN or an ACK beyond the bytes seen: they were sent, the capture missed them
        holes.put(high, new long[] {t.seq(i), t.ts(i), i});
        high = t.seq(i);
      }
      if (len == 0 || t.isKeepAlive(i) || (f & Segment.SYN) != 0 && t.seq(i) < 1) {
        continue;
      }
      if (len == 1 && peerWindow == 0 && t.seq(i) >= high) {
        continue; // a zero-window probe: its byte is sent again when the window opens
      }
      long s = t.seq(i), e = s + len;
      out.dataSegments++;
      maxLen = Math.max(maxLen, len);
      if (s >= high) {
        if (s > high) {
          holes.put(high, new long[] {s, t.ts(i), i});
          out.holeAfter = added(out.holeAfter, i);
        }
        firsts.put(s, i);
        high = e;
        lastDataTs = t.ts(i);
        continue;
      }
      int seenAt = firsts.floor(s);
      int seen = seenAt < 0 ? -1 : firsts.valueAt(seenAt);
      boolean repeat = seen >= 0 && t.seq(seen) + t.len(seen) > s;
      int kind;
      long originTs;
      int originIndex;
      if (repeat) {
        originIndex = seen;
        originTs = t.ts(originIndex);
        kind =
            t.ts(i) - originTs < reorder && t.seq(originIndex) == s && t.len(originIndex) == len
                ? DUPLICATE
                : REPEAT;
      } else {
        Map.Entry<Long, long[]> h = holes.floorEntry(s);
        if (h == null || h.getValue()[0] <= s) {
          // unseen bytes below the highest, in no hole: cannot happen; count it as a repeat
          kind = REPEAT;
          originIndex = i;
          originTs = t.ts(i);
        } else {
          long[] hole = h.getValue();
          originTs = hole[1];
          originIndex = (int) hole[2];
          holes.remove(h.getKey());
          if (h.getKey() < s) {
            holes.put(h.getKey(), new long[] {s, hole[1], hole[2]});
          }
          if (e < hole[0]) {
            holes.put(e, new long[] {hole[0], hole[1], hole[2]});
          }
          firsts.put(s, i);
          // bytes the peer had acknowledged already are no reordering: a spurious retransmission
          kind = t.ts(i) - originTs < reorder && ack < e ? REORDERED : HOLE_FILLED;
        }
      }
      if (e > high) {
        high = e;
      }
      long silence = lastDataTs >= 0 ? t.ts(i) - lastDataTs : 0;
      lastDataTs = t.ts(i);
      if (kind == REORDERED) {
        out.reordered++;
        out.reorderedAt = added(out.reorderedAt, i);
        continue;
      }
      if (kind == DUPLICATE) {
        out.duplicates++;
        continue;
      }
      if (kind == HOLE_FILLED) {
        out.holesFilled++;
      } else {
        out.repeats++;
      }
      int trigger;
      int dsack = ack >= e ? -1 : dsackOf(dsacks, i, s, e);
      if (ack >= e || dsack >= 0) {
        trigger = SPURIOUS;
      } else if (s <= ack && dups >= FAST_DUP_ACKS && t.ts(i) - lastDupTs <= dupWindow) {
        trigger = FAST;
      } else if (silence >= timeout) {
        boolean tail = e >= high, atAck = s <= ack;
        trigger = tail && !atAck ? TLP : !tail ? RTO : silence < RTO_MIN_MICROS ? TLP : RTO;
      } else if (sackHigh >= e) {
        trigger = SACK;
      } else {
        trigger = RECOVERY;
      }
      out.triggers[trigger]++;
      long delay = trigger == SPURIOUS ? 0 : Math.max(0, t.ts(i) - originTs);
      if (open == null) {
        open = new Recovery(d, high, t.ts(i), i, originIndex, Math.max(0, high - Math.max(1, ack)));
        open.slowStartOverflow = out.recoveries.isEmpty() && out.retransmissions() == 1;
        open.dupAcks = dups;
        open.sack = sackHigh >= 0;
        out.recoveries.add(open);
      }
      open.retransmissions.add(
          new Retransmission(i, kind, trigger, delay, silence, originIndex, dsack));
      open.triggers[trigger]++;
      if (dsack >= 0) {
        open.dsacks++;
      }
      if (trigger != SPURIOUS) {
        open.lost++;
      }
      open.delayMicros = Math.max(open.delayMicros, delay);
    }
    for (int k = 0; k < out.recoveries.size(); k++) { // no iterator: most directions have none
      Recovery r = out.recoveries.get(k);
      r.slowStartOverflow &=
          r.lost >= BURST_MIN_SEGMENTS
              && r.flightBytes >= OVERFLOW_MIN_FLIGHT_SEGMENTS * (long) maxLen;
    }
    // capture loss: acknowledged, never seen (the FIN's sequence number is no byte)
    long acked = finSeq >= 0 && ack > finSeq ? finSeq : ack;
    if (high >= 0 && acked > 1) {
      if (!holes.isEmpty()) { // most directions: no hole, no entry set and iterator made
        for (Map.Entry<Long, long[]> h : holes.entrySet()) {
          long from = h.getKey(), to = Math.min(h.getValue()[0], acked);
          if (from < to) {
            out.captureLostBytes += to - from;
            out.captureLostRanges++;
          }
        }
      }
      if (acked > high) {
        out.captureLostBytes += acked - high;
        out.captureLostRanges++;
      }
    }
    return out;
  }
}
