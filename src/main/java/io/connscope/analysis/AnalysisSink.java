package io.connscope.analysis;

import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ConnectionId;

/**
 * Receives what the pipeline produces, in the pipeline's own types, as it becomes final (a {@link
 * ResultBuilder} turns it into the result model the reports render), so that reports can be
 * streamed and memory stays bounded by the connections still open: a connection is handed over
 * once, when it is finished, and then released by the pipeline.
 *
 * <p>What is handed over does not change afterwards: a final transaction and its result record, a
 * finished connection ({@link ConnectionRecord}: its copies and result record, and in the process
 * that read it its {@code Connection} and {@code HttpTracker}), a finding and its ladder. A sink
 * may therefore keep them, or process them on another thread, as a report writer thread does; the
 * exceptions: the connection passed with a transaction, which is still open and changing (only its
 * id is final), and a finished connection's timeline, which a single-threaded analysis empties once
 * the sink returned ({@code tcp.ClosedConnection}); a copy's id is read on one thread. When the
 * stages ran apart ({@link CrossReplay}), a transaction comes without its {@code Transaction} and a
 * record without the live connection and tracker (null).
 */
public interface AnalysisSink {
  /**
   * A final transaction {@code t} of connection {@code c} (still open), with its result record as
   * built beside the connection's packets ({@code result}: all but its connection id and stalls,
   * which {@link ResultBuilder} adds). Called for every transaction, in index order per connection,
   * before that connection's {@link #connection} call.
   */
  default void transaction(ConnectionId c, Transaction t, TransactionResult result) {}

  /**
   * A finished connection. Called in the order connections finish, after all its transactions;
   * {@code connection.http().transactions()} holds only the most recent ones.
   */
  void connection(ConnectionRecord connection);

  /**
   * A finding. Called as soon as it is known; a finding about a connection that is still at hand
   * carries the packets around its evidence ({@link Ladder}).
   */
  void finding(Finding finding);

  /** The end of the input: capture-wide totals and warnings. Called once, last. */
  void finish(CaptureTotals capture);
}
