package io.connscope.detect;

import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import java.util.function.Consumer;

/**
 * A rule that turns what one connection did into findings. Detectors run once per finished
 * connection, in the order connections finish; they read the TCP timeline and the HTTP transactions
 * and never parse bytes. A detector that needs several connections keeps bounded aggregates and
 * reports them in {@link #finish}.
 */
public interface Detector {
  /**
   * A transaction of {@code c} became final (the connection is still open). Detectors that need
   * every transaction of long connections work here: at close, {@code http.transactions()} keeps
   * only the most recent ones.
   */
  default void transaction(Connection c, HttpTracker http, Transaction t, Consumer<Finding> out) {}

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

  /** The end of the capture. Only a detector {@link #acrossConnections} reports here. */
  default void finish(Consumer<Finding> out) {}

  /**
   * True for a detector that keeps state across connections (pair aggregates, links, tuples): it
   * sees every connection of the capture, in the order they finish, on one thread, and reads a
   * connection only when it is finished or through what never changes once the handshake is over
   * (addresses, ports, id, handshake times) with a transaction. False (the default): the detector
   * judges each connection alone, from its own calls only, and may run as several instances, each
   * over a part of the connections, beside the packets of its connections (a multi-threaded
   * analysis shards connections this way); it reports nothing in {@link #finish}.
   */
  default boolean acrossConnections() {
    return false;
  }
}
