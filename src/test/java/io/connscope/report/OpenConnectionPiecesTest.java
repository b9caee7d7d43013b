package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.ResultBuilder;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.result.ConnectionResult;
import io.connscope.result.TransactionResult;
import io.connscope.robustness.BigCaptures;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON report holds the transactions of open connections in pieces that shrink as more
 * connections are open at once: the document is the same bytes whether a thousand connections are
 * open together or each is written alone.
 */
class OpenConnectionPiecesTest {
  @TempDir Path tmp;

  /** The same events with each connection's transactions moved to just before its close. */
  private static List<Object> oneOpenAtATime(List<Object> events) {
    HashMap<Long, List<Object>> held = new HashMap<>();
    List<Object> out = new ArrayList<>();
    for (Object e : events) {
      if (e instanceof TransactionResult t) {
        held.computeIfAbsent(t.connection(), k -> new ArrayList<>()).add(t);
      } else if (e instanceof ConnectionResult c) {
        List<Object> mine = held.remove(c.id());
        if (mine != null) {
          out.addAll(mine);
        }
        out.add(c);
      } else {
        out.add(e);
      }
    }
    assertTrue(held.isEmpty(), "every transaction's connection closes");
    return out;
  }

  /** The report of {@code events} in {@code file} (90 MB: on file, not in the test's heap). */
  private static long json(List<Object> events, Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      JsonReportWriter w = new JsonReportWriter(out, "test");
      RecordingSink.replay(events, w);
      return w.piecesSpooled();
    }
  }

  /** The most connections with transactions given before their close, at once. */
  private static int mostOpenAtOnce(List<Object> events) {
    HashMap<Long, Integer> open = new HashMap<>();
    int most = 0;
    for (Object e : events) {
      if (e instanceof TransactionResult t) {
        open.merge(t.connection(), 1, Integer::sum);
        most = Math.max(most, open.size());
      } else if (e instanceof ConnectionResult c) {
        open.remove(c.id());
      }
    }
    return most;
  }

  /**
   * {@code connections} connections of {@code each} transactions, all open to the end, handed over
   * as they come (no total beyond each connection's last: {@code HttpTracker.KEPT_ALONE}): the
   * pieces spooled when written as they came and when each connection is written alone, after the
   * check that both give the same document.
   */
  private long[] piecesTogetherAndAlone(int connections, int each) throws IOException {
    Path capture = tmp.resolve("nagle.pcap");
    BigCaptures.nagle(connections * each, connections, capture);
    AnalysisConfig config = new AnalysisConfig();
    config.http.maxTransactionsKeptTotal(0);
    // without the findings: a stall with its ladder on each of the transactions is 300 MB for
    // 76,000 (they are spooled apart from the transactions)
    List<Object> events = new ArrayList<>();
    Analysis a =
        new Analysis(config, new ResultBuilder(new RecordingSink(events, false), config.http), 1);
    try (PacketSource src = CaptureFiles.open(capture, a.warnings())) {
      a.read(src, CaptureFiles.formatOf(src), null);
    }
    a.finish();
    assertEquals(connections, mostOpenAtOnce(events));

    Path interleaved = tmp.resolve("interleaved.json"), sequential = tmp.resolve("alone.json");
    long together = json(events, interleaved);
    long alone = json(oneOpenAtATime(events), sequential);
    assertEquals(-1, Files.mismatch(sequential, interleaved), "the first byte that differs");
    return new long[] {together, alone};
  }

  @Test
  void manyOpenConnectionsGiveTheBytesOfOneAtATime() throws IOException {
    int connections = 1_000;
    long[] pieces = piecesTogetherAndAlone(connections, 76);
    long together = pieces[0], alone = pieces[1];
    // 76 transactions of about 1.2 KB a connection: in pieces of 32 KiB when a connection is
    // alone, down to about 4 KiB while a thousand are open (they were 32 KiB, in buffers grown to
    // 64 KiB)
    assertTrue(alone >= 2L * connections, "pieces alone: " + alone);
    assertTrue(together > 3 * alone, "pieces: " + together + ", alone " + alone);
  }

  /**
   * 5,000 open at once: pieces of 4 MiB / 5,000 (838 bytes), below one transaction, so each is
   * spooled as it comes and its connection's buffer, grown past twice the piece, is dropped until
   * its next transaction.
   */
  @Test
  void fiveThousandOpenSpoolEachTransactionAsItComes() throws IOException {
    long together = piecesTogetherAndAlone(5_000, 12)[0];
    // all but the last of each connection's 12 go before its close, most as a piece of their own
    // (the first ones while fewer connections are open, in larger pieces), and the last at the
    // close
    assertTrue(together >= 5_000L * 10, "pieces: " + together);
  }
}
