package io.connscope.detect;

import io.connscope.detect.facts.AckGatedReleases;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Base of the detectors that judge ACK-gated releases ({@link AckGatedReleases}): keeps one
 * timeline scan per open connection, advances it as each transaction becomes final (so findings can
 * be attached to their transaction while it is being reported) and once more at the close.
 */
abstract class ReleaseDetector implements Detector {
  protected final DetectOptions options;

  /** Per open connection: the timeline scan, advanced at each final transaction. */
  private final Map<Connection, AckGatedReleases> open = new IdentityHashMap<>();

  ReleaseDetector(DetectOptions options) {
    this.options = options;
  }

  /** Judges the releases found since the last call for {@code c}. */
  abstract void report(
      Connection c, HttpTracker http, List<AckGatedReleases.Release> found, Consumer<Finding> out);

  @Override
  public final void transaction(
      Connection c, HttpTracker http, Transaction tx, Consumer<Finding> out) {
    AckGatedReleases scan = open.computeIfAbsent(c, k -> new AckGatedReleases(k, options));
    report(c, http, scan.advance(Math.max(tx.requestLastFrame(), tx.responseLastFrame())), out);
  }

  @Override
  public final void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    AckGatedReleases scan = open.remove(c);
    report(
        c,
        http,
        (scan == null ? new AckGatedReleases(c, options) : scan).advance(Long.MAX_VALUE),
        out);
  }
}
