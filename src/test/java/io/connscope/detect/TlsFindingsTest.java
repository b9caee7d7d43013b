package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  @Test
  void noTlsFindingsOnPlainHttp() throws IOException {
    assertTrue(
        SampleFindings.of(SampleFindings.sample("keepalive-get")).stream()
            .noneMatch(f -> f.type().startsWith("tls.")));
  }
}
