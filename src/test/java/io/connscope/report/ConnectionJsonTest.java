package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The connection heads {@link ConnectionJson} writes as bytes are the bytes Jackson's compact
 * generator wrote for them ({@link GeneratorHead}, the report's former code): for every connection
 * of every sample capture, and for made-up connections with what the samples lack (odd strings and
 * keys, negative and extreme numbers, nulls, TLS alerts and exchanges, transfers, time sequences).
 */
class ConnectionJsonTest {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** Each connection's head by both writers, the byte writer reused as the report reuses it. */
  private static final class Compare {
    final ConnectionJson bytes = new ConnectionJson();
    int compared;

    void check(ConnectionResult c) throws IOException {
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      byte[] want;
      try (JsonGenerator g = FACTORY.createGenerator(expected, JsonEncoding.UTF8)) {
        GeneratorHead.writeConnection(g, c);
        g.flush();
        want = expected.toByteArray(); // before the generator closes the open containers
      }
      bytes.write(c);
      byte[] got = Arrays.copyOf(bytes.bytes(), bytes.length());
      int at = Arrays.mismatch(want, got);
      if (at >= 0) {
        int from = Math.max(0, at - 60);
        fail(
            "connection "
                + c.idString()
                + " differs at byte "
                + at
                + ":\n generator: "
                + text(want, from, at + 40)
                + "\n bytes:     "
                + text(got, from, at + 40));
      }
      compared++;
    }
  }

  private static String text(byte[] b, int from, int to) {
    return new String(b, from, Math.max(0, Math.min(to, b.length) - from), StandardCharsets.UTF_8);
  }

  private static final class Collect implements ResultSink {
    final List<ConnectionResult> connections = new ArrayList<>();

    @Override
    public void transaction(TransactionResult t) {}

    @Override
    public void connection(ConnectionResult c) {
      connections.add(c);
    }

    @Override
    public void finding(Finding f) {}

    @Override
    public void finish(CaptureSummary capture) {}
  }

  @Test
  void everySampleConnectionIsWrittenAsTheGeneratorWroteIt() throws IOException {
    Compare compare = new Compare();
    int tls = 0;
    int transfers = 0;
    int timeSequences = 0;
    int anomalies = 0;
    int stalls = 0;
    int keepalive = 0;
    for (Path sample : SamplesGoldenTest.samples().toList()) {
      AnalysisConfig config = new AnalysisConfig();
      Path keylog =
          Path.of(sample.toString().replaceFirst("\\.pcap(ng)?$", "") + ".keylog"); // decrypted
      if (Files.exists(keylog)) {
        config.tlsKeys.load(keylog, false);
      }
      Collect sink = new Collect();
      Reports.run(config, sink, sample);
      for (ConnectionResult c : sink.connections) {
        compare.check(c);
        tls += c.tls() != null ? 1 : 0;
        transfers += c.transfers().isEmpty() ? 0 : 1;
        timeSequences += c.timeSequence() != null ? 1 : 0;
        anomalies += c.http() != null && !c.http().anomalies().isEmpty() ? 1 : 0;
        stalls += c.stallSummary().isEmpty() ? 0 : 1;
        keepalive += c.keepalive() != null ? 1 : 0;
      }
    }
    // the samples hold every optional part of a head
    assertTrue(compare.compared > 100, "connections compared: " + compare.compared);
    assertTrue(tls > 0 && transfers > 0 && timeSequences > 0, tls + " " + transfers);
    assertTrue(anomalies > 0 && stalls > 0 && keepalive > 0, anomalies + " " + stalls);
  }

  /** Strings the generator escapes, or writes as more than one byte per character. */
  private static final List<String> ODD =
      List.of(
          "",
          "plain ascii ~!@#$%^&*()_+{}|:<>?`-=[];',./",
          "quote \" backslash \\ slash /",
          "controls \u0000\u0001\b\t\n\f\r\u001f end",
          "del \u007f latin \u00e9\u00ff",
          "bmp \u2028\u2029\u20ac\uffff",
          "pair \ud83d\ude00 emoji",
          "unpaired high \ud800 here",
          "unpaired low \udc00 here",
          "ends high \ud83d",
          "<script>alert(1)</script>",
          "x".repeat(9000) + "\u00e9" + "y".repeat(9000), // longer than the generator's buffer
          "\"".repeat(5000));

  @Test
  void madeUpConnectionsWithOddValuesAreWrittenAsTheGeneratorWroteThem() throws IOException {
    Compare compare = new Compare();
    long[] numbers = {0, 1, 9, 10, 99, 100, -1, -9, -10, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};
    for (int i = 0; i < ODD.size(); i++) {
      String s = ODD.get(i);
      long n = numbers[i % numbers.length];
      compare.check(connection(i, s, n, false));
      compare.check(connection(i, s, n, true));
    }
    for (long n : numbers) {
      compare.check(connection(n, "10.0.0.1", n, true));
      compare.check(connection(n, null, n, false));
    }
    // the writer is reused: a long head, then a short one
    compare.check(connection(7, ODD.get(11), 12345, true));
    compare.check(connection(8, "a", 1, false));
    assertEquals(2 * ODD.size() + 2 * numbers.length + 2, compare.compared);
  }

  /**
   * A connection with every optional part when {@code full} (TLS facts, keep-alive, transfers, a
   * time sequence, coverage, reversed HTTP), with {@code s} in each string and key and {@code n} in
   * each number.
   */
  private static ConnectionResult connection(long id, String s, long n, boolean full) {
    int i = (int) n;
    Map<String, Long> anomalies = new LinkedHashMap<>();
    TreeMap<String, ConnectionResult.StallSummary> stalls = new TreeMap<>();
    if (s != null) {
      anomalies.put(s, n);
      anomalies.put("z" + s, -n);
      stalls.put(s, new ConnectionResult.StallSummary(n, -n, 3));
      stalls.put("k", new ConnectionResult.StallSummary(0, 1, -1));
    }
    TlsFacts tls =
        full
            ? new TlsFacts(
                s,
                s,
                n,
                -1,
                s,
                s == null ? List.of() : List.of(s, "TLSv1.3"),
                s,
                s,
                s == null ? List.of() : List.of("h2", s),
                s,
                s,
                true,
                false,
                true,
                n % 2 == 0 ? null : Boolean.TRUE,
                true,
                n,
                -1,
                new TlsFacts.Timing(n, -1, 2, n, -1, 3, n, -1, 4, true, n, -1, 5, n, -1, 6, i),
                List.of(
                    new TlsFacts.Alert(s, n, -1, s, s, true),
                    new TlsFacts.Alert("server", 1, 2, null, null, false)),
                new TlsFacts.Counts(n, -1),
                new TlsFacts.Counts(0, n),
                List.of(
                    new TlsFacts.Exchange(0, n, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1),
                    new TlsFacts.Exchange(i, 1, n, 3, 4, 5, 6, 7, 8, 9, n, 11, 12),
                    new TlsFacts.Exchange(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1)),
                i,
                s,
                s == null ? List.of() : List.of(s, s))
            : null;
    ConnectionResult.Half half =
        new ConnectionResult.Half(n, 1, 2, n, 4, 5, 6, 7, 8, -1, n, true, n, 0, -1, n);
    return new ConnectionResult(
        id,
        new Endpoint(s, i),
        new Endpoint("fe80::1", 443),
        full ? 6 : 4,
        s,
        full,
        n,
        -n,
        n,
        -1,
        new ConnectionResult.Handshake(n, -1, n, -1, 0, n, i, -i, -1, n),
        s,
        full ? s : null,
        new ConnectionResult.Close(s, full ? "client" : null),
        s,
        half,
        new ConnectionResult.Half(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0),
        full || s == null
            ? new ConnectionResult.Http(full, s, i, full, !full, anomalies)
            : new ConnectionResult.Http(true, null, 0, false, false, Map.of()),
        tls,
        full ? new ConnectionResult.KeepAliveEnding(i, true, s, s, n, -1, i, n) : null,
        stalls,
        n,
        full
            ? List.of(
                new ConnectionResult.Transfer(
                    s, i, n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, n, true, -1, n, s, n),
                new ConnectionResult.Transfer(
                    "server",
                    1,
                    1,
                    2,
                    3,
                    4,
                    5,
                    6,
                    7,
                    8,
                    9,
                    10,
                    11,
                    12,
                    13,
                    14,
                    false,
                    15,
                    16,
                    "receive window (reader slow)",
                    17))
            : List.of(),
        full
            ? new ConnectionResult.TimeSequence(
                s,
                List.of(
                    new ConnectionResult.SeqSegment(n, 1, 2, 3, true),
                    new ConnectionResult.SeqSegment(1, n, -2, 3, false)),
                List.of(new ConnectionResult.SeqAck(n, 1, 2, -n)),
                List.of(),
                n % 2 == 0)
            : null);
  }
}
