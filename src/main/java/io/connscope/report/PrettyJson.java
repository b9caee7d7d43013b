package io.connscope.report;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * Pretty-printed JSON written into a byte buffer, byte for byte as Jackson's generator writes it
 * with a {@code DefaultPrettyPrinter} whose objects are indented by two spaces a level: arrays on
 * one line ("[ a, b ]", "[ ]"), objects one field per line ("{ }" when empty), "name : value"; the
 * whole value {@code extraLevels} deeper. For the HAR's entries, which are many: a generator per
 * entry and its per-value checks were most of the HAR's cost. Strings are escaped by Jackson's own
 * {@link JsonStringEncoder}, except surrogates, which the generator writes as escapes (an emoji as
 * two), and so does this. The method names are the generator's, so that the HAR's code reads as
 * before. {@code PrettyJsonTest} compares the bytes with the generator's.
 */
final class PrettyJson {
  private byte[] buf = new byte[4096];
  private int len;
  private final int extraLevels;

  /** Per open container: whether an object, and how many values or fields it has so far. */
  private boolean[] object = new boolean[16];

  private int[] count = new int[16];
  private int depth;

  /** Objects open (arrays are written inline and add no indentation). */
  private int nesting;

  /** A field name was written and its value comes next. */
  private boolean afterName;

  PrettyJson(int extraLevels) {
    this.extraLevels = extraLevels;
  }

  byte[] bytes() {
    return buf;
  }

  int length() {
    return len;
  }

  void reset() {
    len = 0;
    depth = 0;
    nesting = 0;
    afterName = false;
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

  private void raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
  }

  private void raw(String ascii) {
    ensure(ascii.length());
    for (int i = 0; i < ascii.length(); i++) {
      buf[len++] = (byte) ascii.charAt(i);
    }
  }

  /** A line break and the most indentation copied at once. */
  private static final byte[] NEWLINE_SPACES = newlineSpaces(64);

  private static byte[] newlineSpaces(int n) {
    byte[] b = new byte[n + 1];
    Arrays.fill(b, (byte) ' ');
    b[0] = '\n';
    return b;
  }

  private void indent(int level) {
    int n = 2 * (level + extraLevels);
    ensure(n + 1);
    if (n < NEWLINE_SPACES.length) {
      System.arraycopy(NEWLINE_SPACES, 0, buf, len, n + 1);
      len += n + 1;
      return;
    }
    buf[len++] = '\n';
    for (int i = 0; i < n; i++) {
      buf[len++] = ' ';
    }
  }

  /**
   * What comes before a value: nothing after a field name or at the root; in an array its
   * separator.
   */
  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (depth > 0 && !object[depth - 1]) {
      raw(count[depth - 1]++ == 0 ? " " : ", ");
    }
  }

  private void push(boolean isObject) {
    if (depth == object.length) {
      object = Arrays.copyOf(object, depth * 2);
      count = Arrays.copyOf(count, depth * 2);
    }
    object[depth] = isObject;
    count[depth++] = 0;
  }

  /**
   * Field names with their quotes and the " : " after them, by the name's hash: the names are a few
   * constants, each found by identity.
   */
  private final String[] names = new String[256];

  private final byte[][] nameBytes = new byte[256][];

  void writeFieldName(String name) {
    if (count[depth - 1]++ > 0) {
      raw(',');
    }
    indent(nesting);
    int slot = name.hashCode() & (names.length - 1);
    byte[] b = names[slot] == name ? nameBytes[slot] : null;
    if (b == null) {
      int start = len;
      encode(name);
      raw(" : ");
      names[slot] = name;
      nameBytes[slot] = Arrays.copyOfRange(buf, start, len);
    } else {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }
    afterName = true;
  }

  void writeStartObject() {
    beforeValue();
    raw('{');
    push(true);
    nesting++;
  }

  void writeEndObject() {
    nesting--;
    if (count[--depth] > 0) {
      indent(nesting);
    } else {
      raw(' ');
    }
    raw('}');
  }

  void writeStartArray() {
    beforeValue();
    raw('[');
    push(false);
  }

  void writeEndArray() {
    depth--;
    raw(" ]");
  }

  void writeObjectFieldStart(String name) {
    writeFieldName(name);
    writeStartObject();
  }

  void writeArrayFieldStart(String name) {
    writeFieldName(name);
    writeStartArray();
  }

  void writeString(String s) {
    beforeValue();
    if (s == null) {
      raw("null");
    } else {
      string(s);
    }
  }

  /**
   * Strings written recently, with their bytes (quotes included): field names and the values most
   * entries repeat (method, host, header values) are encoded once.
   */
  private final String[] recent = new String[1024];

  private final byte[][] recentBytes = new byte[1024][];

  private static final int RECENT_MAX_LENGTH = 96;

  private void string(String s) {
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
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
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
        raw('"');
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
        raw('"');
        return;
      }
      buf[len++] = (byte) c;
    }
    ensure(1);
    buf[len++] = '"';
  }

  /** {@code s} (no surrogates) escaped and encoded by Jackson's encoder, without quotes. */
  private void quoted(String s) {
    byte[] q = JsonStringEncoder.getInstance().quoteAsUTF8(s);
    ensure(q.length);
    System.arraycopy(q, 0, buf, len, q.length);
    len += q.length;
  }

  void writeNumber(long v) {
    beforeValue();
    number(v);
  }

  /** {@code v} in decimal, as {@code Long.toString}, written digit by digit. */
  private void number(long v) {
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
   * A field whose value is {@code us} microseconds in milliseconds with three decimals, as the
   * generator writes {@code BigDecimal.valueOf(us, 3)} ("0.158", "-0.001", "12.000").
   */
  void writeMillisField(String name, long us) {
    writeFieldName(name);
    beforeValue();
    if (us == Long.MIN_VALUE) {
      raw(BigDecimal.valueOf(us, 3).toString());
      return;
    }
    ensure(22);
    if (us < 0) {
      buf[len++] = '-';
      us = -us;
    }
    number(us / 1000);
    int frac = (int) (us % 1000);
    buf[len++] = '.';
    buf[len++] = (byte) ('0' + frac / 100);
    buf[len++] = (byte) ('0' + frac / 10 % 10);
    buf[len++] = (byte) ('0' + frac % 10);
  }

  void writeNull() {
    beforeValue();
    raw("null");
  }

  void writeStringField(String name, String value) {
    writeFieldName(name);
    writeString(value);
  }

  void writeNumberField(String name, long value) {
    writeFieldName(name);
    beforeValue();
    number(value);
  }

  void writeNumberField(String name, BigDecimal value) {
    writeFieldName(name);
    beforeValue();
    raw(value == null ? "null" : value.toString());
  }

  void writeBooleanField(String name, boolean value) {
    writeFieldName(name);
    beforeValue();
    raw(value ? "true" : "false");
  }
}
