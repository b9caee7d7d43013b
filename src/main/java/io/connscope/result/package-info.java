/**
 * Result model: the immutable records an analysis produces and every report renders ({@link
 * io.connscope.result.CaptureSummary}, {@link io.connscope.result.ConnectionResult}, {@link
 * io.connscope.result.TransactionResult}, {@link io.connscope.result.Finding}, {@link
 * io.connscope.result.PairSummary}), handed over through a {@link io.connscope.result.ResultSink}.
 *
 * <p>Contract: every number a report shows is computed once, by the analysis ({@code
 * analysis.ResultBuilder}), and stored here; writers only format. Unknown numbers are -1 where
 * documented, an absent response status is null. Depends on nothing else in connscope but the
 * neutral {@code common} (the kept header names); it is the model every layer above {@code http}
 * may use. {@link io.connscope.result.PatternStats} is the one mutable class: the per-key and
 * per-request-pattern aggregation over result records that the analysis (per pair) and {@code diff}
 * (per server) share.
 */
package io.connscope.result;
