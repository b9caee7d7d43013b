package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.http.Framing;
import io.connscope.http.Headers;
import io.connscope.http.HttpTracker;
import io.connscope.http.HttpView;
import io.connscope.http.Transaction;
import io.connscope.result.ConnectionResult;
import io.connscope.tcp.Connection;
import io.connscope.tcp.HalfView;
import java.util.List;
import java.util.Locale;

/**
 * The keep-alive negotiation of each transaction and how each connection ended, read from the
 * headers and the TCP close (RFC 7230 6.1-6.3, RFC 2068 19.7.1 for HTTP/1.0 Keep-Alive). Shared by
 * the keep-alive detectors and written into the JSON report.
 *
 * <p>Per transaction, what the client asked ({@code client_asked}):
 *
 * <ul>
 *   <li>{@code close}: {@code Connection: close} (any version);
 *   <li>{@code keep_alive}: a {@code keep-alive} token in {@code Connection};
 *   <li>{@code default}: HTTP/1.1 or later without either (persistent by default, RFC 7230 6.3);
 *   <li>{@code none}: HTTP/1.0 without either (the connection closes after the response).
 * </ul>
 *
 * {@code Proxy-Connection} is reported apart: only proxies read it (RFC 7230 A.1.2). What the
 * server answered ({@code server_answered}) takes the same values for the response, with {@code
 * keep_alive} meaning it echoed the token; {@code Keep-Alive: timeout=, max=} are parsed. The
 * transaction leaves the connection {@code persistent} when neither side said close, the response
 * body did not end with the close, and either the response is HTTP/1.1 to an HTTP/1.1 request (or
 * to one asking keep-alive) or an HTTP/1.0 response echoed the keep-alive a client asked for.
 */
public final class KeepAlive {
  private KeepAlive() {}

  /** The client asked (or defaulted to) a persistent connection. */
  public static final String KEEP_ALIVE = "keep_alive";

  public static final String DEFAULT = "default";
  public static final String CLOSE = "close";
  public static final String NONE = "none";

  /**
   * One transaction's negotiation.
   *
   * @param clientAsked {@code keep_alive}, {@code default}, {@code close}, {@code none}; null for
   *     an orphan response
   * @param proxyConnection the request's Proxy-Connection value, or null
   * @param serverAnswered {@code keep_alive}, {@code default}, {@code close}, {@code none}; null
   *     when no final response was seen
   * @param keepAliveMax the response's {@code Keep-Alive: max=}, -1 when absent
   * @param keepAliveTimeoutSeconds the response's {@code Keep-Alive: timeout=}, -1 when absent
   * @param persistent the connection may carry another request after this transaction
   * @param transaction the transaction negotiated (the cache's key)
   */
  public record Negotiation(
      String clientAsked,
      String proxyConnection,
      String serverAnswered,
      int keepAliveMax,
      int keepAliveTimeoutSeconds,
      boolean persistent,
      Transaction transaction) {

    /** The client wanted the connection to stay open (also when only via Proxy-Connection). */
    public boolean clientWants() {
      return KEEP_ALIVE.equals(clientAsked)
          || DEFAULT.equals(clientAsked)
          || (NONE.equals(clientAsked) && hasToken(proxyConnection, "keep-alive"));
    }

    /** The server's answer rules out another request: close, or HTTP/1.0 without keep-alive. */
    public boolean serverRefused() {
      return CLOSE.equals(serverAnswered) || NONE.equals(serverAnswered);
    }
  }

  /**
   * The last {@link #negotiation} made: detectors (keep-alive refused, not requested, limit) and
   * the result model ask for the same transaction in turn, each computed it anew (header scans and
   * a record each). A racy single-entry cache: a {@code Negotiation} is immutable (its fields are
   * final, so another thread sees them whole) and a transaction's negotiation never changes once it
   * is final, so a stale or another thread's entry only misses.
   */
  private static Negotiation last;

  /** The negotiation of {@code t} (a final transaction: it is cached by identity). */
  public static Negotiation negotiation(Transaction t) {
    Negotiation n = last;
    if (n != null && n.transaction == t) {
      return n;
    }
    n = negotiate(t);
    last = n;
    return n;
  }

