package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.analysis.AnalysisConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reuse of kept-alive TLS connections read without keys, on the real sample
 * (samples/tls-https.pcap, kept-alive and one-request-per-connection HTTP/1.1 over TLS, and an h2
 * connection): the pair summary counts the exchanges inferred from TLS records apart from
 * transactions, and per pair they are as many as the transactions the key log decrypts on its
 * HTTP/1.x connections (plus what stays inferred with keys: h2); every reused exchange shows its
 * idle gap.
 */
class TlsPairReuseTest {
  static final Path TLS = Paths.get("samples/tls-https.pcap");

  static JsonNode report(boolean keys) throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    if (keys) {
      config.tlsKeys.add(
          Files.readString(Paths.get("samples/tls-https.keylog"), StandardCharsets.ISO_8859_1));
    }
    return new ObjectMapper().readTree(Reports.json(config, TLS));
  }

  static Map<String, JsonNode> pairs(JsonNode r) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode p : r.path("pairs")) {
      out.put(p.path("client").asText() + " " + p.path("server").toString(), p);
    }
    return out;
  }

  @Test
  void keylessExchangesPerPairEqualDecryptedTransactions() throws IOException {
    JsonNode keyless = report(false);
    JsonNode keyed = report(true);
    // per connection: what the key log decrypts as HTTP/1.x, the keyless view infers one for one
    Map<String, Long> decrypted = new HashMap<>();
    for (JsonNode c : keyed.path("connections")) {
      if (!c.path("transactions").isEmpty()) {
        decrypted.put(c.path("id").asText(), (long) c.path("transactions").size());
      }
    }
    assertFalse(decrypted.isEmpty());
    long matched = 0;
    for (JsonNode c : keyless.path("connections")) {
      Long n = decrypted.get(c.path("id").asText());
      if (n != null) {
        assertTrue(c.path("transactions").isEmpty(), "no HTTP read without keys");
        assertEquals(
            n.longValue(),
            c.path("tls").path("inferred_exchange_count").asLong(),
            c.path("id").asText());
        matched++;
      }
    }
    assertEquals(decrypted.size(), matched);
    // per pair: the keyless inferred exchanges are the decrypted transactions plus what stays
    // inferred with keys (the h2 connection)
    Map<String, JsonNode> withKeys = pairs(keyed);
    Map<String, JsonNode> without = pairs(keyless);
    assertEquals(withKeys.keySet(), without.keySet());
    long reusedPairs = 0;
    for (Map.Entry<String, JsonNode> e : without.entrySet()) {
      JsonNode p = e.getValue();
      JsonNode k = withKeys.get(e.getKey());
      assertEquals(0, p.path("transactions").asLong(), e.getKey());
      assertEquals(
          k.path("transactions").asLong() + k.path("inferred_exchanges").asLong(),
          p.path("inferred_exchanges").asLong(),
          e.getKey());
      assertEquals("none", p.path("pattern").asText(), "nothing inferred shown as seen");
      if (k.path("transactions").asLong() > 0) {
        assertTrue(
            p.path("inferred_pattern").asText().equals(k.path("pattern").asText()), e.getKey());
      }
      if ("persistent".equals(p.path("inferred_pattern").asText())) {
        reusedPairs++;
        assertTrue(p.path("inferred_reused_connections").asLong() >= 1);
        assertTrue(p.path("inferred_max_per_connection").asLong() >= 2);
      }
    }
    assertEquals(1, reusedPairs, "the kept-alive connections' pair");
  }

  @Test
  void reusedExchangesShowTheirIdleGap() throws IOException {
    JsonNode keyless = report(false);
    long reused = 0;
    for (JsonNode c : keyless.path("connections")) {
      JsonNode xs = c.path("tls").path("inferred_exchanges");
      for (int i = 0; i < xs.size(); i++) {
        JsonNode x = xs.get(i);
        if (i == 0) {
          assertTrue(x.path("idle_before_us").isNull(), "the first exchange has no idle gap");
        } else {
          reused++;
          JsonNode prev = xs.get(i - 1);
          long end =
              Math.max(prev.path("request_end_us").asLong(), prev.path("response_end_us").asLong());
          assertEquals(
              Math.max(0, x.path("request_start_us").asLong() - end),
              x.path("idle_before_us").asLong());
        }
      }
    }
    assertTrue(reused > 0);
    String text = Reports.text(TLS);
    assertTrue(text.contains(", reused after idle "), text);
    assertTrue(
        text.contains(
            "      inferred from TLS records (no HTTP read): persistent, 9 exchanges on 6"),
        text);
    String md = ReportFormatsGoldenTest.render(Reports.json(TLS), ReportFormat.MARKDOWN);
    assertTrue(md.contains("| 0 + \\~9 inferred | 0 / \\~3 inferred |"), md);
    assertTrue(md.contains("persistent (inferred from TLS records, no HTTP read)"), md);
  }
}
