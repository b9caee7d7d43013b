package io.connscope.result;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of a set of microsecond values: p is the smallest value with at least p
 * percent of the values at or below it (no interpolation: every percentile is a value that was
 * measured). The one definition every report and {@code connscope diff} use.
 */
public record Percentiles(long p50Us, long p90Us, long p99Us) {
  /**
   * The percentiles of the first {@code n} values of {@code values} (not modified), null if none.
   */
  public static Percentiles of(long[] values, int n) {
    if (n <= 0) {
      return null;
    }
    long[] s = Arrays.copyOf(values, n);
    Arrays.sort(s);
    return new Percentiles(rank(s, 50), rank(s, 90), rank(s, 99));
  }

  private static long rank(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
