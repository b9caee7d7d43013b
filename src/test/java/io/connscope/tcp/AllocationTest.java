package io.connscope.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The per-segment path allocates nothing once a connection exists and its timeline is full. */
class AllocationTest {
  private static final int MSS = 1000;

  private long delivered;
  private final Segment seg = new Segment();
  private final ByteBuffer payload = ByteBuffer.allocate(MSS + 16);

  @Test
  void millionInOrderSegmentsAllocateNothingNoticeable() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
    Assumptions.assumeTrue(tmx.isThreadAllocatedMemorySupported());
    tmx.setThreadAllocatedMemoryEnabled(true);

    ConnectionTable table =
        new ConnectionTable(
            new TcpOptions(),
            new ConnectionHandler() {
              @Override
              public StreamListener open(Connection c) {
                return new StreamListener() {
                  @Override
                  public void onData(int dir, ByteBuffer buf, int off, int len, long f, long ts) {
                    delivered += len;
                  }

                  @Override
                  public void onGap(int dir, long len, long f, long ts) {}

                  @Override
                  public void onFin(int dir, long f, long ts) {}

                  @Override
                  public void onRst(int dir, long f, long ts) {}

                  @Override
                  public void onClose(long ts) {}
                };
              }

              @Override
              public void closed(Connection c) {}
            },
            new Warnings());

    // Handshake from a wrapping ISN, then a warm-up that fills the timeline.
    long cSeq = 0xFFFF0000L, sSeq = 7;
    feed(table, true, 0, Segment.SYN, cSeq, 0, 0);
    feed(table, false, 1, Segment.SYN | Segment.ACK, sSeq, cSeq + 1, 0);
    cSeq++;
    sSeq++;
    feed(table, true, 2, Segment.ACK, cSeq, sSeq, 0);
    long t = 3;
    for (int i = 0; i < 50_000; i++) {
      cSeq = step(table, t++, cSeq, sSeq, i);
    }
    Thread th = Thread.currentThread();
    long before = tmx.getThreadAllocatedBytes(th.getId());
    for (int i = 0; i < 1_000_000; i++) {
      cSeq = step(table, t++, cSeq, sSeq, i);
    }
    long allocated = tmx.getThreadAllocatedBytes(th.getId()) - before;
    assertEquals(1_050_000L * MSS, delivered);
    assertEquals(1, table.connectionsCreated());
    assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 1.5M segments");
  }

  /** One data segment from the client; every other one is acknowledged by the server. */
  private long step(ConnectionTable table, long t, long cSeq, long sSeq, int i) {
    feed(table, true, t, Segment.ACK | Segment.PSH, cSeq, sSeq, MSS);
    long next = (cSeq + MSS) & Seq.MASK;
    if ((i & 1) == 1) {
      feed(table, false, t, Segment.ACK, sSeq, next, 0);
    }
    return next;
  }

  private void feed(
      ConnectionTable table, boolean fromClient, long t, int flags, long seq, long ack, int len) {
    seg.clearOptions();
    seg.frame = t + 1;
    seg.tsMicros = t * 10;
    seg.ipVersion = 4;
    seg.srcLo = fromClient ? 0xFFFF0A000001L : 0xFFFF0A000002L;
    seg.dstLo = fromClient ? 0xFFFF0A000002L : 0xFFFF0A000001L;
    seg.srcPort = fromClient ? 40000 : 80;
    seg.dstPort = fromClient ? 80 : 40000;
    seg.seq = seq & Seq.MASK;
    seg.ack = ack & Seq.MASK;
    seg.flags = flags;
    seg.window = 500;
    seg.payload = payload;
    seg.payloadOffset = 16;
    seg.payloadLength = len;
    seg.payloadWireLength = len;
    table.accept(seg);
  }
}
