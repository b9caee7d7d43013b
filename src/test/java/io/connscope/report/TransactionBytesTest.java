package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.result.HeaderMap;
import io.connscope.result.TransactionResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link TransactionJson}, which writes a transaction as byte fragments, writes the bytes Jackson's
 * compact generator writes for the same transaction, field by field as the JSON report wrote them
 * with a generator: for made-up transactions with strings to escape (quotes, backslashes, control
 * characters, non-ASCII text, lone and paired surrogates), null and empty strings, negative and
 * huge numbers, unknown (negative) optional numbers, every boolean combination, stalls, interim
 * statuses, anomalies, every kept header present or absent, in and out of their order, and header
 * names the analysis does not keep.
 */
class TransactionBytesTest {
  private static final List<String> STRINGS =
      List.of(
          "",
          "GET",
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
          "HTTP/1.1");

  private static final String[] KEPT = TransactionJson.HEADER_NAMES;

  /**
   * Headers for case {@code k}: the kept names in the analysis's order, each present or not by a
   * bit of {@code mask} (as a {@link HeaderMap} with the very name strings, as the analysis gives
   * them), or in other orders, with names from elsewhere and null values, as other maps.
   */
  private static Map<String, String> headers(int k, int mask, String s) {
    switch (k % 5) {
      case 0:
        return Map.of();
      case 1:
      case 2:
        {
          List<String> pairs = new ArrayList<>();
          for (int i = 0; i < KEPT.length; i++) {
            if ((mask >> i & 1) == 1) {
              pairs.add(k % 5 == 1 ? KEPT[i] : new String(KEPT[i])); // equal, not the same
              pairs.add(i % 3 == 0 ? s : KEPT[i] + " " + s.length());
            }
          }
          if (k % 7 == 0) { // out of order, and a name not kept
            pairs.add(KEPT[0]);
            pairs.add(s);
            pairs.add("x-" + s);
            pairs.add(s);
          }
          Map<String, String> distinct = new LinkedHashMap<>();
          for (int i = 0; i < pairs.size(); i += 2) {
            distinct.putIfAbsent(pairs.get(i), pairs.get(i + 1));
          }
          String[] a = new String[2 * distinct.size()];
          int i = 0;
          for (Map.Entry<String, String> e : distinct.entrySet()) {
            a[i++] = e.getKey();
            a[i++] = e.getValue();
          }
          return HeaderMap.own(a, distinct.size());
        }
      default:
        {
          Map<String, String> h = new LinkedHashMap<>();
          for (int i = KEPT.length - 1; i >= 0; i--) {
            if ((mask >> i & 1) == 1) {
              h.put(KEPT[i], i == 4 ? null : s);
            }
          }
          h.put(s, "v");
          h.put("x-\"odd\"\u0002name", s);
          return h;
        }
    }
  }

  private static TransactionResult transaction(int k, String s, long v) {
    boolean odd = (k & 1) == 1;
    int iv = (int) v;
    List<Integer> interim = k % 3 == 0 ? List.of() : k % 3 == 1 ? List.of(100) : List.of(iv, 103);
    List<TransactionResult.Stall> stalls =
        k % 4 == 0
            ? List.of()
            : k % 4 == 1
                ? List.of(new TransactionResult.Stall("delayed_ack", v))
                : List.of(
                    new TransactionResult.Stall(s, 0),
                    new TransactionResult.Stall(null, v),
                    new TransactionResult.Stall("x", -v));
    List<String> anomalies =
        k % 3 == 0 ? List.of() : k % 3 == 1 ? List.of("bare_lf") : List.of("a", s, "c");
    return new TransactionResult(
        v,
        iv,
        k % 5 == 0 ? iv : 1,
        k % 7 == 0 ? -iv : 4,
        odd ? null : s,
        k % 4 == 1 ? null : "/p?q=" + s,
        odd ? s : "HTTP/1.1",
        k % 3 == 0 ? null : k % 3 == 1 ? 200 : iv,
        odd ? null : s,
        k % 5 == 3 ? null : s,
        interim,
        headers(k, (int) (k * 2_654_435_761L >>> 5), s),
        headers(k + 2, k * 11 + 5, s),
        v,
        -v,
        k,
        odd ? null : "chunked",
        odd ? v : 0,
        v,
        -k,
        odd ? s : null,
        v,
        odd ? -1 : v,
        odd ? v : -1,
        k % 3 == 0 ? -1 : 14,
        v,
        odd ? -1 : Math.abs(v),
        k % 5 == 0 ? -1 : 1_700_000_000_000_123L,
        v,
        new TransactionResult.Timings(odd ? -1 : v, v, odd ? 6 : v, k % 3 == 0 ? -1 : 0, v, stalls),
        k % 3 == 2,
        k % 3 == 1 ? new TransactionResult.ResponseNotCaptured(v, odd ? -1 : 5, -v) : null,
        k % 4 == 0 ? -1 : v,
        k % 4 == 3 ? -1 : v,
        (k & 2) != 0,
        (k & 4) != 0,
        (k & 8) != 0,
        (k & 16) != 0,
        (k & 32) != 0,
        (k & 64) != 0,
        anomalies,
        new TransactionResult.KeepAliveNegotiation(
            odd ? null : "keep_alive",
            k % 3 == 0 ? s : null,
            k % 5 == 0 ? null : s,
            k % 3 == 1 ? -1 : iv,
            k % 4 == 1 ? -1 : (int) (v >>> 40),
            (k & 128) != 0));
  }

