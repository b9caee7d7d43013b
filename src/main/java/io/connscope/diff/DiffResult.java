package io.connscope.diff;

import io.connscope.result.Percentiles;
import java.util.List;

/**
 * The comparison of two sides, as every diff format renders it. Times in microseconds, -1 (or a
 * null {@link Percentiles}) when unknown.
 *
 * @param before the BEFORE side
 * @param after the AFTER side
 * @param verdict the change in plain words, one line, ready to paste into a ticket
 * @param findings per finding type seen on either side, by type
 * @param pairs per server: matched ones first (in BEFORE's order), then those only in BEFORE, then
 *     those only in AFTER
 * @param gate the regression check
 */
public record DiffResult(
    Side before,
    Side after,
    String verdict,
    List<FindingChange> findings,
    List<PairDiff> pairs,
    Gate gate,
    Waterfalls waterfalls) {

  /**
   * One transaction in a waterfall: capture times in microseconds, -1 when not seen.
   *
   * @param connection its connection number
   * @param pattern method and path without the query
   */
  public record Row(
      long connection,
      String pattern,
      long requestStartUs,
      long requestEndUs,
      long responseStartUs,
      long responseEndUs) {}

  /**
   * The waterfalls of the matched server whose p90 total time changed most (HTML only): its first
   * {@value SideStats#MAX_ROWS} transactions on each side.
   *
   * @param pair the index of that server in {@link #pairs}
   */
  public record Waterfalls(
      int pair,
      List<Row> before,
      List<Row> after,
      long beforeTransactions,
      long afterTransactions) {}

  /**
   * One side: its inputs and counts; {@code sampled} when percentiles cover only its first
   * transactions.
   */
  public record Side(
      List<String> inputs,
      long connections,
      long transactions,
      boolean sampled,
      Percentiles waitTime,
      Percentiles total) {}

  /**
   * One group's numbers.
   *
   * @param connectionsPerTransaction connections the transactions used, per transaction
   * @param setupUs mean handshake time of the connections whose handshake was seen, -1 when none
   * @param bytes request and response bytes (headers and bodies)
   */
  public record Stats(
      long transactions,
      long connections,
      double connectionsPerTransaction,
      long setupUs,
      Percentiles waitTime,
      Percentiles total,
      long bytes) {}

  /**
   * One finding type.
   *
   * @param status {@code new} (only in AFTER), {@code gone} (only in BEFORE), {@code changed} or
   *     {@code same}
   */
  public record FindingChange(
      String type,
      long beforeCount,
      long beforeCostUs,
      long afterCount,
      long afterCostUs,
      String status) {}

  /**
   * One server.
   *
   * @param matchedBy {@code address} (same server address and port), {@code map} ({@code --map}),
   *     {@code host} (the same Host header at another address), or {@code before_only} / {@code
   *     after_only}
   * @param beforeServer the server's address and port in BEFORE, null when only in AFTER
   * @param afterServer likewise in AFTER
   * @param host the Host header first seen (AFTER's when BEFORE has none), null when none
   * @param patterns per request pattern, by pattern
   */
  public record PairDiff(
      String matchedBy,
      String beforeServer,
      String afterServer,
      String host,
      List<String> clients,
      Stats before,
      Stats after,
      List<PatternDiff> patterns) {}

  /**
   * One request pattern (method and path without the query) of a server; a side is null when it
   * lacks it.
   */
  public record PatternDiff(String pattern, Stats before, Stats after) {}

  /**
   * The regression check ({@code --fail-on-regression}).
   *
   * @param costMs a finding type's total cost may grow by this much
   * @param p90Pct a matched pattern's p90 total time may grow by this percentage...
   * @param p90MinMs ...or by less than this many milliseconds
   * @param regressions what exceeded them, in words; empty when nothing did
   */
  public record Gate(long costMs, long p90Pct, long p90MinMs, List<String> regressions) {
    public boolean failed() {
      return !regressions.isEmpty();
    }
  }
}
