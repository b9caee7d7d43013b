package io.connscope.http;

/**
 * Limits of the HTTP/1.x parser and tracker. Mutable; set before the first tracker is created and
 * do not change afterwards.
 *
 * <table border="1">
 * <caption>Options and defaults</caption>
 * <tr><th>Name</th><th>Default</th><th>Meaning</th></tr>
 * <tr><td>{@code maxStartLineBytes}</td><td>8192</td>
 *     <td>Longest request or status line (without CRLF). Longer: {@code http.start_line_too_long},
 *     the message is abandoned and the direction resynchronises.</td></tr>
 * <tr><td>{@code maxHeaderBytes}</td><td>65536</td>
 *     <td>Largest header field section (and trailer section), line endings included. Larger:
 *     {@code http.headers_too_large}.</td></tr>
 * <tr><td>{@code maxHeaders}</td><td>256</td>
 *     <td>Most header fields in one message. More: {@code http.too_many_headers}.</td></tr>
 * <tr><td>{@code maxPendingRequests}</td><td>100</td>
 *     <td>Requests waiting for a response (Zeek's {@code max_pending_requests}). Beyond it the
 *     oldest is dropped as unanswered and {@code http.excessive_pipelining} is counted.</td></tr>
 * <tr><td>{@code maxChunkLineBytes}</td><td>1024</td>
 *     <td>Longest chunk-size line, extensions included. Longer: {@code http.bad_chunk_size}.</td></tr>
 * <tr><td>{@code maxTransactionsKept}</td><td>1000</td>
 *     <td>Final transactions kept per connection for {@code HttpTracker.transactions()} (the most
 *     recent ones). Every transaction is handed to the tracker's listener when final; without a
 *     listener, those pushed out of the window are counted as {@code http.transactions_dropped}.</td></tr>
 * <tr><td>{@code maxTransactionsKeptTotal}</td><td>100 000</td>
 *     <td>Final transactions kept over all the open connections of one analysis beyond the last
 *     {@value HttpTracker#KEPT_ALONE} of each (about 0.45 KB each), shared fairly. Once it is
 *     reached, a connection keeping less than the total divided by the connections keeping any
 *     takes the room of the oldest kept by the connection keeping the most; any other's oldest
 *     goes as its newest comes. Each is counted as {@code http.kept_total_full} (the close-time
 *     detectors of the connection that gave one up see fewer of its transactions).</td></tr>
 * </table>
 */
public final class HttpOptions {
  private int maxStartLineBytes = 8192;
  private int maxHeaderBytes = 65536;
  private int maxHeaders = 256;
  private int maxPendingRequests = 100;
  private int maxChunkLineBytes = 1024;
  private int maxTransactionsKept = 1000;
  private long maxTransactionsKeptTotal = 100_000;

  public int maxStartLineBytes() {
    return maxStartLineBytes;
  }

  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  public int maxHeaders() {
    return maxHeaders;
  }

  public int maxPendingRequests() {
    return maxPendingRequests;
  }

  public int maxChunkLineBytes() {
    return maxChunkLineBytes;
  }

  public int maxTransactionsKept() {
    return maxTransactionsKept;
  }

  public long maxTransactionsKeptTotal() {
    return maxTransactionsKeptTotal;
  }

  public HttpOptions maxStartLineBytes(int v) {
    maxStartLineBytes = positive(v, "maxStartLineBytes");
    return this;
  }

  public HttpOptions maxHeaderBytes(int v) {
    maxHeaderBytes = positive(v, "maxHeaderBytes");
    return this;
  }

  public HttpOptions maxHeaders(int v) {
    maxHeaders = positive(v, "maxHeaders");
    return this;
  }

  public HttpOptions maxPendingRequests(int v) {
    maxPendingRequests = positive(v, "maxPendingRequests");
    return this;
  }

  public HttpOptions maxChunkLineBytes(int v) {
    maxChunkLineBytes = positive(v, "maxChunkLineBytes");
    return this;
  }

  /** May be 0: keep counters only. */
  public HttpOptions maxTransactionsKept(int v) {
    if (v < 0) {
      throw new IllegalArgumentException("maxTransactionsKept must be >= 0: " + v);
    }
    maxTransactionsKept = v;
    return this;
  }

  /** May be 0: each connection keeps its last {@value HttpTracker#KEPT_ALONE} only. */
  public HttpOptions maxTransactionsKeptTotal(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("maxTransactionsKeptTotal must be >= 0: " + v);
    }
    maxTransactionsKeptTotal = v;
    return this;
  }

  private static int positive(int v, String name) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0: " + v);
    }
    return v;
  }
}
