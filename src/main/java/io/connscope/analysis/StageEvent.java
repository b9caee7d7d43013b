package io.connscope.analysis;

import io.connscope.result.TransactionResult;

/**
 * What a connection stage hands the stage across connections, as plain values: a final transaction
 * ({@code transaction}, with the {@code connection} id) or a finished connection ({@code closed},
 * whose live connection and tracker are left out), with the findings the per-connection detectors
 * held for it ({@code held}, null when none). {@code pos} orders events of every connection stage
 * of a capture as one analysis would produce them ({@link CrossReplay}); {@code seq} orders the
 * events of one stage at one position. For an analysis run in parts ({@link
 * Analysis#connectionStage}): the Spark job's stage 2 produces them, its stage 3 replays them.
 */
public record StageEvent(
    long pos,
    long seq,
    long connection,
    TransactionResult transaction,
    ConnectionRecord closed,
    Held held) {}
