package io.connscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes the transactions of the JSON report ({@link JsonReportWriter}). A large capture has
 * hundreds of thousands of them, so their field names are encoded once, at class initialisation,
 * and their string values (the same method, target, reason and header values on most transactions)
 * are encoded once and reused through a small table of recent values. The bytes are those {@code
 * JsonGenerator.writeString(String)} writes. One instance per report writer; not thread-safe.
 */
final class TransactionJson {
  /** Kept header names, in the order they are written. */
  static final String[] HEADER_NAMES = TransactionResult.KEPT_HEADERS.toArray(new String[0]);

  private static final java.util.HashMap<String, SerializedString> HEADER_FIELD_BY_NAME =
      new java.util.HashMap<>();

  static {
    for (String n : HEADER_NAMES) {
      HEADER_FIELD_BY_NAME.put(n, field(n));
    }
  }

  private static final SerializedString F_ANOMALIES = field("anomalies");
  private static final SerializedString F_CLIENT_ASKED = field("client_asked");
  private static final SerializedString F_CLOSE_DELIMITED = field("close_delimited");
  private static final SerializedString F_CONNECT_US = field("connect_us");
  private static final SerializedString F_COST_US = field("cost_us");
  private static final SerializedString F_DEPTH = field("depth");
  private static final SerializedString F_GAP_AFFECTED = field("gap_affected");
  private static final SerializedString F_INDEX = field("index");
  private static final SerializedString F_INTERIM_STATUSES = field("interim_statuses");
  private static final SerializedString F_KEEPALIVE = field("keepalive");
  private static final SerializedString F_KEEP_ALIVE_MAX = field("keep_alive_max");
  private static final SerializedString F_KEEP_ALIVE_TIMEOUT_S = field("keep_alive_timeout_s");
  private static final SerializedString F_METHOD = field("method");
  private static final SerializedString F_ORPHAN_RESPONSE = field("orphan_response");
  private static final SerializedString F_PERSISTENT = field("persistent");
  private static final SerializedString F_PIPELINE_DEPTH = field("pipeline_depth");
  private static final SerializedString F_PROXY_CONNECTION = field("proxy_connection");
  private static final SerializedString F_REASON = field("reason");
  private static final SerializedString F_RECEIVE_US = field("receive_us");
  private static final SerializedString F_REQUEST_BODY_BYTES = field("request_body_bytes");
  private static final SerializedString F_REQUEST_BODY_GAP_BYTES = field("request_body_gap_bytes");
  private static final SerializedString F_REQUEST_COMPLETE = field("request_complete");
  private static final SerializedString F_REQUEST_END_US = field("request_end_us");
  private static final SerializedString F_REQUEST_FRAME = field("request_frame");
  private static final SerializedString F_REQUEST_FRAMING = field("request_framing");
  private static final SerializedString F_REQUEST_HEADER_BYTES = field("request_header_bytes");
  private static final SerializedString F_REQUEST_LAST_FRAME = field("request_last_frame");
  private static final SerializedString F_REQUEST_START_US = field("request_start_us");
  private static final SerializedString F_RESPONSE_BODY_BYTES = field("response_body_bytes");
  private static final SerializedString F_RESPONSE_BODY_GAP_BYTES =
      field("response_body_gap_bytes");
  private static final SerializedString F_RESPONSE_COMPLETE = field("response_complete");
  private static final SerializedString F_RESPONSE_END_US = field("response_end_us");
  private static final SerializedString F_RESPONSE_FRAME = field("response_frame");
  private static final SerializedString F_RESPONSE_FRAMING = field("response_framing");
  private static final SerializedString F_RESPONSE_HEADER_BYTES = field("response_header_bytes");
  private static final SerializedString F_RESPONSE_LAST_FRAME = field("response_last_frame");
  private static final SerializedString F_RESPONSE_START_US = field("response_start_us");
  private static final SerializedString F_RESPONSE_VERSION = field("response_version");
  private static final SerializedString F_SEND_US = field("send_us");
  private static final SerializedString F_SERVER_ANSWERED = field("server_answered");
  private static final SerializedString F_SERVER_US = field("server_us");
  private static final SerializedString F_STALLS = field("stalls");
  private static final SerializedString F_STATUS = field("status");
  private static final SerializedString F_TIMINGS = field("timings");
  private static final SerializedString F_TYPE = field("type");
  private static final SerializedString F_UNANSWERED = field("unanswered");
  private static final SerializedString F_RESPONSE_NOT_CAPTURED = field("response_not_captured");
  private static final SerializedString F_BYTES_ACKNOWLEDGED = field("bytes_acknowledged");
  private static final SerializedString F_ACK_FRAME = field("ack_frame");
  private static final SerializedString F_ACK_US = field("ack_us");
  private static final SerializedString F_REQUEST_NOT_CAPTURED = field("request_not_captured");
  private static final SerializedString F_REQUEST_WIRE_BYTES = field("request_wire_bytes");
  private static final SerializedString F_RESPONSE_WIRE_BYTES = field("response_wire_bytes");
  private static final SerializedString F_URI = field("uri");
  private static final SerializedString F_VERSION = field("version");
  private static final SerializedString F_WAIT_US = field("wait_us");
  private static final SerializedString F_REQUEST_HEADERS = field("request_headers");
  private static final SerializedString F_RESPONSE_HEADERS = field("response_headers");

