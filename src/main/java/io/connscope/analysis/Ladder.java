package io.connscope.analysis;

import io.connscope.common.Direction;
import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import io.connscope.tcp.ConnectionView;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;

/**
 * The packets around a finding, for a ladder (sequence) diagram: timeline entries from a little
 * before the first evidence frame to a little after the last. Built while the finding's connection
 * is still at hand (its timeline is released with it).
 *
 * <p>Selection: every entry from {@value #CONTEXT} entries before the first evidence frame to
 * {@value #CONTEXT} after the last; when that span exceeds {@value #MAX_SPAN} entries, only {@value
 * #CONTEXT} entries either side of each evidence frame are kept, at most {@value #MAX_ENTRIES} in
 * all. Empty when no evidence frame is in the timeline (capacity reached, or a capture-wide
 * finding).
 */
public final class Ladder {
  /** Entries kept either side of the evidence. */
  public static final int CONTEXT = 2;

  /** Longest contiguous span kept whole. */
  public static final int MAX_SPAN = 32;

  /** Most entries in one ladder. */
  public static final int MAX_ENTRIES = 48;

  private Ladder() {}

  /**
   * {@code f} with the packets around its evidence when it is about {@code c} (whose timeline is
   * still at hand), else {@code f} itself.
   */
  static Finding laddered(ConnectionView c, Finding f) {
    return c.idString().equals(f.connection()) ? f.withLadder(around(c.timeline(), f.frames())) : f;
  }

  /** The entries of {@code t} around {@code frames} (ascending evidence frame numbers). */
  public static List<LadderEntry> around(SegmentTimeline t, List<Long> frames) {
    if (t == null || frames.isEmpty() || t.size() == 0) {
      return List.of();
    }
    List<Integer> hits = new ArrayList<>();
    int k = 0;
    // the entries before the first evidence frame hold no hit: found by halving, not walked, or a
    // long connection with a finding on every transaction would walk its whole timeline for each
    for (int i = t.indexAtOrAfter(frames.get(0)); i < t.size() && k < frames.size(); i++) {
      long f = t.frame(i);
      while (k < frames.size() && frames.get(k) < f) {
        k++;
      }
      if (k < frames.size() && frames.get(k) == f) {
        hits.add(i);
      }
    }
    if (hits.isEmpty()) {
      return List.of();
    }
    int from = Math.max(0, hits.get(0) - CONTEXT);
    int to = Math.min(t.size() - 1, hits.get(hits.size() - 1) + CONTEXT);
    boolean[] keep = new boolean[to - from + 1];
    if (to - from + 1 <= MAX_SPAN) {
      java.util.Arrays.fill(keep, true);
    } else {
      for (int h : hits) {
        for (int i = Math.max(from, h - CONTEXT); i <= Math.min(to, h + CONTEXT); i++) {
          keep[i - from] = true;
        }
      }
    }
    List<LadderEntry> out = new ArrayList<>();
    for (int i = from; i <= to && out.size() < MAX_ENTRIES; i++) {
      if (keep[i - from]) {
        out.add(
            new LadderEntry(
                t.frame(i),
                t.ts(i),
                t.dir(i) == Direction.CLIENT ? "c2s" : "s2c",
                flags(t.flags(i)),
                t.seq(i),
                t.ack(i),
                t.len(i)));
      }
    }
    return List.copyOf(out);
  }

  private static final String[] FLAG_NAMES = {
    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"
  };

  /**
   * TCP flags as Wireshark names them, in header bit order from SYN: "SYN,ACK", "PSH,ACK",
   * "FIN,ACK".
   */
  static String flags(int bits) {
    StringBuilder b = new StringBuilder();
    for (int i : new int[] {1, 0, 2, 3, 4, 5, 6, 7}) {
      if ((bits & (1 << i)) != 0) {
        b.append(b.length() == 0 ? "" : ",").append(FLAG_NAMES[i]);
      }
    }
    return b.toString();
  }
}
