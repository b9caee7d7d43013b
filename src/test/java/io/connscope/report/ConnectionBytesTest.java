package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.TlsFacts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionJson}, which writes a connection's head as byte fragments, writes the bytes
 * Jackson's compact generator writes for the same head, field by field as the JSON report wrote it
 * with a generator ({@link GeneratorHead}): for many made-up connections, one after another on one
 * writer as the report writes them, with every optional part absent or present (coverage, HTTP
 * facts, the reason it is not HTTP, reversed, tunnel, anomalies, TLS facts, keep-alive ending,
 * stall summaries, transfers, time sequences), every boolean both ways, strings to escape (quotes,
 * backslashes, control characters, non-ASCII text, lone and paired surrogates) in values and in the
 * keys from the data (anomaly codes, stall types), null strings, the same string again (the same
 * object, an equal one, after a boolean that changed), negative, huge and extreme numbers, IPv4 and
 * IPv6 endpoints, and negative ids.
 */
class ConnectionBytesTest {
  private static final List<String> STRINGS =
      List.of(
          "",
          "server",
          ByteCases.NASTY,
          "x".repeat(300),
          "\u00e9t\u00e9",
          "sp ace~",
          "\\",
          "\"",
          "\u007f",
          "\u0000",
          "\udc00",
          "end\ud83d",
          "\u0141ukasz",
          "2001:db8::1",
          "fe80::1%eth0");

  /** A string field's value for case {@code k}: {@code s}, a copy of it, a constant, or null. */
  private static String pick(int k, int shift, String s) {
    switch (k >> shift & 3) {
      case 0:
        return s;
      case 1:
        return new String(s); // equal, not the same
      case 2:
        return "client";
      default:
        return (k & 1) == 0 ? null : s;
    }
  }

  private static ConnectionResult.Half half(int k, long v) {
    long loss = (k & 3) == 0 ? 0 : v; // all six loss counters 0, or not
    return new ConnectionResult.Half(
        v,
        k,
        -v,
        loss,
        (k & 3) == 1 ? 0 : loss,
        (k & 3) == 2 ? 0 : loss,
        0,
        (k & 3) == 3 ? 1 : 0,
        loss,
        (k & 4) == 0 ? -1 : v,
        (k & 8) == 0 ? -1 : 7,
        (k & 16) != 0,
        v,
        (k & 32) == 0 ? 0 : v,
        (k & 64) == 0 ? -1 : v,
        (k & 128) == 0 ? v : -1);
  }

  private static TlsFacts tls(int k, String s, long v) {
    boolean odd = (k & 1) == 1;
    return new TlsFacts(
        odd ? "complete" : s,
        odd ? null : s,
        v,
        -1,
        s,
        odd ? List.of() : List.of(s, "TLSv1.3"),
        odd ? null : s,
        s,
        odd ? List.of("h2", s) : List.of(),
        odd ? s : null,
        s,
        odd,
        !odd,
        (k & 2) != 0,
        (k & 4) != 0 ? null : (k & 8) != 0,
        (k & 16) != 0,
        v,
        -1,
        new TlsFacts.Timing(v, -1, 2, v, -1, 3, v, -1, 4, odd, v, -1, 5, v, -1, 6, (int) v),
        odd
            ? List.of()
            : List.of(
                new TlsFacts.Alert(s, v, -1, s, s, true),
                new TlsFacts.Alert("server", 1, 2, null, null, false)),
        new TlsFacts.Counts(v, -1),
        new TlsFacts.Counts(0, v),
        odd
            ? List.of()
            : List.of(
                new TlsFacts.Exchange(0, v, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1),
                new TlsFacts.Exchange((int) v, 1, v, 3, 4, 5, 6, 7, 8, 9, v, 11, 12)),
        (int) v,
        odd ? null : s,
        odd ? List.of() : List.of(s, "note"));
  }

  private static List<ConnectionResult.Transfer> transfers(int k, String s, long v) {
    List<ConnectionResult.Transfer> l = new ArrayList<>();
    for (int i = 0; i < k % 3; i++) {
      l.add(
          new ConnectionResult.Transfer(
              i == 0 ? s : null,
              (int) v,
              v,
              2,
              3,
              -v,
              5,
              6,
              7,
              8,
              9,
              10,
              11,
              12,
              (k & 4) == 0 ? -1 : v,
              (k & 8) == 0 ? v : -1,
              (k & 16) != 0,
              (k & 32) == 0 ? -1 : v,
              (k & 64) == 0 ? v : -1,
              i == 1 ? null : s,
              v));
    }
    return l;
  }

