package io.connscope.report;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.SerializedString;
import io.connscope.result.HeaderMap;
import io.connscope.result.TransactionResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the transactions of the JSON report ({@link JsonReportWriter}) as compact UTF-8 JSON into
 * its own byte buffer. A large capture has hundreds of thousands of them, so they are written
 * without a {@code JsonGenerator} (whose per-value state checks were a tenth of the run's CPU): the
 * field names are encoded once, at class initialisation, numbers are written digit by digit, and
 * string values (the same method, target, reason and header values on most transactions) are
 * escaped once by Jackson's {@link JsonStringEncoder} and reused through a small table of recent
 * values. The bytes are those Jackson's compact generator wrote for the same calls ({@code
 * writeString}, {@code writeNumber}, ...; the report goldens compare them). One instance per report
 * writer; not thread-safe.
 */
final class TransactionJson {
  /** Kept header names, in the order they are written. */
  static final String[] HEADER_NAMES = TransactionResult.KEPT_HEADERS.toArray(new String[0]);

  private static final java.util.HashMap<String, SerializedString> HEADER_FIELD_BY_NAME =
      new java.util.HashMap<>();

  /** The encoded names of {@link #HEADER_NAMES}, same order. */
  private static final SerializedString[] HEADER_FIELDS = new SerializedString[HEADER_NAMES.length];

  static {
    for (int k = 0; k < HEADER_NAMES.length; k++) {
      HEADER_FIELDS[k] = field(HEADER_NAMES[k]);
      HEADER_FIELD_BY_NAME.put(HEADER_NAMES[k], HEADER_FIELDS[k]);
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
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private final SerializedString[] values = new SerializedString[VALUE_SLOTS];

  /** The transaction written last: {@code buf[0, len)}. */
  private byte[] buf = new byte[2048];

  private int len;

  /** Whether the object or array open now has a member already (bit per depth). */
  private long nonEmpty;

  private int depth;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A field name with its encodings computed now (class initialisation publishes them). */
  private static SerializedString field(String name) {
    SerializedString s = new SerializedString(name);
    s.asQuotedUTF8();
    s.asUnquotedUTF8();
    s.asQuotedChars();
    return s;
  }

  /** The bytes of the transaction written last: {@code bytes()[0, length())}. */
  byte[] bytes() {
    return buf;
  }

  int length() {
    return len;
  }

  /** Forgets the transaction written last. */
  void reset() {
    len = 0;
  }

  private void room(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  private void raw(byte b) {
    room(1);
    buf[len++] = b;
  }

  private void raw(byte[] b) {
    room(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /** A comma when the open container has a member already. */
  private void separator() {
    long bit = 1L << depth;
    if ((nonEmpty & bit) != 0) {
      raw((byte) ',');
    } else {
      nonEmpty |= bit;
    }
  }

  private void start(byte open) {
    raw(open);
    depth++;
    nonEmpty &= ~(1L << depth);
  }

  private void end(byte close) {
    depth--;
    raw(close);
  }

  private void startObject() {
    start((byte) '{');
  }

  private void endObject() {
    end((byte) '}');
  }

  private void startArray() {
    start((byte) '[');
  }

  private void endArray() {
    end((byte) ']');
  }

  /** A member's name and colon; its value follows without a separator. */
  private void name(SerializedString name) {
    separator();
    byte[] q = name.asQuotedUTF8();
    room(q.length + 3);
    buf[len++] = '"';
    System.arraycopy(q, 0, buf, len, q.length);
    len += q.length;
    buf[len++] = '"';
    buf[len++] = ':';
  }

  /** A member's name given as a string (a report read back may hold other header names). */
  private void name(String name) {
    separator();
    string(name);
    raw((byte) ':');
  }

  private void number(long v) {
    if (v < 0) {
      raw(ascii(Long.toString(v)));
      return;
    }
    room(20);
    len = digits(buf, len, v);
  }

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

  private void num(SerializedString name, long v) {
    name(name);
    number(v);
  }

  private void bool(SerializedString name, boolean v) {
    name(name);
    raw(v ? TRUE : FALSE);
  }

  private void opt(SerializedString name, long v) {
    name(name);
    if (v >= 0) {
      number(v);
    } else {
      raw(NULL);
    }
  }

  private void str(SerializedString name, String v) {
    name(name);
    string(v);
  }

  /** An element of an array, or the value after a name: {@code writeString(v)}. */
  private void element(String v) {
    separator();
    string(v);
  }

  private void element(long v) {
    separator();
    number(v);
  }

  /** {@code v} quoted and escaped, through the table of recent values; null as null. */
  private void string(String v) {
    if (v == null) {
      raw(NULL);
      return;
    }
    byte[] q;
    if (v.length() > MAX_CACHED_LENGTH) {
      q = JsonStringEncoder.getInstance().quoteAsUTF8(v);
    } else {
      int h = v.hashCode();
      int slot = (h ^ (h >>> 12)) & (VALUE_SLOTS - 1);
      SerializedString s = values[slot];
      if (s == null || (s.getValue() != v && !s.getValue().equals(v))) {
        s = new SerializedString(v);
        values[slot] = s;
      }
      q = s.asQuotedUTF8();
    }
    room(q.length + 2);
    buf[len++] = '"';
    System.arraycopy(q, 0, buf, len, q.length);
    len += q.length;
    buf[len++] = '"';
  }

  /** Writes one transaction. */
  void write(TransactionResult t) {
    depth = 0;
    nonEmpty = 0;
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
      raw(NULL);
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
      separator();
      startObject();
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

  private void writeHeaders(SerializedString name, Map<String, String> h) {
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
    SerializedString kept = null;
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
      name(name); // a report read back may hold others
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
