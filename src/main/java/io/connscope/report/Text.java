package io.connscope.report;

import java.util.Locale;

/** Formatting helpers for terminal text: escaping of packet strings and fixed-locale numbers. */
public final class Text {
  private Text() {}

  /**
   * Makes a string from a packet safe for a terminal: control characters (including ESC, so no ANSI
   * sequence survives), DEL and C1 controls become {@code \xNN}; Unicode format characters
   * (bidirectional overrides and isolates such as U+202E, zero-width characters, BOM) and line or
   * paragraph separators become {@code &#92;u{XXXX}}, so text cannot be reordered, hidden or split
   * into lines; backslashes are doubled. Null becomes "-". Long strings are cut at {@code max}
   * characters with an ellipsis.
   */
  public static String safe(String s, int max) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
    for (int i = 0; i < s.length(); i++) {
      if (b.length() >= max) {
        b.append("...");
        break;
      }
      char ch = s.charAt(i);
      if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0)) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) ch));
      } else if (Character.getType(ch) == Character.FORMAT || ch == '\u2028' || ch == '\u2029') {
        b.append(String.format(Locale.ROOT, "\\u{%04X}", (int) ch));
      } else if (ch == '\\') {
        b.append("\\\\");
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  /** Microseconds as milliseconds with one decimal ("12.3 ms"), or "-" when negative (unknown). */
  static String ms(long micros) {
    if (micros < 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }

  /**
   * A duration for people, its precision following its size: "-" (unknown), "0 s", "35 us", "0.4
   * ms", "44 ms", "0.83 s", "12.50 s".
   */
  public static String dur(long us) {
    if (us < 0) {
      return "-";
    }
    if (us == 0) {
      return "0 s";
    }
    if (us < 100) {
      return us + " us";
    }
    if (us < 10_000) {
      return String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
    }
    if (us < 1_000_000) {
      return String.format(Locale.ROOT, "%d ms", Math.round(us / 1000.0));
    }
    return String.format(Locale.ROOT, "%.2f s", us / 1_000_000.0);
  }

  /** Percentiles as "p50 / p90 / p99" durations ({@link #dur}), "-" when null. */
  public static String percentiles(io.connscope.result.Percentiles p) {
    return p == null ? "-" : dur(p.p50Us()) + " / " + dur(p.p90Us()) + " / " + dur(p.p99Us());
  }

  /** Microseconds as seconds with three decimals. */
  static String seconds(long micros) {
    return String.format(Locale.ROOT, "%.3f s", micros / 1_000_000.0);
  }

  /** A byte count with a binary unit. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    if (n < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
  }
}