  private static final int VALUE_SLOTS = 1024;
  private static final int MAX_CACHED_LENGTH = 96;
  private final SerializedString[] values = new SerializedString[VALUE_SLOTS];

  /** A field name with its encodings computed now (class initialisation publishes them). */
  private static SerializedString field(String name) {
    SerializedString s = new SerializedString(name);
    s.asQuotedUTF8();
    s.asUnquotedUTF8();
    s.asQuotedChars();
    return s;
  }

  private static void num(JsonGenerator g, SerializedString name, long v) throws IOException {
    g.writeFieldName(name);
    g.writeNumber(v);
  }

  private static void bool(JsonGenerator g, SerializedString name, boolean v) throws IOException {
    g.writeFieldName(name);
    g.writeBoolean(v);
  }

  private static void opt(JsonGenerator g, SerializedString name, long v) throws IOException {
    g.writeFieldName(name);
    if (v >= 0) {
      g.writeNumber(v);
    } else {
      g.writeNull();
    }
  }

  private void str(JsonGenerator g, SerializedString name, String v) throws IOException {
    g.writeFieldName(name);
    value(g, v);
  }

  /** {@code g.writeString(v)}, through the table of recent values. */
  private void value(JsonGenerator g, String v) throws IOException {
    if (v == null || v.length() > MAX_CACHED_LENGTH) {
      g.writeString(v);
      return;
    }
    int h = v.hashCode();
    int slot = (h ^ (h >>> 12)) & (VALUE_SLOTS - 1);
    SerializedString s = values[slot];
    if (s == null || (s.getValue() != v && !s.getValue().equals(v))) {
      s = new SerializedString(v);
      values[slot] = s;
    }
    g.writeString(s);
  }

