package io.connscope.report;

import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import java.util.List;
import java.util.Map;

/**
 * Writes a connection's head for the JSON report ({@link JsonReportWriter}): the connection object
 * up to its open {@code transactions} array, whose elements are spooled apart and closed by the
 * connection's trailer. A large capture has a hundred thousand connections of about a hundred
 * fields each, so they are written as bytes ({@link JsonBytes}), the bytes Jackson's compact
 * generator wrote for them (the report goldens, {@code ConnectionJsonTest} and {@code
 * ConnectionBytesTest} compare them). Every field has its place, so the structure is fragments of
 * bytes made once: each field's comma, quoted name and colon, with the constant structure around it
 * (the end of the object before, the start of the object it opens), and a boolean with the name of
 * the field after it, one fragment per value; a field is one copy of its fragment and its value,
 * with one check of the buffer's room. A direction's six loss counters when all 0, and empty
 * anomalies and stall summaries, are in fragments too (no iterator). A string field remembers the
 * string written there last and, when the same comes again, is one copy of the bytes written for
 * it. Keys that come from the data (HTTP anomaly codes, stall summary types) are escaped as any
 * string. The {@code tls} object is written by {@link TlsReport} with the generator-like calls. One
 * instance per report writer; not thread-safe.
 */
final class ConnectionJson extends JsonBytes {
  /** The id's name and the start of its value: "C" and the number follow (ConnectionIds.of). */
  private static final byte[] ID_C = ascii(member("id") + "\"C");

  private static final byte[] CLIENT_IP = ascii("\"," + member("client") + "{" + member("ip"));
  private static final byte[] PORT = field("port");
  private static final byte[] SERVER_IP = ascii("}," + member("server") + "{" + member("ip"));
  private static final byte[] IP_VERSION = ascii("}," + member("ip_version"));
  private static final byte[] ROLES_FROM = field("roles_from");

  /** {@code roles_inferred}, false and true, and the name of {@code first_frame}. */
  private static final byte[][] ROLES_INFERRED = booleans("roles_inferred", "first_frame");

  private static final byte[] LAST_FRAME = field("last_frame");
  private static final byte[] START_US = field("start_us");
  private static final byte[] END_US = field("end_us");
  private static final byte[] SYN_FRAME =
      ascii("," + member("handshake") + "{" + member("syn_frame"));
  private static final byte[] SYN_US = field("syn_us");
  private static final byte[] SYN_ACK_FRAME = field("syn_ack_frame");
  private static final byte[] SYN_ACK_US = field("syn_ack_us");
  private static final byte[] ACK_FRAME = field("ack_frame");
  private static final byte[] ACK_US = field("ack_us");
  private static final byte[] SYN_COUNT = field("syn_count");
  private static final byte[] SYN_ACK_COUNT = field("syn_ack_count");
  private static final byte[] RTT_TO_SERVER_US = field("rtt_to_server_us");
  private static final byte[] RTT_TO_CLIENT_US = field("rtt_to_client_us");
  private static final byte[] VANTAGE = ascii("}," + member("vantage"));
  private static final byte[] COVERAGE = field("coverage");
  private static final byte[] CLOSE_REASON = ascii("," + member("close") + "{" + member("reason"));
  private static final byte[] FIRST_BY = field("first_by");
  private static final byte[] HISTORY = ascii("}," + member("history"));
  // a direction (Half): its name and first field, the end of what came before included
  private static final byte[] CLIENT_TO_SERVER =
      ascii("," + member("client_to_server") + "{" + member("packets"));
  private static final byte[] SERVER_TO_CLIENT =
      ascii("}," + member("server_to_client") + "{" + member("packets"));
  private static final byte[] PAYLOAD_BYTES = field("payload_bytes");
  private static final byte[] DATA_SEGMENTS = field("data_segments");
  private static final byte[] RETRANSMISSIONS = field("retransmissions");
  private static final byte[] RETRANSMITTED_BYTES = field("retransmitted_bytes");
  private static final byte[] OUT_OF_ORDER = field("out_of_order");
  private static final byte[] OVERLAP_CONFLICTS = field("overlap_conflicts");
  private static final byte[] GAPS = field("gaps");
  private static final byte[] GAP_BYTES = field("gap_bytes");

