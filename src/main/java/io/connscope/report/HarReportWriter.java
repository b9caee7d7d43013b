package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionIds;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.FrameFiles;
import io.connscope.result.HeaderMap;
import io.connscope.result.ResultSink;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a report (its result records) as HAR 1.2
 * (http://www.softwareishard.com/blog/har-12-spec/): one entry per transaction, ordered by request
 * start.
 *
 * <ul>
 *   <li>timings: blocked -1, dns -1 (not seen in a TCP capture); connect is the handshake (SYN to
 *       the handshake's ACK) on a connection's first transaction, -1 on a reused connection; on a
 *       TLS connection whose handshake was seen, ssl is the TLS setup (ClientHello to the first
 *       application data record, {@code tls.timing.setup_us}) and connect, which includes it (HAR
 *       1.2), runs from the SYN to that record; ssl is -1 otherwise; send, wait, receive from the
 *       first and last frames of the request and response (0 when unknown, e.g. an unanswered
 *       request: HAR requires them non-negative).
 *   <li>{@code connection} is connscope's connection id ("C3"); {@code serverIPAddress} the
 *       server's address.
 *   <li>headers: those the JSON report keeps (framing, connection management and a few identifying
 *       ones); sizes from the wire (header bytes, body bytes after de-chunking as the report counts
 *       them).
 *   <li>{@code _connscope}: connection, transaction index, evidence frames, flags (unanswered,
 *       gaps), the stalls (type and cost of every finding occurrence on this transaction) and the
 *       findings that name this transaction (a finding that groups several occurrences names its
 *       costliest one; {@code occurrences} says how many).
 * </ul>
 *
 * Output is deterministic: fixed field order, times in milliseconds with three decimals.
 */
public final class HarReportWriter {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private HarReportWriter() {}

  /**
   * What an entry reads of its connection: its id and endpoints, and for the entry of its first
   * transaction (connect, ssl) and one without a start of its own its start, SYN and TLS timing (-1
   * and null when not known yet: {@link Live} renders only entries that need none of them before
   * the connection's close).
   */
  record Conn(
      String id, Endpoint client, Endpoint server, long startUs, long synUs, TlsFacts.Timing tls) {
    static Conn of(ConnectionResult c) {
      return new Conn(
          c.idString(),
          c.client(),
          c.server(),
          c.startUs(),
          c.handshake().synUs(),
          c.tls() == null ? null : c.tls().timing());
    }

    static Conn of(ConnectionStart s) {
      return new Conn(s.idString(), s.client(), s.server(), -1, -1, null);
    }
  }

  public static void write(JsonNode r, OutputStream out) throws IOException {
    write(ReportSource.of(r), out);
  }

  /**
   * Writes the HAR of {@code src} in memory bounded whatever its size: each entry is rendered as
   * its transaction is read, spooled (memory, then a temporary file) keyed by its start, and
   * written back in start order (ties in report order: connection, then transaction).
   */
  static void write(ReportSource src, OutputStream out) throws IOException {
    try (Entries entries = new Entries(src)) {
      src.transactions(entries);
      entries.write(out);
    }
  }

  /**
   * The entries of one report, gathered from a pass over its transactions (which may feed other
   * renderers too, {@link SavedReport}) and written in start order by {@link #write}.
   */
  static final class Entries implements ReportSource.TransactionVisitor, AutoCloseable {
    private final ResultJson.Header r;
    private final long epochUs;
    private final FrameFiles ff;

    // an entry sits two objects deep (the document, then "log"): rendered alone, it is indented so
    private final PrettyJson entry = new PrettyJson(2);
    private final Dates dates = new Dates();
    private final SpoolFile entries = new SpoolFile(4 << 20);
    private final ReportSource.FindingCursor findings;
    private ConnectionResult lastResult;
    private Conn last;

    Entries(ReportSource src) throws IOException {
      r = src.header();
      epochUs = r.capture().startEpochUs();
      ff = r.capture().frameFiles();
      findings = src.findingCursor();
    }

    @Override
    public void accept(ConnectionResult c, TransactionResult t) throws IOException {
      long start =
          t.requestStartUs() >= 0
              ? t.requestStartUs()
              : t.responseStartUs() >= 0 ? t.responseStartUs() : c.startUs();
      List<Finding> fs = findings.take(c.idString(), t.index());
      if (c != lastResult) {
        lastResult = c;
        last = Conn.of(c);
      }
      entry.reset();
      entry(entry, fs, last, t, start, epochUs, ff, dates);
      entries.add(start, entry.bytes(), entry.length());
    }

    /** Writes the HAR document, its entries in start order; {@code out} is flushed, not closed. */
    void write(OutputStream out) throws IOException {
      document(out, r.toolVersion(), r.capture(), entries, OutputStream::write);
    }

    @Override
    public void close() throws IOException {
      try {
        entries.close();
      } finally {
        findings.close();
      }
    }
  }

  /**
   * Writes the HAR document of a report by {@code toolVersion} on {@code capture}, with the entries
   * of {@code entries} in start order, each written through {@code emit}; {@code out} is flushed,
   * not closed.
   */
  static void document(
      OutputStream out,
      String toolVersion,
      CaptureSummary capture,
      SpoolFile entries,
      SpoolFile.Emit emit)
      throws IOException {
    FrameFiles ff = capture.frameFiles();
    {
      DefaultPrettyPrinter pp =
          new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
      try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setPrettyPrinter(pp);
        g.writeStartObject();
        g.writeObjectFieldStart("log");
        g.writeStringField("version", "1.2");
        g.writeObjectFieldStart("creator");
        g.writeStringField("name", "connscope");
        g.writeStringField("version", toolVersion);
        g.writeEndObject();
        g.writeArrayFieldStart("pages");
        g.writeEndArray();
        g.writeArrayFieldStart("entries");
        if (entries.count() > 0) {
          // the entries are whole values, pretty-printed at their depth: written as they are, with
          // the separators the pretty printer puts around array values ("[ " v ", " v " ]")
          g.flush();
          out.write(' ');
          entries.writeSorted(out, ENTRY_SEPARATOR, -1, emit);
        }
        g.writeEndArray();
        g.writeStringField(
            "comment",
            "connscope "
                + toolVersion
                + " from "
                + ReportModel.files(capture)
                + "; times are capture times"
                + (ff.multi() ? "; " + ReportModel.fileFrames(capture) : ""));
        g.writeEndObject();
        g.writeEndObject();
      }
      out.write('\n');
      out.flush();
    }
  }

  /**
   * The HAR rendered while the analysis runs, from the records as they come, instead of from the
   * JSON report read back ({@link Entries}): same bytes. An entry is rendered as soon as what it
   * needs of its connection is known: with its transaction when the connection was announced
   * ({@link ResultSink#connectionStarted}) and the entry needs only its id and endpoints, else at
   * the connection's close (the transactions of most connections come just before it). Entries are
   * spooled keyed by start, ties by connection and transaction (the report's order), each with its
   * start as HAR gives it ({@code startedDateTime} is filled in at the end, when the capture's
   * start is known) and with no findings (they come at the end: spliced in by {@link #write}).
   *
   * <p>Memory: the spool's budget, the transactions waiting for their connection (at most {@value
   * #MAX_WAITING}), the endpoints of the announced open connections and the findings that name a
   * transaction (at most {@value #MAX_FINDINGS}). Beyond those bounds, with a connection's
   * endpoints other than announced, transactions without their connection at the end or several
   * input files (whose frames the entries would name by file) it gives up ({@link #write} returns
   * false) and the HAR is rendered from the JSON report.
   */
  static final class Live implements ResultSink, AutoCloseable {
    static final int MAX_WAITING = 4096;
    static final int MAX_FINDINGS = 4_096;

    /** Bytes before an entry in the spool: its HAR start, connection number, transaction index. */
    private static final int HEAD = 20;

    private final PrettyJson entry = new PrettyJson(2);
    private final PrettyJson tail = new PrettyJson(4);
    private final SpoolFile entries = new SpoolFile(4 << 20);
    private final HashMap<Long, Conn> announced = new HashMap<>();
    private final HashMap<Long, ArrayList<TransactionResult>> waiting = new HashMap<>();
    private int waitingCount;
    private final HashMap<String, List<Finding>> findings = new HashMap<>();
    private int findingCount;
    private CaptureSummary capture;
    private boolean failed;
    private long lastId = -1;
    private Conn last;

    @Override
    public void connectionStarted(ConnectionStart s) {
      if (!failed) {
        announced.put(s.id(), Conn.of(s));
      }
    }

    @Override
    public void transaction(TransactionResult t) {
      if (failed) {
        return;
      }
      Conn c = t.connection() == lastId ? last : announced.get(t.connection());
      if (c != null
          && t.timings().connectUs() < 0
          && (t.requestStartUs() >= 0 || t.responseStartUs() >= 0)) {
        lastId = t.connection();
        last = c;
        render(c, t);
        return;
      }
      waiting.computeIfAbsent(t.connection(), k -> new ArrayList<>()).add(t);
      if (++waitingCount > MAX_WAITING) {
        fail();
      }
    }

    @Override
    public void connection(ConnectionResult c) {
      if (failed) {
        return;
      }
      Conn a = announced.remove(c.id());
      if (lastId == c.id()) {
        lastId = -1;
        last = null;
      }
      if (a != null && (!a.client().equals(c.client()) || !a.server().equals(c.server()))) {
        fail(); // rendered with other endpoints than the report's
        return;
      }
      List<TransactionResult> ts = waiting.remove(c.id());
      if (ts != null) {
        Conn cc = Conn.of(c);
        for (TransactionResult t : ts) {
          render(cc, t);
        }
        waitingCount -= ts.size();
      }
    }

    @Override
    public void finding(Finding f) {
      if (failed || f.connection() == null || f.transaction() < 0) {
        return;
      }
      findings
          .computeIfAbsent(f.connection() + "#" + f.transaction(), k -> new ArrayList<>(1))
          .add(slim(f)); // held to the end
      if (++findingCount > MAX_FINDINGS) {
        fail();
      }
    }

    @Override
    public void finish(CaptureSummary capture) {
      this.capture = capture;
      if (!waiting.isEmpty() || capture.frameFiles().multi()) {
        fail();
      }
    }

    /**
     * What an entry shows of {@code f}: without its details, ladder and occurrences (a grouped
     * finding's rows may be many), its counts kept.
     */
    private static Finding slim(Finding f) {
      Finding.Occurrences o = f.occurrences();
      return new Finding(
          f.type(),
          f.severity(),
          f.confidence(),
          f.connection(),
          f.transaction(),
          f.costUs(),
          f.frames(),
          f.displayFilter(),
          f.summary(),
          f.fix(),
          java.util.Collections.emptySortedMap(),
          List.of(),
          o == null
              ? null
              : new Finding.Occurrences(
                  o.count(), o.totalUs(), o.worstUs(), List.of(), List.of(), o.rowsOmitted()));
    }

    private void fail() {
      failed = true;
      announced.clear();
      waiting.clear();
      findings.clear();
      try {
        entries.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void render(Conn c, TransactionResult t) {
      long start =
          t.requestStartUs() >= 0
              ? t.requestStartUs()
              : t.responseStartUs() >= 0 ? t.responseStartUs() : c.startUs();
      entry.reset();
      entry.skip(HEAD);
      long started;
      try {
        started = entry(entry, List.of(), c, t, start, 0, null, null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      entry.putLong(0, started);
      entry.putLong(8, t.connection());
      entry.putInt(16, t.index());
      long conn = Math.min(Math.max(t.connection() + 1, 0), (1L << 38) - 1);
      entries.add(
          start, (conn << 24) + Math.min(t.index(), (1 << 24) - 1), entry.bytes(), entry.length());
    }

    /**
     * Writes the HAR document to {@code out} (flushed, not closed) and returns true, or returns
     * false, writing nothing, when the entries could not be rendered as they came (see the class).
     */
    /** True when every entry was rendered as it came: {@link #write} writes the HAR. */
    boolean rendered() {
      return !failed && capture != null;
    }

    boolean write(OutputStream out, String toolVersion) throws IOException {
      if (failed || capture == null) {
        return false;
      }
      long epochUs = capture.startEpochUs();
      FrameFiles ff = capture.frameFiles();
      Dates dates = new Dates();
      document(
          out,
          toolVersion,
          capture,
          entries,
          (o, b, off, len) -> {
            long started = longAt(b, off);
            long conn = longAt(b, off + 8);
            int index = (int) (longAt(b, off + 12) & 0xffffffffL);
            int at = off + HEAD;
            int end = off + len;
            o.write(b, at, DATE_AT);
            byte[] date = dates.format(epochUs + started).getBytes(StandardCharsets.US_ASCII);
            o.write(date);
            at += DATE_AT;
            List<Finding> fs =
                findings.isEmpty() ? null : findings.get(ConnectionIds.of(conn) + "#" + index);
            if (fs == null) {
              o.write(b, at, end - at);
              return;
            }
            // the entry ends "[ ]" and the ends of _connscope and itself: the findings go between
            int tailAt = end - EMPTY_TAIL.length;
            o.write(b, at, tailAt - at);
            tail.reset();
            tail.writeStartArray();
            findings(tail, fs, ConnectionIds.of(conn), index, ff);
            tail.writeEndArray();
            o.write(tail.bytes(), 0, tail.length());
            o.write(b, tailAt + 3, EMPTY_TAIL.length - 3);
          });
      return true;
    }

    private static long longAt(byte[] b, int at) {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[at + i] & 0xff);
      }
      return v;
    }

    @Override
    public void close() throws IOException {
      entries.close();
    }
  }

  /** Where an entry's {@code startedDateTime} value goes: between the quotes after its name. */
  private static final int DATE_AT;

  /** How an entry ends with no findings: "[ ]", then the ends of {@code _connscope} and itself. */
  private static final byte[] EMPTY_TAIL;

  static {
    PrettyJson g = new PrettyJson(2);
    g.writeStartObject();
    g.writeStringField("startedDateTime", "");
    DATE_AT = g.length() - 1;
    g.reset();
    g.writeStartObject();
    g.writeObjectFieldStart("_connscope");
    g.writeArrayFieldStart("findings");
    int at = g.length();
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
    EMPTY_TAIL = java.util.Arrays.copyOfRange(g.bytes(), at - 1, g.length());
  }

  private static final byte[] ENTRY_SEPARATOR = {',', ' '};

  /**
   * Capture times as HAR's {@code startedDateTime} ("2026-12-04T21:06:21.947Z", UTC): the text up
   * to the second is made once per second, as the formatter makes it, and the milliseconds added.
   */
  static final class Dates {
    private long second = Long.MIN_VALUE;
    private String prefix;

    /** {@code epochUs} (microseconds since 1970, UTC) as {@code ISO} formats it. */
    String format(long epochUs) {
      long nanos = epochUs * 1000;
      long s = Math.floorDiv(nanos, 1_000_000_000L);
      int milli = (int) (Math.floorMod(nanos, 1_000_000_000L) / 1_000_000);
      if (s != second) {
        String whole = ISO.format(Instant.ofEpochSecond(s)); // "...:ss.000Z"
        prefix = whole.substring(0, whole.length() - 4);
        second = s;
      }
      StringBuilder b = new StringBuilder(prefix.length() + 4).append(prefix);
      if (milli < 100) {
        b.append(milli < 10 ? "00" : "0");
      }
      return b.append(milli).append('Z').toString();
    }
  }

  /**
   * Writes the entry of {@code t} (which starts at {@code startUs}) and returns its start as HAR
   * gives it ({@code startedDateTime}, capture time in microseconds); with {@code dates} null its
   * {@code startedDateTime} is left empty ("") for {@link Live} to fill in, and {@code ff} null
   * reads as one input file.
   */
  private static long entry(
      PrettyJson g,
      List<Finding> findings,
      Conn c,
      TransactionResult t,
      long startUs,
      long epochUs,
      FrameFiles ff,
      Dates dates)
      throws IOException {
    TransactionResult.Timings tm = t.timings();
    long connect = tm.connectUs();
    long ssl = -1;
    TlsFacts.Timing tls = c.tls();
    long synUs = c.synUs();
    if (tls != null
        && connect >= 0
        && tls.setupUs() >= 0
        && synUs >= 0
        && tls.firstAppDataUs() >= synUs) {
      // HAR 1.2: ssl is included in connect, which then runs from the SYN to the first
      // application data record
      ssl = tls.setupUs();
      connect = tls.firstAppDataUs() - synUs;
    }
    long send = Math.max(0, tm.sendUs());
    long wait = Math.max(0, tm.waitUs());
    long receive = Math.max(0, tm.receiveUs());
    long started = startUs - Math.max(0, connect);
    g.writeStartObject();
    g.writeStringField("startedDateTime", dates == null ? "" : dates.format(epochUs + started));
    g.writeMillisField("time", Math.max(0, connect) + send + wait + receive);
    String host = t.requestHeaders().getOrDefault("host", ReportModel.endpoint(c.server()));
    String uri = t.uri();
    g.writeObjectFieldStart("request");
    g.writeStringField("method", nz(t.method()));
    g.writeStringField("url", url(host, uri));
    g.writeStringField("httpVersion", nz(t.version()));
    g.writeArrayFieldStart("cookies");
    g.writeEndArray();
    headers(g, t.requestHeaders());
    queryString(g, uri);
    g.writeNumberField("headersSize", sizeOr(t.requestHeaderBytes()));
    g.writeNumberField("bodySize", t.requestBodyBytes());
    g.writeEndObject();
    g.writeObjectFieldStart("response");
    int status = ReportModel.statusOrZero(t);
    g.writeNumberField("status", Math.max(0, status));
    g.writeStringField("statusText", nz(t.reason()));
    g.writeStringField("httpVersion", nz(t.responseVersion()));
    g.writeArrayFieldStart("cookies");
    g.writeEndArray();
    headers(g, t.responseHeaders());
    g.writeObjectFieldStart("content");
    g.writeNumberField("size", t.responseBodyBytes());
    g.writeStringField("mimeType", t.responseHeaders().getOrDefault("content-type", ""));
    g.writeEndObject();
    g.writeStringField("redirectURL", "");
    g.writeNumberField("headersSize", status > 0 ? sizeOr(t.responseHeaderBytes()) : -1);
    g.writeNumberField("bodySize", status > 0 ? t.responseBodyBytes() : -1);
    g.writeEndObject();
    g.writeObjectFieldStart("cache");
    g.writeEndObject();
    g.writeObjectFieldStart("timings");
    g.writeNumberField("blocked", -1);
    g.writeNumberField("dns", -1);
    if (connect >= 0) {
      g.writeMillisField("connect", connect);
    } else {
      g.writeNumberField("connect", -1);
    }
    g.writeMillisField("send", send);
    g.writeMillisField("wait", wait);
    g.writeMillisField("receive", receive);
    if (ssl >= 0) {
      g.writeMillisField("ssl", ssl);
    } else {
      g.writeNumberField("ssl", -1);
    }
    g.writeEndObject();
    g.writeStringField("serverIPAddress", c.server().ip());
    g.writeStringField("connection", c.id());
    connscope(g, findings, c, t, ff);
    g.writeEndObject();
    return started;
  }

  private static void connscope(
      PrettyJson g, List<Finding> findings, Conn c, TransactionResult t, FrameFiles ff)
      throws IOException {
    String id = c.id();
    int index = t.index();
    g.writeObjectFieldStart("_connscope");
    g.writeStringField("connection", id);
    g.writeNumberField("transaction", index);
    g.writeStringField("client", ReportModel.endpoint(c.client()));
    g.writeStringField("server", ReportModel.endpoint(c.server()));
    frame(g, "request_frame", t.requestFrame(), ff);
    frame(g, "request_last_frame", t.requestLastFrame(), ff);
    frame(g, "response_frame", t.responseFrame(), ff);
    frame(g, "response_last_frame", t.responseLastFrame(), ff);
    g.writeBooleanField("unanswered", t.unanswered());
    TransactionResult.ResponseNotCaptured n = t.responseNotCaptured();
    if (n != null) {
      // the client received a response the capture lost: its size and ACK, inferred
      g.writeObjectFieldStart("response_not_captured");
      g.writeNumberField("bytes_acknowledged", n.bytesAcknowledged());
      frame(g, "ack_frame", n.ackFrame(), ff);
      g.writeEndObject();
    }
    if (t.requestNotCaptured()) {
      g.writeBooleanField("request_not_captured", true);
    }
    g.writeBooleanField("gap_affected", t.gapAffected());
    List<TransactionResult.Stall> stalls = t.timings().stalls();
    if (!stalls.isEmpty()) {
      // since 1.3.0: every finding occurrence on this transaction (a finding groups a pair's
      // occurrences and is listed below only on its costliest transaction)
      g.writeArrayFieldStart("stalls");
      for (TransactionResult.Stall st : stalls) {
        g.writeStartObject();
        g.writeStringField("type", st.type());
        g.writeMillisField("cost_ms", st.costUs());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeArrayFieldStart("findings");
    findings(g, findings, id, index, ff);
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * The findings of {@code findings} that name transaction {@code index} of connection {@code id}.
   */
  private static void findings(
      PrettyJson g, List<Finding> findings, String id, int index, FrameFiles ff)
      throws IOException {
    for (Finding f : findings) {
      if (id.equals(f.connection()) && f.transaction() >= 0 && f.transaction() == index) {
        g.writeStartObject();
        g.writeStringField("type", f.type());
        g.writeStringField("severity", f.severity().id());
        g.writeStringField("confidence", f.confidence().id());
        g.writeMillisField("cost_ms", f.worstUs()); // this transaction's occurrence
        if (f.count() > 1) {
          g.writeNumberField("occurrences", f.count()); // on this client/server pair, since 1.3.0
        }
        g.writeArrayFieldStart("frames");
        for (long fr : f.frames()) {
          g.writeNumber(fr);
        }
        g.writeEndArray();
        if (ff.multi()) { // each frame's file and number there ("a.pcap #12"), as frames go
          g.writeArrayFieldStart("frames_in_files");
          for (long fr : f.frames()) {
            String w = ff.where(fr);
            if (w == null) {
              g.writeNull();
            } else {
              g.writeString(w);
            }
          }
          g.writeEndArray();
        }
        g.writeStringField("display_filter", f.displayFilter());
        List<FrameFiles.FileFilter> perFile = ff.filters(f.frames());
        if (!perFile.isEmpty()) { // the evidence in each file's own frame numbers
          g.writeArrayFieldStart("display_filters_in_files");
          for (FrameFiles.FileFilter ffl : perFile) {
            g.writeStartObject();
            g.writeStringField("file", ffl.file());
            g.writeStringField("display_filter", ffl.filter());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeStringField("summary", f.summary());
        g.writeStringField("fix", f.fix());
        g.writeEndObject();
      }
    }
  }

  /**
   * A frame number, and with several input files its file and number there as {@code NAME_in_file}
   * ("a.pcap #12"); nothing when unknown.
   */
  private static void frame(PrettyJson g, String name, long frame, FrameFiles ff)
      throws IOException {
    if (frame >= 0) {
      g.writeNumberField(name, frame);
      String w = ff == null ? null : ff.where(frame);
      if (w != null) {
        g.writeStringField(name + "_in_file", w);
      }
    }
  }

  private static long sizeOr(long v) {
    return v > 0 ? v : -1;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** The absolute URL: the request target when absolute (proxy form), else http://Host + target. */
  static String url(String host, String uri) {
    if (uri == null) {
      return "http://" + host + "/";
    }
    if (uri.regionMatches(true, 0, "http://", 0, 7)
        || uri.regionMatches(true, 0, "https://", 0, 8)) {
      return uri;
    }
    if (!uri.startsWith("/")) {
      // authority form (CONNECT) or asterisk form (OPTIONS *), RFC 9112 §3.2.3-3.2.4
      return "http://" + host + "/" + uri;
    }
    return "http://" + host + uri;
  }

  private static void headers(PrettyJson g, Map<String, String> h) throws IOException {
    g.writeArrayFieldStart("headers");
    if (h instanceof HeaderMap m) { // by index, no iterator (they are many)
      for (int i = 0; i < m.size(); i++) {
        header(g, m.name(i), m.value(i));
      }
    } else {
      for (Map.Entry<String, String> e : h.entrySet()) {
        header(g, e.getKey(), e.getValue());
      }
    }
    g.writeEndArray();
  }

  private static void header(PrettyJson g, String name, String value) {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("value", value);
    g.writeEndObject();
  }

  /** The query of the target as name/value pairs, as sent (not percent-decoded). */
  private static void queryString(PrettyJson g, String uri) throws IOException {
    g.writeArrayFieldStart("queryString");
    int q = uri == null ? -1 : uri.indexOf('?');
    if (q >= 0) {
      String query = uri.substring(q + 1);
      int hash = query.indexOf('#');
      if (hash >= 0) {
        query = query.substring(0, hash);
      }
      for (String part : query.split("&")) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        g.writeStartObject();
        g.writeStringField("name", eq < 0 ? part : part.substring(0, eq));
        g.writeStringField("value", eq < 0 ? "" : part.substring(eq + 1));
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }
}
