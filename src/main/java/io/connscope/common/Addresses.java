package io.connscope.common;

/**
 * 128-bit addresses held in two longs, as the decoder produces them. IPv4 addresses are stored
 * IPv4-mapped ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2): {@code hi = 0}, {@code lo =
 * 0x0000ffff_00000000 | a.b.c.d}.
 */
public final class Addresses {
  private Addresses() {}

  private static final long MAPPED_PREFIX = 0x0000FFFF00000000L;

  /** The low half of the IPv4-mapped form of a big-endian IPv4 address. */
  public static long ipv4MappedLo(int ipv4) {
    return MAPPED_PREFIX | (ipv4 & 0xFFFFFFFFL);
  }

  /** True for an IPv4-mapped address ({@code ::ffff:0:0/96}). */
  public static boolean isIpv4Mapped(long hi, long lo) {
    return hi == 0 && (lo & 0xFFFFFFFF00000000L) == MAPPED_PREFIX;
  }

  /**
   * Text form for reports: dotted quad for IPv4-mapped addresses, otherwise RFC 5952 §4: lower
   * case, no leading zeros, the longest run of two or more zero groups (the first on a tie)
   * replaced by {@code ::}. Allocates; not for the per-packet path.
   */
  public static String format(long hi, long lo) {
    if (isIpv4Mapped(hi, lo)) {
      return (lo >>> 24 & 0xFF)
          + "."
          + (lo >>> 16 & 0xFF)
          + "."
          + (lo >>> 8 & 0xFF)
          + "."
          + (lo & 0xFF);
    }
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
      g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
    }
    int bestStart = -1, bestLen = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) { // strictly longer: the first of equal runs wins (§4.2.3)
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
