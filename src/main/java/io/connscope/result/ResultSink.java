package io.connscope.result;

/**
 * Receives the result of an analysis, record by record, as it becomes final: the report writers
 * implement it. Every record is immutable, so a sink may keep it or hand it to another thread.
 *
 * <p>Order: the transactions of a connection come before that connection, in index order; a
 * connection comes once, when it is finished (connections in the order they finish); a finding
 * comes as soon as it is known, and the findings about a connection's transactions that are known
 * when the transaction is reported are in its {@code timings.stalls}; {@link #finish} comes once,
 * last.
 */
public interface ResultSink {
  /** A final transaction. */
  void transaction(TransactionResult t);

  /** A finished connection, after all its transactions. */
  void connection(ConnectionResult c);

  /** A finding, with its ladder when the analysis drew one. */
  void finding(Finding f);

  /** The end: capture-wide summary and totals. */
  void finish(CaptureSummary capture);
}
