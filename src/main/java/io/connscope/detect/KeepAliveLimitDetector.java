package io.connscope.detect;

/*
 * keepalive.limit
 *
 * Rule, three cases (RFC 2068 19.7.1.1: Keep-Alive: timeout=T, max=M are the server's hints):
 *  1. max: the first response j announcing max=M is followed by exactly M more answered requests
 *     (M is the number of requests left, as Apache counts) and the server ended the connection
 *     after the last of them (not a plain idle close at the timeout): the last answered
 *     response said Connection: close, or the server sent the first FIN/RST after it. Cost: the
 *     handshake of the new connection the same client opened to the same server within
 *     retryWindowMicros (30 s) after the close, 0 when none.
 *  2. timeout: the server closed first (FIN/RST), with every request answered, after an idle
 *     time within limitToleranceMicros (0.5 s) + 10% of the timeout=T the last response
 *     announced, and the same client then opened a new connection to the same server within
 *     retryWindowMicros: cost that connection's handshake. A new connection is counted
 *     for one close only (the earliest before it). An idle close nobody came
 *     back after cost nothing and is not reported (Apache does it on every idle connection).
 *  3. client past timeout: request i (i >= 1) sent more than T after the previous response that
 *     announced timeout=T: the server may close such a connection at any moment (see
 *     keepalive.stale_reuse). Cost 0: a risk, not yet a loss.
 * Severity (SeverityRule): warning when the cost is at least costWarnMicros (10 ms), info when
 * cheaper (a loopback handshake, or the client past the timeout with nothing lost yet).
 * Confidence: confirmed (headers and closes are in the capture).
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.HttpConnections;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports connections ended by the server's announced Keep-Alive max or timeout. */
public final class KeepAliveLimitDetector implements CrossDetector {
  public static final String TYPE = "keepalive.limit";

  record Limit(
      String conn,
      int tx,
      String kind,
      long announced,
      long observedUs,
      long closeUs,
      List<Long> frames,
      String summary) {}

  private final DetectOptions options;
  private final HttpConnections index;
  private final List<Limit> limits = new ArrayList<>();