  /** The six fields from {@code retransmissions} to {@code gap_bytes}, all 0 (most directions). */
  private static final byte[] NO_LOSS =
      ascii(
          ","
              + member("retransmissions")
              + "0,"
              + member("retransmitted_bytes")
              + "0,"
              + member("out_of_order")
              + "0,"
              + member("overlap_conflicts")
              + "0,"
              + member("gaps")
              + "0,"
              + member("gap_bytes")
              + "0");

  private static final byte[] MSS = field("mss");
  private static final byte[] WINDOW_SCALE = field("window_scale");

  /** {@code sack_permitted}, false and true, and the name of {@code max_window}. */
  private static final byte[][] SACK_PERMITTED = booleans("sack_permitted", "max_window");

  private static final byte[] ZERO_WINDOWS = field("zero_windows");
  private static final byte[] FIN_FRAME = field("fin_frame");
  private static final byte[] RST_FRAME = field("rst_frame");

  /** The end of the last direction, {@code http} opened and {@code detected}: false, true. */
  private static final byte[][] DETECTED = {
    ascii("}," + member("http") + "{" + member("detected") + "false"),
    ascii("}," + member("http") + "{" + member("detected") + "true")
  };

  private static final byte[] NOT_HTTP_REASON = field("not_http_reason");
  private static final byte[] MAX_PIPELINE_DEPTH = field("max_pipeline_depth");

  /**
   * By {@code (reversed ? 2 : 0) | (tunnel ? 1 : 0)}: {@code reversed} (since 1.1.0, only when
   * true: the handshake's server sends the requests), {@code tunnel} and the start of {@code
   * anomalies}; from 4 on, the same with the anomalies empty and the end of {@code http}.
   */
  private static final byte[][] HTTP_FLAGS = new byte[8][];

  static {
    for (int f = 0; f < HTTP_FLAGS.length; f++) {
      HTTP_FLAGS[f] =
          ascii(
              ((f & 2) != 0 ? "," + member("reversed") + "true" : "")
                  + ","
                  + member("tunnel")
                  + ((f & 1) != 0)
                  + ","
                  + member("anomalies")
                  + ((f & 4) != 0 ? "{}}" : "{"));
    }
  }

  private static final byte[] OBJECT_END = ascii("}");
  private static final byte[] OBJECTS_END = ascii("}}");
  // keepalive (since 1.1.0: how the connection ended, for keep-alive analysis)
  private static final byte[] KEEPALIVE_REQUESTS =
      ascii("," + member("keepalive") + "{" + member("requests"));

  /** {@code reused}, false and true, and the name of {@code closed_by}. */
  private static final byte[][] REUSED = booleans("reused", "closed_by");

  private static final byte[] CLOSE_KIND = field("close_kind");
  private static final byte[] CLOSE_FRAME = field("close_frame");
  private static final byte[] CLOSE_US = field("close_us");
  private static final byte[] CLOSED_AFTER = field("closed_after");
  private static final byte[] IDLE_BEFORE_CLOSE_US = field("idle_before_close_us");

  /** {@code stall_summary} opened: not after the keep-alive object, after it (its end first). */
  private static final byte[][] STALL_SUMMARY = {
    ascii("," + member("stall_summary") + "{"), ascii("}," + member("stall_summary") + "{")
  };

  /** {@code stall_summary} empty, as {@link #STALL_SUMMARY}. */
  private static final byte[][] NO_STALL_SUMMARY = {
    ascii("," + member("stall_summary") + "{}"), ascii("}," + member("stall_summary") + "{}")
  };

  /** A stall type after another: the end of the other's object. */
  private static final byte[] NEXT_STALL = ascii("},");

  private static final byte[] COUNT = ascii(":{" + member("count"));
  private static final byte[] TOTAL_US = field("total_us");
  private static final byte[] MEDIAN_US = field("median_us");
  // transfers and time_sequence
  private static final byte[] FIRST_TRANSFER =
      ascii("," + member("transfers") + "[{" + member("sender"));
  private static final byte[] NEXT_TRANSFER = ascii("},{" + member("sender"));
  private static final byte[] TRANSACTION = field("transaction");
  private static final byte[] FIRST_FRAME = field("first_frame");
  private static final byte[] SEGMENTS = field("segments");
  private static final byte[] BYTES = field("bytes");
  private static final byte[] DURATION_US = field("duration_us");
  private static final byte[] RECEIVE_WINDOW_US = field("receive_window_us");
  private static final byte[] ZERO_WINDOW_US = field("zero_window_us");
  private static final byte[] APPLICATION_US = field("application_us");
  private static final byte[] SLOW_START_US = field("slow_start_us");
  private static final byte[] RECOVERY_US = field("recovery_us");
  private static final byte[] CONGESTION_AVOIDANCE_US = field("congestion_avoidance_us");
  private static final byte[] LOST_SEGMENTS = field("lost_segments");
  private static final byte[] GOODPUT_BPS = field("goodput_bps");
  private static final byte[] PATH_RATE_BPS = field("path_rate_bps");

