package io.connscope.result;

import java.util.List;
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
 * @param transfers what limited each large transfer (an HTTP body of at least 10 segments), in
 *     transaction order; empty for none
 * @param timeSequence the time-sequence graph's data, for a connection with a transfer finding
 *     (tcp.loss_recovery, tcp.transfer_limited); null otherwise
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
    long transactionCount,
    List<Transfer> transfers,
    TimeSequence timeSequence) {

  /**
   * This connection with id {@code id}, its {@code stallSummary} and {@code timeSequence}: what
   * only the stage that sees every finding knows, given to a record built beside the connection's
   * packets.
   */
  public ConnectionResult of(
      long id, SortedMap<String, StallSummary> stallSummary, TimeSequence timeSequence) {
    return new ConnectionResult(
        id,
        client,
        server,
        ipVersion,
        rolesFrom,
        rolesInferred,
        firstFrame,
        lastFrame,
        startUs,
        endUs,
        handshake,
        vantage,
        coverage,
        close,
        history,
        clientToServer,
        serverToClient,
        http,
        tls,
        keepalive,
        stallSummary,
        transactionCount,
        transfers,
        timeSequence);
  }

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

  /**
   * What limited one large transfer, as shares of its time (microseconds each; they sum to {@code
   * durationUs}). Rates in bits per second, -1 when unknown.
   *
   * @param sender {@code client} or {@code server}
   * @param transaction the transaction's index on the connection
   * @param firstFrame its first data segment
   * @param lastFrame its last data segment
   * @param segments new data segments
   * @param bytes new data bytes
   * @param durationUs first to last data segment
   * @param receiveWindowUs blocked on the receiver's window (zero or full)
   * @param zeroWindowUs the part of it at a zero window
   * @param applicationUs the sender idle with the window open and nothing in flight
   * @param slowStartUs the congestion window growing (before the first recovery or window block)
   * @param recoveryUs loss recoveries open
   * @param congestionAvoidanceUs the rest
   * @param lostSegments segments the recoveries in it repaired
   * @param goodputBps bytes over its time
   * @param pathRateBps the path's rate from the ACK clock
   * @param pathRateLowerBound the path rate was measured while something else held the transfer:
   *     the path is at least this fast
   * @param rttUs the round trip at the capture point, -1 unknown
   * @param bdpBytes path rate times round trip, -1 unknown
   * @param limit what limited it, e.g. {@code receive window (reader slow)}
   * @param costUs what the limit cost
   */
  public record Transfer(
      String sender,
      int transaction,
      long firstFrame,
      long lastFrame,
      long segments,
      long bytes,
      long durationUs,
      long receiveWindowUs,
      long zeroWindowUs,
      long applicationUs,
      long slowStartUs,
      long recoveryUs,
      long congestionAvoidanceUs,
      long lostSegments,
      long goodputBps,
      long pathRateBps,
      boolean pathRateLowerBound,
      long rttUs,
      long bdpBytes,
      String limit,
      long costUs) {

    /** A rate in bits per second as "12.3 Mbit/s" ("unknown" when negative). */
    public static String rate(long bps) {
      if (bps < 0) {
        return "unknown";
      }
      if (bps >= 1_000_000_000L) {
        return String.format(java.util.Locale.ROOT, "%.2f Gbit/s", bps / 1e9);
      }
      if (bps >= 1_000_000L) {
        return String.format(java.util.Locale.ROOT, "%.1f Mbit/s", bps / 1e6);
      }
      return String.format(java.util.Locale.ROOT, "%.1f kbit/s", bps / 1e3);
    }

    /** Part of the transfer's time in percent, rounded. */
    public int percent(long partUs) {
      return durationUs > 0 ? (int) Math.round(100.0 * partUs / durationUs) : 0;
    }

    /**
     * The transfer in words, as the text and Markdown reports show it (no string from packets in
     * it).
     */
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "%s, transaction #%d: %d bytes in %.1f ms (%s), limited by %s; receive window %d%%,"
              + " sender %d%%, slow start %d%%, recovery %d%%, congestion avoidance %d%%; path rate"
              + " %s%s, bandwidth-delay product %s; cost %.1f ms",
          sender,
          transaction,
          bytes,
          durationUs / 1000.0,
          rate(goodputBps),
          limit,
          percent(receiveWindowUs),
          percent(applicationUs),
          percent(slowStartUs),
          percent(recoveryUs),
          percent(congestionAvoidanceUs),
          pathRateLowerBound ? "at least " : "",
          rate(pathRateBps),
          bdpBytes < 0 ? "unknown" : (pathRateLowerBound ? "at least " : "") + bdpBytes + " bytes",
          costUs / 1000.0);
    }
  }

  /**
   * The time-sequence graph (tcptrace / Stevens) of one direction: sequence numbers relative to its
   * first byte (1), times in microseconds from the capture's start. Bounded: at most {@code
   * MAX_SEGMENTS} segments, {@code MAX_ACKS} ACKs and {@code MAX_SACKS} SACK blocks, evenly sampled
   * when there were more (retransmissions first); {@code sampled} says so.
   *
   * @param sender {@code client} or {@code server}: whose data
   * @param segments its data segments
   * @param acks the receiver's ACKs: the ACK line and the window line (ACK + window)
   * @param sacks SACK blocks the receiver reported
   * @param sampled true when points were left out
   */
  public record TimeSequence(
      String sender,
      List<SeqSegment> segments,
      List<SeqAck> acks,
      List<SeqSack> sacks,
      boolean sampled) {
    public static final int MAX_SEGMENTS = 600, MAX_ACKS = 400, MAX_SACKS = 200;
  }

  /** A data segment: {@code [seq, end)} at {@code us}; {@code retransmission} when it was one. */
  public record SeqSegment(long us, long frame, long seq, long end, boolean retransmission) {}

  /** An ACK at {@code us}: cumulative ACK and the window's right edge (ACK + window). */
  public record SeqAck(long us, long frame, long ack, long windowEdge) {}

  /** A SACK block {@code [left, right)} reported at {@code us}. */
  public record SeqSack(long us, long frame, long left, long right) {}
}
