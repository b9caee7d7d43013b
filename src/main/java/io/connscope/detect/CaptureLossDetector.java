package io.connscope.detect;

/*
 * capture.loss and capture.truncated
 *
 * Rule, per connection and direction, from the segment timeline (every segment's sequence range
 * on the wire, whether or not its bytes were captured):
 *   - capture.loss: sequence ranges never seen in any captured segment although the peer
 *     acknowledged them: the endpoints exchanged them, the capture dropped them (a busy capture
 *     host, a SPAN port over its rate, a ring buffer overrun);
 *   - capture.truncated: bytes the reassembly had to skip (content gaps) beyond those ranges:
 *     segments that were seen but cut by the snap length, so their payload is missing.
 *   - capture.one_sided: the peer acknowledged bytes of a direction of which the capture holds
 *     no packet at all: a tap on one direction, asymmetric routing, direct server return. Not
 *     loss: that side's stream is known from the ACKs alone (responses are reported as not
 *     captured, requests of orphan responses likewise), so it is said once, as info.
 * Cost: 0 (not a time cost: the capture, not the network, is at fault).
 * Effect on other findings: timing evidence near a loss is uncertain; the detectors of this
 * family lower their confidence to suspected on a connection with content gaps.
 * Not judged: connections whose timeline was truncated (timelineCapacity reached).
 * Severity (SeverityRule, findings about the capture): warning for loss (data the analysis needed
 * is missing: conclusions near it are weaker), info for truncation and one-sided captures (timing
 * and TCP evidence stay intact).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import io.connscope.tcp.Segment;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports data the capture missed: dropped packets and frames cut by snaplen. */
public final class CaptureLossDetector implements ConnectionDetector {
  public static final String LOSS = "capture.loss";
  public static final String TRUNCATED = "capture.truncated";
  public static final String ONE_SIDED = "capture.one_sided";

  /**
   * One direction's data segments: start, end and timeline entry; reused from connection to
   * connection, grown as needed (at most a timeline's capacity: 20,000 entries, 400 KB).
   */
  private long[] from = new long[16], to = new long[16];

  private int[] at = new int[16];

  public CaptureLossDetector(DetectOptions options) {}