  /** {@code path_rate_lower_bound}, false and true, and the name of {@code rtt_us}. */
  private static final byte[][] PATH_RATE_LOWER_BOUND = booleans("path_rate_lower_bound", "rtt_us");

  private static final byte[] BDP_BYTES = field("bdp_bytes");
  private static final byte[] LIMIT = field("limit");
  private static final byte[] COST_US = field("cost_us");
  private static final byte[] TRANSFERS_END = ascii("}]");
  private static final byte[] TIME_SEQUENCE_SENDER =
      ascii("," + member("time_sequence") + "{" + member("sender"));

  /** {@code sampled}, false and true, and the start of {@code segments}. */
  private static final byte[][] SAMPLED = {
    ascii("," + member("sampled") + "false," + member("segments") + "["),
    ascii("," + member("sampled") + "true," + member("segments") + "[")
  };

  /** A row of numbers: the first, another. */
  private static final byte[] FIRST_ROW = ascii("[");

  private static final byte[] NEXT_ROW = ascii(",[");

  /** A segment's retransmission flag (0, 1) and the end of its row. */
  private static final byte[][] RETRANSMISSION = {ascii(",0]"), ascii(",1]")};

  private static final byte[] ROW_END = ascii("]");
  private static final byte[] ACKS = ascii("]," + member("acks") + "[");
  private static final byte[] SACKS = ascii("]," + member("sacks") + "[");
  private static final byte[] TIME_SEQUENCE_END = ascii("]}");
  private static final byte[] TRANSACTION_COUNT = field("transaction_count");
  private static final byte[] TRANSACTIONS = ascii("," + member("transactions") + "[");

  // The string fields' slots (JsonBytes's put(int, byte[], String)): a field's, or, after a
  // boolean, one per value of the boolean (their fragments differ)
  private static final int S_CLIENT_IP = 0;
  private static final int S_SERVER_IP = 1;
  private static final int S_ROLES_FROM = 2;
  private static final int S_VANTAGE = 3;
  private static final int S_COVERAGE = 4;
  private static final int S_REASON = 5;
  private static final int S_FIRST_BY = 6;
  private static final int S_HISTORY = 7;
  private static final int S_NOT_HTTP_REASON = 8;
  private static final int S_CLOSED_BY = 9; // and 10: not reused, reused
  private static final int S_CLOSE_KIND = 11;
  private static final int SLOTS = 12;

  ConnectionJson() {
    super(SLOTS);
  }

  /** A field after another: the comma, its name and colon. */
  private static byte[] field(String name) {
    return ascii("," + member(name));
  }

  /** A boolean field, false and true, and the name of the field after it. */
  private static byte[][] booleans(String name, String next) {
    return new byte[][] {
      ascii("," + member(name) + "false," + member(next)),
      ascii("," + member(name) + "true," + member(next))
    };
  }

