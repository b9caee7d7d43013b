package io.connscope.result;

/**
 * Connection ids as reports show them: "C" and the connection's number (from 1, in creation order).
 */
public final class ConnectionIds {
  private ConnectionIds() {}

  /** "C" + {@code number}. */
  public static String of(long number) {
    return "C" + number;
  }

  /**
   * The number of {@code id}: -1 for null or a string shorter than 2, {@code Long.MAX_VALUE} for
   * anything but "C" and digits.
   */
  public static long number(String id) {
    if (id == null || id.length() < 2) {
      return -1;
    }
    try {
      return Long.parseLong(id.substring(1));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
