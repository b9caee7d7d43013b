package io.connscope.detect;

/*
 * connection.setup_overhead
 *
 * Rule: per client/server pair (client address, server address and port), over the capture:
 *   - the pair opened at least setupMinConnections (3) connections whose handshake was seen (one
 *     or two connections are not a pattern);
 *   - a persistent pattern would have avoided at least one setup: connections beyond the peak of
 *     concurrently open connections (one persistent connection per concurrent slot).
 * Setup time: first SYN to the client's handshake ACK at the capture point (one round trip from
 * any vantage point, plus SYN retries), plus for TLS the TLS handshake seen without decryption
 * (client's first data to its second flight: a lower bound).
 * Cost: the setup time of the avoidable connections (mean setup x avoidable setups). Also given
 * at the reference round trip (referenceRttMicros, 50 ms): one round trip per avoidable setup,
 * what the same pattern costs a client 50 ms from its server (loopback and LAN handshakes take
 * microseconds, so the measured cost there says little about the pattern).
 * Severity (SeverityRule, with this finding's own threshold): warning when the mean setup time is
 * at least setupMinHandshakeMicros (5 ms) and setup is at least setupMinShare (20 %) of setup
 * plus transaction time (first request byte to last response byte, summed); info otherwise (the
 * pattern is there, cheap on this path).
 * Not reported: pairs with fewer connections; below the warning thresholds, pairs without a
 * request (plain TCP connects carry no request a persistent connection could have taken) and
 * pairs with TLS connections (tls.setup_share judges short TLS connections, with their cost at
 * the same reference round trip); a client that already keeps connections alive and
 * only opens as many as it uses at once.
 * Confidence: confirmed for TCP handshakes; suspected when TLS setup is part of the cost (its
 * end is inferred from the flight pattern).
 * Aggregates: PairAggregator (bounded); reported in finish().
 */

import io.connscope.common.Addresses;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.HttpView;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.ConnectionView;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports client/server pairs that spent a large share of their time opening connections. */
public final class ConnectionSetupOverheadDetector implements CrossDetector {
  public static final String TYPE = "connection.setup_overhead";

  private final DetectOptions options;
  private final PairAggregator pairs;

  public ConnectionSetupOverheadDetector(DetectOptions options, PairAggregator pairs) {
    this.options = options;
    this.pairs = pairs;
  }

  @Override
  public void connection(ConnectionView c, HttpView http, Consumer<Finding> out) {
    // the pipeline adds every connection to the shared pair aggregates; judged at the end
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (PairAggregator.Pair p : pairs.pairs()) {
      if (p.setups() < options.setupMinConnections || p.setups() == 0) {
        continue;
      }
      if (p.setupsAvoidable() == 0) {
        continue;
      }
      long mean = p.setupMicros() / p.setups();
      boolean costly =
          mean >= options.setupMinHandshakeMicros && p.setupShare() >= options.setupMinShare;
      if (!costly && (p.transactions() == 0 || p.tlsConnections() > 0)) {
        continue; // the info pattern is about requests; short TLS connections: tls.setup_share
      }
      out.accept(finding(p, mean, costly));
    }
  }

  private Finding finding(PairAggregator.Pair p, long mean, boolean costly) {
    long atRtt = p.setupsAvoidable() * options.referenceRttMicros;
    PairAggregator.Key k = p.key();
    String server = Addresses.format(k.serverHi(), k.serverLo()) + ":" + k.serverPort();
    String client = Addresses.format(k.clientHi(), k.clientLo());
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("client", client);
    d.put("server", server);
    d.put("connections", p.connections());
    d.put("transactions", p.transactions());
    d.put("pattern", p.pattern());
    d.put("peak_concurrent", p.peakConcurrent());
    d.put("setup_total_us", p.setupMicros());
    d.put("setup_mean_us", mean);
    d.put("tls_connections", p.tlsConnections());
    d.put("setup_share_pct", Math.round(p.setupShare() * 100));
    d.put("setups_avoidable", p.setupsAvoidable());
    d.put("slow_start_saved_us", p.slowStartSavedMicros());
    d.put("at_rtt_us", options.referenceRttMicros);
    d.put("cost_at_rtt_us", atRtt);
    String summary =
        String.format(
            Locale.ROOT,
            "%s opened %d connections to %s (%s, %.1f transactions per connection, at most %d at once);"
                + " setting them up took %s (%s each, %d%% of the time spent on them)%s;"
                + " %d of these setups would not have been needed with %s (%s here; %s)",
            client,
            p.connections(),
            server,
            p.pattern(),
            p.transactionsPerConnection(),
            p.peakConcurrent(),
            KeepAlive.ms(p.setupMicros()),
            KeepAlive.ms(mean),
            Math.round(p.setupShare() * 100),
            p.tlsConnections() > 0 ? " including TLS handshakes" : "",
            p.setupsAvoidable(),
            p.peakConcurrent() > 1
                ? p.peakConcurrent() + " persistent connections"
                : "one persistent connection",
            KeepAlive.ms(p.setupSavedMicros()),
            SeverityRule.atRoundTrip(p.setupsAvoidable(), "setup", options.referenceRttMicros));
    String fix =
        "reuse connections: enable HTTP keep-alive on the client (a connection pool) and"
            + " keep it on the server (no Connection: close, a keep-alive timeout longer than the gap"
            + " between requests)";
    StringBuilder filter =
        new StringBuilder("tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip")
            .append(k.ipVersion() == 6 ? "v6" : "")
            .append(".src == ")
            .append(client)
            .append(" && ip")
            .append(k.ipVersion() == 6 ? "v6" : "")
            .append(".dst == ")
            .append(Addresses.format(k.serverHi(), k.serverLo()))
            .append(" && tcp.dstport == ")
            .append(k.serverPort());
    return new Finding(
        TYPE,
        costly ? SeverityRule.cost(p.setupSavedMicros(), 0) : Severity.INFO,
        p.tlsConnections() > 0 ? Confidence.SUSPECTED : Confidence.CONFIRMED,
        p.firstConnection(),
        -1,
        p.setupSavedMicros(),
        p.synFrames(),
        filter.toString(),
        summary,
        fix,
        d);
  }
}
