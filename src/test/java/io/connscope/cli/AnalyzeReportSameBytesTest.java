package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One result model, one set of writers: {@code analyze -o x.FMT} and {@code report x.json -o y.FMT}
 * render the same records (the analysis' own, or those bound back from the JSON report), so they
 * give the same bytes in every format a saved report can be rendered in, for every sample.
 */
class AnalyzeReportSameBytesTest {
  private static final String[] FORMATS = {"json", "md", "html", "har"};

  @TempDir Path tmp;

  static Stream<Path> samples() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("samples"))) {
      return s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList().stream();
    }
  }

  /** Samples cut in pieces (samples/rotated): one input of several files, as a quoted glob. */
  static Stream<String> rotated() {
    return Stream.of("samples/rotated/nagle-post-split-*.pcap", "samples/rotated/tls-https-*.pcap");
  }

  @ParameterizedTest
  @MethodSource("rotated")
  void reportRendersTheBytesAnalyzeWroteForSeveralFiles(String glob) throws IOException {
    reportRendersTheBytesAnalyzeWrote(Path.of(glob));
    // the pieces' frames are cited with their files
    assertTrue(
        Files.readString(tmp.resolve("a.md")).contains(".pcap #"), glob + ": cites its files");
  }

  @ParameterizedTest
  @MethodSource("samples")
  void reportRendersTheBytesAnalyzeWrote(Path sample) throws IOException {
    String[] analyze = new String[2 + 2 * FORMATS.length];
    String[] report = new String[2 + 2 * FORMATS.length];
    analyze[0] = "analyze";
    analyze[1] = sample.toString();
    report[0] = "report";
    report[1] = tmp.resolve("a.json").toString();
    for (int i = 0; i < FORMATS.length; i++) {
      analyze[2 + 2 * i] = "-o";
      analyze[3 + 2 * i] = tmp.resolve("a." + FORMATS[i]).toString();
      report[2 + 2 * i] = "-o";
      report[3 + 2 * i] = tmp.resolve("r." + FORMATS[i]).toString();
    }
    MainTest.Result a = MainTest.run(analyze);
    assertEquals(0, a.code(), a.err());
    MainTest.Result r = MainTest.run(report);
    assertEquals(0, r.code(), r.err());
    for (String f : FORMATS) {
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("a." + f)),
          Files.readAllBytes(tmp.resolve("r." + f)),
          sample + ": analyze and report differ in " + f);
    }
  }
}
