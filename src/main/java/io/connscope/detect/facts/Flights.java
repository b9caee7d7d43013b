package io.connscope.detect.facts;

import io.connscope.tcp.ConnectionView;
import io.connscope.tcp.SegmentTimeline;

/**
 * Round trips seen in one direction's data: the new data segments of a message split into flights
 * wherever the sender paused for more than a quarter of a round trip (Linux paces a slow-start
 * flight over about half a round trip, so the pause between flights is about half a round trip and
 * the spacing inside one far shorter) (the sender waited for ACKs to open its congestion window;
 * RFC 5681 §3.1: in slow start the window, hence the bytes per round trip, about doubles each
 * round).
 */
public final class Flights {
  /** Flights recorded per message; later flights are counted, not sized. */
  public static final int MAX_SIZED = 32;

  /** Smallest pause taken as a flight boundary: below it, scheduling jitter looks like a pause. */
  static final long MIN_GAP_MICROS = 1_000;

  private Flights() {}

  /** The round trip of the connection at the capture point, -1 when unknown. */
  public static long rtt(ConnectionView c) {
    if (c.rttToServerMicros() >= 0 && c.rttToClientMicros() >= 0) {
      return c.rttToServerMicros() + c.rttToClientMicros();
    }
    long a = c.half(0).rttMinMicros(), b = c.half(1).rttMinMicros();
    return Math.max(a, b);
  }

  /**
   * Counts the flights of new data sent in direction {@code dir} from frame {@code from} to frame
   * {@code to} (inclusive); fills {@code bytes} (length {@link #MAX_SIZED}) with the bytes per
   * flight and {@code firstIndex} with the timeline index where each flight starts. Returns 0 when
   * no data segment lies in the range.
   */
  public static int count(
      SegmentTimeline t, int dir, long from, long to, long rtt, long[] bytes, int[] firstIndex) {
    long gap = Math.max(MIN_GAP_MICROS, rtt / 4);
    int flights = 0;
    long lastTs = -1;
    for (int i = t.indexAtOrAfter(from); i < t.size() && t.frame(i) <= to; i++) {
      if (t.dir(i) != dir || t.len(i) == 0 || t.isRetransmission(i) || t.isKeepAlive(i)) {
        continue;
      }
      if (lastTs < 0 || t.ts(i) - lastTs > gap) {
        if (flights < MAX_SIZED) {
          bytes[flights] = 0;
          firstIndex[flights] = i;
        }
        flights++;
      }
      if (flights <= MAX_SIZED) {
        bytes[flights - 1] += t.len(i);
      }
      lastTs = t.ts(i);
    }
    return flights;
  }

  /** Linux's minimum retransmission timeout (an idle longer than it restarts slow start). */
  public static final long RTO_MIN_MICROS = 200_000;

  /** Slow-start growth: the second flight larger than the first, none but the last shrinking. */
  public static boolean growing(long[] flights) {
    if (flights.length < 2 || flights[1] <= flights[0]) {
      return false;
    }
    for (int i = 1; i < flights.length - 1; i++) {
      if (flights[i] < flights[i - 1]) {
        return false;
      }
    }
    return true;
  }
}
