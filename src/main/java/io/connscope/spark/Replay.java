package io.connscope.spark;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands records gathered from several parts of an analysis to a sink in one deterministic order
 * (whatever the partitioning and thread count): connections by id, each after its transactions by
 * index; then the findings by connection, transaction, type and summary; then the summary.
 */
final class Replay {
  private Replay() {}

  static final Comparator<Finding> FINDING_ORDER =
      Comparator.comparingLong(Finding::connectionNumber)
          .thenComparingInt(Finding::transaction)
          .thenComparing(Finding::type)
          .thenComparing(Finding::summary, Comparator.nullsFirst(Comparator.naturalOrder()));

  static void inReportOrder(PairAnalysis.Collector c, CaptureSummary summary, ResultSink sink) {
    inReportOrder(c.connections, c.transactions, c.findings, summary, sink);
  }

  static void inReportOrder(
      List<ConnectionResult> connections,
      List<TransactionResult> transactions,
      List<Finding> findings,
      CaptureSummary summary,
      ResultSink sink) {
    Map<Long, List<TransactionResult>> byConnection = new HashMap<>();
    for (TransactionResult t : transactions) {
      byConnection.computeIfAbsent(t.connection(), k -> new ArrayList<>()).add(t);
    }
    List<ConnectionResult> cs = new ArrayList<>(connections);
    cs.sort(Comparator.comparingLong(ConnectionResult::id));
    for (ConnectionResult c : cs) {
      List<TransactionResult> ts = byConnection.getOrDefault(c.id(), new ArrayList<>());
      ts.sort(Comparator.comparingInt(TransactionResult::index));
      for (TransactionResult t : ts) {
        sink.transaction(t);
      }
      sink.connection(c);
    }
    List<Finding> fs = new ArrayList<>(findings);
    fs.sort(FINDING_ORDER);
    for (Finding f : fs) {
      sink.finding(f);
    }
    sink.finish(summary);
  }
}
