package io.connscope.detect;

/*
 * tcp.slow_start
 *
 * Rule: per response, count the round trips (flights) the server needed to send it: its new
 * data segments split wherever it paused for more than a quarter of the round trip (at least 1 ms;
 * see Flights). In slow start the bytes per flight about double (RFC 5681 §3.1) from the initial
 * window (RFC 6928: 10 segments), so a response of S bytes needs the smallest n with
 * IW x (2^n - 1) >= S flights from a cold window, where a warm window W needs ceil(S / W). Each
 * response is judged on its own flight structure; a comparable response on the same connection,
 * when there is one, only replaces the estimate of the warm round trips by a measurement.
 *   - new connection: the first response of a connection whose handshake was seen took at
 *     least 2 flights and its flights grew (the second larger than the first, none but the last
 *     smaller than the one before). The flights counted are at most those slow start from the
 *     first flight's size needs (first x (2^k - 1) >= size): more means something else (receive
 *     window, a slow application) held the rest.
 *   - restart after idle: a later response sent after the server had been idle longer than the
 *     retransmission timeout (at least the round trip plus Linux's 200 ms minimum RTO; RFC 5681
 *     §4.1, Linux tcp_slow_start_after_idle), whose flights grew from a first flight of at most
 *     the initial window (initialWindowSegments x MSS, plus one segment) although an earlier flight
 *     on the connection was larger than that: the window was reset to the initial window.
 * Warm round trips: those of a later (new connection) or earlier (restart) response on the same
 * connection at least half (restart: 80 %) as large that took fewer flights (measured); else,
 * new connection: ceil(S / the client's largest advertised receive window) when the window scale
 * is known (what a window grown to the receive window needs), restart: ceil(S / the largest
 * flight before the idle) (the window it had); else 1 (assumed).
 * Cost: (counted flights - warm round trips) x round trip (handshake SYN->SYN/ACK->ACK at the
 * capture point, else the data round trip): each extra round trip costs one round trip. Reported
 * from slowStartMinCostMicros (10 ms) per response, so loopback (round trips of microseconds)
 * never is.
 * Confidence: confirmed when the warm round trips were measured, or when the flights match the
 * initial-window model (first flight within one segment of 10 segments and as many flights as it
 * predicts) and the warm round trips come from an observed window; suspected otherwise, and when
 * the connection lost data in the capture.
 * Severity (SeverityRule): warning from slowStartMinCostMicros, which every finding meets.
 * Inferred exchanges: on a TLS connection where no HTTP was read (no keys, an h2 connection) the
 * responses are the server's records of each exchange inferred from them (InferredExchanges); the
 * finding names the inferred exchange, is marked inferred in its details and is suspected.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.Flights;
import io.connscope.detect.facts.InferredExchanges;
import io.connscope.detect.facts.ReceiveWindow;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports responses that paid extra round trips to TCP slow start. */
public final class SlowStartDetector implements ConnectionDetector {
  public static final String TYPE = "tcp.slow_start";

  private final DetectOptions options;
  private final long[] bytes = new long[Flights.MAX_SIZED];
  private final int[] idx = new int[Flights.MAX_SIZED];

  public SlowStartDetector(DetectOptions options) {
    this.options = options;
  }

  /** The TLS facts of the connection being closed ({@link #tls} comes just before its close). */
  private Connection tlsOf;

  private TlsFacts tlsFacts;

  /** The server's largest data segment on the connection being judged: its MSS as sent. */
  private int mss;

  /**
   * One response: its transaction's index and the transaction, or (on a TLS connection without
   * HTTP) the inferred exchange it stands for ({@code inferred} non-null), with its flights.
   */
  private record Response(
      int index,
      Transaction tx,
      TlsFacts.Exchange inferred,
      int flights,
      long size,
      long[] flightBytes,
      int first,
      int last,
      long idleBefore) {}

  @Override
  public void tls(Connection c, TlsFacts tls, Consumer<Finding> out) {
    tlsOf = c;
    tlsFacts = tls;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    TlsFacts tls = tlsOf == c ? tlsFacts : null;
    tlsOf = null;
    tlsFacts = null;
    long rtt = Flights.rtt(c);
    List<TlsFacts.Exchange> inferred = InferredExchanges.of(http, tls);
    boolean isHttp = http != null && http.isHttp();
    if ((!isHttp && inferred.isEmpty()) || rtt <= 0) {
      return;
    }
    SegmentTimeline t = c.timeline();
    List<Response> rs = new ArrayList<>();
    mss = 0;
    if (isHttp) {
      for (int txi = 0, txn = http.transactions().size(); txi < txn; txi++) {
        Transaction tx = http.transactions().get(txi);
        add(rs, t, rtt, tx.index(), tx, null, tx.responseFirstFrame(), tx.responseLastFrame());
      }
    } else {
      for (TlsFacts.Exchange x : inferred) {
        add(rs, t, rtt, x.index(), null, x, x.responseFirstFrame(), x.responseLastFrame());
      }
    }
    judge(c, t, rs, rtt, out);
  }

