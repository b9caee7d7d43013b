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
 * generator wrote for them (the report goldens and {@code ConnectionJsonTest} compare them). Keys
 * that come from the data (HTTP anomaly codes, stall summary types) are escaped as any string. One
 * instance per report writer; not thread-safe.
 */
final class ConnectionJson extends JsonBytes {
  /** The id's name and the start of its value: "C" and the number follow (ConnectionIds.of). */
  private static final byte[] F_ID_C = ascii("\"id\":\"C");

  private static final byte[] F_ID = name("id");
  private static final byte[] F_CLIENT = name("client");
  private static final byte[] F_SERVER = name("server");
  private static final byte[] F_IP = name("ip");
  private static final byte[] F_PORT = name("port");
  private static final byte[] F_IP_VERSION = name("ip_version");
  private static final byte[] F_ROLES_FROM = name("roles_from");
  private static final byte[] F_ROLES_INFERRED = name("roles_inferred");
  private static final byte[] F_FIRST_FRAME = name("first_frame");
  private static final byte[] F_LAST_FRAME = name("last_frame");
  private static final byte[] F_START_US = name("start_us");
  private static final byte[] F_END_US = name("end_us");
  private static final byte[] F_HANDSHAKE = name("handshake");
  private static final byte[] F_SYN_FRAME = name("syn_frame");
  private static final byte[] F_SYN_US = name("syn_us");
  private static final byte[] F_SYN_ACK_FRAME = name("syn_ack_frame");
  private static final byte[] F_SYN_ACK_US = name("syn_ack_us");
  private static final byte[] F_ACK_FRAME = name("ack_frame");
  private static final byte[] F_ACK_US = name("ack_us");
  private static final byte[] F_SYN_COUNT = name("syn_count");
  private static final byte[] F_SYN_ACK_COUNT = name("syn_ack_count");
  private static final byte[] F_RTT_TO_SERVER_US = name("rtt_to_server_us");
  private static final byte[] F_RTT_TO_CLIENT_US = name("rtt_to_client_us");
  private static final byte[] F_VANTAGE = name("vantage");
  private static final byte[] F_COVERAGE = name("coverage");
  private static final byte[] F_CLOSE = name("close");
  private static final byte[] F_REASON = name("reason");
  private static final byte[] F_FIRST_BY = name("first_by");
  private static final byte[] F_HISTORY = name("history");
  private static final byte[] F_CLIENT_TO_SERVER = name("client_to_server");
  private static final byte[] F_SERVER_TO_CLIENT = name("server_to_client");
  private static final byte[] F_HTTP = name("http");
  private static final byte[] F_DETECTED = name("detected");
  private static final byte[] F_NOT_HTTP_REASON = name("not_http_reason");
  private static final byte[] F_MAX_PIPELINE_DEPTH = name("max_pipeline_depth");
  private static final byte[] F_REVERSED = name("reversed");
  private static final byte[] F_TUNNEL = name("tunnel");
  private static final byte[] F_ANOMALIES = name("anomalies");
  private static final byte[] F_STALL_SUMMARY = name("stall_summary");
  private static final byte[] F_COUNT = name("count");
  private static final byte[] F_TOTAL_US = name("total_us");
  private static final byte[] F_MEDIAN_US = name("median_us");
  private static final byte[] F_TRANSACTION_COUNT = name("transaction_count");
  private static final byte[] F_TRANSACTIONS = name("transactions");
  // a direction (Half)
  private static final byte[] F_PACKETS = name("packets");
  private static final byte[] F_PAYLOAD_BYTES = name("payload_bytes");
  private static final byte[] F_DATA_SEGMENTS = name("data_segments");
  private static final byte[] F_RETRANSMISSIONS = name("retransmissions");
  private static final byte[] F_RETRANSMITTED_BYTES = name("retransmitted_bytes");
  private static final byte[] F_OUT_OF_ORDER = name("out_of_order");
  private static final byte[] F_OVERLAP_CONFLICTS = name("overlap_conflicts");
  private static final byte[] F_GAPS = name("gaps");
  private static final byte[] F_GAP_BYTES = name("gap_bytes");
  private static final byte[] F_MSS = name("mss");
  private static final byte[] F_WINDOW_SCALE = name("window_scale");
  private static final byte[] F_SACK_PERMITTED = name("sack_permitted");
  private static final byte[] F_MAX_WINDOW = name("max_window");
  private static final byte[] F_ZERO_WINDOWS = name("zero_windows");
  private static final byte[] F_FIN_FRAME = name("fin_frame");
  private static final byte[] F_RST_FRAME = name("rst_frame");
  // keepalive
  private static final byte[] F_KEEPALIVE = name("keepalive");
  private static final byte[] F_REQUESTS = name("requests");
  private static final byte[] F_REUSED = name("reused");
  private static final byte[] F_CLOSED_BY = name("closed_by");
  private static final byte[] F_CLOSE_KIND = name("close_kind");
  private static final byte[] F_CLOSE_FRAME = name("close_frame");
  private static final byte[] F_CLOSE_US = name("close_us");
  private static final byte[] F_CLOSED_AFTER = name("closed_after");
  private static final byte[] F_IDLE_BEFORE_CLOSE_US = name("idle_before_close_us");
  // transfers and time_sequence
  private static final byte[] F_TRANSFERS = name("transfers");
  private static final byte[] F_SENDER = name("sender");
  private static final byte[] F_TRANSACTION = name("transaction");
  private static final byte[] F_SEGMENTS = name("segments");
  private static final byte[] F_BYTES = name("bytes");
  private static final byte[] F_DURATION_US = name("duration_us");
  private static final byte[] F_RECEIVE_WINDOW_US = name("receive_window_us");
  private static final byte[] F_ZERO_WINDOW_US = name("zero_window_us");
  private static final byte[] F_APPLICATION_US = name("application_us");
  private static final byte[] F_SLOW_START_US = name("slow_start_us");
  private static final byte[] F_RECOVERY_US = name("recovery_us");
  private static final byte[] F_CONGESTION_AVOIDANCE_US = name("congestion_avoidance_us");
  private static final byte[] F_LOST_SEGMENTS = name("lost_segments");
  private static final byte[] F_GOODPUT_BPS = name("goodput_bps");
  private static final byte[] F_PATH_RATE_BPS = name("path_rate_bps");
  private static final byte[] F_PATH_RATE_LOWER_BOUND = name("path_rate_lower_bound");
  private static final byte[] F_RTT_US = name("rtt_us");
  private static final byte[] F_BDP_BYTES = name("bdp_bytes");
  private static final byte[] F_LIMIT = name("limit");
  private static final byte[] F_COST_US = name("cost_us");
  private static final byte[] F_TIME_SEQUENCE = name("time_sequence");
  private static final byte[] F_SAMPLED = name("sampled");
  private static final byte[] F_ACKS = name("acks");
  private static final byte[] F_SACKS = name("sacks");

