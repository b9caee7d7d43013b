package io.connscope.detect;

/*
 * tls.handshake_failed
 *
 * Rule: per connection recognised as TLS whose ClientHello was seen, one finding when the
 * handshake did not complete because of
 *   - a fatal alert from either side (protocol_version: no common version; handshake_failure:
 *     no common cipher suite, group or signature algorithm; a certificate alert: the client
 *     rejected the server's certificate; unrecognized_name, no_application_protocol...), or
 *   - a reset or a close (FIN) from either side before both Finished messages.
 * Cost: from the ClientHello to the alert, reset or close: the time the attempt took, all lost.
 * Not reported: connections picked up after their handshake; a handshake the capture simply
 * ends in (no alert, reset or close: TlsFacts.handshake "incomplete").
 * Severity (SeverityRule): error, a failure the user saw (the connection carried no application
 * data). Confidence: confirmed (the
 * alert, reset or close is in the capture).
 */

import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports TLS handshakes that failed, with the reason. */
public final class TlsHandshakeFailedDetector implements ConnectionDetector {
  public static final String TYPE = "tls.handshake_failed";

  public TlsHandshakeFailedDetector(DetectOptions options) {}

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {}

  @Override
  public void tls(Connection c, TlsFacts f, Consumer<Finding> out) {
    if (f.failure() == null || f.timing().clientHelloFrame() < 0) {
      return;
    }
    TlsFacts.Alert alert = null;
    for (TlsFacts.Alert a : f.alerts()) {
      if (a.frame() == f.failureFrame() && "fatal".equals(a.level())) {
        alert = a;
      }
    }
    String kind = alert != null ? "alert" : f.failure().startsWith("reset") ? "reset" : "close";
    List<Long> frames = new ArrayList<>(List.of(f.timing().clientHelloFrame()));
    if (f.failureFrame() > f.timing().clientHelloFrame()) {
      frames.add(f.failureFrame());
    }
    long cost = Math.max(0, f.failureUs() - f.timing().clientHelloUs());
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("kind", kind);
    d.put("alert", alert == null ? null : alert.description());
    d.put("alert_from", alert == null ? null : alert.from());
    d.put("versions_offered", f.versionsOffered());
    d.put("version", f.version());
    d.put("sni", f.sni());
    d.put("server_hello_seen", f.timing().serverHelloFrame() >= 0);
    String summary =
        String.format(
            Locale.ROOT,
            "the TLS handshake failed %.1f ms after the"
                + " ClientHello (frame %d): %s; the client offered %s",
            cost / 1000.0,
            f.timing().clientHelloFrame(),
            f.failure(),
            String.join(", ", f.versionsOffered()));
    out.accept(
        new Finding(
            TYPE,
            SeverityRule.failed(),
            Confidence.CONFIRMED,
            c.idString(),
            -1,
            cost,
            frames,
            KeepAlive.filter(frames),
            summary,
            fix(alert == null ? null : alert.description(), kind),
            d));
  }

  private static String fix(String alert, String kind) {
    if (alert == null) {
      return "the "
          + kind
          + " came before the handshake completed: check the server's (or a"
          + " middlebox's) logs for why it dropped the connection, and that both sides speak TLS"
          + " on this port";
    }
    switch (alert) {
      case "protocol_version":
        return "client and server share no TLS version: enable TLS 1.3 (or 1.2) on the side that"
            + " lacks it";
      case "handshake_failure":
      case "insufficient_security":
        return "no common cipher suite, key exchange group or signature algorithm: compare the"
            + " ClientHello's lists with the server's configuration";
      case "bad_certificate":
      case "unsupported_certificate":
      case "certificate_revoked":
      case "certificate_expired":
      case "certificate_unknown":
      case "unknown_ca":
        return "the certificate was rejected: check the chain the server sends (intermediates,"
            + " expiry, the name) and the client's trust store";
      case "unrecognized_name":
        return "the server has no certificate for the SNI the client sent: check the name and the"
            + " server's virtual hosts";
      case "no_application_protocol":
        return "no common ALPN protocol: enable http/1.1 or h2 on the side that lacks it";
      case "certificate_required":
        return "the server requires a client certificate: configure one on the client";
      default:
        return "the "
            + alert
            + " alert names the reason: compare the ClientHello with the"
            + " server's TLS configuration";
    }
  }
}
