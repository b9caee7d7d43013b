package io.connscope.report;

import io.connscope.result.HeaderMap;
import io.connscope.result.TransactionResult;
import java.util.List;
import java.util.Map;

/**
 * Writes the transactions of the JSON report ({@link JsonReportWriter}) as compact UTF-8 JSON into
 * its own byte buffer. A large capture has hundreds of thousands of them, so they are written
 * without a {@code JsonGenerator} (whose per-value state checks were a tenth of the run's CPU), as
 * bytes ({@link JsonBytes}): the field names are encoded once, at class initialisation, numbers are
 * written digit by digit, plain ASCII strings copied, and any other string escaped by Jackson's
 * generator. The bytes are those Jackson's compact generator wrote for the same calls ({@code
 * writeString}, {@code writeNumber}, ...; the report goldens and {@code TransactionJsonTest}
 * compare them). One instance per report writer; not thread-safe.
 */
final class TransactionJson extends JsonBytes {
  /** Kept header names, in the order they are written. */
  static final String[] HEADER_NAMES = TransactionResult.KEPT_HEADERS.toArray(new String[0]);

  private static final java.util.HashMap<String, byte[]> HEADER_FIELD_BY_NAME =
      new java.util.HashMap<>();

  /** The encoded names of {@link #HEADER_NAMES}, same order. */
  private static final byte[][] HEADER_FIELDS = new byte[HEADER_NAMES.length][];

  static {
    for (int k = 0; k < HEADER_NAMES.length; k++) {
      HEADER_FIELDS[k] = name(HEADER_NAMES[k]);
      HEADER_FIELD_BY_NAME.put(HEADER_NAMES[k], HEADER_FIELDS[k]);
    }
  }

  private static final byte[] F_ANOMALIES = name("anomalies");
  private static final byte[] F_CLIENT_ASKED = name("client_asked");
  private static final byte[] F_CLOSE_DELIMITED = name("close_delimited");
  private static final byte[] F_CONNECT_US = name("connect_us");
  private static final byte[] F_COST_US = name("cost_us");
  private static final byte[] F_DEPTH = name("depth");
  private static final byte[] F_GAP_AFFECTED = name("gap_affected");
  private static final byte[] F_INDEX = name("index");
  private static final byte[] F_INTERIM_STATUSES = name("interim_statuses");
  private static final byte[] F_KEEPALIVE = name("keepalive");
  private static final byte[] F_KEEP_ALIVE_MAX = name("keep_alive_max");
  private static final byte[] F_KEEP_ALIVE_TIMEOUT_S = name("keep_alive_timeout_s");
  private static final byte[] F_METHOD = name("method");
  private static final byte[] F_ORPHAN_RESPONSE = name("orphan_response");
  private static final byte[] F_PERSISTENT = name("persistent");
  private static final byte[] F_PIPELINE_DEPTH = name("pipeline_depth");
  private static final byte[] F_PROXY_CONNECTION = name("proxy_connection");
  private static final byte[] F_REASON = name("reason");
  private static final byte[] F_RECEIVE_US = name("receive_us");
  private static final byte[] F_REQUEST_BODY_BYTES = name("request_body_bytes");
  private static final byte[] F_REQUEST_BODY_GAP_BYTES = name("request_body_gap_bytes");
  private static final byte[] F_REQUEST_COMPLETE = name("request_complete");
  private static final byte[] F_REQUEST_END_US = name("request_end_us");
  private static final byte[] F_REQUEST_FRAME = name("request_frame");
  private static final byte[] F_REQUEST_FRAMING = name("request_framing");
  private static final byte[] F_REQUEST_HEADER_BYTES = name("request_header_bytes");
  private static final byte[] F_REQUEST_LAST_FRAME = name("request_last_frame");
  private static final byte[] F_REQUEST_START_US = name("request_start_us");
  private static final byte[] F_RESPONSE_BODY_BYTES = name("response_body_bytes");
  private static final byte[] F_RESPONSE_BODY_GAP_BYTES = name("response_body_gap_bytes");
  private static final byte[] F_RESPONSE_COMPLETE = name("response_complete");
  private static final byte[] F_RESPONSE_END_US = name("response_end_us");
  private static final byte[] F_RESPONSE_FRAME = name("response_frame");
  private static final byte[] F_RESPONSE_FRAMING = name("response_framing");
  private static final byte[] F_RESPONSE_HEADER_BYTES = name("response_header_bytes");
  private static final byte[] F_RESPONSE_LAST_FRAME = name("response_last_frame");
  private static final byte[] F_RESPONSE_START_US = name("response_start_us");
  private static final byte[] F_RESPONSE_VERSION = name("response_version");
  private static final byte[] F_SEND_US = name("send_us");
  private static final byte[] F_SERVER_ANSWERED = name("server_answered");
  private static final byte[] F_SERVER_US = name("server_us");
  private static final byte[] F_STALLS = name("stalls");
  private static final byte[] F_STATUS = name("status");
  private static final byte[] F_TIMINGS = name("timings");
  private static final byte[] F_TYPE = name("type");
  private static final byte[] F_UNANSWERED = name("unanswered");
  private static final byte[] F_RESPONSE_NOT_CAPTURED = name("response_not_captured");
  private static final byte[] F_BYTES_ACKNOWLEDGED = name("bytes_acknowledged");
  private static final byte[] F_ACK_FRAME = name("ack_frame");
  private static final byte[] F_ACK_US = name("ack_us");
  private static final byte[] F_REQUEST_NOT_CAPTURED = name("request_not_captured");
  private static final byte[] F_REQUEST_WIRE_BYTES = name("request_wire_bytes");
  private static final byte[] F_RESPONSE_WIRE_BYTES = name("response_wire_bytes");
  private static final byte[] F_URI = name("uri");
  private static final byte[] F_VERSION = name("version");
  private static final byte[] F_WAIT_US = name("wait_us");
  private static final byte[] F_REQUEST_HEADERS = name("request_headers");
  private static final byte[] F_RESPONSE_HEADERS = name("response_headers");