  /**
   * Writes {@code c}'s head: from its opening brace to its open transactions array, the last bytes
   * being {@code "transactions":[}. Replaces what was written before.
   */
  void write(ConnectionResult c) {
    reset();
    startObject();
    if (c.id() >= 0) {
      name(F_ID_C);
      number(c.id());
      raw(QUOTE);
    } else {
      str(F_ID, c.idString());
    }
    endpoint(F_CLIENT, c.client());
    endpoint(F_SERVER, c.server());
    num(F_IP_VERSION, c.ipVersion());
    str(F_ROLES_FROM, c.rolesFrom());
    bool(F_ROLES_INFERRED, c.rolesInferred());
    num(F_FIRST_FRAME, c.firstFrame());
    num(F_LAST_FRAME, c.lastFrame());
    num(F_START_US, c.startUs());
    num(F_END_US, c.endUs());
    ConnectionResult.Handshake h = c.handshake();
    startObject(F_HANDSHAKE);
    opt(F_SYN_FRAME, h.synFrame());
    opt(F_SYN_US, h.synUs());
    opt(F_SYN_ACK_FRAME, h.synAckFrame());
    opt(F_SYN_ACK_US, h.synAckUs());
    opt(F_ACK_FRAME, h.ackFrame());
    opt(F_ACK_US, h.ackUs());
    num(F_SYN_COUNT, h.synCount());
    num(F_SYN_ACK_COUNT, h.synAckCount());
    opt(F_RTT_TO_SERVER_US, h.rttToServerUs());
    opt(F_RTT_TO_CLIENT_US, h.rttToClientUs());
    endObject();
    str(F_VANTAGE, c.vantage());
    if (c.coverage() != null) {
      str(F_COVERAGE, c.coverage()); // since 1.2.0: a direction with no packet in the capture
    }
    startObject(F_CLOSE);
    str(F_REASON, c.close().reason());
    str(F_FIRST_BY, c.close().firstBy());
    endObject();
    str(F_HISTORY, c.history());
    half(F_CLIENT_TO_SERVER, c.clientToServer());
    half(F_SERVER_TO_CLIENT, c.serverToClient());
    ConnectionResult.Http http = c.http();
    startObject(F_HTTP);
    bool(F_DETECTED, http != null && http.detected());
    if (http != null && http.notHttpReason() != null) {
      str(F_NOT_HTTP_REASON, http.notHttpReason());
    }
    if (http != null) {
      num(F_MAX_PIPELINE_DEPTH, http.maxPipelineDepth());
      if (http.reversed()) {
        bool(F_REVERSED, true); // since 1.1.0: the handshake's server sends the requests
      }
      bool(F_TUNNEL, http.tunnel());
      startObject(F_ANOMALIES);
      for (Map.Entry<String, Long> e : http.anomalies().entrySet()) {
        dataName(e.getKey()); // a key from the data (a report read back may hold any)
        number(e.getValue());
      }
      endObject();
    }
    endObject();
    TlsReport.json(this, c.tls()); // TLS connections only (additive)
    if (c.keepalive() != null) {
      keepAlive(c.keepalive());
    }
    // per finding type on this connection: how many, the time they cost in total and the median
    startObject(F_STALL_SUMMARY);
    for (Map.Entry<String, ConnectionResult.StallSummary> e : c.stallSummary().entrySet()) {
      dataName(e.getKey()); // a key from the data, as above
      startObject();
      num(F_COUNT, e.getValue().count());
      num(F_TOTAL_US, e.getValue().totalUs());
      num(F_MEDIAN_US, e.getValue().medianUs());
      endObject();
    }
    endObject();
    transfers(c);
    num(F_TRANSACTION_COUNT, c.transactionCount());
    startArray(F_TRANSACTIONS);
  }

