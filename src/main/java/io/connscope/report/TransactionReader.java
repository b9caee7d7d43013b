package io.connscope.report;

import io.connscope.result.HeaderMap;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a transaction of the JSON report this process has just written straight into its record,
 * without a tree: the inverse of {@link TransactionJson}, binding each field as {@link
 * ResultJson#transaction} binds it from Jackson's tree (same defaults for a field that is absent:
 * -1 for an optional number, null for a string, 0 and false otherwise). Fields are matched by name,
 * in any order; a field it does not know is skipped. Markdown, HTML and HAR of a run read every
 * transaction of its report back, and the trees (a map and a node per field) were most of that
 * cost. Only for the writer's own file ({@link ReportSource#written}): a value of another type than
 * written is an IOException. Reports from elsewhere are read by Jackson and checked against the
 * schema.
 */
final class TransactionReader {
  private static final String[] FIELDS = {
    "index",
    "depth",
    "pipeline_depth",
    "method",
    "uri",
    "version",
    "status",
    "reason",
    "response_version",
    "interim_statuses",
    "request_headers",
    "response_headers",
    "request_header_bytes",
    "request_body_bytes",
    "request_body_gap_bytes",
    "request_framing",
    "response_header_bytes",
    "response_body_bytes",
    "response_body_gap_bytes",
    "response_framing",
    "request_frame",
    "request_last_frame",
    "response_frame",
    "response_last_frame",
    "request_start_us",
    "request_end_us",
    "response_start_us",
    "response_end_us",
    "timings",
    "unanswered",
    "response_not_captured",
    "request_wire_bytes",
    "response_wire_bytes",
    "orphan_response",
    "request_not_captured",
    "request_complete",
    "response_complete",
    "gap_affected",
    "close_delimited",
    "anomalies",
    "keepalive"
  };

  private static final TreeReader.Names NAMES = new TreeReader.Names(FIELDS);

  private static final TreeReader.Names TIMINGS =
      new TreeReader.Names("connect_us", "send_us", "wait_us", "receive_us", "server_us", "stalls");

  private static final TreeReader.Names STALL = new TreeReader.Names("type", "cost_us");

  private static final TreeReader.Names LOST =
      new TreeReader.Names("bytes_acknowledged", "ack_frame", "ack_us");

  private static final TreeReader.Names KEEPALIVE =
      new TreeReader.Names(
          "client_asked",
          "proxy_connection",
          "server_answered",
          "keep_alive_max",
          "keep_alive_timeout_s",
          "persistent");

  private static final TransactionResult.Timings NO_TIMINGS =
      new TransactionResult.Timings(-1, -1, -1, -1, -1, List.of());

  private static final TransactionResult.KeepAliveNegotiation NO_KEEPALIVE =
      new TransactionResult.KeepAliveNegotiation(null, null, null, -1, -1, false);

  private final TreeReader r;

  /** Header names and values of the map being read. */
  private String[] pairs = new String[16];

  TransactionReader(TreeReader r) {
    this.r = r;
  }

  /** How a field's value is read: an integer (null as 0), an optional integer (null as -1)... */
  private static final byte INT = 0;

  private static final byte OPT = 1;
  private static final byte TEXT = 2;
  private static final byte BOOL = 3;
  private static final byte OTHER = 4;

  /** Per field of {@link #FIELDS}: how its value is read. */
  private static final byte[] KIND = new byte[FIELDS.length];

  /** Per field: its value when absent (numbers and booleans as 0 or 1). */
  private static final long[] ABSENT = new long[FIELDS.length];

