package io.connscope.detect;

/*
 * http.pipelining
 *
 * Rule: a request started while an earlier one on the connection had no complete response yet
 * (Transaction.pipelineDepth > 1). Pipelining is legal (RFC 7230 6.3.2) but responses come
 * back in order, so one slow response delays every one queued behind it.
 * One finding per connection: the largest depth, the pipelined requests, and the head-of-line
 * blocking: for each pipelined request, the time from when it was fully sent to when the
 * previous response ended (during which its own response could not start); an upper bound of
 * the delay, as the server may have been busy with it anyway.
 * Cost: the sum of that blocking.
 * Severity (SeverityRule): warning when the blocking is at least costWarnMicros (10 ms), info when
 * cheaper (pipelining itself is legal).
 */

import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
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

/** Reports pipelined requests and the head-of-line blocking they met. */
public final class PipeliningDetector implements ConnectionDetector {
  public static final String TYPE = "http.pipelining";

  private final long warnUs;

  public PipeliningDetector(DetectOptions options) {
    this.warnUs = options.costWarnMicros;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (http == null || !http.isHttp() || http.maxPipelineDepth() < 2) {
      return;
    }
    int pipelined = 0;
    long total = 0;
    long worst = 0;
    int worstTx = -1;
    int firstTx = -1;
    List<Long> frames = new ArrayList<>();
    Transaction prev = null;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() == null) {
        continue;
      }
      if (t.pipelineDepth() > 1) {
        pipelined++;
        if (firstTx < 0) {
          firstTx = t.index();
        }
        if (frames.size() < 20) {
          frames.add(t.requestFirstFrame());
        }
        long sent = t.requestLastUs();
        long blocked =
            prev != null && sent >= 0 && prev.responseLastUs() >= 0
                ? Math.max(0, prev.responseLastUs() - sent)
                : 0;
        total += blocked;
        if (blocked > worst) {
          worst = blocked;
          worstTx = t.index();
        }
      }
      prev = t;
    }
    if (pipelined == 0) {
      return;
    }
    List<Long> fs = KeepAlive.frames(frames.stream().mapToLong(Long::longValue).toArray());
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("max_depth", http.maxPipelineDepth());
    d.put("pipelined_requests", pipelined);
    d.put("head_of_line_us", total);
    d.put("worst_head_of_line_us", worst);
    String summary =
        pipelined
            + " request"
            + (pipelined > 1 ? "s were" : " was")
            + " pipelined (sent before the earlier responses completed), depth up to "
            + http.maxPipelineDepth()
            + "; head-of-line blocking behind earlier responses: "
            + KeepAlive.ms(total)
            + " in all"
            + (worstTx >= 0
                ? ", at most " + KeepAlive.ms(worst) + " (transaction " + worstTx + ")"
                : "");
    String fix =
        "nothing to fix when responses are fast; when one is slow, send independent"
            + " requests on parallel connections (or HTTP/2) so it does not hold the others back";
    out.accept(
        new Finding(
            TYPE,
            SeverityRule.cost(total, warnUs),
            Confidence.CONFIRMED,
            c.idString(),
            firstTx,
            total,
            fs,
            KeepAlive.filter(fs),
            summary,
            fix,
            d));
  }
}
