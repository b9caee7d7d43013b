package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.FrameFiles;
import io.connscope.result.HeaderMap;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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

  private record Tx(ConnectionResult connection, TransactionResult transaction, long startUs) {}

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
      entry.reset();
      entry(entry, fs, new Tx(c, t, start), epochUs, ff, dates);
      entries.add(start, entry.bytes(), entry.length());
    }

    /** Writes the HAR document, its entries in start order; {@code out} is flushed, not closed. */
    void write(OutputStream out) throws IOException {
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
        g.writeStringField("version", r.toolVersion());
        g.writeEndObject();
        g.writeArrayFieldStart("pages");
        g.writeEndArray();
        g.writeArrayFieldStart("entries");
        if (entries.count() > 0) {
          // the entries are whole values, pretty-printed at their depth: written as they are, with
          // the separators the pretty printer puts around array values ("[ " v ", " v " ]")
          g.flush();
          out.write(' ');
          entries.writeSorted(out, ENTRY_SEPARATOR, -1);
        }
        g.writeEndArray();
        g.writeStringField(
            "comment",
            "connscope "
                + r.toolVersion()
                + " from "
                + ReportModel.files(r.capture())
                + "; times are capture times"
                + (ff.multi() ? "; " + ReportModel.fileFrames(r.capture()) : ""));
        g.writeEndObject();
        g.writeEndObject();
      }
      out.write('\n');
      out.flush();
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

  private static void entry(
      PrettyJson g, List<Finding> findings, Tx x, long epochUs, FrameFiles ff, Dates dates)
      throws IOException {
    ConnectionResult c = x.connection();
    TransactionResult t = x.transaction();
    TransactionResult.Timings tm = t.timings();
    long connect = tm.connectUs();
    long ssl = -1;
    TlsFacts.Timing tls = c.tls() == null ? null : c.tls().timing();
    long synUs = c.handshake().synUs();
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
    long started = x.startUs() - Math.max(0, connect);
    g.writeStartObject();
    g.writeStringField("startedDateTime", dates.format(epochUs + started));
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
    g.writeStringField("connection", c.idString());
    connscope(g, findings, c, t, ff);
    g.writeEndObject();
  }

  private static void connscope(
      PrettyJson g, List<Finding> findings, ConnectionResult c, TransactionResult t, FrameFiles ff)
      throws IOException {
    String id = c.idString();
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
    g.writeEndArray();
    g.writeEndObject();
  }

  /**
   * A frame number, and with several input files its file and number there as {@code NAME_in_file}
   * ("a.pcap #12"); nothing when unknown.
   */
  private static void frame(PrettyJson g, String name, long frame, FrameFiles ff)
      throws IOException {
    if (frame >= 0) {
      g.writeNumberField(name, frame);
      String w = ff.where(frame);
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