  private static final byte[] QUOTE = ascii("\"");

  private void endpoint(byte[] name, Endpoint e) {
    startObject(name);
    str(F_IP, e.ip());
    num(F_PORT, e.port());
    endObject();
  }

  private void half(byte[] name, ConnectionResult.Half h) {
    startObject(name);
    num(F_PACKETS, h.packets());
    num(F_PAYLOAD_BYTES, h.payloadBytes());
    num(F_DATA_SEGMENTS, h.dataSegments());
    num(F_RETRANSMISSIONS, h.retransmissions());
    num(F_RETRANSMITTED_BYTES, h.retransmittedBytes());
    num(F_OUT_OF_ORDER, h.outOfOrder());
    num(F_OVERLAP_CONFLICTS, h.overlapConflicts());
    num(F_GAPS, h.gaps());
    num(F_GAP_BYTES, h.gapBytes());
    opt(F_MSS, h.mss());
    opt(F_WINDOW_SCALE, h.windowScale());
    bool(F_SACK_PERMITTED, h.sackPermitted());
    num(F_MAX_WINDOW, h.maxWindow());
    num(F_ZERO_WINDOWS, h.zeroWindows());
    opt(F_FIN_FRAME, h.finFrame());
    opt(F_RST_FRAME, h.rstFrame());
    endObject();
  }

