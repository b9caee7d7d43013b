package io.connscope.report;

import io.connscope.result.HeaderMap;
import io.connscope.result.TransactionResult;
import java.util.List;
import java.util.Map;

/**
 * Writes the transactions of the JSON report ({@link JsonReportWriter}) as compact UTF-8 JSON into
 * its own byte buffer. A large capture has hundreds of thousands of them, so they are written
 * without a {@code JsonGenerator} (whose per-value state checks were a tenth of the run's CPU), as
 * bytes ({@link JsonBytes}): every field has its place, so the structure is written as fragments of
 * bytes made once, at class initialisation: each field's comma, quoted name and colon, with the
 * constant structure around it (the end of the object or array before, the start of the object it
 * opens), and for the run of booleans from {@code orphan_response} on, each combination of their
 * values; a field is then one copy of its fragment and its value, with one check of the buffer's
 * room. Numbers are written digit by digit, plain ASCII strings copied as they are checked, and any
 * other string escaped by Jackson's generator. A string field remembers the string written there
 * last: when the same one comes again (the analysis gives the same strings again and again), the
 * field is one copy of the bytes written for it, fragment included. The bytes are those Jackson's
 * compact generator wrote for the same calls ({@code writeString}, {@code writeNumber}, ...; the
 * report goldens, {@code TransactionJsonTest} and {@code TransactionBytesTest} compare them). One
 * instance per report writer; not thread-safe.
 */
final class TransactionJson extends JsonBytes {
  /** Kept header names, in the order they are written. */
  static final String[] HEADER_NAMES = TransactionResult.KEPT_HEADERS.toArray(new String[0]);

  /**
   * The fragments of {@link #HEADER_NAMES}, same order: first in their object, and after another.
   */
  private static final byte[][] FIRST_HEADER = new byte[HEADER_NAMES.length][];

  private static final byte[][] NEXT_HEADER = new byte[HEADER_NAMES.length][];

  private static final java.util.HashMap<String, Integer> HEADER_BY_NAME =
      new java.util.HashMap<>();

  static {
    for (int k = 0; k < HEADER_NAMES.length; k++) {
      FIRST_HEADER[k] = ascii(member(HEADER_NAMES[k]));
      NEXT_HEADER[k] = ascii("," + member(HEADER_NAMES[k]));
      HEADER_BY_NAME.put(HEADER_NAMES[k], k);
    }
  }

  private static final byte[] START = ascii("{" + member("index"));
  private static final byte[] DEPTH = field("depth");
  private static final byte[] PIPELINE_DEPTH = field("pipeline_depth");
  private static final byte[] METHOD = field("method");
  private static final byte[] URI = field("uri");
  private static final byte[] VERSION = field("version");
  private static final byte[] STATUS = field("status");
  private static final byte[] STATUS_NULL = ascii("," + member("status") + "null");
  private static final byte[] REASON = field("reason");
  private static final byte[] RESPONSE_VERSION = field("response_version");
  private static final byte[] INTERIM_STATUSES = ascii("," + member("interim_statuses") + "[");
  private static final byte[] REQUEST_HEADERS = ascii("]," + member("request_headers") + "{");
  private static final byte[] RESPONSE_HEADERS = ascii("}," + member("response_headers") + "{");
  private static final byte[] REQUEST_HEADER_BYTES = ascii("}," + member("request_header_bytes"));
  private static final byte[] REQUEST_BODY_BYTES = field("request_body_bytes");
  private static final byte[] REQUEST_BODY_GAP_BYTES = field("request_body_gap_bytes");
  private static final byte[] REQUEST_FRAMING = field("request_framing");
  private static final byte[] RESPONSE_HEADER_BYTES = field("response_header_bytes");
  private static final byte[] RESPONSE_BODY_BYTES = field("response_body_bytes");
  private static final byte[] RESPONSE_BODY_GAP_BYTES = field("response_body_gap_bytes");
  private static final byte[] RESPONSE_FRAMING = field("response_framing");
  private static final byte[] REQUEST_FRAME = field("request_frame");
  private static final byte[] REQUEST_LAST_FRAME = field("request_last_frame");
  private static final byte[] RESPONSE_FRAME = field("response_frame");
  private static final byte[] RESPONSE_LAST_FRAME = field("response_last_frame");
  private static final byte[] REQUEST_START_US = field("request_start_us");
  private static final byte[] REQUEST_END_US = field("request_end_us");
  private static final byte[] RESPONSE_START_US = field("response_start_us");
  private static final byte[] RESPONSE_END_US = field("response_end_us");
  private static final byte[] CONNECT_US =
      ascii("," + member("timings") + "{" + member("connect_us"));
  private static final byte[] SEND_US = field("send_us");
  private static final byte[] WAIT_US = field("wait_us");
  private static final byte[] RECEIVE_US = field("receive_us");
  private static final byte[] SERVER_US = field("server_us");
  private static final byte[] STALLS = ascii("," + member("stalls") + "[");
  private static final byte[] FIRST_TYPE = ascii("{" + member("type"));
  private static final byte[] NEXT_TYPE = ascii(",{" + member("type"));
  private static final byte[] COST_US = field("cost_us");
  private static final byte[] OBJECT_END = ascii("}");

