package io.connscope.detect;

/*
 * keepalive.stale_reuse
 *
 * Rule: request i (i >= 1) on a connection that the previous response kept alive gets no
 * response, and the server's first FIN or RST came before the request or no later than
 * staleWindowMicros (0.5 s) after it started: the client reused an idle connection as or after
 * the server closed it, and the request was lost (RFC 7230 6.3.1: the client may retry it only
 * when it is idempotent).
 * Retry: the same method and path from the same client to the same server on another
 * connection within retryWindowMicros (30 s) after the request.
 * Severity (SeverityRule): error when the user saw a failure: a non-idempotent method (RFC 7231
 * 4.2.2: POST, PATCH, ...) that was retried (it may run twice when the server had processed it)
 * or any request that was not retried (it failed); an idempotent request retried by the client
 * cost the time to its retry: warning from costWarnMicros (10 ms), info when cheaper.
 * Cost: from the request to its retry, or to the close when it was not retried.
 * Confidence: confirmed (the close and the missing response are both in the capture).
 */

import io.connscope.common.Direction;
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
import io.connscope.tcp.HalfView;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports requests lost because they were sent on a connection the server was closing. */
public final class KeepAliveStaleReuseDetector implements CrossDetector {
  public static final String TYPE = "keepalive.stale_reuse";

  record Stale(
      String conn,
      int tx,
      String method,
      String uri,
      long requestFrame,
      long requestUs,
      long idleUs,
      long closeFrame,
      long closeUs,
      String closeKind,
      long resetFrame) {}

  private final DetectOptions options;
  private final HttpConnections index;
  private final List<Stale> stale = new ArrayList<>();

  KeepAliveStaleReuseDetector(DetectOptions options, HttpConnections index) {
    this.options = options;
    this.index = index;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    if (http == null || !http.isHttp()) {
      return;
    }
    Transaction prev = null;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() == null) {
        continue;
      }
      if (prev != null && ReuseFailures.isStale(c, prev, t, options)) {
        HalfView s = c.half(Direction.SERVER);
        long rst = s.rstTs() >= t.requestFirstUs() ? s.rstFrame() : -1;
        stale.add(
            new Stale(
                c.idString(),
                t.index(),
                t.method(),
                t.uri(),
                t.requestFirstFrame(),
                t.requestFirstUs(),
                t.requestFirstUs() - prev.responseLastUs(),
                KeepAlive.closeFrame(s),
                KeepAlive.closeMicros(s),
                KeepAlive.closeKind(s),
                rst));
      }
      prev = t;
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (Stale s : stale) {
      HttpConnections.Conn a = index.get(s.conn);
      HttpConnections.Tx tx = null;
      if (a != null) {
        for (HttpConnections.Tx x : a.txs()) {
          if (x.index() == s.tx) {
            tx = x;
          }
        }
      }
      HttpConnections.Link retry =
          tx == null ? null : index.retry(a, tx, s.requestUs, options.retryWindowMicros);
      boolean idem = KeepAlive.idempotent(s.method);
      long cost = Math.max(0, (retry != null ? retry.tx().requestUs() : s.closeUs) - s.requestUs);
      boolean before = s.closeUs < s.requestUs;
      String summary =
          s.method
              + " "
              + s.uri
              + " (transaction "
              + s.tx
              + ") was sent after "
              + KeepAlive.ms(s.idleUs)
              + " idle on a kept-alive connection "
              + (before
                  ? KeepAlive.ms(s.requestUs - s.closeUs) + " after the server had closed it ("
                  : "just as the server closed it ("
                      + KeepAlive.ms(s.closeUs - s.requestUs)
                      + " later, ")
              + s.closeKind.toUpperCase()
              + " frame "
              + s.closeFrame
              + ")"
              + (s.resetFrame > 0 && s.resetFrame != s.closeFrame
                  ? "; the server reset it (frame " + s.resetFrame + ")"
                  : "")
              + ": the request was lost; "
              + (retry != null
                  ? "the client retried it on "
                      + retry.conn().id()
                      + " (frame "
                      + retry.tx().requestFrame()
                      + ")"
                  : "no retry was seen")
              + (idem
                  ? ""
                  : retry != null
                      ? "; " + s.method + " is not idempotent: a retry may run it twice"
                      : "; " + s.method + " is not idempotent and failed");
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("idle_us", s.idleUs);
      d.put("close_before_request", before);
      d.put("idempotent", idem);
      if (retry != null) {
        d.put("retry_connection", retry.conn().id());
        d.put("retry_frame", retry.tx().requestFrame());
      }
      List<Long> frames =
          KeepAlive.frames(
              s.closeFrame,
              s.requestFrame,
              s.resetFrame,
              retry == null ? -1 : retry.tx().requestFrame());
      String fix =
          "make the client's idle timeout for pooled connections shorter than the server's"
              + " keep-alive timeout (or the server's longer), check a pooled connection for a pending"
              + " FIN before reusing it, and retry only idempotent requests automatically";
      out.accept(
          new Finding(
              TYPE,
              idem && retry != null
                  ? SeverityRule.cost(cost, options.costWarnMicros)
                  : SeverityRule.failed(),
              Confidence.CONFIRMED,
              s.conn,
              s.tx,
              cost,
              frames,
              KeepAlive.filter(frames),
              summary,
              fix,
              d));
    }
    stale.clear();
  }
}
