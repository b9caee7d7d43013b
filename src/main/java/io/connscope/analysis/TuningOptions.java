package io.connscope.analysis;

import io.connscope.detect.facts.DetectOptions;
import io.connscope.tcp.TcpOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The analysis options a command line takes (server ports, the detectors' thresholds, the
 * connection table's limits) and the {@link AnalysisConfig} they describe: one definition for every
 * command that analyses ({@code analyze}, {@code capture}, {@code diff}, the Spark job), used as a
 * picocli mixin. Defaults are those of {@link DetectOptions} and {@link TcpOptions}, so there is
 * one source for them; times are given in milliseconds (or seconds where marked). Serializable: the
 * Spark job ships it to its tasks, each of which builds its own configuration.
 */
public final class TuningOptions implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final DetectOptions D = new DetectOptions();
  private static final TcpOptions T = new TcpOptions();

  @Option(
      names = "--server-port",
      paramLabel = "PORT",
      description =
          "Treat PORT as a server port when a connection's handshake is missing"
              + " (repeatable; common HTTP ports are known already).")
  List<Integer> serverPorts = new ArrayList<>();

  @Option(
      names = "--min-stall-ms",
      paramLabel = "MS",
      description =
          "Smallest ACK delay beyond the round trip reported as a delayed-ACK stall,"
              + " and smallest Nagle wait (default: ${DEFAULT-VALUE} ms).")
  double minStallMs = D.minStallMicros / 1000.0;

  @Option(
      names = "--release-tolerance-ms",
      paramLabel = "MS",
      description =
          "How soon after an ACK (beyond the round trip to the sender) a held segment"
              + " must leave for the ACK to count as its release (default: ${DEFAULT-VALUE} ms).")
  double releaseToleranceMs = D.releaseToleranceMicros / 1000.0;

  @Option(
      names = "--hang-min-ms",
      paramLabel = "MS",
      description =
          "How long a request on a kept-alive connection must go unanswered before the"
              + " connection ends to be reported as a keep-alive hang (default: ${DEFAULT-VALUE} ms).")
  double hangMinMs = D.hangMinMicros / 1000.0;

  @Option(
      names = "--stale-window-ms",
      paramLabel = "MS",
      description =
          "A server FIN/RST at most this long after an unanswered request on an idle"
              + " kept-alive connection makes it a stale reuse (default: ${DEFAULT-VALUE} ms).")
  double staleWindowMs = D.staleWindowMicros / 1000.0;

  @Option(
      names = "--retry-window-ms",
      paramLabel = "MS",
      description =
          "How long after a lost or hung request the same request on a new connection"
              + " counts as its retry (default: ${DEFAULT-VALUE} ms).")
  double retryWindowMs = D.retryWindowMicros / 1000.0;

  @Option(
      names = "--setup-min-connections",
      paramLabel = "N",
      description =
          "Client/server pairs opening fewer connections are not judged for setup"
              + " overhead (default: ${DEFAULT-VALUE}).")
  int setupMinConnections = D.setupMinConnections;

  @Option(
      names = "--setup-min-share",
      paramLabel = "SHARE",
      description =
          "Share (0 to 1) of a pair's time spent opening connections from which setup"
              + " overhead is a warning rather than info (default: ${DEFAULT-VALUE}).")
  double setupMinShare = D.setupMinShare;

  @Option(
      names = "--setup-min-handshake-ms",
      paramLabel = "MS",
      description =
          "Mean handshake time below which reuse is not worth a warning (loopback and"
              + " LAN; default: ${DEFAULT-VALUE} ms).")
  double setupMinHandshakeMs = D.setupMinHandshakeMicros / 1000.0;

  @Option(
      names = "--time-wait-s",
      paramLabel = "S",
      description =
          "How long a closed 4-tuple stays in TIME_WAIT (2MSL; default: ${DEFAULT-VALUE} s).")
  double timeWaitS = D.timeWaitMicros / 1_000_000.0;

  @Option(
      names = "--ephemeral-ports",
      paramLabel = "N",
      description =
          "Ephemeral ports a client has per server address and port (Linux 32768-60999:"
              + " ${DEFAULT-VALUE}).")
  int ephemeralPorts = D.ephemeralPorts;

  @Option(
      names = "--slow-start-min-ms",
      paramLabel = "MS",
      description =
          "Time lost to slow start per response below which nothing is reported"
              + " (default: ${DEFAULT-VALUE} ms).")
  double slowStartMinMs = D.slowStartMinCostMicros / 1000.0;

  @Option(
      names = "--initial-window",
      paramLabel = "SEGMENTS",
      description =
          "Initial congestion window, in segments, slow start is judged against (RFC 6928;"
              + " default: ${DEFAULT-VALUE}).")
  int initialWindow = D.initialWindowSegments;

  @Option(
      names = "--rto-min-stall-ms",
      paramLabel = "MS",
      description =
          "Sender silence before a retransmission timeout reported as a stall"
              + " (default: ${DEFAULT-VALUE} ms).")
  double rtoMinStallMs = D.retransmissionMinStallMicros / 1000.0;

  @Option(
      names = "--loss-warn-ms",
      paramLabel = "MS",
      description =
          "Delay from loss recoveries per transaction from which tcp.loss_recovery is a"
              + " warning rather than info (default: ${DEFAULT-VALUE} ms).")
  double lossWarnMs = D.lossRecoveryWarnMicros / 1000.0;

  @Option(
      names = "--warn-cost-ms",
      paramLabel = "MS",
      description =
          "Cost from which a finding without a threshold of its own is a warning rather than"
              + " info (keep-alive, setup, TLS, pipelining; default: ${DEFAULT-VALUE} ms).")
  double warnCostMs = D.costWarnMicros / 1000.0;

  @Option(
      names = "--reference-rtt-ms",
      paramLabel = "MS",
      description =
          "Round trip at which setups without reuse are also judged ('at 50 ms per round trip"
              + " these 200 setups would cost 10 s'; default: ${DEFAULT-VALUE} ms).")
  double referenceRttMs = D.referenceRttMicros / 1000.0;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description =
          "Connections kept open at once; beyond, the least recently active is"
              + " finished and counted (tcp.connection_evicted; default: ${DEFAULT-VALUE}).")
  int maxConnections = T.maxConnections;

  @Option(
      names = "--idle-timeout-s",
      paramLabel = "S",
      description =
          "Capture time without a packet after which a connection is finished"
              + " (close reason idle; a later packet starts a new connection mid-stream). 0, the"
              + " default, never finishes an idle connection: reuse after a long idle time is what"
              + " http.stale_reuse looks for.")
  double idleTimeoutS = T.idleTimeoutMicros / 1e6;

  /**
   * A new configuration with these options (no capture filter, no TLS keys); a bad value is an
   * {@link IllegalArgumentException} with a one-line message naming the option.
   */
  public AnalysisConfig toConfig() {
    for (int p : serverPorts) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("--server-port must be between 1 and 65535, not " + p);
      }
    }
    double[] times = {
      minStallMs,
      releaseToleranceMs,
      hangMinMs,
      staleWindowMs,
      retryWindowMs,
      setupMinHandshakeMs,
      timeWaitS,
      slowStartMinMs,
      rtoMinStallMs,
      idleTimeoutS,
      lossWarnMs,
      warnCostMs,
      referenceRttMs
    };
    for (double v : times) {
      if (!(v >= 0) || v > 1e9) {
        throw new IllegalArgumentException("times must be zero or more (and finite), not " + v);
      }
    }
    if (!(setupMinShare >= 0 && setupMinShare <= 1)) {
      throw new IllegalArgumentException(
          "--setup-min-share must be between 0 and 1, not " + setupMinShare);
    }
    if (setupMinConnections < 1 || ephemeralPorts < 1 || maxConnections < 1 || initialWindow < 1) {
      throw new IllegalArgumentException(
          "--setup-min-connections, --ephemeral-ports, --max-connections and --initial-window must"
              + " be at least 1");
    }
    AnalysisConfig config = new AnalysisConfig();
    for (int p : serverPorts) {
      config.tcp.addServerPort(p);
    }
    config.tcp.maxConnections = maxConnections;
    config.tcp.idleTimeoutMicros = micros(idleTimeoutS * 1000);
    DetectOptions d = config.detect;
    d.minStallMicros = micros(minStallMs);
    d.releaseToleranceMicros = micros(releaseToleranceMs);
    d.hangMinMicros = micros(hangMinMs);
    d.staleWindowMicros = micros(staleWindowMs);
    d.retryWindowMicros = micros(retryWindowMs);
    d.setupMinConnections = setupMinConnections;
    d.setupMinShare = setupMinShare;
    d.setupMinHandshakeMicros = micros(setupMinHandshakeMs);
    d.timeWaitMicros = micros(timeWaitS * 1000);
    d.ephemeralPorts = ephemeralPorts;
    d.slowStartMinCostMicros = micros(slowStartMinMs);
    d.initialWindowSegments = initialWindow;
    d.retransmissionMinStallMicros = micros(rtoMinStallMs);
    d.lossRecoveryWarnMicros = micros(lossWarnMs);
    d.costWarnMicros = micros(warnCostMs);
    d.referenceRttMicros = micros(referenceRttMs);
    return config;
  }

  private static long micros(double ms) {
    return Math.round(ms * 1000);
  }
}