  static {
    java.util.Arrays.fill(KIND, OTHER);
    for (String f :
        List.of(
            "index",
            "depth",
            "pipeline_depth",
            "status",
            "request_header_bytes",
            "request_body_bytes",
            "request_body_gap_bytes",
            "response_header_bytes",
            "response_body_bytes",
            "response_body_gap_bytes")) {
      KIND[at(f)] = INT;
    }
    for (String f :
        List.of(
            "request_frame",
            "request_last_frame",
            "response_frame",
            "response_last_frame",
            "request_start_us",
            "request_end_us",
            "response_start_us",
            "response_end_us",
            "request_wire_bytes",
            "response_wire_bytes")) {
      KIND[at(f)] = OPT;
      ABSENT[at(f)] = -1;
    }
    for (String f :
        List.of(
            "method",
            "uri",
            "version",
            "reason",
            "response_version",
            "request_framing",
            "response_framing")) {
      KIND[at(f)] = TEXT;
    }
    for (String f :
        List.of(
            "unanswered",
            "orphan_response",
            "request_not_captured",
            "request_complete",
            "response_complete",
            "gap_affected",
            "close_delimited")) {
      KIND[at(f)] = BOOL;
    }
  }

  private static int at(String field) {
    return java.util.Arrays.asList(FIELDS).indexOf(field);
  }

  private static final int INDEX = at("index");
  private static final int DEPTH = at("depth");
  private static final int PIPELINE_DEPTH = at("pipeline_depth");
  private static final int METHOD = at("method");
  private static final int URI = at("uri");
  private static final int VERSION = at("version");
  private static final int STATUS = at("status");
  private static final int REASON = at("reason");
  private static final int RESPONSE_VERSION = at("response_version");
  private static final int INTERIM = at("interim_statuses");
  private static final int REQUEST_HEADERS = at("request_headers");
  private static final int RESPONSE_HEADERS = at("response_headers");
  private static final int REQUEST_HEADER_BYTES = at("request_header_bytes");
  private static final int REQUEST_BODY_BYTES = at("request_body_bytes");
  private static final int REQUEST_BODY_GAP_BYTES = at("request_body_gap_bytes");
  private static final int REQUEST_FRAMING = at("request_framing");
  private static final int RESPONSE_HEADER_BYTES = at("response_header_bytes");
  private static final int RESPONSE_BODY_BYTES = at("response_body_bytes");
  private static final int RESPONSE_BODY_GAP_BYTES = at("response_body_gap_bytes");
  private static final int RESPONSE_FRAMING = at("response_framing");
  private static final int REQUEST_FRAME = at("request_frame");
  private static final int REQUEST_LAST_FRAME = at("request_last_frame");
  private static final int RESPONSE_FRAME = at("response_frame");
  private static final int RESPONSE_LAST_FRAME = at("response_last_frame");
  private static final int REQUEST_START_US = at("request_start_us");
  private static final int REQUEST_END_US = at("request_end_us");
  private static final int RESPONSE_START_US = at("response_start_us");
  private static final int RESPONSE_END_US = at("response_end_us");
  private static final int TIMINGS_AT = at("timings");
  private static final int UNANSWERED = at("unanswered");
  private static final int LOST_AT = at("response_not_captured");
  private static final int REQUEST_WIRE_BYTES = at("request_wire_bytes");
  private static final int RESPONSE_WIRE_BYTES = at("response_wire_bytes");
  private static final int ORPHAN_RESPONSE = at("orphan_response");
  private static final int REQUEST_NOT_CAPTURED = at("request_not_captured");
  private static final int REQUEST_COMPLETE = at("request_complete");
  private static final int RESPONSE_COMPLETE = at("response_complete");
  private static final int GAP_AFFECTED = at("gap_affected");
  private static final int CLOSE_DELIMITED = at("close_delimited");
  private static final int ANOMALIES = at("anomalies");
  private static final int KEEPALIVE_AT = at("keepalive");

  /** The values of the transaction being read, by field: numbers and booleans, strings, others. */
  private final long[] num = new long[FIELDS.length];

  private final String[] text = new String[FIELDS.length];
  private final Object[] other = new Object[FIELDS.length];

