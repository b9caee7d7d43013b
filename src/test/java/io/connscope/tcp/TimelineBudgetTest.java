package io.connscope.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The timelines of all open connections share {@link TcpOptions#maxTimelineEntriesTotal}, of which
 * those longer than a chunk take at most {@link TcpOptions#longTimelinesTotal()}.
 */
class TimelineBudgetTest {
  private static final int A = TcpHarness.A;

  @Test
  void manyLongConnectionsStopRecordingAtTheTotalAndGiveEntriesBackWhenClosed() {
    TcpOptions o = new TcpOptions();
    o.maxTimelineEntriesTotal = 100;
    TcpHarness h = new TcpHarness(o);
    // connection 1 takes the first 16 + 16 + 32 = 64 entries, connection 2 only what is left
    h.ports(40001, 80);
    for (int i = 0; i < 50; i++) {
      h.c(i, A, 1000 + i, 1, "x");
    }
    h.ports(40002, 80);
    for (int i = 0; i < 50; i++) {
      h.c(100 + i, A, 1000 + i, 1, "x");
    }
    assertEquals(50, h.conn(1).timeline().size());
    assertFalse(h.conn(1).timeline().truncated());
    assertEquals(36, h.conn(2).timeline().size(), "16 + 16 + 4 left of 100");
    assertTrue(h.conn(2).timeline().truncatedByTotal());
    assertEquals(1, h.warnings.get("tcp.timeline_total_full"));
    assertEquals(0, h.warnings.get("tcp.timeline_truncated"));
    h.finish();
    // closing gave every entry back to the budget
    assertEquals(0, h.table.context.timelineEntries);
  }

  @Test
  void longTimelinesTakeTheirEntriesChunkByChunk() {
    TcpOptions o = new TcpOptions();
    o.maxTimelineEntriesTotal = 5_000;
    TcpHarness h = new TcpHarness(o);
    h.ports(40001, 80);
    for (int i = 0; i < 3_000; i++) {
      h.c(i, A, 1000 + i, 1, "x");
    }
    SegmentTimeline first = h.conn(1).timeline();
    assertEquals(3_000, first.size());
    // two full chunks and a third grown to 1,024 (one array per column grown by doubling: 4,096)
    assertEquals(3 * SegmentTimeline.CHUNK, h.table.context.timelineEntries);
    h.ports(40002, 80);
    for (int i = 0; i < 3_000; i++) {
      h.c(10_000 + i, A, 1000 + i, 1, "x");
    }
    SegmentTimeline second = h.conn(2).timeline();
    // its first chunk of 1,024 as a short timeline; then it is long, and long timelines stop at
    // three quarters of the total (3,750), which the first one's 3,072 and this chunk are past
    assertEquals(SegmentTimeline.CHUNK, second.size());
    assertTrue(second.truncatedByTotal());
    assertEquals(4 * SegmentTimeline.CHUNK, h.table.context.timelineEntries);
    for (int i = 0; i < second.size(); i++) {
      assertEquals(10_000 + i, second.ts(i), "entry " + i);
      assertEquals(i + 1, second.seq(i), "entry " + i);
    }
    // a short connection after them still has the last quarter
    h.ports(40003, 80);
    for (int i = 0; i < 100; i++) {
      h.c(20_000 + i, A, 1000 + i, 1, "x");
    }
    SegmentTimeline third = h.conn(3).timeline();
    assertEquals(100, third.size());
    assertFalse(third.truncatedByTotal());
    // it grew 4, 8, 16, 32, 64, 128
    assertEquals(4 * SegmentTimeline.CHUNK + 128, h.table.context.timelineEntries);
    for (int i = 0; i < first.size(); i++) {
      assertEquals(i, first.ts(i), "entry " + i);
    }
    h.finish();
    assertEquals(0, h.table.context.timelineEntries);
  }
}
