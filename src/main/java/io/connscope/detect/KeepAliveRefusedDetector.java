package io.connscope.detect;

/*
 * keepalive.refused, keepalive.proxy_connection_ignored
 *
 * Rule: the first transaction of a connection shows a client that wanted a persistent connection
 * (HTTP/1.1 without Connection: close, Connection: keep-alive, or an HTTP/1.0 request with only
 * Proxy-Connection: keep-alive) and a response that ruled it out (Connection: close, or HTTP/1.0
 * without an echoed keep-alive). Later transactions are not looked at: a server that kept the
 * connection for a while did not refuse (see keepalive.limit). Tunnels (CONNECT, Upgrade) are
 * skipped.
 * Type: keepalive.proxy_connection_ignored when the client asked only with Proxy-Connection:
 * keep-alive (a header no origin server reads, RFC 7230 A.1.2; through a blind relay it reaches
 * the origin, which answers as if nothing was asked): the keep-alive request was ignored, not
 * refused, and nothing hung (a hang through a relay is keepalive.proxy_hang). keepalive.refused
 * otherwise.
 * One finding per client address and server endpoint, on its first refused connection.
 * Cost: the handshakes (SYN to the handshake ACK at the capture point) of the connections the
 * same client opened to the same server after the first refusal: each was needed because the
 * previous one was closed. Also given at the reference round trip (referenceRttMicros, 50 ms):
 * one round trip per such setup.
 * Severity (SeverityRule): warning when the cost is at least costWarnMicros (10 ms), info when
 * cheaper (a loopback or LAN handshake).
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

/** Reports servers that closed connections their clients wanted to keep. */
public final class KeepAliveRefusedDetector implements CrossDetector {
  public static final String TYPE = "keepalive.refused";

  /** The client asked only with Proxy-Connection, which the server ignored. */
  public static final String IGNORED_TYPE = "keepalive.proxy_connection_ignored";

  record Refusal(
      String conn,
      int tx,
      long responseFrame,
      long responseUs,
      String how,
      boolean viaProxyConnection) {}

  private final DetectOptions options;
  private final HttpConnections index;
  private final List<Refusal> refusals = new ArrayList<>();

  KeepAliveRefusedDetector(DetectOptions options, HttpConnections index) {
    this.options = options;
    this.index = index;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    Transaction t = KeepAlive.firstRequest(http); // later ones: not a refusal (keepalive.limit)
    if (t == null) {
      return;
    }
    KeepAlive.Negotiation n = KeepAlive.negotiation(t);
    if (n.clientWants() && n.serverAnswered() != null && n.serverRefused()) {
      String how =
          KeepAlive.CLOSE.equals(n.serverAnswered())
              ? "Connection: close"
              : t.responseVersion() + " without Connection: keep-alive";
      refusals.add(
          new Refusal(
              c.idString(),
              t.index(),
              t.responseFirstFrame(),
              t.responseFirstUs(),
              how,
              KeepAlive.NONE.equals(n.clientAsked())));
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    refusals.sort(java.util.Comparator.comparingLong(Refusal::responseUs));
    for (List<Refusal> rs : index.byPair(refusals, Refusal::conn)) {
      out.accept(finding(rs, index.pairOf(rs.get(0).conn)));
    }
    refusals.clear();
  }

  private Finding finding(List<Refusal> rs, List<HttpConnections.Conn> pair) {
    Refusal r0 = rs.get(0);
    HttpConnections.Setups after = HttpConnections.setupsAfter(pair, r0.responseUs);
    int forced = after.count();
    long cost = after.handshakeUs();
    List<Long> frames =
        rs.stream().map(Refusal::responseFrame).filter(f -> f > 0).limit(20).sorted().toList();
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("refused_connections", rs.size());
    d.put("connections_after_refusal", forced);
    d.put("handshake_us", cost);
    d.put("connections", rs.stream().map(Refusal::conn).limit(20).toList());
    d.put("at_rtt_us", options.referenceRttMicros);
    d.put("cost_at_rtt_us", forced * options.referenceRttMicros);
    String followed =
        forced > 0
            ? "; "
                + forced
                + " more connection"
                + (forced > 1 ? "s" : "")
                + " to the same server"
                + " followed, "
                + (forced > 1 ? "their handshakes" : "its handshake")
                + " cost "
                + KeepAlive.ms(cost)
                + " here ("
                + SeverityRule.atRoundTrip(forced, "setup", options.referenceRttMicros)
                + ")"
            : "";
    String summary;
    String fix;
    String type;
    if (r0.viaProxyConnection) {
      type = IGNORED_TYPE;
      summary =
          "the client asked for keep-alive only with Proxy-Connection: keep-alive, a header"
              + " servers do not read, and the server answered with "
              + r0.how
              + (rs.size() > 1 ? " on " + rs.size() + " connections" : "")
              + ": the request was ignored, not refused, and nothing hung; one connection per"
              + " request"
              + followed;
      fix =
          "send Connection: keep-alive (HTTP/1.0) or use HTTP/1.1, which is persistent by"
              + " default; through a proxy, use one that handles keep-alive on each leg rather"
              + " than relaying the client's headers";
    } else {
      type = TYPE;
      summary =
          "the client asked to keep the connection open and the server refused with "
              + r0.how
              + (rs.size() > 1 ? " on " + rs.size() + " connections" : "")
              + followed;
      fix =
          "enable keep-alive on the server (e.g. nginx keepalive_timeout > 0, Apache KeepAlive"
              + " On), or on the proxy in front of it; for HTTP/1.0 clients the server must echo"
              + " Connection: keep-alive and send a Content-Length";
    }
    return new Finding(
        type,
        SeverityRule.cost(cost, options.costWarnMicros),
        Confidence.CONFIRMED,
        r0.conn,
        r0.tx,
        cost,
        frames,
        KeepAlive.filter(frames),
        summary,
        fix,
        d);
  }
}