  /**
   * Reads the transaction object that comes next, of connection number {@code connection}. The
   * values are read by kind in one small loop and the record made from them after: a method that
   * read each field in its own branch was so large that C2 took seconds to compile it.
   */
  TransactionResult read(long connection) throws IOException {
    System.arraycopy(ABSENT, 0, num, 0, num.length);
    java.util.Arrays.fill(text, null);
    java.util.Arrays.fill(other, null);
    r.beginObject();
    // the writer's order (TransactionJson) is this one: each name is checked against the next
    for (int f = r.field(NAMES, 0); f != TreeReader.END; f = r.field(NAMES, f + 1)) {
      if (f < 0) {
        r.skipValue();
        continue;
      }
      switch (KIND[f]) {
        case INT -> num[f] = r.longOr(0); // asInt, asLong: null is 0
        case OPT -> num[f] = r.longOr(-1);
        case TEXT -> text[f] = r.text();
        case BOOL -> num[f] = r.booleanValue() ? 1 : 0;
        default -> other[f] = other(f);
      }
    }
    int status = (int) num[STATUS]; // 0: no final response
    return new TransactionResult(
        connection,
        (int) num[INDEX],
        (int) num[DEPTH],
        (int) num[PIPELINE_DEPTH],
        text[METHOD],
        text[URI],
        text[VERSION],
        status > 0 ? status : null,
        text[REASON],
        text[RESPONSE_VERSION],
        orElse(other[INTERIM], List.<Integer>of()),
        orElse(other[REQUEST_HEADERS], HeaderMap.own(pairs, 0)),
        orElse(other[RESPONSE_HEADERS], HeaderMap.own(pairs, 0)),
        num[REQUEST_HEADER_BYTES],
        num[REQUEST_BODY_BYTES],
        num[REQUEST_BODY_GAP_BYTES],
        text[REQUEST_FRAMING],
        num[RESPONSE_HEADER_BYTES],
        num[RESPONSE_BODY_BYTES],
        num[RESPONSE_BODY_GAP_BYTES],
        text[RESPONSE_FRAMING],
        num[REQUEST_FRAME],
        num[REQUEST_LAST_FRAME],
        num[RESPONSE_FRAME],
        num[RESPONSE_LAST_FRAME],
        num[REQUEST_START_US],
        num[REQUEST_END_US],
        num[RESPONSE_START_US],
        num[RESPONSE_END_US],
        orElse(other[TIMINGS_AT], NO_TIMINGS),
        num[UNANSWERED] != 0,
        (TransactionResult.ResponseNotCaptured) other[LOST_AT],
        num[REQUEST_WIRE_BYTES],
        num[RESPONSE_WIRE_BYTES],
        num[ORPHAN_RESPONSE] != 0,
        num[REQUEST_NOT_CAPTURED] != 0,
        num[REQUEST_COMPLETE] != 0,
        num[RESPONSE_COMPLETE] != 0,
        num[GAP_AFFECTED] != 0,
        num[CLOSE_DELIMITED] != 0,
        orElse(other[ANOMALIES], List.<String>of()),
        orElse(other[KEEPALIVE_AT], NO_KEEPALIVE));
  }

  @SuppressWarnings("unchecked")
  private static <T> T orElse(Object v, T absent) {
    return v != null ? (T) v : absent;
  }

  /** The value of field {@code f}, one of the arrays and objects. */
  private Object other(int f) throws IOException {
    if (f == INTERIM) {
      return integers();
    } else if (f == REQUEST_HEADERS || f == RESPONSE_HEADERS) {
      return headers();
    } else if (f == TIMINGS_AT) {
      return timings();
    } else if (f == LOST_AT) {
      return lost();
    } else if (f == ANOMALIES) {
      return texts();
    } else if (f == KEEPALIVE_AT) {
      return keepalive();
    }
    r.skipValue();
    return null;
  }

  /** An integer, or null read as 0 (Jackson's {@code asInt} and {@code asLong} of a null). */
  private long integer() throws IOException {
    return r.longOr(0);
  }

