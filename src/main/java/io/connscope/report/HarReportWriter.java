package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Renders a JSON report as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): one entry
 * per transaction, ordered by request start.
 *
 * <ul>
 *   <li>timings: blocked -1, dns -1 (not seen in a TCP capture); connect is the handshake (SYN
 *       to the handshake's ACK) on a connection's first transaction, -1 on a reused connection;
 *       on a TLS connection whose handshake was seen, ssl is the TLS setup (ClientHello to the
 *       first application data record, {@code tls.timing.setup_us}) and connect, which includes
 *       it (HAR 1.2), runs from the SYN to that record; ssl is -1 otherwise; send, wait, receive from the first and last frames of the request and
 *       response (0 when unknown, e.g. an unanswered request: HAR requires them non-negative).
 *   <li>{@code connection} is connscope's connection id ("C3"); {@code serverIPAddress} the
 *       server's address.
 *   <li>headers: those the JSON report keeps (framing, connection management and a few
 *       identifying ones); sizes from the wire (header bytes, body bytes after de-chunking as the
 *       report counts them).
 *   <li>{@code _connscope}: connection, transaction index, evidence frames, flags (unanswered,
 *       gaps) and the findings that name this transaction.
 * </ul>
 * Output is deterministic: fixed field order, times in milliseconds with three decimals.
 */
public final class HarReportWriter {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private HarReportWriter() {}

  private record Tx(JsonNode connection, JsonNode transaction, long startUs) {}

  public static void write(JsonNode r, OutputStream out) throws IOException {
    write(ReportSource.of(r), out);
  }

  /**
   * Writes the HAR of {@code src} in memory bounded whatever its size: each entry is rendered as
   * its transaction is read, spooled (memory, then a temporary file) keyed by its start, and
   * written back in start order (ties in report order: connection, then transaction).
   */
  static void write(ReportSource src, OutputStream out) throws IOException {
    JsonNode r = src.header();
    long epochUs = r.path("capture").path("start_epoch_us").asLong();
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    // an entry sits two objects deep (the document, then "log"): rendered alone, it is indented so
    DefaultPrettyPrinter entryPp = new DefaultPrettyPrinter().withObjectIndenter(new Nested(new DefaultIndenter("  ", "\n"), 2));
    ByteArrayOutputStream scratch = new ByteArrayOutputStream(4096);
    try (SpoolFile entries = new SpoolFile(4 << 20); ReportSource.FindingCursor findings = src.findingCursor()) {
      src.transactions((c, t) -> {
        long start = t.path("request_start_us").isNull() || t.path("request_start_us").isMissingNode()
            ? t.path("response_start_us").asLong(c.path("start_us").asLong())
            : t.path("request_start_us").asLong();
        List<JsonNode> fs = findings.take(c.path("id").asText(), t.path("index").asLong());
        scratch.reset();
        try (JsonGenerator g = FACTORY.createGenerator(scratch, JsonEncoding.UTF8)) {
          g.setPrettyPrinter(entryPp.createInstance());
          entry(g, fs, new Tx(c, t, start), epochUs);
        }
        entries.add(start, scratch.toByteArray(), scratch.size());
      });
      try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setPrettyPrinter(pp);
        g.writeStartObject();
        g.writeObjectFieldStart("log");
        g.writeStringField("version", "1.2");
        g.writeObjectFieldStart("creator");
        g.writeStringField("name", "connscope");
        g.writeStringField("version", r.path("tool").path("version").asText());
        g.writeEndObject();
        g.writeArrayFieldStart("pages");
        g.writeEndArray();
        g.writeArrayFieldStart("entries");
        OutputStream split = new OutputStream() {
          private final ByteArrayOutputStream cur = new ByteArrayOutputStream(4096);

          @Override
          public void write(int b) throws IOException {
            if (b == 0) {
              flushEntry();
            } else {
              cur.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            int start = off;
            for (int i = off; i < off + len; i++) {
              if (b[i] == 0) {
                cur.write(b, start, i - start);
                flushEntry();
                start = i + 1;
              }
            }
            cur.write(b, start, off + len - start);
          }

          @Override
          public void flush() throws IOException {
            flushEntry();
          }

          private void flushEntry() throws IOException {
            if (cur.size() > 0) {
              g.writeRawValue(cur.toString(java.nio.charset.StandardCharsets.UTF_8));
              cur.reset();
            }
          }
        };
        // JSON text holds no NUL byte (it is escaped in strings): NUL separates the entries
        entries.writeSorted(split, new byte[] {0}, -1);
        split.flush();
        g.writeEndArray();
        g.writeStringField("comment", "connscope " + r.path("tool").path("version").asText() + " from "
            + ReportModel.files(r) + "; times are capture times");
        g.writeEndObject();
        g.writeEndObject();
      }
    }
    out.write('\n');
    out.flush();
  }

  /** An indenter {@code extra} levels deeper than {@code base}. */
  private record Nested(DefaultPrettyPrinter.Indenter base, int extra) implements DefaultPrettyPrinter.Indenter {
    @Override
    public void writeIndentation(JsonGenerator g, int level) throws IOException {
      base.writeIndentation(g, level + extra);
    }

    @Override
    public boolean isInline() {
      return base.isInline();
    }
  }

  private static BigDecimal msec(long us) {
    return BigDecimal.valueOf(us, 3);
  }

  private static long opt(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? -1 : n.asLong();
  }

  private static void entry(JsonGenerator g, List<JsonNode> findings, Tx x, long epochUs) throws IOException {
    JsonNode c = x.connection();
    JsonNode t = x.transaction();
    JsonNode tm = t.path("timings");
    long connect = opt(tm.get("connect_us"));
    long ssl = -1;
    JsonNode tls = c.path("tls").path("timing");
    long synUs = opt(c.path("handshake").get("syn_us"));
    long appUs = opt(tls.get("first_app_data_us"));
    if (connect >= 0 && opt(tls.get("setup_us")) >= 0 && synUs >= 0 && appUs >= synUs) {
      // HAR 1.2: ssl is included in connect, which then runs from the SYN to the first
      // application data record
      ssl = opt(tls.get("setup_us"));
      connect = appUs - synUs;
    }
    long send = Math.max(0, opt(tm.get("send_us")));
    long wait = Math.max(0, opt(tm.get("wait_us")));
    long receive = Math.max(0, opt(tm.get("receive_us")));
    long started = x.startUs() - Math.max(0, connect);
    g.writeStartObject();
    g.writeStringField("startedDateTime", ISO.format(Instant.EPOCH.plusNanos((epochUs + started) * 1000)));
    g.writeNumberField("time", msec(Math.max(0, connect) + send + wait + receive));
    String host = t.path("request_headers").path("host").asText(ReportModel.endpoint(c.path("server")));
    String uri = ReportModel.str(t, "uri");
    g.writeObjectFieldStart("request");
    g.writeStringField("method", nz(ReportModel.str(t, "method")));
    g.writeStringField("url", url(host, uri));
    g.writeStringField("httpVersion", nz(ReportModel.str(t, "version")));
    g.writeArrayFieldStart("cookies");
    g.writeEndArray();
    headers(g, t.path("request_headers"));
    queryString(g, uri);
    g.writeNumberField("headersSize", sizeOr(t.path("request_header_bytes")));
    g.writeNumberField("bodySize", t.path("request_body_bytes").asLong());
    g.writeEndObject();
    g.writeObjectFieldStart("response");
    int status = t.path("status").asInt();
    g.writeNumberField("status", Math.max(0, status));
    g.writeStringField("statusText", nz(ReportModel.str(t, "reason")));
    g.writeStringField("httpVersion", nz(ReportModel.str(t, "response_version")));
    g.writeArrayFieldStart("cookies");
    g.writeEndArray();
    headers(g, t.path("response_headers"));
    g.writeObjectFieldStart("content");
    g.writeNumberField("size", t.path("response_body_bytes").asLong());
    g.writeStringField("mimeType", t.path("response_headers").path("content-type").asText(""));
    g.writeEndObject();
    g.writeStringField("redirectURL", "");
    g.writeNumberField("headersSize", status > 0 ? sizeOr(t.path("response_header_bytes")) : -1);
    g.writeNumberField("bodySize", status > 0 ? t.path("response_body_bytes").asLong() : -1);
    g.writeEndObject();
    g.writeObjectFieldStart("cache");
    g.writeEndObject();
    g.writeObjectFieldStart("timings");
    g.writeNumberField("blocked", -1);
    g.writeNumberField("dns", -1);
    if (connect >= 0) {
      g.writeNumberField("connect", msec(connect));
    } else {
      g.writeNumberField("connect", -1);
    }
    g.writeNumberField("send", msec(send));
    g.writeNumberField("wait", msec(wait));
    g.writeNumberField("receive", msec(receive));
    if (ssl >= 0) {
      g.writeNumberField("ssl", msec(ssl));
    } else {
      g.writeNumberField("ssl", -1);
    }
    g.writeEndObject();
    g.writeStringField("serverIPAddress", c.path("server").path("ip").asText());
    g.writeStringField("connection", c.path("id").asText());
    connscope(g, findings, c, t);
    g.writeEndObject();
  }

  private static void connscope(JsonGenerator g, List<JsonNode> findings, JsonNode c, JsonNode t) throws IOException {
    String id = c.path("id").asText();
    int index = t.path("index").asInt();
    g.writeObjectFieldStart("_connscope");
    g.writeStringField("connection", id);
    g.writeNumberField("transaction", index);
    g.writeStringField("client", ReportModel.endpoint(c.path("client")));
    g.writeStringField("server", ReportModel.endpoint(c.path("server")));
    for (String f : new String[] {"request_frame", "request_last_frame", "response_frame", "response_last_frame"}) {
      long v = opt(t.get(f));
      if (v >= 0) {
        g.writeNumberField(f, v);
      }
    }
    g.writeBooleanField("unanswered", t.path("unanswered").asBoolean());
    if (t.has("response_not_captured")) {
      // the client received a response the capture lost: its size and ACK, inferred
      JsonNode n = t.path("response_not_captured");
      g.writeObjectFieldStart("response_not_captured");
      g.writeNumberField("bytes_acknowledged", n.path("bytes_acknowledged").asLong());
      long f = opt(n.get("ack_frame"));
      if (f >= 0) {
        g.writeNumberField("ack_frame", f);
      }
      g.writeEndObject();
    }
    if (t.path("request_not_captured").asBoolean()) {
      g.writeBooleanField("request_not_captured", true);
    }
    g.writeBooleanField("gap_affected", t.path("gap_affected").asBoolean());
    g.writeArrayFieldStart("findings");
    for (JsonNode f : findings) {
      if (id.equals(ReportModel.str(f, "connection")) && f.has("transaction") && f.get("transaction").asInt() == index) {
        g.writeStartObject();
        g.writeStringField("type", f.path("type").asText());
        g.writeStringField("severity", f.path("severity").asText());
        g.writeStringField("confidence", f.path("confidence").asText());
        g.writeNumberField("cost_ms", msec(f.path("cost_us").asLong()));
        g.writeArrayFieldStart("frames");
        for (JsonNode n : f.path("evidence").path("frames")) {
          g.writeNumber(n.asLong());
        }
        g.writeEndArray();
        g.writeStringField("display_filter", f.path("evidence").path("display_filter").asText());
        g.writeStringField("summary", f.path("summary").asText());
        g.writeStringField("fix", f.path("fix").asText());
        g.writeEndObject();
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static long sizeOr(JsonNode n) {
    long v = n.asLong(-1);
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
    if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
      return uri;
    }
    if (!uri.startsWith("/")) {
      // authority form (CONNECT) or asterisk form (OPTIONS *), RFC 9112 §3.2.3-3.2.4
      return "http://" + host + "/" + uri;
    }
    return "http://" + host + uri;
  }

  private static void headers(JsonGenerator g, JsonNode h) throws IOException {
    g.writeArrayFieldStart("headers");
    Iterator<Map.Entry<String, JsonNode>> it = h.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      g.writeStartObject();
      g.writeStringField("name", e.getKey());
      g.writeStringField("value", e.getValue().asText());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** The query of the target as name/value pairs, as sent (not percent-decoded). */
  private static void queryString(JsonGenerator g, String uri) throws IOException {
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
