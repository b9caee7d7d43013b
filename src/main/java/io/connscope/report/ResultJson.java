package io.connscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.connscope.result.CaptureSummary;
import io.connscope.result.Confidence;
import io.connscope.result.ConnectionIds;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import io.connscope.result.LatencyHistogram;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternSummary;
import io.connscope.result.Percentiles;
import io.connscope.result.Severity;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Jackson binding of the JSON report to the result model: each part of a report (read by {@link
 * ReportSource} as a Jackson tree, one connection, transaction or finding at a time) becomes the
 * record {@link JsonReportWriter} wrote it from. It is the inverse of that writer: reading a report
 * and writing its records again gives the same bytes. This is the one place that knows the report's
 * field names on the way in; the renderers only see records.
 *
 * <p>Numbers that are null in the report are -1 in the records, as the analysis makes them; a
 * status of null (or 0, as reports before schema 1.3.0 wrote it) is an absent status. Fields a
 * report of an older 1.x version lacks take the value that version meant. The input is checked
 * against the schema before it gets here ({@link SchemaCheck}) when it is untrusted; the binding
 * still never throws on a missing or mistyped field.
 */
final class ResultJson {
  private ResultJson() {}

  /**
   * The top of a report: schema version, tool version and the capture summary with the totals and
   * pairs.
   */
  record Header(String schemaVersion, String toolVersion, CaptureSummary capture) {}

  static Header header(JsonNode r) {
    JsonNode cap = r.path("capture");
    List<CaptureSummary.FileSummary> files = new ArrayList<>();
    long next = 1; // before 1.4.0 a file's first frame was not written: frames run on across files
    for (JsonNode f : cap.path("files")) {
      long packets = f.path("packets").asLong();
      long first = f.path("first_frame").asLong(next);
      files.add(
          new CaptureSummary.FileSummary(
              f.path("name").asText(),
              str(f, "format"),
              packets,
              f.path("bytes").asLong(),
              first,
              f.path("start_epoch_us").asLong(-1),
              f.path("end_epoch_us").asLong(-1)));
      next = first + packets;
    }
    List<String> links = new ArrayList<>();
    for (JsonNode l : cap.path("link_types")) {
      links.add(l.asText());
    }
    List<CaptureSummary.Warning> warnings = new ArrayList<>();
    for (JsonNode w : cap.path("warnings")) {
      warnings.add(
          new CaptureSummary.Warning(
              w.path("code").asText(),
              w.path("count").asLong(),
              w.path("first_frame").asLong(),
              str(w, "detail")));
    }
    JsonNode s = r.path("summary");
    CaptureSummary.Totals totals =
        new CaptureSummary.Totals(
            s.path("connections").asLong(),
            s.path("http_connections").asLong(),
            s.path("transactions").asLong(),
            s.path("unanswered_requests").asLong(),
            s.path("orphan_responses").asLong(),
            s.path("findings").asLong(),
            s.path("connections_outside_pairs").asLong(),
            0,
            0);
    List<PairSummary> pairs = new ArrayList<>();
    for (JsonNode p : r.path("pairs")) {
      pairs.add(pair(p));
    }
    CaptureSummary capture =
        new CaptureSummary(
            List.copyOf(files),
            cap.path("packets").asLong(),
            cap.path("bytes").asLong(),
            cap.path("tcp_packets").asLong(),
            List.copyOf(links),
            cap.path("start_epoch_us").asLong(),
            cap.path("duration_us").asLong(),
            str(cap, "filter"),
            cap.path("filtered_out").asLong(),
            Collections.unmodifiableList(warnings),
            totals,
            Collections.unmodifiableList(pairs));
    return new Header(
        r.path("schema_version").asText(), r.path("tool").path("version").asText(), capture);
  }

