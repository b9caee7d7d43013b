package io.connscope.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One request and the response paired with it (or an orphan response, or an unanswered request).
 *
 * <p>Frames and times of a message are those of the data chunk in which its first and its last byte
 * arrived ({@code -1} when the message was not seen); times are microseconds since the capture's
 * first frame. Body byte counts are payload bytes actually seen (chunk framing excluded); bytes
 * lost in gaps inside a body are counted apart. Header byte counts cover the whole head: start
 * line, header fields and the empty line. For a response, heads and times are those of the final
 * response; interim 1xx responses only add to {@link #interimStatuses()}.
 *
 * <p>Filled by {@link HttpTracker}; read-only to everybody else.
 */
public final class Transaction {
  int index;
  int pipelineDepth;
  String method;
  String uri;
  String requestVersion;
  int status;
  String reason;
  String responseVersion;
  private List<Integer> interimStatuses;
  Headers requestHeaders = Headers.EMPTY;
  Headers responseHeaders = Headers.EMPTY;
  long requestHeaderBytes;
  long responseHeaderBytes;
  long requestBodyBytes;
  long responseBodyBytes;
  long requestBodyGapBytes;
  long responseBodyGapBytes;
  Framing requestFraming = Framing.NONE;
  Framing responseFraming = Framing.NONE;
  long requestFirstFrame = -1;
  long requestLastFrame = -1;
  long responseFirstFrame = -1;
  long responseLastFrame = -1;
  long requestFirstUs = -1;
  long requestLastUs = -1;
  long responseFirstUs = -1;
  long responseLastUs = -1;
  boolean unanswered;
  boolean orphanResponse;

  /** Stream offsets of each message's first byte, -1 when not seen. */
  long requestOffset = -1;

  long responseOffset = -1;

  /** The request's ACK: how much of the response stream its sender had received, -1 unknown. */
  long requestAck = -1;

  /** Stream offset just past the request's last byte, -1 until it ended. */
  long requestEndOffset = -1;

  boolean responseNotCaptured;
  long responseBytesNotCaptured;
  long responseAckedFrame = -1;
  long responseAckedUs = -1;
  boolean requestNotCaptured;

  /** Bytes a message cut by a gap occupied in its stream (to the next start line or the end). */
  long requestWireBytes = -1;

  long responseWireBytes = -1;
  boolean requestComplete;
  boolean responseComplete;

  /** Set when each side's message ended (completely or not); both ended = final. */
  boolean requestEnded;

  boolean responseEnded;
  boolean gapAffected;
  boolean closeDelimited;
  private List<String> anomalies;
  private List<String> requestAnomalies;
  private List<String> responseAnomalies;

  Transaction(int index) {
    this.index = index;
  }

  /** 0-based position on the connection. */
  public int index() {
    return index;
  }

  /** {@code index + 1}: Zeek's {@code trans_depth}. */
  public int depth() {
    return index + 1;
  }

  /** Requests sent and not yet answered when this request started, itself included. */
  public int pipelineDepth() {
    return pipelineDepth;
  }

  /** Request method, null for an orphan response or an unparsable request line. */
  public String method() {
    return method;
  }

  public String uri() {
    return uri;
  }

  /** E.g. {@code "HTTP/1.1"}. */
  public String requestVersion() {
    return requestVersion;
  }

  /** Final status code, 0 when no final response was seen. */
  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  public String responseVersion() {
    return responseVersion;
  }

  /** Interim (1xx other than 101) statuses received before the final response, in order. */
  public List<Integer> interimStatuses() {
    return interimStatuses == null ? List.of() : Collections.unmodifiableList(interimStatuses);
  }

  public Headers requestHeaders() {
    return requestHeaders;
  }

  public Headers responseHeaders() {
    return responseHeaders;
  }

  public long requestHeaderBytes() {
    return requestHeaderBytes;
  }

  public long responseHeaderBytes() {
    return responseHeaderBytes;
  }

  public long requestBodyBytes() {
    return requestBodyBytes;
  }

  public long responseBodyBytes() {
    return responseBodyBytes;
  }

  public long requestBodyGapBytes() {
    return requestBodyGapBytes;
  }

  public long responseBodyGapBytes() {
    return responseBodyGapBytes;
  }

  public Framing requestFraming() {
    return requestFraming;
  }

  public Framing responseFraming() {
    return responseFraming;
  }

  public long requestFirstFrame() {
    return requestFirstFrame;
  }

  public long requestLastFrame() {
    return requestLastFrame;
  }

  public long responseFirstFrame() {
    return responseFirstFrame;
  }

  public long responseLastFrame() {
    return responseLastFrame;
  }

  public long requestFirstUs() {
    return requestFirstUs;
  }

  public long requestLastUs() {
    return requestLastUs;
  }

  public long responseFirstUs() {
    return responseFirstUs;
  }

  public long responseLastUs() {
    return responseLastUs;
  }

  /** The request got no final response before the connection ended (or was dropped). */
  public boolean unanswered() {
    return unanswered;
  }

  /**
   * The client received a response to this request (its ACK numbers acknowledged response bytes
   * sent after the request, before its next request or the end) but the capture does not hold the
   * response's head: the response is not reported, the request is not unanswered.
   */
  public boolean responseNotCaptured() {
    return responseNotCaptured;
  }

  /** With {@link #responseNotCaptured()}: response bytes the client acknowledged (inferred). */
  public long responseBytesNotCaptured() {
    return responseBytesNotCaptured;
  }

  /** With {@link #responseNotCaptured()}: the frame of the ACK that covered them, and its time. */
  public long responseAckedFrame() {
    return responseAckedFrame;
  }

  public long responseAckedUs() {
    return responseAckedUs;
  }

  /** An orphan response whose request the capture does not hold (not an unsolicited response). */
  public boolean requestNotCaptured() {
    return requestNotCaptured;
  }

  /**
   * For a request cut by a gap (a small snap length, lost segments) and not complete: the bytes it
   * occupied in the stream, from its first byte to the next request or the end of the direction
   * (inferred from sequence numbers); -1 otherwise. Its last frame and time are then those of the
   * last segment in that extent.
   */
  public long requestWireBytes() {
    return requestWireBytes;
  }

  /** As {@link #requestWireBytes()}, for the response. */
  public long responseWireBytes() {
    return responseWireBytes;
  }

  /** Offset of the request's first byte in its direction's stream, -1 when not seen. */
  public long requestOffset() {
    return requestOffset;
  }

  /** Offset of the final response's first byte in its direction's stream, -1 when not seen. */
  public long responseOffset() {
    return responseOffset;
  }

  /** A response with no pending request; the request fields are empty. */
  public boolean orphanResponse() {
    return orphanResponse;
  }

  public boolean requestComplete() {
    return requestComplete;
  }

  public boolean responseComplete() {
    return responseComplete;
  }

  /**
   * A gap or a desynchronisation touched this transaction: a message was cut by one, or the
   * response was paired while message boundaries were uncertain, so pairing may be wrong.
   */
  public boolean gapAffected() {
    return gapAffected;
  }

  /** The response body was delimited by the connection close. */
  public boolean closeDelimited() {
    return closeDelimited;
  }

  /** Anomaly ids ({@link HttpAnomalies}) seen on this transaction, sorted. */
  public List<String> anomalies() {
    if (anomalies == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(anomalies);
    Collections.sort(out);
    return out;
  }

  /**
   * The anomaly ids the parser of one side recorded on this transaction's message, sorted: {@code
   * request} true for the request, false for the response (so a finding can name the side whose
   * message is malformed).
   */
  public List<String> anomalies(boolean request) {
    List<String> side = request ? requestAnomalies : responseAnomalies;
    if (side == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(side);
    Collections.sort(out);
    return out;
  }

  void addAnomaly(String code) {
    if (anomalies == null) {
      anomalies = new ArrayList<>(2);
    }
    if (!anomalies.contains(code)) {
      anomalies.add(code);
    }
  }

  /** Adds an anomaly the parser of one side found in its message. */
  void addAnomaly(String code, boolean request) {
    addAnomaly(code);
    List<String> side = request ? requestAnomalies : responseAnomalies;
    if (side == null) {
      side = new ArrayList<>(2);
      if (request) {
        requestAnomalies = side;
      } else {
        responseAnomalies = side;
      }
    }
    if (!side.contains(code)) {
      side.add(code);
    }
  }

  void addInterim(int status) {
    if (interimStatuses == null) {
      interimStatuses = new ArrayList<>(2);
    }
    interimStatuses.add(status);
  }

  /** One line with every field, for logs and tests. */
  @Override
  public String toString() {
    return "#"
        + index
        + " depth="
        + pipelineDepth
        + " "
        + method
        + " "
        + uri
        + " "
        + requestVersion
        + " -> "
        + status
        + " "
        + reason
        + " "
        + responseVersion
        + " interim="
        + interimStatuses()
        + " reqH="
        + requestHeaders
        + " respH="
        + responseHeaders
        + " reqHB="
        + requestHeaderBytes
        + " respHB="
        + responseHeaderBytes
        + " reqBody="
        + requestBodyBytes
        + "+"
        + requestBodyGapBytes
        + "gap "
        + requestFraming
        + " respBody="
        + responseBodyBytes
        + "+"
        + responseBodyGapBytes
        + "gap "
        + responseFraming
        + " reqFrames="
        + requestFirstFrame
        + ".."
        + requestLastFrame
        + "@"
        + requestFirstUs
        + ".."
        + requestLastUs
        + " respFrames="
        + responseFirstFrame
        + ".."
        + responseLastFrame
        + "@"
        + responseFirstUs
        + ".."
        + responseLastUs
        + (unanswered ? " unanswered" : "")
        + (orphanResponse ? " orphan" : "")
        + (responseNotCaptured ? " responseNotCaptured=" + responseBytesNotCaptured : "")
        + (requestNotCaptured ? " requestNotCaptured" : "")
        + (requestComplete ? " reqComplete" : "")
        + (responseComplete ? " respComplete" : "")
        + (gapAffected ? " gapAffected" : "")
        + (closeDelimited ? " closeDelimited" : "")
        + " anomalies="
        + anomalies();
  }
}
