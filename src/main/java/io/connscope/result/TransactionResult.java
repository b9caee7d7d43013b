package io.connscope.result;

import io.connscope.common.KeptHeaders;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request/response exchange as the reports show it. Numbers that may be unknown are -1
 * (frames, times, timings) unless said otherwise.
 *
 * @param connection number of the connection it belongs to (its id is "C" + this)
 * @param index position on the connection, from 0
 * @param depth requests outstanding when this one was sent (1 when not pipelined)
 * @param pipelineDepth the pipeline depth it took part in
 * @param method request method, null when the request was not seen
 * @param uri request target, null when the request was not seen
 * @param version request HTTP version
 * @param status final response status, null when there is none (unanswered, response not captured)
 * @param reason response reason phrase
 * @param responseVersion response HTTP version
 * @param interimStatuses 1xx statuses before the final response
 * @param requestHeaders the {@link #KEPT_HEADERS kept} request headers (names lower case, repeated
 *     ones joined with ", "), in the report's order
 * @param responseHeaders the kept response headers
 * @param requestFraming how the request body was delimited (lower-case name), null when none
 * @param responseFraming how the response body was delimited
 * @param timings the phases of the exchange and the stalls known in it
 * @param responseNotCaptured what the client acknowledged of a response the capture lost, null when
 *     the response was captured or none was sent
 * @param requestWireBytes bytes of the request on the wire when they differ from what was parsed,
 *     -1 when not measured
 * @param responseWireBytes likewise for the response
 * @param anomalies HTTP anomaly codes on this exchange
 * @param keepalive the keep-alive negotiation of this exchange
 */
public record TransactionResult(
    long connection,
    int index,
    int depth,
    int pipelineDepth,
    String method,
    String uri,
    String version,
    Integer status,
    String reason,
    String responseVersion,
    List<Integer> interimStatuses,
    Map<String, String> requestHeaders,
    Map<String, String> responseHeaders,
    long requestHeaderBytes,
    long requestBodyBytes,
    long requestBodyGapBytes,
    String requestFraming,
    long responseHeaderBytes,
    long responseBodyBytes,
    long responseBodyGapBytes,
    String responseFraming,
    long requestFrame,
    long requestLastFrame,
    long responseFrame,
    long responseLastFrame,
    long requestStartUs,
    long requestEndUs,
    long responseStartUs,
    long responseEndUs,
    Timings timings,
    boolean unanswered,
    ResponseNotCaptured responseNotCaptured,
    long requestWireBytes,
    long responseWireBytes,
    boolean orphanResponse,
    boolean requestNotCaptured,
    boolean requestComplete,
    boolean responseComplete,
    boolean gapAffected,
    boolean closeDelimited,
    List<String> anomalies,
    KeepAliveNegotiation keepalive) {

  /**
   * This transaction of connection {@code connection} with {@code stalls} (the findings about it):
   * the two things only the stage that sees every finding knows, given to a record built beside the
   * connection's packets.
   */
  public TransactionResult of(long connection, List<Stall> stalls) {
    List<Stall> mine = timings.stalls();
    boolean sameStalls = stalls.isEmpty() ? mine.isEmpty() : stalls.equals(mine);
    if (connection == this.connection && sameStalls) {
      return this;
    }
    return new TransactionResult(
        connection,
        index,
        depth,
        pipelineDepth,
        method,
        uri,
        version,
        status,
        reason,
        responseVersion,
        interimStatuses,
        requestHeaders,
        responseHeaders,
        requestHeaderBytes,
        requestBodyBytes,
        requestBodyGapBytes,
        requestFraming,
        responseHeaderBytes,
        responseBodyBytes,
        responseBodyGapBytes,
        responseFraming,
        requestFrame,
        requestLastFrame,
        responseFrame,
        responseLastFrame,
        requestStartUs,
        requestEndUs,
        responseStartUs,
        responseEndUs,
        sameStalls
            ? timings
            : new Timings(
                timings.connectUs(),
                timings.sendUs(),
                timings.waitUs(),
                timings.receiveUs(),
                timings.serverUs(),
                stalls),
        unanswered,
        responseNotCaptured,
        requestWireBytes,
        responseWireBytes,
        orphanResponse,
        requestNotCaptured,
        requestComplete,
        responseComplete,
        gapAffected,
        closeDelimited,
        anomalies,
        keepalive);
  }

  /** The request and response headers kept, in the order reports list them. */
  public static final List<String> KEPT_HEADERS = KeptHeaders.NAMES;

  /** First request byte to last response byte, -1 when either is missing. */
  public long totalUs() {
    return requestStartUs >= 0 && responseEndUs >= 0 ? responseEndUs - requestStartUs : -1;
  }

  /** The id of its connection, "C" + number. */
  public String connectionId() {
    return ConnectionIds.of(connection);
  }

  /**
   * Phases of one exchange, microseconds, -1 when unknown.
   *
   * @param connectUs first SYN to the handshake ACK, on the first transaction of a connection whose
   *     handshake was seen
   * @param sendUs first to last request byte
   * @param waitUs last request byte to first response byte
   * @param receiveUs first to last response byte
   * @param serverUs the wait minus the round trip from the capture point to the server
   * @param stalls findings about this transaction known when it was reported (type and cost)
   */
  public record Timings(
      long connectUs,
      long sendUs,
      long waitUs,
      long receiveUs,
      long serverUs,
      List<Stall> stalls) {}

  /** A finding's type and cost, listed with the transaction it is about. */
  public record Stall(String type, long costUs) {}

  /**
   * A response the capture lost but the client acknowledged.
   *
   * @param bytesAcknowledged response bytes the client acknowledged
   * @param ackFrame the frame of that acknowledgment, -1 when unknown
   * @param ackUs its time, -1 when unknown
   */
  public record ResponseNotCaptured(long bytesAcknowledged, long ackFrame, long ackUs) {}

  /**
   * What client and server said about keeping the connection open.
   *
   * @param clientAsked {@code keep_alive}, {@code close}, {@code default} or {@code none}; null
   *     when no request was seen
   * @param proxyConnection the request's Proxy-Connection header, null when absent
   * @param serverAnswered likewise for the response; null when no final response was seen
   * @param keepAliveMax the response's {@code Keep-Alive: max=}, -1 when absent
   * @param keepAliveTimeoutS the response's {@code Keep-Alive: timeout=}, -1 when absent
   * @param persistent the connection may carry another request after this exchange
   */
  public record KeepAliveNegotiation(
      String clientAsked,
      String proxyConnection,
      String serverAnswered,
      int keepAliveMax,
      int keepAliveTimeoutS,
      boolean persistent) {}
}
