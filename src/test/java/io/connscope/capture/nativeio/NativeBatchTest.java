package io.connscope.capture.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.LinkType;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/**
 * The real helper on real libpcap handles, without capture rights: libpcap reads a capture file
 * through the same pcap_dispatch() callback as an interface, so every frame the batch reader packs
 * can be checked against our own file reader, byte for byte.
 */
class NativeBatchTest {
  @TempDir Path tmp;

  private static NativeBatch batch;

  @BeforeAll
  static void helperBuilt() {
    try {
      Pcaps.libVersion();
    } catch (LinkageError e) {
      Assumptions.assumeTrue(false, "libpcap not installed");
    }
    batch = NativeBatch.load();
    Assumptions.assumeTrue(
        batch != null, "native helper unavailable: " + NativeBatch.unavailableReason());
  }

  @Test
  void sampleFileInOneBatch() throws Exception {
    Path sample = Paths.get("samples", "nagle-post-split.pcap");
    assertEquals(framesOf(sample), compare(sample, 0));
  }

  @Test
  void manySmallBatchesWhenTheBufferFills() throws Exception {
    // snaplen 128: the smallest buffer holds two full records, so batches close early and often
    Path file = tmp.resolve("small.pcap");
    int n = 3000;
    writeSmall(file, n);
    assertEquals(n, compare(file, 0));
  }

  @Test
  void appendingReadsAddAfterTheRecordsAlreadyInTheBatch() throws Exception {
    Path file = tmp.resolve("append.pcap");
    int n = 40;
    writeSmall(file, n);
    PcapHandle h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
    try (PacketSource ours = CaptureFiles.open(file, new Warnings())) {
      long pcap = address(h);
      BatchBuffer b = new BatchBuffer(1 << 16);
      b.clear();
      byte[] first = {1, 2, 3, 4, 5};
      assertTrue(b.append(42L, first, first.length, 60)); // written from Java
      assertEquals(NativeBatch.Status.OK, batch.dispatch(pcap, b, 0, true));
      assertEquals(1 + n, b.count(), "the helper continued the batch");
      assertTrue(b.next());
      assertEquals(42L, b.timestampNanos());
      assertEquals(60, b.wireLength());
      assertEquals(5, b.frames().get(b.frameOffset() + 4));
      int frames = 0;
      while (b.next()) {
        assertTrue(ours.next());
        frames++;
        assertEquals(ours.info().timestampNanos, b.timestampNanos(), "frame " + frames);
        assertEquals(ours.info().capturedLength, b.capturedLength(), "frame " + frames);
        assertEquals(ours.buffer().get(ours.frameOffset()), b.frames().get(b.frameOffset()));
      }
      assertEquals(n, frames);
      // a read that does not append starts the batch afresh (the file is used up: empty)
      assertEquals(NativeBatch.Status.OK, batch.dispatch(pcap, b, 0, false));
      assertEquals(0, b.count());
    } finally {
      h.close();
    }
  }

  @Test
  void readingBatchesAllocatesNothing() throws Exception {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
    Assumptions.assumeTrue(tmx.isThreadAllocatedMemorySupported());
    tmx.setThreadAllocatedMemoryEnabled(true);
    Path file = tmp.resolve("alloc.pcap");
    int n = 3000;
    writeSmall(file, n);
    long tid = Thread.currentThread().getId();
    for (int round = 0; round < 3; round++) { // the first rounds warm up jnr-ffi and the JIT
      PcapHandle h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
      try {
        long pcap = address(h);
        BatchBuffer b = new BatchBuffer(batch.minBuffer(pcap, 0));
        long frames = 0;
        long sum = 0;
        int calls = 0;
        long before = tmx.getThreadAllocatedBytes(tid);
        do {
          batch.dispatch(pcap, b, 0);
          calls++;
          while (b.next()) {
            frames++;
            sum += b.timestampNanos() + b.frames().get(b.frameOffset());
          }
        } while (frames < n && calls < 10 * n);
        long allocated = tmx.getThreadAllocatedBytes(tid) - before;
        assertEquals(n, frames);
        assertTrue(calls > n / 3, "one native call per batch of two: " + calls);
        assertNotEquals(0, sum);
        if (round == 2) {
          assertTrue(
              allocated < 4096,
              "allocated "
                  + allocated
                  + " bytes over "
                  + calls
                  + " native calls and "
                  + frames
                  + " frames");
        }
      } finally {
        h.close();
      }
    }
  }

  private static void writeSmall(Path file, int n) throws IOException {
    try (PcapWriter w = new PcapWriter(Files.newOutputStream(file), LinkType.ETHERNET, 128, true)) {
      byte[] frame = new byte[300];
      for (int i = 0; i < frame.length; i++) {
        frame[i] = (byte) (i * 7);
      }
      for (int i = 0; i < n; i++) {
        int len = 14 + (i * 37) % 200;
        frame[0] = (byte) i;
        w.write(
            1_700_000_000_000_000_000L + i * 1_000_123L,
            ByteBuffer.wrap(frame),
            0,
            len,
            len + i % 3);
      }
    }
  }

  /** Reads {@code file} through the helper and our reader side by side; returns the frames. */
  private static long compare(Path file, int bufferBytes) throws Exception {
    PcapHandle h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
    try (PacketSource ours = CaptureFiles.open(file, new Warnings())) {
      long pcap = address(h);
      assertNotEquals(0, pcap);
      BatchBuffer b = new BatchBuffer(batch.minBuffer(pcap, bufferBytes));
      long frames = 0;
      int batches = 0;
      while (true) {
        assertEquals(NativeBatch.Status.OK, batch.dispatch(pcap, b, 0));
        assertEquals(0, b.skipped());
        if (b.remaining() == 0) {
          break;
        }
        batches++;
        while (b.next()) {
          assertTrue(ours.next(), "helper yields more frames than the file has");
          frames++;
          assertEquals(ours.info().timestampNanos, b.timestampNanos(), "frame " + frames);
          assertEquals(ours.info().capturedLength, b.capturedLength(), "frame " + frames);
          assertEquals(ours.info().wireLength, b.wireLength(), "frame " + frames);
          for (int i = 0; i < b.capturedLength(); i++) {
            assertEquals(
                ours.buffer().get(ours.frameOffset() + i),
                b.frames().get(b.frameOffset() + i),
                "frame " + frames + " byte " + i);
          }
        }
      }
      assertTrue(!ours.next(), "helper missed frames");
      if (frames > 100) {
        assertTrue(batches > 10, "expected many batches, got " + batches);
      }
      return frames;
    } finally {
      h.close();
    }
  }

  private static long framesOf(Path file) throws IOException {
    long n = 0;
    try (PacketSource s = CaptureFiles.open(file, new Warnings())) {
      while (s.next()) {
        n++;
      }
    }
    return n;
  }

  private static long address(PcapHandle h) throws ReflectiveOperationException {
    Field f = PcapHandle.class.getDeclaredField("handle");
    f.setAccessible(true);
    return com.sun.jna.Pointer.nativeValue((com.sun.jna.Pointer) f.get(h));
  }
}
