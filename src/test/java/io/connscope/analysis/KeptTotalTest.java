package io.connscope.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.HttpAnomalies;
import io.connscope.http.HttpTracker;
import io.connscope.report.JsonReportWriter;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.robustness.BigCaptures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transactions kept for the close of open connections are bounded over all of them ({@link
 * io.connscope.http.HttpOptions#maxTransactionsKeptTotal()} for the HTTP trackers, {@link
 * ResultBuilder#WAITING_TOTAL} for the results waiting): below the total nothing changes, at one
 * past it the report says so ({@code http.kept_total_full}), and the report is the same on one
 * thread and on shards (which analyse again on one thread when their sum reaches the total).
 */
class KeptTotalTest {
  @TempDir static Path tmp;

  private static Path capture;

  /** 100 connections of 300 transactions each, all open to the end of the capture. */
  private static final int CONNECTIONS = 100, EACH = 300;

  /**
   * What the trackers and the result builder hold beyond each connection's first few at the end.
   */
  private static final long BEYOND = (long) CONNECTIONS * (EACH - HttpTracker.KEPT_ALONE);

  @BeforeAll
  static void write() throws IOException {
    capture = tmp.resolve("nagle.pcap");
    BigCaptures.nagle(CONNECTIONS * EACH, CONNECTIONS, capture);
  }

  private static byte[] json(long total, int threads) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AnalysisConfig config = new AnalysisConfig();
    config.http.maxTransactionsKeptTotal(total);
    ResultBuilder results =
        new ResultBuilder(
            new JsonReportWriter(out, "test"),
            ResultBuilder.PENDING_WHOLE,
            ResultBuilder.MAX_ROWS,
            ResultBuilder.WHOLE_WAITING,
            total);
    if (AsAnalyzeDoes.analyse(config, results, threads, capture)) {
      diverged++;
    }
    return out.toByteArray();
  }

  /** Sharded analyses that stopped because their sum reached a limit. */
  private static int diverged;

  private static boolean saysFull(byte[] report) {
    return new String(report, StandardCharsets.UTF_8).contains(HttpAnomalies.KEPT_TOTAL_FULL);
  }

  @Test
  void belowTheTotalNothingChanges() throws IOException {
    byte[] unbounded = json(Long.MAX_VALUE, 1);
    assertFalse(saysFull(unbounded));
    int before = diverged;
    assertArrayEquals(unbounded, json(BEYOND, 1), "the total just reached, not passed");
    assertArrayEquals(unbounded, json(BEYOND, 2));
    assertEquals(before, diverged, "two shards within the total analyse to the end");
  }

  @Test
  void pastTheTotalTheReportSaysSoAlikeOnEveryThreadCount() throws IOException {
    byte[] unbounded = json(Long.MAX_VALUE, 1);
    int before = diverged;
    for (long total : new long[] {BEYOND - 1, 2_000, 0}) {
      byte[] one = json(total, 1);
      assertTrue(saysFull(one), "total " + total);
      assertFalse(Arrays.equals(unbounded, one), "total " + total);
      for (int threads : new int[] {2, 3}) {
        assertArrayEquals(
            one, json(total, threads), "total " + total + ", " + threads + " threads");
      }
    }
    assertEquals(6, diverged - before, "every sharded run met the total and ended on one thread");
  }

  /**
   * Connections that come after long ones filled the total are not starved: each waits with all its
   * transactions while under its share (the total over the connections waiting beyond their last),
   * taken from the longest, whose oldest are handed over before their close.
   */
  @Test
  void connectionsComingAfterLongOnesWaitWithTheirShare() throws IOException {
    Path staggered = tmp.resolve("staggered.pcap");
    int longs = 20, shorts = 40;
    BigCaptures.staggered(longs, 200, shorts, 30, staggered); // a share of 2,000 / 60 = 33 >= 29
    AnalysisConfig config = new AnalysisConfig();
    config.http.maxTransactionsKeptTotal(2_000);
    TreeSet<Integer> early = new TreeSet<>(); // client ports of connections handed over while open
    int[] transactions = new int[1];
    ResultSink sink =
        new ResultSink() {
          @Override
          public void connectionStarted(ConnectionStart s) {
            early.add(s.client().port());
          }

          @Override
          public void transaction(TransactionResult t) {
            transactions[0]++;
          }

          @Override
          public void connection(ConnectionResult c) {}

          @Override
          public void finding(Finding f) {}

          @Override
          public void finish(CaptureSummary capture) {}
        };
    AsAnalyzeDoes.analyse(new Analysis(config, new ResultBuilder(sink, config.http), 1), staggered);
    assertEquals(longs * 200 + shorts * 30, transactions[0]);
    TreeSet<Integer> longPorts = new TreeSet<>();
    for (int i = 0; i < longs; i++) {
      longPorts.add(1024 + i);
    }
    assertEquals(longPorts, early, "only the long connections gave up their oldest");
  }
}
