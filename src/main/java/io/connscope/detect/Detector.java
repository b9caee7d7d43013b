package io.connscope.detect;

import io.connscope.http.HttpTracker;
import io.connscope.tcp.Connection;
import java.util.function.Consumer;

/**
 * A rule that turns what one connection did into findings. Detectors run once per finished
 * connection, in the order connections finish; they read the TCP timeline and the HTTP
 * transactions and never parse bytes. A detector that needs several connections keeps bounded
 * aggregates and reports them in {@link #finish}.
 */
public interface Detector {
  /** Examines a finished connection; {@code http} is null when no HTTP tracker was attached. */
  void connection(Connection c, HttpTracker http, Consumer<Finding> out);

  /** The end of the capture. */
  default void finish(Consumer<Finding> out) {}
}
