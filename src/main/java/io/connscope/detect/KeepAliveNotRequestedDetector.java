package io.connscope.detect;

/*
 * keepalive.not_requested
 *
 * Rule: the first request of a connection is HTTP/1.0 and does not ask for a persistent
 * connection (no keep-alive token in Connection or Proxy-Connection, or Connection: close). Such a
 * client closes (or has the server close) after every response (RFC 7230 A.1.2).
 * One finding per client address and server endpoint, on its first such connection.
 * Cost: the handshakes of the connections the same client opened to the same server after the
 * first one (SYN to the handshake ACK at the capture point); also given at the reference round
 * trip (referenceRttMicros, 50 ms): one round trip per such setup.
 * Severity (SeverityRule): warning when the cost is at least costWarnMicros (10 ms), info when
 * cheaper (a loopback or LAN handshake).
 * Not reported: HTTP/1.1 clients sending Connection: close (a deliberate choice of the client);
 * tunnels (CONNECT, Upgrade).
 */

import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports HTTP/1.0 clients that never asked for keep-alive. */
public final class KeepAliveNotRequestedDetector implements CrossDetector {
  public static final String TYPE = "keepalive.not_requested";

  record Miss(String conn, int tx, long requestFrame, long requestUs, boolean close) {}

  private final DetectOptions options;
  private final HttpConnections index;
  private final List<Miss> misses = new ArrayList<>();

  KeepAliveNotRequestedDetector(DetectOptions options, HttpConnections index) {
    this.options = options;
    this.index = index;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    Transaction t = KeepAlive.firstRequest(http);
    if (t == null) {
      return;
    }
    KeepAlive.Negotiation n = KeepAlive.negotiation(t);
    if (!KeepAlive.is11(t.requestVersion()) && !n.clientWants()) {
      misses.add(
          new Miss(
              c.idString(),
              t.index(),
              t.requestFirstFrame(),
              t.requestFirstUs(),
              KeepAlive.CLOSE.equals(n.clientAsked())));
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    misses.sort(java.util.Comparator.comparingLong(Miss::requestUs));
    for (List<Miss> ms : index.byPair(misses, Miss::conn)) {
      Miss m0 = ms.get(0);
      HttpConnections.Setups after =
          HttpConnections.setupsAfter(index.pairOf(m0.conn), m0.requestUs);
      int later = after.count();
      long cost = after.handshakeUs();
      List<Long> frames =
          ms.stream().map(Miss::requestFrame).filter(f -> f > 0).limit(20).sorted().toList();
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("connections", ms.size());
      d.put("connections_after_first", later);
      d.put("handshake_us", cost);
      d.put("at_rtt_us", options.referenceRttMicros);
      d.put("cost_at_rtt_us", later * options.referenceRttMicros);
      String summary =
          "an HTTP/1.0 client "
              + (m0.close
                  ? "sent Connection: close"
                  : "did not ask for" + " keep-alive (no Connection: keep-alive)")
              + (ms.size() > 1 ? " on " + ms.size() + " connections" : "")
              + ": one connection per request"
              + (later > 0
                  ? "; "
                      + later
                      + " more connection"
                      + (later > 1 ? "s" : "")
                      + " to the same server followed, "
                      + (later > 1 ? "their handshakes" : "its handshake")
                      + " cost "
                      + KeepAlive.ms(cost)
                      + " here ("
                      + SeverityRule.atRoundTrip(later, "setup", options.referenceRttMicros)
                      + ")"
                  : "");
      String fix =
          "use HTTP/1.1 (persistent by default) or send Connection: keep-alive on every"
              + " HTTP/1.0 request (e.g. not curl --http1.0; a proxy's upstream: nginx"
              + " proxy_http_version 1.1 with keepalive in the upstream block)";
      out.accept(
          new Finding(
              TYPE,
              SeverityRule.cost(cost, options.costWarnMicros),
              Confidence.CONFIRMED,
              m0.conn,
              m0.tx,
              cost,
              frames,
              KeepAlive.filter(frames),
              summary,
              fix,
              d));
    }
    misses.clear();
  }
}
