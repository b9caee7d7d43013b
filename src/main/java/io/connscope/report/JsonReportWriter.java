package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.analysis.CaptureSummary;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.analysis.Ladder;
import io.connscope.capture.Warnings;
import io.connscope.decode.Addresses;
import io.connscope.detect.DetectOptions;
import io.connscope.detect.Finding;
import io.connscope.detect.KeepAlive;
import io.connscope.detect.PairAggregator;
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
import java.util.HashMap;
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
 * "pairs":[
 * {"client":...,"server":{...},...}],
 * "connections":[
 * {"id":"C1",...},
 * {"id":"C2",...}],
 * "findings":[
 * {...}]}
 * </pre>
 *
 * Connections are ordered by id (creation order); findings by connection and transaction, then
 * in the order the detectors reported them (deterministic: the pipeline is single-threaded). Transactions are written as they become final, connections as they finish,
 * into a spool (in memory, then a temporary file) keyed by connection id, so a capture of any
 * size is written in memory bounded by the connections still open. Adding a field bumps the minor version;
 * renaming or removing one bumps the major version.
 */
public final class JsonReportWriter implements ReportWriter {
  public static final String SCHEMA = "connscope-report";
  public static final String SCHEMA_VERSION = "1.2.0";

  private static final JsonFactory FACTORY =
      new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT).setRootValueSeparator(null);
  /** Spool keys: connection id above this many bits, the piece of the connection below. */
  private static final int PIECE_BITS = 21;
  private static final long TRAILER = (1L << PIECE_BITS) - 1;
  /** A connection's transactions are spooled in pieces of about this size. */
  private static final int PIECE_BYTES = 32 * 1024;
  private static final byte[] TRAILER_BYTES = "]}".getBytes(StandardCharsets.US_ASCII);
  private final OutputStream out;
  private final String toolVersion;
  private final SpoolFile connections = new SpoolFile();
  /** Findings written as they come, ordered by connection and transaction at the end. */
  private final SpoolFile findings = new SpoolFile();
  private final Bytes scratch = new Bytes();
  private final Bytes findingScratch = new Bytes();
  private final Bytes txScratch = new Bytes();
  private JsonGenerator txGenerator;
  private final TransactionJson txJson = new TransactionJson();
  private JsonGenerator connGenerator;
  /** Transactions of open connections not spooled yet, by connection id. */
  private final java.util.HashMap<Long, Pending> open = new java.util.HashMap<>();

  /** A byte buffer whose content the spool copies directly (no intermediate array). */
  private static final class Bytes extends ByteArrayOutputStream {
    Bytes() {
      super(1024);
    }

    byte[] array() {
      return buf;
    }
  }

  /**
   * Final transactions of an open connection kept as objects until the connection closes, so
   * that findings reported at its close still appear in their transaction's stalls; beyond this
   * many the oldest are written out with the findings known then.
   */
  private static final int MAX_WAITING = 1000;

  /** Transactions of one open connection: waiting as objects, then serialized, then spooled. */
  private static final class Pending {
    final java.util.ArrayDeque<Transaction> waiting = new java.util.ArrayDeque<>();
    /** Serialized and not spooled yet; made when the first transaction is written before the close. */
    Bytes buf;
    long pieces;
    boolean any;
  }

  /**
   * Where a connection's last transactions are serialized at its close: one buffer for all
   * connections (most connections have all their transactions written then). The pieces of a
   * connection are written back to back, so where one ends does not show in the report.
   */
  private final Bytes closing = new Bytes();
  private long connectionCount;
  private long httpConnections;
  private long transactions;
  private long unanswered;
  private long orphans;
  /** Costs of the findings about open connections, by connection and type (stall summary). */
  private final Map<String, java.util.TreeMap<String, List<Long>>> costsOf = new HashMap<>();
  /** Findings about transactions of open connections, for each transaction's stalls. */
  private final Map<String, List<Finding>> transactionFindings = new HashMap<>();

  /** Writes to {@code out} at {@link #finish}; the stream is flushed, not closed. */
  public JsonReportWriter(OutputStream out, String toolVersion) {
    this.out = out;
    this.toolVersion = toolVersion;
  }

  @Override
  public void transaction(long connection, long synTsMicros, long ackTsMicros,
      long rttToServerMicros, Transaction t) {
    Pending p = open.get(connection);
    if (p == null) {
      p = new Pending();
      open.put(connection, p);
    }
    p.waiting.addLast(t);
    if (p.waiting.size() > MAX_WAITING) {
      if (p.buf == null) {
        p.buf = new Bytes();
      }
      serialize(connection, synTsMicros, ackTsMicros, rttToServerMicros, p, p.buf, p.waiting.pollFirst());
    }
    transactions++;
    if (t.unanswered()) {
      unanswered++;
    }
    if (t.orphanResponse()) {
      orphans++;
    }
  }

  /** Writes one transaction into its connection's pending bytes, spooling them when large. */
  private void serialize(long connection, long synTs, long ackTs, long rttToServer, Pending p,
      Bytes buf, Transaction t) {
    if (p.any) {
      buf.write(',');
    }
    p.any = true;
    try {
      if (txGenerator == null) { // one generator for every transaction: they are many
        txGenerator = FACTORY.createGenerator(txScratch, JsonEncoding.UTF8);
      }
      List<Finding> known = transactionFindings.isEmpty() ? null
          : transactionFindings.get("C" + connection); // Connection.idString()
      txJson.write(txGenerator, synTs, ackTs, rttToServer, t, known == null ? List.of() : known);
      txGenerator.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    buf.write(txScratch.array(), 0, txScratch.size());
    txScratch.reset();
    if (buf.size() >= PIECE_BYTES) {
      spoolPiece(connection, p, buf);
    }
  }

  private void spoolPiece(long id, Pending p, Bytes buf) {
    if (buf != null && buf.size() > 0) {
      connections.add((id << PIECE_BITS) | ++p.pieces, buf.array(), buf.size());
      buf.reset();
    }
  }

  @Override
  public void connection(ConnectionRecord record) {
    long id = record.tcp().id();
    scratch.reset();
    int headLength;
    try {
      if (connGenerator == null) { // one generator for every connection head: they are many
        connGenerator = FACTORY.createGenerator(scratch, JsonEncoding.UTF8);
      }
      // the head leaves the object and its transactions array open (the trailer piece closes
      // them in the document); the generator closes them too, to get back to the root, but
      // those two bytes are not spooled
      writeConnection(connGenerator, record, costsOf.remove(record.tcp().idString()));
      headLength = scratch.size();
      connGenerator.writeEndArray();
      connGenerator.writeEndObject();
      connGenerator.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    connections.add(id << PIECE_BITS, scratch.array(), headLength);
    Pending p = open.remove(id);
    if (p != null) {
      Connection c = record.tcp();
      spoolPiece(id, p, p.buf);
      closing.reset();
      while (!p.waiting.isEmpty()) {
        serialize(id, c.synTsMicros(), c.ackTsMicros(), c.rttToServerMicros(), p, closing,
            p.waiting.pollFirst());
      }
      spoolPiece(id, p, closing);
    }
    connections.add((id << PIECE_BITS) | TRAILER, TRAILER_BYTES, TRAILER_BYTES.length);
    transactionFindings.remove(record.tcp().idString());
    connectionCount++;
    HttpTracker http = record.http();
    if (http != null && http.isHttp()) {
      httpConnections++;
    }
  }

  @Override
  public void finding(Finding finding) {
    finding(finding, List.of());
  }

  /**
   * Spool key of a finding: connection number, then transaction (none first). Findings with equal
   * keys keep the order they came in, which the single-threaded pipeline makes deterministic.
   */
  private static long findingKey(Finding f) {
    long conn = Math.min(Math.max(connectionNumber(f.connection()) + 1, 0), (1L << 40) - 1);
    return (conn << 22) | Math.min(f.transaction() + 1L, (1L << 22) - 1);
  }

  private void note(Finding finding) {
    if (finding.connection() != null && finding.costMicros() > 0) {
      costsOf.computeIfAbsent(finding.connection(), k -> new java.util.TreeMap<>())
          .computeIfAbsent(finding.type(), k -> new ArrayList<>()).add(finding.costMicros());
    }
    if (finding.connection() != null && finding.transaction() >= 0) {
      transactionFindings.computeIfAbsent(finding.connection(), k -> new ArrayList<>()).add(finding);
    }
  }

  @Override
  public void finding(Finding finding, List<Ladder.Entry> ladder) {
    note(finding);
    findingScratch.reset();
    try (JsonGenerator g = FACTORY.createGenerator(findingScratch, JsonEncoding.UTF8)) {
      writeFinding(g, finding, ladder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    findings.add(findingKey(finding), findingScratch.array(), findingScratch.size());
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
        findings.close();
      } catch (IOException ignored) {
        // the temporary file is also deleted on exit
      }
    }
  }

  private void writeDocument(CaptureSummary capture) throws IOException {
    byte[] nl = ",\n".getBytes(StandardCharsets.US_ASCII);
    write("{");
    writePiece(g -> {
      str(g, "schema", SCHEMA);
      str(g, "schema_version", SCHEMA_VERSION);
      g.writeObjectFieldStart("tool");
      str(g, "name", "connscope");
      str(g, "version", toolVersion);
      g.writeEndObject();
    }, false);
    write(",\n\"capture\":");
    writePiece(g -> writeCapture(g, capture), true);
    write(",\n\"summary\":");
    writePiece(g -> {
      g.writeStartObject();
      num(g, "connections", connectionCount);
      num(g, "http_connections", httpConnections);
      num(g, "transactions", transactions);
      num(g, "unanswered_requests", unanswered);
      num(g, "orphan_responses", orphans);
      num(g, "findings", findings.count());
      if (capture.connectionsOutsidePairs() > 0) {
        num(g, "connections_outside_pairs", capture.connectionsOutsidePairs());
      }
      g.writeEndObject();
    }, true);
    write(",\n\"pairs\":[");
    List<PairAggregator.Pair> ps = capture.pairs();
    for (int i = 0; i < ps.size(); i++) {
      write(i == 0 ? "\n" : ",\n");
      PairAggregator.Pair p = ps.get(i);
      writePiece(g -> writePair(g, p), true);
    }
    write("]");
    write(",\n\"connections\":[");
    if (connectionCount > 0) {
      write("\n");
      connections.writeSorted(out, nl, PIECE_BITS);
    }
    write("],\n\"findings\":[");
    if (findings.count() > 0) {
      write("\n");
      findings.writeSorted(out, nl, -1);
    }
    write("]}\n");
  }

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
      str(g, "name", f.name());
      str(g, "format", f.format());
      num(g, "packets", f.packets());
      num(g, "bytes", f.bytes());
      g.writeEndObject();
    }
    g.writeEndArray();
    num(g, "packets", c.packets());
    num(g, "bytes", c.bytes());
    num(g, "tcp_packets", c.tcpPackets());
    g.writeArrayFieldStart("link_types");
    for (String l : c.linkTypes()) {
      g.writeString(l);
    }
    g.writeEndArray();
    num(g, "start_epoch_us", c.startEpochMicros());
    num(g, "duration_us", c.durationMicros());
    g.writeArrayFieldStart("warnings");
    for (Map.Entry<String, Warnings.Entry> e : c.warnings().entries().entrySet()) {
      g.writeStartObject();
      str(g, "code", e.getKey());
      num(g, "count", e.getValue().count());
      num(g, "first_frame", e.getValue().firstFrame());
      if (e.getValue().detail() != null) {
        str(g, "detail", e.getValue().detail());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** Field names encoded once: most of a transaction's bytes are names, and this skips escaping them. */
  private static final java.util.concurrent.ConcurrentHashMap<String, com.fasterxml.jackson.core.io.SerializedString>
      NAMES = new java.util.concurrent.ConcurrentHashMap<>();

  private static com.fasterxml.jackson.core.io.SerializedString name(String n) {
    com.fasterxml.jackson.core.io.SerializedString s = NAMES.get(n);
    return s != null ? s : NAMES.computeIfAbsent(n, com.fasterxml.jackson.core.io.SerializedString::new);
  }

  private static void num(JsonGenerator g, String n, long v) throws IOException {
    g.writeFieldName(name(n));
    g.writeNumber(v);
  }

  private static void str(JsonGenerator g, String n, String v) throws IOException {
    g.writeFieldName(name(n));
    g.writeString(v);
  }

  private static void bool(JsonGenerator g, String n, boolean v) throws IOException {
    g.writeFieldName(name(n));
    g.writeBoolean(v);
  }

  private static void writeEndpoint(JsonGenerator g, String name, long hi, long lo, int port)
      throws IOException {
    g.writeObjectFieldStart(name);
    str(g, "ip", Addresses.format(hi, lo));
    num(g, "port", port);
    g.writeEndObject();
  }

  /** Lower-case constant names, computed once per enum type (they are written for every transaction). */
  private static final ClassValue<String[]> LOWER_NAMES = new ClassValue<>() {
    @Override
    protected String[] computeValue(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      String[] names = new String[constants.length];
      for (int i = 0; i < constants.length; i++) {
        names[i] = ((Enum<?>) constants[i]).name().toLowerCase(Locale.ROOT);
      }
      return names;
    }
  };

  static String lower(Enum<?> e) {
    return e == null ? null : LOWER_NAMES.get(e.getDeclaringClass())[e.ordinal()];
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

  /** What a persistent pattern would have saved, as written in every pair's estimate. */
  public static final String ESTIMATE_ASSUMPTIONS = "one persistent connection per concurrently"
      + " used connection (the peak); each avoided setup costs the pair's mean setup time; a warm"
      + " connection sends a response in one round trip, so the extra flights measured on first"
      + " responses are saved in proportion to the avoided setups";

  static void writePair(JsonGenerator g, PairAggregator.Pair p) throws IOException {
    PairAggregator.Key k = p.key();
    g.writeStartObject();
    g.writeStringField("client", Addresses.format(k.clientHi(), k.clientLo()));
    writeEndpoint(g, "server", k.serverHi(), k.serverLo(), k.serverPort());
    g.writeStringField("first_connection", p.firstConnection());
    g.writeNumberField("connections", p.connections());
    g.writeNumberField("http_connections", p.httpConnections());
    g.writeNumberField("transactions", p.transactions());
    g.writeNumberField("transactions_per_connection",
        Math.round(p.transactionsPerConnection() * 100) / 100.0);
    g.writeNumberField("reused_connections", p.reusedConnections());
    g.writeNumberField("max_pipeline_depth", p.maxPipelineDepth());
    g.writeNumberField("peak_concurrent", p.peakConcurrent());
    g.writeStringField("pattern", p.pattern());
    g.writeNumberField("setups", p.setups());
    g.writeNumberField("setup_us", p.setupMicros());
    g.writeNumberField("tls_connections", p.tlsConnections());
    g.writeNumberField("tls_setup_us", p.tlsMicros());
    g.writeNumberField("transaction_us", p.transactionMicros());
    g.writeNumberField("setup_share_pct", Math.round(p.setupShare() * 100));
    g.writeNumberField("start_us", p.startUs());
    g.writeNumberField("end_us", p.endUs());
    g.writeObjectFieldStart("persistent_estimate");
    g.writeNumberField("setups_avoided", p.setupsAvoidable());
    g.writeNumberField("setup_saved_us", p.setupSavedMicros());
    g.writeNumberField("slow_start_saved_us", p.slowStartSavedMicros());
    g.writeNumberField("saved_us", p.setupSavedMicros() + p.slowStartSavedMicros());
    g.writeStringField("assumptions", ESTIMATE_ASSUMPTIONS);
    g.writeEndObject();
    g.writeEndObject();
  }

  static void writeConnection(JsonGenerator g, ConnectionRecord record,
      Map<String, List<Long>> costs) throws IOException {
    Connection c = record.tcp();
    g.writeStartObject();
    str(g, "id", c.idString());
    writeEndpoint(g, "client", c.clientAddrHi(), c.clientAddrLo(), c.clientPort());
    writeEndpoint(g, "server", c.serverAddrHi(), c.serverAddrLo(), c.serverPort());
    num(g, "ip_version", c.ipVersion());
    str(g, "roles_from", lower(c.roleSource()));
    bool(g, "roles_inferred", c.rolesInferred());
    num(g, "first_frame", c.firstFrame());
    num(g, "last_frame", c.lastFrame());
    num(g, "start_us", c.firstTsMicros());
    num(g, "end_us", c.lastTsMicros());
    g.writeObjectFieldStart("handshake");
    writeOptionalNumber(g, "syn_frame", c.synFrame());
    writeOptionalNumber(g, "syn_us", c.synTsMicros());
    writeOptionalNumber(g, "syn_ack_frame", c.synAckFrame());
    writeOptionalNumber(g, "syn_ack_us", c.synAckTsMicros());
    writeOptionalNumber(g, "ack_frame", c.ackFrame());
    writeOptionalNumber(g, "ack_us", c.ackTsMicros());
    num(g, "syn_count", c.synCount());
    num(g, "syn_ack_count", c.synAckCount());
    writeOptionalNumber(g, "rtt_to_server_us", c.rttToServerMicros());
    writeOptionalNumber(g, "rtt_to_client_us", c.rttToClientMicros());
    g.writeEndObject();
    str(g, "vantage", lower(c.vantage()));
    String coverage = coverage(c);
    if (coverage != null) {
      str(g, "coverage", coverage); // since 1.2.0: a direction with no packet in the capture
    }
    g.writeObjectFieldStart("close");
    str(g, "reason", lower(c.closeReason()));
    str(g, "first_by", side(c.closedFirstBy()));
    g.writeEndObject();
    str(g, "history", c.history());
    writeHalf(g, "client_to_server", c.half(StreamControl.CLIENT));
    writeHalf(g, "server_to_client", c.half(StreamControl.SERVER));
    HttpTracker http = record.http();
    g.writeObjectFieldStart("http");
    boolean isHttp = http != null && http.isHttp();
    bool(g, "detected", isHttp);
    if (!isHttp && http != null && http.notHttpReason() != null) {
      str(g, "not_http_reason", http.notHttpReason());
    }
    if (http != null) {
      num(g, "max_pipeline_depth", http.maxPipelineDepth());
      if (http.httpReversed()) {
        bool(g, "reversed", true); // since 1.1.0: the handshake's server sends the requests
      }
      bool(g, "tunnel", http.tunnel());
      g.writeObjectFieldStart("anomalies");
      for (Map.Entry<String, Long> e : http.anomalies().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    TlsReport.json(g, record.tls()); // TLS connections only (additive)
    if (isHttp) {
      writeKeepAlive(g, KeepAlive.ending(c, http));
    }
    // per finding type on this connection: how many, the time they cost in total and the median
    g.writeObjectFieldStart("stall_summary");
    if (costs != null) {
      for (Map.Entry<String, List<Long>> e : costs.entrySet()) {
        long[] v = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
        g.writeObjectFieldStart(e.getKey());
        num(g, "count", v.length);
        num(g, "total_us", java.util.Arrays.stream(v).sum());
        num(g, "median_us", v[(v.length - 1) / 2]);
        g.writeEndObject();
      }
    }
    g.writeEndObject();
    num(g, "transaction_count", http == null ? 0 : http.transactionCount());
    // the transactions were spooled as they became final: the array is left open here and
    // closed by the connection's trailer piece
    g.writeArrayFieldStart("transactions");
    g.flush();
  }

  private static void writeHalf(JsonGenerator g, String name, HalfConnection h) throws IOException {
    g.writeObjectFieldStart(name);
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

  static long span(long from, long to) {
    return from >= 0 && to >= 0 ? Math.max(0, to - from) : -1;
  }

  /**
   * Server time: the wait at the capture point minus the round trip from the capture point to the
   * server (SYN to SYN/ACK), which the wait includes wherever the capture was taken; -1 without
   * a handshake.
   */
  static long serverTime(Connection c, Transaction t) {
    return serverTime(c.rttToServerMicros(), t);
  }

  static long serverTime(long rttToServer, Transaction t) {
    long wait = span(t.requestLastUs(), t.responseFirstUs());
    if (wait < 0 || rttToServer < 0) {
      return -1;
    }
    return Math.max(0, wait - rttToServer);
  }

  /**
   * Connect time of a transaction that opened its connection (the first one on a connection
   * whose handshake was seen): first SYN to the handshake ACK; -1 otherwise.
   */
  static long connectTime(Connection c, Transaction t) {
    return connectTime(c.synTsMicros(), c.ackTsMicros(), t);
  }

  static long connectTime(long synTs, long ackTs, Transaction t) {
    return t.index() == 0 && synTs >= 0 && ackTs >= 0 ? span(synTs, ackTs) : -1;
  }

  /**
   * {@code client_only} or {@code server_only} when the other side sent packets the capture does
   * not hold at all (a tap on one direction, asymmetric routing), else null.
   */
  static String coverage(Connection c) {
    boolean client = c.half(StreamControl.CLIENT).packets() > 0;
    boolean server = c.half(StreamControl.SERVER).packets() > 0;
    return client == server ? null : client ? "client_only" : "server_only";
  }

  /** Since 1.1.0: how the connection ended, for keep-alive analysis ({@link KeepAlive#ending}). */
  private static void writeKeepAlive(JsonGenerator g, KeepAlive.Ending e) throws IOException {
    g.writeObjectFieldStart("keepalive");
    num(g, "requests", e.requests());
    bool(g, "reused", e.reused());
    str(g, "closed_by", e.closedBy());
    str(g, "close_kind", e.closeKind());
    writeOptionalNumber(g, "close_frame", e.closeFrame());
    writeOptionalNumber(g, "close_us", e.closeMicros());
    num(g, "closed_after", e.closedAfter());
    writeOptionalNumber(g, "idle_before_close_us", e.idleBeforeCloseMicros());
    g.writeEndObject();
  }

  static void writeFinding(JsonGenerator g, Finding f, List<Ladder.Entry> ladder) throws IOException {
    g.writeStartObject();
    str(g, "type", f.type());
    str(g, "severity", f.severity());
    str(g, "confidence", f.confidence());
    str(g, "connection", f.connection());
    if (f.transaction() >= 0) {
      num(g, "transaction", f.transaction());
    }
    num(g, "cost_us", f.costMicros());
    g.writeObjectFieldStart("evidence");
    g.writeArrayFieldStart("frames");
    for (long fr : f.frames()) {
      g.writeNumber(fr);
    }
    g.writeEndArray();
    str(g, "display_filter", f.displayFilter());
    g.writeEndObject();
    str(g, "summary", f.summary());
    str(g, "fix", f.fix());
    if (f.details() != null && !f.details().isEmpty()) {
      g.writeFieldName("details");
      writeValue(g, f.details());
    }
    if (ladder != null && !ladder.isEmpty()) {
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

  /** Writes a details value: numbers, strings, booleans, lists and sorted maps of them. */
  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long || v instanceof Integer) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : new java.util.TreeMap<>(m).entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Iterable<?> it) {
      g.writeStartArray();
      for (Object o : it) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(String.valueOf(v));
    }
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