  /** {@link #negotiation} computed, not cached. */
  static Negotiation negotiate(Transaction t) {
    String asked = null;
    String proxy = null;
    if (t.method() != null) {
      Headers h = t.requestHeaders();
      asked = asked(h, t.requestVersion());
      proxy = h.get("proxy-connection");
    }
    String answered = null;
    int max = -1;
    int timeout = -1;
    if (t.status() > 0) {
      Headers h = t.responseHeaders();
      answered = asked(h, t.responseVersion());
      String ka = h.get("keep-alive");
      max = param(ka, "max");
      timeout = param(ka, "timeout");
    }
    boolean persistent =
        asked != null
            && !CLOSE.equals(asked)
            && !CLOSE.equals(answered)
            && t.responseFraming() != Framing.CLOSE
            && t.responseFraming() != Framing.TUNNEL
            && (KEEP_ALIVE.equals(answered) || DEFAULT.equals(answered) && !NONE.equals(asked));
    return new Negotiation(asked, proxy, answered, max, timeout, persistent, t);
  }

  private static String asked(Headers h, String version) {
    // one indexed scan of the kept fields: this runs for every message, getAll would allocate;
    // "close" in any Connection field wins over "keep-alive" in any
    String keepAlive = null;
    for (int i = 0; i < h.size(); i++) {
      if (h.nameIs(i, "connection")) {
        String v = h.value(i);
        if (hasToken(v, "close")) {
          return CLOSE;
        }
        if (keepAlive == null && hasToken(v, "keep-alive")) {
          keepAlive = KEEP_ALIVE;
        }
      }
    }
    return keepAlive != null ? keepAlive : is11(version) ? DEFAULT : NONE;
  }

