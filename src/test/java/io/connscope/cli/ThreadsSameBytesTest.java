package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.analysis.ShardsDiverged;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18, "same bytes out whatever the thread count": {@code analyze --threads N} shards
 * connections over N threads ({@code analysis.Shards}); every report must be the bytes one thread
 * writes. Checked on every sample, the rotated pieces, the TLS samples with their key logs, every
 * capture of the shared corpus, and a run whose shards meet the connection limit (and so stop and
 * finish on one thread).
 */
class ThreadsSameBytesTest {
  private static final Path CORPUS = Path.of("../shared/corpus");

  @TempDir Path tmp;

  static Stream<Path> samples() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("samples"))) {
      return s
          .filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everySampleIsTheSameWhateverTheThreads(Path sample) throws IOException {
    sameBytes(List.of(sample.toString()), 1, 2, 3, 7);
  }

  @ParameterizedTest
  @MethodSource("keyLogged")
  void tlsSamplesDecryptedTheSameWhateverTheThreads(String sample) throws IOException {
    sameBytes(
        List.of("samples/" + sample + ".pcap", "--tls-keylog", "samples/" + sample + ".keylog"),
        1,
        2,
        5);
  }

  static Stream<String> keyLogged() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("samples"))) {
      return s
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".keylog"))
          .map(n -> n.substring(0, n.length() - ".keylog".length()))
          .filter(n -> Files.exists(Path.of("samples", n + ".pcap")))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void rotatedPiecesAreTheSameWhateverTheThreads() throws IOException {
    sameBytes(List.of("samples/rotated/nagle-post-split-*.pcap"), 1, 2, 4);
    sameBytes(List.of("samples/rotated/tls-https-*.pcap"), 1, 3);
  }

  @Test
  void everyCorpusCaptureIsTheSameWhateverTheThreads() throws IOException {
    assumeTrue(Files.isDirectory(CORPUS), "no ../shared/corpus");
    List<Path> captures = io.connscope.CaptureFilesUnder.of(CORPUS);
    assertTrue(captures.size() > 100, "the corpus has its captures: " + captures.size());
    for (Path p : captures) {
      sameBytes(List.of(p.toString()), 1, 3);
    }
  }

  /**
   * One analysis thread with the cross stage and the sink on a thread of their own (what {@code
   * --threads 1} runs with more than one processor) against all of it on the caller's thread: the
   * same JSON and text on every sample, the TLS samples with their key logs, and every corpus
   * capture, with the pipeline really taken (the sink called on another thread).
   */
  @Test
  void theCrossStageOnItsOwnThreadWritesWhatOneThreadWrites() throws IOException {
    List<List<Path>> runs = new ArrayList<>();
    for (Path p : samples().toList()) {
      runs.add(List.of(p));
    }
    if (Files.isDirectory(CORPUS)) {
      for (Path p : io.connscope.CaptureFilesUnder.of(CORPUS)) {
        runs.add(List.of(p));
      }
    }
    runs.add(
        List.of(
            Path.of("samples/rotated/nagle-post-split-1.pcap"),
            Path.of("samples/rotated/nagle-post-split-2.pcap")));
    for (List<Path> files : runs) {
      assertArrayEquals(
          report(files, null, false), report(files, null, true), files + ": one thread or two");
    }
    for (String sample : keyLogged().toList()) {
      List<Path> files = List.of(Path.of("samples/" + sample + ".pcap"));
      Path keys = Path.of("samples/" + sample + ".keylog");
      assertArrayEquals(
          report(files, keys, false), report(files, keys, true), sample + " with its key log");
    }
  }

  /** The JSON and text reports of one analysis of {@code files}, written one after the other. */
  private static byte[] report(List<Path> files, Path keyLog, boolean crossThread)
      throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    if (keyLog != null) {
      config.tlsKeys.add(Files.readString(keyLog, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    io.connscope.report.ReportSet set = new io.connscope.report.ReportSet("test");
    set.add(io.connscope.report.ReportFormat.JSON, json);
    set.add(io.connscope.report.ReportFormat.TEXT, text);
    AnalysisSink results = new io.connscope.analysis.ResultBuilder(set);
    Thread caller = Thread.currentThread();
    boolean[] elsewhere = {false};
    int[] connections = {0};
    AnalysisSink sink =
        new AnalysisSink() {
          @Override
          public void transaction(
              io.connscope.tcp.ConnectionId c,
              io.connscope.http.Transaction t,
              io.connscope.result.TransactionResult result) {
            results.transaction(c, t, result);
          }

          @Override
          public void connection(ConnectionRecord connection) {
            elsewhere[0] |= Thread.currentThread() != caller;
            connections[0]++;
            results.connection(connection);
          }

          @Override
          public void finding(Finding finding) {
            results.finding(finding);
          }

          @Override
          public void finish(CaptureTotals capture) {
            results.finish(capture);
          }
        };
    Analysis a = new Analysis(config, sink, 1, crossThread);
    StringBuilder errors = new StringBuilder();
    for (Path f : files) {
      try (PacketSource src = CaptureFiles.open(f, a.warnings())) {
        a.read(src, CaptureFiles.formatOf(src), null);
      } catch (IOException e) { // a damaged capture: what was read stays, as in analyze
        errors.append(e.getMessage()).append('\n');
      }
    }
    a.finish();
    if (connections[0] > 0) {
      assertEquals(crossThread, elsewhere[0], files + ": the sink's thread");
    }
    json.write(errors.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    json.write(text.toByteArray());
    return json.toByteArray();
  }

  /**
   * With a connection limit the shards together exceed, one table would evict where the shards'
   * tables do not: the sharded analysis stops and the command finishes on one thread, with the sink
   * muted through what it was already told. Same bytes, and the stop really happened.
   */
  @Test
  void aLimitTheShardsMeetEndsOnOneThreadWithTheSameBytes() throws IOException {
    Path sample = Path.of("samples/port-exhausted.pcap");
    AnalysisConfig config = new AnalysisConfig();
    config.tcp.maxConnections = 8;
    Analysis a = new Analysis(config, new Discard(), 2);
    assertThrows(
        ShardsDiverged.class,
        () -> {
          try (PacketSource src = CaptureFiles.open(sample, new Warnings())) {
            a.read(src, "pcap", null);
          }
          a.finish();
        });
    sameBytes(List.of(sample.toString(), "--max-connections", "8"), 1, 2, 3);
    sameBytes(List.of(sample.toString(), "--max-connections", "300"), 1, 2);
  }

  /** Runs analyze with each thread count; every report (JSON and text) equals the first's. */
  private void sameBytes(List<String> args, int... threads) throws IOException {
    byte[][] first = null;
    for (int t : threads) {
      List<String> a = new ArrayList<>();
      a.add("analyze");
      a.addAll(args);
      a.addAll(
          List.of(
              "--threads",
              Integer.toString(t),
              "--no-progress",
              "-o",
              tmp.resolve(t + ".json").toString(),
              "-o",
              tmp.resolve(t + ".txt").toString()));
      MainTest.Result r = MainTest.run(a.toArray(String[]::new));
      byte[][] out = {
        Files.readAllBytes(tmp.resolve(t + ".json")), Files.readAllBytes(tmp.resolve(t + ".txt"))
      };
      if (first == null) {
        first = out;
        assertTrue(r.code() == 0 || r.code() == ExitCodes.INPUT, args + ": " + r.err());
        continue;
      }
      assertArrayEquals(first[0], out[0], args + ": JSON with " + t + " threads");
      assertArrayEquals(first[1], out[1], args + ": text with " + t + " threads");
    }
  }

  private static final class Discard implements AnalysisSink {
    @Override
    public void connection(ConnectionRecord connection) {}

    @Override
    public void finding(Finding finding) {}

    @Override
    public void finish(CaptureTotals capture) {}
  }

  @Test
  void warningsMergeAsIfCountedInPositionOrder() {
    Warnings a = new Warnings();
    Warnings b = new Warnings();
    a.at(10);
    a.add("x", 5, 1, null); // first seen at 10, no detail
    b.at(4);
    b.add("x", 2, 2, null); // earlier: its frame is the first
    a.at(20);
    a.add("x", 9, 1, "late detail");
    b.at(12);
    b.add("x", 6, 1, "early detail"); // the earliest detail
    b.at(1);
    b.add("y", 1, 1, "y");
    Warnings m = Warnings.merge(List.of(a, b));
    assertEquals(5, m.get("x"));
    assertEquals(2, m.entries().get("x").firstFrame());
    assertEquals("early detail", m.entries().get("x").detail());
    assertEquals(1, m.get("y"));
  }
}
