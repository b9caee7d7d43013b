package io.connscope.detect;

/*
 * http.close_delimited
 *
 * Rule: a response whose body ended only with the connection's close: no Content-Length, not
 * chunked, and a status and method that allow a body (RFC 7230 3.3.3 item 7). The connection
 * cannot carry another request: keep-alive is ruled out whatever the headers said.
 * Severity: warning when the client wanted a persistent connection (its next request needs a new
 * connection), info otherwise (an HTTP/1.0 client that asked for nothing).
 * Evidence: the response's first frame and the server's FIN or RST that ended the body.
 * Cost: none measured here (the extra handshakes are counted by keepalive.refused /
 * keepalive.not_requested).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports responses delimited by the connection close. */
public final class CloseDelimitedDetector implements Detector {
  public static final String TYPE = "http.close_delimited";

  public CloseDelimitedDetector(DetectOptions options) {}

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (http == null || !http.isHttp()) {
      return;
    }
    for (Transaction t : http.transactions()) {
      if (!t.closeDelimited()) {
        continue;
      }
      KeepAlive.Negotiation n = KeepAlive.negotiation(t);
      boolean wanted = n.clientWants();
      long close = KeepAlive.closeFrame(c.half(Direction.SERVER));
      List<Long> frames = KeepAlive.frames(t.responseFirstFrame(), close);
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("body_bytes", t.responseBodyBytes());
      d.put("client_wanted_keep_alive", wanted);
      String summary =
          t.responseVersion()
              + " "
              + t.status()
              + (t.method() == null ? " (without a request)" : " to " + t.method() + " " + t.uri())
              + " has neither Content-Length nor chunked encoding: its "
              + t.responseBodyBytes()
              + "-byte body ended only when the server closed the connection"
              + (close > 0 ? " (frame " + close + ")" : "")
              + (wanted ? ", although the client wanted to keep it open" : "");
      String fix =
          "send Content-Length (or chunked Transfer-Encoding for HTTP/1.1) on every response"
              + " so the connection can be reused";
      out.accept(
          new Finding(
              TYPE,
              wanted ? Severity.WARNING : Severity.INFO,
              Confidence.CONFIRMED,
              c.idString(),
              t.index(),
              0,
              frames,
              KeepAlive.filter(frames),
              summary,
              fix,
              d));
    }
  }
}
