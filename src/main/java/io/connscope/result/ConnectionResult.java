package io.connscope.result;

import java.util.Map;
import java.util.SortedMap;

/**
 * One finished TCP connection as the reports show it, without its transactions (they come before
 * it, one {@link TransactionResult} each). Frames and times that may be unknown are -1.
 *
 * @param id connection number, from 1 in creation order (its id is "C" + this)
 * @param rolesFrom what told client from server (lower-case name)
 * @param rolesInferred true when the roles were guessed, not seen in a handshake
 * @param vantage where the capture point sits relative to the hosts (lower-case name), null when
 *     unknown
 * @param coverage {@code client_only} or {@code server_only} when the capture holds no packet of
 *     the other direction, else null
 * @param history the connection's packet history letters (Zeek style)
 * @param http the HTTP side; null when no HTTP tracker was attached
 * @param tls the TLS facts of a TLS connection (record layer seen); null otherwise
 * @param keepalive how the connection ended, for keep-alive analysis; null when not HTTP
 * @param stallSummary per finding type with a time cost on this connection, known at its close
 * @param transactionCount transactions on the connection (0 without an HTTP tracker)
 */
public record ConnectionResult(
    long id,
    Endpoint client,
    Endpoint server,
    int ipVersion,
    String rolesFrom,
    boolean rolesInferred,
    long firstFrame,
    long lastFrame,
    long startUs,
    long endUs,
    Handshake handshake,
    String vantage,
    String coverage,
    Close close,
    String history,
    Half clientToServer,
    Half serverToClient,
    Http http,
    TlsFacts tls,
    KeepAliveEnding keepalive,
    SortedMap<String, StallSummary> stallSummary,
    long transactionCount) {

  /** "C" + id. */
  public String idString() {
    return ConnectionIds.of(id);
  }

  /** HTTP was detected on the connection. */
  public boolean isHttp() {
    return http != null && http.detected();
  }

  /**
   * Handshake packets, frames and times -1 when not seen.
   *
   * @param rttToServerUs SYN to SYN/ACK at the capture point, -1 when unknown
   * @param rttToClientUs SYN/ACK to the handshake ACK, -1 when unknown
   */
  public record Handshake(
      long synFrame,
      long synUs,
      long synAckFrame,
      long synAckUs,
      long ackFrame,
      long ackUs,
      int synCount,
      int synAckCount,
      long rttToServerUs,
      long rttToClientUs) {
    /** First SYN to the handshake ACK, -1 unless both were seen. */
    public long setupUs() {
      return synUs >= 0 && ackUs >= 0 ? ackUs - synUs : -1;
    }
  }

  /**
   * How the connection closed.
   *
   * @param reason lower-case close reason, null when unknown
   * @param firstBy {@code client} or {@code server}, null when nobody closed
   */
  public record Close(String reason, String firstBy) {}

  /** One direction's counters; mss, window scale, FIN and RST frames -1 when not seen. */
  public record Half(
      long packets,
      long payloadBytes,
      long dataSegments,
      long retransmissions,
      long retransmittedBytes,
      long outOfOrder,
      long overlapConflicts,
      long gaps,
      long gapBytes,
      long mss,
      long windowScale,
      boolean sackPermitted,
      long maxWindow,
      long zeroWindows,
      long finFrame,
      long rstFrame) {}

  /**
   * The HTTP side of a connection.
   *
   * @param detected HTTP was recognised
   * @param notHttpReason why not, when it was not recognised (null otherwise, or when unknown)
   * @param maxPipelineDepth most requests outstanding at once
   * @param reversed the handshake's server sends the requests
   * @param tunnel the connection became a tunnel (CONNECT, Upgrade)
   * @param anomalies HTTP anomaly counters, by code
   */
  public record Http(
      boolean detected,
      String notHttpReason,
      int maxPipelineDepth,
      boolean reversed,
      boolean tunnel,
      Map<String, Long> anomalies) {}

  /**
   * How the connection ended.
   *
   * @param requests requests seen
   * @param reused more than one request was sent
   * @param closedBy {@code client}, {@code server}, or null when nobody sent FIN or RST
   * @param closeKind {@code fin}, {@code rst}, or {@code none}
   * @param closeFrame the first FIN or RST, -1 when none
   * @param closeUs its time, -1 when none
   * @param closedAfter index of the last transaction whose response ended before the close, -1
   * @param idleBeforeCloseUs last HTTP byte before the close to the close, -1 when unknown
   */
  public record KeepAliveEnding(
      int requests,
      boolean reused,
      String closedBy,
      String closeKind,
      long closeFrame,
      long closeUs,
      int closedAfter,
      long idleBeforeCloseUs) {}

  /** The findings of one type on a connection: how many, their total and median cost. */
  public record StallSummary(long count, long totalUs, long medianUs) {}
}