  /** Adds the response sent from {@code firstFrame} to {@code lastFrame} with its flights. */
  private void add(
      List<Response> rs,
      SegmentTimeline t,
      long rtt,
      int index,
      Transaction tx,
      TlsFacts.Exchange inferred,
      long firstFrame,
      long lastFrame) {
    if (firstFrame < 0 || lastFrame < 0) {
      return;
    }
    int f = Flights.count(t, Direction.SERVER, firstFrame, lastFrame, rtt, bytes, idx);
    if (f == 0) {
      return;
    }
    long size = 0;
    int last = idx[0];
    for (int i = idx[0]; i < t.size() && t.frame(i) <= lastFrame; i++) {
      if (t.dir(i) == Direction.SERVER && t.len(i) > 0 && !t.isRetransmission(i)) {
        size += t.len(i);
        last = i;
        mss = Math.max(mss, t.len(i));
      }
    }
    long idle = -1;
    for (int i = idx[0] - 1; i >= 0; i--) {
      if (t.dir(i) == Direction.SERVER && t.len(i) > 0) {
        idle = t.ts(idx[0]) - t.ts(i);
        break;
      }
    }
    long[] fb = java.util.Arrays.copyOf(bytes, Math.min(f, Flights.MAX_SIZED));
    rs.add(new Response(index, tx, inferred, f, size, fb, idx[0], last, idle));
  }

  /** Judges the responses of one connection, in order. */
  private void judge(
      Connection c, SegmentTimeline t, List<Response> rs, long rtt, Consumer<Finding> out) {
    boolean lossy = c.half(Direction.CLIENT).gaps() + c.half(Direction.SERVER).gaps() > 0;
    long iw = (long) options.initialWindowSegments * mss;
    long receiveWindow =
        ReceiveWindow.scaleKnown(c, Direction.SERVER) ? c.half(Direction.CLIENT).maxWindow() : -1;
    long windowBefore = 0; // the largest flight of the responses before the one judged
    for (int k = 0; k < rs.size(); k++) {
      Response r = rs.get(k);
      long before = windowBefore;
      for (long b : r.flightBytes) {
        windowBefore = Math.max(windowBefore, b);
      }
      if (r.flights < 2 || r.flightBytes.length < 2 || !Flights.growing(r.flightBytes)) {
        continue;
      }
      boolean cold = k == 0 && r.index == 0 && c.synFrame() >= 0;
      long first = r.flightBytes[0];
      boolean restart =
          !cold
              && k > 0
              && r.idleBefore > rtt + Flights.RTO_MIN_MICROS
              && first <= iw + mss
              && before > first + mss;
      if (!cold && !restart) {
        continue;
      }
      int model = flightsFrom(first, r.size);
      int predicted = flightsFrom(iw, r.size);
      Response ref = null;
      for (int j = cold ? 1 : 0; j < (cold ? rs.size() : k); j++) {
        Response w = rs.get(j);
        boolean comparable = cold ? w.size * 2 >= r.size : w.size * 5 >= r.size * 4;
        if (comparable && w.flights < r.flights && (ref == null || w.flights < ref.flights)) {
          ref = w;
        }
      }
      long warmWindow = cold ? receiveWindow : before;
      int warm;
      String warmFrom;
      if (ref != null) {
        warm = ref.flights;
        warmFrom = "transaction";
      } else if (warmWindow > 0) {
        warm = (int) Math.max(1, Math.min(r.flights, (r.size + warmWindow - 1) / warmWindow));
        warmFrom = cold ? "receive_window" : "window_before_idle";
      } else {
        warm = 1;
        warmFrom = "assumed";
      }
      int counted = Math.min(r.flights, model);
      long cost = (long) (counted - warm) * rtt;
      if (cost < options.slowStartMinCostMicros) {
        continue;
      }
      boolean matchesModel = Math.abs(first - iw) <= mss && r.flights == predicted;
      boolean confirmed =
          r.inferred == null // the response's bounds are inferred
              && !lossy
              && (ref != null || (!"assumed".equals(warmFrom) && (restart || matchesModel)));
      Model m =
          new Model(
              iw, predicted, matchesModel, warm, warmFrom, warmWindow, counted - warm, before);
      out.accept(
          finding(
              c,
              t,
              r,
              ref,
              m,
              cost,
              rtt,
              cold ? "new_connection" : "restart_after_idle",
              confirmed));
    }
  }

  /** What the finding calls response {@code r}: built only for a response that is reported. */
  private static String what(Response r) {
    if (r.inferred != null) {
      return "the response records of "
          + InferredExchanges.name(r.inferred)
          + " (from the TLS records' timing: no HTTP message was read)";
    }
    Transaction tx = r.tx;
    return "response "
        + tx.status()
        + " to "
        + (tx.method() == null ? "-" : tx.method())
        + " "
        + (tx.uri() == null ? "-" : tx.uri());
  }

  /** Flights slow start from a first flight of {@code first} bytes needs for {@code size}. */
  static int flightsFrom(long first, long size) {
    int n = 1;
    while (n < 31 && first * ((1L << n) - 1) < size) {
      n++;
    }
    return n;
  }

