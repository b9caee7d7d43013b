package io.connscope.robustness;

import io.connscope.robustness.DamageFrames.Frame;
import io.connscope.robustness.DamageFrames.Segs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One way of damaging a capture, as captures are damaged in real life. {@link #apply} derives the
 * damaged frame list from the original one and keeps, for every damaged frame, the number of the
 * original frame it came from (1-based), so that results are compared in original frame numbers.
 * Random damage is seeded with {@code seed} mixed with the capture's name: deterministic, and not
 * the same pattern on every capture.
 */
record Damage(String name, Kind kind, double amount, long seed) {
  enum Kind {
    /** Drop each frame with probability {@code amount}. */
    DROP,
    /** Drop every frame sent by the clean capture's clients ({@code amount} 0) or servers (1). */
    DROP_DIRECTION,
    /** Follow each TCP frame with a copy of itself with probability {@code amount}. */
    DUPLICATE,
    /**
     * With probability {@code amount}, deliver a data segment after the next data segment of the
     * same direction (at most 8 frames on), as network reordering does: never past a frame of the
     * peer that acknowledges its bytes. Timestamps stay in capture order.
     */
    REORDER,
    /** Cut every frame to {@code amount} bytes. */
    SNAPLEN,
    /**
     * Start the capture late: drop the first N seconds, N being the time from the first frame to
     * the frame at fraction {@code amount} of the capture (so that the cut lands in traffic).
     */
    LATE_START
  }

  /** A damaged capture: its frames and, per frame, the original frame number. */
  record Damaged(List<Frame> frames, int[] orig) {}

  static List<Damage> levels() {
    List<Damage> l = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      l.add(new Damage("drop 1% seed " + seed, Kind.DROP, 0.01, seed));
    }
    for (long seed = 1; seed <= 3; seed++) {
      l.add(new Damage("drop 5% seed " + seed, Kind.DROP, 0.05, seed));
    }
    l.add(new Damage("drop client direction", Kind.DROP_DIRECTION, 0, 0));
    l.add(new Damage("drop server direction", Kind.DROP_DIRECTION, 1, 0));
    l.add(new Damage("duplicate 10% seed 1", Kind.DUPLICATE, 0.10, 1));
    l.add(new Damage("reorder 10% seed 1", Kind.REORDER, 0.10, 1));
    l.add(new Damage("snaplen 128", Kind.SNAPLEN, 128, 0));
    l.add(new Damage("snaplen 96", Kind.SNAPLEN, 96, 0));
    l.add(new Damage("late start 25%", Kind.LATE_START, 0.25, 0));
    l.add(new Damage("late start 50%", Kind.LATE_START, 0.50, 0));
    return l;
  }

  /**
   * Damages {@code frames} ({@code segs} are their TCP facts, {@code clientDirs} the direction ids
   * from client to server of the clean capture's connections).
   */
  Damaged apply(String captureName, List<Frame> frames, Segs segs, Set<Integer> clientDirs) {
    SplittableRandom rnd =
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ captureName.hashCode());
    int n = frames.size();
    List<Frame> out = new ArrayList<>(n + n / 8);
    int[] orig = new int[n * 2 + 1];
    int k = 0;
    switch (kind) {
      case DROP -> {
        for (int i = 0; i < n; i++) {
          if (rnd.nextDouble() >= amount) {
            out.add(frames.get(i));
            orig[k++] = i + 1;
          }
        }
      }
      case DROP_DIRECTION -> {
        boolean clients = amount == 0;
        for (int i = 0; i < n; i++) {
          int d = segs.dir[i];
          boolean fromClient = d >= 0 && clientDirs.contains(d);
          boolean fromServer = d >= 0 && clientDirs.contains(d ^ 1);
          if (clients ? !fromClient : !fromServer) {
            out.add(frames.get(i));
            orig[k++] = i + 1;
          }
        }
      }
      case DUPLICATE -> {
        for (int i = 0; i < n; i++) {
          out.add(frames.get(i));
          orig[k++] = i + 1;
          if (segs.dir[i] >= 0 && rnd.nextDouble() < amount) {
            out.add(frames.get(i));
            orig[k++] = i + 1;
          }
        }
      }
      case REORDER -> {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        boolean[] moved = new boolean[n];
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
          ts[i] = frames.get(i).tsNanos();
        }
        for (int p = 0; p < n; p++) {
          int i = order[p];
          if (moved[i] || segs.dir[i] < 0 || segs.wire[i] == 0 || rnd.nextDouble() >= amount) {
            continue;
          }
          int d = segs.dir[i];
          int q = -1;
          for (int r = p + 1; r < n && r <= p + 8; r++) {
            int j = order[r];
            if (segs.dir[j] == (d ^ 1) && segs.hasAck(j) && segs.ack[j] > segs.seq[i]) {
              break; // the peer acknowledged these bytes: they were delivered by then
            }
            if (segs.dir[j] == d && segs.wire[j] > 0) {
              q = r;
              break;
            }
          }
          if (q < 0) {
            continue;
          }
          moved[i] = true;
          System.arraycopy(order, p + 1, order, p, q - p);
          order[q] = i;
          ts[i] = frames.get(order[q - 1]).tsNanos(); // seen right after the segment it trailed
          p--; // the frame now at p was not looked at yet
        }
        for (int p = 0; p < n; p++) {
          int i = order[p];
          Frame f = frames.get(i);
          out.add(moved[i] ? f.at(ts[i]) : f);
          orig[k++] = i + 1;
        }
      }
      case SNAPLEN -> {
        for (int i = 0; i < n; i++) {
          out.add(frames.get(i).cut((int) amount));
          orig[k++] = i + 1;
        }
      }
      case LATE_START -> {
        if (n > 0) {
          long cut = frames.get(Math.min(n - 1, (int) (n * amount))).tsNanos();
          for (int i = 0; i < n; i++) {
            if (frames.get(i).tsNanos() >= cut) {
              out.add(frames.get(i));
              orig[k++] = i + 1;
            }
          }
        }
      }
      default -> throw new AssertionError(kind);
    }
    return new Damaged(out, Arrays.copyOf(orig, k));
  }

  /** The seed as reported: the level's seed (mixed with the capture name's hash when used). */
  String seedText() {
    return kind == Kind.DROP || kind == Kind.DUPLICATE || kind == Kind.REORDER
        ? Long.toString(seed)
        : "-";
  }
}
