package io.connscope.detect;

/*
 * http.close_delimited
 *
 * Rule: a response whose body ended only with the connection's close: no Content-Length, not
 * chunked, and a status and method that allow a body (RFC 7230 3.3.3 item 7). The connection
 * cannot carry another request: keep-alive is ruled out whatever the headers said.
 * What it breaks: connection reuse when the client wanted a persistent connection (its next
 * request needs a new connection; the summary says so), and the check that the body arrived
 * whole (a body cut short by a lost connection looks complete).
 * Evidence: the response's first frame and the server's FIN or RST that ended the body.
 * Cost: none measured here (the extra setups are counted by connection.setup_overhead,
 * keepalive.refused and keepalive.not_requested).
 * Severity (SeverityRule): info, a pattern with no cost measured here; the cost of the setups it
 * forces is judged by the findings above.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports responses delimited by the connection close. */
public final class CloseDelimitedDetector implements ConnectionDetector {
  public static final String TYPE = "http.close_delimited";

  public CloseDelimitedDetector(DetectOptions options) {}

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (http == null || !http.isHttp()) {
      return;
    }
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
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
              + (wanted
                  ? ", although the client wanted to keep it open: this breaks reuse (the next"
                      + " request needs a new connection)"
                  : "");
      String fix =
          "send Content-Length (or chunked Transfer-Encoding for HTTP/1.1) on every response"
              + " so the connection can be reused";
      out.accept(
          new Finding(
              TYPE,
              SeverityRule.cost(0, 0),
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
