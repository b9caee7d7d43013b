package io.connscope.detect;

/*
 * tcp.slow_start
 *
 * Rule: per response, count the round trips (flights) the server needed to send it: its new
 * data segments split wherever it paused for more than a quarter of the round trip (at least 1 ms; see
 * Flights). In slow start the bytes per flight about double (RFC 5681 §3.1), so a response of n
 * initial windows needs about log2(n) + 1 flights on a new connection and fewer once the window
 * has grown. Two cases:
 *   - new connection: the first response of a connection whose handshake was seen took at
 *     least 2 flights and its flights grew (each but the last at least as large as the one
 *     before, the second larger than the first). The flights counted are at most those slow
 *     start from the first flight's size needs (first x (2^k - 1) >= size): more means
 *     something else (receive window, a slow application) held the rest. It is compared
 *     with a later response on the same connection at least half as large (warm): the extra
 *     flights are measured (confirmed); without one, a warm connection is assumed to send it in
 *     one flight (suspected);
 *   - restart after idle: a later response on a kept-alive connection, sent after the server had
 *     been idle for at least max(200 ms, 2 round trips) (RFC 5681 §4.1 / Linux
 *     tcp_slow_start_after_idle), took more flights than an earlier response at least 80 % as
 *     large on the same connection.
 * Cost: extra flights x round trip (handshake SYN->SYN/ACK->ACK at the capture point, else the
 * data round trip); reported from slowStartMinCostMicros (10 ms) per response, so loopback
 * (round trips of microseconds) never is.
 * Confidence lowered to suspected when the connection lost data in the capture.
 * Inferred exchanges: on a TLS connection where no HTTP was read (no keys, an h2 connection) the
 * responses are the server's records of each exchange inferred from them (InferredExchanges); the
 * finding names the inferred exchange, is marked inferred in its details and is suspected.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.Flights;
import io.connscope.detect.facts.InferredExchanges;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports responses that paid extra round trips to TCP slow start. */
public final class SlowStartDetector implements Detector {
  public static final String TYPE = "tcp.slow_start";
  static final long RESTART_MIN_IDLE_MICROS = 200_000;

  private final DetectOptions options;
  private final long[] bytes = new long[Flights.MAX_SIZED];
  private final int[] idx = new int[Flights.MAX_SIZED];

  public SlowStartDetector(DetectOptions options) {
    this.options = options;
  }

  /** The TLS facts of the connection being closed ({@link #tls} comes just before its close). */
  private Connection tlsOf;

  private TlsFacts tlsFacts;

