package io.connscope.detect;

/**
 * Thresholds of the detectors, with their defaults. Each is documented in docs/findings.md and
 * settable from the command line.
 */
public final class DetectOptions {
  /**
   * Smallest ACK delay beyond the round trip that counts as a delayed-ACK stall. Linux's
   * shortest delayed-ACK timer is 40 ms, Windows' 200 ms; 10 ms keeps loopback and LAN jitter out.
   */
  public long minStallMicros = 10_000;

  /**
   * How soon after the ACK (beyond the round trip between the capture point and the sender) the
   * held segment must leave for the ACK to count as what released it.
   */
  public long releaseToleranceMicros = 2_000;

  /**
   * keepalive.proxy_hang: how long a request on a kept-alive connection must stay unanswered
   * before the connection ended. Servers answer in milliseconds; a client timeout is seconds.
   */
  public long hangMinMicros = 1_000_000;

  /**
   * keepalive.stale_reuse: the server's FIN or RST must come no later than this after the start
   * of an unanswered request on a kept-alive connection (a close at the request, not a slow
   * answer). A FIN before the request always qualifies.
   */
  public long staleWindowMicros = 500_000;

  /** How long after a lost or hung request a new connection's same request counts as its retry. */
  public long retryWindowMicros = 30_000_000;

  /** How long after a request reaches a proxy the same request on an upstream leg may start. */
  public long forwardWindowMicros = 1_000_000;

  /**
   * keepalive.limit: how close to the announced Keep-Alive timeout an idle close must come
   * (in addition to 10% of the timeout) to count as the timeout.
   */
  public long limitToleranceMicros = 500_000;

  /** Connections the linking detectors remember (memory bound); later ones are not linked. */
  public int maxIndexedConnections = 100_000;
}