  private List<Integer> integers() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>(2);
    do {
      out.add((int) integer());
    } while (r.nextItem());
    return List.copyOf(out);
  }

  private List<String> texts() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(2);
    do {
      out.add(asText(r.text()));
    } while (r.nextItem());
    return List.copyOf(out);
  }

  /** Jackson's {@code asText} of a string or null node. */
  private static String asText(String s) {
    return s == null ? "null" : s;
  }

  private java.util.Map<String, String> headers() throws IOException {
    if (r.nullValue()) {
      return HeaderMap.own(pairs, 0);
    }
    r.beginObject();
    int n = 0;
    for (String name = r.nextField(); name != null; name = r.nextField()) {
      if (2 * n + 2 > pairs.length) {
        String[] more = new String[pairs.length * 2]; // not Arrays.copyOf: reflection (Headers.add)
        System.arraycopy(pairs, 0, more, 0, 2 * n);
        pairs = more;
      }
      pairs[2 * n] = name;
      pairs[2 * n + 1] = asText(r.text());
      n++;
    }
    if (n == 0) {
      return HeaderMap.own(pairs, 0);
    }
    String[] own = new String[2 * n];
    System.arraycopy(pairs, 0, own, 0, 2 * n);
    return HeaderMap.own(own, n);
  }

  private TransactionResult.Timings timings() throws IOException {
    if (r.nullValue()) {
      return NO_TIMINGS;
    }
    long connect = -1;
    long send = -1;
    long wait = -1;
    long receive = -1;
    long server = -1;
    List<TransactionResult.Stall> stalls = List.of();
    r.beginObject();
    for (int f = r.field(TIMINGS, 0); f != TreeReader.END; f = r.field(TIMINGS, f + 1)) {
      switch (f) {
        case 0 -> connect = r.longOr(-1);
        case 1 -> send = r.longOr(-1);
        case 2 -> wait = r.longOr(-1);
        case 3 -> receive = r.longOr(-1);
        case 4 -> server = r.longOr(-1);
        case 5 -> stalls = stalls();
        default -> r.skipValue();
      }
    }
    return new TransactionResult.Timings(connect, send, wait, receive, server, stalls);
  }

  private List<TransactionResult.Stall> stalls() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<TransactionResult.Stall> out = new ArrayList<>(2);
    do {
      String type = "";
      long cost = 0;
      r.beginObject();
      for (int f = r.field(STALL, 0); f != TreeReader.END; f = r.field(STALL, f + 1)) {
        switch (f) {
          case 0 -> type = asText(r.text());
          case 1 -> cost = integer();
          default -> r.skipValue();
        }
      }
      out.add(new TransactionResult.Stall(type, cost));
    } while (r.nextItem());
    return List.copyOf(out);
  }

  private TransactionResult.ResponseNotCaptured lost() throws IOException {
    if (r.nullValue()) {
      return null;
    }
    long bytes = 0;
    long ackFrame = -1;
    long ackUs = -1;
    r.beginObject();
    for (int f = r.field(LOST, 0); f != TreeReader.END; f = r.field(LOST, f + 1)) {
      switch (f) {
        case 0 -> bytes = integer();
        case 1 -> ackFrame = r.longOr(-1);
        case 2 -> ackUs = r.longOr(-1);
        default -> r.skipValue();
      }
    }
    return new TransactionResult.ResponseNotCaptured(bytes, ackFrame, ackUs);
  }

  private TransactionResult.KeepAliveNegotiation keepalive() throws IOException {
    if (r.nullValue()) {
      return NO_KEEPALIVE;
    }
    String asked = null;
    String proxy = null;
    String answered = null;
    long max = -1;
    long timeout = -1;
    boolean persistent = false;
    r.beginObject();
    for (int f = r.field(KEEPALIVE, 0); f != TreeReader.END; f = r.field(KEEPALIVE, f + 1)) {
      switch (f) {
        case 0 -> asked = r.text();
        case 1 -> proxy = r.text();
        case 2 -> answered = r.text();
        case 3 -> max = r.longOr(-1);
        case 4 -> timeout = r.longOr(-1);
        case 5 -> persistent = r.booleanValue();
        default -> r.skipValue();
      }
    }
    return new TransactionResult.KeepAliveNegotiation(
        asked, proxy, answered, (int) max, (int) timeout, persistent);
  }
}