  /**
   * One response: its transaction's index and description, or (on a TLS connection without HTTP)
   * the inferred exchange it stands for ({@code inferred} non-null), with its flights.
   */
  private record Response(
      int index,
      String what,
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
    if (isHttp) {
      for (Transaction tx : http.transactions()) {
        String what =
            "response "
                + tx.status()
                + " to "
                + (tx.method() == null ? "-" : tx.method())
                + " "
                + (tx.uri() == null ? "-" : tx.uri());
        add(rs, t, rtt, tx.index(), what, null, tx.responseFirstFrame(), tx.responseLastFrame());
      }
    } else {
      for (TlsFacts.Exchange x : inferred) {
        String what =
            "the response records of "
                + InferredExchanges.name(x)
                + " (from the TLS records' timing: no HTTP message was read)";
        add(rs, t, rtt, x.index(), what, x, x.responseFirstFrame(), x.responseLastFrame());
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
      String what,
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
    rs.add(new Response(index, what, inferred, f, size, fb, idx[0], last, idle));
  }

  /** Judges the responses of one connection, in order. */
  private void judge(
      Connection c, SegmentTimeline t, List<Response> rs, long rtt, Consumer<Finding> out) {
    boolean lossy = c.half(Direction.CLIENT).gaps() + c.half(Direction.SERVER).gaps() > 0;
    for (int k = 0; k < rs.size(); k++) {
      Response r = rs.get(k);
      if (k == 0 && r.index == 0 && c.synFrame() >= 0) {
        if (r.flights < 2 || r.flightBytes.length < 2 || !growing(r.flightBytes)) {
          continue;
        }
        int model = 1;
        while (model < 31 && r.flightBytes[0] * ((1L << model) - 1) < r.size) {
          model++;
        }
        Response warm = null;
        for (int j = 1; j < rs.size(); j++) {
          Response w = rs.get(j);
          if (w.size * 2 >= r.size
              && w.flights < r.flights
              && (warm == null || w.flights < warm.flights)) {
            warm = w;
          }
        }
        int warmFlights = warm == null ? 1 : warm.flights;
        long cost = (long) (Math.min(r.flights, model) - warmFlights) * rtt;
        if (cost >= options.slowStartMinCostMicros) {
          out.accept(
              finding(
                  c, t, r, warm, warmFlights, cost, rtt, "new_connection", warm != null && !lossy));
        }
      } else if (k > 0 && r.idleBefore >= Math.max(RESTART_MIN_IDLE_MICROS, 2 * rtt)) {
        Response ref = null;
        for (int j = 0; j < k; j++) {
          Response w = rs.get(j);
          if (w.size * 5 >= r.size * 4
              && w.flights < r.flights
              && (ref == null || w.flights < ref.flights)) {
            ref = w;
          }
        }
        if (ref == null) {
          continue;
        }
        long cost = (long) (r.flights - ref.flights) * rtt;
        if (cost >= options.slowStartMinCostMicros) {
          out.accept(finding(c, t, r, ref, ref.flights, cost, rtt, "restart_after_idle", !lossy));
        }
      }
    }
  }

  /** Slow-start growth: the second flight larger than the first, none but the last shrinking. */
  static boolean growing(long[] flights) {
    if (flights[1] <= flights[0]) {
      return false;
    }
    for (int i = 1; i < flights.length - 1; i++) {
      if (flights[i] < flights[i - 1]) {
        return false;
      }
    }
    return true;
  }

  private static Finding finding(
      Connection c,
      SegmentTimeline t,
      Response r,
      Response ref,
      int refFlights,
      long cost,
      long rtt,
      String kind,
      boolean confirmed) {
    TreeMap<String, Object> d = new TreeMap<>();
    if (r.inferred != null) {
      InferredExchanges.mark(d, r.inferred);
      confirmed = false; // the response's bounds are inferred
    }
    d.put("kind", kind);
    d.put("response_bytes", r.size);
    d.put("flights", r.flights);
    List<Long> fb = new ArrayList<>();
    for (long b : r.flightBytes) {
      fb.add(b);
    }
    d.put("flight_bytes", fb);
    d.put("reference_flights", refFlights);
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
    String what = r.what;
    String compared =
        ref != null
            ? String.format(
                Locale.ROOT,
                "%s%d (%d bytes) on the same connection needed %d",
                ref.inferred != null ? "inferred exchange ~" : "transaction #",
                ref.index,
                ref.size,
                ref.flights)
            : "a warm connection would send it in about 1 (assumed: its window holds the response)";
    String summary =
        "new_connection".equals(kind)
            ? String.format(
                Locale.ROOT,
                "%s (%d bytes) on a new connection took %d round trips of"
                    + " %.1f ms (flights of %s bytes) as the congestion window grew; %s: %.1f ms lost to"
                    + " slow start",
                what,
                r.size,
                r.flights,
                rtt / 1000.0,
                fb,
                compared,
                cost / 1000.0)
            : String.format(
                Locale.ROOT,
                "%s (%d bytes) after %.1f ms idle took %d round trips (flights"
                    + " of %s bytes); %s: the window restarted from slow start after idle, %.1f ms lost",
                what,
                r.size,
                r.idleBefore / 1000.0,
                r.flights,
                fb,
                compared,
                cost / 1000.0);
    String fix =
        "new_connection".equals(kind)
            ? "reuse warm connections (keep-alive, a connection pool) for large responses; a larger"
                + " initial congestion window on the server (ip route ... initcwnd) also helps"
            : "disable slow start after idle on the server (sysctl net.ipv4.tcp_slow_start_after_idle=0)"
                + " or keep the connection busy";
    List<Long> frames = List.of(t.frame(r.first), t.frame(r.last));
    return new Finding(
        SlowStartDetector.TYPE,
        Severity.WARNING,
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
