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
  final OooChunk.Pool pool = new OooChunk.Pool();

  /** Timeline arrays kept for reuse. */
  final SegmentTimeline.Pool timelines;

  /** Out-of-order bytes buffered over all connections. */
  long totalBuffered;

  /** Timeline entries allocated over all open connections. */
  long timelineEntries;

  ConnectionContext(TcpOptions options, Warnings warnings) {
    this.options = options;
    this.warnings = warnings;
    this.timelines = new SegmentTimeline.Pool(options.timelinePoolSets);
  }
}
