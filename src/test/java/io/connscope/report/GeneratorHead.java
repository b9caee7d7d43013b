package io.connscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.TlsFacts;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Test oracle: a connection head as the JSON report wrote it with Jackson's generator before {@link
 * ConnectionJson} (the code of JsonReportWriter.writeConnection and TlsReport.json as they were),
 * to compare the byte writer with.
 */
final class GeneratorHead {
  private GeneratorHead() {}

  private static void num(JsonGenerator g, String n, long v) throws IOException {
    g.writeFieldName(n);
    g.writeNumber(v);
  }

  private static void str(JsonGenerator g, String n, String v) throws IOException {
    g.writeFieldName(n);
    g.writeString(v);
  }

  private static void startObject(JsonGenerator g, String n) throws IOException {
    g.writeFieldName(n);
    g.writeStartObject();
  }

  private static void startArray(JsonGenerator g, String n) throws IOException {
    g.writeFieldName(n);
    g.writeStartArray();
  }

  private static void bool(JsonGenerator g, String n, boolean v) throws IOException {
    g.writeFieldName(n);
    g.writeBoolean(v);
  }

  private static void writeEndpoint(JsonGenerator g, String name, Endpoint e) throws IOException {
    startObject(g, name);
    str(g, "ip", e.ip());
    num(g, "port", e.port());
    g.writeEndObject();
  }

  private static void writeOptionalNumber(JsonGenerator g, String name, long value)
      throws IOException {
    if (value >= 0) {
      num(g, name, value);
    } else {
      g.writeFieldName(name);
      g.writeNull();
    }
  }

