package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.http.HttpTracker;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import java.util.List;
import java.util.SortedMap;

/**
 * The messages of a TLS connection read without keys, for the detectors that attribute TCP
 * behaviour (Nagle, delayed ACK, slow start) to a message: the exchanges the TLS layer inferred
 * from its application data records ({@link TlsFacts#inferredExchanges()}), the client's records
 * standing for the request and the server's for the response. They stand in for HTTP transactions
 * only where no HTTP was read on the connection (no keys, a wrong key, an h2 connection): with
 * decryption of HTTP/1.x the real transactions are used.
 *
 * <p>A finding attributed to one says so: its details carry {@code inferred: true} and {@code
 * inferred_exchange} (the exchange's index, shown {@code ~N} like the exchanges themselves), its
 * text names the "inferred exchange", never a request, and its transaction is -1. An exchange is
 * inferred, not seen (a request sent while a response was arriving joins that response; h2 streams
 * merge), so a rule that needs a message's bounds (Nagle: both segments inside one message) is at
 * most suspected on one.
 */
public final class InferredExchanges {
  /** Detail key: the index of the inferred exchange a finding is about. */
  public static final String DETAIL_INDEX = Finding.INFERRED_EXCHANGE;

  /** Detail key: the finding is about an inferred exchange (true). */
  public static final String DETAIL_FLAG = "inferred";

  private InferredExchanges() {}

  /**
   * The inferred exchanges that stand for the messages of a connection: those of {@code tls} when
   * the HTTP layer read no HTTP on it ({@code http} null or not HTTP), else an empty list.
   */
  public static List<TlsFacts.Exchange> of(HttpTracker http, TlsFacts tls) {
    if (tls == null || (http != null && http.isHttp())) {
      return List.of();
    }
    return tls.inferredExchanges();
  }

  /** First frame of the exchange's records sent in direction {@code dir}, -1 for none. */
  public static long firstFrame(TlsFacts.Exchange x, int dir) {
    return dir == Direction.CLIENT ? x.requestFirstFrame() : x.responseFirstFrame();
  }

  /** Last frame of the exchange's records sent in direction {@code dir}, -1 for none. */
  public static long lastFrame(TlsFacts.Exchange x, int dir) {
    return dir == Direction.CLIENT ? x.requestLastFrame() : x.responseLastFrame();
  }

  /**
   * The exchange whose records sent in direction {@code dir} (the client's: its request; the
   * server's: its response) span {@code frame}, or null. Binary search: exchanges are in order, and
   * so are their records' frames.
   */
  public static TlsFacts.Exchange at(List<TlsFacts.Exchange> xs, int dir, long frame) {
    int lo = 0;
    int hi = xs.size() - 1;
    TlsFacts.Exchange candidate = null;
    while (lo <= hi) { // the last exchange whose first record in dir starts at or before frame
      int mid = (lo + hi) >>> 1;
      TlsFacts.Exchange x = xs.get(mid);
      long first = firstFrame(x, dir);
      if (first < 0) { // no record in dir (an exchange without response): look linearly
        return linearAt(xs, dir, frame);
      }
      if (first <= frame) {
        candidate = x;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return candidate != null && frame <= lastFrame(candidate, dir) ? candidate : null;
  }

  private static TlsFacts.Exchange linearAt(List<TlsFacts.Exchange> xs, int dir, long frame) {
    for (TlsFacts.Exchange x : xs) {
      long first = firstFrame(x, dir);
      if (first >= 0 && first <= frame && frame <= lastFrame(x, dir)) {
        return x;
      }
    }
    return null;
  }

  /** "inferred exchange ~N". */
  public static String name(TlsFacts.Exchange x) {
    return "inferred exchange ~" + x.index();
  }

  /** Marks a finding's details as about the inferred exchange {@code x}. */
  public static void mark(SortedMap<String, Object> details, TlsFacts.Exchange x) {
    details.put(DETAIL_FLAG, true);
    details.put(DETAIL_INDEX, x.index());
  }
}
