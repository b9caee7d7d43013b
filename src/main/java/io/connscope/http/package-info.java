/**
 * HTTP layer: an incremental HTTP/1.x parser per direction (an explicit state machine with limits)
 * and a per-connection tracker that pairs responses to requests in order.
 *
 * <p>Contract: an {@link io.connscope.http.HttpTracker} is a {@link
 * io.connscope.tcp.StreamListener} for one connection. It recognises HTTP by content on any port,
 * per direction, losing no byte (a direction picked up mid-stream is scanned for its next start
 * line), survives gaps (skipped inside a body of known length, otherwise resynchronised at the next
 * start line), pairs responses with requests in order checked against the ACK numbers ({@code
 * StreamControl.dataAck}: a response lost in a gap costs its own transaction only), handles HEAD,
 * 1xx, 204/304, CONNECT and Upgrade, and hands each {@link io.connscope.http.Transaction} to its
 * {@link io.connscope.http.TransactionListener} once final, in order (unanswered requests and
 * orphan responses included), keeping only a bounded window of recent ones itself. Problems are
 * counted as named anomalies, never thrown. What stays of a finished connection's HTTP side is an
 * {@link io.connscope.http.HttpView}; {@link io.connscope.http.ClosedHttp} is a copy of it. Depends
 * on {@code tcp} and {@code common} only.
 */
package io.connscope.http;
