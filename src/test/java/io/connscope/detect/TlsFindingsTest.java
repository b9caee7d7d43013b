package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The TLS findings on samples/tls-https.pcap (samples/record-tls.sh), with and without the key log:
 * the handshake facts they rest on are read in clear either way.
 */
class TlsFindingsTest {
  @Test
  void failedHandshakeWithItsAlert() throws IOException {
    List<Finding> fs = SampleFindings.of("tls-https", TlsHandshakeFailedDetector.TYPE);
    assertEquals(1, fs.size());
    Finding f = fs.get(0);
    assertEquals("C7", f.connection()); // the TLS 1.2-only curl against the TLS 1.3-only port
    assertEquals(Severity.ERROR, f.severity());
    assertEquals("alert", f.details().get("kind"));
    assertEquals("protocol_version", f.details().get("alert")); // tshark: tls.alert_message.desc 70
    assertEquals("server", f.details().get("alert_from"));
    assertEquals(List.of(106L, 108L), f.frames()); // tshark: ClientHello 106, Alert 108
    assertTrue(f.summary().contains("the client offered TLS 1.2"), f.summary());
  }

  @Test
  void fullHandshakesToAServerThatResumes() throws IOException {
    for (boolean keys : new boolean[] {false, true}) {
      AnalysisConfig config = new AnalysisConfig();
      if (keys) {
        config.tlsKeys.add(
            Files.readString(
                Paths.get("samples", "tls-https.keylog"), StandardCharsets.ISO_8859_1));
      }
      List<Finding> fs =
          SampleFindings.of(SampleFindings.sample("tls-https"), config).stream()
              .filter(f -> f.type().equals(TlsResumptionMissedDetector.TYPE))
              .toList();
      assertEquals(1, fs.size(), "keys " + keys);
      Finding f = fs.get(0);
      // port 18160: C1, C2, C4 (TLS 1.2) and C8 (h2) full; C3 (PSK) and C5 (session ID) resumed
      assertEquals(4L, SampleFindings.detail(f, "full_handshakes"));
      assertEquals(2L, SampleFindings.detail(f, "resumed_handshakes"));
      assertEquals(3L, SampleFindings.detail(f, "avoidable_full_handshakes"));
      assertEquals(List.of("psk", "session_id"), f.details().get("resumption_kinds"));
      assertEquals("C2", f.connection());
      long saving = SampleFindings.detail(f, "saving_per_handshake_us");
      assertEquals(saving * 3, f.costUs());
      assertEquals(
          SampleFindings.detail(f, "mean_full_setup_us")
              - SampleFindings.detail(f, "mean_resumed_setup_us"),
          saving);
      // tshark: the ClientHellos of C2, C4, C8 and of C3, the first resumed
      assertEquals(List.of(22L, 39L, 55L, 116L), f.frames());
    }
  }

