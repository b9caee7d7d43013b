package io.connscope.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FairShares} against a model that keeps every holder's count in a plain array and finds the
 * holder holding the most by looking at all of them.
 */
class FairSharesTest {
  /** Random joins, takes and leaves; after each, the counts and the total as the model says. */
  @Test
  void takesFromAHolderHoldingTheMostOnlyForAHolderBelowItsShare() {
    Random r = new Random(18);
    for (int round = 0; round < 200; round++) {
      int limit = r.nextInt(60);
      FairShares<Integer> s = new FairShares<>(limit);
      int[] model = new int[400];
      boolean[] in = new boolean[400];
      List<Integer> slots = new ArrayList<>();
      long peak = 0;
      for (int step = 0; step < 3_000; step++) {
        int op = r.nextInt(10);
        if (slots.isEmpty() || op == 0 && slots.size() < 40) {
          int h = s.join(slots.size());
          assertTrue(!in[h], "a slot in use given again");
          in[h] = true;
          model[h] = 0;
          slots.add(h);
        } else if (op == 1) {
          int h = slots.remove(r.nextInt(slots.size()));
          s.leave(h);
          in[h] = false;
          model[h] = 0;
        } else {
          int h = slots.get(r.nextInt(slots.size()));
          boolean fromOthers = r.nextInt(8) != 0;
          long total = sum(model);
          int active = 0;
          int most = 0;
          for (int x : slots) {
            active += model[x] > 0 || x == h ? 1 : 0;
            most = Math.max(most, model[x]);
          }
          int g = s.take(h, fromOthers);
          if (total < limit) {
            assertEquals(-1, g, "room left");
            model[h]++;
            peak = Math.max(peak, total + 1);
          } else {
            peak = Math.max(peak, total + 1);
            boolean below = model[h] < limit / active && most > model[h] + 1;
            if (fromOthers && below) {
              assertTrue(g != h && in[g], "a holder below its share takes from another");
              assertEquals(most, model[g], "from one holding the most");
              model[g]--;
              model[h]++;
            } else {
              assertEquals(h, g, "at or above its share, or asked not to: gives its own");
            }
          }
        }
        for (int x : slots) {
          assertEquals(model[x], s.held(x));
        }
        assertEquals(sum(model), s.total());
        assertTrue(s.total() <= limit);
        if (step % 500 == 499) {
          assertEquals(peak, s.peak());
          peak = s.total();
        }
      }
    }
  }

  /**
   * Long holders fill the total first; holders that come later still reach the total divided among
   * all, taken from the longest.
   */
  @Test
  void latecomersGetTheirShareFromTheLongestHolders() {
    FairShares<String> s = new FairShares<>(1_000);
    int[] longOnes = new int[10];
    for (int i = 0; i < longOnes.length; i++) {
      longOnes[i] = s.join("long " + i);
      for (int k = 0; k < 100; k++) {
        assertEquals(-1, s.take(longOnes[i], true));
      }
    }
    int[] late = new int[40];
    for (int i = 0; i < late.length; i++) {
      late[i] = s.join("late " + i);
      for (int k = 0; k < 1_000; k++) { // a long connection too, come later
        s.take(late[i], true);
      }
      assertEquals(1_000 / (i + 11), s.held(late[i]), "its share when it came");
    }
    // each asking once a round (as each completes one more): every holder ends at the share
    for (int round = 0; round < 100; round++) {
      for (int h : longOnes) {
        s.take(h, true);
      }
      for (int h : late) {
        s.take(h, true);
      }
    }
    assertEquals(1_000, s.total());
    for (int h : late) {
      assertEquals(20, s.held(h), "the share: 1,000 over 50 holders");
    }
    for (int h : longOnes) {
      assertEquals(20, s.held(h));
    }
    for (int h : late) {
      s.leave(h);
    }
    assertEquals(200, s.total(), "given back");
    assertEquals(-1, s.take(longOnes[0], true), "room again");
  }

  private static long sum(int[] a) {
    long n = 0;
    for (int x : a) {
      n += x;
    }
    return n;
  }
}
