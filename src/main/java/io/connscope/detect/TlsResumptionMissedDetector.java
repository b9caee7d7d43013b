package io.connscope.detect;

/*
 * tls.resumption_missed
 *
 * Rule: per client address, server address and port and SNI, at the end of the capture, one
 * finding when
 *   - at least MIN_FULL (2) TLS handshakes completed in full (no session resumed), and
 *   - at least one handshake to the same server and name resumed a session (session ID, ticket
 *     or PSK): the server resumes sessions, so every full handshake after the first could have
 *     been a resumed one had the client kept its session.
 * Cost: for each avoidable full handshake (all but the first), the mean TLS setup of the full
 * handshakes minus the mean of the resumed ones (ClientHello to first application data,
 * tls.timing.setup_us), when positive. In TLS 1.2 a resumed handshake saves a round trip; in
 * both versions it saves the certificate and the signature work.
 * Not reported: groups where no handshake resumed (the server may not resume at all: the
 * capture cannot tell); handshakes that did not complete. At most DetectOptions.maxPairs groups
 * are followed; later ones are not judged.
 * Severity (SeverityRule): warning when the cost is at least costWarnMicros (10 ms), info when
 * cheaper. Confidence: confirmed (full and resumed handshakes to the same server are in
 * the capture); the saving is an estimate from the measured means.
 */

import io.connscope.common.Addresses;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports full TLS handshakes repeated to a server that resumes sessions. */
public final class TlsResumptionMissedDetector implements CrossDetector {
  public static final String TYPE = "tls.resumption_missed";

  /** Full handshakes to one server before they are worth a finding. */
  static final int MIN_FULL = 2;

  /** Frames kept as evidence per group. */
  static final int EVIDENCE = 10;

  private final int maxGroups;
  private final Map<String, Group> groups = new LinkedHashMap<>();

  /** Handshakes to one server (client, server address and port, SNI). */
  private static final class Group {
    String server;
    String sni;
    String firstAvoidable;
    int full;
    int resumed;
    long fullSetupUs;
    int fullSetups;
    long resumedSetupUs;
    int resumedSetups;
    int fullRoundTrips;
    int resumedRoundTrips;
    final List<Long> frames = new ArrayList<>();
    final List<String> kinds = new ArrayList<>();
  }

  private final long warnUs;

  public TlsResumptionMissedDetector(DetectOptions options) {
    this.maxGroups = options.maxPairs;
    this.warnUs = options.costWarnMicros;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {}

  @Override
  public void tls(ConnectionView c, HttpView http, TlsFacts f, Consumer<Finding> out) {
    if (!"complete".equals(f.handshake()) || f.resumption() == null) {
      return;
    }
    String server = Addresses.format(c.serverAddrHi(), c.serverAddrLo()) + ":" + c.serverPort();
    String key =
        Addresses.format(c.clientAddrHi(), c.clientAddrLo())
            + " "
            + server
            + " "
            + (f.sni() == null ? "" : f.sni());
    Group g = groups.get(key);
    if (g == null) {
      if (groups.size() >= maxGroups) {
        return;
      }
      g = new Group();
      g.server = server;
      g.sni = f.sni();
      groups.put(key, g);
    }
    long setup = f.timing().setupUs();
    if ("none".equals(f.resumption())) {
      g.full++;
      if (g.full == 2) {
        g.firstAvoidable = c.idString();
      }
      if (setup >= 0) {
        g.fullSetupUs += setup;
        g.fullSetups++;
      }
      g.fullRoundTrips = Math.max(g.fullRoundTrips, f.timing().roundTrips());
      if (g.full >= 2 && g.frames.size() < EVIDENCE) {
        g.frames.add(f.timing().clientHelloFrame());
      }
    } else {
      g.resumed++;
      if (!g.kinds.contains(f.resumption())) {
        g.kinds.add(f.resumption());
      }
      if (setup >= 0) {
        g.resumedSetupUs += setup;
        g.resumedSetups++;
      }
      g.resumedRoundTrips =
          g.resumedRoundTrips == 0
              ? f.timing().roundTrips()
              : Math.min(g.resumedRoundTrips, f.timing().roundTrips());
      if (g.resumed == 1 && g.frames.size() < EVIDENCE) {
        g.frames.add(f.timing().clientHelloFrame());
      }
    }
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (Group g : groups.values()) {
      if (g.full < MIN_FULL || g.resumed == 0) {
        continue;
      }
      int avoidable = g.full - 1;
      long meanFull = g.fullSetups == 0 ? -1 : g.fullSetupUs / g.fullSetups;
      long meanResumed = g.resumedSetups == 0 ? -1 : g.resumedSetupUs / g.resumedSetups;
      long saving = meanFull >= 0 && meanResumed >= 0 ? Math.max(0, meanFull - meanResumed) : 0;
      List<Long> frames = new ArrayList<>(g.frames);
      frames.sort(null);
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("server", g.server);
      d.put("sni", g.sni);
      d.put("full_handshakes", g.full);
      d.put("resumed_handshakes", g.resumed);
      d.put("resumption_kinds", g.kinds);
      d.put("avoidable_full_handshakes", avoidable);
      d.put("mean_full_setup_us", meanFull);
      d.put("mean_resumed_setup_us", meanResumed);
      d.put("saving_per_handshake_us", saving);
      String summary =
          String.format(
              Locale.ROOT,
              "%d full TLS handshakes to %s%s although the"
                  + " server resumes sessions (%d resumed handshake%s here): %d could have been resumed;"
                  + " TLS setup took %.1f ms on average in full against %.1f ms resumed",
              g.full,
              g.server,
              g.sni == null ? "" : " (" + g.sni + ")",
              g.resumed,
              g.resumed == 1 ? "" : "s",
              avoidable,
              Math.max(0, meanFull) / 1000.0,
              Math.max(0, meanResumed) / 1000.0);
      out.accept(
          new Finding(
              TYPE,
              SeverityRule.cost(saving * avoidable, warnUs),
              Confidence.CONFIRMED,
              g.firstAvoidable,
              -1,
              saving * avoidable,
              frames,
              KeepAlive.filter(frames),
              summary,
              "keep TLS sessions in the client (one HTTP client or SSL context for all connections to"
                  + " the server, its session cache on), or reuse connections (keep-alive) so that"
                  + " fewer handshakes are needed",
              d));
    }
  }
}
