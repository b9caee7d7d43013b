package io.connscope.report;

import static io.connscope.report.PrettyJson.ascii;
import static io.connscope.report.PrettyJson.field;
import static io.connscope.report.PrettyJson.newline;

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
   * What an entry reads of its connection: its id and endpoints (also as text, made once for all
   * its entries), and for the entry of its first transaction (connect, ssl) and one without a start
   * of its own its start, SYN and TLS timing (-1 and null when not known yet: {@link Live} renders
   * only entries that need none of them before the connection's close).
   */
  record Conn(
      String id,
      Endpoint client,
      Endpoint server,
      long startUs,
      long synUs,
      TlsFacts.Timing tls,
      String clientText,
      String serverText) {
    /**
     * With the endpoints as text ("10.0.0.1:80", "[::1]:80"), made once for all the entries of the
     * connection.
     */
    Conn(
        String id,
        Endpoint client,
        Endpoint server,
        long startUs,
        long synUs,
        TlsFacts.Timing tls) {
      this(
          id,
          client,
          server,
          startUs,
          synUs,
          tls,
          ReportModel.endpoint(client),
          ReportModel.endpoint(server));
    }

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

    private final PrettyJson entry = new PrettyJson();
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
      entry(entry, fs, last, t, start, epochUs, ff, dates, null);
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
   * transaction: the first {@value #MAX_FINDINGS} held, the rest on file ({@link SpilledFindings},
   * {@value SpilledFindings#BYTES_EACH} bytes each in memory, at most {@value
   * SpilledFindings#MAX}). Beyond those bounds, with a connection's endpoints other than announced,
   * transactions without their connection at the end, or several input files when it was not told
   * there would be (its entries name frames by file: each entry is then spooled with {@link Marks}
   * of where its frames' files go, filled in at the end when the files are known) it gives up
   * ({@link #write} returns false) and the HAR is rendered from the JSON report.
   */
  static final class Live implements ResultSink, AutoCloseable {
    static final int MAX_WAITING = 4096;
    static final int MAX_FINDINGS = 4_096;

    /** Bytes before an entry in the spool: its HAR start, connection number, transaction index. */
    private static final int HEAD = 20;

    private final PrettyJson entry = new PrettyJson();
    private final PrettyJson tail = new PrettyJson();
    private final SpoolFile entries = new SpoolFile(4 << 20);
    private final HashMap<Long, Conn> announced = new HashMap<>();
    private final HashMap<Long, ArrayList<TransactionResult>> waiting = new HashMap<>();
    private int waitingCount;
    private final HashMap<String, List<Finding>> findings = new HashMap<>();
    private int findingCount;

    /** Findings held in memory at most ({@link #MAX_FINDINGS}); the rest go on file. */
    private final int held;

    /** The findings beyond those held, on file; null until there are some. */
    private SpilledFindings spilled;

    private CaptureSummary capture;
    private boolean failed;
    private long lastId = -1;
    private Conn last;

    /** Set when the input may be several files: each entry's frames are marked. */
    private final Marks marks;

    Live() {
      this(false);
    }

    /** {@code severalInputs}: the analysis reads more than one file (frames are named by file). */
    Live(boolean severalInputs) {
      this(severalInputs, MAX_FINDINGS);
    }

    /** As above, holding at most {@code held} findings in memory (tests: fewer). */
    Live(boolean severalInputs, int held) {
      this.marks = severalInputs ? new Marks() : null;
      this.held = held;
    }

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
      if (findingCount < held) {
        findingCount++;
        findings
            .computeIfAbsent(f.connection() + "#" + f.transaction(), k -> new ArrayList<>(1))
            .add(slim(f)); // held to the end
        return;
      }
      try { // the rest on file, found again at the end
        if (spilled == null) {
          spilled = new SpilledFindings();
        }
        if (spilled.full()) {
          fail();
          return;
        }
        spilled.add(slim(f));
      } catch (IOException e) {
        fail(); // no room for them: rendered from the JSON report, as beyond the bound
      }
    }

    /**
     * The findings that name transaction {@code index} of connection {@code id}, in report order:
     * those held, then those spilled (they came later); null when none.
     */
    private List<Finding> findingsOf(String id, int index) throws IOException {
      List<Finding> kept = findings.isEmpty() ? null : findings.get(id + "#" + index);
      List<Finding> more = spilled == null ? List.of() : spilled.take(id, index);
      if (more.isEmpty()) {
        return kept;
      }
      if (kept == null) {
        return more;
      }
      List<Finding> all = new ArrayList<>(kept);
      all.addAll(more);
      return all;
    }

    @Override
    public void finish(CaptureSummary capture) {
      this.capture = capture;
      if (!waiting.isEmpty() || (capture.frameFiles().multi() && marks == null)) {
        fail();
      } else if (spilled != null) {
        try {
          spilled.seal();
        } catch (IOException e) {
          fail(); // rendered from the JSON report
        }
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
        if (spilled != null) {
          spilled.close();
          spilled = null;
        }
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
      if (marks != null) {
        marks.reset();
      }
      long started = entry(entry, List.of(), c, t, start, 0, null, null, marks);
      entry.putLong(0, started);
      entry.putLong(8, t.connection());
      entry.putInt(16, t.index());
      if (marks != null) {
        marks.writeTo(entry);
      }
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
            int marked = 0; // the entry's frame marks, after its bytes
            if (marks != null) {
              marked = intAt(b, end - 4);
              end -= 4 + marked * Marks.BYTES;
            }
            o.write(b, at, DATE_AT);
            byte[] date = dates.format(epochUs + started).getBytes(StandardCharsets.US_ASCII);
            o.write(date);
            at += DATE_AT;
            List<Finding> fs = findingsOf(ConnectionIds.of(conn), index);
            // the entry ends "[ ]" and the ends of _connscope and itself: findings go between
            int tailAt = fs == null ? end : end - EMPTY_TAIL.length;
            for (int m = 0; m < marked; m++) { // the frames' files, before the findings
              int mark = end + m * Marks.BYTES;
              int place = off + intAt(b, mark);
              String w = ff.where(longAt(b, mark + 8));
              if (w != null) {
                o.write(b, at, place - at);
                at = place;
                tail.reset();
                tail.raw(FRAME_FIELDS[intAt(b, mark + 4)].inFile());
                tail.string(w);
                o.write(tail.bytes(), 0, tail.length());
              }
            }
            o.write(b, at, tailAt - at);
            if (fs == null) {
              return;
            }
            tail.reset();
            tail.raw(OPEN_BRACKET);
            findings(tail, fs, ConnectionIds.of(conn), index, ff);
            tail.raw(ARRAY_END);
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

    private static int intAt(byte[] b, int at) {
      return (b[at] & 0xff) << 24
          | (b[at + 1] & 0xff) << 16
          | (b[at + 2] & 0xff) << 8
          | (b[at + 3] & 0xff);
    }

    @Override
    public void close() throws IOException {
      try {
        entries.close();
      } finally {
        if (spilled != null) {
          spilled.close();
        }
      }
    }
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

  // An entry's structure as fragments of bytes, each field's comma, line break, indentation and
  // name made once: an entry is an element of "entries", two objects deep in the document, so its
  // fields are at level 3, those of its objects (request, timings, _connscope...) at 4, and so on.
  private static final byte[] START = ascii("{" + field(3, "startedDateTime"));
  private static final byte[] TIME = ascii("," + field(3, "time"));
  private static final byte[] REQUEST = ascii("," + field(3, "request") + "{" + field(4, "method"));
  private static final byte[] URL = ascii("," + field(4, "url"));
  private static final byte[] HTTP_VERSION = ascii("," + field(4, "httpVersion"));
  private static final byte[] HEADERS =
      ascii("," + field(4, "cookies") + "[ ]," + field(4, "headers") + "[");
  private static final byte[] QUERY_STRING = ascii(" ]," + field(4, "queryString") + "[");
  private static final byte[] REQUEST_HEADERS_SIZE = ascii(" ]," + field(4, "headersSize"));
  private static final byte[] BODY_SIZE = ascii("," + field(4, "bodySize"));
  private static final byte[] RESPONSE =
      ascii(newline(3) + "}," + field(3, "response") + "{" + field(4, "status"));
  private static final byte[] STATUS_TEXT = ascii("," + field(4, "statusText"));
  private static final byte[] CONTENT = ascii(" ]," + field(4, "content") + "{" + field(5, "size"));
  private static final byte[] MIME_TYPE = ascii("," + field(5, "mimeType"));
  private static final byte[] RESPONSE_HEADERS_SIZE =
      ascii(newline(4) + "}," + field(4, "redirectURL") + "\"\"," + field(4, "headersSize"));
  private static final byte[] CONNECT =
      ascii(
          newline(3)
              + "},"
              + field(3, "cache")
              + "{ },"
              + field(3, "timings")
              + "{"
              + field(4, "blocked")
              + "-1,"
              + field(4, "dns")
              + "-1,"
              + field(4, "connect"));
  private static final byte[] SEND = ascii("," + field(4, "send"));
  private static final byte[] WAIT = ascii("," + field(4, "wait"));
  private static final byte[] RECEIVE = ascii("," + field(4, "receive"));
  private static final byte[] SSL = ascii("," + field(4, "ssl"));
  private static final byte[] SERVER_IP = ascii(newline(3) + "}," + field(3, "serverIPAddress"));
  private static final byte[] CONNECTION = ascii("," + field(3, "connection"));
  private static final byte[] CONNSCOPE =
      ascii("," + field(3, "_connscope") + "{" + field(4, "connection"));
  private static final byte[] TRANSACTION = ascii("," + field(4, "transaction"));
  private static final byte[] CLIENT = ascii("," + field(4, "client"));
  private static final byte[] SERVER = ascii("," + field(4, "server"));
  private static final Frame REQUEST_FRAME = new Frame(4, "request_frame");
  private static final Frame REQUEST_LAST_FRAME = new Frame(4, "request_last_frame");
  private static final Frame RESPONSE_FRAME = new Frame(4, "response_frame");
  private static final Frame RESPONSE_LAST_FRAME = new Frame(4, "response_last_frame");
  private static final Frame ACK_FRAME = new Frame(5, "ack_frame");
  private static final byte[] UNANSWERED = ascii("," + field(4, "unanswered"));
  private static final byte[] RESPONSE_NOT_CAPTURED =
      ascii("," + field(4, "response_not_captured") + "{" + field(5, "bytes_acknowledged"));
  private static final byte[] REQUEST_NOT_CAPTURED =
      ascii("," + field(4, "request_not_captured") + "true");
  private static final byte[] GAP_AFFECTED = ascii("," + field(4, "gap_affected"));
  private static final byte[] STALLS = ascii("," + field(4, "stalls") + "[");
  private static final byte[] FINDINGS = ascii("," + field(4, "findings") + "[");

  /** After the findings: the end of their array, of {@code _connscope} and of the entry. */
  private static final byte[] END = ascii(" ]" + newline(3) + "}" + newline(2) + "}");

  // the objects of arrays in an entry (headers, queryString, stalls, findings): fields at level 5
  private static final byte[] FIRST_NAME = ascii(" {" + field(5, "name"));
  private static final byte[] NEXT_NAME = ascii(", {" + field(5, "name"));
  private static final byte[] VALUE = ascii("," + field(5, "value"));
  private static final byte[] FIRST_TYPE = ascii(" {" + field(5, "type"));
  private static final byte[] NEXT_TYPE = ascii(", {" + field(5, "type"));
  private static final byte[] COST_MS = ascii("," + field(5, "cost_ms"));
  private static final byte[] SEVERITY = ascii("," + field(5, "severity"));
  private static final byte[] CONFIDENCE = ascii("," + field(5, "confidence"));
  private static final byte[] OCCURRENCES = ascii("," + field(5, "occurrences"));
  private static final byte[] FRAMES = ascii("," + field(5, "frames") + "[");
  private static final byte[] FRAMES_IN_FILES = ascii(" ]," + field(5, "frames_in_files") + "[");
  private static final byte[] DISPLAY_FILTER = ascii(" ]," + field(5, "display_filter"));
  private static final byte[] DISPLAY_FILTERS_IN_FILES =
      ascii("," + field(5, "display_filters_in_files") + "[");
  private static final byte[] FIRST_FILE = ascii(" {" + field(6, "file"));
  private static final byte[] NEXT_FILE = ascii(", {" + field(6, "file"));
  private static final byte[] FILE_DISPLAY_FILTER = ascii("," + field(6, "display_filter"));
  private static final byte[] FILE_END = ascii(newline(5) + "}");
  private static final byte[] SUMMARY = ascii("," + field(5, "summary"));
  private static final byte[] FIX = ascii("," + field(5, "fix"));

  /** The end of an object of an array in an entry. */
  private static final byte[] OBJECT_END = ascii(newline(4) + "}");

  private static final byte[] ARRAY_END = ascii(" ]");
  private static final byte[] FIRST_ELEMENT = ascii(" ");
  private static final byte[] NEXT_ELEMENT = ascii(", ");
  private static final byte[] MINUS_ONE = ascii("-1");

  /** Where an entry's {@code startedDateTime} value goes: between the quotes after its name. */
  private static final int DATE_AT = START.length + 1;

  private static final byte[] OPEN_BRACKET = ascii("[");

  /** How an entry ends with no findings: "[ ]", then the ends of {@code _connscope} and itself. */
  private static final byte[] EMPTY_TAIL = concat(OPEN_BRACKET, END);

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** A frame number's field at a level, and its {@code NAME_in_file} field. */
  private record Frame(byte[] number, byte[] inFile) {
    Frame(int level, String name) {
      this(ascii("," + field(level, name)), ascii("," + field(level, name + "_in_file")));
    }
  }

  /**
   * Writes the entry of {@code t} (which starts at {@code startUs}) and returns its start as HAR
   * gives it ({@code startedDateTime}, capture time in microseconds); with {@code dates} null its
   * {@code startedDateTime} is left empty ("") for {@link Live} to fill in, and {@code ff} null
   * reads as one input file, noting in {@code marks} (when not null) where each frame's file would
   * go.
   */
  static long entry(
      PrettyJson g,
      List<Finding> findings,
      Conn c,
      TransactionResult t,
      long startUs,
      long epochUs,
      FrameFiles ff,
      Dates dates,
      Marks marks) {
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
    g.raw(START);
    g.string(dates == null ? "" : dates.format(epochUs + started));
    g.raw(TIME);
    g.millis(Math.max(0, connect) + send + wait + receive);
    String host = t.requestHeaders().getOrDefault("host", c.serverText());
    String uri = t.uri();
    g.raw(REQUEST);
    g.string(nz(t.method()));
    g.raw(URL);
    g.string(url(host, uri));
    g.raw(HTTP_VERSION);
    g.string(nz(t.version()));
    g.raw(HEADERS);
    headers(g, t.requestHeaders());
    g.raw(QUERY_STRING);
    queryString(g, uri);
    g.raw(REQUEST_HEADERS_SIZE);
    g.number(sizeOr(t.requestHeaderBytes()));
    g.raw(BODY_SIZE);
    g.number(t.requestBodyBytes());
    int status = ReportModel.statusOrZero(t);
    g.raw(RESPONSE);
    g.number(Math.max(0, status));
    g.raw(STATUS_TEXT);
    g.string(nz(t.reason()));
    g.raw(HTTP_VERSION);
    g.string(nz(t.responseVersion()));
    g.raw(HEADERS);
    headers(g, t.responseHeaders());
    g.raw(CONTENT);
    g.number(t.responseBodyBytes());
    g.raw(MIME_TYPE);
    g.string(t.responseHeaders().getOrDefault("content-type", ""));
    g.raw(RESPONSE_HEADERS_SIZE);
    g.number(status > 0 ? sizeOr(t.responseHeaderBytes()) : -1);
    g.raw(BODY_SIZE);
    g.number(status > 0 ? t.responseBodyBytes() : -1);
    g.raw(CONNECT);
    millisOrMinusOne(g, connect);
    g.raw(SEND);
    g.millis(send);
    g.raw(WAIT);
    g.millis(wait);
    g.raw(RECEIVE);
    g.millis(receive);
    g.raw(SSL);
    millisOrMinusOne(g, ssl);
    g.raw(SERVER_IP);
    g.string(c.server().ip());
    g.raw(CONNECTION);
    g.string(c.id());
    connscope(g, findings, c, t, ff, marks);
    return started;
  }

  private static void millisOrMinusOne(PrettyJson g, long us) {
    if (us >= 0) {
      g.millis(us);
    } else {
      g.raw(MINUS_ONE);
    }
  }

  /** The entry's {@code _connscope} object, and the end of the entry. */
  private static void connscope(
      PrettyJson g,
      List<Finding> findings,
      Conn c,
      TransactionResult t,
      FrameFiles ff,
      Marks marks) {
    String id = c.id();
    int index = t.index();
    g.raw(CONNSCOPE);
    g.string(id);
    g.raw(TRANSACTION);
    g.number(index);
    g.raw(CLIENT);
    g.string(c.clientText());
    g.raw(SERVER);
    g.string(c.serverText());
    frame(g, REQUEST_FRAME, t.requestFrame(), ff, marks);
    frame(g, REQUEST_LAST_FRAME, t.requestLastFrame(), ff, marks);
    frame(g, RESPONSE_FRAME, t.responseFrame(), ff, marks);
    frame(g, RESPONSE_LAST_FRAME, t.responseLastFrame(), ff, marks);
    g.raw(UNANSWERED);
    g.bool(t.unanswered());
    TransactionResult.ResponseNotCaptured n = t.responseNotCaptured();
    if (n != null) {
      // the client received a response the capture lost: its size and ACK, inferred
      g.raw(RESPONSE_NOT_CAPTURED);
      g.number(n.bytesAcknowledged());
      frame(g, ACK_FRAME, n.ackFrame(), ff, marks);
      g.raw(OBJECT_END);
    }
    if (t.requestNotCaptured()) {
      g.raw(REQUEST_NOT_CAPTURED);
    }
    g.raw(GAP_AFFECTED);
    g.bool(t.gapAffected());
    List<TransactionResult.Stall> stalls = t.timings().stalls();
    if (!stalls.isEmpty()) {
      // since 1.3.0: every finding occurrence on this transaction (a finding groups a pair's
      // occurrences and is listed below only on its costliest transaction)
      g.raw(STALLS);
      for (int i = 0; i < stalls.size(); i++) {
        TransactionResult.Stall st = stalls.get(i);
        g.raw(i == 0 ? FIRST_TYPE : NEXT_TYPE);
        g.string(st.type());
        g.raw(COST_MS);
        g.millis(st.costUs());
        g.raw(OBJECT_END);
      }
      g.raw(ARRAY_END);
    }
    g.raw(FINDINGS);
    findings(g, findings, id, index, ff);
    g.raw(END);
  }

  /**
   * The findings of {@code findings} that name transaction {@code index} of connection {@code id},
   * as the elements of the entry's {@code findings} array (" {...}, {...}"; its brackets are the
   * caller's).
   */
  private static void findings(
      PrettyJson g, List<Finding> findings, String id, int index, FrameFiles ff) {
    boolean first = true;
    for (Finding f : findings) {
      if (id.equals(f.connection()) && f.transaction() >= 0 && f.transaction() == index) {
        g.raw(first ? FIRST_TYPE : NEXT_TYPE);
        first = false;
        g.string(f.type());
        g.raw(SEVERITY);
        g.string(f.severity().id());
        g.raw(CONFIDENCE);
        g.string(f.confidence().id());
        g.raw(COST_MS);
        g.millis(f.worstUs()); // this transaction's occurrence
        if (f.count() > 1) {
          g.raw(OCCURRENCES);
          g.number(f.count()); // on this client/server pair, since 1.3.0
        }
        g.raw(FRAMES);
        elements(g, f.frames());
        if (ff.multi()) { // each frame's file and number there ("a.pcap #12"), as frames go
          g.raw(FRAMES_IN_FILES);
          boolean firstFrame = true;
          for (long fr : f.frames()) {
            g.raw(firstFrame ? FIRST_ELEMENT : NEXT_ELEMENT);
            firstFrame = false;
            g.string(ff.where(fr)); // null as null
          }
        }
        g.raw(DISPLAY_FILTER);
        g.string(f.displayFilter());
        List<FrameFiles.FileFilter> perFile = ff.filters(f.frames());
        if (!perFile.isEmpty()) { // the evidence in each file's own frame numbers
          g.raw(DISPLAY_FILTERS_IN_FILES);
          for (int i = 0; i < perFile.size(); i++) {
            FrameFiles.FileFilter ffl = perFile.get(i);
            g.raw(i == 0 ? FIRST_FILE : NEXT_FILE);
            g.string(ffl.file());
            g.raw(FILE_DISPLAY_FILTER);
            g.string(ffl.filter());
            g.raw(FILE_END);
          }
          g.raw(ARRAY_END);
        }
        g.raw(SUMMARY);
        g.string(f.summary());
        g.raw(FIX);
        g.string(f.fix());
        g.raw(OBJECT_END);
      }
    }
  }

  /** The numbers of {@code frames} as the elements of an array (" 1, 2"), its brackets not. */
  private static void elements(PrettyJson g, List<Long> frames) {
    boolean first = true;
    for (long fr : frames) {
      g.raw(first ? FIRST_ELEMENT : NEXT_ELEMENT);
      first = false;
      g.number(fr);
    }
  }

  /**
   * A frame number, and with several input files its file and number there as {@code NAME_in_file}
   * ("a.pcap #12"); nothing when unknown.
   */
  private static void frame(PrettyJson g, Frame name, long frame, FrameFiles ff, Marks marks) {
    if (frame >= 0) {
      g.raw(name.number());
      g.number(frame);
      String w = ff == null ? null : ff.where(frame);
      if (w != null) {
        g.raw(name.inFile());
        g.string(w);
      } else if (marks != null) {
        marks.add(g.length(), name, frame);
      }
    }
  }

  /** The frame fields that may take a file ({@link Frame#inFile}), in a {@link Marks} by index. */
  private static final Frame[] FRAME_FIELDS = {
    REQUEST_FRAME, REQUEST_LAST_FRAME, RESPONSE_FRAME, RESPONSE_LAST_FRAME, ACK_FRAME
  };

  /**
   * Where an entry rendered before its input files were known would give each frame's file and
   * number there ({@code NAME_in_file}, after the frame's number): the place in the entry's bytes,
   * the field and the frame ({@link Live}, several input files). Written after the entry in the
   * spool: per mark its place and field (4 bytes each) and frame (8), then their count (4 bytes).
   */
  static final class Marks {
    static final int BYTES = 16;
    private final int[] place = new int[FRAME_FIELDS.length];
    private final int[] field = new int[FRAME_FIELDS.length];
    private final long[] frame = new long[FRAME_FIELDS.length];
    private int count;

    void reset() {
      count = 0;
    }

    void add(int at, Frame name, long f) {
      int k = 0;
      while (FRAME_FIELDS[k] != name) {
        k++;
      }
      place[count] = at;
      field[count] = k;
      frame[count] = f;
      count++;
    }

    /** Appends the marks to {@code g}, their count last. */
    void writeTo(PrettyJson g) {
      for (int m = 0; m < count; m++) {
        int o = g.length();
        g.skip(BYTES);
        g.putInt(o, place[m]);
        g.putInt(o + 4, field[m]);
        g.putLong(o + 8, frame[m]);
      }
      int o = g.length();
      g.skip(4);
      g.putInt(o, count);
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

  /** The elements of a {@code headers} array (its brackets are the caller's). */
  private static void headers(PrettyJson g, Map<String, String> h) {
    if (h instanceof HeaderMap m) { // by index, no iterator (they are many)
      for (int i = 0; i < m.size(); i++) {
        pair(g, i == 0, m.name(i), m.value(i));
      }
    } else {
      boolean first = true;
      for (Map.Entry<String, String> e : h.entrySet()) {
        pair(g, first, e.getKey(), e.getValue());
        first = false;
      }
    }
  }

  /** A {@code name}/{@code value} object of an array, {@code first} of it or not. */
  private static void pair(PrettyJson g, boolean first, String name, String value) {
    g.raw(first ? FIRST_NAME : NEXT_NAME);
    g.string(name);
    g.raw(VALUE);
    g.string(value);
    g.raw(OBJECT_END);
  }

  /**
   * The query of the target as name/value pairs, as sent (not percent-decoded): the elements of the
   * {@code queryString} array (its brackets are the caller's).
   */
  private static void queryString(PrettyJson g, String uri) {
    int q = uri == null ? -1 : uri.indexOf('?');
    if (q >= 0) {
      String query = uri.substring(q + 1);
      int hash = query.indexOf('#');
      if (hash >= 0) {
        query = query.substring(0, hash);
      }
      boolean first = true;
      for (String part : query.split("&")) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        pair(g, first, eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
        first = false;
      }
    }
  }
}