  /** Writes one transaction. */
  void write(JsonGenerator g, TransactionResult t) throws IOException {
    g.writeStartObject();
    num(g, F_INDEX, t.index());
    num(g, F_DEPTH, t.depth());
    num(g, F_PIPELINE_DEPTH, t.pipelineDepth());
    str(g, F_METHOD, t.method());
    str(g, F_URI, t.uri());
    str(g, F_VERSION, t.version());
    g.writeFieldName(F_STATUS);
    if (t.status() != null) { // since 1.3.0: null, not 0, when there is no final response
      g.writeNumber(t.status());
    } else {
      g.writeNull();
    }
    str(g, F_REASON, t.reason());
    str(g, F_RESPONSE_VERSION, t.responseVersion());
    g.writeFieldName(F_INTERIM_STATUSES);
    g.writeStartArray();
    List<Integer> interim = t.interimStatuses();
    for (int i = 0; i < interim.size(); i++) { // indexed: no iterator per transaction
      g.writeNumber(interim.get(i));
    }
    g.writeEndArray();
    writeHeaders(g, F_REQUEST_HEADERS, t.requestHeaders());
    writeHeaders(g, F_RESPONSE_HEADERS, t.responseHeaders());
    num(g, F_REQUEST_HEADER_BYTES, t.requestHeaderBytes());
    num(g, F_REQUEST_BODY_BYTES, t.requestBodyBytes());
    num(g, F_REQUEST_BODY_GAP_BYTES, t.requestBodyGapBytes());
    str(g, F_REQUEST_FRAMING, t.requestFraming());
    num(g, F_RESPONSE_HEADER_BYTES, t.responseHeaderBytes());
    num(g, F_RESPONSE_BODY_BYTES, t.responseBodyBytes());
    num(g, F_RESPONSE_BODY_GAP_BYTES, t.responseBodyGapBytes());
    str(g, F_RESPONSE_FRAMING, t.responseFraming());
    opt(g, F_REQUEST_FRAME, t.requestFrame());
    opt(g, F_REQUEST_LAST_FRAME, t.requestLastFrame());
    opt(g, F_RESPONSE_FRAME, t.responseFrame());
    opt(g, F_RESPONSE_LAST_FRAME, t.responseLastFrame());
    opt(g, F_REQUEST_START_US, t.requestStartUs());
    opt(g, F_REQUEST_END_US, t.requestEndUs());
    opt(g, F_RESPONSE_START_US, t.responseStartUs());
    opt(g, F_RESPONSE_END_US, t.responseEndUs());
    TransactionResult.Timings timings = t.timings();
    g.writeFieldName(F_TIMINGS);
    g.writeStartObject();
    opt(g, F_CONNECT_US, timings.connectUs());
    opt(g, F_SEND_US, timings.sendUs());
    opt(g, F_WAIT_US, timings.waitUs());
    opt(g, F_RECEIVE_US, timings.receiveUs());
    opt(g, F_SERVER_US, timings.serverUs());
    g.writeFieldName(F_STALLS);
    g.writeStartArray();
    List<TransactionResult.Stall> stalls = timings.stalls();
    for (int i = 0; i < stalls.size(); i++) {
      TransactionResult.Stall s = stalls.get(i);
      g.writeStartObject();
      str(g, F_TYPE, s.type());
      num(g, F_COST_US, s.costUs());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    bool(g, F_UNANSWERED, t.unanswered());
    TransactionResult.ResponseNotCaptured lost = t.responseNotCaptured();
    if (lost != null) { // since 1.2.0
      g.writeFieldName(F_RESPONSE_NOT_CAPTURED);
      g.writeStartObject();
      num(g, F_BYTES_ACKNOWLEDGED, lost.bytesAcknowledged());
      opt(g, F_ACK_FRAME, lost.ackFrame());
      opt(g, F_ACK_US, lost.ackUs());
      g.writeEndObject();
    }
    if (t.requestWireBytes() >= 0) {
      num(g, F_REQUEST_WIRE_BYTES, t.requestWireBytes()); // since 1.2.0
    }
    if (t.responseWireBytes() >= 0) {
      num(g, F_RESPONSE_WIRE_BYTES, t.responseWireBytes()); // since 1.2.0
    }
    bool(g, F_ORPHAN_RESPONSE, t.orphanResponse());
    if (t.requestNotCaptured()) {
      bool(g, F_REQUEST_NOT_CAPTURED, true); // since 1.2.0
    }
    bool(g, F_REQUEST_COMPLETE, t.requestComplete());
    bool(g, F_RESPONSE_COMPLETE, t.responseComplete());
    bool(g, F_GAP_AFFECTED, t.gapAffected());
    bool(g, F_CLOSE_DELIMITED, t.closeDelimited());
    g.writeFieldName(F_ANOMALIES);
    g.writeStartArray();
    List<String> anomalies = t.anomalies();
    for (int i = 0; i < anomalies.size(); i++) {
      value(g, anomalies.get(i));
    }
    g.writeEndArray();
    writeNegotiation(g, t.keepalive());
    g.writeEndObject();
  }

  private void writeHeaders(JsonGenerator g, SerializedString name, Map<String, String> h)
      throws IOException {
    g.writeFieldName(name);
    g.writeStartObject();
    if (!h.isEmpty()) {
      for (Map.Entry<String, String> e : h.entrySet()) {
        SerializedString kept = HEADER_FIELD_BY_NAME.get(e.getKey());
        if (kept != null) {
          g.writeFieldName(kept);
        } else {
          g.writeFieldName(e.getKey()); // a report read back may hold others
        }
        value(g, e.getValue());
      }
    }
    g.writeEndObject();
  }

  private void writeNegotiation(JsonGenerator g, TransactionResult.KeepAliveNegotiation n)
      throws IOException {
    g.writeFieldName(F_KEEPALIVE);
    g.writeStartObject();
    str(g, F_CLIENT_ASKED, n.clientAsked());
    if (n.proxyConnection() != null) {
      str(g, F_PROXY_CONNECTION, n.proxyConnection());
    }
    str(g, F_SERVER_ANSWERED, n.serverAnswered());
    if (n.keepAliveMax() >= 0) {
      num(g, F_KEEP_ALIVE_MAX, n.keepAliveMax());
    }
    if (n.keepAliveTimeoutS() >= 0) {
      num(g, F_KEEP_ALIVE_TIMEOUT_S, n.keepAliveTimeoutS());
    }
    bool(g, F_PERSISTENT, n.persistent());
    g.writeEndObject();
  }
}