  static PairSummary pair(JsonNode p) {
    JsonNode e = p.path("persistent_estimate");
    return new PairSummary(
        p.path("client").asText(),
        endpoint(p.path("server")),
        str(p, "first_connection"),
        p.path("connections").asLong(),
        p.path("http_connections").asLong(),
        p.path("transactions").asLong(),
        p.path("transactions_per_connection").asDouble(),
        p.path("reused_connections").asLong(),
        p.path("max_pipeline_depth").asInt(),
        p.path("peak_concurrent").asInt(),
        str(p, "pattern"),
        p.path("setups").asLong(),
        p.path("setup_us").asLong(),
        p.path("tls_connections").asLong(),
        p.path("tls_setup_us").asLong(),
        p.path("transaction_us").asLong(),
        p.path("setup_share_pct").asLong(),
        p.path("start_us").asLong(),
        p.path("end_us").asLong(),
        new PairSummary.PersistentEstimate(
            e.path("setups_avoided").asLong(),
            e.path("setup_saved_us").asLong(),
            e.path("slow_start_saved_us").asLong(),
            e.path("saved_us").asLong(),
            str(e, "assumptions")),
        patterns(p.path("patterns")),
        histogram(p.get("latency_histogram")),
        p.path("inferred_exchanges").asLong() == 0
            ? null
            : new PairSummary.InferredUse(
                p.path("inferred_connections").asLong(),
                p.path("inferred_exchanges").asLong(),
                p.path("inferred_exchanges_per_connection").asDouble(),
                p.path("inferred_reused_connections").asLong(),
                p.path("inferred_max_per_connection").asLong(),
                str(p, "inferred_pattern")));
  }

  /** A pair's request patterns; none in a report before 1.4.0. */
  private static List<PatternSummary> patterns(JsonNode a) {
    List<PatternSummary> out = new ArrayList<>();
    for (JsonNode s : a) {
      out.add(
          new PatternSummary(
              s.path("pattern").asText(),
              s.path("transactions").asLong(),
              s.path("connections").asLong(),
              s.path("bytes").asLong(),
              s.path("time_us").asLong(),
              percentiles(s.get("wait_us")),
              percentiles(s.get("total_us"))));
    }
    return List.copyOf(out);
  }

  private static Percentiles percentiles(JsonNode p) {
    return p == null || !p.isObject()
        ? null
        : new Percentiles(p.path("p50").asLong(), p.path("p90").asLong(), p.path("p99").asLong());
  }

  /** A pair's latency histogram; null in a report before 1.4.0. */
  private static LatencyHistogram histogram(JsonNode h) {
    if (h == null || !h.isObject()) {
      return null;
    }
    return new LatencyHistogram(
        longs(h.path("lower_us")), longs(h.path("wait_us")), longs(h.path("total_us")));
  }

  private static List<Long> longs(JsonNode a) {
    List<Long> out = new ArrayList<>();
    for (JsonNode x : a) {
      out.add(x.asLong());
    }
    return List.copyOf(out);
  }

  static Endpoint endpoint(JsonNode e) {
    return new Endpoint(e.path("ip").asText(), e.path("port").asInt());
  }

