package io.connscope.detect;

import io.connscope.detect.facts.AckGatedReleases;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.TimelineScans;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import java.util.function.Consumer;

/**
 * Base of the detectors that judge ACK-gated releases ({@link AckGatedReleases}): reads the
 * timeline scan of each open connection ({@link TimelineScans}, shared with the other detectors
 * that read it) as each transaction becomes final (so findings can be attached to their transaction
 * while it is being reported) and once more at the close. At the close of a TLS connection the TLS
 * facts are passed on too, so that releases on a connection without HTTP can be attached to the
 * exchanges inferred from its records ({@link io.connscope.detect.facts.InferredExchanges}).
 */
abstract class ReleaseDetector implements ConnectionDetector {
  protected final DetectOptions options;

  /** The timeline scans, shared with the other detectors that read them. */
  private final TimelineScans scans;

  ReleaseDetector(DetectOptions options, TimelineScans scans) {
    this.options = options;
    this.scans = scans;
  }

  /** The TLS facts of the connection being closed ({@link #tls} comes just before its close). */
  private Connection tlsOf;

  private TlsFacts tls;

  /**
   * Judges the releases found since the last call for {@code c}; {@code tls} is the connection's
   * TLS facts at its close (null before, and for a connection that is not TLS).
   */
  abstract void report(
      Connection c,
      HttpTracker http,
      TlsFacts tls,
      AckGatedReleases.Batch found,
      Consumer<Finding> out);

  @Override
  public final void tls(Connection c, TlsFacts facts, Consumer<Finding> out) {
    tlsOf = c;
    tls = facts;
  }

  @Override
  public final boolean judgesTransactions() {
    return true;
  }

  @Override
  public final void transaction(
      Connection c, HttpTracker http, Transaction tx, Consumer<Finding> out) {
    report(c, http, null, scans.at(c, tx).releases(), out);
  }

  @Override
  public final void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    TlsFacts facts = tlsOf == c ? tls : null;
    tlsOf = null;
    tls = null;
    report(c, http, facts, scans.closing(c).releases(), out);
  }
}