  /** Writes {@code c} up to its open transactions array (the transactions are spooled apart). */
  static void writeConnection(JsonGenerator g, ConnectionResult c) throws IOException {
    g.writeStartObject();
    str(g, "id", c.idString());
    writeEndpoint(g, "client", c.client());
    writeEndpoint(g, "server", c.server());
    num(g, "ip_version", c.ipVersion());
    str(g, "roles_from", c.rolesFrom());
    bool(g, "roles_inferred", c.rolesInferred());
    num(g, "first_frame", c.firstFrame());
    num(g, "last_frame", c.lastFrame());
    num(g, "start_us", c.startUs());
    num(g, "end_us", c.endUs());
    ConnectionResult.Handshake h = c.handshake();
    startObject(g, "handshake");
    writeOptionalNumber(g, "syn_frame", h.synFrame());
    writeOptionalNumber(g, "syn_us", h.synUs());
    writeOptionalNumber(g, "syn_ack_frame", h.synAckFrame());
    writeOptionalNumber(g, "syn_ack_us", h.synAckUs());
    writeOptionalNumber(g, "ack_frame", h.ackFrame());
    writeOptionalNumber(g, "ack_us", h.ackUs());
    num(g, "syn_count", h.synCount());
    num(g, "syn_ack_count", h.synAckCount());
    writeOptionalNumber(g, "rtt_to_server_us", h.rttToServerUs());
    writeOptionalNumber(g, "rtt_to_client_us", h.rttToClientUs());
    g.writeEndObject();
    str(g, "vantage", c.vantage());
    if (c.coverage() != null) {
      str(g, "coverage", c.coverage()); // since 1.2.0: a direction with no packet in the capture
    }
    startObject(g, "close");
    str(g, "reason", c.close().reason());
    str(g, "first_by", c.close().firstBy());
    g.writeEndObject();
    str(g, "history", c.history());
    writeHalf(g, "client_to_server", c.clientToServer());
    writeHalf(g, "server_to_client", c.serverToClient());
    ConnectionResult.Http http = c.http();
    startObject(g, "http");
    bool(g, "detected", http != null && http.detected());
    if (http != null && http.notHttpReason() != null) {
      str(g, "not_http_reason", http.notHttpReason());
    }
    if (http != null) {
      num(g, "max_pipeline_depth", http.maxPipelineDepth());
      if (http.reversed()) {
        bool(g, "reversed", true); // since 1.1.0: the handshake's server sends the requests
      }
      bool(g, "tunnel", http.tunnel());
      startObject(g, "anomalies");
      for (Map.Entry<String, Long> e : http.anomalies().entrySet()) {
        // a key from the data (a report read back may hold any): the generator escapes it, and
        // only the writer's own names go through the cache of encoded names
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    tls(g, c.tls()); // TLS connections only (additive)
    if (c.keepalive() != null) {
      writeKeepAlive(g, c.keepalive());
    }
    // per finding type on this connection: how many, the time they cost in total and the median
    startObject(g, "stall_summary");
    for (Map.Entry<String, ConnectionResult.StallSummary> e : c.stallSummary().entrySet()) {
      g.writeObjectFieldStart(e.getKey()); // a key from the data, as above
      num(g, "count", e.getValue().count());
      num(g, "total_us", e.getValue().totalUs());
      num(g, "median_us", e.getValue().medianUs());
      g.writeEndObject();
    }
    g.writeEndObject();
    writeTransfers(g, c);
    num(g, "transaction_count", c.transactionCount());
    // the transactions were spooled as they became final: the array is left open here and
    // closed by the connection's trailer piece
    startArray(g, "transactions");
    g.flush();
  }

  /**
   * Since 1.4.0: what limited each large transfer ({@code transfers}, when there is one) and the
   * time-sequence graph's points ({@code time_sequence}, on connections with a transfer finding).
   */
  private static void writeTransfers(JsonGenerator g, ConnectionResult c) throws IOException {
    if (!c.transfers().isEmpty()) {
      startArray(g, "transfers");
      for (ConnectionResult.Transfer x : c.transfers()) {
        g.writeStartObject();
        str(g, "sender", x.sender());
        num(g, "transaction", x.transaction());
        num(g, "first_frame", x.firstFrame());
        num(g, "last_frame", x.lastFrame());
        num(g, "segments", x.segments());
        num(g, "bytes", x.bytes());
        num(g, "duration_us", x.durationUs());
        num(g, "receive_window_us", x.receiveWindowUs());
        num(g, "zero_window_us", x.zeroWindowUs());
        num(g, "application_us", x.applicationUs());
        num(g, "slow_start_us", x.slowStartUs());
        num(g, "recovery_us", x.recoveryUs());
        num(g, "congestion_avoidance_us", x.congestionAvoidanceUs());
        num(g, "lost_segments", x.lostSegments());
        writeOptionalNumber(g, "goodput_bps", x.goodputBps());
        writeOptionalNumber(g, "path_rate_bps", x.pathRateBps());
        bool(g, "path_rate_lower_bound", x.pathRateLowerBound());
        writeOptionalNumber(g, "rtt_us", x.rttUs());
        writeOptionalNumber(g, "bdp_bytes", x.bdpBytes());
        str(g, "limit", x.limit());
        num(g, "cost_us", x.costUs());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    ConnectionResult.TimeSequence ts = c.timeSequence();
    if (ts != null) {
      startObject(g, "time_sequence");
      str(g, "sender", ts.sender());
      bool(g, "sampled", ts.sampled());
      // compact rows: [us, frame, seq, end, retransmission 0/1], [us, frame, ack, window edge],
      // [us, frame, left, right]
      startArray(g, "segments");
      for (ConnectionResult.SeqSegment p : ts.segments()) {
        g.writeArray(
            new long[] {p.us(), p.frame(), p.seq(), p.end(), p.retransmission() ? 1 : 0}, 0, 5);
      }
      g.writeEndArray();
      startArray(g, "acks");
      for (ConnectionResult.SeqAck p : ts.acks()) {
        g.writeArray(new long[] {p.us(), p.frame(), p.ack(), p.windowEdge()}, 0, 4);
      }
      g.writeEndArray();
      startArray(g, "sacks");
      for (ConnectionResult.SeqSack p : ts.sacks()) {
        g.writeArray(new long[] {p.us(), p.frame(), p.left(), p.right()}, 0, 4);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  private static void writeHalf(JsonGenerator g, String name, ConnectionResult.Half h)
      throws IOException {
    startObject(g, name);
    num(g, "packets", h.packets());
    num(g, "payload_bytes", h.payloadBytes());
    num(g, "data_segments", h.dataSegments());
    num(g, "retransmissions", h.retransmissions());
    num(g, "retransmitted_bytes", h.retransmittedBytes());
    num(g, "out_of_order", h.outOfOrder());
    num(g, "overlap_conflicts", h.overlapConflicts());
    num(g, "gaps", h.gaps());
    num(g, "gap_bytes", h.gapBytes());
    writeOptionalNumber(g, "mss", h.mss());
    writeOptionalNumber(g, "window_scale", h.windowScale());
    bool(g, "sack_permitted", h.sackPermitted());
    num(g, "max_window", h.maxWindow());
    num(g, "zero_windows", h.zeroWindows());
    writeOptionalNumber(g, "fin_frame", h.finFrame());
    writeOptionalNumber(g, "rst_frame", h.rstFrame());
    g.writeEndObject();
  }

  /** Since 1.1.0: how the connection ended, for keep-alive analysis. */
  private static void writeKeepAlive(JsonGenerator g, ConnectionResult.KeepAliveEnding e)
      throws IOException {
    startObject(g, "keepalive");
    num(g, "requests", e.requests());
    bool(g, "reused", e.reused());
    str(g, "closed_by", e.closedBy());
    str(g, "close_kind", e.closeKind());
    writeOptionalNumber(g, "close_frame", e.closeFrame());
    writeOptionalNumber(g, "close_us", e.closeUs());
    num(g, "closed_after", e.closedAfter());
    writeOptionalNumber(g, "idle_before_close_us", e.idleBeforeCloseUs());
    g.writeEndObject();
  }

  static void tls(JsonGenerator g, TlsFacts f) throws IOException {
    if (f == null) {
      return;
    }
    g.writeObjectFieldStart("tls");
    g.writeStringField("handshake", f.handshake());
    optional(g, "failure", f.failure());
    number(g, "failure_frame", f.failureFrame());
    number(g, "failure_us", f.failureUs());
    optional(g, "version", f.version());
    strings(g, "versions_offered", f.versionsOffered());
    optional(g, "cipher_suite", f.cipherSuite());
    optional(g, "sni", f.sni());
    strings(g, "alpn_offered", f.alpnOffered());
    optional(g, "alpn_chosen", f.alpnChosen());
    optional(g, "resumption", f.resumption());
    g.writeBooleanField("session_id_offered", f.sessionIdOffered());
    g.writeBooleanField("ticket_offered", f.ticketOffered());
    g.writeBooleanField("early_data_offered", f.earlyDataOffered());
    if (f.earlyDataAccepted() == null) {
      g.writeNullField("early_data_accepted");
    } else {
      g.writeBooleanField("early_data_accepted", f.earlyDataAccepted());
    }
    g.writeBooleanField("hello_retry_request", f.helloRetryRequest());
    number(g, "certificate_chain_bytes", f.certificateChainBytes());
    number(g, "encrypted_flight_bytes", f.encryptedFlightBytes());
    TlsFacts.Timing t = f.timing();
    g.writeObjectFieldStart("timing");
    number(g, "tcp_connect_us", t.tcpConnectUs());
    number(g, "client_hello_frame", t.clientHelloFrame());
    number(g, "client_hello_us", t.clientHelloUs());
    number(g, "server_hello_frame", t.serverHelloFrame());
    number(g, "server_hello_us", t.serverHelloUs());
    number(g, "server_flight_end_frame", t.serverFlightEndFrame());
    number(g, "server_flight_end_us", t.serverFlightEndUs());
    number(g, "client_finished_frame", t.clientFinishedFrame());
    number(g, "client_finished_us", t.clientFinishedUs());
    g.writeBooleanField("client_finished_inferred", t.clientFinishedInferred());
    number(g, "first_app_data_frame", t.firstAppDataFrame());
    number(g, "first_app_data_us", t.firstAppDataUs());
    number(g, "hello_to_server_hello_us", t.helloToServerHelloUs());
    number(g, "server_flight_us", t.serverFlightUs());
    number(g, "finished_to_app_data_us", t.finishedToAppDataUs());
    number(g, "setup_us", t.setupUs());
    number(g, "round_trips", t.roundTrips());
    g.writeEndObject();
    g.writeArrayFieldStart("alerts");
    for (TlsFacts.Alert a : f.alerts()) {
      g.writeStartObject();
      g.writeStringField("from", a.from());
      g.writeNumberField("frame", a.frame());
      g.writeNumberField("ts_us", a.tsUs());
      optional(g, "level", a.level());
      optional(g, "description", a.description());
      g.writeBooleanField("encrypted", a.encrypted());
      g.writeEndObject();
    }
    g.writeEndArray();
    counts(g, "client_app_data", f.clientAppData());
    counts(g, "server_app_data", f.serverAppData());
    g.writeNumberField("inferred_exchange_count", f.inferredExchangeCount());
    g.writeArrayFieldStart("inferred_exchanges");
    List<TlsFacts.Exchange> xs = f.inferredExchanges();
    for (int i = 0; i < xs.size(); i++) {
      TlsFacts.Exchange x = xs.get(i);
      g.writeStartObject();
      g.writeBooleanField("inferred", true);
      g.writeNumberField("index", x.index());
      g.writeNumberField("request_records", x.requestRecords());
      g.writeNumberField("request_bytes", x.requestBytes());
      g.writeNumberField("request_first_frame", x.requestFirstFrame());
      g.writeNumberField("request_start_us", x.requestStartUs());
      g.writeNumberField("request_last_frame", x.requestLastFrame());
      g.writeNumberField("request_end_us", x.requestEndUs());
      g.writeNumberField("response_records", x.responseRecords());
      g.writeNumberField("response_bytes", x.responseBytes());
      number(g, "response_first_frame", x.responseFirstFrame());
      number(g, "response_start_us", x.responseStartUs());
      number(g, "response_last_frame", x.responseLastFrame());
      number(g, "response_end_us", x.responseEndUs());
      number(g, "wait_us", x.waitUs());
      number(g, "idle_before_us", TlsReport.idleBeforeUs(xs, i));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("decryption", f.decryption());
    strings(g, "notes", f.notes());
    g.writeEndObject();
  }

  private static void optional(JsonGenerator g, String name, String v) throws IOException {
    if (v == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, v);
    }
  }

  private static void number(JsonGenerator g, String name, long v) throws IOException {
    if (v >= 0) {
      g.writeNumberField(name, v);
    } else {
      g.writeNullField(name);
    }
  }

  private static void strings(JsonGenerator g, String name, List<String> l) throws IOException {
    g.writeArrayFieldStart(name);
    for (String s : l) {
      g.writeString(s);
    }
    g.writeEndArray();
  }

  private static void counts(JsonGenerator g, String name, TlsFacts.Counts c) throws IOException {
    g.writeObjectFieldStart(name);
    g.writeNumberField("records", c.records());
    g.writeNumberField("bytes", c.bytes());
    g.writeEndObject();
  }
}
