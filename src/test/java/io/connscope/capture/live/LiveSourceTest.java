package io.connscope.capture.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The capture thread and its backlog, on the loopback interface with real datagrams: every frame
 * reaches the analysis once and in order however slow the analysis is, the backlog stays within its
 * limit, and count and stop end the capture. Both readers (native batch, pcap4j per-packet). Skips
 * when live capture cannot work here (no libpcap, no capture rights, no {@code lo}).
 */
class LiveSourceTest {
  private static final int DATAGRAMS = 8000; // 10 MB: more than two batches of 4 MiB
  private static final int PAYLOAD = 1200;

  @BeforeAll
  static void liveCaptureWorksHere() {
    LibpcapTest.assumeLoopbackCapture();
  }

  @ParameterizedTest(name = "native batch reader: {0}")
  @ValueSource(booleans = {true, false})
  void slowAnalysisGetsEveryFrameInOrderWithinTheBacklog(boolean nativeReader) throws Exception {
    try (DatagramSocket sink =
            new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DatagramSocket sender = new DatagramSocket()) {
      LiveOptions o = options(sink.getLocalPort(), nativeReader);
      o.backlogBytes = 1; // the smallest: two batches
      o.durationNanos = 20_000_000_000L; // a bound; the count ends it
      o.count = DATAGRAMS;
      try (LiveSource s = LiveSource.open(o, new Warnings())) {
        send(sender, sink.getLocalPort());
        // the analysis is late: the capture thread fills both batches, then waits while the
        // kernel's buffer holds the rest
        Thread.sleep(500);
        int seen = 0;
        while (s.next()) {
          // the datagram's sequence number, after Ethernet (14), IPv4 (20) and UDP (8) headers
          ByteBuffer f = s.buffer();
          assertEquals(seen, f.getInt(s.frameOffset() + 42), "frames in capture order");
          assertEquals(14 + 20 + 8 + PAYLOAD, s.info().capturedLength);
          seen++;
        }
        assertEquals(DATAGRAMS, seen);
        assertEquals(DATAGRAMS, s.frames());
        assertTrue(
            s.backlogMemoryBytes() <= s.backlogBytes(),
            s.backlogMemoryBytes() + " > " + s.backlogBytes());
        assertTrue(
            s.backlogPeakBytes() <= s.backlogMemoryBytes(),
            s.backlogPeakBytes() + " > " + s.backlogMemoryBytes());
        // both batches waited for the analysis at once (how full each was depends on the pace)
        assertTrue(s.backlogPeakBytes() > 2 * (PAYLOAD + 42), "peak " + s.backlogPeakBytes());
        assertTrue(s.backlogWaits() > 0, "the capture thread waited for the analysis");
        assertEquals(
            0, s.stats().kernelDrops(), "the kernel's buffer took what the backlog could not");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void theBacklogTakesAtMostHalfTheDirectMemory() throws Exception {
    LiveOptions o = options(9, true);
    o.backlogBytes = 1L << 40;
    try (LiveSource s = LiveSource.open(o, new Warnings())) {
      // the tests' JVM runs with -Xmx512m and no -XX:MaxDirectMemorySize: the heap's maximum
      long half = Runtime.getRuntime().maxMemory() / 2;
      assertTrue(
          s.backlogBytes() <= half && s.backlogBytes() > half - (8 << 20),
          s.backlogBytes() + " for half of " + Runtime.getRuntime().maxMemory());
    }
  }

  @ParameterizedTest(name = "native batch reader: {0}")
  @ValueSource(booleans = {true, false})
  void stopFromAnotherThreadEndsAQuietCapture(boolean nativeReader) throws Exception {
    LiveOptions o = options(9, nativeReader); // nothing on the discard port
    try (LiveSource s = LiveSource.open(o, new Warnings())) {
      long start = System.nanoTime();
      Thread stopper =
          new Thread(
              () -> {
                try {
                  Thread.sleep(300);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                s.requestStop();
              });
      stopper.start();
      assertFalse(s.next());
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 250 && ms < 5_000, "stopped after " + ms + " ms");
      stopper.join();
      assertTrue(s.stopRequested());
    }
  }

  private static LiveOptions options(int port, boolean nativeReader) {
    LiveOptions o = new LiveOptions();
    o.device = "lo";
    o.filter = "udp dst port " + port;
    o.nativeBatch = nativeReader;
    o.durationNanos = 10_000_000_000L;
    return o;
  }

  private static void send(DatagramSocket sender, int port) throws Exception {
    byte[] payload = new byte[PAYLOAD];
    InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    for (int i = 0; i < DATAGRAMS; i++) {
      ByteBuffer.wrap(payload).putInt(0, i);
      sender.send(new DatagramPacket(payload, payload.length, to));
    }
  }
}