  /** The end of the stalls and of the timings, and {@code unanswered}: false, true. */
  private static final byte[][] UNANSWERED = {
    ascii("]}," + member("unanswered") + "false"), ascii("]}," + member("unanswered") + "true")
  };

  private static final byte[] BYTES_ACKNOWLEDGED =
      ascii("," + member("response_not_captured") + "{" + member("bytes_acknowledged"));
  private static final byte[] ACK_FRAME = field("ack_frame");
  private static final byte[] ACK_US = field("ack_us");
  private static final byte[] REQUEST_WIRE_BYTES = field("request_wire_bytes");
  private static final byte[] RESPONSE_WIRE_BYTES = field("response_wire_bytes");

  /**
   * From {@code orphan_response} to the start of {@code anomalies}, by {@link #flags}: the six
   * booleans ({@code request_not_captured} only when true) of each combination.
   */
  private static final byte[][] FLAGS = new byte[64][];

  static {
    for (int f = 0; f < FLAGS.length; f++) {
      StringBuilder b = new StringBuilder();
      b.append(',').append(member("orphan_response")).append((f & 32) != 0);
      if ((f & 16) != 0) {
        b.append(',').append(member("request_not_captured")).append(true);
      }
      b.append(',').append(member("request_complete")).append((f & 8) != 0);
      b.append(',').append(member("response_complete")).append((f & 4) != 0);
      b.append(',').append(member("gap_affected")).append((f & 2) != 0);
      b.append(',').append(member("close_delimited")).append((f & 1) != 0);
      FLAGS[f] = ascii(b.append(',').append(member("anomalies")).append('[').toString());
    }
  }

  private static final byte[] CLIENT_ASKED =
      ascii("]," + member("keepalive") + "{" + member("client_asked"));
  private static final byte[] PROXY_CONNECTION = field("proxy_connection");
  private static final byte[] SERVER_ANSWERED = field("server_answered");
  private static final byte[] KEEP_ALIVE_MAX = field("keep_alive_max");
  private static final byte[] KEEP_ALIVE_TIMEOUT_S = field("keep_alive_timeout_s");

  /** {@code persistent} and the ends of {@code keepalive} and of the transaction: false, true. */
  private static final byte[][] PERSISTENT = {
    ascii("," + member("persistent") + "false}}"), ascii("," + member("persistent") + "true}}")
  };

