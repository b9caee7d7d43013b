package io.connscope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test helper: the capture files under a directory (the samples, the public corpus), found by name
 * (pcap, pcapng, cap, and gzip'd pcap and pcapng), sorted; none when the directory is missing.
 */
public final class CaptureFilesUnder {
  private CaptureFilesUnder() {}

  /** The capture files under {@code dir}, at any depth. */
  public static List<Path> of(Path dir) throws IOException {
    return of(dir, Long.MAX_VALUE);
  }

  /** The capture files under {@code dir} of at most {@code maxBytes} bytes. */
  public static List<Path> of(Path dir, long maxBytes) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> isCapture(p.getFileName().toString()))
          .filter(p -> size(p) <= maxBytes)
          .sorted()
          .toList();
    }
  }

  private static boolean isCapture(String n) {
    return n.endsWith(".pcap")
        || n.endsWith(".pcapng")
        || n.endsWith(".cap")
        || n.endsWith(".pcap.gz")
        || n.endsWith(".pcapng.gz");
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