  /** A connection without its transactions (the {@code transactions} field is not read here). */
  static ConnectionResult connection(JsonNode c) {
    JsonNode h = c.path("handshake");
    ConnectionResult.Handshake handshake =
        new ConnectionResult.Handshake(
            opt(h, "syn_frame"),
            opt(h, "syn_us"),
            opt(h, "syn_ack_frame"),
            opt(h, "syn_ack_us"),
            opt(h, "ack_frame"),
            opt(h, "ack_us"),
            h.path("syn_count").asInt(),
            h.path("syn_ack_count").asInt(),
            opt(h, "rtt_to_server_us"),
            opt(h, "rtt_to_client_us"));
    JsonNode http = c.path("http");
    ConnectionResult.Http httpResult = null;
    if (http.has("max_pipeline_depth")) {
      Map<String, Long> anomalies = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = http.path("anomalies").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        anomalies.put(e.getKey(), e.getValue().asLong());
      }
      httpResult =
          new ConnectionResult.Http(
              http.path("detected").asBoolean(),
              str(http, "not_http_reason"),
              http.path("max_pipeline_depth").asInt(),
              http.path("reversed").asBoolean(),
              http.path("tunnel").asBoolean(),
              Collections.unmodifiableMap(anomalies));
    } else if (http.path("detected").asBoolean() || http.hasNonNull("not_http_reason")) {
      httpResult =
          new ConnectionResult.Http(
              http.path("detected").asBoolean(),
              str(http, "not_http_reason"),
              0,
              false,
              false,
              Map.of());
    }
    JsonNode k = c.path("keepalive");
    ConnectionResult.KeepAliveEnding ending =
        !k.isObject()
            ? null
            : new ConnectionResult.KeepAliveEnding(
                k.path("requests").asInt(),
                k.path("reused").asBoolean(),
                str(k, "closed_by"),
                str(k, "close_kind"),
                opt(k, "close_frame"),
                opt(k, "close_us"),
                k.path("closed_after").asInt(),
                opt(k, "idle_before_close_us"));
    TreeMap<String, ConnectionResult.StallSummary> stalls = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = c.path("stall_summary").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      stalls.put(
          e.getKey(),
          new ConnectionResult.StallSummary(
              v.path("count").asLong(), v.path("total_us").asLong(), v.path("median_us").asLong()));
    }
    JsonNode close = c.path("close");
    return new ConnectionResult(
        ConnectionIds.number(str(c, "id")),
        endpoint(c.path("client")),
        endpoint(c.path("server")),
        c.path("ip_version").asInt(),
        str(c, "roles_from"),
        c.path("roles_inferred").asBoolean(),
        c.path("first_frame").asLong(),
        c.path("last_frame").asLong(),
        c.path("start_us").asLong(),
        c.path("end_us").asLong(),
        handshake,
        str(c, "vantage"),
        str(c, "coverage"),
        new ConnectionResult.Close(str(close, "reason"), str(close, "first_by")),
        str(c, "history"),
        half(c.path("client_to_server")),
        half(c.path("server_to_client")),
        httpResult,
        tls(c.path("tls")),
        ending,
        Collections.unmodifiableSortedMap(stalls),
        c.path("transaction_count").asLong(),
        transfers(c.path("transfers")),
        timeSequence(c.path("time_sequence")));
  }

  /** The {@code transfers} array (since 1.4.0); empty when absent. */
  private static List<ConnectionResult.Transfer> transfers(JsonNode a) {
    if (!a.isArray()) {
      return List.of();
    }
    List<ConnectionResult.Transfer> out = new ArrayList<>();
    for (JsonNode x : a) {
      out.add(
          new ConnectionResult.Transfer(
              str(x, "sender"),
              x.path("transaction").asInt(),
              x.path("first_frame").asLong(),
              x.path("last_frame").asLong(),
              x.path("segments").asLong(),
              x.path("bytes").asLong(),
              x.path("duration_us").asLong(),
              x.path("receive_window_us").asLong(),
              x.path("zero_window_us").asLong(),
              x.path("application_us").asLong(),
              x.path("slow_start_us").asLong(),
              x.path("recovery_us").asLong(),
              x.path("congestion_avoidance_us").asLong(),
              x.path("lost_segments").asLong(),
              opt(x, "goodput_bps"),
              opt(x, "path_rate_bps"),
              x.path("path_rate_lower_bound").asBoolean(),
              opt(x, "rtt_us"),
              opt(x, "bdp_bytes"),
              str(x, "limit"),
              x.path("cost_us").asLong()));
    }
    return List.copyOf(out);
  }

  /** The {@code time_sequence} object (since 1.4.0); null when absent. */
  private static ConnectionResult.TimeSequence timeSequence(JsonNode t) {
    if (!t.isObject()) {
      return null;
    }
    List<ConnectionResult.SeqSegment> segs = new ArrayList<>();
    for (JsonNode r : t.path("segments")) {
      segs.add(
          new ConnectionResult.SeqSegment(
              r.path(0).asLong(),
              r.path(1).asLong(),
              r.path(2).asLong(),
              r.path(3).asLong(),
              r.path(4).asInt() != 0));
    }
    List<ConnectionResult.SeqAck> acks = new ArrayList<>();
    for (JsonNode r : t.path("acks")) {
      acks.add(
          new ConnectionResult.SeqAck(
              r.path(0).asLong(), r.path(1).asLong(), r.path(2).asLong(), r.path(3).asLong()));
    }
    List<ConnectionResult.SeqSack> sacks = new ArrayList<>();
    for (JsonNode r : t.path("sacks")) {
      sacks.add(
          new ConnectionResult.SeqSack(
              r.path(0).asLong(), r.path(1).asLong(), r.path(2).asLong(), r.path(3).asLong()));
    }
    return new ConnectionResult.TimeSequence(
        str(t, "sender"),
        List.copyOf(segs),
        List.copyOf(acks),
        List.copyOf(sacks),
        t.path("sampled").asBoolean());
  }

  /** The {@code tls} object of a TLS connection; null when absent. Nulls are -1 (unknown). */
  private static TlsFacts tls(JsonNode t) {
    if (!t.isObject()) {
      return null;
    }
    JsonNode m = t.path("timing");
    TlsFacts.Timing timing =
        new TlsFacts.Timing(
            opt(m, "tcp_connect_us"),
            opt(m, "client_hello_frame"),
            opt(m, "client_hello_us"),
            opt(m, "server_hello_frame"),
            opt(m, "server_hello_us"),
            opt(m, "server_flight_end_frame"),
            opt(m, "server_flight_end_us"),
            opt(m, "client_finished_frame"),
            opt(m, "client_finished_us"),
            m.path("client_finished_inferred").asBoolean(),
            opt(m, "first_app_data_frame"),
            opt(m, "first_app_data_us"),
            opt(m, "hello_to_server_hello_us"),
            opt(m, "server_flight_us"),
            opt(m, "finished_to_app_data_us"),
            opt(m, "setup_us"),
            (int) opt(m, "round_trips"));
    List<TlsFacts.Alert> alerts = new ArrayList<>();
    for (JsonNode a : t.path("alerts")) {
      alerts.add(
          new TlsFacts.Alert(
              str(a, "from"),
              a.path("frame").asLong(),
              a.path("ts_us").asLong(),
              str(a, "level"),
              str(a, "description"),
              a.path("encrypted").asBoolean()));
    }
    List<TlsFacts.Exchange> exchanges = new ArrayList<>();
    for (JsonNode x : t.path("inferred_exchanges")) {
      exchanges.add(
          new TlsFacts.Exchange(
              x.path("index").asInt(),
              x.path("request_records").asLong(),
              x.path("request_bytes").asLong(),
              x.path("request_first_frame").asLong(),
              x.path("request_start_us").asLong(),
              x.path("request_last_frame").asLong(),
              x.path("request_end_us").asLong(),
              x.path("response_records").asLong(),
              x.path("response_bytes").asLong(),
              opt(x, "response_first_frame"),
              opt(x, "response_start_us"),
              opt(x, "response_last_frame"),
              opt(x, "response_end_us")));
    }
    JsonNode early = t.path("early_data_accepted");
    return new TlsFacts(
        str(t, "handshake"),
        str(t, "failure"),
        opt(t, "failure_frame"),
        opt(t, "failure_us"),
        str(t, "version"),
        strings(t.path("versions_offered")),
        str(t, "cipher_suite"),
        str(t, "sni"),
        strings(t.path("alpn_offered")),
        str(t, "alpn_chosen"),
        str(t, "resumption"),
        t.path("session_id_offered").asBoolean(),
        t.path("ticket_offered").asBoolean(),
        t.path("early_data_offered").asBoolean(),
        early.isBoolean() ? early.asBoolean() : null,
        t.path("hello_retry_request").asBoolean(),
        opt(t, "certificate_chain_bytes"),
        opt(t, "encrypted_flight_bytes"),
        timing,
        alerts,
        counts(t.path("client_app_data")),
        counts(t.path("server_app_data")),
        exchanges,
        t.path("inferred_exchange_count").asInt(),
        str(t, "decryption"),
        strings(t.path("notes")));
  }

  private static TlsFacts.Counts counts(JsonNode c) {
    return new TlsFacts.Counts(c.path("records").asLong(), c.path("bytes").asLong());
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : a) {
      out.add(s.asText());
    }
    return out;
  }

  private static ConnectionResult.Half half(JsonNode h) {
    return new ConnectionResult.Half(
        h.path("packets").asLong(),
        h.path("payload_bytes").asLong(),
        h.path("data_segments").asLong(),
        h.path("retransmissions").asLong(),
        h.path("retransmitted_bytes").asLong(),
        h.path("out_of_order").asLong(),
        h.path("overlap_conflicts").asLong(),
        h.path("gaps").asLong(),
        h.path("gap_bytes").asLong(),
        opt(h, "mss"),
        opt(h, "window_scale"),
        h.path("sack_permitted").asBoolean(),
        h.path("max_window").asLong(),
        h.path("zero_windows").asLong(),
        opt(h, "fin_frame"),
        opt(h, "rst_frame"));
  }

  /** Transaction {@code t} of connection number {@code connection}. */
  static TransactionResult transaction(long connection, JsonNode t) {
    JsonNode tm = t.path("timings");
    List<TransactionResult.Stall> stalls = new ArrayList<>(0);
    for (JsonNode s : tm.path("stalls")) {
      stalls.add(new TransactionResult.Stall(s.path("type").asText(), s.path("cost_us").asLong()));
    }
    TransactionResult.Timings timings =
        new TransactionResult.Timings(
            opt(tm, "connect_us"),
            opt(tm, "send_us"),
            opt(tm, "wait_us"),
            opt(tm, "receive_us"),
            opt(tm, "server_us"),
            List.copyOf(stalls));
    List<Integer> interim = new ArrayList<>(0);
    for (JsonNode n : t.path("interim_statuses")) {
      interim.add(n.asInt());
    }
    List<String> anomalies = new ArrayList<>(0);
    for (JsonNode n : t.path("anomalies")) {
      anomalies.add(n.asText());
    }
    JsonNode lost = t.path("response_not_captured");
    JsonNode k = t.path("keepalive");
    int status = t.path("status").asInt();
    return new TransactionResult(
        connection,
        t.path("index").asInt(),
        t.path("depth").asInt(),
        t.path("pipeline_depth").asInt(),
        str(t, "method"),
        str(t, "uri"),
        str(t, "version"),
        status > 0 ? status : null,
        str(t, "reason"),
        str(t, "response_version"),
        List.copyOf(interim),
        headers(t.path("request_headers")),
        headers(t.path("response_headers")),
        t.path("request_header_bytes").asLong(),
        t.path("request_body_bytes").asLong(),
        t.path("request_body_gap_bytes").asLong(),
        str(t, "request_framing"),
        t.path("response_header_bytes").asLong(),
        t.path("response_body_bytes").asLong(),
        t.path("response_body_gap_bytes").asLong(),
        str(t, "response_framing"),
        opt(t, "request_frame"),
        opt(t, "request_last_frame"),
        opt(t, "response_frame"),
        opt(t, "response_last_frame"),
        opt(t, "request_start_us"),
        opt(t, "request_end_us"),
        opt(t, "response_start_us"),
        opt(t, "response_end_us"),
        timings,
        t.path("unanswered").asBoolean(),
        lost.isObject()
            ? new TransactionResult.ResponseNotCaptured(
                lost.path("bytes_acknowledged").asLong(),
                opt(lost, "ack_frame"),
                opt(lost, "ack_us"))
            : null,
        opt(t, "request_wire_bytes"),
        opt(t, "response_wire_bytes"),
        t.path("orphan_response").asBoolean(),
        t.path("request_not_captured").asBoolean(),
        t.path("request_complete").asBoolean(),
        t.path("response_complete").asBoolean(),
        t.path("gap_affected").asBoolean(),
        t.path("close_delimited").asBoolean(),
        List.copyOf(anomalies),
        new TransactionResult.KeepAliveNegotiation(
            str(k, "client_asked"),
            str(k, "proxy_connection"),
            str(k, "server_answered"),
            (int) opt(k, "keep_alive_max"),
            (int) opt(k, "keep_alive_timeout_s"),
            k.path("persistent").asBoolean()));
  }

  private static Map<String, String> headers(JsonNode h) {
    if (!h.isObject() || h.isEmpty()) {
      return Map.of();
    }
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return Collections.unmodifiableMap(out);
  }

  static Finding finding(JsonNode f) {
    List<Long> frames = new ArrayList<>();
    for (JsonNode n : f.path("evidence").path("frames")) {
      frames.add(n.asLong());
    }
    List<LadderEntry> ladder = new ArrayList<>(0);
    for (JsonNode e : f.path("ladder")) {
      ladder.add(
          new LadderEntry(
              e.path("frame").asLong(),
              e.path("ts_us").asLong(),
              e.path("dir").asText(),
              e.path("flags").asText(),
              e.path("seq").asLong(),
              opt(e, "ack"),
              e.path("len").asInt()));
    }
    SortedMap<String, Object> details =
        f.path("details").isObject() ? details(f.path("details")) : new TreeMap<>();
    return new Finding(
        f.path("type").asText(),
        severity(f.path("severity").asText()),
        confidence(f.path("confidence").asText()),
        str(f, "connection"),
        f.hasNonNull("transaction") ? f.get("transaction").asInt() : -1,
        f.path("cost_us").asLong(),
        List.copyOf(frames),
        f.path("evidence").path("display_filter").asText(),
        f.path("summary").asText(),
        f.path("fix").asText(),
        details,
        List.copyOf(ladder),
        occurrences(f.path("occurrences")));
  }

  /** A finding's details object as the record holds them (numbers as Long or Double). */
  @SuppressWarnings("unchecked")
  static SortedMap<String, Object> details(JsonNode object) {
    return (SortedMap<String, Object>) value(object);
  }

  /**
   * Since 1.3.0: the occurrences a finding groups; null when absent (a finding that stands alone).
   */
  private static Finding.Occurrences occurrences(JsonNode o) {
    if (!o.isObject()) {
      return null;
    }
    List<Finding.Occurrence> worst = new ArrayList<>();
    for (JsonNode w : o.path("worst")) {
      List<Long> frames = new ArrayList<>();
      for (JsonNode n : w.path("frames")) {
        frames.add(n.asLong());
      }
      worst.add(
          new Finding.Occurrence(
              str(w, "connection"),
              w.hasNonNull("transaction") ? w.get("transaction").asInt() : -1,
              w.path("cost_us").asLong(),
              List.copyOf(frames)));
    }
    List<Finding.Occurrence> rows = new ArrayList<>();
    for (JsonNode r : o.path("rows")) {
      rows.add(
          new Finding.Occurrence(
              r.path(0).isNull() ? null : r.path(0).asText(),
              r.path(1).isNull() || r.path(1).isMissingNode() ? -1 : r.path(1).asInt(),
              r.path(2).asLong(),
              List.of()));
    }
    return new Finding.Occurrences(
        o.path("count").asLong(),
        o.path("total_us").asLong(),
        o.path("worst_us").asLong(),
        List.copyOf(worst),
        List.copyOf(rows),
        o.path("rows_omitted").asLong());
  }

  static Severity severity(String s) {
    try {
      return Severity.of(s);
    } catch (IllegalArgumentException e) {
      return Severity.INFO; // the schema check refuses other names in an untrusted report
    }
  }

  static Confidence confidence(String s) {
    try {
      return Confidence.of(s);
    } catch (IllegalArgumentException e) {
      return Confidence.SUSPECTED;
    }
  }

  /**
   * A details value as the writer takes it: Long, Double, String, Boolean, List, sorted Map, null.
   */
  private static Object value(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isObject()) {
      TreeMap<String, Object> m = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), value(e.getValue()));
      }
      return m;
    }
    if (v.isArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonNode n : v) {
        l.add(value(n));
      }
      return l;
    }
    return v.asText();
  }

  /** A string field, null when absent or null. */
  static String str(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** A number field, -1 when absent or null. */
  static long opt(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? -1 : v.asLong();
  }
}
