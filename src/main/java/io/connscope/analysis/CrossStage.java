package io.connscope.analysis;

import io.connscope.common.Warnings;
import io.connscope.detect.Detector;
import io.connscope.detect.Detectors;
import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The half of the pipeline that sees every connection: the facts kept across connections (pair
 * aggregates, HTTP links), the detectors that keep state {@linkplain Detector#acrossConnections
 * across connections}, and the sink. It is told, in the pipeline's order, each final transaction
 * and each finished connection, with the findings the per-connection detectors held for it ({@link
 * Held}); it hands everything to the sink in the order one pass calling every detector in turn
 * would. One instance, on one thread.
 */
final class CrossStage {
  private final AnalysisSink sink;
  private final ConnectionFacts facts;
  private final List<Detector> detectors;
  private final boolean[] across;
  private final Laddered out = new Laddered();
  private final Warnings warnings;

  CrossStage(AnalysisConfig config, AnalysisSink sink, Warnings warnings) {
    this.sink = sink;
    this.warnings = warnings;
    this.facts = new ConnectionFacts(config.detect, warnings);
    this.detectors = Detectors.all(config.detect, facts);
    this.across = new boolean[detectors.size()];
    for (int i = 0; i < across.length; i++) {
      across[i] = detectors.get(i).acrossConnections();
    }
  }

  /** The position of what comes next, for its warnings ({@link Warnings#at}). */
  void at(long position) {
    warnings.at(position);
  }

  ConnectionFacts facts() {
    return facts;
  }

  /** A final transaction of open connection {@code c}; {@code held} may be null. */
  void transaction(Connection c, HttpTracker tracker, Transaction t, Held held) {
    out.of = c;
    for (int i = 0; i < across.length; i++) {
      if (across[i]) {
        detectors.get(i).transaction(c, tracker, t, out);
      } else if (held != null) {
        held.emit(i, Held.TRANSACTION, sink);
      }
    }
    facts.transaction(c, t);
    sink.transaction(c, t);
  }

  /** A finished connection; {@code held} may be null. */
  void closed(Connection c, HttpTracker tracker, TlsFacts tls, ConnectionRecord record, Held held) {
    facts.acrossConnections(c, tracker, tls == null ? -1 : tls.timing().setupUs(), tls);
    out.of = c;
    if (tls != null) {
      for (int i = 0; i < across.length; i++) {
        if (across[i]) {
          detectors.get(i).tls(c, tls, out);
        } else if (held != null) {
          held.emit(i, Held.TLS, sink);
        }
      }
    }
    for (int i = 0; i < across.length; i++) {
      if (across[i]) {
        detectors.get(i).connection(c, tracker, out);
      } else if (held != null) {
        held.emit(i, Held.CONNECTION, sink);
      }
    }
    sink.connection(record);
  }

  /** The end of the capture: the detectors' capture-wide findings. */
  void finish() {
    for (Detector d : detectors) {
      d.finish(sink::finding);
    }
  }

  /**
   * Hands findings to the sink, with the packets around the evidence for findings about the
   * connection at hand ({@link #of}): its timeline is still there.
   */
  private final class Laddered implements Consumer<Finding> {
    Connection of;

    @Override
    public void accept(Finding f) {
      sink.finding(Ladder.laddered(of, f));
    }
  }
}
