package io.connscope.result;

import java.util.List;

/**
 * How one client (address) used its connections to one server (address and port).
 *
 * @param firstConnection id of the pair's first connection
 * @param transactionsPerConnection mean transactions per connection
 * @param pattern serial, parallel, persistent or pipelined (the classic taxonomy)
 * @param setups handshakes measured
 * @param setupUs their total time (first SYN to the client's handshake ACK)
 * @param tlsConnections connections with a TLS handshake
 * @param tlsSetupUs the TLS handshakes' total time
 * @param transactionUs total transaction time
 * @param setupSharePct setup time in percent of setup plus transaction time
 * @param startUs first packet of the pair
 * @param endUs last packet of the pair
 * @param persistentEstimate what one persistent connection per concurrent one would save
 * @param patterns per request pattern (method and path without the query): count, percentiles of
 *     wait and total time, bytes; the longest total time first ({@link PatternStats})
 * @param latencyHistogram the pair's wait and total times in log-scale buckets; null when the pair
 *     had no transaction
 * @param inferred the pair's use counted in exchanges inferred from TLS records on its connections
 *     where no HTTP was read (TLS without keys, h2); null when none was inferred. Counted apart
 *     from {@code transactions}: inferred, never seen.
 */
public record PairSummary(
    String client,
    Endpoint server,
    String firstConnection,
    long connections,
    long httpConnections,
    long transactions,
    double transactionsPerConnection,
    long reusedConnections,
    int maxPipelineDepth,
    int peakConcurrent,
    String pattern,
    long setups,
    long setupUs,
    long tlsConnections,
    long tlsSetupUs,
    long transactionUs,
    long setupSharePct,
    long startUs,
    long endUs,
    PersistentEstimate persistentEstimate,
    List<PatternSummary> patterns,
    LatencyHistogram latencyHistogram,
    InferredUse inferred) {

  /**
   * How the pair used its connections, counted in exchanges inferred from the TLS records of the
   * connections where no HTTP was read ({@code TlsFacts.inferredExchanges}).
   *
   * @param connections connections with at least one inferred exchange
   * @param exchanges their inferred exchanges
   * @param exchangesPerConnection mean inferred exchanges per such connection
   * @param reusedConnections connections with two inferred exchanges or more (kept alive, reused)
   * @param maxPerConnection most inferred exchanges on one connection
   * @param pattern persistent, single, parallel or serial, as {@code pattern} but from the
   *     exchanges (pipelining is not told from records)
   */
  public record InferredUse(
      long connections,
      long exchanges,
      double exchangesPerConnection,
      long reusedConnections,
      long maxPerConnection,
      String pattern) {}

  /** Mean setup time, 0 without setups. */
  public long meanSetupUs() {
    return setups == 0 ? 0 : setupUs / setups;
  }

  /**
   * The estimate of what a persistent pattern would save.
   *
   * @param setupsAvoided handshakes a persistent pattern would not need
   * @param setupSavedUs their time
   * @param slowStartSavedUs the extra flights of first responses it would save
   * @param savedUs the sum
   * @param assumptions how the estimate is made, in words
   */
  public record PersistentEstimate(
      long setupsAvoided,
      long setupSavedUs,
      long slowStartSavedUs,
      long savedUs,
      String assumptions) {}
}
