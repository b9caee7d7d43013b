package io.connscope.capture;

import static io.connscope.capture.CaptureBytes.current;
import static io.connscope.capture.CaptureBytes.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapNgReaderTest {
  @TempDir Path dir;

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static final long T1 = 1_700_000_000_123_456_789L;

  /** Section 1, little-endian: two interfaces, EPB/SPB and blocks to skip. */
  private static CaptureBytes section1(List<Integer> blockEnds) {
    CaptureBytes c = new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
    c.shb();
    blockEnds.add(c.size());
    c.idb(LinkType.ETHERNET, 65535, 9, 0); // 10^-9 s
    blockEnds.add(c.size());
    c.idb(LinkType.RAW, 65535, 0x80 | 10, 100); // 2^-10 s, offset +100 s
    blockEnds.add(c.size());
    c.epb(0, T1, frame(60, 1), 60);
    blockEnds.add(c.size());
    c.block(4, 8); // name resolution: skipped silently
    blockEnds.add(c.size());
    c.epb(1, (1000L << 10) + 512, frame(41, 2), 41); // 1000.5 s, odd length: padded
    blockEnds.add(c.size());
    c.spb(frame(30, 3), 30);
    blockEnds.add(c.size());
    c.block(0x1234, 4); // unknown
    blockEnds.add(c.size());
    c.block(5, 20); // interface statistics
    blockEnds.add(c.size());
    c.epb(5, 0, frame(10, 9), 10); // undefined interface
    blockEnds.add(c.size());
    c.block(0xBAD, 8); // custom
    blockEnds.add(c.size());
    return c;
  }

  @Test
  void readsSectionsOfBothByteOrdersAndAllPacketBlocks() throws IOException {
    CaptureBytes c = section1(new ArrayList<>());
    CaptureBytes s2 = new CaptureBytes(ByteOrder.BIG_ENDIAN);
    s2.shb();
    s2.idb(LinkType.LINUX_SLL, 20, -1, 0); // default resolution: microseconds
    s2.opb(0, 1_700_000_000_000_001L, frame(18, 4), 18);
    s2.epb(1, 5, frame(10, 8), 10); // interface 1 existed only in section 1
    s2.epb(0, 2, frame(10, 5), 8); // captured > original
    s2.spb(frame(20, 6), 100); // cut to the snaplen of 20
    Path p = write("a.pcapng", CaptureBytes.concat(c.toArray(), s2.toArray()));
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(p, w)) {
      assertTrue(s instanceof PcapNgReader);
      assertTrue(s.next());
      check(s, 1, T1, 60, 60, 0, LinkType.ETHERNET, frame(60, 1));
      assertTrue(s.next());
      check(s, 2, 1_100_500_000_000L, 41, 41, 1, LinkType.RAW, frame(41, 2));
      assertTrue(s.next());
      check(s, 3, 1_100_500_000_000L, 30, 30, 0, LinkType.ETHERNET, frame(30, 3));
      assertTrue(s.next());
      check(s, 4, 1_700_000_000_000_001_000L, 18, 18, 0, LinkType.LINUX_SLL, frame(18, 4));
      assertTrue(s.next());
      check(s, 5, 2_000L, 10, 10, 0, LinkType.LINUX_SLL, frame(10, 5));
      assertTrue(s.next());
      check(s, 6, 2_000L, 20, 100, 0, LinkType.LINUX_SLL, frame(20, 6));
      assertFalse(s.next());
      assertEquals(Files.size(p), s.bytesRead());
    }
    assertEquals(1, w.get("capture.unknown_block"));
    assertEquals(2, w.get("capture.bad_interface"));
    assertEquals(1, w.get("capture.bad_record_length"));
    assertEquals(3, w.entries().size(), w.entries().toString());
  }

  private static void check(
      PacketSource s,
      long frameNo,
      long ts,
      int cap,
      int wire,
      int ifId,
      int linkType,
      byte[] data) {
    CaptureInfo i = s.info();
    assertEquals(frameNo, i.frameNumber, "frame number");
    assertEquals(ts, i.timestampNanos, "timestamp of frame " + frameNo);
    assertEquals(cap, i.capturedLength, "caplen of frame " + frameNo);
    assertEquals(wire, i.wireLength, "wirelen of frame " + frameNo);
    assertEquals(ifId, i.interfaceId, "interface of frame " + frameNo);
    assertEquals(linkType, i.linkType, "linktype of frame " + frameNo);
    assertArrayEquals(data, current(s), "bytes of frame " + frameNo);
  }

  @ParameterizedTest
  @CsvSource({
    "-1, 1000001, 1000001000",
    "6, 1000001, 1000001000",
    "0, 3, 3000000000",
    "3, 1700000000123, 1700000000123000000",
    "12, 1234567890123456, 1234567890123",
    "128, 7, 7000000000", // 2^0
    "168, 6047313952768, 5500000000", // 2^-40: 5.5 s
    "158, 1825361100800000000, 1700000000000000000", // 2^-30
  })
  void timestampResolutions(int tsresol, long ts, long nanos) throws IOException {
    CaptureBytes c = new CaptureBytes(ByteOrder.BIG_ENDIAN).shb();
    c.idb(LinkType.ETHERNET, 0, tsresol, 0).epb(0, ts, frame(4, 1), 4);
    try (PacketSource s = CaptureFiles.open(write("r.pcapng", c.toArray()), new Warnings())) {
      assertTrue(s.next());
      assertEquals(nanos, s.info().timestampNanos);
    }
  }

  @Test
  void packetLongerThanItsBlockIsSkipped() throws IOException {
    CaptureBytes c = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb();
    c.idb(LinkType.ETHERNET, 0, -1, 0);
    int at = c.size();
    c.epb(0, 1, frame(8, 1), 8);
    c.set32(at + 20, 9); // caplen 9 in a block with room for 8
    c.epb(0, 2, frame(8, 2), 8);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("l.pcapng", c.toArray()), w)) {
      assertTrue(s.next());
      assertEquals(1, s.info().frameNumber);
      assertArrayEquals(frame(8, 2), current(s));
      assertFalse(s.next());
    }
    assertEquals(1, w.get("capture.bad_record"));
  }

  @ParameterizedTest
  @CsvSource({
    "4, 34", // not a multiple of 4
    "4, 8", // below 12
    "4, 33554432", // 32 MiB
    "-1, 0", // trailing length differs
    "8, 0", // byte-order magic broken in a second section header
  })
  void corruptBlockLengthStopsTheFile(int field, long value) throws IOException {
    CaptureBytes c = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb();
    c.idb(LinkType.ETHERNET, 0, -1, 0).epb(0, 1, frame(8, 1), 8);
    int at = c.size();
    if (field == 8) {
      c.shb();
    } else {
      c.epb(0, 2, frame(8, 2), 8);
    }
    c.epb(0, 3, frame(8, 3), 8);
    if (field < 0) {
      c.set32(at + 36, 44);
    } else {
      c.set32(at + field, value);
    }
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("b.pcapng", c.toArray()), w)) {
      assertTrue(s.next());
      assertArrayEquals(frame(8, 1), current(s));
      assertFalse(s.next());
      assertFalse(s.next());
    }
    assertEquals(1, w.get("capture.bad_block"), w.entries().toString());
    assertTrue(w.entries().get("capture.bad_block").detail().contains("offset " + at));
  }

  @Test
  void truncationAtEveryOffsetNeverThrowsAndKeepsCompleteFrames() throws IOException {
    List<Integer> ends = new ArrayList<>();
    byte[] full = section1(ends).toArray();
    // Frames end with blocks 3, 5 and 6 (0-based in ends).
    int[] frameEnds = {ends.get(3), ends.get(5), ends.get(6)};
    for (int cut = 0; cut <= full.length; cut++) {
      Path p = write("t" + cut + ".pcapng", Arrays.copyOf(full, cut));
      Warnings w = new Warnings();
      if (cut < 4) {
        assertThrows(CaptureFormatException.class, () -> CaptureFiles.open(p, w));
        continue;
      }
      int got = 0;
      try (PacketSource s = CaptureFiles.open(p, w)) {
        while (s.next()) {
          got++;
        }
      }
      int expected = 0;
      while (expected < frameEnds.length && frameEnds[expected] <= cut) {
        expected++;
      }
      assertEquals(expected, got, "cut " + cut);
      assertEquals(ends.contains(cut) ? 0 : 1, w.get("capture.truncated_file"), "cut " + cut);
      assertEquals(0, w.get("capture.bad_block"), "cut " + cut);
    }
  }

  @Test
  void simplePacketWithoutInterfaceIsSkipped() throws IOException {
    CaptureBytes c = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().spb(frame(8, 1), 8);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(write("n.pcapng", c.toArray()), w)) {
      assertFalse(s.next());
    }
    assertEquals(1, w.get("capture.bad_interface"));
  }
}
