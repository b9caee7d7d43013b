package io.connscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.result.FrameFiles;
import io.connscope.result.TlsFacts;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Renders a connection's {@link TlsFacts}: the {@code tls} object of a JSON connection (since
 * 1.3.0, present only on TLS connections; schema {@code $defs/tls}) and the indented lines of the
 * text report. Strings from packets (SNI, ALPN) are escaped by the JSON writer, and by {@link
 * Text#safe} in text.
 */
final class TlsReport {
  /** Inferred exchanges listed per connection in the text report. */
  static final int MAX_EXCHANGE_LINES = 20;

  private TlsReport() {}

  static void json(JsonGenerator g, TlsFacts f) throws IOException {
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
      number(g, "idle_before_us", idleBeforeUs(xs, i));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeStringField("decryption", f.decryption());
    strings(g, "notes", f.notes());
    g.writeEndObject();
  }

  /**
   * The text report's lines for one connection (each indented and ending in a newline); frames
   * cited with their file by {@code ff}.
   */
  static String text(TlsFacts f, FrameFiles ff) {
    if (f == null) {
      return "";
    }
    StringBuilder b = new StringBuilder("        ");
    b.append(f.version() == null ? "TLS (version unknown)" : f.version());
    if (f.cipherSuite() != null) {
      b.append(' ').append(f.cipherSuite());
    }
    if (f.sni() != null) {
      b.append("  SNI ").append(Text.safe(f.sni(), 80));
    }
    if (f.alpnChosen() != null) {
      b.append("  ALPN ").append(Text.safe(f.alpnChosen(), 20));
    } else if (!f.alpnOffered().isEmpty()) {
      b.append("  ALPN offered ").append(Text.safe(String.join(",", f.alpnOffered()), 40));
    }
    b.append("  handshake ").append(f.handshake());
    if (f.resumption() != null) {
      b.append("none".equals(f.resumption()) ? " (full)" : " (resumed: " + f.resumption() + ")");
    }
    if (f.helloRetryRequest()) {
      b.append(" with HelloRetryRequest");
    }
    b.append("  keys ").append(f.decryption()).append('\n');
    TlsFacts.Timing t = f.timing();
    if (t.clientHelloUs() >= 0) {
      b.append("          ");
      part(b, "connect", t.tcpConnectUs());
      part(b, "hello->server hello", t.helloToServerHelloUs());
      part(b, "server flight", t.serverFlightUs());
      part(
          b,
          "finished->data" + (t.clientFinishedInferred() ? " (inferred)" : ""),
          t.finishedToAppDataUs());
      part(b, "TLS setup", t.setupUs());
      if (t.roundTrips() >= 0) {
        b.append(t.roundTrips())
            .append(" round trip")
            .append(t.roundTrips() == 1 ? "" : "s")
            .append(" in TLS");
      }
      b.setLength(b.toString().stripTrailing().length());
      b.append('\n');
    }
    if (f.failure() != null) {
      b.append("          failed: ").append(Text.safe(f.failure(), 160)).append('\n');
    }
    for (TlsFacts.Alert a : f.alerts()) {
      if (!"close_notify".equals(a.description())) {
        b.append(
            String.format(
                Locale.ROOT,
                "          alert from %s, frame %s: %s%n",
                a.from(),
                Text.safe(ff.cite(a.frame()), 300),
                a.encrypted() ? "encrypted" : a.level() + " " + a.description()));
      }
    }
    for (String n : f.notes()) {
      b.append("          note: ").append(Text.safe(n, 200)).append('\n');
    }
    int shown = 0;
    List<TlsFacts.Exchange> xs = f.inferredExchanges();
    for (int i = 0; i < xs.size(); i++) {
      TlsFacts.Exchange x = xs.get(i);
      if (shown++ == MAX_EXCHANGE_LINES) {
        break;
      }
      b.append(
          String.format(
              Locale.ROOT,
              "        ~%-3d inferred exchange: request %d B in %d record%s,",
              x.index(),
              x.requestBytes(),
              x.requestRecords(),
              x.requestRecords() == 1 ? "" : "s"));
      if (x.responseRecords() == 0) {
        b.append(" no response records");
      } else {
        b.append(
            String.format(
                Locale.ROOT,
                " wait %s, response %d B in %d record%s over %s",
                Text.ms(x.waitUs()),
                x.responseBytes(),
                x.responseRecords(),
                x.responseRecords() == 1 ? "" : "s",
                Text.ms(x.responseEndUs() - x.responseStartUs())));
      }
      long idle = idleBeforeUs(xs, i);
      if (idle >= 0) {
        b.append(", reused after idle ").append(Text.ms(idle));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "  frames %s%n",
              Text.safe(
                  ff.citeRange(
                      x.requestFirstFrame(), Math.max(x.requestLastFrame(), x.responseLastFrame())),
                  600)));
    }
    if (f.inferredExchangeCount() > Math.min(shown, MAX_EXCHANGE_LINES)) {
      b.append(
          String.format(
              Locale.ROOT,
              "        ... %d more inferred exchanges%n",
              f.inferredExchangeCount() - Math.min(shown, MAX_EXCHANGE_LINES)));
    }
    return b.toString();
  }

  // ---- pieces shared by the Markdown and HTML reports (unescaped: the writer escapes them)

  /** The chosen ALPN protocol, else "offered a, b", else "-". */
  static String alpn(TlsFacts f) {
    if (f.alpnChosen() != null) {
      return f.alpnChosen();
    }
    return f.alpnOffered().isEmpty() ? "-" : "offered " + String.join(", ", f.alpnOffered());
  }

  /** "complete", "failed"... with "HelloRetryRequest" when the server sent one. */
  static String handshake(TlsFacts f) {
    return f.handshake() + (f.helloRetryRequest() ? " with HelloRetryRequest" : "");
  }

  /** "full", "resumed (psk)"... or "-" when no ServerHello was seen. */
  static String resumption(TlsFacts f) {
    if (f.resumption() == null) {
      return "-";
    }
    return "none".equals(f.resumption()) ? "full" : "resumed (" + f.resumption() + ")";
  }

  /** The client Finished to first application data phase, marked when the Finished was inferred. */
  static String finishedToData(TlsFacts.Timing t) {
    String ms = ReportModel.msOrDash(t.finishedToAppDataUs());
    return t.finishedToAppDataUs() >= 0 && t.clientFinishedInferred() ? ms + " (inferred)" : ms;
  }

  /** Round trips spent in TLS, "-" when the handshake did not complete. */
  static String roundTrips(TlsFacts.Timing t) {
    return t.roundTrips() < 0 ? "-" : String.valueOf(t.roundTrips());
  }

  /**
   * What went wrong or could not be read, one line each: the failure, the alerts other than
   * close_notify, the notes.
   */
  static List<String> remarks(TlsFacts f, FrameFiles ff) {
    List<String> l = new java.util.ArrayList<>();
    if (f.failure() != null) {
      l.add("handshake failed: " + f.failure());
    }
    for (TlsFacts.Alert a : f.alerts()) {
      if (!"close_notify".equals(a.description())) {
        l.add(
            String.format(
                Locale.ROOT,
                "alert from %s, frame %s: %s",
                a.from(),
                ff.cite(a.frame()),
                a.encrypted() ? "encrypted (not decrypted)" : a.level() + " " + a.description()));
      }
    }
    for (String n : f.notes()) {
      l.add("note: " + n);
    }
    return l;
  }

  /**
   * An inferred exchange as a table cell: "~0 inferred exchange: 111 B request, 1221 B response".
   */
  static String exchange(TlsFacts.Exchange x) {
    return String.format(
        Locale.ROOT,
        "~%d inferred exchange: %d B request in %d record%s, %s",
        x.index(),
        x.requestBytes(),
        x.requestRecords(),
        x.requestRecords() == 1 ? "" : "s",
        x.responseRecords() == 0
            ? "no response records"
            : x.responseBytes()
                + " B response in "
                + x.responseRecords()
                + " record"
                + (x.responseRecords() == 1 ? "" : "s"));
  }

  /**
   * The idle gap before inferred exchange {@code i} of {@code xs} on a reused connection: the end
   * of the previous exchange (its last record, either way) to this one's first request record; -1
   * for the first exchange. Exchanges are in order, so this is never negative otherwise.
   */
  static long idleBeforeUs(List<TlsFacts.Exchange> xs, int i) {
    if (i <= 0 || i >= xs.size()) {
      return -1;
    }
    TlsFacts.Exchange p = xs.get(i - 1);
    long end = Math.max(p.requestEndUs(), p.responseEndUs());
    return Math.max(0, xs.get(i).requestStartUs() - end);
  }

  /** The request's send time of an inferred exchange (first to last request record). */
  static long sendUs(TlsFacts.Exchange x) {
    return x.requestEndUs() - x.requestStartUs();
  }

  /** First to last response record of an inferred exchange, -1 without response. */
  static long receiveUs(TlsFacts.Exchange x) {
    return x.responseStartUs() < 0 || x.responseEndUs() < 0
        ? -1
        : x.responseEndUs() - x.responseStartUs();
  }

  /**
   * {@code f} with at most {@code n} inferred exchanges (the reports that keep many connections
   * keep their first exchanges only; {@code inferredExchangeCount} still counts them all).
   */
  static TlsFacts limited(TlsFacts f, int n) {
    if (f == null || f.inferredExchanges().size() <= n) {
      return f;
    }
    return new TlsFacts(
        f.handshake(),
        f.failure(),
        f.failureFrame(),
        f.failureUs(),
        f.version(),
        f.versionsOffered(),
        f.cipherSuite(),
        f.sni(),
        f.alpnOffered(),
        f.alpnChosen(),
        f.resumption(),
        f.sessionIdOffered(),
        f.ticketOffered(),
        f.earlyDataOffered(),
        f.earlyDataAccepted(),
        f.helloRetryRequest(),
        f.certificateChainBytes(),
        f.encryptedFlightBytes(),
        f.timing(),
        f.alerts(),
        f.clientAppData(),
        f.serverAppData(),
        f.inferredExchanges().subList(0, n),
        f.inferredExchangeCount(),
        f.decryption(),
        f.notes());
  }

  private static void part(StringBuilder b, String name, long us) {
    if (us >= 0) {
      b.append(name).append(' ').append(Text.ms(us)).append("  ");
    }
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
