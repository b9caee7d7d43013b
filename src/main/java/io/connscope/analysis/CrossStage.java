package io.connscope.analysis;

import io.connscope.common.Warnings;
import io.connscope.detect.CrossDetector;
import io.connscope.detect.Detector;
import io.connscope.detect.Detectors;
import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.http.ClosedHttp;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.ConnectionId;
import io.connscope.tcp.ConnectionView;
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

  /** Every detector's slot, in order: the detector when it runs across connections, else null. */
  private final CrossDetector[] across;

  private final Laddered out = new Laddered();
  private final Warnings warnings;

  CrossStage(AnalysisConfig config, AnalysisSink sink, Warnings warnings) {
    this.sink = sink;
    this.warnings = warnings;
    this.facts = new ConnectionFacts(config.detect, warnings);
    List<Detector> all = Detectors.all(config.detect, facts);
    this.across = new CrossDetector[all.size()];
    for (int i = 0; i < across.length; i++) {
      across[i] = all.get(i) instanceof CrossDetector d ? d : null;
    }
  }

  /** The position of what comes next, for its warnings ({@link Warnings#at}). */
  void at(long position) {
    warnings.at(position);
  }

  ConnectionFacts facts() {
    return facts;
  }

  /**
   * A final transaction of open connection {@code c} (read only for its id here); {@code held} may
   * be null.
   */
  void transaction(ConnectionId c, Transaction t, TransactionResult result, Held held) {
    if (held != null) {
      for (int i = 0; i < across.length; i++) {
        if (across[i] == null) {
          held.emit(i, Held.TRANSACTION, sink);
        }
      }
    }
    sink.transaction(c, t, result);
  }

  /**
   * A finished connection, read through the copies taken when it finished; {@code held} may be
   * null.
   */
  void closed(ConnectionRecord record, Held held) {
    ClosedConnection c = record.closed();
    ClosedHttp http = record.closedHttp();
    TlsFacts tls = record.tls();
    facts.acrossConnections(c, http, tls == null ? -1 : tls.timing().setupUs(), tls);
    out.of = c;
    if (tls != null) {
      for (int i = 0; i < across.length; i++) {
        if (across[i] != null) {
          across[i].tls(c, http, tls, out);
        } else if (held != null) {
          held.emit(i, Held.TLS, sink);
        }
      }
    }
    for (int i = 0; i < across.length; i++) {
      if (across[i] != null) {
        across[i].connection(c, http, out);
      } else if (held != null) {
        held.emit(i, Held.CONNECTION, sink);
      }
    }
    sink.connection(record);
  }

  /** The end of the capture: the detectors' capture-wide findings. */
  void finish() {
    for (CrossDetector d : across) {
      if (d != null) {
        d.finish(sink::finding);
      }
    }
  }

  /**
   * Hands findings to the sink, with the packets around the evidence for findings about the
   * connection at hand ({@link #of}): its timeline is still there.
   */
  private final class Laddered implements Consumer<Finding> {
    ConnectionView of;

    @Override
    public void accept(Finding f) {
      sink.finding(Ladder.laddered(of, f));
    }
  }
}
