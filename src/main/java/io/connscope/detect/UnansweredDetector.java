package io.connscope.detect;

/*
 * http.unanswered
 *
 * Rule: requests that never got a final response and responses that had no request (the HTTP
 * layer's unanswered and orphan transactions), other than those keepalive.proxy_hang and
 * keepalive.stale_reuse explain, and other than requests a gap or desynchronisation touched
 * (Transaction.gapAffected: their response may be hidden in unparsable bytes, which
 * http.framing_error or the http.desync anomaly reports). One finding per connection.
 * Confidence: confirmed when the connection was closed (FIN or RST) after the request, suspected
 * when the capture ended, nothing at all was seen from the server (one-sided capture) or a gap
 * touched the transaction (the answer may be outside the
 * capture). Not reported: requests whose response the client acknowledged while the capture
 * lost it (Transaction.responseNotCaptured) and responses whose request is not in the capture
 * (Transaction.requestNotCaptured): capture.loss and capture.one_sided say those.
 * Cost: for unanswered requests, the time from the request to the connection's end (the longest
 * one).
 * Severity (SeverityRule): error when a request got no answer and the connection was closed (the
 * user saw the request fail); when the capture ended first or a gap may hide the answer, the
 * cost rule (warning from costWarnMicros, 10 ms); orphan responses alone cost nothing: info.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.ReuseFailures;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports requests without a response and responses without a request. */
public final class UnansweredDetector implements ConnectionDetector {
  public static final String TYPE = "http.unanswered";

  private final DetectOptions options;

  public UnansweredDetector(DetectOptions options) {
    this.options = options;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (http == null || !http.isHttp() || http.tunnel()) {
      return;
    }
    List<Integer> unanswered = new ArrayList<>();
    List<Integer> orphans = new ArrayList<>();
    List<Long> frames = new ArrayList<>();
    // capture ended first, or a one-sided capture (nothing at all from the server)
    boolean suspect = c.closedFirstBy() < 0 || c.half(Direction.SERVER).packets() == 0;
    long cost = 0;
    int first = -1;
    Transaction prev = null;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.orphanResponse() && t.requestNotCaptured()) {
        continue; // its request is not in the capture: a capture-quality matter (capture.one_sided)
      }
      if (t.orphanResponse()) {
        orphans.add(t.index());
        frames.add(t.responseFirstFrame());
        suspect |= t.gapAffected();
        first = first < 0 ? t.index() : first;
        continue;
      }
      if (t.method() == null) {
        continue;
      }
      boolean explained =
          prev != null
              && (ReuseFailures.hang(c, prev, t, options, List.of()) != null
                  || ReuseFailures.isStale(c, prev, t, options));
      if (t.status() == 0
          && t.responseFirstFrame() < 0
          && !explained
          && !t.gapAffected()
          && !t.responseNotCaptured()) { // an HTTP/0.9 reply has no status but is an answer
        unanswered.add(t.index());
        frames.add(t.requestFirstFrame());
        suspect |= t.gapAffected();
        cost = Math.max(cost, Math.max(0, c.lastTsMicros() - t.requestFirstUs()));
        first = first < 0 ? t.index() : first;
      }
      prev = t;
    }
    if (unanswered.isEmpty() && orphans.isEmpty()) {
      return;
    }
    List<Long> fs =
        KeepAlive.frames(frames.stream().limit(20).mapToLong(Long::longValue).toArray());
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("unanswered", unanswered.stream().limit(20).toList());
    d.put("orphan_responses", orphans.stream().limit(20).toList());
    String summary =
        (unanswered.isEmpty()
                ? ""
                : unanswered.size()
                    + " request"
                    + (unanswered.size() > 1 ? "s" : "")
                    + " got no response (transactions "
                    + unanswered.stream()
                        .limit(10)
                        .map(String::valueOf)
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("")
                    + ")")
            + (!unanswered.isEmpty() && !orphans.isEmpty() ? "; " : "")
            + (orphans.isEmpty()
                ? ""
                : orphans.size()
                    + " response"
                    + (orphans.size() > 1 ? "s" : "")
                    + " had no request")
            + (suspect ? " (the capture may miss part of the exchange)" : "");
    String fix =
        "look at the server (or a proxy in between) for requests it dropped; for orphan"
            + " responses, check that the capture saw the whole connection";
    out.accept(
        new Finding(
            TYPE,
            unanswered.isEmpty()
                ? SeverityRule.cost(0, 0)
                : !suspect && c.closedFirstBy() >= 0
                    ? SeverityRule.failed()
                    : SeverityRule.cost(cost, options.costWarnMicros),
            suspect ? Confidence.SUSPECTED : Confidence.CONFIRMED,
            c.idString(),
            first,
            unanswered.isEmpty() ? 0 : cost,
            fs,
            KeepAlive.filter(fs),
            summary,
            fix,
            d));
  }
}
