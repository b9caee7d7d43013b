package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.LatencyHistogram;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternSummary;
import io.connscope.result.Percentiles;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;

/**
 * Writes the JSON report (schema {@value #SCHEMA}, version {@value #SCHEMA_VERSION}; described by
 * {@code src/main/resources/schema/report-v1.json}).
 *
 * <p>Layout: one object per line for connections and findings, so that reports diff and grep well:
 *
 * <pre>
 * {"schema":"connscope-report","schema_version":"1.4.0","tool":{...},
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
 * Connections are ordered by id (creation order); findings by connection and transaction, then in
 * the order the detectors reported them (deterministic: the pipeline is single-threaded). The
 * writer only formats the result records ({@link io.connscope.result}); transactions are written as
 * they come, connections as they finish, into a spool (in memory, then a temporary file) keyed by
 * connection id, so a capture of any size is written in memory bounded by the connections still
 * open. Adding a field bumps the minor version; renaming or removing one bumps the major version.
 */
public final class JsonReportWriter implements ResultSink {
  public static final String SCHEMA = "connscope-report";
  public static final String SCHEMA_VERSION = "1.4.0";

  private static final JsonFactory FACTORY =
      new JsonFactory()
          .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)
          .setRootValueSeparator(null);

  /** Spool keys: connection id above this many bits, the piece of the connection below. */
  private static final int PIECE_BITS = 21;

  private static final long TRAILER = (1L << PIECE_BITS) - 1;

  /**
   * A connection's transactions are spooled in pieces of about this size, or smaller when many
   * connections are open at once ({@link #pieceBytes}).
   */
  private static final int PIECE_BYTES = 32 * 1024;

  /**
   * The open connections' transactions not spooled yet, in all, at most about this many bytes: each
   * connection's pieces are {@code OPEN_BYTES / open connections} when that is below {@link
   * #PIECE_BYTES}, down to {@link #MIN_PIECE_BYTES}. 1,000 long connections open at once held a
   * piece of up to 32 KiB each, in buffers grown to 64 KiB: 55 MB. A buffer grown past twice the
   * piece is dropped once spooled, and made again for the connection's next transaction: 5,000 open
   * at once, each with a piece of 4 KiB in a buffer of up to 8 KiB, held 20 to 40 MB (stop 35).
   */
  private static final int OPEN_BYTES = 4 << 20;

  private static final int MIN_PIECE_BYTES = 256;

  private static final byte[] TRAILER_BYTES = "]}".getBytes(StandardCharsets.US_ASCII);
  private final Counting out;
  private final String toolVersion;

  /** Byte offsets of the '[' of the connections and findings arrays once written; -1 before. */
  private long connectionsAt = -1;

  private long findingsAt = -1;

  /** The output, counting the bytes written to it. */
  private static final class Counting extends java.io.FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  private final SpoolFile connections = new SpoolFile();

  /** Findings written as they come, ordered by connection and transaction at the end. */
  private final SpoolFile findings = new SpoolFile();

  private final Bytes scratch = new Bytes();
  private final FindingJson findingJson = new FindingJson();
  private final TransactionJson txJson = new TransactionJson();
  private final ConnectionJson head = new ConnectionJson();

  /** Serialized transactions of connections not finished yet, by connection number. */
  private final HashMap<Long, Pending> open = new HashMap<>();

  /** A byte buffer whose content the spool copies directly (no intermediate array). */
  private static final class Bytes extends ByteArrayOutputStream {
    Bytes() {
      super(1024);
    }

    byte[] array() {
      return buf;
    }
  }

  /** Transactions of one connection serialized and not spooled yet. */
  private static final class Pending {
    Bytes buf;
    long pieces;
    boolean any;

    /** The transactions written, and their bytes with the commas between them. */
    long count;

    long bytes;

    Pending(Bytes buf) {
      this.buf = buf;
    }
  }

  /** The heads of the connections written, when kept ({@link #keepHeads}). */
  private HeadRows heads;

  /** Buffers of finished connections, reused (most connections are open a short while). */
  private final java.util.ArrayDeque<Bytes> freeBuffers = new java.util.ArrayDeque<>();

  private static final int FREE_BUFFERS = 64;

  /** Writes to {@code out} at {@link #finish}; the stream is flushed, not closed. */
  public JsonReportWriter(OutputStream out, String toolVersion) {
    this.out = new Counting(out);
    this.toolVersion = toolVersion;
  }

  @Override
  public void transaction(TransactionResult t) {
    long connection = t.connection();
    Pending p = open.get(connection);
    if (p == null) {
      p = new Pending(buffer());
      open.put(connection, p);
    } else if (p.buf == null) {
      p.buf = buffer();
    }
    if (p.any) {
      p.buf.write(',');
      p.bytes++;
    }
    p.any = true;
    txJson.write(t); // without a JsonGenerator: they are many (TransactionJson)
    p.buf.write(txJson.bytes(), 0, txJson.length());
    p.count++;
    p.bytes += txJson.length();
    txJson.reset();
    int piece = pieceBytes();
    if (p.buf.size() >= piece && p.pieces < TRAILER - 2) { // the close spools one more
      spoolPiece(connection, p);
      if (p.buf.array().length > 2 * piece) { // grown past the pieces of this many open
        p.buf = null;
      }
    }
  }

  /** A buffer for a connection's transactions: one a finished connection left, or a new one. */
  private Bytes buffer() {
    Bytes b = freeBuffers.pollFirst();
    return b != null ? b : new Bytes();
  }

  /** The size at which an open connection's transactions are spooled as a piece. */
  private int pieceBytes() {
    return Math.max(MIN_PIECE_BYTES, Math.min(PIECE_BYTES, OPEN_BYTES / Math.max(1, open.size())));
  }

  private void spoolPiece(long id, Pending p) {
    if (p.buf != null && p.buf.size() > 0) {
      connections.add((id << PIECE_BITS) | ++p.pieces, p.buf.array(), p.buf.size());
      p.buf.reset();
      piecesSpooled++;
    }
  }

  /** Pieces of transactions spooled apart from their connection's head. */
  private long piecesSpooled;

  /** {@link #piecesSpooled} (for tests). */
  long piecesSpooled() {
    return piecesSpooled;
  }

  @Override
  public void connection(ConnectionResult c) {
    long id = c.id();
    // the head leaves the object and its transactions array open: the trailer piece closes them
    head.write(c); // without a JsonGenerator: they are many (ConnectionJson)
    Pending p = open.remove(id);
    if (heads != null) { // the record: head, transactions, trailer
      heads.add(
          c,
          head.length() + (p == null ? 0 : p.bytes) + TRAILER_BYTES.length,
          p == null ? 0 : p.count);
    }
    if (p == null || p.pieces == 0) {
      // none of its transactions spooled yet (most connections): head, transactions and trailer
      // as one record, the bytes the three records would have been
      connections.add(
          id << PIECE_BITS,
          head.bytes(),
          head.length(),
          p == null ? TRAILER_BYTES : p.buf.array(),
          p == null ? 0 : p.buf.size(),
          TRAILER_BYTES,
          TRAILER_BYTES.length);
      if (p != null) {
        p.buf.reset();
        release(p);
      }
      return;
    }
    connections.add(id << PIECE_BITS, head.bytes(), head.length());
    spoolPiece(id, p);
    release(p);
    connections.add((id << PIECE_BITS) | TRAILER, TRAILER_BYTES, TRAILER_BYTES.length);
  }

  /** Keeps the buffer of a finished connection for another. */
  private void release(Pending p) {
    if (p.buf != null
        && freeBuffers.size() < FREE_BUFFERS
        && p.buf.array().length <= 4 * PIECE_BYTES) {
      freeBuffers.addFirst(p.buf);
    }
  }

  /**
   * Spool key of a finding: connection number, then transaction (none first). Findings with equal
   * keys keep the order they came in, which the single-threaded pipeline makes deterministic.
   */
  private static long findingKey(Finding f) {
    long conn = Math.min(Math.max(f.connectionNumber() + 1, 0), (1L << 40) - 1);
    return (conn << 22) | Math.min(f.transaction() + 1L, (1L << 22) - 1);
  }

  @Override
  public void finding(Finding finding) {
    findingJson.reset();
    findingJson.write(finding); // without a JsonGenerator: a capture may have one per connection
    findings.add(findingKey(finding), findingJson.bytes(), findingJson.length());
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
    writePiece(
        g -> {
          str(g, "schema", SCHEMA);
          str(g, "schema_version", SCHEMA_VERSION);
          g.writeObjectFieldStart("tool");
          str(g, "name", "connscope");
          str(g, "version", toolVersion);
          g.writeEndObject();
        },
        false);
    write(",\n\"capture\":");
    writePiece(g -> writeCapture(g, capture), true);
    write(",\n\"summary\":");
    CaptureSummary.Totals totals = capture.totals();
    writePiece(
        g -> {
          g.writeStartObject();
          num(g, "connections", totals.connections());
          num(g, "http_connections", totals.httpConnections());
          num(g, "transactions", totals.transactions());
          num(g, "unanswered_requests", totals.unansweredRequests());
          num(g, "orphan_responses", totals.orphanResponses());
          num(g, "findings", totals.findings());
          if (totals.connectionsOutsidePairs() > 0) {
            num(g, "connections_outside_pairs", totals.connectionsOutsidePairs());
          }
          g.writeEndObject();
        },
        true);
    write(",\n\"pairs\":[");
    List<PairSummary> ps = capture.pairs();
    for (int i = 0; i < ps.size(); i++) {
      write(i == 0 ? "\n" : ",\n");
      PairSummary p = ps.get(i);
      writePiece(g -> writePair(g, p), true);
    }
    write("]");
    write(",\n\"connections\":[");
    connectionsAt = out.count - 1;
    if (connections.count() > 0) {
      write("\n");
      connections.writeSorted(out, nl, PIECE_BITS);
    }
    write("],\n\"findings\":[");
    findingsAt = out.count - 1;
    if (findings.count() > 0) {
      write("\n");
      findings.writeSorted(out, nl, -1);
    }
    write("]}\n");
  }

  /**
   * Where the connections array starts in the output (the offset of its '[' from the first byte
   * this writer wrote), once {@link #finish} has written it; -1 before.
   */
  long connectionsOffset() {
    return connectionsAt;
  }

  /** Where the findings array starts in the output, as {@link #connectionsOffset}. */
  long findingsOffset() {
    return findingsAt;
  }

  /**
   * Keeps the head of every connection written ({@link HeadRows}), for a digest that reads them
   * instead of the report; call before the first connection. The rows are the caller's to close.
   */
  HeadRows keepHeads() {
    heads = new HeadRows();
    return heads;
  }

  private interface Piece {
    void write(JsonGenerator g) throws IOException;
  }

  private void writePiece(Piece piece, boolean standalone) throws IOException {
    scratch.reset();
    try (JsonGenerator g = FACTORY.createGenerator(scratch, JsonEncoding.UTF8)) {
      if (!standalone) {
        // fields of the enclosing top-level object: write them inside a throwaway object and strip
        // its braces
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
      if (c.files().size() > 1) { // since 1.4.0: where each file's frames are in the report's
        num(g, "first_frame", f.firstFrame());
        num(g, "start_epoch_us", f.startEpochUs());
        num(g, "end_epoch_us", f.endEpochUs());
      }
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
    num(g, "start_epoch_us", c.startEpochUs());
    num(g, "duration_us", c.durationUs());
    if (c.filter() != null) { // only when one was given (since 1.3.0)
      str(g, "filter", c.filter());
      num(g, "filtered_out", c.filteredOut());
    }
    g.writeArrayFieldStart("warnings");
    for (CaptureSummary.Warning w : c.warnings()) {
      g.writeStartObject();
      str(g, "code", w.code());
      num(g, "count", w.count());
      num(g, "first_frame", w.firstFrame());
      if (w.detail() != null) {
        str(g, "detail", w.detail());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * Field names encoded once: most of a transaction's bytes are names, and this skips escaping
   * them.
   */
  private static final java.util.concurrent.ConcurrentHashMap<
          String, com.fasterxml.jackson.core.io.SerializedString>
      NAMES = new java.util.concurrent.ConcurrentHashMap<>();

  private static com.fasterxml.jackson.core.io.SerializedString name(String n) {
    com.fasterxml.jackson.core.io.SerializedString s = NAMES.get(n);
    return s != null
        ? s
        : NAMES.computeIfAbsent(n, com.fasterxml.jackson.core.io.SerializedString::new);
  }

  private static void num(JsonGenerator g, String n, long v) throws IOException {
    g.writeFieldName(name(n));
    g.writeNumber(v);
  }

  private static void str(JsonGenerator g, String n, String v) throws IOException {
    g.writeFieldName(name(n));
    g.writeString(v);
  }

  private static void writeEndpoint(JsonGenerator g, String name, Endpoint e) throws IOException {
    g.writeFieldName(name(name));
    g.writeStartObject();
    str(g, "ip", e.ip());
    num(g, "port", e.port());
    g.writeEndObject();
  }

  static void writePair(JsonGenerator g, PairSummary p) throws IOException {
    g.writeStartObject();
    g.writeStringField("client", p.client());
    writeEndpoint(g, "server", p.server());
    g.writeStringField("first_connection", p.firstConnection());
    g.writeNumberField("connections", p.connections());
    g.writeNumberField("http_connections", p.httpConnections());
    g.writeNumberField("transactions", p.transactions());
    g.writeNumberField(
        "transactions_per_connection", Math.round(p.transactionsPerConnection() * 100) / 100.0);
    g.writeNumberField("reused_connections", p.reusedConnections());
    g.writeNumberField("max_pipeline_depth", p.maxPipelineDepth());
    g.writeNumberField("peak_concurrent", p.peakConcurrent());
    g.writeStringField("pattern", p.pattern());
    PairSummary.InferredUse u = p.inferred();
    if (u != null) { // since 1.4.0, only where exchanges were inferred
      g.writeNumberField("inferred_connections", u.connections());
      g.writeNumberField("inferred_exchanges", u.exchanges());
      g.writeNumberField(
          "inferred_exchanges_per_connection",
          Math.round(u.exchangesPerConnection() * 100) / 100.0);
      g.writeNumberField("inferred_reused_connections", u.reusedConnections());
      g.writeNumberField("inferred_max_per_connection", u.maxPerConnection());
      g.writeStringField("inferred_pattern", u.pattern());
    }
    g.writeNumberField("setups", p.setups());
    g.writeNumberField("setup_us", p.setupUs());
    g.writeNumberField("tls_connections", p.tlsConnections());
    g.writeNumberField("tls_setup_us", p.tlsSetupUs());
    g.writeNumberField("transaction_us", p.transactionUs());
    g.writeNumberField("setup_share_pct", p.setupSharePct());
    g.writeNumberField("start_us", p.startUs());
    g.writeNumberField("end_us", p.endUs());
    PairSummary.PersistentEstimate e = p.persistentEstimate();
    g.writeObjectFieldStart("persistent_estimate");
    g.writeNumberField("setups_avoided", e.setupsAvoided());
    g.writeNumberField("setup_saved_us", e.setupSavedUs());
    g.writeNumberField("slow_start_saved_us", e.slowStartSavedUs());
    g.writeNumberField("saved_us", e.savedUs());
    g.writeStringField("assumptions", e.assumptions());
    g.writeEndObject();
    writePatterns(g, p);
    g.writeEndObject();
  }

  /** A pair's request patterns and latency histogram (since 1.4.0). */
  private static void writePatterns(JsonGenerator g, PairSummary p) throws IOException {
    g.writeArrayFieldStart("patterns");
    for (PatternSummary s : p.patterns()) {
      g.writeStartObject();
      g.writeStringField("pattern", s.pattern());
      g.writeNumberField("transactions", s.transactions());
      g.writeNumberField("connections", s.connections());
      g.writeNumberField("bytes", s.bytes());
      g.writeNumberField("time_us", s.timeUs());
      writePercentiles(g, "wait_us", s.waitTime());
      writePercentiles(g, "total_us", s.total());
      g.writeEndObject();
    }
    g.writeEndArray();
    LatencyHistogram h = p.latencyHistogram();
    if (h != null) {
      g.writeObjectFieldStart("latency_histogram");
      writeLongs(g, "lower_us", h.lowerUs());
      writeLongs(g, "wait_us", h.waitTime());
      writeLongs(g, "total_us", h.total());
      g.writeEndObject();
    }
  }

  /**
   * {@code name}: {@code p}'s p50, p90 and p99 as an object, or null. The diff writes them alike.
   */
  public static void writePercentiles(JsonGenerator g, String name, Percentiles p)
      throws IOException {
    if (p == null) {
      g.writeNullField(name);
      return;
    }
    g.writeObjectFieldStart(name);
    g.writeNumberField("p50", p.p50Us());
    g.writeNumberField("p90", p.p90Us());
    g.writeNumberField("p99", p.p99Us());
    g.writeEndObject();
  }

  private static void writeLongs(JsonGenerator g, String name, List<Long> v) throws IOException {
    g.writeArrayFieldStart(name);
    for (long x : v) {
      g.writeNumber(x);
    }
    g.writeEndArray();
  }
}
