package io.connscope.analysis;

import io.connscope.common.Warnings;
import io.connscope.detect.facts.PairAggregator;
import java.util.List;
import java.util.SortedSet;

/**
 * Capture-wide totals as the pipeline counted them, known at the end of the input (the raw material
 * of {@link io.connscope.result.CaptureSummary}, which {@link ResultBuilder} makes).
 *
 * @param files the inputs, in the order read
 * @param packets frames read
 * @param bytes captured bytes read (sum of captured lengths)
 * @param tcpPackets frames that decoded to a TCP segment
 * @param linkTypes names of the link types seen, sorted
 * @param startEpochMicros timestamp of the first frame (Unix epoch, microseconds), 0 when none
 * @param durationMicros time from the first to the last frame
 * @param connections connections seen
 * @param warnings anomaly counters of every layer, by code
 * @param pairs connection use per client/server pair, in the order pairs were first seen
 * @param connectionsOutsidePairs connections not aggregated because the pair cap was reached
 */
public record CaptureTotals(
    List<FileSummary> files,
    long packets,
    long bytes,
    long tcpPackets,
    SortedSet<String> linkTypes,
    long startEpochMicros,
    long durationMicros,
    String filter,
    long filteredOut,
    long connections,
    Warnings warnings,
    List<PairAggregator.Pair> pairs,
    long connectionsOutsidePairs) {

  /**
   * One input file: its name as given, format, frames and bytes read from it, the analysis-wide
   * number of its first frame, and the timestamps (epoch nanoseconds) of its first and last frames
   * ({@code Long.MIN_VALUE} when it has none).
   */
  public record FileSummary(
      String name,
      String format,
      long packets,
      long bytes,
      long firstFrame,
      long firstNanos,
      long lastNanos) {}
}
