package io.connscope.detect;

/*
 * http.hop_by_hop_forwarded
 *
 * Rule: on a capture holding both legs of a proxy, a request on the upstream leg (its client
 * address is the first leg's server address, its server another endpoint, same method and path,
 * sent within forwardWindowMicros (1 s) after the client's request and answered before the proxy
 * answered; see HttpConnections.upstream) carries a hop-by-hop header with exactly the value the
 * client sent: Connection, Keep-Alive, Proxy-Connection, Upgrade, or a header the client's
 * Connection names. RFC 7230 6.1: a proxy must remove them. (TE, Trailer and Proxy-Authenticate
 * are hop-by-hop too but the HTTP layer does not keep them, so they cannot be compared.)
 * Confidence: confirmed when the two request heads have the same length (forwarded verbatim),
 * suspected otherwise (the legs are paired by timing, method and path).
 * Not reported: a proxy that sends its own Connection value (e.g. nginx's Connection: close).
 * What it broke (the summary says it): a later request on the client's connection that was never
 * answered (the relay kept the client's connection open for a keep-alive the origin granted, and
 * never read the next request: the dumb-proxy hang); else nothing here: the origin answered
 * Connection: close (the keep-alive request was ignored), or it granted keep-alive and the client
 * sent nothing more on that connection (a hang waiting for the next request).
 * Severity (SeverityRule.broke): error when a request hung, info otherwise (nothing was lost).
 */

import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.Headers;
import io.connscope.http.HttpView;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports hop-by-hop request headers a proxy forwarded upstream unchanged. */
public final class HopByHopForwardedDetector implements CrossDetector {
  public static final String TYPE = "http.hop_by_hop_forwarded";

  /** Hop-by-hop header names the HTTP layer keeps (RFC 7230 6.1, RFC 7231 A, RFC 7235 4.3). */
  static final List<String> HOP_BY_HOP =
      List.of("connection", "keep-alive", "proxy-connection", "upgrade");

  private final DetectOptions options;
  private final HttpConnections index;
  private final List<String> conns = new ArrayList<>();

  HopByHopForwardedDetector(DetectOptions options, HttpConnections index) {
    this.options = options;
    this.index = index;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    if (http != null && http.isHttp()) {
      conns.add(c.idString());
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (String id : conns) {
      HttpConnections.Conn a = index.get(id);
      if (a == null) {
        continue;
      }
      for (HttpConnections.Tx t : a.txs()) {
        HttpConnections.Link up = index.upstream(a, t, options.forwardWindowMicros);
        if (up != null) {
          Finding f = compare(a, t, up);
          if (f != null) {
            out.accept(f);
          }
        }
      }
    }
    conns.clear();
  }

  private Finding compare(HttpConnections.Conn a, HttpConnections.Tx t, HttpConnections.Link up) {
    Headers in = t.requestHeaders();
    Headers fwd = up.tx().requestHeaders();
    Set<String> names = new LinkedHashSet<>(HOP_BY_HOP);
    String conn = in.get("connection");
    if (conn != null) {
      for (String tok : conn.split(",")) {
        String n = tok.trim().toLowerCase(java.util.Locale.ROOT);
        if (Headers.KEPT.contains(n)) {
          names.add(n); // RFC 7230 6.1: the headers Connection names are hop-by-hop too
        }
      }
    }
    List<String> forwarded = new ArrayList<>();
    for (String n : names) {
      String v = in.get(n);
      String w = fwd.get(n);
      if (v != null && w != null && v.trim().equalsIgnoreCase(w.trim())) {
        forwarded.add(KeepAlive.headerName(n) + ": " + v);
      }
    }
    if (forwarded.isEmpty()) {
      return null;
    }
    boolean verbatim = t.requestHeadBytes() == up.tx().requestHeadBytes();
    HttpConnections.Tx hung = null;
    for (HttpConnections.Tx later : a.txs()) {
      if (later.index() > t.index() && later.responseFrame() < 0) {
        hung = later;
        break;
      }
    }
    String originConnection =
        up.tx().responseHeaders() == null ? null : up.tx().responseHeaders().get("connection");
    boolean originClosed = KeepAlive.hasToken(originConnection, "close");
    List<Long> frames = KeepAlive.frames(t.requestFrame(), up.tx().requestFrame());
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("client_connection", a.id());
    d.put("client_frame", t.requestFrame());
    d.put("forwarded", forwarded);
    d.put("verbatim", verbatim);
    d.put(
        "broke",
        hung != null ? "hung_request" : originClosed ? "nothing_origin_closed" : "nothing");
    String summary =
        "the proxy forwarded "
            + t.method()
            + " "
            + t.path()
            + " from "
            + a.id()
            + " (frame "
            + t.requestFrame()
            + ") to "
            + up.conn().id()
            + " (frame "
            + up.tx().requestFrame()
            + ") with the client's hop-by-hop "
            + String.join(", ", forwarded)
            + (verbatim ? " (the request head was copied verbatim: a blind relay)" : "")
            + "; "
            + (hung != null
                ? "this broke the client's connection: its next request "
                    + hung.method()
                    + " "
                    + hung.path()
                    + " (transaction "
                    + hung.index()
                    + ", frame "
                    + hung.requestFrame()
                    + ") was never answered"
                : originClosed
                    ? "nothing broke here: the origin answered Connection: close, so the"
                        + " keep-alive request was ignored and each request used a new connection"
                    : "nothing broke here: the client sent no further request on "
                        + a.id()
                        + " (one would hang if the origin kept its connection open)");
    String fix =
        "the proxy must remove Connection, the headers it names, Keep-Alive,"
            + " Proxy-Connection, TE, Trailer and Upgrade before forwarding (RFC 7230 6.1) and set its"
            + " own; use an HTTP/1.1-aware proxy";
    return new Finding(
        TYPE,
        SeverityRule.broke(hung != null, 0, options.costWarnMicros),
        verbatim ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        up.conn().id(),
        up.tx().index(),
        0,
        frames,
        KeepAlive.filter(frames),
        summary,
        fix,
        d);
  }
}
