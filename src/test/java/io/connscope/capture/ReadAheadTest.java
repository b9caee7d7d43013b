package io.connscope.capture;

import static io.connscope.capture.CaptureBytes.frame;
import static io.connscope.capture.CaptureBytes.gzip;
import static io.connscope.capture.CaptureBytes.pcapOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture read ahead on its own thread gives the frames, frame infos and warnings of the same
 * capture read on the parsing thread: every sample, generated pcap and pcapng files, gzip whole,
 * cut short and corrupt, in chunks from 1 byte (a record over many chunks) to 1 MiB.
 */
class ReadAheadTest {
  @TempDir Path dir;

  /** Chunk sizes for generated files: a record over many chunks, headers cut anywhere. */
  private static final int[] SMALL_CHUNKS = {13, 4096, 1 << 20};

  /** Chunk sizes for the samples. */
  private static final int[] CHUNKS = {4096, 1 << 20};

  /** Everything a reader told: per frame its info and bytes, then the warnings. */
  private static List<String> read(Path p, long readAheadMin, int chunk) throws IOException {
    Warnings w = new Warnings();
    List<String> out = new ArrayList<>();
    try (PacketSource s = CaptureFiles.open(p, w, 0, new ReadAhead.Plan(readAheadMin, 0, chunk))) {
      while (s.next()) {
        CaptureInfo i = s.info();
        ByteBuffer b = s.buffer();
        byte[] f = new byte[i.capturedLength];
        b.get(s.frameOffset(), f);
        out.add(
            i.frameNumber
                + " "
                + i.timestampNanos
                + " "
                + i.wireLength
                + " "
                + i.linkType
                + " "
                + i.interfaceId
                + " "
                + Arrays.toString(f));
      }
    }
    for (Map.Entry<String, Warnings.Entry> e : w.entries().entrySet()) {
      Warnings.Entry x = e.getValue();
      out.add(e.getKey() + " " + x.count() + " " + x.firstFrame() + " " + x.detail());
    }
    return out;
  }

  private void sameAhead(Path p, int... chunks) throws IOException {
    List<String> alone = read(p, Long.MAX_VALUE, ReadAhead.CHUNK_BYTES);
    assertTrue(alone.size() > 1, p + " has frames");
    for (int chunk : chunks) {
      List<String> ahead = read(p, 0, chunk);
      int i = 0; // the first difference only: a frame's line is long
      while (i < alone.size() && i < ahead.size() && alone.get(i).equals(ahead.get(i))) {
        i++;
      }
      assertEquals(alone.size(), i, p + ", chunks of " + chunk + ": line " + i + " differs");
      assertEquals(alone.size(), ahead.size(), p + ", chunks of " + chunk);
    }
  }

  /** The last line: the warnings, or the last frame when there are none. */
  private static String last(List<String> lines) {
    return lines.get(lines.size() - 1);
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void everySampleGivesTheSameFramesReadAhead() throws IOException {
    int n = 0;
    try (Stream<Path> s = Files.list(Path.of("samples"))) {
      for (Path p : s.filter(x -> x.toString().endsWith(".pcap")).sorted().toList()) {
        sameAhead(p, CHUNKS);
        n++;
      }
    }
    assertTrue(n > 20, "samples read: " + n);
  }

  @Test
  void generatedPcapAndPcapngWholeAndCut() throws IOException {
    sameAhead(write("one-byte-chunks.pcap", pcapOf(40)), 1, 2, 3);
    byte[] pcap = pcapOf(3_000);
    sameAhead(write("a.pcap", pcap), SMALL_CHUNKS);
    Path cut = write("cut.pcap", Arrays.copyOf(pcap, pcap.length - 37));
    sameAhead(cut, SMALL_CHUNKS);
    assertTrue(
        last(read(cut, 0, 13)).startsWith("capture.truncated_file 1 "), last(read(cut, 0, 13)));
    CaptureBytes c = new CaptureBytes(ByteOrder.BIG_ENDIAN).shb();
    c.idb(LinkType.ETHERNET, 0, -1, 0);
    for (int i = 0; i < 500; i++) {
      c.epb(0, i, frame(60 + i, i), 60 + i);
    }
    sameAhead(write("b.pcapng", c.toArray()), SMALL_CHUNKS);
  }

  @Test
  void gzipWholeCutShortAndCorruptWarnTheSame() throws IOException {
    byte[] gz = gzip(pcapOf(5_000));
    sameAhead(write("w.pcap.gz", gz), SMALL_CHUNKS);
    Path cut = write("c.pcap.gz", Arrays.copyOf(gz, gz.length / 2));
    sameAhead(cut, SMALL_CHUNKS);
    assertTrue(read(cut, 0, 13).stream().anyMatch(l -> l.startsWith("capture.truncated_gzip 1 ")));
    byte[] bad = gz.clone();
    bad[bad.length - 8] ^= 0x5A; // the trailer's CRC: every frame inflates, then the check fails
    Path corrupt = write("x.pcap.gz", bad);
    sameAhead(corrupt, SMALL_CHUNKS);
    List<String> r = read(corrupt, 0, 4096);
    assertEquals(5_000 + 1, r.size(), "every frame, then the warning");
    assertTrue(last(r).startsWith("capture.bad_gzip 1 "), last(r));
  }

  @Test
  void openingAFileToCheckItStartsNoThreadAndReadingOnStartsOne() throws IOException {
    Path p = write("big.pcap", pcapOf(20_000)); // 11 MB
    ReadAhead.Plan plan = new ReadAhead.Plan(0, 1 << 20, 4096);
    List<String> alone = read(p, Long.MAX_VALUE, 4096);
    List<String> got = new ArrayList<>();
    boolean startedLate = false;
    try (PacketSource s = CaptureFiles.open(p, new Warnings(), 0, plan)) {
      assertTrue(s.next());
      assertFalse(readingThreadAlive(), "a thread for the first packet");
      got.add(s.info().frameNumber + " " + s.info().timestampNanos);
      while (s.next()) {
        got.add(s.info().frameNumber + " " + s.info().timestampNanos);
        startedLate |= got.size() == 10_000 && readingThreadAlive();
      }
    }
    assertTrue(startedLate, "read ahead once past the first MiB");
    assertFalse(readingThreadAlive());
    assertEquals(20_000, got.size());
    assertEquals(20_000, alone.size()); // no warning
    assertEquals(alone, read(p, 0, 4096)); // and the same frames as read on the parsing thread
  }

  @Test
  void closingBeforeTheEndStopsTheReadingThread() throws IOException, InterruptedException {
    Path p = write("long.pcap", pcapOf(20_000));
    for (int round = 0; round < 20; round++) {
      try (PacketSource s =
          CaptureFiles.open(p, new Warnings(), 0, new ReadAhead.Plan(0, 0, 4096))) {
        for (int i = 0; i < 10; i++) {
          assertTrue(s.next());
        }
      }
    }
    assertFalse(readingThreadAlive(), "a reading thread outlived its capture");
  }

  private static boolean readingThreadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("connscope-read") && t.isAlive());
  }
}
