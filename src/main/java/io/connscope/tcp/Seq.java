package io.connscope.tcp;

/**
 * 32-bit TCP sequence arithmetic that survives wrap-around (RFC 793 §3.3, RFC 1982 serial number
 * arithmetic). Sequence numbers are carried as {@code long} values in {@code [0, 2^32)}; two of
 * them compare by the sign of their 32-bit difference, so any value is "after" the 2^31 values that
 * precede it modulo 2^32. All sequence comparisons in this package go through here.
 */
public final class Seq {
  /** Mask of the 32-bit sequence space. */
  public static final long MASK = 0xFFFF_FFFFL;

  private Seq() {}

  /**
   * Signed distance {@code a - b} in the 32-bit space (positive when {@code a} is after {@code b}).
   */
  public static int diff(long a, long b) {
    return (int) (a - b);
  }

  /** {@code a} before {@code b}. */
  public static boolean lt(long a, long b) {
    return diff(a, b) < 0;
  }

  /** {@code a} before or equal to {@code b}. */
  public static boolean leq(long a, long b) {
    return diff(a, b) <= 0;
  }

  /** {@code a} after {@code b}. */
  public static boolean gt(long a, long b) {
    return diff(a, b) > 0;
  }

  /** {@code a} after or equal to {@code b}. */
  public static boolean geq(long a, long b) {
    return diff(a, b) >= 0;
  }

  /** {@code a + n} wrapped into the 32-bit space ({@code n} may be negative). */
  public static long add(long a, long n) {
    return (a + n) & MASK;
  }

  /** The later of two sequence numbers. */
  public static long max(long a, long b) {
    return gt(a, b) ? a : b;
  }

  /** The earlier of two sequence numbers. */
  public static long min(long a, long b) {
    return lt(a, b) ? a : b;
  }

  /**
   * The 64-bit value nearest to {@code ref} whose low 32 bits are {@code v}: turns a wrapped
   * relative sequence number into a monotonic one, given a recent unwrapped reference.
   */
  public static long unwrap(long ref, long v) {
    return ref + (int) ((v & MASK) - (ref & MASK));
  }
}
