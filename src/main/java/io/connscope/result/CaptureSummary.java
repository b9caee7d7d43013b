package io.connscope.result;

import java.util.List;

/**
 * The capture as a whole, known at the end of the input: what was read, the totals every report
 * shows, the warnings and the client/server pairs.
 *
 * @param files the inputs, in the order read
 * @param packets frames read
 * @param bytes captured bytes read (sum of captured lengths)
 * @param tcpPackets frames that decoded to a TCP segment
 * @param linkTypes names of the link types seen, sorted
 * @param startEpochUs timestamp of the first frame (Unix epoch, microseconds), 0 when none
 * @param durationUs time from the first to the last frame
 * @param filter the tcpdump filter expression applied while reading ({@code -f}), null when none
 * @param filteredOut frames the filter rejected (numbered and counted in {@code packets}, not
 *     analysed)
 * @param warnings anomaly counters of every layer, sorted by code
 * @param totals counts over connections, transactions and findings
 * @param pairs connection use per client/server pair, in the order pairs were first seen
 */
public record CaptureSummary(
    List<FileSummary> files,
    long packets,
    long bytes,
    long tcpPackets,
    List<String> linkTypes,
    long startEpochUs,
    long durationUs,
    String filter,
    long filteredOut,
    List<Warning> warnings,
    Totals totals,
    List<PairSummary> pairs) {

  /**
   * One input file.
   *
   * @param name its name as given
   * @param format its format ({@code pcap}, {@code pcapng}, ...)
   * @param packets frames read from it
   * @param bytes captured bytes read from it
   * @param firstFrame the report's (capture-wide) number of its first frame: its frame {@code k} is
   *     the report's frame {@code firstFrame + k - 1}
   * @param startEpochUs timestamp of its first frame (Unix epoch, microseconds), -1 when it has
   *     none or the report did not say
   * @param endEpochUs timestamp of its last frame, -1 likewise
   */
  public record FileSummary(
      String name,
      String format,
      long packets,
      long bytes,
      long firstFrame,
      long startEpochUs,
      long endEpochUs) {}

  /**
   * Where the report's frames are in the input files ({@link FrameFiles}); built on each call, so a
   * writer takes it once.
   */
  public FrameFiles frameFiles() {
    return new FrameFiles(files);
  }

  /** One warning code: how often, the first frame, and a detail (null when none). */
  public record Warning(String code, long count, long firstFrame, String detail) {}

  /**
   * Totals over the whole capture.
   *
   * @param connections connections finished
   * @param httpConnections those where HTTP was detected
   * @param transactions transactions
   * @param unansweredRequests requests without a response
   * @param orphanResponses responses without a request
   * @param findings findings
   * @param connectionsOutsidePairs connections not aggregated in {@code pairs} (pair cap reached)
   * @param handshakes connections whose handshake was seen whole (SYN and ACK)
   * @param handshakeUs their total setup time
   */
  public record Totals(
      long connections,
      long httpConnections,
      long transactions,
      long unansweredRequests,
      long orphanResponses,
      long findings,
      long connectionsOutsidePairs,
      long handshakes,
      long handshakeUs) {}
}
