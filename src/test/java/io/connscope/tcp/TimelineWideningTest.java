package io.connscope.tcp;

import static io.connscope.tcp.TcpHarness.A;
import static io.connscope.tcp.TcpHarness.F;
import static io.connscope.tcp.TcpHarness.P;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A timeline keeps time as an {@code int} from the first entry's of its block of 64 (smaller blocks
 * when one spans more than an {@code int} of microseconds), frame from the first entry's, sequence
 * and acknowledgment numbers as {@code int}s, and turns the four columns into {@code long}s at the
 * first frame, sequence or acknowledgment number that does not fit: every entry reads back as it
 * was added, before and after, at every size; and a timeline turned wide gives no array to its
 * table's pool, whose sets the next connections still take.
 */
class TimelineWideningTest {
  private static final long[] EDGES = {
    0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L
  };

  @Test
  void everyEntryReadsBackAsAddedWhateverItsValues() {
    Random r = new Random(20261206);
    int widened = 0;
    for (int round = 0; round < 400; round++) {
      // a quarter of the rounds over several chunks of the columns
      int capacity = 1 + r.nextInt(round % 4 == 0 ? 3 * SegmentTimeline.CHUNK : 300);
      SegmentTimeline t = new SegmentTimeline(capacity, null);
      int n = r.nextInt(capacity + 20);
      long[][] want = new long[n][];
      // a capture's absolute time and frame; the first entry is the base
      long ts = 1_700_000_000_000_000L + r.nextInt(1 << 30);
      long frame = r.nextInt(3) == 0 ? 5_000_000_000L : 1 + r.nextInt(1000);
      long seq = r.nextInt(1000);
      long ack = -1;
      int field = r.nextInt(6); // the column that may stop fitting, at entry `at` (4, 5: none)
      int at = r.nextInt(n + 1);
      boolean past = false;
      for (int i = 0; i < n; i++) {
        ts += r.nextInt(100_000);
        frame += 1 + r.nextInt(5);
        seq += r.nextInt(1460);
        ack = r.nextInt(4) == 0 ? -1 : Math.max(0, ack) + r.nextInt(1460);
        long[] v = {ts, frame, seq, ack};
        if (i >= at && i > 0
            && field < 4) { // an edge from the base (time, frame) or as it is (seq, ack)
          long edge = EDGES[r.nextInt(EDGES.length)];
          v[field] = field < 2 ? want[0][field] + edge : edge;
        }
        boolean added =
            t.add(v[0], v[1], i & 1, v[2], v[3], i % 1461, 65535 * (i % 3), i & 0xFF, i % 8);
        assertEquals(i < capacity, added, "entry " + i + " of capacity " + capacity);
        if (added) {
          want[i] = v;
        }
        if (added && field < 4) {
          // time from its block of 64's first, frame from the first entry's
          long base = field == 0 ? want[i & ~63][0] : field == 1 ? want[0][1] : 0;
          long stored = v[field] - base;
          past |= stored != (int) stored;
        }
        if (n > 400
            && i != at
            && i != n - 1
            && i % 211 != 0
            && (i & (SegmentTimeline.CHUNK - 1)) > 1) {
          continue; // long rounds: every entry where it widened, at chunk starts and every 211th
        }
        for (int j = 0; j < t.size(); j++) { // every entry so far, after each add
          String where = "round " + round + ", entry " + j + " after " + (i + 1);
          assertEquals(want[j][0], t.ts(j), where);
          assertEquals(want[j][1], t.frame(j), where);
          assertEquals(want[j][2], t.seq(j), where);
          assertEquals(want[j][3], t.ack(j), where);
          assertEquals(j & 1, t.dir(j), where);
          assertEquals(j % 1461, t.len(j), where);
          assertEquals(65535 * (j % 3), t.window(j), where);
          assertEquals(j & 0xFF, t.flags(j), where);
          assertEquals(j % 8, t.kind(j), where);
        }
      }
      if (past) {
        widened++;
      }
    }
    // both kinds of rounds are many: values past an int, and none
    assertEquals(true, widened > 80 && widened < 320, "rounds with values past an int: " + widened);
  }

  @Test
  void aTimelineTurnedWideGivesNothingToThePoolAndTheNextConnectionReadsRight() {
    ConnectionContext context = new ConnectionContext(new TcpOptions(), new Warnings());
    SegmentTimeline t = new SegmentTimeline(20_000, context);
    for (int i = 0; i < 10; i++) {
      t.add(100 + i, 1 + i, i & 1, 1 + 10 * i, 1, 10, 65535, A, 0);
    }
    long far = 3_000_000_000L; // a frame past an int from the first
    t.add(200, far, 0, 101, 1, 0, 65535, A | F, 0);
    assertTrue(t.wide());
    assertEquals(far, t.frame(10));
    assertEquals(200, t.ts(10));
    assertEquals(105, t.ts(5));
    assertEquals(6, t.frame(5));
    assertEquals(51, t.seq(5));
    t.add(201, far + 1, 1, 1, 102, 0, 65535, A, 0); // 12 entries: grown 4, 8, 16 (narrow), wide
    t.release();
    SegmentTimeline.Pool pool = context.timelines;
    assertEquals(1, pool.kept(4));
    assertEquals(1, pool.kept(8));
    assertEquals(0, pool.kept(16), "the arrays of the wide timeline are not the pool's");
    SegmentTimeline second = new SegmentTimeline(20_000, context);
    for (int i = 0; i < 9; i++) {
      second.add(5_000 + i, 7 + i, 0, 1 + 3 * i, 1, 3, 1000, A | P, 0);
    }
    // the second timeline took the sets of 4 and 8 and gave them back as it grew past them
    assertEquals(1, pool.kept(4));
    assertEquals(1, pool.kept(8));
    assertFalse(second.wide());
    for (int i = 0; i < 9; i++) {
      assertEquals(5_000 + i, second.ts(i));
      assertEquals(7 + i, second.frame(i));
      assertEquals(1 + 3 * i, second.seq(i));
      assertEquals(1, second.ack(i));
      assertEquals(3, second.len(i));
    }
  }

  @Test
  void aConnectionUsedEveryFewMinutesKeepsItsTimeNarrowInSmallerBlocks() {
    Random r = new Random(6);
    for (long gap : new long[] {40L * 60 * 1_000_000, 3L * 60 * 1_000_000, 60L * 60 * 1_000_000}) {
      SegmentTimeline t = new SegmentTimeline(5_000, null);
      long[] want = new long[3_000];
      long ts = 1_700_000_000_000_000L;
      for (int i = 0; i < want.length; i++) {
        // bursts of a few segments, then the gap: blocks of 64 span hours, of 1 to 32 less
        ts += i % 5 == 0 ? gap + r.nextInt(1_000_000) : r.nextInt(50_000);
        want[i] = ts;
        t.add(ts, 10 + i, i & 1, 1 + i, 1, 1, 1000, A, 0);
      }
      assertFalse(t.wide(), "time alone makes smaller blocks, not long columns");
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], t.ts(i), "gap " + gap + ", entry " + i);
        assertEquals(10 + i, t.frame(i));
      }
    }
  }
}
