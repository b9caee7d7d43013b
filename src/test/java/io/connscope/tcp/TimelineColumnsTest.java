package io.connscope.tcp;

import static io.connscope.tcp.TcpHarness.A;
import static io.connscope.tcp.TcpHarness.F;
import static io.connscope.tcp.TcpHarness.P;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A timeline rebuilt from its columns ({@link SegmentTimeline#of}, what a stage in another process
 * receives) reads as the one it was taken from, and belongs to no table: releasing it gives nothing
 * to the pool or the budget of the table the original came from.
 */
class TimelineColumnsTest {
  @Test
  void aTimelineFromItsColumnsReadsTheSameAndOwesNothingToAnyTable() {
    TcpHarness h = new TcpHarness().ports(40000, 80);
    h.handshake(0, 100, 500, 10, 10);
    for (int i = 0; i < 6; i++) {
      h.c(100 + i, A | P, 101 + 10 * i, 501, "0123456789");
    }
    h.s(200, A | F, 501, 161, null);
    Connection c = h.conn(1);
    SegmentTimeline t = c.timeline();
    assertTrue(t.size() > 8, "entries: " + t.size());
    int n = 8; // a size the pool keeps: a copy given to it would show in kept(8)
    long[] ts = new long[n], frame = new long[n], seq = new long[n], ack = new long[n];
    int[] len = new int[n], window = new int[n];
    byte[] dir = new byte[n], flags = new byte[n], kind = new byte[n];
    for (int i = 0; i < n; i++) {
      ts[i] = t.ts(i);
      frame[i] = t.frame(i);
      dir[i] = (byte) t.dir(i);
      seq[i] = t.seq(i);
      ack[i] = t.ack(i);
      len[i] = t.len(i);
      window[i] = t.window(i);
      flags[i] = (byte) t.flags(i);
      kind[i] = (byte) t.kind(i);
    }
    SegmentTimeline copy =
        SegmentTimeline.of(
            t.capacity(),
            false,
            false,
            ts,
            frame,
            dir,
            seq,
            ack,
            len,
            window,
            flags,
            kind,
            new int[] {n - 1},
            new long[] {7},
            new long[] {9});
    assertEquals(n, copy.size());
    for (int i = 0; i < n; i++) {
      assertEquals(t.ts(i), copy.ts(i));
      assertEquals(t.frame(i), copy.frame(i));
      assertEquals(t.dir(i), copy.dir(i));
      assertEquals(t.seq(i), copy.seq(i));
      assertEquals(t.ack(i), copy.ack(i));
      assertEquals(t.len(i), copy.len(i));
      assertEquals(t.window(i), copy.window(i));
      assertEquals(t.flags(i), copy.flags(i));
      assertEquals(t.kind(i), copy.kind(i));
    }
    assertEquals(1, copy.sackCount());
    assertEquals(n - 1, copy.sackEntry(0));
    assertEquals(9, copy.sackRight(0));

    ConnectionContext table = h.table.context;
    long budget = table.timelineEntries;
    int[] kept = {table.timelines.kept(4), table.timelines.kept(8), table.timelines.kept(16)};
    copy.release();
    assertEquals(0, copy.size());
    assertEquals(budget, table.timelineEntries, "the table's budget is untouched");
    assertEquals(kept[0], table.timelines.kept(4), "nothing given to the table's pool");
    assertEquals(kept[1], table.timelines.kept(8));
    assertEquals(kept[2], table.timelines.kept(16));
    assertEquals(t.frame(n - 1), frame[n - 1], "the original's entries are untouched");
    assertTrue(t.size() > n);
  }

  @Test
  void columnsOfDifferentLengthsAreRefused() {
    long[] two = new long[2];
    int[] twoInts = new int[2];
    byte[] twoBytes = new byte[2];
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SegmentTimeline.of(
                8,
                false,
                false,
                two,
                new long[1],
                twoBytes,
                two,
                two,
                twoInts,
                twoInts,
                twoBytes,
                twoBytes,
                new int[0],
                new long[0],
                new long[0]));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            SegmentTimeline.of(
                1,
                false,
                false,
                two,
                two,
                twoBytes,
                two,
                two,
                twoInts,
                twoInts,
                twoBytes,
                twoBytes,
                new int[0],
                new long[0],
                new long[0]));
  }
}
