package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.connscope.result.CaptureSummary;
import io.connscope.result.Confidence;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.FrameFiles;
import io.connscope.result.HeaderMap;
import io.connscope.result.Severity;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link HarReportWriter}'s entries, written as byte fragments, are the bytes Jackson's
 * pretty-printing generator writes for the same entry, field by field as the HAR writer wrote them
 * with a generator before: for made-up transactions with strings to escape (quotes, backslashes,
 * control characters, non-ASCII text, lone and paired surrogates), empty and null values, negative
 * and huge numbers, every optional field, findings, and several input files.
 */
class HarEntryBytesTest {
  private static final List<String> STRINGS =
      List.of("", "GET", ByteCases.NASTY, "x".repeat(200), "\u00e9t\u00e9", "sp ace", "\\", "\"");

  private static final long[] NUMBERS = {
    -1,
    0,
    1,
    999,
    1000,
    1001,
    Integer.MAX_VALUE,
    Integer.MAX_VALUE + 1L,
    123456789012L,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    -123456789012L,
    -1500
  };

  private static Map<String, String> headers(String s, int n) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      h.put(i == 0 ? "host" : i == 1 ? "content-type" : s + i, i == 2 ? null : s);
    }
    return h;
  }

  private static TransactionResult transaction(int k, String s, long v) {
    boolean odd = (k & 1) == 1;
    Map<String, String> request = headers(s, k % 4);
    Map<String, String> response = headers(s, (k + 1) % 4);
    if ((k & 2) == 2) { // as the analysis gives them
      String[] pairs = new String[2 * request.size()];
      int i = 0;
      for (Map.Entry<String, String> e : request.entrySet()) {
        pairs[i++] = e.getKey();
        pairs[i++] = e.getValue() == null ? "" : e.getValue();
      }
      request = HeaderMap.own(pairs, request.size());
    }
    String[] uris = {null, "/", "/p?" + s + "=" + s + "&&b&c=#f", "http://h/x?a=1", "*", "h:443"};
    return new TransactionResult(
        7,
        k,
        2,
        4,
        odd ? null : s,
        uris[k % uris.length],
        odd ? s : null,
        k % 3 == 0 ? null : (int) (v & 0x3ff) - 100,
        odd ? null : s,
        s,
        List.of(),
        request,
        response,
        v,
        v,
        0,
        "chunked",
        v,
        9,
        10,
        null,
        odd ? -1 : v,
        odd ? v : -1,
        v,
        odd ? -1 : Math.abs(v),
        1_700_000_000_000_000L,
        -1,
        1_700_000_000_000_123L,
        -1,
        new TransactionResult.Timings(
            odd ? -1 : v,
            v,
            odd ? 6 : v,
            -1,
            v,
            odd
                ? List.of()
                : List.of(
                    new TransactionResult.Stall("delayed_ack", v),
                    new TransactionResult.Stall(s, 0))),
        odd,
        k % 3 == 1 ? new TransactionResult.ResponseNotCaptured(v, odd ? -1 : 5, 99) : null,
        321,
        -1,
        k % 5 == 0,
        !odd,
        true,
        false,
        k % 3 == 2,
        false,
        List.of(),
        null);
  }

  private static Finding finding(int k, int transaction, String s, long v) {
    return new Finding(
        k % 2 == 0 ? s : "stall",
        Severity.values()[k % 3],
        Confidence.values()[k % 2],
        "C3",
        transaction,
        v,
        k % 3 == 0 ? List.of() : List.of(1L, 250L, 99_999_999_999L),
        s,
        s,
        k % 2 == 0 ? null : s,
        java.util.Collections.emptySortedMap(),
        List.of(),
        k % 2 == 0 ? null : new Finding.Occurrences(k, v, v, List.of(), List.of(), 0));
  }

  private static FrameFiles files(int n) {
    List<CaptureSummary.FileSummary> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(
          new CaptureSummary.FileSummary(
              "d/f" + i + "\u00e9.pcap", "pcap", 100, 0, 1 + 100 * i, 0, 0));
    }
    return new CaptureSummary(fs, 0, 0, 0, List.of(), 0, 0, null, 0, List.of(), null, List.of())
        .frameFiles();
  }

  @Test
  void entriesAreTheGeneratorsBytes() throws IOException {
    PrettyJson g = new PrettyJson();
    HarReportWriter.Dates dates = new HarReportWriter.Dates();
    int k = 0;
    int compared = 0;
    for (int round = 0; round < 3; round++) { // strings come again: from the table of recent ones
      for (String s : STRINGS) {
        for (long v : NUMBERS) {
          k++;
          TransactionResult t = transaction(k, s, v);
          TlsFacts.Timing tls =
              k % 3 == 0
                  ? null
                  : new TlsFacts.Timing(
                      0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, k % 2 == 0 ? v : 50, 0, 0, 0, v, 1);
          HarReportWriter.Conn c =
              new HarReportWriter.Conn(
                  "C3",
                  new Endpoint(k % 2 == 0 ? "10.0.0.1" : "fe80::1", 1234),
                  new Endpoint(s, 80),
                  v,
                  k % 4 == 0 ? -1 : 10,
                  tls);
          List<Finding> fs = new ArrayList<>();
          for (int i = 0; i < k % 4; i++) {
            fs.add(finding(k + i, i == 2 ? k + 1 : k, s, v)); // the third names another
          }
          FrameFiles ff = k % 5 == 0 ? null : files(1 + k % 3);
          HarReportWriter.Dates d = k % 2 == 0 ? dates : null;
          long start = Math.abs(v % 1_000_000_000_000L);
          String expected = generator(fs, c, t, start, 1_700_000_000_000_000L, ff, d);
          g.reset();
          HarReportWriter.entry(
              g, ff == null ? List.of() : fs, c, t, start, 1_700_000_000_000_000L, ff, d, null);
          assertEquals(
              expected, new String(g.bytes(), 0, g.length(), StandardCharsets.UTF_8), "entry " + k);
          compared++;
        }
      }
    }
    assertEquals(3 * STRINGS.size() * NUMBERS.length, compared);
  }

  /** The entry as the HAR writer wrote it with Jackson's generator, before its byte fragments. */
  private static String generator(
      List<Finding> findings,
      HarReportWriter.Conn c,
      TransactionResult t,
      long startUs,
      long epochUs,
      FrameFiles ff,
      HarReportWriter.Dates dates)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DefaultIndenter base = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter.Indenter deeper =
        new DefaultPrettyPrinter.Indenter() {
          @Override
          public void writeIndentation(JsonGenerator g, int level) throws IOException {
            base.writeIndentation(g, level + 2); // an entry is two objects deep in the document
          }

          @Override
          public boolean isInline() {
            return false;
          }
        };
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(deeper));
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
        ssl = tls.setupUs();
        connect = tls.firstAppDataUs() - synUs;
      }
      long send = Math.max(0, tm.sendUs());
      long wait = Math.max(0, tm.waitUs());
      long receive = Math.max(0, tm.receiveUs());
      long started = startUs - Math.max(0, connect);
      g.writeStartObject();
      g.writeStringField("startedDateTime", dates == null ? "" : dates.format(epochUs + started));
      millis(g, "time", Math.max(0, connect) + send + wait + receive);
      String host = t.requestHeaders().getOrDefault("host", ReportModel.endpoint(c.server()));
      String uri = t.uri();
      g.writeObjectFieldStart("request");
      g.writeStringField("method", nz(t.method()));
      g.writeStringField("url", HarReportWriter.url(host, uri));
      g.writeStringField("httpVersion", nz(t.version()));
      g.writeArrayFieldStart("cookies");
      g.writeEndArray();
      headers(g, t.requestHeaders());
      queryString(g, uri);
      g.writeNumberField("headersSize", t.requestHeaderBytes() > 0 ? t.requestHeaderBytes() : -1);
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
      g.writeNumberField(
          "headersSize",
          status > 0 ? (t.responseHeaderBytes() > 0 ? t.responseHeaderBytes() : -1) : -1);
      g.writeNumberField("bodySize", status > 0 ? t.responseBodyBytes() : -1);
      g.writeEndObject();
      g.writeObjectFieldStart("cache");
      g.writeEndObject();
      g.writeObjectFieldStart("timings");
      g.writeNumberField("blocked", -1);
      g.writeNumberField("dns", -1);
      if (connect >= 0) {
        millis(g, "connect", connect);
      } else {
        g.writeNumberField("connect", -1);
      }
      millis(g, "send", send);
      millis(g, "wait", wait);
      millis(g, "receive", receive);
      if (ssl >= 0) {
        millis(g, "ssl", ssl);
      } else {
        g.writeNumberField("ssl", -1);
      }
      g.writeEndObject();
      g.writeStringField("serverIPAddress", c.server().ip());
      g.writeStringField("connection", c.id());
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
        g.writeArrayFieldStart("stalls");
        for (TransactionResult.Stall st : stalls) {
          g.writeStartObject();
          g.writeStringField("type", st.type());
          millis(g, "cost_ms", st.costUs());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeArrayFieldStart("findings");
      for (Finding f : ff == null ? List.<Finding>of() : findings) {
        if (id.equals(f.connection()) && f.transaction() >= 0 && f.transaction() == index) {
          g.writeStartObject();
          g.writeStringField("type", f.type());
          g.writeStringField("severity", f.severity().id());
          g.writeStringField("confidence", f.confidence().id());
          millis(g, "cost_ms", f.worstUs());
          if (f.count() > 1) {
            g.writeNumberField("occurrences", f.count());
          }
          g.writeArrayFieldStart("frames");
          for (long fr : f.frames()) {
            g.writeNumber(fr);
          }
          g.writeEndArray();
          if (ff.multi()) {
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
          if (!perFile.isEmpty()) {
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
      g.writeEndObject();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void millis(JsonGenerator g, String name, long us) throws IOException {
    g.writeNumberField(name, BigDecimal.valueOf(us, 3));
  }

  private static void frame(JsonGenerator g, String name, long frame, FrameFiles ff)
      throws IOException {
    if (frame >= 0) {
      g.writeNumberField(name, frame);
      String w = ff == null ? null : ff.where(frame);
      if (w != null) {
        g.writeStringField(name + "_in_file", w);
      }
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static void headers(JsonGenerator g, Map<String, String> h) throws IOException {
    g.writeArrayFieldStart("headers");
    for (Map.Entry<String, String> e : h.entrySet()) {
      g.writeStartObject();
      g.writeStringField("name", e.getKey());
      g.writeStringField("value", e.getValue());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

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
