package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.http.Transaction;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ConnectionId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pairing on real captures that lack part of the traffic (samples/record.sh recorded them with a
 * direction filter, a capture started after the connections opened, one segment left out, a small
 * snap length): what survived is paired as the packets say, the rest is reported as not captured,
 * and nothing is invented (no pipelining, no unanswered request, no lost byte).
 */
class DamagedCaptureSamplesTest {
  /** Transactions per connection id, in order, and every finding. */
  private static final class Run {
    final Map<String, List<Transaction>> txs = new LinkedHashMap<>();
    final List<Finding> findings = new ArrayList<>();

    List<Transaction> all() {
      List<Transaction> out = new ArrayList<>();
      txs.values().forEach(out::addAll);
      return out;
    }

    List<Finding> findings(String type) {
      return findings.stream().filter(f -> f.type().equals(type)).toList();
    }
  }

  private static Run run(String sample) throws IOException {
    Run r = new Run();
    Reports.run(
        new AnalysisConfig(),
        new AnalysisSink() {
          @Override
          public void transaction(ConnectionId c, Transaction t, TransactionResult result) {
            r.txs.computeIfAbsent(c.idString(), k -> new ArrayList<>()).add(t);
          }

          @Override
          public void connection(ConnectionRecord connection) {}

          @Override
          public void finding(Finding finding) {
            r.findings.add(finding);
          }

          @Override
          public void finish(CaptureTotals capture) {}
        },
        SampleFindings.sample(sample));
    return r;
  }

  @Test
  void aLostResponseHeadCostsExactlyOneTransaction() throws IOException {
    Run r = run("lost-response-head");
    List<Transaction> t = r.all();
    assertEquals(6, t.size());
    // request frame -> response frame (0: none), as the ACK numbers pair them (tshark agrees)
    long[][] pairs = {{4, 6}, {8, 9}, {10, 0}, {11, 12}, {13, 14}, {15, 16}};
    for (int i = 0; i < pairs.length; i++) {
      assertEquals(pairs[i][0], t.get(i).requestFirstFrame(), "request of #" + i);
      assertEquals(
          pairs[i][1] == 0 ? -1 : pairs[i][1], t.get(i).responseFirstFrame(), "response of #" + i);
      assertEquals(
          1,
          t.get(i).pipelineDepth(),
          "no pipelining: each request acknowledged the"
              + " previous response in full (#"
              + i
              + ")");
    }
    Transaction lost = t.get(2);
    assertTrue(lost.responseNotCaptured());
    assertFalse(lost.unanswered());
    assertEquals(117, lost.responseBytesNotCaptured(), "the one segment left out");
    assertEquals(11, lost.responseAckedFrame());
    assertEquals(404, t.get(4).status());
    assertEquals(200, t.get(5).status());
    assertEquals(1, r.findings(CaptureLossDetector.LOSS).size());
    assertTrue(r.findings(KeepAliveStaleReuseDetector.TYPE).isEmpty());
    assertTrue(r.findings(UnansweredDetector.TYPE).isEmpty());
    assertTrue(r.findings(PipeliningDetector.TYPE).isEmpty());
  }

  @Test
  void aCapturePickedUpMidStreamPairsEveryRequestAndTakesProbesForProbes() throws IOException {
    Run r = run("midstream-keepalive");
    List<Transaction> t = r.all();
    assertEquals(7, t.size());
    for (Transaction x : t) {
      assertTrue(x.method() != null && x.status() > 0, x.toString());
      assertFalse(x.gapAffected(), x.toString());
    }
    // the connection whose first captured packet is a keep-alive probe (frame 17)
    List<Transaction> probed =
        r.txs.values().stream()
            .filter(l -> l.get(0).requestFirstFrame() == 25)
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of("/a.txt", "/missing/2", "/c.bin"), probed.stream().map(Transaction::uri).toList());
    assertEquals(List.of(200, 404, 200), probed.stream().map(Transaction::status).toList());
    assertTrue(r.findings(CaptureLossDetector.LOSS).isEmpty(), "a probe is not a lost byte");
    assertTrue(r.findings(UnansweredDetector.TYPE).isEmpty());
  }

  @Test
  void requestsOnlyGiveTheResponsesSizesFromTheAcks() throws IOException {
    Run r = run("one-direction-requests");
    assertEquals(3, r.txs.size());
    for (List<Transaction> conn : r.txs.values()) {
      assertEquals(5, conn.size());
      for (Transaction x : conn) {
        assertTrue(x.responseNotCaptured(), x.toString());
        assertFalse(x.unanswered(), x.toString());
        assertEquals(1, x.pipelineDepth(), "the ACKs show no pipelining: " + x);
      }
      // what the client acknowledged between its requests: the responses' sizes
      assertEquals(
          List.of(337L, 117L, 12089L, 117L),
          conn.subList(0, 4).stream().map(Transaction::responseBytesNotCaptured).toList());
      // the last one runs to the end of what the client acknowledged (its FIN counted once)
      assertTrue(conn.get(4).responseBytesNotCaptured() >= 2087, conn.get(4).toString());
    }
    assertEquals(3, r.findings(CaptureLossDetector.ONE_SIDED).size());
    assertTrue(r.findings(CaptureLossDetector.LOSS).isEmpty());
    assertTrue(r.findings(UnansweredDetector.TYPE).isEmpty());
    assertTrue(r.findings(PipeliningDetector.TYPE).isEmpty());
  }

  @Test
  void responsesOnlyAreAllReportedWithTheirSizes() throws IOException {
    Run r = run("one-direction-responses");
    List<Transaction> t = r.all();
    assertEquals(15, t.size());
    for (Transaction x : t) {
      assertTrue(x.orphanResponse() && x.requestNotCaptured(), x.toString());
      assertTrue(x.responseComplete(), x.toString());
    }
    assertEquals(
        List.of(200, 404, 200, 404, 200),
        r.txs.values().iterator().next().stream().map(Transaction::status).toList());
    assertEquals(
        12000,
        r.txs.values().iterator().next().get(2).responseBodyBytes(),
        "the large response whole, past the recognition's first bytes");
    assertEquals(3, r.findings(CaptureLossDetector.ONE_SIDED).size());
    assertTrue(r.findings(UnansweredDetector.TYPE).isEmpty());
  }

  @Test
  void aSmallSnapLengthStillDelimitsEachMessageFromTheSequenceNumbers() throws IOException {
    Run r = run("snaplen-128");
    List<Transaction> t = r.all();
    assertEquals(5, t.size());
    // the responses' sizes on the wire, from the sequence numbers (tshark: the same segments)
    assertEquals(
        List.of(1199L, 308L, 4573L, 16640L, 495L),
        t.stream().map(Transaction::responseWireBytes).toList());
    assertEquals(List.of(200, 404, 200, 200, 200), t.stream().map(Transaction::status).toList());
  }

  @Test
  void aLostChunkEndsTheResponseAtItsLastSegment() throws IOException {
    Run r = run("lost-chunk");
    List<Transaction> t = r.all();
    assertEquals(4, t.size());
    assertEquals(17, t.get(0).responseLastFrame(), "the last chunk, after the lost one");
    assertTrue(t.get(0).responseWireBytes() > 0);
    // the ACKs confirm the next pairing although the chunked framing was lost
    assertFalse(t.get(1).gapAffected());
    assertEquals(List.of(200, 200, 304, 204), t.stream().map(Transaction::status).toList());
  }
}