  @Test
  void tlsSetupIsMostOfTheShortConnections() throws IOException {
    for (boolean keys : new boolean[] {false, true}) {
      AnalysisConfig config = new AnalysisConfig();
      if (keys) {
        config.tlsKeys.add(
            Files.readString(
                Paths.get("samples", "tls-https.keylog"), StandardCharsets.ISO_8859_1));
      }
      List<Finding> all = SampleFindings.of(SampleFindings.sample("tls-https"), config);
      List<Finding> fs =
          all.stream().filter(f -> f.type().equals(TlsSetupShareDetector.TYPE)).toList();
      assertEquals(1, fs.size(), "keys " + keys);
      Finding f = fs.get(0);
      // port 18160: C1 (2 exchanges), C2-C5 (1 each) are short; C8 (h2, 3 inferred exchanges) is
      // not;
      // port 18161 has one completed handshake (C6) and a failed one (C7): not judged
      assertEquals("127.0.0.1:18160", f.details().get("server"));
      assertEquals(6L, SampleFindings.detail(f, "tls_connections"));
      assertEquals(5L, SampleFindings.detail(f, "short_connections"));
      assertEquals(keys ? 0L : 5L, SampleFindings.detail(f, "counted_from_inferred_exchanges"));
      assertEquals(keys ? Confidence.CONFIRMED : Confidence.SUSPECTED, f.confidence());
      assertEquals(
          1L, SampleFindings.detail(f, "peak_concurrent")); // curl runs one after the other
      assertEquals(4L, SampleFindings.detail(f, "avoidable"));
      assertEquals("C1", f.connection());
      long setup = SampleFindings.detail(f, "tls_setup_us");
      long inUse = SampleFindings.detail(f, "in_use_us");
      assertTrue(
          setup * 4 >= inUse, "at least a quarter of the time in use: " + setup + " of " + inUse);
      assertEquals(Math.round(100.0 * setup / inUse), SampleFindings.detail(f, "setup_share_pct"));
      assertEquals(setup / 5 * 4, f.costUs());
      assertEquals(2L, SampleFindings.detail(f, "resumed_handshakes"));
      // tshark: ClientHellos 4, 22, 39, 55, 71 and the first application data records after them
      assertEquals(List.of(4L, 11L, 22L, 27L, 39L, 44L, 55L, 61L, 71L, 76L), f.frames());
      assertTrue(f.summary().contains("at a 50 ms round trip"), f.summary());
    }
  }

