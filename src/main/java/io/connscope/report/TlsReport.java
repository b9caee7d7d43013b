package io.connscope.report;

import io.connscope.result.FrameFiles;
import io.connscope.result.TlsFacts;
import java.util.List;
import java.util.Locale;

/**
 * Renders a connection's {@link TlsFacts}: the {@code tls} object of a JSON connection (since
 * 1.3.0, present only on TLS connections; schema {@code $defs/tls}) and the indented lines of the
 * text report. The JSON is written as bytes on the connection head's writer ({@link
 * ConnectionJson}); strings from packets (SNI, ALPN) are escaped by it as Jackson's generator
 * escapes them, and by {@link Text#safe} in text.
 */
final class TlsReport {
  /** Inferred exchanges listed per connection in the text report. */
  static final int MAX_EXCHANGE_LINES = 20;

  private TlsReport() {}

  private static final byte[] F_TLS = JsonBytes.name("tls");
  private static final byte[] F_HANDSHAKE = JsonBytes.name("handshake");
  private static final byte[] F_FAILURE = JsonBytes.name("failure");
  private static final byte[] F_FAILURE_FRAME = JsonBytes.name("failure_frame");
  private static final byte[] F_FAILURE_US = JsonBytes.name("failure_us");
  private static final byte[] F_VERSION = JsonBytes.name("version");
  private static final byte[] F_VERSIONS_OFFERED = JsonBytes.name("versions_offered");
  private static final byte[] F_CIPHER_SUITE = JsonBytes.name("cipher_suite");
  private static final byte[] F_SNI = JsonBytes.name("sni");
  private static final byte[] F_ALPN_OFFERED = JsonBytes.name("alpn_offered");
  private static final byte[] F_ALPN_CHOSEN = JsonBytes.name("alpn_chosen");
  private static final byte[] F_RESUMPTION = JsonBytes.name("resumption");
  private static final byte[] F_SESSION_ID_OFFERED = JsonBytes.name("session_id_offered");
  private static final byte[] F_TICKET_OFFERED = JsonBytes.name("ticket_offered");
  private static final byte[] F_EARLY_DATA_OFFERED = JsonBytes.name("early_data_offered");
  private static final byte[] F_EARLY_DATA_ACCEPTED = JsonBytes.name("early_data_accepted");
  private static final byte[] F_HELLO_RETRY_REQUEST = JsonBytes.name("hello_retry_request");
  private static final byte[] F_CERTIFICATE_CHAIN_BYTES = JsonBytes.name("certificate_chain_bytes");
  private static final byte[] F_ENCRYPTED_FLIGHT_BYTES = JsonBytes.name("encrypted_flight_bytes");
  private static final byte[] F_TIMING = JsonBytes.name("timing");
  private static final byte[] F_TCP_CONNECT_US = JsonBytes.name("tcp_connect_us");
  private static final byte[] F_CLIENT_HELLO_FRAME = JsonBytes.name("client_hello_frame");
  private static final byte[] F_CLIENT_HELLO_US = JsonBytes.name("client_hello_us");
  private static final byte[] F_SERVER_HELLO_FRAME = JsonBytes.name("server_hello_frame");
  private static final byte[] F_SERVER_HELLO_US = JsonBytes.name("server_hello_us");
  private static final byte[] F_SERVER_FLIGHT_END_FRAME = JsonBytes.name("server_flight_end_frame");
  private static final byte[] F_SERVER_FLIGHT_END_US = JsonBytes.name("server_flight_end_us");
  private static final byte[] F_CLIENT_FINISHED_FRAME = JsonBytes.name("client_finished_frame");
  private static final byte[] F_CLIENT_FINISHED_US = JsonBytes.name("client_finished_us");
  private static final byte[] F_CLIENT_FINISHED_INFERRED =
      JsonBytes.name("client_finished_inferred");
  private static final byte[] F_FIRST_APP_DATA_FRAME = JsonBytes.name("first_app_data_frame");
  private static final byte[] F_FIRST_APP_DATA_US = JsonBytes.name("first_app_data_us");
  private static final byte[] F_HELLO_TO_SERVER_HELLO_US =
      JsonBytes.name("hello_to_server_hello_us");
  private static final byte[] F_SERVER_FLIGHT_US = JsonBytes.name("server_flight_us");
  private static final byte[] F_FINISHED_TO_APP_DATA_US = JsonBytes.name("finished_to_app_data_us");
  private static final byte[] F_SETUP_US = JsonBytes.name("setup_us");
  private static final byte[] F_ROUND_TRIPS = JsonBytes.name("round_trips");
  private static final byte[] F_ALERTS = JsonBytes.name("alerts");
  private static final byte[] F_FROM = JsonBytes.name("from");
  private static final byte[] F_FRAME = JsonBytes.name("frame");
  private static final byte[] F_TS_US = JsonBytes.name("ts_us");
  private static final byte[] F_LEVEL = JsonBytes.name("level");
  private static final byte[] F_DESCRIPTION = JsonBytes.name("description");
  private static final byte[] F_ENCRYPTED = JsonBytes.name("encrypted");
  private static final byte[] F_CLIENT_APP_DATA = JsonBytes.name("client_app_data");
  private static final byte[] F_SERVER_APP_DATA = JsonBytes.name("server_app_data");
  private static final byte[] F_RECORDS = JsonBytes.name("records");
  private static final byte[] F_BYTES = JsonBytes.name("bytes");
  private static final byte[] F_INFERRED_EXCHANGE_COUNT = JsonBytes.name("inferred_exchange_count");
  private static final byte[] F_INFERRED_EXCHANGES = JsonBytes.name("inferred_exchanges");
  private static final byte[] F_INFERRED = JsonBytes.name("inferred");
  private static final byte[] F_INDEX = JsonBytes.name("index");
  private static final byte[] F_REQUEST_RECORDS = JsonBytes.name("request_records");
  private static final byte[] F_REQUEST_BYTES = JsonBytes.name("request_bytes");
  private static final byte[] F_REQUEST_FIRST_FRAME = JsonBytes.name("request_first_frame");
  private static final byte[] F_REQUEST_START_US = JsonBytes.name("request_start_us");
  private static final byte[] F_REQUEST_LAST_FRAME = JsonBytes.name("request_last_frame");
  private static final byte[] F_REQUEST_END_US = JsonBytes.name("request_end_us");
  private static final byte[] F_RESPONSE_RECORDS = JsonBytes.name("response_records");
  private static final byte[] F_RESPONSE_BYTES = JsonBytes.name("response_bytes");
  private static final byte[] F_RESPONSE_FIRST_FRAME = JsonBytes.name("response_first_frame");
  private static final byte[] F_RESPONSE_START_US = JsonBytes.name("response_start_us");
  private static final byte[] F_RESPONSE_LAST_FRAME = JsonBytes.name("response_last_frame");
  private static final byte[] F_RESPONSE_END_US = JsonBytes.name("response_end_us");
  private static final byte[] F_WAIT_US = JsonBytes.name("wait_us");
  private static final byte[] F_IDLE_BEFORE_US = JsonBytes.name("idle_before_us");
  private static final byte[] F_DECRYPTION = JsonBytes.name("decryption");
  private static final byte[] F_NOTES = JsonBytes.name("notes");

