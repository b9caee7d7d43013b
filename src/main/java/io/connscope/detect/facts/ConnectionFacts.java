package io.connscope.detect.facts;

import io.connscope.common.Warnings;
import io.connscope.http.HttpTracker;
import io.connscope.http.HttpView;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionView;
import java.util.List;

/**
 * The stage before the detectors: facts about connections that several detectors read, computed
 * once per finished connection before any detector sees it. It holds the client/server pair
 * aggregates ({@link PairAggregator}) and the bounded index of finished HTTP connections ({@link
 * HttpConnections}, for the detectors that link connections), and the timeline scans several
 * detectors read ({@link TimelineScans}, advanced by whichever asks first). It reports nothing. The
 * pipeline calls {@link #connection} (or its two halves) before the detectors' {@code connection}.
 */
public final class ConnectionFacts {
  private final PairAggregator pairs;
  private final HttpConnections links;
  private final DetectOptions options;
  private final TimelineScans scans;
  private Connection transfersOf;
  private List<TransferLimits.Transfer> transfers = List.of();

  public ConnectionFacts(DetectOptions options, Warnings warnings) {
    this.options = options;
    this.pairs = new PairAggregator(options);
    this.links = new HttpConnections(options, warnings);
    this.scans = new TimelineScans(options);
  }

  /**
   * A finished connection ({@code http} null when no HTTP tracker was attached; {@code tlsSetupUs}
   * its measured TLS setup, -1 when it is not TLS or the setup was not seen).
   */
  public void connection(Connection c, HttpTracker http, long tlsSetupUs) {
    connection(c, http, tlsSetupUs, null);
  }

  /**
   * As {@link #connection(Connection, HttpTracker, long)}, with the connection's TLS facts ({@code
   * tls}, null when not TLS) whose inferred exchanges the pair counts where no HTTP was read.
   */
  public void connection(Connection c, HttpTracker http, long tlsSetupUs, TlsFacts tls) {
    acrossConnections(c, http, tlsSetupUs, tls);
    ofConnection(c, http);
  }

  /**
   * The facts of {@link #connection} that only {@code c} decides (what limited its transfers): a
   * pipeline that runs the per-connection detectors apart from the others calls this and {@link
   * #acrossConnections} instead, each where its detectors run.
   */
  public void ofConnection(Connection c, HttpTracker http) {
    transfersOf = c;
    transfers = TransferLimits.of(c, http, options);
  }

  /**
   * The facts of {@link #connection} kept across connections: pair aggregates and HTTP links. They
   * read only what stays of a finished connection, so {@code c} and {@code http} may be the copies
   * taken when it finished ({@code ClosedConnection}, {@code ClosedHttp}).
   */
  public void acrossConnections(ConnectionView c, HttpView http, long tlsSetupUs, TlsFacts tls) {
    pairs.add(c, http, tlsSetupUs, tls);
    links.add(c, http);
  }

  /**
   * What limited each large transfer of {@code c} ({@link TransferLimits}), computed once when it
   * finished; empty for any other connection than the last one finished.
   */
  public List<TransferLimits.Transfer> transfers(Connection c) {
    return c == transfersOf ? transfers : List.of();
  }

  /** The client/server pair aggregates. */
  public PairAggregator pairs() {
    return pairs;
  }

  /** The timeline scans the release and transfer-gap detectors share. */
  public TimelineScans scans() {
    return scans;
  }

  /** The index of finished HTTP connections. */
  public HttpConnections links() {
    return links;
  }
}
