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
}
