package io.connscope.decode;

import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Decodes every frame of the shared corpus's classic pcap files (skipped when the corpus is
 * absent). Uses its own minimal record walker so it does not depend on the capture readers.
 */
class CorpusDecodeTest {
  private static final Path CORPUS = Paths.get("..", "shared", "corpus");
  private static final java.util.Set<Integer> SUPPORTED =
      java.util.Set.of(
          LinkType.NULL,
          LinkType.ETHERNET,
          LinkType.RAW_BSD,
          LinkType.RAW_OPENBSD,
          LinkType.RAW,
          LinkType.LOOP,
          LinkType.LINUX_SLL,
          LinkType.IPV4,
          LinkType.IPV6,
          LinkType.LINUX_SLL2,
          LinkType.PPP,
          LinkType.PPP_SERIAL,
          LinkType.C_HDLC,
          LinkType.IEEE802_11,
          LinkType.IEEE802_11_RADIOTAP,
          LinkType.NFLOG);

  /** Per-file outcome counts. */
  static final class Counts {
    int linkType;
    int frames;

    /** Frame number and reason of the first MALFORMED frame, for the log. */
    String firstMalformed;

    final EnumMap<DecodeStatus, Integer> byStatus = new EnumMap<>(DecodeStatus.class);

    int get(DecodeStatus s) {
      return byStatus.getOrDefault(s, 0);
    }
  }

  @Test
  void corpusFramesDecodeWithoutThrowing() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(CORPUS), "corpus absent");
    List<Path> files;
    try (Stream<Path> s = Files.walk(CORPUS)) {
      files = s.filter(p -> p.toString().endsWith(".pcap")).sorted().collect(Collectors.toList());
    }
    Assumptions.assumeFalse(files.isEmpty(), "no pcap files in corpus");
    FrameDecoder d = new FrameDecoder();
    Map<String, Counts> results = new TreeMap<>();
    for (Path f : files) {
      Counts c = walk(f, d);
      if (c != null) {
        results.put(CORPUS.relativize(f).toString(), c);
      }
    }
    int etherFrames = 0, etherUseful = 0, etherOk = 0;
    for (Map.Entry<String, Counts> e : results.entrySet()) {
      Counts c = e.getValue();
      if (c.linkType == LinkType.ETHERNET) {
        etherFrames += c.frames;
        etherUseful += c.get(DecodeStatus.OK) + c.get(DecodeStatus.NOT_TCP);
        etherOk += c.get(DecodeStatus.OK);
      }
      if (!SUPPORTED.contains(c.linkType)) {
        assertEquals(c.frames, c.get(DecodeStatus.UNSUPPORTED_LINK), e.getKey());
      } else {
        assertEquals(0, c.get(DecodeStatus.UNSUPPORTED_LINK), e.getKey());
      }
      System.out.println(
          e.getKey()
              + " link="
              + c.linkType
              + " frames="
              + c.frames
              + " "
              + c.byStatus
              + (c.firstMalformed == null ? "" : " first malformed " + c.firstMalformed));
    }
    System.out.printf(
        "corpus: %d files, ethernet frames %d, OK %d, OK|NOT_TCP %d%n",
        results.size(), etherFrames, etherOk, etherUseful);
    assertTrue(etherFrames > 1000, "expected a real corpus, got " + etherFrames + " frames");
    assertTrue(
        etherUseful >= 0.95 * etherFrames,
        "only " + etherUseful + " of " + etherFrames + " ethernet frames decoded: " + results);
    assertTrue(etherOk >= 0.8 * etherFrames, "only " + etherOk + " TCP of " + etherFrames);
  }

  /** Walks one classic pcap file; null when it is not one (pcapng, garbage). */
  private static Counts walk(Path file, FrameDecoder d) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 24) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(0);
    if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
      b.order(ByteOrder.BIG_ENDIAN); // written on a big-endian host
    } else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
      return null;
    }
    Counts c = new Counts();
    c.linkType = b.getInt(20) & 0x0FFFFFFF; // upper bits may carry FCS information
    CaptureInfo info = new CaptureInfo();
    info.linkType = c.linkType;
    int p = 24;
    while (p + 16 <= bytes.length) {
      int incl = b.getInt(p + 8);
      int orig = b.getInt(p + 12);
      if (incl < 0 || incl > 262_144 || p + 16 + incl > bytes.length) {
        break;
      }
      c.frames++;
      info.frameNumber = c.frames;
      info.capturedLength = incl;
      info.wireLength = orig;
      DecodeStatus s = d.decode(b, p + 16, info);
      c.byStatus.merge(s, 1, Integer::sum);
      if (s == DecodeStatus.MALFORMED && c.firstMalformed == null) {
        c.firstMalformed = "#" + c.frames + " " + d.reason();
      }
      if (s == DecodeStatus.OK) {
        assertTrue(d.payloadOffset() + d.payloadLength() <= p + 16 + incl, file + " #" + c.frames);
        d.tcp().parseOptions();
      }
      p += 16 + incl;
    }
    return c;
  }
}
