package io.connscope.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * TupleWindow against the objects it replaced: a deque of entries in order with a map from tuple to
 * its newest live entry (ConnectionTable's tombstones), and a least-recently-added map of live
 * entries (the TIME_WAIT detector's), under random adds, removes and polls over a small key space
 * (so tuples collide in the index, repeat and are removed mid-order, and the arrays grow and
 * compact).
 */
class TupleWindowTest {
  /** One entry of the reference: its key, its values, live or not. */
  private static final class Ref {
    final List<Long> key;
    final long[] values;
    boolean live = true;

    Ref(List<Long> key, long[] values) {
      this.key = key;
      this.values = values;
    }
  }

  private static List<Long> key(Random r, int space) {
    // few distinct values per part: collisions and repeats; every part varies
    return List.of(
        (long) r.nextInt(space),
        r.nextBoolean() ? 0L : Long.MIN_VALUE,
        (long) r.nextInt(3) << 40,
        -1L - r.nextInt(2),
        (long) r.nextInt(space) << 32 | r.nextInt(2));
  }

  private static int find(TupleWindow w, List<Long> k) {
    return w.find(k.get(0), k.get(1), k.get(2), k.get(3), k.get(4));
  }

  @Test
  void behavesAsADequeWithAMapOfItsNewestEntries() {
    for (boolean keepDead : new boolean[] {true, false}) {
      for (int seed = 0; seed < 20; seed++) {
        Random r = new Random(seed);
        int space = 2 + r.nextInt(40);
        TupleWindow w = new TupleWindow(2, keepDead);
        ArrayDeque<Ref> order = new ArrayDeque<>();
        Map<List<Long>, Ref> newest = new HashMap<>();
        int peak = 0;
        for (int step = 0; step < 20_000; step++) {
          int op = r.nextInt(10);
          List<Long> k = key(r, space);
          if (op < 5) {
            long[] v = {r.nextLong(), step};
            Ref old = newest.get(k);
            if (old != null) {
              old.live = false;
            }
            Ref e = new Ref(k, v);
            order.addLast(e);
            newest.put(k, e);
            int row = w.addLast(k.get(0), k.get(1), k.get(2), k.get(3), k.get(4));
            w.set(row, 0, v[0]);
            w.set(row, 1, v[1]);
          } else if (op < 8) {
            Ref e = newest.remove(k);
            int row = find(w, k);
            assertEquals(e != null, row >= 0, "found");
            if (e != null) {
              assertEquals(e.values[0], w.get(row, 0));
              assertEquals(e.values[1], w.get(row, 1));
              e.live = false;
              w.remove(row);
              assertEquals(e.values[1], w.get(row, 1), "a removed entry keeps its values");
            }
          } else if (!order.isEmpty()) {
            if (!keepDead) { // a caller that counts live entries only polls down to a live one
              while (!order.peekFirst().live) {
                order.pollFirst();
              }
            }
            while (!w.live(w.first()) && !keepDead) {
              w.pollFirst();
            }
            Ref e = order.pollFirst();
            int first = w.first();
            assertEquals(e.live, w.live(first));
            assertEquals(e.values[1], w.get(first, 1), "the oldest entry");
            for (int i = 0; i < 5; i++) {
              assertEquals(e.key.get(i), w.key(first, i));
            }
            if (e.live) {
              newest.remove(e.key);
            }
            w.pollFirst();
          }
          assertEquals(newest.size(), w.size());
          peak = Math.max(peak, w.size());
          if (keepDead) {
            assertEquals(order.size(), w.length());
          } else {
            assertTrue(w.length() >= w.size());
            assertTrue(w.length() <= Math.max(16, 4 * peak), "dead entries dropped: bounded");
          }
        }
        for (Map.Entry<List<Long>, Ref> e : newest.entrySet()) {
          int row = find(w, e.getKey());
          assertTrue(row >= 0);
          assertEquals(e.getValue().values[1], w.get(row, 1));
        }
        w.clear();
        assertEquals(0, w.size());
        assertEquals(0, w.length());
        assertEquals(-1, w.first());
        for (List<Long> k : new ArrayList<>(newest.keySet())) {
          assertEquals(-1, find(w, k));
        }
      }
    }
  }

  @Test
  void deadEntriesBehindAnOldLiveOneAreDroppedUnlessKept() {
    for (boolean keepDead : new boolean[] {true, false}) {
      TupleWindow w = new TupleWindow(1, keepDead);
      w.addLast(1, 1, 1, 1, 1); // stays live, first in the order
      for (int i = 0; i < 100_000; i++) {
        w.remove(w.addLast(2, 2, 2, 2, i % 3));
      }
      assertEquals(1, w.size());
      if (keepDead) {
        assertEquals(100_001, w.length());
      } else {
        assertTrue(w.length() <= 16, "within the first arrays: " + w.length());
      }
      assertTrue(w.live(w.first()));
    }
  }

  @Test
  void everyPartOfTheTupleCounts() {
    TupleWindow w = new TupleWindow(1, false);
    w.set(w.addLast(1, 2, 3, 4, 5), 0, 42);
    assertEquals(42, w.get(w.find(1, 2, 3, 4, 5), 0));
    assertEquals(-1, w.find(9, 2, 3, 4, 5));
    assertEquals(-1, w.find(1, 9, 3, 4, 5));
    assertEquals(-1, w.find(1, 2, 9, 4, 5));
    assertEquals(-1, w.find(1, 2, 3, 9, 5));
    assertEquals(-1, w.find(1, 2, 3, 4, 9));
    assertEquals(-1, w.find(1, 2, 3, 4, 5L | 1L << 40));
  }
}
