package io.connscope.http;

/**
 * Stable ids of the HTTP anomalies, counted in the global {@link io.connscope.common.Warnings}, per
 * connection ({@link HttpTracker#anomalies()}) and, when a message is concerned, on its {@link
 * Transaction#anomalies()}. Every id counts occurrences except {@link #BODY_GAP_BYTES}.
 *
 * <ul>
 *   <li>{@code http.bare_lf}: a message used bare LF line endings (counted once per message).
 *   <li>{@code http.obs_fold}: an obsolete line folding continuation line (RFC 7230 3.2.4).
 *   <li>{@code http.bad_start_line}: a request or status line that does not parse.
 *   <li>{@code http.bad_header_line}: a header line without a colon, with an invalid name, or
 *       whitespace before the first field; the line is ignored.
 *   <li>{@code http.nul_in_header}: a NUL byte in the start line or headers (once per message).
 *   <li>{@code http.start_line_too_long}, {@code http.headers_too_large}, {@code
 *       http.too_many_headers}: a {@link HttpOptions} limit was hit; the message is abandoned and
 *       the direction resynchronises.
 *   <li>{@code http.conflicting_content_length}: Content-Length values differ (RFC 7230 3.3.3 item
 *       4: unrecoverable; the direction resynchronises).
 *   <li>{@code http.bad_content_length}: a Content-Length that is not a decimal number.
 *   <li>{@code http.te_cl_conflict}: both Transfer-Encoding and Content-Length; TE wins (RFC 7230
 *       3.3.3 item 3). A classic request smuggling sign.
 *   <li>{@code http.bad_transfer_encoding}: a request whose Transfer-Encoding does not end in
 *       chunked (RFC 7230 3.3.3 item 3: length cannot be determined).
 *   <li>{@code http.bad_chunk_size}: a chunk-size line that is not hex, has more than 16 digits,
 *       exceeds 2^62 or is longer than {@code maxChunkLineBytes}.
 *   <li>{@code http.bad_chunk_delimiter}: chunk data not followed by CRLF.
 *   <li>{@code http.unmatched_response}: a response with no pending request (orphan) although the
 *       request stream was seen whole.
 *   <li>{@code http.request_not_captured}: a response whose request is not in the capture (the
 *       request stream began before the capture or lost bytes); reported as an orphan.
 *   <li>{@code http.response_not_captured}: a request whose response the client received (its ACK
 *       numbers say so) while the capture lost the response's head: the request is reported without
 *       a response, and later responses stay paired with their own requests.
 *   <li>{@code http.incomplete_message}: a message cut short by FIN, RST or the end of the capture.
 *   <li>{@code http.excessive_pipelining}: more than {@code maxPendingRequests} requests were
 *       pending; the oldest was dropped as unanswered.
 *   <li>{@code http.reversed_roles}: the side the TCP handshake made the server sends the requests
 *       (a reverse connection); the connection is parsed with the sides exchanged.
 *   <li>{@code http.desync}: a direction lost message boundaries (gap outside a body of known
 *       length, or any of the framing errors above) and waits for the next start line.
 *   <li>{@code http.body_gap_bytes}: bytes missing inside a body of known length, skipped; the
 *       count is the number of bytes.
 *   <li>{@code http.transactions_dropped}: a transaction beyond {@code maxTransactionsKept}.
 *   <li>{@code http.kept_total_full}: a final transaction no longer kept for its connection's close
 *       because {@code maxTransactionsKeptTotal} was reached (a global warning only).
 * </ul>
 */
public final class HttpAnomalies {
  public static final String BARE_LF = "http.bare_lf";
  public static final String OBS_FOLD = "http.obs_fold";
  public static final String BAD_START_LINE = "http.bad_start_line";
  public static final String BAD_HEADER_LINE = "http.bad_header_line";
  public static final String NUL_IN_HEADER = "http.nul_in_header";
  public static final String START_LINE_TOO_LONG = "http.start_line_too_long";
  public static final String HEADERS_TOO_LARGE = "http.headers_too_large";
  public static final String TOO_MANY_HEADERS = "http.too_many_headers";
  public static final String CONFLICTING_CONTENT_LENGTH = "http.conflicting_content_length";
  public static final String BAD_CONTENT_LENGTH = "http.bad_content_length";
  public static final String TE_CL_CONFLICT = "http.te_cl_conflict";
  public static final String BAD_TRANSFER_ENCODING = "http.bad_transfer_encoding";
  public static final String BAD_CHUNK_SIZE = "http.bad_chunk_size";
  public static final String BAD_CHUNK_DELIMITER = "http.bad_chunk_delimiter";
  public static final String UNMATCHED_RESPONSE = "http.unmatched_response";
  public static final String RESPONSE_NOT_CAPTURED = "http.response_not_captured";
  public static final String REQUEST_NOT_CAPTURED = "http.request_not_captured";
  public static final String INCOMPLETE_MESSAGE = "http.incomplete_message";
  public static final String EXCESSIVE_PIPELINING = "http.excessive_pipelining";
  public static final String DESYNC = "http.desync";
  public static final String REVERSED_ROLES = "http.reversed_roles";
  public static final String BODY_GAP_BYTES = "http.body_gap_bytes";
  public static final String TRANSACTIONS_DROPPED = "http.transactions_dropped";
  public static final String KEPT_TOTAL_FULL = "http.kept_total_full";

  private HttpAnomalies() {}
}
