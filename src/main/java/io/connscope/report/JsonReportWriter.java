package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureSummary;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.analysis.Ladder;
import io.connscope.capture.Warnings;
import io.connscope.decode.Addresses;
import io.connscope.detect.Finding;
import io.connscope.http.Headers;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.tcp.Connection;
import io.connscope.tcp.HalfConnection;
import io.connscope.tcp.StreamControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the JSON report (schema {@value #SCHEMA}, version {@value #SCHEMA_VERSION}; described by
 * {@code src/main/resources/schema/report-v1.json}).
 *
 * <p>Layout: one object per line for connections and findings, so that reports diff and grep well:
 *
 * <pre>
 * {"schema":"connscope-report","schema_version":"1.1.0","tool":{...},
 * "capture":{...},
 * "summary":{...},
 * "connections":[
 * {"id":"C1",...},
 * {"id":"C2",...}],
 * "findings":[
 * {...}]}
 * </pre>
 *
 * Connections are ordered by id (creation order), findings by connection, transaction, first
 * frame and type. Connections are spooled as they finish (in memory, then a temporary file) so a
 * capture of any size is written in bounded memory. Adding a field bumps the minor version;
 * renaming or removing one bumps the major version.
 */
public final class JsonReportWriter implements AnalysisSink {
  public static final String SCHEMA = "connscope-report";
  public static final String SCHEMA_VERSION = "1.1.0";

  private static final JsonFactory FACTORY = new JsonFactory();
  /** Kept header names, in the order they are written. */
  private static final String[] HEADER_NAMES = {
    "host", "connection", "keep-alive", "proxy-connection", "content-length", "transfer-encoding",
    "via", "expect", "upgrade", "content-type", "server", "user-agent"
  };

  private final OutputStream out;
  private final String toolVersion;
  private final SpoolFile connections = new SpoolFile();
  private final List<Finding> findings = new ArrayList<>();
  private final java.util.IdentityHashMap<Finding, List<Ladder.Entry>> ladders = new java.util.IdentityHashMap<>();
  private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(4096);
  private long httpConnections;
  private long transactions;
  private long unanswered;
  private long orphans;

  /** Writes to {@code out} at {@link #finish}; the stream is flushed, not closed. */
  public JsonReportWriter(OutputStream out, String toolVersion) {
    this.out = out;
    this.toolVersion = toolVersion;
  }

  @Override
  public void connection(ConnectionRecord record) {
    scratch.reset();
    try (JsonGenerator g = FACTORY.createGenerator(scratch, JsonEncoding.UTF8)) {
      writeConnection(g, record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    connections.add(record.tcp().id(), scratch.toByteArray(), scratch.size());
    HttpTracker http = record.http();
    if (http != null && http.isHttp()) {
      httpConnections++;
      for (Transaction t : http.transactions()) {
        transactions++;
        if (t.unanswered()) {
          unanswered++;
        }
        if (t.orphanResponse()) {
          orphans++;
        }
      }
    }
  }

  @Override
  public void finding(Finding finding) {
    findings.add(finding);
  }

  @Override
  public void finding(Finding finding, List<Ladder.Entry> ladder) {
    findings.add(finding);
    if (!ladder.isEmpty()) {
      ladders.put(finding, ladder);
    }
  }

  @Override
  public void finish(CaptureSummary capture) {
    try {
      writeDocument(capture);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        connections.close();
      } catch (IOException ignored) {
        // the temporary file is also deleted on exit
      }
    }
  }

  private void writeDocument(CaptureSummary capture) throws IOException {
    byte[] nl = ",\n".getBytes(StandardCharsets.US_ASCII);
    write("{");
    writePiece(g -> {
      g.writeStringField("schema", SCHEMA);
      g.writeStringField("schema_version", SCHEMA_VERSION);
      g.writeObjectFieldStart("tool");
      g.writeStringField("name", "connscope");
      g.writeStringField("version", toolVersion);
      g.writeEndObject();
    }, false);
    write(",\n\"capture\":");
    writePiece(g -> writeCapture(g, capture), true);
    write(",\n\"summary\":");
    writePiece(g -> {
      g.writeStartObject();
      g.writeNumberField("connections", connections.count());
      g.writeNumberField("http_connections", httpConnections);
      g.writeNumberField("transactions", transactions);
      g.writeNumberField("unanswered_requests", unanswered);
      g.writeNumberField("orphan_responses", orphans);
      g.writeNumberField("findings", findings.size());
      g.writeEndObject();
    }, true);
    write(",\n\"connections\":[");
    if (connections.count() > 0) {
      write("\n");
      connections.writeSorted(out, nl);
    }
    write("],\n\"findings\":[");
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(FINDING_ORDER);
    for (int i = 0; i < sorted.size(); i++) {
      write(i == 0 ? "\n" : ",\n");
      Finding f = sorted.get(i);
      writePiece(g -> writeFinding(g, f, ladders.get(f)), true);
    }
    write("]}\n");
  }

  /** Stable order of findings: connection number, transaction, first evidence frame, type. */
  static final Comparator<Finding> FINDING_ORDER = Comparator
      .comparingLong((Finding f) -> connectionNumber(f.connection()))
      .thenComparingInt(Finding::transaction)
      .thenComparingLong(f -> f.frames().isEmpty() ? 0 : f.frames().get(0))
      .thenComparing(Finding::type)
      .thenComparing(Finding::summary);

  static long connectionNumber(String id) {
    if (id == null || id.length() < 2) {
      return -1;
    }
    try {
      return Long.parseLong(id.substring(1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private interface Piece {
    void write(JsonGenerator g) throws IOException;
  }

  private void writePiece(Piece piece, boolean standalone) throws IOException {
    scratch.reset();
    try (JsonGenerator g = FACTORY.createGenerator(scratch, JsonEncoding.UTF8)) {
      if (!standalone) {
        // fields of the enclosing top-level object: write them inside a throwaway object and strip its braces
        g.writeStartObject();
        piece.write(g);
        g.writeEndObject();
      } else {
        piece.write(g);
      }
    }
    byte[] b = scratch.toByteArray();
    if (standalone) {
      out.write(b);
    } else {
      out.write(b, 1, b.length - 2);
    }
  }

  private void write(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static void writeCapture(JsonGenerator g, CaptureSummary c) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("files");
    for (CaptureSummary.FileSummary f : c.files()) {
      g.writeStartObject();
      g.writeStringField("name", f.name());
      g.writeStringField("format", f.format());
      g.writeNumberField("packets", f.packets());
      g.writeNumberField("bytes", f.bytes());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("packets", c.packets());
    g.writeNumberField("bytes", c.bytes());
    g.writeNumberField("tcp_packets", c.tcpPackets());
    g.writeArrayFieldStart("link_types");
    for (String l : c.linkTypes()) {
      g.writeString(l);
    }
    g.writeEndArray();
    g.writeNumberField("start_epoch_us", c.startEpochMicros());
    g.writeNumberField("duration_us", c.durationMicros());
    g.writeArrayFieldStart("warnings");
    for (Map.Entry<String, Warnings.Entry> e : c.warnings().entries().entrySet()) {
      g.writeStartObject();
      g.writeStringField("code", e.getKey());
      g.writeNumberField("count", e.getValue().count());
      g.writeNumberField("first_frame", e.getValue().firstFrame());
      if (e.getValue().detail() != null) {
        g.writeStringField("detail", e.getValue().detail());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void writeEndpoint(JsonGenerator g, String name, long hi, long lo, int port)
      throws IOException {
    g.writeObjectFieldStart(name);
    g.writeStringField("ip", Addresses.format(hi, lo));
    g.writeNumberField("port", port);
    g.writeEndObject();
  }

  private static String lower(Enum<?> e) {
    return e == null ? null : e.name().toLowerCase(Locale.ROOT);
  }

  private static String side(int dir) {
    return dir == StreamControl.CLIENT ? "client" : dir == StreamControl.SERVER ? "server" : null;
  }

  private static void writeOptionalNumber(JsonGenerator g, String name, long value) throws IOException {
    if (value >= 0) {
      g.writeNumberField(name, value);
    } else {
      g.writeNullField(name);
    }
  }

  static void writeConnection(JsonGenerator g, ConnectionRecord record) throws IOException {
    Connection c = record.tcp();
    g.writeStartObject();
    g.writeStringField("id", c.idString());
    writeEndpoint(g, "client", c.clientAddrHi(), c.clientAddrLo(), c.clientPort());
    writeEndpoint(g, "server", c.serverAddrHi(), c.serverAddrLo(), c.serverPort());
    g.writeNumberField("ip_version", c.ipVersion());
    g.writeStringField("roles_from", lower(c.roleSource()));
    g.writeBooleanField("roles_inferred", c.rolesInferred());
    g.writeNumberField("first_frame", c.firstFrame());
    g.writeNumberField("last_frame", c.lastFrame());
    g.writeNumberField("start_us", c.firstTsMicros());
    g.writeNumberField("end_us", c.lastTsMicros());
    g.writeObjectFieldStart("handshake");
    writeOptionalNumber(g, "syn_frame", c.synFrame());
    writeOptionalNumber(g, "syn_us", c.synTsMicros());
    writeOptionalNumber(g, "syn_ack_frame", c.synAckFrame());
    writeOptionalNumber(g, "syn_ack_us", c.synAckTsMicros());
    writeOptionalNumber(g, "ack_frame", c.ackFrame());
    writeOptionalNumber(g, "ack_us", c.ackTsMicros());
    g.writeNumberField("syn_count", c.synCount());
    g.writeNumberField("syn_ack_count", c.synAckCount());
    writeOptionalNumber(g, "rtt_to_server_us", c.rttToServerMicros());
    writeOptionalNumber(g, "rtt_to_client_us", c.rttToClientMicros());
    g.writeEndObject();
    g.writeStringField("vantage", lower(c.vantage()));
    g.writeObjectFieldStart("close");
    g.writeStringField("reason", lower(c.closeReason()));
    g.writeStringField("first_by", side(c.closedFirstBy()));
    g.writeEndObject();
    g.writeStringField("history", c.history());
    writeHalf(g, "client_to_server", c.half(StreamControl.CLIENT));
    writeHalf(g, "server_to_client", c.half(StreamControl.SERVER));
    HttpTracker http = record.http();
    g.writeObjectFieldStart("http");
    boolean isHttp = http != null && http.isHttp();
    g.writeBooleanField("detected", isHttp);
    if (!isHttp && http != null && http.notHttpReason() != null) {
      g.writeStringField("not_http_reason", http.notHttpReason());
    }
    if (http != null) {
      g.writeNumberField("max_pipeline_depth", http.maxPipelineDepth());
      g.writeBooleanField("tunnel", http.tunnel());
      g.writeObjectFieldStart("anomalies");
      for (Map.Entry<String, Long> e : http.anomalies().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeArrayFieldStart("transactions");
    if (http != null) {
      for (Transaction t : http.transactions()) {
        writeTransaction(g, c, t);
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void writeHalf(JsonGenerator g, String name, HalfConnection h) throws IOException {
    g.writeObjectFieldStart(name);
    g.writeNumberField("packets", h.packets());
    g.writeNumberField("payload_bytes", h.payloadBytes());
    g.writeNumberField("data_segments", h.dataSegments());
    g.writeNumberField("retransmissions", h.retransmissions());
    g.writeNumberField("retransmitted_bytes", h.retransmittedBytes());
    g.writeNumberField("out_of_order", h.outOfOrder());
    g.writeNumberField("overlap_conflicts", h.overlapConflicts());
    g.writeNumberField("gaps", h.gaps());
    g.writeNumberField("gap_bytes", h.gapBytes());
    writeOptionalNumber(g, "mss", h.mss());
    writeOptionalNumber(g, "window_scale", h.windowScale());
    g.writeBooleanField("sack_permitted", h.sackPermitted());
    g.writeNumberField("max_window", h.maxWindow());
    g.writeNumberField("zero_windows", h.zeroWindows());
    writeOptionalNumber(g, "fin_frame", h.finFrame());
    writeOptionalNumber(g, "rst_frame", h.rstFrame());
    g.writeEndObject();
  }

  private static void writeHeaders(JsonGenerator g, String name, Headers h) throws IOException {
    g.writeObjectFieldStart(name);
    if (h != null) {
      for (String n : HEADER_NAMES) {
        List<String> values = h.getAll(n);
        if (!values.isEmpty()) {
          g.writeStringField(n, String.join(", ", values));
        }
      }
    }
    g.writeEndObject();
  }

  private static long span(long from, long to) {
    return from >= 0 && to >= 0 ? Math.max(0, to - from) : -1;
  }

  static void writeTransaction(JsonGenerator g, Connection c, Transaction t) throws IOException {
    g.writeStartObject();
    g.writeNumberField("index", t.index());
    g.writeNumberField("depth", t.depth());
    g.writeNumberField("pipeline_depth", t.pipelineDepth());
    g.writeStringField("method", t.method());
    g.writeStringField("uri", t.uri());
    g.writeStringField("version", t.requestVersion());
    g.writeNumberField("status", t.status());
    g.writeStringField("reason", t.reason());
    g.writeStringField("response_version", t.responseVersion());
    g.writeArrayFieldStart("interim_statuses");
    for (int s : t.interimStatuses()) {
      g.writeNumber(s);
    }
    g.writeEndArray();
    writeHeaders(g, "request_headers", t.requestHeaders());
    writeHeaders(g, "response_headers", t.responseHeaders());
    g.writeNumberField("request_header_bytes", t.requestHeaderBytes());
    g.writeNumberField("request_body_bytes", t.requestBodyBytes());
    g.writeNumberField("request_body_gap_bytes", t.requestBodyGapBytes());
    g.writeStringField("request_framing", lower(t.requestFraming()));
    g.writeNumberField("response_header_bytes", t.responseHeaderBytes());
    g.writeNumberField("response_body_bytes", t.responseBodyBytes());
    g.writeNumberField("response_body_gap_bytes", t.responseBodyGapBytes());
    g.writeStringField("response_framing", lower(t.responseFraming()));
    writeOptionalNumber(g, "request_frame", t.requestFirstFrame());
    writeOptionalNumber(g, "request_last_frame", t.requestLastFrame());
    writeOptionalNumber(g, "response_frame", t.responseFirstFrame());
    writeOptionalNumber(g, "response_last_frame", t.responseLastFrame());
    writeOptionalNumber(g, "request_start_us", t.requestFirstUs());
    writeOptionalNumber(g, "request_end_us", t.requestLastUs());
    writeOptionalNumber(g, "response_start_us", t.responseFirstUs());
    writeOptionalNumber(g, "response_end_us", t.responseLastUs());
    g.writeObjectFieldStart("timings");
    long connect = t.index() == 0 && c.synTsMicros() >= 0 && c.ackTsMicros() >= 0 ? span(c.synTsMicros(), c.ackTsMicros()) : -1;
    writeOptionalNumber(g, "connect_us", connect);
    writeOptionalNumber(g, "send_us", span(t.requestFirstUs(), t.requestLastUs()));
    writeOptionalNumber(g, "wait_us", span(t.requestLastUs(), t.responseFirstUs()));
    writeOptionalNumber(g, "receive_us", span(t.responseFirstUs(), t.responseLastUs()));
    g.writeEndObject();
    g.writeBooleanField("unanswered", t.unanswered());
    g.writeBooleanField("orphan_response", t.orphanResponse());
    g.writeBooleanField("request_complete", t.requestComplete());
    g.writeBooleanField("response_complete", t.responseComplete());
    g.writeBooleanField("gap_affected", t.gapAffected());
    g.writeBooleanField("close_delimited", t.closeDelimited());
    g.writeArrayFieldStart("anomalies");
    for (String a : t.anomalies()) {
      g.writeString(a);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  static void writeFinding(JsonGenerator g, Finding f, List<Ladder.Entry> ladder) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", f.type());
    g.writeStringField("severity", f.severity());
    g.writeStringField("confidence", f.confidence());
    g.writeStringField("connection", f.connection());
    if (f.transaction() >= 0) {
      g.writeNumberField("transaction", f.transaction());
    }
    g.writeNumberField("cost_us", f.costMicros());
    g.writeObjectFieldStart("evidence");
    g.writeArrayFieldStart("frames");
    for (long fr : f.frames()) {
      g.writeNumber(fr);
    }
    g.writeEndArray();
    g.writeStringField("display_filter", f.displayFilter());
    g.writeEndObject();
    g.writeStringField("summary", f.summary());
    g.writeStringField("fix", f.fix());
    if (ladder != null) {
      g.writeArrayFieldStart("ladder");
      for (Ladder.Entry e : ladder) {
        g.writeStartObject();
        g.writeNumberField("frame", e.frame());
        g.writeNumberField("ts_us", e.tsMicros());
        g.writeStringField("dir", e.clientToServer() ? "c2s" : "s2c");
        g.writeStringField("flags", flags(e.flags()));
        g.writeNumberField("seq", e.seq());
        writeOptionalNumber(g, "ack", e.ack());
        g.writeNumberField("len", e.len());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

  /** TCP flags as Wireshark names them, in header bit order from SYN: "SYN,ACK", "PSH,ACK", "FIN,ACK". */
  static String flags(int bits) {
    StringBuilder b = new StringBuilder();
    for (int i : new int[] {1, 0, 2, 3, 4, 5, 6, 7}) {
      if ((bits & (1 << i)) != 0) {
        b.append(b.length() == 0 ? "" : ",").append(FLAG_NAMES[i]);
      }
    }
    return b.toString();
  }
}