  /** Since 1.1.0: how the connection ended, for keep-alive analysis. */
  private void keepAlive(ConnectionResult.KeepAliveEnding e) {
    startObject(F_KEEPALIVE);
    num(F_REQUESTS, e.requests());
    bool(F_REUSED, e.reused());
    str(F_CLOSED_BY, e.closedBy());
    str(F_CLOSE_KIND, e.closeKind());
    opt(F_CLOSE_FRAME, e.closeFrame());
    opt(F_CLOSE_US, e.closeUs());
    num(F_CLOSED_AFTER, e.closedAfter());
    opt(F_IDLE_BEFORE_CLOSE_US, e.idleBeforeCloseUs());
    endObject();
  }

  /**
   * Since 1.4.0: what limited each large transfer ({@code transfers}, when there is one) and the
   * time-sequence graph's points ({@code time_sequence}, on connections with a transfer finding).
   */
  private void transfers(ConnectionResult c) {
    List<ConnectionResult.Transfer> xs = c.transfers();
    if (!xs.isEmpty()) {
      startArray(F_TRANSFERS);
      for (ConnectionResult.Transfer x : xs) {
        startObjectElement();
        str(F_SENDER, x.sender());
        num(F_TRANSACTION, x.transaction());
        num(F_FIRST_FRAME, x.firstFrame());
        num(F_LAST_FRAME, x.lastFrame());
        num(F_SEGMENTS, x.segments());
        num(F_BYTES, x.bytes());
        num(F_DURATION_US, x.durationUs());
        num(F_RECEIVE_WINDOW_US, x.receiveWindowUs());
        num(F_ZERO_WINDOW_US, x.zeroWindowUs());
        num(F_APPLICATION_US, x.applicationUs());
        num(F_SLOW_START_US, x.slowStartUs());
        num(F_RECOVERY_US, x.recoveryUs());
        num(F_CONGESTION_AVOIDANCE_US, x.congestionAvoidanceUs());
        num(F_LOST_SEGMENTS, x.lostSegments());
        opt(F_GOODPUT_BPS, x.goodputBps());
        opt(F_PATH_RATE_BPS, x.pathRateBps());
        bool(F_PATH_RATE_LOWER_BOUND, x.pathRateLowerBound());
        opt(F_RTT_US, x.rttUs());
        opt(F_BDP_BYTES, x.bdpBytes());
        str(F_LIMIT, x.limit());
        num(F_COST_US, x.costUs());
        endObject();
      }
      endArray();
    }
    ConnectionResult.TimeSequence ts = c.timeSequence();
    if (ts != null) {
      startObject(F_TIME_SEQUENCE);
      str(F_SENDER, ts.sender());
      bool(F_SAMPLED, ts.sampled());
      // compact rows: [us, frame, seq, end, retransmission 0/1], [us, frame, ack, window edge],
      // [us, frame, left, right]
      startArray(F_SEGMENTS);
      for (ConnectionResult.SeqSegment p : ts.segments()) {
        startArrayElement();
        element(p.us());
        element(p.frame());
        element(p.seq());
        element(p.end());
        element(p.retransmission() ? 1 : 0);
        endArray();
      }
      endArray();
      startArray(F_ACKS);
      for (ConnectionResult.SeqAck p : ts.acks()) {
        row(p.us(), p.frame(), p.ack(), p.windowEdge());
      }
      endArray();
      startArray(F_SACKS);
      for (ConnectionResult.SeqSack p : ts.sacks()) {
        row(p.us(), p.frame(), p.left(), p.right());
      }
      endArray();
      endObject();
    }
  }

  private void row(long a, long b, long c, long d) {
    startArrayElement();
    element(a);
    element(b);
    element(c);
    element(d);
    endArray();
  }
}