  /**
   * What a response was judged against: the initial window and the flights it predicts, the warm
   * round trips and where they come from, the extra round trips, the window before an idle.
   */
  private record Model(
      long iw,
      int predicted,
      boolean matches,
      int warm,
      String warmFrom,
      long warmWindow,
      int extra,
      long windowBefore) {}

  private Finding finding(
      Connection c,
      SegmentTimeline t,
      Response r,
      Response ref,
      Model m,
      long cost,
      long rtt,
      String kind,
      boolean confirmed) {
    TreeMap<String, Object> d = new TreeMap<>();
    if (r.inferred != null) {
      InferredExchanges.mark(d, r.inferred);
    }
    d.put("kind", kind);
    d.put("response_bytes", r.size);
    d.put("flights", r.flights);
    List<Long> fb = new ArrayList<>();
    for (long b : r.flightBytes) {
      fb.add(b);
    }
    d.put("flight_bytes", fb);
    d.put("initial_window_bytes", m.iw);
    d.put("initial_window_segments", options.initialWindowSegments);
    d.put("predicted_flights", m.predicted);
    d.put("reference_flights", m.warm);
    d.put("warm_from", m.warmFrom);
    if (m.warmWindow > 0 && ref == null) {
      d.put("warm_window_bytes", m.warmWindow);
    }
    d.put("extra_round_trips", m.extra);
    if (ref != null) {
      d.put(
          ref.inferred != null ? "reference_inferred_exchange" : "reference_transaction",
          ref.index);
      d.put("reference_bytes", ref.size);
    }
    d.put("rtt_us", rtt);
    if (r.idleBefore >= 0) {
      d.put("idle_before_us", r.idleBefore);
    }
    String what = what(r);
    String warm =
        switch (m.warmFrom) {
          case "transaction" ->
              String.format(
                  Locale.ROOT,
                  "%s%d (%d bytes) on the same connection needed %d",
                  ref.inferred != null ? "inferred exchange ~" : "transaction #",
                  ref.index,
                  ref.size,
                  ref.flights);
          case "receive_window" ->
              String.format(
                  Locale.ROOT,
                  "a warm connection, its window grown to the client's %d-byte receive window,"
                      + " would send it in %d",
                  m.warmWindow,
                  m.warm);
          case "window_before_idle" ->
              String.format(
                  Locale.ROOT,
                  "with the %d-byte window it had before the idle it would have taken %d",
                  m.warmWindow,
                  m.warm);
          default -> "a warm connection would send it in about 1 (assumed: its window holds it)";
        };
    String model =
        String.format(
            Locale.ROOT,
            "slow start from an initial window of %d segments (%d bytes) predicts %d%s",
            options.initialWindowSegments,
            m.iw,
            m.predicted,
            m.matches ? ", as seen" : "");
    String extra =
        String.format(
            Locale.ROOT,
            "%d extra round trip%s of %.1f ms each, %.1f ms lost",
            m.extra,
            m.extra == 1 ? "" : "s",
            rtt / 1000.0,
            cost / 1000.0);
    String summary =
        "new_connection".equals(kind)
            ? String.format(
                Locale.ROOT,
                "%s (%d bytes) on a new connection took %d round trips of %.1f ms (flights of %s"
                    + " bytes) as the congestion window grew; %s; %s: %s to slow start",
                what,
                r.size,
                r.flights,
                rtt / 1000.0,
                fb,
                model,
                warm,
                extra)
            : String.format(
                Locale.ROOT,
                "%s (%d bytes) after %.1f ms idle (longer than the retransmission timeout) took %d"
                    + " round trips (flights of %s bytes): the window restarted from %d bytes"
                    + " although a flight of %d bytes had gone before the idle (slow start after"
                    + " idle, RFC 5681 4.1); %s: %s",
                what,
                r.size,
                r.idleBefore / 1000.0,
                r.flights,
                fb,
                r.flightBytes[0],
                m.windowBefore,
                warm,
                extra);
    String fix =
        "new_connection".equals(kind)
            ? "reuse warm connections (keep-alive, a connection pool) for large responses; a larger"
                + " initial congestion window on the server (ip route ... initcwnd) also helps"
            : "disable slow start after idle on the server (sysctl net.ipv4.tcp_slow_start_after_idle=0)"
                + " or keep the connection busy";
    List<Long> frames = List.of(t.frame(r.first), t.frame(r.last));
    return new Finding(
        SlowStartDetector.TYPE,
        SeverityRule.cost(cost, options.slowStartMinCostMicros),
        confirmed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        r.inferred != null ? -1 : r.index,
        cost,
        frames.get(0).equals(frames.get(1)) ? List.of(frames.get(0)) : frames,
        "tcp.srcport == "
            + c.serverPort()
            + " && tcp.dstport == "
            + c.clientPort()
            + " && frame.number >= "
            + t.frame(r.first)
            + " && frame.number <= "
            + t.frame(r.last),
        summary,
        fix,
        d);
  }
}
