package io.connscope.detect;

import io.connscope.http.HttpView;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.ConnectionView;
import java.util.function.Consumer;

/**
 * A detector that keeps state across connections (pair aggregates, links, tuples). It sees every
 * finished connection of the capture, in the order they finish, on one thread, through what stays
 * of it ({@link ConnectionView}, {@link HttpView}): the copies taken when it finished, which hold
 * nothing of the table or the parsers, so this stage can run apart from the packets. It reports at
 * a connection's close and in {@link #finish}.
 */
public non-sealed interface CrossDetector extends Detector {
  /**
   * The TLS facts of a finished TLS connection (not called for other connections), just before
   * {@link #connection}; {@code http} null when no HTTP tracker was attached.
   */
  default void tls(ConnectionView c, HttpView http, TlsFacts tls, Consumer<Finding> out) {}

  /** Examines a finished connection; {@code http} is null when no HTTP tracker was attached. */
  void connection(ConnectionView c, HttpView http, Consumer<Finding> out);

  /** The end of the capture: the findings of the aggregates. */
  default void finish(Consumer<Finding> out) {}
}
