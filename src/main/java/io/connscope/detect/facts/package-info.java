/**
 * Detect facts: what several detectors (and the analysis) read of a connection, computed once and
 * reporting nothing. Two kinds: the {@link io.connscope.detect.facts.ConnectionFacts} stage
 * (client/server pair aggregates {@link io.connscope.detect.facts.PairAggregator}, the bounded
 * index of finished HTTP connections {@link io.connscope.detect.facts.HttpConnections}, the
 * timeline scans {@link io.connscope.detect.facts.TimelineScans} that four detectors read, run
 * once), fed by the analysis before any detector sees a connection; and pure rules over one
 * connection that more than one detector applies ({@code KeepAlive}, {@code ReuseFailures}, {@code
 * AckGatedReleases}, {@code TransferGaps}, {@code ReceiveWindow}, {@code LossRecovery}, {@code
 * Flights}, {@code TransactionSpans}).
 *
 * <p>Contract: facts use {@code tcp}, {@code http}, {@code decode}, {@code capture}, {@code common}
 * and hold the detectors' thresholds ({@link io.connscope.detect.facts.DetectOptions}, read by
 * facts and detectors alike); never a detector, {@code Detector}, {@code Detectors} or anything
 * else of {@code detect} (checked by {@code LayersTest}: the two packages form no cycle). They
 * measure and leave judging to the detectors: a threshold that decides a finding lives in its
 * detector. Detectors treat what they get here as read-only.
 */
package io.connscope.detect.facts;
