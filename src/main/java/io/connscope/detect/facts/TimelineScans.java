package io.connscope.detect.facts;

import io.connscope.http.Transaction;
import io.connscope.tcp.Connection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timeline scans that several detectors read, run once: per open connection one {@link
 * AckGatedReleases} (read by tcp.delayed_ack_stall and tcp.nagle_delay) and one {@link
 * TransferGaps} (read by tcp.receive_window_limited and tcp.sender_paused), advanced together to
 * the last frame of each final transaction and to the end at the close. The first detector that
 * asks for a transaction (or a close) advances them; the others asking for the same one get what
 * that advance found. Each detector used to run its own scan of the same entries.
 *
 * <p>What {@link #at} and {@link #closing} return is valid until the next call for another
 * transaction or close (the releases are a reused {@link AckGatedReleases.Batch}): detectors read
 * it in their {@code transaction} or {@code connection} call. Not thread-safe: one per analysis
 * thread, like the detectors.
 */
public final class TimelineScans {
  private final DetectOptions options;

  /** Per open connection whose scans have started: its scans. */
  private final Map<Connection, Scan> open = new IdentityHashMap<>();

  /** What the last advance found; reused. */
  private final AckGatedReleases.Batch releases = new AckGatedReleases.Batch();

  private List<TransferGaps.Gap> gaps = List.of();

  /** The scan last advanced, and for which transaction (or, at the close, which connection). */
  private Scan last;

  private Object lastFor;

  public TimelineScans(DetectOptions options) {
    this.options = options;
  }

  /** One connection's scans. */
  private static final class Scan {
    final AckGatedReleases releases;
    final TransferGaps gaps;

    Scan(Connection c, DetectOptions options) {
      releases = new AckGatedReleases(c, options);
      gaps = new TransferGaps(c, options);
    }
  }

  /**
   * The scans of open connection {@code c} advanced to the last frame of its final transaction
   * {@code tx} (once per transaction, whoever asks first).
   */
  public TimelineScans at(Connection c, Transaction tx) {
    if (lastFor != tx) {
      Scan s = open.get(c);
      if (s == null) {
        s = new Scan(c, options);
        open.put(c, s);
      }
      advance(s, tx, Math.max(tx.requestLastFrame(), tx.responseLastFrame()));
    }
    return this;
  }

  /**
   * The scans of finished connection {@code c} advanced to its end (once per connection, whoever
   * asks first; its scans are dropped then).
   */
  public TimelineScans closing(Connection c) {
    if (lastFor != c) {
      Scan s = open.remove(c);
      advance(s == null ? new Scan(c, options) : s, c, Long.MAX_VALUE);
    }
    return this;
  }

  private void advance(Scan s, Object forWhat, long upToFrame) {
    s.releases.advance(upToFrame, releases);
    gaps = s.gaps.advance(upToFrame);
    last = s;
    lastFor = forWhat;
  }

  /** The ACK-gated releases the last advance found. */
  public AckGatedReleases.Batch releases() {
    return releases;
  }

  /** The gaps the last advance found. */
  public List<TransferGaps.Gap> gaps() {
    return gaps;
  }

  /** Frame of the last entry the gap scan examined, -1 before the first. */
  public long lastFrame() {
    return last.gaps.lastFrame();
  }
}
