package io.connscope.detect;

/*
 * connection.setup_overhead
 *
 * Rule: per client/server pair (client address, server address and port), over the capture:
 *   - the pair opened at least setupMinConnections (4) connections whose handshake was seen;
 *   - the mean setup time per connection is at least setupMinHandshakeMicros (5 ms): first SYN
 *     to the client's handshake ACK at the capture point (one round trip from any vantage point,
 *     plus SYN retries), plus for TLS the TLS handshake seen without decryption (client's first
 *     data to its second flight: a lower bound);
 *   - setup time is at least setupMinShare (20 %) of setup plus transaction time (first request
 *     byte to last response byte, summed);
 *   - a persistent pattern would have avoided at least one setup: connections beyond the peak of
 *     concurrently open connections (one persistent connection per concurrent slot).
 * Cost: the setup time of the avoidable connections (mean setup x avoidable setups).
 * Not reported: loopback and LAN handshakes (microseconds, below the mean threshold), pairs with
 * few connections, a client that already keeps connections alive and only opens as many as it
 * uses at once.
 * Confidence: confirmed for TCP handshakes; suspected when TLS setup is part of the cost (its
 * end is inferred from the flight pattern).
 * Aggregates: PairAggregator (bounded); reported in finish().
 */

import io.connscope.common.Addresses;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.PairAggregator;
import io.connscope.http.HttpTracker;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports client/server pairs that spent a large share of their time opening connections. */
public final class ConnectionSetupOverheadDetector implements Detector {
  public static final String TYPE = "connection.setup_overhead";

  private final DetectOptions options;
  private final PairAggregator pairs;

  public ConnectionSetupOverheadDetector(DetectOptions options, PairAggregator pairs) {
    this.options = options;
    this.pairs = pairs;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    // the pipeline adds every connection to the shared pair aggregates; judged at the end
  }

  @Override
  public void finish(Consumer<Finding> out) {
    for (PairAggregator.Pair p : pairs.pairs()) {
      if (p.setups() < options.setupMinConnections || p.setups() == 0) {
        continue;
      }
      long mean = p.setupMicros() / p.setups();
      if (mean < options.setupMinHandshakeMicros
          || p.setupShare() < options.setupMinShare
          || p.setupsAvoidable() == 0) {
        continue;
      }
      out.accept(finding(p, mean));
    }
  }

  private static Finding finding(PairAggregator.Pair p, long mean) {
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
    String summary =
        String.format(
            Locale.ROOT,
            "%s opened %d connections to %s (%s, %.1f transactions per connection, at most %d at once);"
                + " setting them up took %.1f ms (%.1f ms each, %d%% of the time spent on them)%s;"
                + " %d of these setups would not have been needed with %s",
            client,
            p.connections(),
            server,
            p.pattern(),
            p.transactionsPerConnection(),
            p.peakConcurrent(),
            p.setupMicros() / 1000.0,
            mean / 1000.0,
            Math.round(p.setupShare() * 100),
            p.tlsConnections() > 0 ? " including TLS handshakes" : "",
            p.setupsAvoidable(),
            p.peakConcurrent() > 1
                ? p.peakConcurrent() + " persistent connections"
                : "one persistent connection");
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
        Severity.WARNING,
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
