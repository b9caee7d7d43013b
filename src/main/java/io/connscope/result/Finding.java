package io.connscope.result;

import java.util.List;
import java.util.SortedMap;

/**
 * One finding: what was observed, where (connection, transaction, frames), what it cost and how to
 * fix it.
 *
 * @param type stable id, e.g. {@code tcp.delayed_ack_stall}; an open set (a 1.x minor version may
 *     add types), so a string, not an enum
 * @param severity how much it matters
 * @param confidence how sure it is
 * @param connection connection id as reports show it (e.g. "C3"), or null for capture-wide findings
 * @param transaction transaction index on that connection, or -1
 * @param costUs time the problem cost, in microseconds (0 when not a time cost)
 * @param frames evidence frame numbers, ascending
 * @param displayFilter a tshark/Wireshark display filter showing the evidence packets
 * @param summary one-sentence statement of what was seen
 * @param fix what to change
 * @param details machine-readable measurements behind the summary (names in snake_case, values
 *     numbers, strings or lists of them), sorted by name
 * @param ladder the connection's packets around the evidence; empty when not available
 * @param occurrences when this finding groups the occurrences of one problem on one client/server
 *     pair: how many, their total and worst cost, the worst few and every one as a row; then {@code
 *     connection}, {@code transaction}, {@code frames}, {@code summary} and {@code ladder} are
 *     those of the worst occurrence and {@code costUs} is the total. Null for a finding that stands
 *     alone (as a detector reports it, or a capture-wide one)
 */
public record Finding(
    String type,
    Severity severity,
    Confidence confidence,
    String connection,
    int transaction,
    long costUs,
    List<Long> frames,
    String displayFilter,
    String summary,
    String fix,
    SortedMap<String, Object> details,
    List<LadderEntry> ladder,
    Occurrences occurrences) {

  /**
   * Detail key of a finding about an exchange inferred from a TLS connection's records (no HTTP was
   * read on it): the exchange's index. Such a finding has transaction -1 and the detail {@code
   * inferred: true}.
   */
  public static final String INFERRED_EXCHANGE = "inferred_exchange";

  public Finding {
    ladder = ladder == null ? List.of() : ladder;
  }

  /** A finding as a detector reports it: no ladder yet (the analysis adds it). */
  public Finding(
      String type,
      Severity severity,
      Confidence confidence,
      String connection,
      int transaction,
      long costUs,
      List<Long> frames,
      String displayFilter,
      String summary,
      String fix,
      SortedMap<String, Object> details) {
    this(
        type,
        severity,
        confidence,
        connection,
        transaction,
        costUs,
        frames,
        displayFilter,
        summary,
        fix,
        details,
        List.of(),
        null);
  }

  /** This finding with {@code ladder}. */
  public Finding withLadder(List<LadderEntry> ladder) {
    return new Finding(
        type,
        severity,
        confidence,
        connection,
        transaction,
        costUs,
        frames,
        displayFilter,
        summary,
        fix,
        details,
        ladder,
        occurrences);
  }

  /**
   * The index of the inferred exchange this finding is about ({@link #INFERRED_EXCHANGE}), or -1.
   */
  public int inferredExchange() {
    return details != null && details.get(INFERRED_EXCHANGE) instanceof Number n
        ? n.intValue()
        : -1;
  }

  /** How many times the problem occurred: 1 for a finding that stands alone. */
  public long count() {
    return occurrences == null ? 1 : occurrences.count();
  }

  /** The cost of the worst occurrence ({@link #costUs} for a finding that stands alone). */
  public long worstUs() {
    return occurrences == null ? costUs : occurrences.worstUs();
  }

  /**
   * The occurrences one finding groups.
   *
   * @param count occurrences
   * @param totalUs their total cost
   * @param worstUs the worst one's cost
   * @param worst the costliest few, costliest first, with their evidence frames
   * @param rows every occurrence in the order they were found, as (connection, transaction, cost)
   *     rows without frames; at most a bounded number ({@code rowsOmitted} counts the rest)
   * @param rowsOmitted occurrences past the bound on rows
   */
  public record Occurrences(
      long count,
      long totalUs,
      long worstUs,
      List<Occurrence> worst,
      List<Occurrence> rows,
      long rowsOmitted) {}

  /**
   * One occurrence of a grouped finding.
   *
   * @param connection its connection id
   * @param transaction its transaction index, -1 when none
   * @param costUs its cost
   * @param frames its evidence frames (empty in rows)
   */
  public record Occurrence(String connection, int transaction, long costUs, List<Long> frames) {}

  /**
   * The number in {@link #connection} ("C12" is 12): -1 for a capture-wide finding, {@code
   * Long.MAX_VALUE} for an id that is not "C" and digits (a report from elsewhere).
   */
  public long connectionNumber() {
    return ConnectionIds.number(connection);
  }
}
