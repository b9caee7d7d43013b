package io.connscope.result;

import java.util.List;

/**
 * How the wait and total times of a pair's transactions spread, in log-scale buckets (1-2-5 per
 * decade from 10 us to 100 s, so that 50 us and 5 s show on one axis): bucket i counts the values
 * at or above {@code lowerUs[i]} and below {@code lowerUs[i + 1]} (the last has no upper bound).
 * Every transaction with a known time is counted (no sampling).
 *
 * @param lowerUs the buckets' lower bounds, ascending, the first 0
 * @param waitTime transactions per bucket of wait (request end to first response byte)
 * @param total transactions per bucket of total time
 */
public record LatencyHistogram(List<Long> lowerUs, List<Long> waitTime, List<Long> total) {
  /** The buckets connscope counts in. */
  public static final List<Long> BUCKETS_US =
      List.of(
          0L,
          10L,
          20L,
          50L,
          100L,
          200L,
          500L,
          1_000L,
          2_000L,
          5_000L,
          10_000L,
          20_000L,
          50_000L,
          100_000L,
          200_000L,
          500_000L,
          1_000_000L,
          2_000_000L,
          5_000_000L,
          10_000_000L,
          20_000_000L,
          50_000_000L,
          100_000_000L);

  private static final long[] LOWER = BUCKETS_US.stream().mapToLong(Long::longValue).toArray();

  /** The bucket of {@code us} in {@link #BUCKETS_US}, -1 for an unknown (negative) value. */
  public static int bucket(long us) {
    if (us < 0) {
      return -1;
    }
    // the last lower bound at or below us (LOWER rises, LOWER[0] is 0): a binary search, not a
    // walk down from the top bucket, twice per transaction
    int lo = 0, hi = LOWER.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (LOWER[mid] <= us) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
