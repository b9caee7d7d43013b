package io.connscope.capture;

import static io.connscope.capture.CaptureBytes.current;
import static io.connscope.capture.CaptureBytes.frame;
import static io.connscope.capture.CaptureBytes.gzip;
import static io.connscope.capture.CaptureBytes.pcapOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFilesTest {
  @TempDir Path dir;

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static int readAll(PacketSource s) throws IOException {
    int n = 0;
    while (s.next()) {
      assertArrayEquals(frame(100 + n % 900, n), current(s), "frame " + n);
      n++;
    }
    return n;
  }

  @Test
  void gzipCompressedPcapIsDecompressedWhateverTheName() throws IOException {
    byte[] gz = gzip(pcapOf(20_000)); // several read chunks once inflated
    Path p = write("x.pcap.gz", gz);
    Warnings w = new Warnings();
    try (PacketSource s = CaptureFiles.open(p, w)) {
      assertTrue(s instanceof PcapReader);
      assertEquals(p.toString(), s.name());
      assertEquals(20_000, readAll(s));
      assertEquals(gz.length, s.bytesRead()); // compressed bytes, for progress
    }
    assertTrue(w.isEmpty(), w.entries().toString());
  }

  @Test
  void gzipCompressedPcapng() throws IOException {
    CaptureBytes c = new CaptureBytes(ByteOrder.BIG_ENDIAN).shb();
    c.idb(LinkType.ETHERNET, 0, -1, 0).epb(0, 5, frame(50, 1), 50);
    try (PacketSource s = CaptureFiles.open(write("y.cap", gzip(c.toArray())), new Warnings())) {
      assertTrue(s instanceof PcapNgReader);
      assertTrue(s.next());
      assertEquals(5_000, s.info().timestampNanos);
      assertArrayEquals(frame(50, 1), current(s));
      assertFalse(s.next());
    }
  }

  @Test
  void truncatedGzipYieldsWhatWasThereAndWarns() throws IOException {
    byte[] gz = gzip(pcapOf(5_000));
    Warnings w = new Warnings();
    int n;
    try (PacketSource s =
        CaptureFiles.open(write("z.pcap.gz", Arrays.copyOf(gz, gz.length / 2)), w)) {
      n = readAll(s);
    }
    assertTrue(n > 100 && n < 5_000, "frames " + n);
    assertEquals(1, w.get("capture.truncated_gzip"), w.entries().toString());
  }

  @Test
  void nonCaptureFileGetsOneLineMessageWithItsFirstBytes() throws IOException {
    Path p =
        write("x.txt", "<html><body>hello</body></html>\n".getBytes(StandardCharsets.US_ASCII));
    CaptureFormatException e =
        assertThrows(CaptureFormatException.class, () -> CaptureFiles.open(p, new Warnings()));
    assertEquals(p + ": not a pcap or pcapng file (starts with 3c 68 74 6d)", e.getMessage());
  }

  @Test
  void gzipOfNonCaptureSaysSo() throws IOException {
    Path p = write("x.gz", gzip("hello world".getBytes(StandardCharsets.US_ASCII)));
    CaptureFormatException e =
        assertThrows(CaptureFormatException.class, () -> CaptureFiles.open(p, new Warnings()));
    assertEquals(
        p + ": not a pcap or pcapng file inside gzip (starts with 68 65 6c 6c)", e.getMessage());
  }

  @Test
  void emptyFiles() throws IOException {
    Path empty = write("e.pcap", new byte[0]);
    CaptureFormatException e =
        assertThrows(CaptureFormatException.class, () -> CaptureFiles.open(empty, new Warnings()));
    assertEquals(empty + ": empty file", e.getMessage());
    Path emptyGz = write("e.pcap.gz", gzip(new byte[0]));
    e =
        assertThrows(
            CaptureFormatException.class, () -> CaptureFiles.open(emptyGz, new Warnings()));
    assertEquals(emptyGz + ": empty file inside gzip", e.getMessage());
  }

  @Test
  void tooShortAndBrokenGzipHeader() throws IOException {
    Path shortFile = write("s.pcap", new byte[] {(byte) 0xd4, (byte) 0xc3});
    CaptureFormatException e =
        assertThrows(
            CaptureFormatException.class, () -> CaptureFiles.open(shortFile, new Warnings()));
    assertEquals(shortFile + ": too short to be a capture (2 bytes: d4 c3)", e.getMessage());
    Path badGz = write("b.gz", new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
    e = assertThrows(CaptureFormatException.class, () -> CaptureFiles.open(badGz, new Warnings()));
    assertTrue(e.getMessage().startsWith(badGz + ": damaged gzip header"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void missingFileIsAnIoError() {
    Path p = dir.resolve("nope.pcap");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> CaptureFiles.open(p, new Warnings()));
    assertTrue(e.getMessage().contains("nope.pcap"));
  }
}
