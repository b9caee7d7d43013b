package io.connscope.analysis;

import io.connscope.result.ConnectionResult;
import io.connscope.tcp.ConnectionView;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of a connection's time-sequence graph (tcptrace's, Stevens'): one direction's data
 * segments, the receiver's ACKs with their window's right edge, and the SACK blocks it reported,
 * from the connection's segment timeline. Bounded ({@link ConnectionResult.TimeSequence}'s maxima):
 * beyond them, points are taken at even strides of the timeline order (retransmissions before new
 * data), so the same capture gives the same points.
 */
final class TimeSequences {
  private TimeSequences() {}

  /** The graph of direction {@code dir}'s data ({@code Direction.CLIENT} or {@code SERVER}). */
  static ConnectionResult.TimeSequence of(ConnectionView c, int dir) {
    SegmentTimeline t = c.timeline();
    List<Integer> retrans = new ArrayList<>(), data = new ArrayList<>(), acks = new ArrayList<>();
    long high = -1;
    for (int i = 0; i < t.size(); i++) {
      if (t.dir(i) == dir) {
        if (t.len(i) > 0 && !t.isKeepAlive(i)) {
          boolean again = t.isRetransmission(i) || t.seq(i) < high;
          (again ? retrans : data).add(i);
          high = Math.max(high, t.seq(i) + t.len(i));
        }
      } else if (t.ack(i) >= 0 && (t.flags(i) & io.connscope.tcp.Segment.RST) == 0) {
        acks.add(i);
      }
    }
    int maxSeg = ConnectionResult.TimeSequence.MAX_SEGMENTS;
    List<Integer> keptRetrans = sample(retrans, maxSeg / 2);
    List<Integer> keptData = sample(data, maxSeg - keptRetrans.size());
    List<Integer> keptAcks = sample(acks, ConnectionResult.TimeSequence.MAX_ACKS);
    List<Integer> sacks = new ArrayList<>();
    for (int k = 0; k < t.sackCount(); k++) {
      if (t.dir(t.sackEntry(k)) != dir) {
        sacks.add(k);
      }
    }
    List<Integer> keptSacks = sample(sacks, ConnectionResult.TimeSequence.MAX_SACKS);
    // segments in timeline order, whatever their kind
    java.util.Set<Integer> isRetrans = new java.util.HashSet<>(keptRetrans);
    List<Integer> segs = new ArrayList<>(keptData);
    segs.addAll(keptRetrans);
    segs.sort(null);
    List<ConnectionResult.SeqSegment> segments = new ArrayList<>(segs.size());
    for (int i : segs) {
      segments.add(
          new ConnectionResult.SeqSegment(
              t.ts(i), t.frame(i), t.seq(i), t.seq(i) + t.len(i), isRetrans.contains(i)));
    }
    List<ConnectionResult.SeqAck> ackPoints = new ArrayList<>(keptAcks.size());
    for (int i : keptAcks) {
      ackPoints.add(
          new ConnectionResult.SeqAck(t.ts(i), t.frame(i), t.ack(i), t.ack(i) + t.window(i)));
    }
    List<ConnectionResult.SeqSack> sackPoints = new ArrayList<>(keptSacks.size());
    for (int k : keptSacks) {
      int i = t.sackEntry(k);
      sackPoints.add(
          new ConnectionResult.SeqSack(t.ts(i), t.frame(i), t.sackLeft(k), t.sackRight(k)));
    }
    boolean sampled =
        keptRetrans.size() < retrans.size()
            || keptData.size() < data.size()
            || keptAcks.size() < acks.size()
            || keptSacks.size() < sacks.size();
    return new ConnectionResult.TimeSequence(
        dir == io.connscope.common.Direction.CLIENT ? "client" : "server",
        List.copyOf(segments),
        List.copyOf(ackPoints),
        List.copyOf(sackPoints),
        sampled);
  }

  /** At most {@code max} of {@code from}, at even strides, the first and last kept. */
  static List<Integer> sample(List<Integer> from, int max) {
    int n = from.size();
    if (n <= max) {
      return from;
    }
    List<Integer> out = new ArrayList<>(max);
    if (max <= 0) {
      return out;
    }
    if (max == 1) {
      out.add(from.get(0));
      return out;
    }
    for (int k = 0; k < max; k++) {
      out.add(from.get((int) ((long) k * (n - 1) / (max - 1))));
    }
    return out;
  }
}
