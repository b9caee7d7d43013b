package io.connscope.report;

import io.connscope.analysis.AnalysisSink;
import io.connscope.http.Transaction;
import io.connscope.tcp.Connection;

/**
 * A report writer that {@link ReportSet} runs on its writer thread. The connection of a
 * transaction is still open and changing on the analysis thread then, so it comes as what the
 * writer reads of it: its number and its handshake times as they were when the transaction was
 * handed over.
 */
interface ReportWriter extends AnalysisSink {
  /** Called directly (no writer thread): reads what the other form takes, now. */
  @Override
  default void transaction(Connection c, Transaction t) {
    transaction(c.id(), c.synTsMicros(), c.ackTsMicros(), c.rttToServerMicros(), t);
  }

  /**
   * {@link #transaction(Connection, Transaction)} with the connection's id,
   * {@code synTsMicros()}, {@code ackTsMicros()} and {@code rttToServerMicros()} read at hand-over.
   */
  void transaction(long connection, long synTsMicros, long ackTsMicros, long rttToServerMicros,
      Transaction t);
}
