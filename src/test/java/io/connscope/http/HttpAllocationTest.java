package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Direction;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Body bytes are counted, never copied: 100 MB in 64 KiB chunks allocates a small constant. */
class HttpAllocationTest {
  private static final int CHUNK = 64 * 1024;
  private static final int CHUNKS = 1600; // 100 MiB

  @Test
  void largeBodiesAllocateAlmostNothing() {
    java.lang.management.ThreadMXBean std = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(std instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) std;
    Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported());
    mx.setThreadAllocatedMemoryEnabled(true);

    Harness h = new Harness(new HttpOptions(), false);
    HttpTracker t = h.tracker;
    int c = Direction.CLIENT;
    int s = Direction.SERVER;
    long total = (long) CHUNK * CHUNKS;
    feed(t, c, "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + total + "\r\n\r\n");
    feed(t, s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");

    ByteBuffer body = ByteBuffer.allocate(CHUNK);
    // one 64 KiB chunk of chunked encoding: "FFF8\r\n" + 65528 bytes + "\r\n"
    byte[] framed = new byte[CHUNK];
    Arrays.fill(framed, (byte) 'x');
    System.arraycopy("FFF8\r\n".getBytes(StandardCharsets.US_ASCII), 0, framed, 0, 6);
    framed[CHUNK - 2] = '\r';
    framed[CHUNK - 1] = '\n';
    ByteBuffer chunked = ByteBuffer.wrap(framed);

    long tid = Thread.currentThread().getId();
    for (int i = 0; i < 100; i++) { // warm up
      t.onData(c, body, 0, CHUNK, 10 + i, i);
      t.onData(s, chunked, 0, CHUNK, 10 + i, i);
    }
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 100; i < CHUNKS; i++) {
      t.onData(c, body, 0, CHUNK, 10 + i, i);
      t.onData(s, chunked, 0, CHUNK, 10 + i, i);
    }
    long allocated = mx.getThreadAllocatedBytes(tid) - before;
    feed(t, s, "0\r\n\r\n");
    t.onClose(CHUNKS + 1);

    assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 200 MB");
    Transaction x = t.transactions().get(0);
    assertEquals(total, x.requestBodyBytes());
    assertTrue(x.requestComplete());
    assertEquals((long) (CHUNK - 8) * CHUNKS, x.responseBodyBytes());
    assertTrue(x.responseComplete());
    assertTrue(t.anomalies().isEmpty(), t.anomalies().toString());
  }

  private static void feed(HttpTracker t, int dir, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    t.onData(dir, ByteBuffer.wrap(b), 0, b.length, 1, 0);
  }
}