  /**
   * The first request of an HTTP connection that is no tunnel (a CONNECT or Upgrade tunnel is not
   * meant to carry more requests), when the tracker still keeps it; null otherwise, also when a
   * long connection's first transactions were already released.
   */
  public static Transaction firstRequest(HttpView http) {
    if (http == null || !http.isHttp() || http.tunnel()) {
      return null;
    }
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() != null) {
        return t.index() == 0 ? t : null;
      }
    }
    return null;
  }

  /** HTTP/1.1 or later (RFC 7230 2.6: a higher minor version is compatible). */
  public static boolean is11(String version) {
    return version != null
        && version.length() == 8
        && version.startsWith("HTTP/")
        && (version.charAt(5) > '1' || version.charAt(5) == '1' && version.charAt(7) >= '1');
  }

  /** {@code token} in a comma-separated header value, ignoring case. */
  public static boolean hasToken(String value, String token) {
    if (value == null) {
      return false;
    }
    // a scan of the comma-separated list without splitting it (this runs for every transaction)
    int n = value.length();
    int start = 0;
    while (start <= n) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? n : comma;
      int a = start;
      int b = end;
      while (a < b && value.charAt(a) <= ' ') {
        a++;
      }
      while (b > a && value.charAt(b - 1) <= ' ') {
        b--;
      }
      if (b - a == token.length() && value.regionMatches(true, a, token, 0, token.length())) {
        return true;
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    return false;
  }

  /** {@code name=N} in a Keep-Alive value (RFC 2068 19.7.1.1), -1 when absent or not a number. */
  static int param(String value, String name) {
    if (value == null) {
      return -1;
    }
    for (String part : value.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.startsWith(name) && p.length() > name.length()) {
        String rest = p.substring(name.length()).trim();
        if (rest.startsWith("=")) {
          rest = rest.substring(1).trim();
          if (!rest.isEmpty() && rest.length() <= 9 && rest.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(rest);
          }
          return -1;
        }
      }
    }
    return -1;
  }

  /** A Content-Length value as a number (digits only, at most 18), -1 otherwise. */
  public static long contentLength(String value) {
    if (value == null) {
      return -1;
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return -1;
    }
    return Long.parseLong(v);
  }

  /**
   * How {@code c} ended, with its HTTP transactions ({@code http} may be null): the result model's
   * record itself (nothing else reads it), made once per connection.
   */
  public static ConnectionResult.KeepAliveEnding ending(Connection c, HttpTracker http) {
    int requests = 0;
    int closedAfter = -1;
    long lastBefore = -1;
    int by = c.closedFirstBy();
    long closeUs = by < 0 ? -1 : closeMicros(c.half(by));
    long closeFrame = by < 0 ? -1 : closeFrame(c.half(by));
    String kind = by < 0 ? "none" : closeKind(c.half(by));
    long end = closeUs >= 0 ? closeUs : c.lastTsMicros();
    if (http != null) {
      List<Transaction> txs = http.transactions();
      for (int i = 0; i < txs.size(); i++) {
        Transaction t = txs.get(i);
        if (t.method() != null) {
          requests++;
        }
        if (t.responseLastUs() >= 0 && t.responseLastUs() <= end) {
          closedAfter = Math.max(closedAfter, t.index());
        }
        lastBefore = Math.max(lastBefore, before(t.requestLastUs(), end));
        lastBefore = Math.max(lastBefore, before(t.responseLastUs(), end));
      }
    }
    if (http != null) {
      requests +=
          (int) Math.max(0, http.transactionCount() - http.transactions().size()); // no longer kept
    }
    long idle = closeUs >= 0 && lastBefore >= 0 ? closeUs - lastBefore : -1;
    return new ConnectionResult.KeepAliveEnding(
        requests,
        requests > 1,
        by == Direction.CLIENT ? "client" : by == Direction.SERVER ? "server" : null,
        kind,
        closeFrame,
        closeUs,
        closedAfter,
        idle);
  }

  private static long before(long us, long end) {
    return us >= 0 && us <= end ? us : -1;
  }

  /** First FIN or RST time of one side, -1 when it sent neither. */
  public static long closeMicros(HalfView h) {
    long f = h.finTs();
    long r = h.rstTs();
    return f < 0 ? r : r < 0 ? f : Math.min(f, r);
  }

  /** Frame of that first FIN or RST, -1 when none. */
  public static long closeFrame(HalfView h) {
    long f = h.finTs();
    long r = h.rstTs();
    if (f < 0) {
      return r < 0 ? -1 : h.rstFrame();
    }
    return r >= 0 && r < f ? h.rstFrame() : h.finFrame();
  }

  /** "fin" or "rst" for one side's first close, null when none. */
  public static String closeKind(HalfView h) {
    long f = h.finTs();
    long r = h.rstTs();
    if (f < 0 && r < 0) {
      return null;
    }
    return f < 0 || (r >= 0 && r < f) ? "rst" : "fin";
  }

  /** The path of a request target: absolute-form loses its scheme and authority. */
  static String path(String uri) {
    if (uri == null) {
      return null;
    }
    if (!absoluteForm(uri)) {
      return uri;
    }
    int slash = uri.indexOf('/', uri.indexOf("://") + 3);
    return slash < 0 ? "/" : uri.substring(slash);
  }

  /** Absolute-form request target (RFC 7230 5.3.2): what clients send to a forward proxy. */
  public static boolean absoluteForm(String uri) {
    return uri != null
        && (uri.regionMatches(true, 0, "http://", 0, 7)
            || uri.regionMatches(true, 0, "https://", 0, 8));
  }

  /** RFC 7231 4.2.2. */
  public static boolean idempotent(String method) {
    return method != null
        && switch (method) {
          case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
          default -> false;
        };
  }

  /** "frame.number in {a b c}" over the frames given (ascending, without -1). */
  public static String filter(List<Long> frames) {
    StringBuilder sb = new StringBuilder("frame.number in {");
    boolean first = true;
    for (long f : frames) {
      sb.append(first ? "" : " ").append(f);
      first = false;
    }
    return sb.append('}').toString();
  }

  /** Sorted, distinct, positive frames. */
  public static List<Long> frames(long... fs) {
    return java.util.Arrays.stream(fs).filter(f -> f > 0).distinct().sorted().boxed().toList();
  }

  /** {@link #frames(long...)} of some single frames and an array of more. */
  public static List<Long> frames(long a, long b, long c, long[] more) {
    long[] all = java.util.Arrays.copyOf(more, more.length + 3);
    all[more.length] = a;
    all[more.length + 1] = b;
    all[more.length + 2] = c;
    return frames(all);
  }

  /** "client" or "server", for finding texts. */
  public static String side(int dir) {
    return dir == Direction.CLIENT ? "client" : "server";
  }

  /** A duration for finding texts: µs below 1 ms, else ms (Locale.ROOT). */
  public static String ms(long micros) {
    return micros < 1000
        ? micros + " µs"
        : String.format(Locale.ROOT, micros < 10_000 ? "%.2f ms" : "%.1f ms", micros / 1000.0);
  }

  /** A lower-case header name as usually written: "proxy-connection" to "Proxy-Connection". */
  public static String headerName(String lower) {
    StringBuilder sb = new StringBuilder(lower.length());
    boolean up = true;
    for (char ch : lower.toCharArray()) {
      sb.append(up ? Character.toUpperCase(ch) : ch);
      up = ch == '-';
    }
    return sb.toString();
  }

  /** A duration in seconds, two decimals (Locale.ROOT), for finding texts. */
  public static String s(long micros) {
    return String.format(Locale.ROOT, "%.2f s", micros / 1_000_000.0);
  }
}
