package io.connscope.detect;

/*
 * keepalive.proxy_hang
 *
 * Rule: request i (i >= 1) on a connection that the previous response kept alive (KeepAlive
 * negotiation: persistent) gets no response at all, and the connection ends (first FIN or RST
 * after the request, or the capture's end) at least hangMinMicros (1 s) after the request was
 * sent. Excluded: a server FIN/RST no later than staleWindowMicros (0.5 s) after the request
 * starts (keepalive.stale_reuse: the server closed, it did not hang).
 * Proxy signs named: absolute-form request target, Proxy-Connection, Via (request or response),
 * a usual proxy port (3128, 8080, 8000, 8008, 8081, 8118, 8888, 9090).
 * Two legs: when the capture also holds the proxy's upstream connection (client address = this
 * connection's server address, another server, the previous request's method and path sent
 * within forwardWindowMicros (1 s) of it and answered before the proxy answered), the proof is
 * the client's Connection: keep-alive on the upstream request and the hung request never sent
 * upstream before the end: confidence confirmed. Otherwise suspected.
 * Retry: the same method and path from the same client to the same server on another
 * connection within retryWindowMicros (30 s) after the request.
 * Cost: from the request to the client giving up (the end) or to its retry, whichever is first.
 */

import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.ReuseFailures;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports requests on kept-alive connections that were never answered (the dumb-proxy hang). */
public final class KeepAliveProxyHangDetector implements CrossDetector {
  public static final String TYPE = "keepalive.proxy_hang";

  static final Set<Integer> PROXY_PORTS = Set.of(3128, 8080, 8000, 8008, 8081, 8118, 8888, 9090);

  private final DetectOptions options;
  private final HttpConnections index;
  private final List<ReuseFailures.Hang> hangs = new ArrayList<>();

