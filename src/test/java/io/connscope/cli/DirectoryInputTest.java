package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory of rotated captures is one input: the files are taken in the order of their first
 * packets (here the reverse of their names), connections and frame numbers run across them, and a
 * file that is not a capture is listed and skipped. The same traffic as one file gives the same
 * connections, transactions and findings.
 */
public class DirectoryInputTest {
  @TempDir Path tmp;

  @Test
  void rotatedFilesInADirectoryAreTheCaptureTheyWereCutFrom() throws IOException {
    Path sample = Path.of("samples/keepalive-max.pcap");
    Path dir = Files.createDirectory(tmp.resolve("ring"));
    int parts = rotate(sample, dir, 4);
    assertTrue(parts >= 3, "cut into " + parts);
    Files.writeString(dir.resolve("README.txt"), "not a capture");

    JsonNode whole = analyze(sample.toString());
    JsonNode ring = analyze(dir.toString());
    assertEquals(whole.get("connections"), ring.get("connections"));
    assertEquals(whole.get("findings"), ring.get("findings"));
    assertEquals(parts, ring.path("capture").path("files").size(), ring.path("capture").toString());
    assertTrue(
        ring.path("capture").path("warnings").toString().contains("capture.skipped_file"),
        ring.toString());

    JsonNode glob = analyze(dir.resolve("part-*.pcap").toString());
    assertEquals(whole.get("connections"), glob.get("connections"));
  }

  @Test
  void aDirectoryWithoutCapturesIsAOneLineError() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("empty"));
    Files.writeString(dir.resolve("notes.txt"), "nothing");
    MainTest.assertOneLineError(MainTest.run("analyze", dir.toString()), 3, "no capture files");
    MainTest.assertOneLineError(
        MainTest.run("analyze", dir.resolve("x-*.pcap").toString()), 3, "no file matches");
  }

  private JsonNode analyze(String input) throws IOException {
    Path out = tmp.resolve("r" + System.nanoTime() + ".json");
    MainTest.Result r = MainTest.run("analyze", input, "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    return new ObjectMapper().readTree(Files.readString(out, StandardCharsets.UTF_8));
  }

  /**
   * Cuts {@code sample} into files of {@code perFile} frames named so that name order is the
   * reverse of time order (part-9.pcap holds the first frames), as a wrapped ring buffer does.
   */
  public static int rotate(Path sample, Path dir, int perFile) throws IOException {
    List<byte[]> frames = new ArrayList<>();
    List<long[]> meta = new ArrayList<>();
    int linkType;
    try (PacketSource s = CaptureFiles.open(sample, new Warnings())) {
      linkType = -1;
      while (s.next()) {
        linkType = s.info().linkType;
        byte[] b = new byte[s.info().capturedLength];
        s.buffer().get(s.frameOffset(), b);
        frames.add(b);
        meta.add(new long[] {s.info().timestampNanos, s.info().wireLength});
      }
    }
    int parts = (frames.size() + perFile - 1) / perFile;
    for (int p = 0; p < parts; p++) {
      Path f = dir.resolve("part-" + (9 - p) + ".pcap");
      try (OutputStream o = Files.newOutputStream(f);
          PcapWriter w = new PcapWriter(o, linkType, 65535, false)) {
        for (int i = p * perFile; i < Math.min(frames.size(), (p + 1) * perFile); i++) {
          byte[] b = frames.get(i);
          w.write(meta.get(i)[0], java.nio.ByteBuffer.wrap(b), 0, b.length, (int) meta.get(i)[1]);
        }
      }
    }
    return parts;
  }
}