  private static ConnectionResult.TimeSequence timeSequence(int k, String s, long v) {
    if (k % 5 == 0) {
      return null;
    }
    List<ConnectionResult.SeqSegment> segments = new ArrayList<>();
    List<ConnectionResult.SeqAck> acks = new ArrayList<>();
    List<ConnectionResult.SeqSack> sacks = new ArrayList<>();
    for (int i = 0; i < k % 4; i++) {
      segments.add(new ConnectionResult.SeqSegment(v, i, -v, v + i, (i & 1) == 0));
      acks.add(new ConnectionResult.SeqAck(i, v, v - 1, -i));
    }
    for (int i = 0; i < k % 3; i++) {
      sacks.add(new ConnectionResult.SeqSack(v, i, -v, Long.MAX_VALUE - i));
    }
    return new ConnectionResult.TimeSequence(
        (k & 2) == 0 ? s : null, segments, acks, sacks, (k & 8) != 0);
  }

  private static ConnectionResult connection(int k, String s, long v) {
    int iv = (int) v;
    boolean six = (k & 2) != 0;
    Map<String, Long> anomalies = new LinkedHashMap<>();
    for (int i = 0; i < k % 4; i++) {
      anomalies.put(i == 0 ? "bare_lf" : i == 1 ? s : s + i, i == 2 ? -v : v);
    }
    TreeMap<String, ConnectionResult.StallSummary> stalls = new TreeMap<>();
    for (int i = 0; i < (k >> 1) % 4; i++) {
      stalls.put(i == 0 ? s : "delayed_ack" + i, new ConnectionResult.StallSummary(v, -v, i));
    }
    ConnectionResult.Http http =
        switch (k % 6) {
          case 0 -> null;
          case 1 -> new ConnectionResult.Http(false, pick(k, 3, s), 0, false, false, Map.of());
          default ->
              new ConnectionResult.Http(
                  (k & 8) != 0,
                  (k & 16) != 0 ? null : pick(k, 5, s),
                  iv,
                  (k & 32) != 0,
                  (k & 64) != 0,
                  anomalies);
        };
    return new ConnectionResult(
        k % 11 == 0 ? -v : k,
        new Endpoint(six ? "2001:db8::" + (k & 7) : pick(k, 1, s), k % 7 == 0 ? 0 : 50000 + k),
        new Endpoint(six ? "2001:db8::80" : "10.0.0.2", k % 5 == 0 ? iv : 80),
        six ? 6 : 4,
        pick(k, 2, s),
        (k & 4) != 0,
        v,
        -v,
        v,
        k,
        new ConnectionResult.Handshake(
            (k & 1) == 0 ? -1 : v, v, -1, k, v, -v, iv, k % 3, (k & 8) == 0 ? -1 : v, v),
        pick(k, 3, s),
        (k & 16) != 0 ? pick(k, 4, s) : null,
        new ConnectionResult.Close(pick(k, 5, s), pick(k, 6, s)),
        pick(k, 7, s),
        half(k, v),
        half(k >> 3, -v),
        http,
        k % 4 == 3 ? tls(k, s, v) : null,
        k % 3 == 0
            ? null
            : new ConnectionResult.KeepAliveEnding(
                iv,
                (k & 8) != 0, // the same closed_by and close_kind after either
                k % 7 == 0 ? s : "client",
                pick(k, 4, s),
                (k & 32) == 0 ? -1 : v,
                v,
                k,
                (k & 64) == 0 ? v : -1),
        stalls,
        v,
        transfers(k, s, v),
        timeSequence(k, s, v));
  }

  @Test
  void connectionsAreTheGeneratorsBytes() throws IOException {
    ConnectionJson json = new ConnectionJson();
    int k = 0;
    int tls = 0;
    for (int round = 0; round < 2; round++) { // the writer reused
      for (String s : STRINGS) {
        for (long v : ByteCases.NUMBERS) {
          for (int variant = 0; variant < 8; variant++) {
            k++;
            ConnectionResult c = connection(k, s, v);
            tls += c.tls() != null ? 1 : 0;
            json.write(c);
            assertEquals(
                generator(c),
                new String(json.bytes(), 0, json.length(), StandardCharsets.ISO_8859_1),
                "connection " + k);
          }
        }
      }
    }
    assertEquals(2 * 8 * STRINGS.size() * ByteCases.NUMBERS.length, k);
    assertTrue(tls > 100, "with TLS facts: " + tls);
  }

  @Test
  void theSameConnectionAgainIsTheSameBytes() throws IOException {
    ConnectionJson json = new ConnectionJson();
    for (int k = 1; k <= 64; k++) {
      ConnectionResult c = connection(k, ByteCases.NASTY, 12345);
      String want = generator(c);
      for (int i = 0; i < 3; i++) { // written, remembered, copied
        json.write(c);
        assertEquals(
            want,
            new String(json.bytes(), 0, json.length(), StandardCharsets.ISO_8859_1),
            "k " + k);
      }
    }
  }

  /**
   * The head as the JSON report wrote it with Jackson's compact generator: its bytes, one char each
   * (Latin-1), so that bytes that are not valid UTF-8 are compared too.
   */
  private static String generator(ConnectionResult c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String want;
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      GeneratorHead.writeConnection(g, c);
      g.flush();
      want = out.toString(StandardCharsets.ISO_8859_1); // before the generator closes what is open
    }
    return want;
  }
}
