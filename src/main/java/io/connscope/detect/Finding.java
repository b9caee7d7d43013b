package io.connscope.detect;

import java.util.List;

/**
 * One finding: what was observed, where (connection, transaction, frames), what it cost and how
 * to fix it.
 *
 * @param type stable id, e.g. {@code tcp.delayed_ack_stall}
 * @param severity "info", "warning" or "error"
 * @param confidence "confirmed" or "suspected"
 * @param connection connection id (e.g. "C3"), or null for capture-wide findings
 * @param transaction transaction index on that connection, or -1
 * @param costMicros time the problem cost, in microseconds (0 when not a time cost)
 * @param frames evidence frame numbers, ascending
 * @param displayFilter a tshark/Wireshark display filter showing the evidence packets
 * @param summary one-sentence statement of what was seen
 * @param fix what to change
 * @param details machine-readable measurements behind the summary (names in snake_case, values
 *     numbers, strings or lists of them), sorted by name
 */
public record Finding(
    String type,
    String severity,
    String confidence,
    String connection,
    int transaction,
    long costMicros,
    List<Long> frames,
    String displayFilter,
    String summary,
    String fix,
    java.util.SortedMap<String, Object> details) {}
