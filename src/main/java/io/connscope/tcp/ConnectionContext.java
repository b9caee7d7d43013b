package io.connscope.tcp;

import io.connscope.common.Warnings;

/**
 * What every connection of one {@link ConnectionTable} shares: the options, the warnings, the pools
 * of out-of-order chunks and of timeline arrays, and the two budgets counted over all open
 * connections (bytes buffered out of order, timeline entries allocated). Owned by the table and
 * handed to each connection at creation, so a connection never reaches back into the table.
 */
final class ConnectionContext {
  final TcpOptions options;
  final Warnings warnings;

  /**
   * Gives a connection its id from the frame that created it, when first asked for; null when ids
   * are given at creation ({@link ConnectionTable#assignIds}).
   */
  java.util.function.LongUnaryOperator ids;

  final OooChunk.Pool pool = new OooChunk.Pool();

  /** Timeline arrays kept for reuse. */
  final SegmentTimeline.Pool timelines;

  /** Out-of-order bytes buffered over all connections. */
  long totalBuffered;

  /** Timeline entries allocated over all open connections. */
  long timelineEntries;

  /**
   * The most each shared budget was asked for since {@link ConnectionTable#peaks} last read them:
   * buffered bytes (held plus the chunk that asked) and timeline entries (allocated plus the growth
   * asked). A caller running several tables over parts of one capture adds them up to know whether
   * one table over the whole would have met a limit.
   */
  long peakBuffered, peakTimeline;

  void demandBuffered(long total) {
    if (total > peakBuffered) {
      peakBuffered = total;
    }
  }

  void demandTimeline(long total) {
    if (total > peakTimeline) {
      peakTimeline = total;
    }
  }

  ConnectionContext(TcpOptions options, Warnings warnings) {
    this.options = options;
    this.warnings = warnings;
    this.timelines = new SegmentTimeline.Pool(options.timelinePoolSets);
  }
}
