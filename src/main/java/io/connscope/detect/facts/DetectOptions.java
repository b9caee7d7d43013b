package io.connscope.detect.facts;

/**
 * Thresholds of the detectors, with their defaults. Each is documented in docs/findings.md and
 * settable from the command line.
 */
public final class DetectOptions {
  /**
   * Smallest ACK delay beyond the round trip that counts as a delayed-ACK stall. Linux's shortest
   * delayed-ACK timer is 40 ms, Windows' 200 ms; 10 ms keeps loopback and LAN jitter out.
   */
  public long minStallMicros = 10_000;

  /**
   * How soon after the ACK (beyond the round trip between the capture point and the sender) the
   * held segment must leave for the ACK to count as what released it.
   */
  public long releaseToleranceMicros = 2_000;

  /**
   * keepalive.proxy_hang: how long a request on a kept-alive connection must stay unanswered before
   * the connection ended. Servers answer in milliseconds; a client timeout is seconds.
   */
  public long hangMinMicros = 1_000_000;

  /**
   * keepalive.stale_reuse: the server's FIN or RST must come no later than this after the start of
   * an unanswered request on a kept-alive connection (a close at the request, not a slow answer). A
   * FIN before the request always qualifies.
   */
  public long staleWindowMicros = 500_000;

  /** How long after a lost or hung request a new connection's same request counts as its retry. */
  public long retryWindowMicros = 30_000_000;

  /** How long after a request reaches a proxy the same request on an upstream leg may start. */
  public long forwardWindowMicros = 1_000_000;

  /**
   * keepalive.limit: how close to the announced Keep-Alive timeout an idle close must come (in
   * addition to 10% of the timeout) to count as the timeout.
   */
  public long limitToleranceMicros = 500_000;

  /** Connections the linking detectors remember (memory bound); later ones are not linked. */
  public int maxIndexedConnections = 20_000;

  /**
   * A pair (client address, server address and port) opening fewer connections is not judged: one
   * or two connections are not a pattern, three in a row without reuse are.
   */
  public int setupMinConnections = 3;

  /** Share of the pair's time (setup plus transactions) spent on setup for a warning. */
  public double setupMinShare = 0.2;

  /**
   * Mean setup time per connection below which reuse would not be worth a warning: loopback
   * handshakes take microseconds, a LAN one a fraction of a millisecond.
   */
  public long setupMinHandshakeMicros = 5_000;

  /** How long a closed 4-tuple stays in TIME_WAIT (2MSL); Linux holds it 60 s. */
  public long timeWaitMicros = 60_000_000L;

  /** Ephemeral ports a client has per server address and port (Linux: 32768-60999). */
  public int ephemeralPorts = 28_232;

  /** Peak new-connection rate, as a share of the port budget, from which it is reported. */
  public double portRateMinShare = 0.5;

  /**
   * tcp.port_exhaustion, a small range used up: the fewest source ports, each used once, that count
   * as a range the client ran out of (fewer is too easily a coincidence).
   */
  public int exhaustMinPorts = 4;

  /** Response time lost to slow start (per response) below which nothing is reported. */
  public long slowStartMinCostMicros = 10_000;

  /**
   * tcp.slow_start: the initial congestion window, in segments, a cold response is judged against
   * (RFC 6928 and Linux since 2.6.39: 10).
   */
  public int initialWindowSegments = 10;

  /** Sender silence before a retransmission (not caused by duplicate ACKs) reported as a stall. */
  public long retransmissionMinStallMicros = 50_000;

  /**
   * tcp.loss_recovery: a transaction's loss recoveries are a warning when they delayed its data by
   * at least this much in all, info when cheaper.
   */
  public long lossRecoveryWarnMicros = 50_000;

  /** Zero-window wait reported as a stall. */
  public long zeroWindowMinMicros = 10_000;

  /**
   * tcp.receive_window_limited: time a message's sender spent blocked on the receive window below
   * which nothing is reported (a loopback bulk transfer fills a 64 KiB window for microseconds).
   */
  public long windowLimitedMinMicros = 10_000;

  /**
   * tcp.sender_paused: shortest pause that counts (the sender had window and nothing in flight and
   * sent nothing inside a message); shorter gaps are scheduling and write-loop noise.
   */
  public long senderPauseMinMicros = 10_000;

  /** tcp.sender_paused: pauses in one message from which it is reported ("repeatedly"). */
  public int senderPauseMinCount = 2;

  /**
   * Transfer findings (tcp.receive_window_limited, tcp.sender_paused) are warnings when they cost
   * at least this much and at least {@link #transferWarnShare} of the message's transfer time; info
   * otherwise (the pattern is there, but cheap here).
   */
  public long transferWarnMicros = 100_000;

  /** See {@link #transferWarnMicros}. */
  public double transferWarnShare = 0.1;

  /**
   * tcp.transfer_limited: the cost below which a large transfer's limit is not reported (it stays
   * in the result model): a transfer at the path's rate needs no word.
   */
  public long transferLimitMinMicros = 10_000;

  /** Client/server pairs aggregated; connections of further pairs are only counted. */
  public int maxPairs = 1_000;

  /** Recently closed 4-tuples remembered for TIME_WAIT reuse. */
  public int maxClosedTuples = 65_536;

  /**
   * The severity rule's threshold (SeverityRule) for findings without one of their own: a finding
   * that cost at least this much is a warning, a cheaper one info (keep-alive refusals, setups a
   * persistent connection would have avoided, TLS resumption and setup, pipelining, SYN retries).
   */
  public long costWarnMicros = 10_000;

  /**
   * The round trip at which setups without reuse are judged as well as at the measured one ("at 50
   * ms per round trip these 200 setups would cost 10 s"): a client 50 ms from its server, a typical
   * continental path.
   */
  public long referenceRttMicros = 50_000;
}