  KeepAliveLimitDetector(DetectOptions options, HttpConnections index) {
    this.options = options;
    this.index = index;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    if (http == null || !http.isHttp()) {
      return;
    }
    List<Transaction> answered = new ArrayList<>();
    boolean allAnswered = true;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() == null) {
        continue;
      }
      if (t.status() > 0) {
        answered.add(t);
      } else {
        allAnswered = false;
      }
    }
    if (answered.isEmpty()) {
      return;
    }
    Transaction last = answered.get(answered.size() - 1);
    long serverClose = KeepAlive.closeMicros(c.half(Direction.SERVER));
    boolean serverEnded =
        KeepAlive.negotiation(last).serverRefused()
            || c.closedFirstBy() == Direction.SERVER && serverClose >= last.responseLastUs();
    long closeFrame = KeepAlive.closeFrame(c.half(Direction.SERVER));

    // 1. max
    for (int j = 0; j < answered.size(); j++) {
      Transaction tj = answered.get(j);
      int m = KeepAlive.negotiation(tj).keepAliveMax();
      if (m < 0) {
        continue;
      }
      int lastPos = answered.size() - 1;
      if (serverEnded && lastPos == j + m) {
        List<Long> frames =
            KeepAlive.frames(tj.responseFirstFrame(), last.responseFirstFrame(), closeFrame);
        String summary =
            "the server announced Keep-Alive max="
                + m
                + " (frame "
                + tj.responseFirstFrame()
                + ") and ended the connection after "
                + answered.size()
                + " request"
                + (answered.size() > 1 ? "s" : "")
                + (KeepAlive.negotiation(last).serverRefused()
                    ? " (Connection: close, frame " + last.responseFirstFrame() + ")"
                    : " (frame " + closeFrame + ")");
        limits.add(
            new Limit(
                c.idString(),
                last.index(),
                "max",
                m,
                answered.size(),
                serverClose >= 0 ? serverClose : last.responseLastUs(),
                frames,
                summary));
      }
      break;
    }

    // 2. server timeout
    int timeout = -1;
    Transaction announcer = null;
    for (Transaction t : answered) {
      int to = KeepAlive.negotiation(t).keepAliveTimeoutSeconds();
      if (to >= 0) {
        timeout = to;
        announcer = t;
      }
    }
    if (announcer != null
        && allAnswered
        && c.closedFirstBy() == Direction.SERVER
        && !KeepAlive.negotiation(last).serverRefused()) {
      long activity = Math.max(last.responseLastUs(), last.requestLastUs());
      long idle = serverClose - activity;
      long t = timeout * 1_000_000L;
      if (serverClose >= activity && Math.abs(idle - t) <= options.limitToleranceMicros + t / 10) {
        List<Long> frames = KeepAlive.frames(announcer.responseFirstFrame(), closeFrame);
        String summary =
            "the server announced Keep-Alive timeout="
                + timeout
                + " (frame "
                + announcer.responseFirstFrame()
                + ") and closed the idle connection after "
                + KeepAlive.s(idle)
                + " (frame "
                + closeFrame
                + ")";
        limits.add(
            new Limit(
                c.idString(),
                last.index(),
                "timeout",
                timeout,
                idle,
                serverClose,
                frames,
                summary));
      }
    }

    // 3. client past the announced timeout
    Transaction prev = null;
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() == null) {
        continue;
      }
      if (prev != null && prev.status() > 0) {
        int to = KeepAlive.negotiation(prev).keepAliveTimeoutSeconds();
        long idle = t.requestFirstUs() - prev.responseLastUs();
        if (to >= 0 && prev.responseLastUs() >= 0 && idle > to * 1_000_000L) {
          List<Long> frames = KeepAlive.frames(prev.responseFirstFrame(), t.requestFirstFrame());
          String summary =
              "the client reused the connection after "
                  + KeepAlive.s(idle)
                  + " idle, past the timeout="
                  + to
                  + " the server announced (frame "
                  + prev.responseFirstFrame()
                  + "): the server may close it at any moment";
          limits.add(
              new Limit(
                  c.idString(), t.index(), "client_past_timeout", to, idle, -1, frames, summary));
        }
      }
      prev = t;
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    limits.sort(java.util.Comparator.comparingLong(Limit::closeUs));
    java.util.Set<String> claimed = new java.util.HashSet<>(); // a new connection follows one close
    for (Limit l : limits) {
      long cost = 0;
      String next = null;
      List<Long> frames = l.frames;
      if (!l.kind.equals("client_past_timeout")) {
        HttpConnections.Conn a = index.get(l.conn);
        if (a != null) {
          for (HttpConnections.Conn o : index.samePair(a)) {
            if (o != a
                && o.startUs() >= l.closeUs - options.staleWindowMicros
                && o.startUs() - l.closeUs <= options.retryWindowMicros
                && claimed.add(o.id())) {
              cost = Math.max(0, o.handshakeUs());
              next = o.id();
              break;
            }
          }
        }
      }
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("limit", l.kind);
      d.put("announced", l.announced);
      d.put(l.kind.equals("max") ? "requests" : "idle_us", l.observedUs);
      if (next != null) {
        d.put("next_connection", next);
      }
      String summary =
          l.summary
              + (next != null
                  ? "; the client then opened " + next + " (handshake " + KeepAlive.ms(cost) + ")"
                  : "");
      if (l.kind.equals("timeout") && next == null) {
        continue; // the server did what it announced and nobody paid for it
      }
      Severity severity = SeverityRule.cost(cost, options.costWarnMicros);
      String fix =
          switch (l.kind) {
            case "max" ->
                "raise the server's per-connection request limit (Apache MaxKeepAliveRequests,"
                    + " nginx keepalive_requests) so busy clients are not forced to reconnect";
            case "timeout" ->
                "nothing, unless clients come back just after the timeout: then raise the"
                    + " server's keep-alive timeout or make clients close idle connections first";
            default ->
                "close pooled connections idle longer than the server's announced timeout"
                    + " instead of reusing them";
          };
      out.accept(
          new Finding(
              TYPE,
              severity,
              Confidence.CONFIRMED,
              l.conn,
              l.tx,
              cost,
              frames,
              KeepAlive.filter(frames),
              summary,
              fix,
              d));
    }
    limits.clear();
  }
}
