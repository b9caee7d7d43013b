package io.connscope.detect;

import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import java.util.function.Consumer;

/**
 * A detector that judges each connection alone, from its own calls only: it may run as several
 * instances, each over a part of the connections, beside the packets of its connections (a
 * multi-threaded analysis shards connections this way). It reads the live connection (TCP timeline,
 * halves, HTTP transactions) when it finishes, and reports nothing at the end of the capture.
 */
public non-sealed interface ConnectionDetector extends Detector {
  /**
   * A transaction of {@code c} became final (the connection is still open). Detectors that need
   * every transaction of long connections work here: at close, {@code http.transactions()} keeps
   * only the most recent ones.
   */
  default void transaction(Connection c, HttpTracker http, Transaction t, Consumer<Finding> out) {}

  /**
   * Whether {@link #transaction} does anything: the stage calls it for every transaction of every
   * connection, so the detectors that keep the default are left out of those calls.
   */
  default boolean judgesTransactions() {
    return false;
  }

  /**
   * Examines a finished connection; {@code http} is null when no HTTP tracker was attached. Called
   * after every {@link #transaction} call of that connection.
   */
  void connection(Connection c, HttpTracker http, Consumer<Finding> out);

  /**
   * The TLS facts of a finished TLS connection (not called for other connections), just before
   * {@link #connection}.
   */
  default void tls(Connection c, TlsFacts tls, Consumer<Finding> out) {}
}