  // The string fields' places (slots) in the memory of what was written there last (JsonBytes's
  // put(int, byte[], String)); a kept header's, first in its object or not, from S_REQUEST_HEADERS
  // or
  // S_RESPONSE_HEADERS on
  private static final int S_METHOD = 0;
  private static final int S_URI = 1;
  private static final int S_VERSION = 2;
  private static final int S_REASON = 3;
  private static final int S_RESPONSE_VERSION = 4;
  private static final int S_REQUEST_FRAMING = 5;
  private static final int S_RESPONSE_FRAMING = 6;
  private static final int S_CLIENT_ASKED = 7;
  private static final int S_PROXY_CONNECTION = 8;
  private static final int S_SERVER_ANSWERED = 9;
  private static final int S_REQUEST_HEADERS = 10;
  private static final int S_RESPONSE_HEADERS = S_REQUEST_HEADERS + 2 * HEADER_NAMES.length;
  private static final int SLOTS = S_RESPONSE_HEADERS + 2 * HEADER_NAMES.length;

  TransactionJson() {
    super(SLOTS);
  }

  /** A field after another: the comma, its name and colon. */
  private static byte[] field(String name) {
    return ascii("," + member(name));
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

  /** Writes one transaction. */
  void write(TransactionResult t) {
    reset();
    put(START, t.index());
    put(DEPTH, t.depth());
    put(PIPELINE_DEPTH, t.pipelineDepth());
    put(S_METHOD, METHOD, t.method());
    put(S_URI, URI, t.uri());
    put(S_VERSION, VERSION, t.version());
    Integer status = t.status();
    if (status != null) { // since 1.3.0: null, not 0, when there is no final response
      put(STATUS, status);
    } else {
      raw(STATUS_NULL);
    }
    put(S_REASON, REASON, t.reason());
    put(S_RESPONSE_VERSION, RESPONSE_VERSION, t.responseVersion());
    raw(INTERIM_STATUSES);
    List<Integer> interim = t.interimStatuses();
    for (int i = 0; i < interim.size(); i++) { // indexed: no iterator per transaction
      put(i == 0 ? NO_COMMA : COMMA, interim.get(i));
    }
    headers(REQUEST_HEADERS, S_REQUEST_HEADERS, t.requestHeaders());
    headers(RESPONSE_HEADERS, S_RESPONSE_HEADERS, t.responseHeaders());
    put(REQUEST_HEADER_BYTES, t.requestHeaderBytes());
    put(REQUEST_BODY_BYTES, t.requestBodyBytes());
    put(REQUEST_BODY_GAP_BYTES, t.requestBodyGapBytes());
    put(S_REQUEST_FRAMING, REQUEST_FRAMING, t.requestFraming());
    put(RESPONSE_HEADER_BYTES, t.responseHeaderBytes());
    put(RESPONSE_BODY_BYTES, t.responseBodyBytes());
    put(RESPONSE_BODY_GAP_BYTES, t.responseBodyGapBytes());
    put(S_RESPONSE_FRAMING, RESPONSE_FRAMING, t.responseFraming());
    putOpt(REQUEST_FRAME, t.requestFrame());
    putOpt(REQUEST_LAST_FRAME, t.requestLastFrame());
    putOpt(RESPONSE_FRAME, t.responseFrame());
    putOpt(RESPONSE_LAST_FRAME, t.responseLastFrame());
    putOpt(REQUEST_START_US, t.requestStartUs());
    putOpt(REQUEST_END_US, t.requestEndUs());
    putOpt(RESPONSE_START_US, t.responseStartUs());
    putOpt(RESPONSE_END_US, t.responseEndUs());
    TransactionResult.Timings timings = t.timings();
    putOpt(CONNECT_US, timings.connectUs());
    putOpt(SEND_US, timings.sendUs());
    putOpt(WAIT_US, timings.waitUs());
    putOpt(RECEIVE_US, timings.receiveUs());
    putOpt(SERVER_US, timings.serverUs());
    raw(STALLS);
    List<TransactionResult.Stall> stalls = timings.stalls();
    for (int i = 0; i < stalls.size(); i++) {
      TransactionResult.Stall s = stalls.get(i);
      put(i == 0 ? FIRST_TYPE : NEXT_TYPE, s.type());
      put(COST_US, s.costUs());
      raw(OBJECT_END);
    }
    raw(UNANSWERED[t.unanswered() ? 1 : 0]);
    TransactionResult.ResponseNotCaptured lost = t.responseNotCaptured();
    if (lost != null) { // since 1.2.0
      put(BYTES_ACKNOWLEDGED, lost.bytesAcknowledged());
      putOpt(ACK_FRAME, lost.ackFrame());
      putOpt(ACK_US, lost.ackUs());
      raw(OBJECT_END);
    }
    if (t.requestWireBytes() >= 0) {
      put(REQUEST_WIRE_BYTES, t.requestWireBytes()); // since 1.2.0
    }
    if (t.responseWireBytes() >= 0) {
      put(RESPONSE_WIRE_BYTES, t.responseWireBytes()); // since 1.2.0
    }
    raw(FLAGS[flags(t)]); // request_not_captured since 1.2.0, when true
    List<String> anomalies = t.anomalies();
    for (int i = 0; i < anomalies.size(); i++) {
      put(i == 0 ? NO_COMMA : COMMA, anomalies.get(i));
    }
    TransactionResult.KeepAliveNegotiation n = t.keepalive();
    put(S_CLIENT_ASKED, CLIENT_ASKED, n.clientAsked());
    if (n.proxyConnection() != null) {
      put(S_PROXY_CONNECTION, PROXY_CONNECTION, n.proxyConnection());
    }
    put(S_SERVER_ANSWERED, SERVER_ANSWERED, n.serverAnswered());
    if (n.keepAliveMax() >= 0) {
      put(KEEP_ALIVE_MAX, n.keepAliveMax());
    }
    if (n.keepAliveTimeoutS() >= 0) {
      put(KEEP_ALIVE_TIMEOUT_S, n.keepAliveTimeoutS());
    }
    raw(PERSISTENT[n.persistent() ? 1 : 0]);
  }

  /** The index in {@link #FLAGS} of the booleans of {@code t}. */
  private static int flags(TransactionResult t) {
    return (t.orphanResponse() ? 32 : 0)
        | (t.requestNotCaptured() ? 16 : 0)
        | (t.requestComplete() ? 8 : 0)
        | (t.responseComplete() ? 4 : 0)
        | (t.gapAffected() ? 2 : 0)
        | (t.closeDelimited() ? 1 : 0);
  }

  /** The fragment that ends what came before and opens the object, then the headers. */
  private void headers(byte[] open, int slots, Map<String, String> h) {
    raw(open);
    if (h instanceof HeaderMap m) { // the analysis's: by index, no iterator
      int k = 0; // the analysis's names are HEADER_NAMES's strings, in their order
      for (int i = 0; i < m.size(); i++) {
        String name = m.name(i);
        int seen = 0;
        while (HEADER_NAMES[k] != name && ++seen < HEADER_NAMES.length) {
          k = k + 1 < HEADER_NAMES.length ? k + 1 : 0;
        }
        if (HEADER_NAMES[k] == name) {
          put(
              slots + 2 * k + (i == 0 ? 0 : 1),
              i == 0 ? FIRST_HEADER[k] : NEXT_HEADER[k],
              m.value(i));
        } else {
          header(i == 0, name, m.value(i));
        }
      }
    } else if (!h.isEmpty()) {
      boolean first = true;
      for (Map.Entry<String, String> e : h.entrySet()) {
        header(first, e.getKey(), e.getValue());
        first = false;
      }
    }
  }

  /** A header whose name may be any string (a report read back may hold others). */
  private void header(boolean first, String name, String value) {
    Integer k = HEADER_BY_NAME.get(name);
    if (k != null) {
      put(first ? FIRST_HEADER[k] : NEXT_HEADER[k], value);
      return;
    }
    put(first ? NO_COMMA : COMMA, name);
    put(COLON, value);
  }
}