  /**
   * Writes {@code c}'s head: from its opening brace to its open transactions array, the last bytes
   * being {@code "transactions":[}. Replaces what was written before.
   */
  void write(ConnectionResult c) {
    reset();
    startObject(); // the generator-like calls of TlsReport.json find the object with a member
    name(ID_C);
    number(c.id()); // "C" and the number, any number: ConnectionIds.of
    Endpoint client = c.client();
    put(S_CLIENT_IP, CLIENT_IP, client.ip());
    put(PORT, client.port());
    Endpoint server = c.server();
    put(S_SERVER_IP, SERVER_IP, server.ip());
    put(PORT, server.port());
    put(IP_VERSION, c.ipVersion());
    put(S_ROLES_FROM, ROLES_FROM, c.rolesFrom());
    put(ROLES_INFERRED[c.rolesInferred() ? 1 : 0], c.firstFrame());
    put(LAST_FRAME, c.lastFrame());
    put(START_US, c.startUs());
    put(END_US, c.endUs());
    ConnectionResult.Handshake h = c.handshake();
    putOpt(SYN_FRAME, h.synFrame());
    putOpt(SYN_US, h.synUs());
    putOpt(SYN_ACK_FRAME, h.synAckFrame());
    putOpt(SYN_ACK_US, h.synAckUs());
    putOpt(ACK_FRAME, h.ackFrame());
    putOpt(ACK_US, h.ackUs());
    put(SYN_COUNT, h.synCount());
    put(SYN_ACK_COUNT, h.synAckCount());
    putOpt(RTT_TO_SERVER_US, h.rttToServerUs());
    putOpt(RTT_TO_CLIENT_US, h.rttToClientUs());
    put(S_VANTAGE, VANTAGE, c.vantage());
    if (c.coverage() != null) {
      put(S_COVERAGE, COVERAGE, c.coverage()); // since 1.2.0: a direction with no packet in it
    }
    put(S_REASON, CLOSE_REASON, c.close().reason());
    put(S_FIRST_BY, FIRST_BY, c.close().firstBy());
    put(S_HISTORY, HISTORY, c.history());
    half(CLIENT_TO_SERVER, c.clientToServer());
    half(SERVER_TO_CLIENT, c.serverToClient());
    ConnectionResult.Http http = c.http();
    raw(DETECTED[http != null && http.detected() ? 1 : 0]);
    if (http != null) {
      if (http.notHttpReason() != null) {
        put(S_NOT_HTTP_REASON, NOT_HTTP_REASON, http.notHttpReason());
      }
      put(MAX_PIPELINE_DEPTH, http.maxPipelineDepth());
      Map<String, Long> anomalies = http.anomalies();
      int flags = (http.reversed() ? 2 : 0) | (http.tunnel() ? 1 : 0);
      if (anomalies.isEmpty()) { // most connections: no iterator
        raw(HTTP_FLAGS[4 | flags]);
      } else {
        raw(HTTP_FLAGS[flags]);
        byte[] comma = NO_COMMA;
        for (Map.Entry<String, Long> e : anomalies.entrySet()) {
          put(comma, e.getKey()); // a key from the data (a report read back may hold any)
          put(COLON, e.getValue());
          comma = COMMA;
        }
        raw(OBJECTS_END);
      }
    } else {
      raw(OBJECT_END);
    }
    TlsReport.json(this, c.tls()); // TLS connections only (additive)
    ConnectionResult.KeepAliveEnding k = c.keepalive();
    if (k != null) {
      keepAlive(k);
    }
    // per finding type on this connection: how many, the time they cost in total and the median
    Map<String, ConnectionResult.StallSummary> stalls = c.stallSummary();
    int after = k != null ? 1 : 0;
    if (stalls.isEmpty()) {
      raw(NO_STALL_SUMMARY[after]);
    } else {
      raw(STALL_SUMMARY[after]);
      byte[] next = NO_COMMA;
      for (Map.Entry<String, ConnectionResult.StallSummary> e : stalls.entrySet()) {
        put(next, e.getKey()); // a key from the data, as above
        ConnectionResult.StallSummary s = e.getValue();
        put(COUNT, s.count());
        put(TOTAL_US, s.totalUs());
        put(MEDIAN_US, s.medianUs());
        next = NEXT_STALL;
      }
      raw(OBJECTS_END);
    }
    transfers(c);
    put(TRANSACTION_COUNT, c.transactionCount());
    raw(TRANSACTIONS);
  }

  /**
   * A direction, opened by {@code open}: the end of what came before, its name, {@code packets}.
   */
  private void half(byte[] open, ConnectionResult.Half h) {
    put(open, h.packets());
    put(PAYLOAD_BYTES, h.payloadBytes());
    put(DATA_SEGMENTS, h.dataSegments());
    if ((h.retransmissions()
            | h.retransmittedBytes()
            | h.outOfOrder()
            | h.overlapConflicts()
            | h.gaps()
            | h.gapBytes())
        == 0) {
      raw(NO_LOSS);
    } else {
      put(RETRANSMISSIONS, h.retransmissions());
      put(RETRANSMITTED_BYTES, h.retransmittedBytes());
      put(OUT_OF_ORDER, h.outOfOrder());
      put(OVERLAP_CONFLICTS, h.overlapConflicts());
      put(GAPS, h.gaps());
      put(GAP_BYTES, h.gapBytes());
    }
    putOpt(MSS, h.mss());
    putOpt(WINDOW_SCALE, h.windowScale());
    put(SACK_PERMITTED[h.sackPermitted() ? 1 : 0], h.maxWindow());
    put(ZERO_WINDOWS, h.zeroWindows());
    putOpt(FIN_FRAME, h.finFrame());
    putOpt(RST_FRAME, h.rstFrame());
  }