  /** "00" to "99": the two digits of each number below 100. */
  private static final byte[] PAIRS = new byte[200];

  static {
    for (int i = 0; i < 100; i++) {
      PAIRS[2 * i] = (byte) ('0' + i / 10);
      PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  /**
   * Writes {@code v} (not negative) in decimal into {@code buf} at {@code at}, as {@code
   * Long.toString} (no String); returns the index after it. The caller made room for 19 digits. Two
   * digits at a time, and without a long division below 2^31: the JSON report runs with C1 alone on
   * most inputs, where a long division is a call into the runtime.
   */
  static int digits(byte[] buf, int at, long v) {
    if (v <= Integer.MAX_VALUE) {
      return digits(buf, at, (int) v);
    }
    long high = v / 100_000_000L; // the rare large value: its last 8 digits apart
    at = digits(buf, at, high);
    int x = (int) (v - high * 100_000_000L);
    for (int i = at + 8; i > at; ) {
      int q = div100(x);
      int r = x - q * 100;
      buf[--i] = PAIRS[2 * r + 1];
      buf[--i] = PAIRS[2 * r];
      x = q;
    }
    return at + 8;
  }

  /** {@link #digits(byte[], int, long)} of {@code x}, not negative. */
  private static int digits(byte[] buf, int at, int x) {
    int n =
        x < 10_000
            ? (x < 100 ? (x < 10 ? 1 : 2) : (x < 1000 ? 3 : 4))
            : x < 100_000_000
                ? (x < 1_000_000 ? (x < 100_000 ? 5 : 6) : (x < 10_000_000 ? 7 : 8))
                : (x < 1_000_000_000 ? 9 : 10);
    int i = at + n;
    while (x >= 100) {
      int q = div100(x);
      int r = x - q * 100;
      buf[--i] = PAIRS[2 * r + 1];
      buf[--i] = PAIRS[2 * r];
      x = q;
    }
    if (x >= 10) {
      buf[--i] = PAIRS[2 * x + 1];
      buf[--i] = PAIRS[2 * x];
    } else {
      buf[--i] = (byte) ('0' + x);
    }
    return at + n;
  }

  /** {@code x / 100} by a multiplication, exact for 0 <= x < 2^32. */
  private static int div100(int x) {
    return (int) ((x * 0x51EB851FL) >>> 37);
  }

  /** Writes one transaction. */
  void write(TransactionResult t) {
    reset();
    startObject();
    num(F_INDEX, t.index());
    num(F_DEPTH, t.depth());
    num(F_PIPELINE_DEPTH, t.pipelineDepth());
    str(F_METHOD, t.method());
    str(F_URI, t.uri());
    str(F_VERSION, t.version());
    name(F_STATUS);
    if (t.status() != null) { // since 1.3.0: null, not 0, when there is no final response
      number(t.status());
    } else {
      nullValue();
    }
    str(F_REASON, t.reason());
    str(F_RESPONSE_VERSION, t.responseVersion());
    name(F_INTERIM_STATUSES);
    startArray();
    List<Integer> interim = t.interimStatuses();
    for (int i = 0; i < interim.size(); i++) { // indexed: no iterator per transaction
      element(interim.get(i));
    }
    endArray();
    writeHeaders(F_REQUEST_HEADERS, t.requestHeaders());
    writeHeaders(F_RESPONSE_HEADERS, t.responseHeaders());
    num(F_REQUEST_HEADER_BYTES, t.requestHeaderBytes());
    num(F_REQUEST_BODY_BYTES, t.requestBodyBytes());
    num(F_REQUEST_BODY_GAP_BYTES, t.requestBodyGapBytes());
    str(F_REQUEST_FRAMING, t.requestFraming());
    num(F_RESPONSE_HEADER_BYTES, t.responseHeaderBytes());
    num(F_RESPONSE_BODY_BYTES, t.responseBodyBytes());
    num(F_RESPONSE_BODY_GAP_BYTES, t.responseBodyGapBytes());
    str(F_RESPONSE_FRAMING, t.responseFraming());
    opt(F_REQUEST_FRAME, t.requestFrame());
    opt(F_REQUEST_LAST_FRAME, t.requestLastFrame());
    opt(F_RESPONSE_FRAME, t.responseFrame());
    opt(F_RESPONSE_LAST_FRAME, t.responseLastFrame());
    opt(F_REQUEST_START_US, t.requestStartUs());
    opt(F_REQUEST_END_US, t.requestEndUs());
    opt(F_RESPONSE_START_US, t.responseStartUs());
    opt(F_RESPONSE_END_US, t.responseEndUs());
    TransactionResult.Timings timings = t.timings();
    name(F_TIMINGS);
    startObject();
    opt(F_CONNECT_US, timings.connectUs());
    opt(F_SEND_US, timings.sendUs());
    opt(F_WAIT_US, timings.waitUs());
    opt(F_RECEIVE_US, timings.receiveUs());
    opt(F_SERVER_US, timings.serverUs());
    name(F_STALLS);
    startArray();
    List<TransactionResult.Stall> stalls = timings.stalls();
    for (int i = 0; i < stalls.size(); i++) {
      TransactionResult.Stall s = stalls.get(i);
      startObjectElement();
      str(F_TYPE, s.type());
      num(F_COST_US, s.costUs());
      endObject();
    }
    endArray();
    endObject();
    bool(F_UNANSWERED, t.unanswered());
    TransactionResult.ResponseNotCaptured lost = t.responseNotCaptured();
    if (lost != null) { // since 1.2.0
      name(F_RESPONSE_NOT_CAPTURED);
      startObject();
      num(F_BYTES_ACKNOWLEDGED, lost.bytesAcknowledged());
      opt(F_ACK_FRAME, lost.ackFrame());
      opt(F_ACK_US, lost.ackUs());
      endObject();
    }
    if (t.requestWireBytes() >= 0) {
      num(F_REQUEST_WIRE_BYTES, t.requestWireBytes()); // since 1.2.0
    }
    if (t.responseWireBytes() >= 0) {
      num(F_RESPONSE_WIRE_BYTES, t.responseWireBytes()); // since 1.2.0
    }
    bool(F_ORPHAN_RESPONSE, t.orphanResponse());
    if (t.requestNotCaptured()) {
      bool(F_REQUEST_NOT_CAPTURED, true); // since 1.2.0
    }
    bool(F_REQUEST_COMPLETE, t.requestComplete());
    bool(F_RESPONSE_COMPLETE, t.responseComplete());
    bool(F_GAP_AFFECTED, t.gapAffected());
    bool(F_CLOSE_DELIMITED, t.closeDelimited());
    name(F_ANOMALIES);
    startArray();
    List<String> anomalies = t.anomalies();
    for (int i = 0; i < anomalies.size(); i++) {
      element(anomalies.get(i));
    }
    endArray();
    writeNegotiation(t.keepalive());
    endObject();
  }

  private void writeHeaders(byte[] name, Map<String, String> h) {
    name(name);
    startObject();
    if (h instanceof HeaderMap m) { // the analysis's: by index, no iterator
      for (int i = 0; i < m.size(); i++) {
        header(m.name(i), m.value(i));
      }
    } else if (!h.isEmpty()) {
      for (Map.Entry<String, String> e : h.entrySet()) {
        header(e.getKey(), e.getValue());
      }
    }
    endObject();
  }

  private void header(String name, String value) {
    byte[] kept = null;
    for (int k = 0; k < HEADER_NAMES.length; k++) {
      if (HEADER_NAMES[k] == name) { // the analysis's names are these strings
        kept = HEADER_FIELDS[k];
        break;
      }
    }
    if (kept == null) {
      kept = HEADER_FIELD_BY_NAME.get(name);
    }
    if (kept != null) {
      name(kept);
    } else {
      dataName(name); // a report read back may hold others
    }
    string(value);
  }

  private void writeNegotiation(TransactionResult.KeepAliveNegotiation n) {
    name(F_KEEPALIVE);
    startObject();
    str(F_CLIENT_ASKED, n.clientAsked());
    if (n.proxyConnection() != null) {
      str(F_PROXY_CONNECTION, n.proxyConnection());
    }
    str(F_SERVER_ANSWERED, n.serverAnswered());
    if (n.keepAliveMax() >= 0) {
      num(F_KEEP_ALIVE_MAX, n.keepAliveMax());
    }
    if (n.keepAliveTimeoutS() >= 0) {
      num(F_KEEP_ALIVE_TIMEOUT_S, n.keepAliveTimeoutS());
    }
    bool(F_PERSISTENT, n.persistent());
    endObject();
  }
}
