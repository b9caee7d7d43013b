package io.connscope.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.report.JsonReportWriter;
import io.connscope.robustness.BigCaptures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ResultBuilder} holds the findings of an open connection whole only up to a few, and beyond
 * them what their groups will take (counts, the costliest, the rows): the JSON report is the one
 * holding every finding whole gives, on every sample and on a capture of 100 long connections with
 * a delayed-ACK stall on each of 12,000 transactions, with every row kept and with the rows' bound
 * reached inside an open connection's findings.
 */
class PendingFindingsTest {
  @TempDir Path tmp;

  private static byte[] json(Path capture, int pendingWhole, long maxRows) throws IOException {
    return json(capture, pendingWhole, maxRows, ResultBuilder.WHOLE_WAITING, 1);
  }

  private static byte[] json(
      Path capture, int pendingWhole, long maxRows, long wholeWaiting, int threads)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ResultBuilder results =
        new ResultBuilder(
            new JsonReportWriter(out, "test"),
            pendingWhole,
            maxRows,
            wholeWaiting,
            ResultBuilder.WAITING_TOTAL);
    Analysis a = new Analysis(new AnalysisConfig(), results, threads);
    try (PacketSource src = CaptureFiles.open(capture, a.warnings())) {
      a.read(src, CaptureFiles.formatOf(src), null);
    }
    a.finish();
    return out.toByteArray();
  }

  private static void sameAsWhole(Path capture, long maxRows) throws IOException {
    byte[] whole = json(capture, Integer.MAX_VALUE, maxRows);
    for (int kept : new int[] {0, 1, ResultBuilder.PENDING_WHOLE, 8}) {
      assertArrayEquals(
          whole, json(capture, kept, maxRows), capture + ", " + kept + " whole, " + maxRows);
    }
  }

  /**
   * The report when waiting transactions are held as their results up to {@code wholeWaiting} (0:
   * every one made again at its hand-over), on one thread and on two shards, is the one holding
   * every result.
   */
  private static void sameAsWholeResults(Path capture) throws IOException {
    byte[] whole =
        json(capture, ResultBuilder.PENDING_WHOLE, ResultBuilder.MAX_ROWS, Long.MAX_VALUE, 1);
    for (long held : new long[] {0, 1, 100}) {
      for (int threads : new int[] {1, 2}) {
        assertArrayEquals(
            whole,
            json(capture, ResultBuilder.PENDING_WHOLE, ResultBuilder.MAX_ROWS, held, threads),
            capture + ", " + held + " results held, " + threads + " threads");
      }
    }
  }

  @Test
  void everySampleAsHoldingEveryFinding() throws IOException {
    List<Path> samples = new ArrayList<>();
    try (DirectoryStream<Path> d = Files.newDirectoryStream(Paths.get("samples"), "*.pcap*")) {
      d.forEach(samples::add);
    }
    assertTrue(samples.size() > 40);
    for (Path p : samples) {
      sameAsWhole(p, ResultBuilder.MAX_ROWS);
      sameAsWhole(p, 3); // the bound met at once
      sameAsWholeResults(p);
    }
  }

  @Test
  void longConnectionsWithAFindingOnEveryTransaction() throws IOException {
    Path capture = tmp.resolve("nagle.pcap");
    BigCaptures.nagle(12_000, capture);
    sameAsWhole(capture, ResultBuilder.MAX_ROWS);
    sameAsWhole(capture, 5_000); // reached while connections are open, their findings pending
    sameAsWhole(capture, 50); // reached inside one connection's findings: the rest dropped
    sameAsWholeResults(capture);
  }

  @Test
  void problemsBeyondTheGroupsHeldGoOutTheSameWhateverWasHeldWhole() throws IOException {
    // 1,500 connections from as many clients, 12 stalls each: 1,500 problems (one per pair) where
    // MAX_GROUPS are held; each of the last 500 goes out as one finding at its connection's close,
    // whether its findings were held whole or not (8 of them each went out alone before, and the
    // 4 after them as one)
    Path capture = tmp.resolve("nagle-wide.pcap");
    BigCaptures.nagle(18_000, 1_500, capture);
    sameAsWhole(capture, ResultBuilder.MAX_ROWS);
    String report = new String(json(capture, ResultBuilder.PENDING_WHOLE, ResultBuilder.MAX_ROWS));
    assertTrue(report.contains("\"findings\":1500,"), "one finding per problem");
  }

  @Test
  void transactionsBeyondTheWaitingBoundMadeAgain() throws IOException {
    // 2,500 transactions on each of 3 connections: beyond MAX_WAITING, the oldest go out while
    // their connection is open, made again from their transaction
    Path capture = tmp.resolve("nagle-long.pcap");
    BigCaptures.nagle(7_500, 3, capture);
    sameAsWholeResults(capture);
  }
}