  /** Since 1.1.0: how the connection ended, for keep-alive analysis; its object left open. */
  private void keepAlive(ConnectionResult.KeepAliveEnding e) {
    put(KEEPALIVE_REQUESTS, e.requests());
    int reused = e.reused() ? 1 : 0;
    put(S_CLOSED_BY + reused, REUSED[reused], e.closedBy());
    put(S_CLOSE_KIND, CLOSE_KIND, e.closeKind());
    putOpt(CLOSE_FRAME, e.closeFrame());
    putOpt(CLOSE_US, e.closeUs());
    put(CLOSED_AFTER, e.closedAfter());
    putOpt(IDLE_BEFORE_CLOSE_US, e.idleBeforeCloseUs());
  }

  /**
   * Since 1.4.0: what limited each large transfer ({@code transfers}, when there is one) and the
   * time-sequence graph's points ({@code time_sequence}, on connections with a transfer finding).
   */
  private void transfers(ConnectionResult c) {
    List<ConnectionResult.Transfer> xs = c.transfers();
    for (int i = 0; i < xs.size(); i++) {
      ConnectionResult.Transfer x = xs.get(i);
      put(i == 0 ? FIRST_TRANSFER : NEXT_TRANSFER, x.sender());
      put(TRANSACTION, x.transaction());
      put(FIRST_FRAME, x.firstFrame());
      put(LAST_FRAME, x.lastFrame());
      put(SEGMENTS, x.segments());
      put(BYTES, x.bytes());
      put(DURATION_US, x.durationUs());
      put(RECEIVE_WINDOW_US, x.receiveWindowUs());
      put(ZERO_WINDOW_US, x.zeroWindowUs());
      put(APPLICATION_US, x.applicationUs());
      put(SLOW_START_US, x.slowStartUs());
      put(RECOVERY_US, x.recoveryUs());
      put(CONGESTION_AVOIDANCE_US, x.congestionAvoidanceUs());
      put(LOST_SEGMENTS, x.lostSegments());
      putOpt(GOODPUT_BPS, x.goodputBps());
      putOpt(PATH_RATE_BPS, x.pathRateBps());
      putOpt(PATH_RATE_LOWER_BOUND[x.pathRateLowerBound() ? 1 : 0], x.rttUs());
      putOpt(BDP_BYTES, x.bdpBytes());
      put(LIMIT, x.limit());
      put(COST_US, x.costUs());
    }
    if (!xs.isEmpty()) {
      raw(TRANSFERS_END);
    }
    ConnectionResult.TimeSequence ts = c.timeSequence();
    if (ts != null) {
      put(TIME_SEQUENCE_SENDER, ts.sender());
      raw(SAMPLED[ts.sampled() ? 1 : 0]);
      // compact rows: [us, frame, seq, end, retransmission 0/1], [us, frame, ack, window edge],
      // [us, frame, left, right]
      List<ConnectionResult.SeqSegment> segments = ts.segments();
      for (int i = 0; i < segments.size(); i++) {
        ConnectionResult.SeqSegment p = segments.get(i);
        put(i == 0 ? FIRST_ROW : NEXT_ROW, p.us());
        put(COMMA, p.frame());
        put(COMMA, p.seq());
        put(COMMA, p.end());
        raw(RETRANSMISSION[p.retransmission() ? 1 : 0]);
      }
      raw(ACKS);
      List<ConnectionResult.SeqAck> acks = ts.acks();
      for (int i = 0; i < acks.size(); i++) {
        ConnectionResult.SeqAck p = acks.get(i);
        row(i, p.us(), p.frame(), p.ack(), p.windowEdge());
      }
      raw(SACKS);
      List<ConnectionResult.SeqSack> sacks = ts.sacks();
      for (int i = 0; i < sacks.size(); i++) {
        ConnectionResult.SeqSack p = sacks.get(i);
        row(i, p.us(), p.frame(), p.left(), p.right());
      }
      raw(TIME_SEQUENCE_END);
    }
  }

  /** The {@code i}th row of four numbers. */
  private void row(int i, long a, long b, long c, long d) {
    put(i == 0 ? FIRST_ROW : NEXT_ROW, a);
    put(COMMA, b);
    put(COMMA, c);
    put(COMMA, d);
    raw(ROW_END);
  }
}