  /** Indices of the first {@code n} segments by start, in timeline order among equal starts. */
  private Integer[] byStart(int n) {
    long[] f = from;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(f[a], f[b]));
    return order;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    SegmentTimeline t = c.timeline();
    if (t.truncated()) {
      return;
    }
    for (int d = Direction.CLIENT; d <= Direction.SERVER; d++) {
      long gapBytes = c.half(d).gapBytes();
      int n = 0;
      for (int i = 0; i < t.size(); i++) {
        if (t.dir(i) == d && t.len(i) > 0 && !t.isKeepAlive(i)) {
          n++;
        }
      }
      if (from.length < n) { // reused from connection to connection
        from = new long[n];
        to = new long[n];
        at = new int[n];
      }
      long maxAck = -1, finSeq = -1;
      boolean ordered = true; // usually: then no sort
      n = 0;
      for (int i = 0; i < t.size(); i++) {
        if (t.dir(i) == d) {
          if (t.len(i) > 0 && !t.isKeepAlive(i)) {
            from[n] = t.seq(i);
            to[n] = t.seq(i) + t.len(i);
            ordered &= n == 0 || from[n] >= from[n - 1];
            at[n++] = i;
          }
          if ((t.flags(i) & Segment.FIN) != 0 && finSeq < 0) {
            finSeq = t.seq(i) + t.len(i);
          }
        } else if (t.ack(i) >= 0) {
          maxAck = Math.max(maxAck, t.ack(i));
        }
      }
      long ackedLimit = finSeq >= 0 && maxAck > finSeq ? finSeq : maxAck;
      Integer[] order = ordered ? null : byStart(n);
      long covered = 1, lost = 0, unseen = 0;
      int ranges = 0;
      List<Long> frames = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        int s = ordered ? k : order[k];
        if (from[s] > covered) {
          unseen += from[s] - covered;
          long ackedPart = Math.max(0, Math.min(from[s], ackedLimit) - covered);
          if (ackedPart > 0) {
            lost += ackedPart;
            ranges++;
            if (frames.size() < 10) {
              frames.add(t.frame(at[s]));
            }
          }
        }
        covered = Math.max(covered, to[s]);
      }
      if (ackedLimit > covered) {
        long tail = ackedLimit - covered;
        unseen += tail;
        lost += tail;
        ranges++;
      }
      String side = d == Direction.CLIENT ? "client" : "server";
      String peer = d == Direction.CLIENT ? "server" : "client";
      if (lost > 0 && c.half(d).packets() == 0) {
        TreeMap<String, Object> det = new TreeMap<>();
        det.put("missing_side", side);
        det.put("acknowledged_bytes", lost);
        List<Long> fs = List.of(c.firstFrame());
        out.accept(
            new Finding(
                ONE_SIDED,
                Severity.INFO,
                Confidence.CONFIRMED,
                c.idString(),
                -1,
                0,
                fs,
                "tcp.port == " + c.clientPort() + " && tcp.port == " + c.serverPort(),
                String.format(
                    Locale.ROOT,
                    "the capture holds no packet from the %s: only the %s's"
                        + " direction was captured (a tap on one direction, asymmetric routing); the %s"
                        + " acknowledged %d bytes of it, so its messages are known only by their size and"
                        + " the time they were acknowledged",
                    side,
                    peer,
                    peer,
                    lost),
                "capture both directions (a tap or SPAN session that mirrors both, or on a host the"
                    + " traffic passes both ways)",
                det));
      } else if (lost > 0) {
        TreeMap<String, Object> det = new TreeMap<>();
        det.put("sender", side);
        det.put("lost_bytes", lost);
        det.put("ranges", ranges);
        frames.sort(null);
        out.accept(
            new Finding(
                LOSS,
                Severity.WARNING,
                Confidence.CONFIRMED,
                c.idString(),
                -1,
                0,
                frames,
                frameFilter(frames, c),
                String.format(
                    Locale.ROOT,
                    "%d bytes of the %s's data in %d range%s were acknowledged by"
                        + " the %s but never captured: the capture dropped packets, so timings and findings"
                        + " on this connection are less certain",
                    lost,
                    side,
                    ranges,
                    ranges == 1 ? "" : "s",
                    d == Direction.CLIENT ? "server" : "client"),
                "capture closer to the traffic or with a larger buffer (tcpdump -B), a snap length"
                    + " that fits, and no more traffic than the capture host can write",
                det));
      }
      long truncated = gapBytes - unseen;
      if (truncated > 0) {
        TreeMap<String, Object> det = new TreeMap<>();
        det.put("sender", side);
        det.put("truncated_bytes", truncated);
        String v = c.ipVersion() == 6 ? "ipv6" : "ip";
        out.accept(
            new Finding(
                TRUNCATED,
                Severity.INFO,
                Confidence.CONFIRMED,
                c.idString(),
                -1,
                0,
                List.of(),
                "frame.cap_len < frame.len && tcp.srcport == "
                    + (d == Direction.CLIENT ? c.clientPort() : c.serverPort())
                    + " && tcp.dstport == "
                    + (d == Direction.CLIENT ? c.serverPort() : c.clientPort())
                    + " && "
                    + v,
                String.format(
                    Locale.ROOT,
                    "%d payload bytes of the %s's segments were cut off by the"
                        + " capture's snap length: TCP timing is intact, HTTP content past the cut is not",
                    truncated,
                    side),
                "capture with a larger snap length (tcpdump -s 0)",
                det));
      }
    }
  }

  private static String frameFilter(List<Long> frames, Connection c) {
    if (frames.isEmpty()) {
      return "tcp.analysis.ack_lost_segment && tcp.port == " + c.clientPort();
    }
    StringBuilder b = new StringBuilder("frame.number in {");
    for (int i = 0; i < frames.size(); i++) {
      b.append(i == 0 ? "" : " ").append(frames.get(i));
    }
    return b.append('}').toString();
  }
}
