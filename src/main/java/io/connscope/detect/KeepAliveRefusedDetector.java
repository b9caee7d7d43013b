package io.connscope.detect;

/*
 * keepalive.refused
 *
 * Rule: the first transaction of a connection shows a client that wanted a persistent connection
 * (HTTP/1.1 without Connection: close, Connection: keep-alive, or an HTTP/1.0 request with only
 * Proxy-Connection: keep-alive) and a response that ruled it out (Connection: close, or HTTP/1.0
 * without an echoed keep-alive). Later transactions are not looked at: a server that kept the
 * connection for a while did not refuse (see keepalive.limit). Tunnels (CONNECT, Upgrade) are
 * skipped.
 * One finding per client address and server endpoint, on its first refused connection.
 * Cost: the handshakes (SYN to the handshake ACK at the capture point) of the connections the
 * same client opened to the same server after the first refusal: each was needed because the
 * previous one was closed. Severity warning when there were such connections, info otherwise.
 */

import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports servers that closed connections their clients wanted to keep. */
public final class KeepAliveRefusedDetector implements Detector {
  public static final String TYPE = "keepalive.refused";

  record Refusal(
      String conn,
      int tx,
      long responseFrame,
      long responseUs,
      String how,
      boolean viaProxyConnection) {}

  private final HttpConnections index;
  private final List<Refusal> refusals = new ArrayList<>();

  KeepAliveRefusedDetector(DetectOptions options, HttpConnections index) {
    this.index = index;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
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

  private static Finding finding(List<Refusal> rs, List<HttpConnections.Conn> pair) {
    Refusal r0 = rs.get(0);
    int forced = 0;
    long cost = 0;
    for (HttpConnections.Conn o : pair) {
      if (o.startUs() > r0.responseUs) {
        forced++;
        cost += Math.max(0, o.handshakeUs());
      }
    }
    List<Long> frames =
        rs.stream().map(Refusal::responseFrame).filter(f -> f > 0).limit(20).sorted().toList();
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("refused_connections", rs.size());
    d.put("connections_after_refusal", forced);
    d.put("handshake_us", cost);
    d.put("connections", rs.stream().map(Refusal::conn).limit(20).toList());
    String summary =
        "the client asked to keep the connection open and the server refused with "
            + r0.how
            + (rs.size() > 1 ? " on " + rs.size() + " connections" : "")
            + (forced > 0
                ? "; "
                    + forced
                    + " more connection"
                    + (forced > 1 ? "s" : "")
                    + " to the same server"
                    + " followed, "
                    + (forced > 1 ? "their handshakes" : "its handshake")
                    + " cost "
                    + KeepAlive.ms(cost)
                : "")
            + (r0.viaProxyConnection
                ? " (the client asked only with Proxy-Connection, which servers ignore)"
                : "");
    String fix =
        "enable keep-alive on the server (e.g. nginx keepalive_timeout > 0, Apache KeepAlive"
            + " On), or on the proxy in front of it; for HTTP/1.0 clients the server must echo"
            + " Connection: keep-alive and send a Content-Length";
    return new Finding(
        TYPE,
        forced > 0 ? Severity.WARNING : Severity.INFO,
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
