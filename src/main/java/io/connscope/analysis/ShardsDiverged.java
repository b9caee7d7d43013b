package io.connscope.analysis;

/**
 * A sharded analysis stopped before the end: the sums of what its shards asked of the connection
 * table's shared limits reached a limit, so one table over the whole capture could have acted
 * differently from the shards' tables (evicting, forgetting closed tuples, refusing buffer room).
 * The sink was told everything up to {@link #mergedThrough}, exactly as one thread would have told
 * it; the caller analyses again on one thread with {@link Analysis#muteThrough} set to that frame.
 */
public final class ShardsDiverged extends RuntimeException {
  private final long mergedThrough;

  ShardsDiverged(long mergedThrough) {
    super(
        "sharded analysis reached a shared limit after frame " + mergedThrough, null, false, false);
    this.mergedThrough = mergedThrough;
  }

  /** The last frame whose transactions, connections and findings the sink was told. */
  public long mergedThrough() {
    return mergedThrough;
  }
}