  /** The {@code tls} member of a connection's JSON head ({@link ConnectionJson}); none for null. */
  static void json(JsonBytes w, TlsFacts f) {
    if (f == null) {
      return;
    }
    w.startObject(F_TLS);
    w.str(F_HANDSHAKE, f.handshake());
    w.str(F_FAILURE, f.failure()); // null when none, as every optional string
    w.opt(F_FAILURE_FRAME, f.failureFrame());
    w.opt(F_FAILURE_US, f.failureUs());
    w.str(F_VERSION, f.version());
    strings(w, F_VERSIONS_OFFERED, f.versionsOffered());
    w.str(F_CIPHER_SUITE, f.cipherSuite());
    w.str(F_SNI, f.sni());
    strings(w, F_ALPN_OFFERED, f.alpnOffered());
    w.str(F_ALPN_CHOSEN, f.alpnChosen());
    w.str(F_RESUMPTION, f.resumption());
    w.bool(F_SESSION_ID_OFFERED, f.sessionIdOffered());
    w.bool(F_TICKET_OFFERED, f.ticketOffered());
    w.bool(F_EARLY_DATA_OFFERED, f.earlyDataOffered());
    if (f.earlyDataAccepted() == null) {
      w.nul(F_EARLY_DATA_ACCEPTED);
    } else {
      w.bool(F_EARLY_DATA_ACCEPTED, f.earlyDataAccepted());
    }
    w.bool(F_HELLO_RETRY_REQUEST, f.helloRetryRequest());
    w.opt(F_CERTIFICATE_CHAIN_BYTES, f.certificateChainBytes());
    w.opt(F_ENCRYPTED_FLIGHT_BYTES, f.encryptedFlightBytes());
    TlsFacts.Timing t = f.timing();
    w.startObject(F_TIMING);
    w.opt(F_TCP_CONNECT_US, t.tcpConnectUs());
    w.opt(F_CLIENT_HELLO_FRAME, t.clientHelloFrame());
    w.opt(F_CLIENT_HELLO_US, t.clientHelloUs());
    w.opt(F_SERVER_HELLO_FRAME, t.serverHelloFrame());
    w.opt(F_SERVER_HELLO_US, t.serverHelloUs());
    w.opt(F_SERVER_FLIGHT_END_FRAME, t.serverFlightEndFrame());
    w.opt(F_SERVER_FLIGHT_END_US, t.serverFlightEndUs());
    w.opt(F_CLIENT_FINISHED_FRAME, t.clientFinishedFrame());
    w.opt(F_CLIENT_FINISHED_US, t.clientFinishedUs());
    w.bool(F_CLIENT_FINISHED_INFERRED, t.clientFinishedInferred());
    w.opt(F_FIRST_APP_DATA_FRAME, t.firstAppDataFrame());
    w.opt(F_FIRST_APP_DATA_US, t.firstAppDataUs());
    w.opt(F_HELLO_TO_SERVER_HELLO_US, t.helloToServerHelloUs());
    w.opt(F_SERVER_FLIGHT_US, t.serverFlightUs());
    w.opt(F_FINISHED_TO_APP_DATA_US, t.finishedToAppDataUs());
    w.opt(F_SETUP_US, t.setupUs());
    w.opt(F_ROUND_TRIPS, t.roundTrips());
    w.endObject();
    w.startArray(F_ALERTS);
    for (TlsFacts.Alert a : f.alerts()) {
      w.startObjectElement();
      w.str(F_FROM, a.from());
      w.num(F_FRAME, a.frame());
      w.num(F_TS_US, a.tsUs());
      w.str(F_LEVEL, a.level());
      w.str(F_DESCRIPTION, a.description());
      w.bool(F_ENCRYPTED, a.encrypted());
      w.endObject();
    }
    w.endArray();
    counts(w, F_CLIENT_APP_DATA, f.clientAppData());
    counts(w, F_SERVER_APP_DATA, f.serverAppData());
    w.num(F_INFERRED_EXCHANGE_COUNT, f.inferredExchangeCount());
    w.startArray(F_INFERRED_EXCHANGES);
    List<TlsFacts.Exchange> xs = f.inferredExchanges();
    for (int i = 0; i < xs.size(); i++) {
      TlsFacts.Exchange x = xs.get(i);
      w.startObjectElement();
      w.bool(F_INFERRED, true);
      w.num(F_INDEX, x.index());
      w.num(F_REQUEST_RECORDS, x.requestRecords());
      w.num(F_REQUEST_BYTES, x.requestBytes());
      w.num(F_REQUEST_FIRST_FRAME, x.requestFirstFrame());
      w.num(F_REQUEST_START_US, x.requestStartUs());
      w.num(F_REQUEST_LAST_FRAME, x.requestLastFrame());
      w.num(F_REQUEST_END_US, x.requestEndUs());
      w.num(F_RESPONSE_RECORDS, x.responseRecords());
      w.num(F_RESPONSE_BYTES, x.responseBytes());
      w.opt(F_RESPONSE_FIRST_FRAME, x.responseFirstFrame());
      w.opt(F_RESPONSE_START_US, x.responseStartUs());
      w.opt(F_RESPONSE_LAST_FRAME, x.responseLastFrame());
      w.opt(F_RESPONSE_END_US, x.responseEndUs());
      w.opt(F_WAIT_US, x.waitUs());
      w.opt(F_IDLE_BEFORE_US, idleBeforeUs(xs, i));
      w.endObject();
    }
    w.endArray();
    w.str(F_DECRYPTION, f.decryption());
    strings(w, F_NOTES, f.notes());
    w.endObject();
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

  private static void strings(JsonBytes w, byte[] name, List<String> l) {
    w.startArray(name);
    for (int i = 0; i < l.size(); i++) {
      w.element(l.get(i));
    }
    w.endArray();
  }

  private static void counts(JsonBytes w, byte[] name, TlsFacts.Counts c) {
    w.startObject(name);
    w.num(F_RECORDS, c.records());
    w.num(F_BYTES, c.bytes());
    w.endObject();
  }
}
