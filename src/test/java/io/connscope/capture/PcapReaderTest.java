package io.connscope.capture;

import static io.connscope.capture.CaptureBytes.current;
import static io.connscope.capture.CaptureBytes.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapReaderTest {
  @TempDir Path dir;

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @ParameterizedTest
  @CsvSource({"BIG_ENDIAN,false", "BIG_ENDIAN,true", "LITTLE_ENDIAN,false", "LITTLE_ENDIAN,true"})
  void readsBothByteOrdersMicroAndNano(String orderName, boolean nanos) throws IOException {
    ByteOrder order =
        orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    // Link type field with FCS length 4 and the F bit set above LINKTYPE_ETHERNET.
    CaptureBytes c = CaptureBytes.pcapHeader(order, nanos, 65535, 1 | (4 << 28) | (1 << 26));
    c.pcapRecord(1_700_000_000L, 123_456, frame(60, 1), 60);
    c.pcapRecord(0xFFFFFFF0L, 999_999, frame(1514, 2), 1514); // seconds past 2^31: unsigned
    c.pcapRecord(1_700_000_001L, 5, frame(0, 3), 0);
    c.pcapRecord(1_700_000_002L, 7, frame(96, 4), 1500);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("a.pcap", c.toArray()), w)) {
      assertTrue(s instanceof PcapReader);
      long unit = nanos ? 1 : 1000;
      assertTrue(s.next());
      check(s, 1, 1_700_000_000_000_000_000L + 123_456 * unit, 60, 60, frame(60, 1));
      assertTrue(s.next());
      check(s, 2, 0xFFFFFFF0L * 1_000_000_000L + 999_999 * unit, 1514, 1514, frame(1514, 2));
      assertTrue(s.next());
      check(s, 3, 1_700_000_001_000_000_000L + 5 * unit, 0, 0, new byte[0]);
      assertTrue(s.next());
      check(s, 4, 1_700_000_002_000_000_000L + 7 * unit, 96, 1500, frame(96, 4));
      assertFalse(s.next());
      assertFalse(s.next());
      assertEquals(c.size(), s.bytesRead());
      assertEquals(ByteOrder.BIG_ENDIAN, s.buffer().order());
    }
    assertTrue(w.isEmpty(), w.entries().toString());
  }

  private static void check(PacketSource s, long frameNo, long ts, int cap, int wire, byte[] data) {
    CaptureInfo i = s.info();
    assertEquals(frameNo, i.frameNumber);
    assertEquals(ts, i.timestampNanos);
    assertEquals(cap, i.capturedLength);
    assertEquals(wire, i.wireLength);
    assertEquals(0, i.interfaceId);
    assertEquals(LinkType.ETHERNET, i.linkType);
    assertArrayEquals(data, current(s));
  }

  @Test
  void modifiedPcapSkipsTheExtraRecordHeaderFields() throws IOException {
    CaptureBytes c = new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
    c.i32(0xa1b2cd34L).i16(2).i16(4).i32(0).i32(0).i32(65535).i32(1);
    for (int i = 1; i <= 2; i++) {
      c.i32(10 + i)
          .i32(i)
          .i32(30 * i)
          .i32(30 * i)
          .i32(2)
          .i16(0x0800)
          .i16(0)
          .bytes(frame(30 * i, i));
    }
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("m.pcap", c.toArray()), w)) {
      assertTrue(s.next());
      assertEquals(11_000_001_000L, s.info().timestampNanos);
      assertArrayEquals(frame(30, 1), current(s));
      assertTrue(s.next());
      assertArrayEquals(frame(60, 2), current(s));
      assertFalse(s.next());
    }
    assertTrue(w.isEmpty(), w.entries().toString());
  }

  @Test
  void frameNumbersContinueFromBase() throws IOException {
    CaptureBytes c = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 101);
    c.pcapRecord(1, 0, frame(20, 1), 20).pcapRecord(2, 0, frame(20, 2), 20);
    try (PacketSource s = CaptureFiles.open(write("b.pcap", c.toArray()), new Warnings(), 41)) {
      assertTrue(s.next());
      assertEquals(42, s.info().frameNumber);
      assertEquals(LinkType.RAW, s.info().linkType);
      assertTrue(s.next());
      assertEquals(43, s.info().frameNumber);
    }
  }

  @Test
  void capturedLongerThanOriginalIsCountedButDelivered() throws IOException {
    CaptureBytes c = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
    c.pcapRecord(1, 0, frame(100, 1), 40).pcapRecord(2, 0, frame(50, 2), 10);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("c.pcap", c.toArray()), w)) {
      assertTrue(s.next());
      assertEquals(100, s.info().capturedLength);
      assertEquals(100, s.info().wireLength);
      assertArrayEquals(frame(100, 1), current(s));
      assertTrue(s.next());
      assertEquals(50, s.info().wireLength);
      assertFalse(s.next());
    }
    assertEquals(2, w.get("capture.bad_record_length"));
    assertEquals(1, w.entries().get("capture.bad_record_length").firstFrame());
  }

  @Test
  void absurdCapturedLengthStopsTheFile() throws IOException {
    CaptureBytes c = CaptureBytes.pcapHeader(ByteOrder.BIG_ENDIAN, false, 65535, 1);
    c.pcapRecord(1, 0, frame(64, 1), 64);
    c.i32(2).i32(0).i32(300_000).i32(300_000).bytes(new byte[1000]);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("d.pcap", c.toArray()), w)) {
      assertTrue(s.next());
      assertFalse(s.next());
    }
    assertEquals(1, w.get("capture.bad_record"));
    assertTrue(
        w.entries().get("capture.bad_record").detail().contains("offset 104"),
        w.entries().get("capture.bad_record").detail());
  }

  @Test
  void snaplenAboveTheDefaultCapAllowsBigFramesAndGrowsTheBuffer() throws IOException {
    int big = 3 * CaptureInput.DEFAULT_CAPACITY + 17;
    CaptureBytes c = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, true, 8 << 20, 1);
    c.pcapRecord(1, 0, frame(10, 1), 10).pcapRecord(2, 0, frame(big, 2), big);
    c.pcapRecord(3, 0, frame(10, 3), 10);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("e.pcap", c.toArray()), w)) {
      assertTrue(s.next());
      assertTrue(s.next());
      assertEquals(big, s.info().capturedLength);
      assertArrayEquals(frame(big, 2), current(s));
      assertTrue(s.next());
      assertArrayEquals(frame(10, 3), current(s));
      assertFalse(s.next());
    }
    assertTrue(w.isEmpty());
  }

  @Test
  void framesStraddlingReadChunksAreIntact() throws IOException {
    // About 6 read chunks of odd-sized frames: every chunk boundary cuts some record.
    CaptureBytes c = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
    int n = 0;
    while (c.size() < 6 * CaptureInput.DEFAULT_CAPACITY) {
      c.pcapRecord(n, 0, frame(40 + (n * 37) % 1500, n), 1600);
      n++;
    }
    try (PacketSource s = CaptureFiles.open(write("f.pcap", c.toArray()), new Warnings())) {
      for (int i = 0; i < n; i++) {
        assertTrue(s.next());
        assertEquals(i, s.info().timestampNanos / 1_000_000_000L);
        assertArrayEquals(frame(40 + (i * 37) % 1500, i), current(s), "frame " + i);
      }
      assertFalse(s.next());
    }
  }

  @Test
  void truncationAtEveryOffsetNeverThrowsAndKeepsCompleteFrames() throws IOException {
    CaptureBytes c = CaptureBytes.pcapHeader(ByteOrder.BIG_ENDIAN, false, 65535, 1);
    int[] ends = new int[4];
    for (int i = 0; i < ends.length; i++) {
      c.pcapRecord(i, i, frame(5 + 11 * i, i), 5 + 11 * i);
      ends[i] = c.size();
    }
    byte[] full = c.toArray();
    for (int cut = 0; cut <= full.length; cut++) {
      Path p = write("t" + cut + ".pcap", Arrays.copyOf(full, cut));
      Warnings w = new Warnings();
      if (cut < 4) {
        CaptureFormatException e =
            assertThrows(CaptureFormatException.class, () -> CaptureFiles.open(p, w));
        assertFalse(e.getMessage().contains("\n"));
        continue;
      }
      int expected = 0;
      while (expected < ends.length && ends[expected] <= cut) {
        expected++;
      }
      int got = 0;
      try (PacketSource s = CaptureFiles.open(p, w)) {
        while (s.next()) {
          assertArrayEquals(frame(5 + 11 * got, got), current(s), "cut " + cut);
          got++;
        }
      }
      assertEquals(expected, got, "cut " + cut);
      boolean atBoundary = cut == 24 || (expected > 0 && ends[expected - 1] == cut);
      assertEquals(atBoundary ? 0 : 1, w.get("capture.truncated_file"), "cut " + cut);
    }
  }

  @ParameterizedTest
  @CsvSource({"false", "true"})
  void writerRoundTrip(boolean nanos) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer heap = ByteBuffer.wrap(CaptureBytes.concat(new byte[7], frame(300, 1)));
    ByteBuffer direct = ByteBuffer.allocateDirect(200);
    direct.put(frame(200, 2));
    long t0 = 1_700_000_000_123_456_789L;
    try (PcapWriter pw = new PcapWriter(out, LinkType.LINUX_SLL, 256, nanos)) {
      pw.write(t0, heap, 7, 300, 1400); // cut to the snaplen
      pw.write(t0 + 1_500, direct, 0, 200, 200);
      pw.write(2_999, heap, 7, 10, 10);
    }
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("w.pcap", out.toByteArray()), w)) {
      long unit = nanos ? 1 : 1000;
      assertTrue(s.next());
      assertEquals(t0 / unit * unit, s.info().timestampNanos);
      assertEquals(256, s.info().capturedLength);
      assertEquals(1400, s.info().wireLength);
      assertEquals(LinkType.LINUX_SLL, s.info().linkType);
      assertArrayEquals(Arrays.copyOf(frame(300, 1), 256), current(s));
      assertTrue(s.next());
      assertEquals((t0 + 1_500) / unit * unit, s.info().timestampNanos);
      assertArrayEquals(frame(200, 2), current(s));
      assertTrue(s.next());
      assertEquals(2_999 / unit * unit, s.info().timestampNanos);
      assertFalse(s.next());
      assertEquals(nanos, ((PcapReader) s).nanosecondResolution());
      assertEquals(256, ((PcapReader) s).snaplen());
    }
    assertTrue(w.isEmpty(), w.entries().toString());
  }
}