  /** The findings of samples/tls-nagle.pcap of one type, with or without its key log. */
  private static List<Finding> nagleSample(boolean keys, String type) throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    if (keys) {
      config.tlsKeys.add(
          Files.readString(Paths.get("samples", "tls-nagle.keylog"), StandardCharsets.ISO_8859_1));
    }
    return SampleFindings.of(SampleFindings.sample("tls-nagle"), config).stream()
        .filter(f -> f.type().equals(type))
        .toList();
  }

  /**
   * samples/tls-nagle.pcap: 5 POSTs over TLS 1.3, each head and body in two SSL_writes with Nagle
   * on. Without keys the Nagle waits are found on the inferred exchanges, marked inferred and
   * suspected, never naming a request; with the key log the same waits (frames, cost) are found on
   * the decrypted transactions.
   */
  @Test
  void nagleOnInferredExchangesAsOnDecryptedTransactions() throws IOException {
    List<Finding> inferred = nagleSample(false, NagleDelayDetector.TYPE);
    List<Finding> decrypted = nagleSample(true, NagleDelayDetector.TYPE);
    // with keys: the body of POSTs 1-4 waited for the server's delayed ACK of the head (POST 0
    // left in one segment: its two records were coalesced behind the handshake's last segment)
    assertEquals(List.of(1, 2, 3, 4), decrypted.stream().map(Finding::transaction).toList());
    List<Finding> clientSide =
        inferred.stream().filter(f -> "client".equals(f.details().get("side"))).toList();
    assertEquals(decrypted.size(), clientSide.size());
    for (int i = 0; i < decrypted.size(); i++) {
      Finding k = decrypted.get(i);
      Finding n = clientSide.get(i);
      assertEquals(k.frames(), n.frames());
      assertEquals(k.costUs(), n.costUs());
      assertTrue(k.costUs() >= 30_000, "a Linux delayed ACK: " + k.costUs());
      assertEquals(Confidence.CONFIRMED, k.confidence());
      assertTrue(k.summary().contains("request POST /upload/" + k.transaction()), k.summary());
      assertEquals(-1, n.transaction());
      assertEquals(k.transaction(), n.inferredExchange()); // ~N is POST N here
      assertEquals(Boolean.TRUE, n.details().get("inferred"));
      assertEquals(Confidence.SUSPECTED, n.confidence());
      assertTrue(n.summary().contains("inferred exchange ~" + k.transaction()), n.summary());
      assertFalse(n.summary().contains("POST"), n.summary());
    }
    // without keys, exchange ~0's response records are a TLS 1.3 session ticket and the response:
    // Nagle held the response behind the ticket (the server's side), which with keys is not one
    // message (the ticket is no HTTP) and is reported as the delayed ACK it also was
    List<Finding> serverSide =
        inferred.stream().filter(f -> "server".equals(f.details().get("side"))).toList();
    assertEquals(1, serverSide.size());
    assertEquals(0, serverSide.get(0).inferredExchange());
    List<Finding> stalls = nagleSample(true, DelayedAckStallDetector.TYPE);
    assertTrue(
        stalls.stream()
            .anyMatch(f -> f.transaction() == 0 && f.frames().equals(serverSide.get(0).frames())),
        stalls.toString());
  }

  /** Delayed-ACK stalls are the same with and without keys, attributed to the same exchange. */
  @Test
  void delayedAckStallsOnInferredExchanges() throws IOException {
    List<Finding> inferred = nagleSample(false, DelayedAckStallDetector.TYPE);
    List<Finding> decrypted = nagleSample(true, DelayedAckStallDetector.TYPE);
    assertEquals(5, decrypted.size());
    assertEquals(decrypted.size(), inferred.size());
    for (int i = 0; i < decrypted.size(); i++) {
      assertEquals(decrypted.get(i).frames(), inferred.get(i).frames());
      assertEquals(decrypted.get(i).costUs(), inferred.get(i).costUs());
      assertEquals(decrypted.get(i).transaction(), inferred.get(i).inferredExchange());
      assertEquals(-1, inferred.get(i).transaction());
      assertTrue(inferred.get(i).summary().contains("in inferred exchange ~"));
    }
  }

  /**
   * samples/tls-slow-start.pcap (record.sh tls-slow-start): 3 GETs of 120,000 bytes over TLS 1.3
   * across a 25 ms link. The first response's slow start is found on inferred exchange ~0 without
   * keys (suspected, marked inferred) and on transaction #0 with the key log, at the same cost (one
   * round trip). Without keys ~0's response records begin with the TLS 1.3 session tickets, so its
   * flights count one more, as does ~1's (the reference) on the same connection.
   */
  @Test
  void slowStartOnAnInferredExchangeAsOnTheDecryptedTransaction() throws IOException {
    AnalysisConfig keyed = new AnalysisConfig();
    keyed.tlsKeys.add(
        Files.readString(
            Paths.get("samples", "tls-slow-start.keylog"), StandardCharsets.ISO_8859_1));
    List<Finding> withKeys =
        SampleFindings.of(SampleFindings.sample("tls-slow-start"), keyed).stream()
            .filter(f -> f.type().equals(SlowStartDetector.TYPE))
            .toList();
    List<Finding> without = SampleFindings.of("tls-slow-start", SlowStartDetector.TYPE);
    assertEquals(1, withKeys.size());
    assertEquals(1, without.size());
    Finding k = withKeys.get(0);
    Finding n = without.get(0);
    assertEquals(0, k.transaction());
    assertEquals(Confidence.CONFIRMED, k.confidence());
    assertEquals(-1, n.transaction());
    assertEquals(0, n.inferredExchange());
    assertEquals(Boolean.TRUE, n.details().get("inferred"));
    assertEquals(Confidence.SUSPECTED, n.confidence());
    assertEquals("new_connection", n.details().get("kind"));
    assertEquals(1L, SampleFindings.detail(n, "reference_inferred_exchange"));
    assertEquals(k.costUs(), n.costUs());
    assertEquals(SampleFindings.detail(k, "rtt_us"), n.costUs()); // one round trip
    assertTrue(n.costUs() >= 50_000, "a 25 ms link each way: " + n.costUs());
    assertEquals(k.frames().get(1), n.frames().get(1), "the same last frame of the response");
    assertTrue(n.summary().contains("inferred exchange ~0"), n.summary());
    assertFalse(n.summary().contains("GET"), n.summary());
  }

  @Test
  void noTlsFindingsOnPlainHttp() throws IOException {
    assertTrue(
        SampleFindings.of(SampleFindings.sample("keepalive-get")).stream()
            .noneMatch(f -> f.type().startsWith("tls.")));
  }
}
