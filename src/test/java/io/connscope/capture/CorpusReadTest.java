package io.connscope.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reads every capture of the shared corpus (when present) and compares its frame count with the
 * "packets" field of corpus/index.json (counted by capinfos/tshark).
 */
class CorpusReadTest {
  private static final Path CORPUS = Paths.get("..", "shared", "corpus");

  private static boolean isCapture(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".pcap")
        || n.endsWith(".pcapng")
        || n.endsWith(".cap")
        || n.endsWith(".pcap.gz")
        || n.endsWith(".pcapng.gz");
  }

  @Test
  void everyCorpusFileReadsWithTheIndexedFrameCount() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(CORPUS), "no corpus at " + CORPUS.toAbsolutePath());
    Map<String, Long> expected = new HashMap<>();
    Path index = CORPUS.resolve("index.json");
    if (Files.exists(index)) {
      for (JsonNode rec : new ObjectMapper().readTree(index.toFile())) {
        if (rec.hasNonNull("local") && rec.hasNonNull("packets")) {
          expected.put(rec.get("local").asText(), rec.get("packets").asLong());
        }
      }
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(CORPUS)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(CorpusReadTest::isCapture)
              .sorted()
              .collect(Collectors.toList());
    }
    Assumptions.assumeFalse(files.isEmpty(), "corpus has no capture files");
    int matched = 0;
    int indexed = 0;
    List<String> failures = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    for (Path f : files) {
      String local = CORPUS.relativize(f).toString().replace('\\', '/');
      Warnings w = new Warnings();
      long frames = 0;
      try (PacketSource s = CaptureFiles.open(f, w)) {
        while (s.next()) {
          frames++;
        }
      } catch (IOException | RuntimeException e) {
        failures.add(local + ": " + e);
        continue;
      }
      Long want = expected.get(local);
      if (want == null) {
        continue;
      }
      indexed++;
      if (want == frames) {
        matched++;
      } else {
        mismatches.add(
            local
                + ": read "
                + frames
                + ", index says "
                + want
                + " "
                + w.entries().entrySet().stream()
                    .map(
                        e ->
                            e.getKey()
                                + "="
                                + e.getValue().count()
                                + " ("
                                + e.getValue().detail()
                                + ")")
                    .collect(Collectors.toList()));
      }
    }
    System.out.printf(
        "corpus: %d capture files, %d in index.json, %d frame counts match%n",
        files.size(), indexed, matched);
    mismatches.forEach(m -> System.out.println("  mismatch " + m));
    failures.forEach(m -> System.out.println("  FAILED " + m));
    assertTrue(failures.isEmpty(), "files that threw: " + failures);
    assertTrue(indexed > 0, "no corpus file found in index.json");
    assertTrue(matched >= 0.99 * indexed, "frame count mismatches: " + mismatches);
  }
}
