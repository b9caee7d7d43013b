package io.connscope.report;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Pretty-printed JSON written into a byte buffer, byte for byte as Jackson's generator writes it
 * with a {@code DefaultPrettyPrinter} whose objects are indented by two spaces a level: arrays on
 * one line ("[ a, b ]", "[ ]"), objects one field per line ("{ }" when empty), "name : value". For
 * the HAR's entries, which are many: the caller knows each field's place, so the structure is
 * written as precomputed fragments ({@link #raw}; a field's comma, line break, indentation, quoted
 * name and " : " made once by {@link #field}), with no state kept per container, and the values by
 * {@link #string}, {@link #number} and {@link #millis}. Strings are escaped by Jackson's own {@link
 * JsonStringEncoder}, except surrogates, which the generator writes as escapes (an emoji as two),
 * and so does this. {@code PrettyJsonTest} and {@code HarEntryBytesTest} compare the bytes with the
 * generator's.
 */
final class PrettyJson {
  static final byte[] NULL = ascii("null");
  static final byte[] TRUE = ascii("true");
  static final byte[] FALSE = ascii("false");

  private byte[] buf = new byte[4096];
  private int len;

  byte[] bytes() {
    return buf;
  }

  int length() {
    return len;
  }

  void reset() {
    len = 0;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A line break and the indentation of {@code level} (two spaces a level), as the pretty printer
   * writes before a field and before the end of a non-empty object.
   */
  static String newline(int level) {
    return "\n" + "  ".repeat(level);
  }

  /**
   * The field {@code name} (plain ASCII that needs no escape) at {@code level}: line break,
   * indentation, quoted name and " : ", the value comes next.
   */
  static String field(int level, String name) {
    return newline(level) + '"' + JsonBytes.plain(name) + "\" : ";
  }

  /** Reserves {@code n} bytes (zeros) at the current end, for {@link #putLong} and the like. */
  void skip(int n) {
    ensure(n);
    Arrays.fill(buf, len, len + n, (byte) 0);
    len += n;
  }

  /** Writes {@code v} big-endian at byte {@code at}, reserved before. */
  void putInt(int at, int v) {
    for (int i = 3; i >= 0; i--) {
      buf[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  /** Writes {@code v} big-endian at byte {@code at}, reserved before. */
  void putLong(int at, long v) {
    for (int i = 7; i >= 0; i--) {
      buf[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  /** A fragment as it is: structure and field names ({@link #field}), or a value's bytes. */
  void raw(byte[] b) {
    raw(b, b.length);
  }

  /** The first {@code n} bytes of {@code b}, as they are. */
  void raw(byte[] b, int n) {
    ensure(n);
    System.arraycopy(b, 0, buf, len, n);
    len += n;
  }

  private void raw(String ascii) {
    ensure(ascii.length());
    for (int i = 0; i < ascii.length(); i++) {
      buf[len++] = (byte) ascii.charAt(i);
    }
  }

  /** {@code writeBoolean(v)}. */
  void bool(boolean v) {
    raw(v ? TRUE : FALSE);
  }

  /** {@code writeNull()}. */
  void nul() {
    raw(NULL);
  }

  /** {@code writeString(s)}, null as {@code null}. */
  void string(String s) {
    if (s == null) {
      raw(NULL);
    } else {
      recent(s);
    }
  }

  /**
   * Strings written recently, with their bytes (quotes included): the values most entries repeat
   * (method, host, header values) are encoded once.
   */
  private final String[] recent = new String[1024];

  private final byte[][] recentBytes = new byte[1024][];

  private static final int RECENT_MAX_LENGTH = 96;

  private void recent(String s) {
    int n = s.length();
    if (n > RECENT_MAX_LENGTH) {
      encode(s);
      return;
    }
    int h = s.hashCode();
    int slot = (h ^ (h >>> 10)) & (recent.length - 1);
    String k = recent[slot];
    byte[] b;
    if (k != s && (k == null || !k.equals(s))) {
      // seen once: kept, its bytes only when it comes again (most values of an entry are either
      // on every entry or on one)
      encode(s);
      recent[slot] = s;
      recentBytes[slot] = null;
      return;
    }
    b = recentBytes[slot];
    if (b == null) {
      int start = len;
      encode(s);
      recentBytes[slot] = Arrays.copyOfRange(buf, start, len);
      return;
    }
    raw(b);
  }

  /** {@code s} quoted and escaped as the generator writes it. */
  private void encode(String s) {
    int n = s.length();
    ensure(n + 2);
    int start = len;
    buf[len++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        // escapes or non-ASCII: as Jackson's generator writes them
        len = start;
        raw("\"");
        int from = 0;
        for (int k = 0; k < n; k++) {
          char x = s.charAt(k);
          if (Character.isSurrogate(x)) {
            // the generator writes each half of a pair as an escape (surrogates are not combined)
            quoted(s.substring(from, k));
            raw(String.format("\\u%04X", (int) x));
            from = k + 1;
          }
        }
        quoted(s.substring(from));
        raw("\"");
        return;
      }
      buf[len++] = (byte) c;
    }
    ensure(1);
    buf[len++] = '"';
  }

  /** {@code s} (no surrogates) escaped and encoded by Jackson's encoder, without quotes. */
  private void quoted(String s) {
    raw(JsonStringEncoder.getInstance().quoteAsUTF8(s));
  }

  /** {@code writeNumber(v)}: {@code v} in decimal, as {@code Long.toString}, digit by digit. */
  void number(long v) {
    ensure(20);
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        raw(Long.toString(v));
        return;
      }
      buf[len++] = '-';
      v = -v;
    }
    len = TransactionJson.digits(buf, len, v);
  }

  /**
   * {@code us} microseconds in milliseconds with three decimals, as the generator writes {@code
   * BigDecimal.valueOf(us, 3)} ("0.158", "-0.001", "12.000"). An int division when it fits (a long
   * one is a call into the runtime under C1).
   */
  void millis(long us) {
    if (us == Long.MIN_VALUE) {
      raw(BigDecimal.valueOf(us, 3).toString());
      return;
    }
    ensure(22);
    if (us < 0) {
      buf[len++] = '-';
      us = -us;
    }
    int frac;
    if (us <= Integer.MAX_VALUE) {
      int u = (int) us;
      int ms = u / 1000;
      frac = u - ms * 1000;
      len = TransactionJson.digits(buf, len, ms);
    } else {
      long ms = us / 1000;
      frac = (int) (us - ms * 1000);
      len = TransactionJson.digits(buf, len, ms);
    }
    int tens = frac / 10;
    buf[len++] = '.';
    buf[len++] = (byte) ('0' + tens / 10);
    buf[len++] = (byte) ('0' + tens % 10);
    buf[len++] = (byte) ('0' + frac - tens * 10);
  }
}
