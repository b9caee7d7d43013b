package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.result.ConnectionIds;
import io.connscope.result.TransactionResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TransactionReader} binds a transaction of a written report to the record {@link
 * ResultJson#transaction} binds from Jackson's tree of it.
 */
class TransactionReaderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A reader of {@code json} that gets at most {@code chunk} bytes per read. */
  static TreeReader reader(byte[] json, int chunk) {
    InputStream in =
        new ByteArrayInputStream(json) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, chunk));
          }
        };
    return new TreeReader(in);
  }

  /** Every transaction of the report {@code json}, read by TransactionReader. */
  private static List<TransactionResult> direct(byte[] json, int chunk) throws IOException {
    List<TransactionResult> out = new ArrayList<>();
    try (TreeReader r = reader(json, chunk)) {
      TransactionReader txs = new TransactionReader(r);
      r.beginObject();
      for (String f = r.nextField(); f != null; f = r.nextField()) {
        if (!"connections".equals(f)) {
          r.skipValue();
          continue;
        }
        r.beginArray();
        while (r.nextItem()) {
          long id = -1;
          r.beginObject();
          for (String cf = r.nextField(); cf != null; cf = r.nextField()) {
            if ("id".equals(cf)) {
              id = ConnectionIds.number(r.value().asText());
            } else if ("transactions".equals(cf)) {
              r.beginArray();
              while (r.nextItem()) {
                out.add(txs.read(id));
              }
            } else {
              r.skipValue();
            }
          }
        }
      }
    }
    return out;
  }

  /** Every transaction of the report {@code json}, bound from Jackson's tree. */
  private static List<TransactionResult> fromTree(byte[] json) throws IOException {
    List<TransactionResult> out = new ArrayList<>();
    for (JsonNode c : MAPPER.readTree(json).path("connections")) {
      long id = ConnectionIds.number(c.path("id").asText());
      for (JsonNode t : c.path("transactions")) {
        out.add(ResultJson.transaction(id, t));
      }
    }
    return out;
  }

  static java.util.stream.Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void bindsEveryTransactionOfEverySampleAsTheTreeDoes(Path sample) throws IOException {
    byte[] b = Reports.json(sample).getBytes(StandardCharsets.UTF_8);
    List<TransactionResult> want = fromTree(b);
    assertEquals(want, direct(b, 1 << 16), sample.toString());
    assertEquals(want, direct(b, 7), sample + " read 7 bytes at a time");
  }

  /** A report with one connection whose transactions are {@code txs}. */
  private static byte[] report(String... txs) {
    return ("{\"connections\":[{\"id\":\"C7\",\"transactions\":[" + String.join(",", txs) + "]}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bindsWhatTheWriterMayWriteAndWhatItLeavesOut() throws IOException {
    byte[] b =
        report(
            // every optional part present, nulls, escapes and non-ASCII, another order, a field
            // this reader does not know (skipped)
            "{\"status\":null,\"index\":3,\"unknown\":{\"a\":[1,\"]\"]},\"method\":\"G\\\"ET\","
                + "\"uri\":\"/\\u00e9t\\u00e9?q=\\ud83d\\ude00\",\"version\":null,"
                + "\"interim_statuses\":[100,103],\"request_headers\":{\"host\":\"h\\u0001\","
                + "\"x-\\u00e9\":\"v\"},\"response_headers\":{},\"request_frame\":null,"
                + "\"request_start_us\":-5,\"response_end_us\":9223372036854775807,"
                + "\"timings\":{\"stalls\":[{\"type\":\"tcp.delayed_ack\",\"cost_us\":40000},"
                + "{\"cost_us\":1}],\"connect_us\":12,\"send_us\":null},"
                + "\"response_not_captured\":{\"bytes_acknowledged\":1968,\"ack_frame\":null,"
                + "\"ack_us\":77},\"request_wire_bytes\":12,\"request_not_captured\":true,"
                + "\"anomalies\":[\"a\",\"b\"],\"keepalive\":{\"client_asked\":\"close\","
                + "\"proxy_connection\":\"keep-alive\",\"server_answered\":null,"
                + "\"keep_alive_max\":100,\"keep_alive_timeout_s\":5,\"persistent\":true},"
                + "\"unanswered\":true,\"close_delimited\":true}",
            // nothing but the index: every default
            "{\"index\":4}",
            // null objects and arrays
            "{\"timings\":null,\"keepalive\":null,\"response_not_captured\":null,"
                + "\"interim_statuses\":null,\"anomalies\":null,\"request_headers\":null}",
            // a status, the same strings again (from the table of recent ones)
            "{\"status\":200,\"method\":\"G\\\"ET\",\"uri\":\"/\\u00e9t\\u00e9?q=\\ud83d\\ude00\","
                + "\"depth\":2,\"pipeline_depth\":2,\"response_body_bytes\":-1}");
    List<TransactionResult> want = fromTree(b);
    assertEquals(4, want.size());
    for (int chunk : new int[] {1, 3, 7, 1 << 16}) {
      assertEquals(want, direct(b, chunk), "read " + chunk + " bytes at a time");
    }
    TransactionResult t = direct(b, 1 << 16).get(0);
    assertEquals("G\"ET", t.method());
    assertEquals(40000, t.timings().stalls().get(0).costUs());
    assertEquals("", t.timings().stalls().get(1).type());
    assertEquals(List.of("host", "x-é"), List.copyOf(t.requestHeaders().keySet()));
    assertTrue(t.requestNotCaptured());
    assertFalse(t.requestComplete());
  }

  @Test
  void aValueOfAnotherTypeThanWrittenIsAnError() {
    for (String bad :
        new String[] {
          "{\"index\":\"3\"}",
          "{\"index\":1.5}",
          "{\"request_frame\":99999999999999999999}",
          "{\"method\":3}",
          "{\"unanswered\":null}",
          "{\"index\":3",
        }) {
      assertThrows(IOException.class, () -> direct(report(bad), 1 << 16), bad);
    }
  }
}
