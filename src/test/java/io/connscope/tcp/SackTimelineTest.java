package io.connscope.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** SACK blocks reach the segment timeline relative to the acknowledged direction's ISN. */
class SackTimelineTest {
  private static final int A = TcpHarness.A;

  @Test
  void blocksAreRecordedRelativeAcrossTheWrapAndBogusOnesAreDropped() {
    TcpHarness h = new TcpHarness();
    long si = 0xFFFF_FF00L; // the server's bytes wrap past 2^32
    h.handshake(0, 1000, si, 10, 10);
    h.s(30, A, si + 1, 1001, "a".repeat(100));
    h.s(31, A, si + 101, 1001, "b".repeat(100)); // wraps
    h.s(32, A, si + 201, 1001, "c".repeat(100));
    // the client got 1-100 and 201-300 (relative), not 101-200: one SACK block
    h.sack(si + 201, si + 301).c(40, A, 1001, si + 101, null);
    // a D-SACK (below the ACK) and a block, then an empty and a reversed block: dropped
    h.sack(si + 1, si + 101, si + 201, si + 301, si + 50, si + 50, si + 60, si + 40)
        .c(41, A, 1001, si + 101, null);
    SegmentTimeline t = h.conn(1).timeline();
    assertEquals(3, t.sackCount());
    assertEquals(6, t.sackEntry(0));
    assertEquals(201, t.sackLeft(0));
    assertEquals(301, t.sackRight(0));
    assertEquals(7, t.sackEntry(1));
    assertEquals(1, t.sackLeft(1));
    assertEquals(101, t.sackRight(1));
    assertEquals(201, t.sackLeft(2));
    assertEquals(101, t.ack(7));
  }

  @Test
  void blocksAreBoundedByTheTimelineCapacity() {
    TcpOptions o = new TcpOptions();
    o.timelineCapacity = 8;
    TcpHarness h = new TcpHarness(o);
    h.handshake(0, 1000, 5000, 10, 10);
    h.s(30, A, 5001, 1001, "x".repeat(400));
    for (int i = 0; i < 3; i++) {
      h.sack(5101, 5201, 5301, 5401).c(40 + i, A, 1001, 5001, null);
    }
    SegmentTimeline t = h.conn(1).timeline();
    assertEquals(6, t.sackCount(), "2 blocks in each of 3 ACKs, under the cap of 8");
    for (int i = 0; i < 3; i++) {
      h.sack(5101, 5201, 5301, 5401).c(50 + i, A, 1001, 5001, null);
    }
    assertEquals(8, t.sackCount(), "capped at the timeline's capacity");
    h.finish();
    assertEquals(0, h.table.context.timelineEntries, "the blocks' budget is given back");
  }
}