  KeepAliveProxyHangDetector(DetectOptions options, HttpConnections index) {
    this.options = options;
    this.index = index;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    if (http == null || !http.isHttp() || http.transactions().size() < 2) {
      return; // a hang is of request i >= 1: a connection of one transaction has none
    }
    List<String> signs = signs(c, http);
    Transaction prev = null;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() == null) {
        continue;
      }
      ReuseFailures.Hang h = prev == null ? null : ReuseFailures.hang(c, prev, t, options, signs);
      if (h != null) {
        hangs.add(h);
      }
      prev = t;
    }
  }

  private static List<String> signs(ConnectionView c, HttpView http) {
    List<String> s = new ArrayList<>();
    boolean abs = false, pc = false, via = false;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      abs |= KeepAlive.absoluteForm(t.uri());
      pc |= t.requestHeaders().get("proxy-connection") != null;
      via |= t.requestHeaders().get("via") != null || t.responseHeaders().get("via") != null;
    }
    if (abs) {
      s.add("absolute-form request URI");
    }
    if (pc) {
      s.add("Proxy-Connection header");
    }
    if (via) {
      s.add("Via header");
    }
    if (PROXY_PORTS.contains(c.serverPort())) {
      s.add("proxy port " + c.serverPort());
    }
    return s;
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (ReuseFailures.Hang h : hangs) {
      out.accept(finding(h));
    }
    hangs.clear();
  }

  private Finding finding(ReuseFailures.Hang h) {
    HttpConnections.Conn a = index.get(h.conn());
    HttpConnections.Tx hung = find(a, h.tx());
    HttpConnections.Tx prev = find(a, h.prevTx());
    HttpConnections.Link retry =
        hung == null ? null : index.retry(a, hung, h.requestUs(), options.retryWindowMicros);
    HttpConnections.Link up =
        prev == null ? null : index.upstream(a, prev, options.forwardWindowMicros);
    boolean forwardedKa =
        up != null && KeepAlive.hasToken(up.tx().requestHeaders().get("connection"), "keep-alive");
    boolean agreed =
        up != null && KeepAlive.hasToken(up.tx().responseHeaders().get("connection"), "keep-alive");
    long stop =
        retry != null && retry.tx().requestUs() < h.endUs() ? retry.tx().requestUs() : h.endUs();
    // up to the retry: the retry's own upstream request is not the hung one
    boolean neverForwarded =
        up != null
            && hung != null
            && !index.forwardedBetween(a, up.conn(), hung, h.requestUs(), stop);
    boolean proven = forwardedKa && neverForwarded;
    long cost = Math.max(0, stop - h.requestUs());

    StringBuilder sum = new StringBuilder();
    sum.append(hung == null ? "request " + h.tx() : hung.method() + " " + hung.uri())
        .append(" (transaction ")
        .append(h.tx())
        .append(") was sent on a connection that the previous")
        .append(" response (frame ")
        .append(h.prevResponseFrame())
        .append(") kept alive, and got no")
        .append(" response for ")
        .append(KeepAlive.s(h.endUs() - h.requestUs()))
        .append(": ");
    sum.append(
        switch (h.endedBy()) {
          case "client" ->
              "the client gave up (" + h.endKind().toUpperCase() + ", frame " + h.endFrame() + ")";
          case "server" ->
              "then the server side closed ("
                  + h.endKind().toUpperCase()
                  + ", frame "
                  + h.endFrame()
                  + ")";
          default -> "still waiting when the capture ended";
        });
    if (retry != null) {
      sum.append("; retried on ")
          .append(retry.conn().id())
          .append(" (frame ")
          .append(retry.tx().requestFrame())
          .append(")");
    }
    sum.append(". Proxy signs: ")
        .append(h.signs().isEmpty() ? "none seen" : String.join(", ", h.signs()));
    if (up != null) {
      sum.append("; upstream leg ")
          .append(up.conn().id())
          .append(": the previous request was")
          .append(" forwarded (frame ")
          .append(up.tx().requestFrame())
          .append(")")
          .append(forwardedKa ? " with the client's hop-by-hop Connection: keep-alive" : "")
          .append(agreed ? ", the server agreed (frame " + up.tx().responseFrame() + ")" : "")
          .append(neverForwarded ? ", and this request was never forwarded" : "");
    }
    sum.append(
        proven
            ? ": a blind relay (dumb proxy) kept the connection open and ignored the request"
            : ": suspected dumb proxy (or a server that stopped answering)");

    TreeMap<String, Object> d = new TreeMap<>();
    d.put("wait_us", h.endUs() - h.requestUs());
    d.put("ended_by", h.endedBy());
    d.put("proxy_signs", h.signs());
    if (retry != null) {
      d.put("retry_connection", retry.conn().id());
      d.put("retry_frame", retry.tx().requestFrame());
    }
    if (up != null) {
      d.put("upstream_connection", up.conn().id());
      d.put("upstream_forwarded_keep_alive", forwardedKa);
      d.put("upstream_never_forwarded", neverForwarded);
    }
    List<Long> frames =
        KeepAlive.frames(
            h.prevResponseFrame(),
            h.requestFrame(),
            h.endFrame(),
            retry == null ? -1 : retry.tx().requestFrame(),
            up == null ? -1 : up.tx().requestFrame(),
            up == null ? -1 : up.tx().responseFrame());
    String fix =
        "remove the blind relay or make it HTTP/1.1-aware: a proxy must drop Connection and"
            + " the headers it names before forwarding (RFC 7230 6.1); clients should not send"
            + " Connection: Keep-Alive to a proxy they do not know (HTTP/1.1 or Proxy-Connection), and"
            + " should time out and retry idempotent requests on reused connections quickly";
    return new Finding(
        TYPE,
        SeverityRule.failed(),
        proven ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        h.conn(),
        h.tx(),
        cost,
        frames,
        KeepAlive.filter(frames),
        sum.toString(),
        fix,
        d);
  }

  private static HttpConnections.Tx find(HttpConnections.Conn c, int index) {
    if (c == null) {
      return null;
    }
    for (HttpConnections.Tx t : c.txs()) {
      if (t.index() == index) {
        return t;
      }
    }
    return null;
  }
}
