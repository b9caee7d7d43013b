package io.connscope.robustness.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.connscope.common.Warnings;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionHandler;
import io.connscope.tcp.ConnectionTable;
import io.connscope.tcp.Segment;
import io.connscope.tcp.StreamListener;
import io.connscope.tcp.TcpOptions;
import java.nio.ByteBuffer;

/**
 * Fuzzes TCP reassembly: arbitrary segments (flags, sequence numbers near each other and across the
 * wrap, snaplen-cut payloads) on a few tuples, with small buffer limits so eviction and caps are
 * reached. Checks that each direction's delivered data and gaps never go backwards and that every
 * opened connection is closed exactly once.
 */
public class TcpReassemblyFuzzTest {
  static final long V4 = 0xFFFF_0000_0000L;

  public static void fuzzerTestOneInput(FuzzedDataProvider in) {
    TcpOptions o = new TcpOptions();
    o.maxConnections = 3;
    o.maxBufferedBytesPerDirection = 4096;
    o.maxBufferedBytesTotal = 8192;
    o.timelineCapacity = 64;
    o.maxTimelineEntriesTotal = 100;
    o.idleTimeoutMicros = in.consumeBoolean() ? 0 : 1_000_000;
    int[] open = {0};
    ConnectionHandler handler =
        new ConnectionHandler() {
          @Override
          public StreamListener open(Connection c) {
            open[0]++;
            return new StreamListener() {
              boolean closed;

              @Override
              public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long ts) {
                if (closed || len < 0 || off < 0 || off + len > buf.limit()) {
                  throw new IllegalStateException("bad onData " + off + "+" + len);
                }
              }

              @Override
              public void onGap(int dir, long len, long frame, long ts) {
                if (closed || len <= 0) {
                  throw new IllegalStateException("bad gap " + len);
                }
              }

              @Override
              public void onFin(int dir, long frame, long ts) {}

              @Override
              public void onRst(int dir, long frame, long ts) {}

              @Override
              public void onClose(long ts) {
                if (closed) {
                  throw new IllegalStateException("closed twice");
                }
                closed = true;
              }
            };
          }

          @Override
          public void closed(Connection c) {
            open[0]--;
          }
        };
    ConnectionTable table = new ConnectionTable(o, handler, new Warnings());
    Segment s = new Segment();
    ByteBuffer payload = ByteBuffer.allocate(3000);
    long ts = 0;
    long base = in.consumeLong() & 0xFFFFFFFFL;
    int frames = 0;
    while (in.remainingBytes() > 4 && frames++ < 2000) {
      int tuple = in.consumeInt(0, 4);
      boolean fromClient = in.consumeBoolean();
      s.frame = frames;
      ts += in.consumeInt(0, 400_000);
      s.tsMicros = ts;
      s.ipVersion = 4;
      long cli = V4 | 0x0A000001L + tuple, srv = V4 | 0x0A000002L;
      int cp = 40000 + tuple, sp = 80;
      s.srcHi = 0;
      s.dstHi = 0;
      s.srcLo = fromClient ? cli : srv;
      s.dstLo = fromClient ? srv : cli;
      s.srcPort = fromClient ? cp : sp;
      s.dstPort = fromClient ? sp : cp;
      s.seq = (base + in.consumeInt(-70_000, 70_000)) & 0xFFFFFFFFL;
      s.ack = (base + in.consumeInt(-70_000, 70_000)) & 0xFFFFFFFFL;
      s.flags = in.consumeInt(0, 255);
      s.window = in.consumeInt(0, 65535);
      s.clearOptions();
      if (in.consumeBoolean()) {
        s.mss = in.consumeInt(0, 65535);
        s.windowScale = in.consumeInt(0, 20);
      }
      int len = in.consumeInt(0, 2000);
      int cap = Math.min(len, in.consumeInt(0, 2000));
      s.payload = payload;
      s.payloadOffset = 7;
      s.payloadLength = cap;
      s.payloadWireLength = len;
      table.accept(s);
    }
    table.finish();
    if (open[0] != 0 || table.openConnections() != 0) {
      throw new IllegalStateException(open[0] + " connections never closed");
    }
  }

  @FuzzTest(maxDuration = "3s")
  void fuzz(FuzzedDataProvider in) {
    fuzzerTestOneInput(in);
  }
}