  @Test
  void transactionsAreTheGeneratorsBytes() throws IOException {
    TransactionJson json = new TransactionJson();
    int k = 0;
    for (int round = 0; round < 2; round++) { // the writer reused
      for (String s : STRINGS) {
        for (long v : ByteCases.NUMBERS) {
          for (int variant = 0; variant < 4; variant++) {
            k++;
            TransactionResult t = transaction(k, s, v);
            json.write(t);
            assertEquals(
                generator(t),
                new String(json.bytes(), 0, json.length(), StandardCharsets.UTF_8),
                "transaction " + k);
            json.reset();
          }
        }
      }
    }
    assertEquals(2 * 4 * STRINGS.size() * ByteCases.NUMBERS.length, k);
  }

  /** The transaction as the JSON report wrote it with Jackson's compact generator. */
  private static String generator(TransactionResult t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeNumberField("index", t.index());
      g.writeNumberField("depth", t.depth());
      g.writeNumberField("pipeline_depth", t.pipelineDepth());
      g.writeStringField("method", t.method());
      g.writeStringField("uri", t.uri());
      g.writeStringField("version", t.version());
      if (t.status() != null) {
        g.writeNumberField("status", t.status());
      } else {
        g.writeNullField("status");
      }
      g.writeStringField("reason", t.reason());
      g.writeStringField("response_version", t.responseVersion());
      g.writeArrayFieldStart("interim_statuses");
      for (int s : t.interimStatuses()) {
        g.writeNumber(s);
      }
      g.writeEndArray();
      headers(g, "request_headers", t.requestHeaders());
      headers(g, "response_headers", t.responseHeaders());
      g.writeNumberField("request_header_bytes", t.requestHeaderBytes());
      g.writeNumberField("request_body_bytes", t.requestBodyBytes());
      g.writeNumberField("request_body_gap_bytes", t.requestBodyGapBytes());
      g.writeStringField("request_framing", t.requestFraming());
      g.writeNumberField("response_header_bytes", t.responseHeaderBytes());
      g.writeNumberField("response_body_bytes", t.responseBodyBytes());
      g.writeNumberField("response_body_gap_bytes", t.responseBodyGapBytes());
      g.writeStringField("response_framing", t.responseFraming());
      opt(g, "request_frame", t.requestFrame());
      opt(g, "request_last_frame", t.requestLastFrame());
      opt(g, "response_frame", t.responseFrame());
      opt(g, "response_last_frame", t.responseLastFrame());
      opt(g, "request_start_us", t.requestStartUs());
      opt(g, "request_end_us", t.requestEndUs());
      opt(g, "response_start_us", t.responseStartUs());
      opt(g, "response_end_us", t.responseEndUs());
      TransactionResult.Timings tm = t.timings();
      g.writeObjectFieldStart("timings");
      opt(g, "connect_us", tm.connectUs());
      opt(g, "send_us", tm.sendUs());
      opt(g, "wait_us", tm.waitUs());
      opt(g, "receive_us", tm.receiveUs());
      opt(g, "server_us", tm.serverUs());
      g.writeArrayFieldStart("stalls");
      for (TransactionResult.Stall s : tm.stalls()) {
        g.writeStartObject();
        g.writeStringField("type", s.type());
        g.writeNumberField("cost_us", s.costUs());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeBooleanField("unanswered", t.unanswered());
      TransactionResult.ResponseNotCaptured lost = t.responseNotCaptured();
      if (lost != null) {
        g.writeObjectFieldStart("response_not_captured");
        g.writeNumberField("bytes_acknowledged", lost.bytesAcknowledged());
        opt(g, "ack_frame", lost.ackFrame());
        opt(g, "ack_us", lost.ackUs());
        g.writeEndObject();
      }
      if (t.requestWireBytes() >= 0) {
        g.writeNumberField("request_wire_bytes", t.requestWireBytes());
      }
      if (t.responseWireBytes() >= 0) {
        g.writeNumberField("response_wire_bytes", t.responseWireBytes());
      }
      g.writeBooleanField("orphan_response", t.orphanResponse());
      if (t.requestNotCaptured()) {
        g.writeBooleanField("request_not_captured", true);
      }
      g.writeBooleanField("request_complete", t.requestComplete());
      g.writeBooleanField("response_complete", t.responseComplete());
      g.writeBooleanField("gap_affected", t.gapAffected());
      g.writeBooleanField("close_delimited", t.closeDelimited());
      g.writeArrayFieldStart("anomalies");
      for (String a : t.anomalies()) {
        g.writeString(a);
      }
      g.writeEndArray();
      TransactionResult.KeepAliveNegotiation n = t.keepalive();
      g.writeObjectFieldStart("keepalive");
      g.writeStringField("client_asked", n.clientAsked());
      if (n.proxyConnection() != null) {
        g.writeStringField("proxy_connection", n.proxyConnection());
      }
      g.writeStringField("server_answered", n.serverAnswered());
      if (n.keepAliveMax() >= 0) {
        g.writeNumberField("keep_alive_max", n.keepAliveMax());
      }
      if (n.keepAliveTimeoutS() >= 0) {
        g.writeNumberField("keep_alive_timeout_s", n.keepAliveTimeoutS());
      }
      g.writeBooleanField("persistent", n.persistent());
      g.writeEndObject();
      g.writeEndObject();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void opt(JsonGenerator g, String name, long v) throws IOException {
    if (v >= 0) {
      g.writeNumberField(name, v);
    } else {
      g.writeNullField(name);
    }
  }

  private static void headers(JsonGenerator g, String name, Map<String, String> h)
      throws IOException {
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : h.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
