package io.connscope.capture.live;

import io.connscope.common.Warnings;

/**
 * libpcap's statistics at the end of a live capture (pcap_stats).
 *
 * @param received packets the kernel passed through the filter (Linux: counted before the capture
 *     buffer, so it includes {@code kernelDrops})
 * @param kernelDrops packets dropped because the capture buffer was full (ps_drop)
 * @param interfaceDrops packets the interface or its driver dropped (ps_ifdrop)
 * @param backlogWaits times connscope's capture thread found its backlog full and waited for the
 *     analysis ({@link LiveSource#backlogWaits()}): then the kernel's buffer filled, and drops are
 *     the analysis's, not the capture's
 */
public record CaptureStats(
    long received, long kernelDrops, long interfaceDrops, long backlogWaits) {
  /** Warning code for {@link #kernelDrops}. */
  public static final String KERNEL_DROPS = "capture.kernel_drops";

  /** Warning code for {@link #interfaceDrops}. */
  public static final String INTERFACE_DROPS = "capture.interface_drops";

  /** Warning code: dropped packets left holes in connections, so findings there are unsure. */
  public static final String DROPS_AFFECTED_FINDINGS = "capture.drops_affected_findings";

  /** Packets lost before connscope saw them. */
  public long drops() {
    return kernelDrops + interfaceDrops;
  }

  /**
   * Counts the drops as capture warnings. {@code gapConnections} is the number of connections with
   * content gaps and {@code gapFindings} the findings reported on them: when packets were dropped
   * and connections have holes, those findings (and their absence) cannot be trusted.
   */
  public void addWarnings(Warnings warnings, long gapConnections, long gapFindings) {
    if (kernelDrops > 0) {
      warnings.add(
          KERNEL_DROPS,
          0,
          kernelDrops,
          kernelDrops
              + " packets dropped by the kernel"
              + " (capture buffer full): "
              + (backlogWaits > 0
                  ? "the analysis fell behind and its backlog was full; raise --backlog or narrow the filter"
                  : "raise --buffer-size or narrow the filter"));
    }
    if (interfaceDrops > 0) {
      warnings.add(
          INTERFACE_DROPS,
          0,
          interfaceDrops,
          interfaceDrops + " packets dropped by the interface or its driver");
    }
    if (drops() > 0 && gapConnections > 0) {
      warnings.add(
          DROPS_AFFECTED_FINDINGS,
          0,
          gapConnections,
          gapConnections
              + " connections have holes from dropped packets ("
              + gapFindings
              + " findings on them):"
              + " their findings may be wrong or missing");
    }
  }
}
