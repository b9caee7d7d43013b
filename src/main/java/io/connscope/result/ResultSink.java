package io.connscope.result;

/**
 * Receives the result of an analysis, record by record, as it becomes final: the report writers
 * implement it. Every record is immutable, so a sink may keep it or hand it to another thread.
 *
 * <p>Order: the transactions of a connection come before that connection, in index order; a
 * connection comes once, when it is finished (connections in the order they finish); a finding
 * comes as soon as it is known, and the findings about a connection's transactions that are known
 * when the transaction is reported are in its {@code timings.stalls}; {@link #finish} comes once,
 * last. A connection whose transactions are handed over while it is still open may be announced
 * first ({@link #connectionStarted}, at most once, before the first of them); one whose
 * transactions come only at its close, just before it, is not always.
 */
public interface ResultSink {
  /**
   * A connection still open whose transactions come before it closes: its id and endpoints, those
   * of the {@link ConnectionResult} that comes at its close. At most once per connection, before
   * its first transaction; optional (a sink must do without it).
   */
  default void connectionStarted(ConnectionStart s) {}

  /** A final transaction. */
  void transaction(TransactionResult t);

  /** A finished connection, after all its transactions. */
  void connection(ConnectionResult c);

  /** A finding, with its ladder when the analysis drew one. */
  void finding(Finding f);

  /** The end: capture-wide summary and totals. */
  void finish(CaptureSummary capture);
}
