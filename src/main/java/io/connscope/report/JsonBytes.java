package io.connscope.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Compact UTF-8 JSON written straight into a byte buffer, without a {@code JsonGenerator}'s
 * per-value state checks and name lookups: for the parts of the JSON report that come by the
 * hundred thousand (connection heads, {@link ConnectionJson}; transactions, {@link
 * TransactionJson}). The bytes are those Jackson's compact generator writes for the same calls:
 * names are encoded once ({@link #name(String)}), numbers written digit by digit, and a string of
 * printable ASCII other than {@code "} and {@code \} copied as it is; any other string (control
 * characters, non-ASCII text, surrogates, paired or not: a report read back may hold anything) is
 * escaped by a Jackson generator itself, so that such strings come out exactly as the generator
 * writes them. Two ways to write the structure: calls named as the generator's ({@link
 * #startObject}, {@link #name(byte[])}, ...), which keep track of the commas; or, for a writer that
 * knows each field's place, fragments made once ({@link #member}: a field's comma, quoted name and
 * colon, with any constant structure around them), each written with its value in one step ({@link
 * #put(byte[], long)} and the like, one check of the buffer's room); a string field of a fixed
 * place may have a slot, where the bytes written for it are kept while its string stays the same
 * ({@link #put(int, byte[], String)}). Not thread-safe.
 */
abstract class JsonBytes {
  private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

  static final byte[] NULL = ascii("null");
  static final byte[] TRUE = ascii("true");
  static final byte[] FALSE = ascii("false");
  private static final byte[] MIN_LONG = ascii(Long.toString(Long.MIN_VALUE));

  /** Fragments of no name: before a first element or key, after another, between key and value. */
  static final byte[] NO_COMMA = {};

  static final byte[] COMMA = ascii(",");
  static final byte[] COLON = ascii(":");

  /** Room for a number: as many bytes as {@link #MIN_LONG}, the longest. */
  private static final int NUMBER_ROOM = 20;

  /** What was written: {@code buf[0, len)}. */
  private byte[] buf = new byte[4096];

  private int len;

  /** Whether the object or array open now has a member already (bit per depth). */
  private long nonEmpty;

  private int depth;

  /** Escapes the strings that are not plain ASCII, as root values into {@link #escaped}. */
  private JsonGenerator escaper;

  private final Escaped escaped = new Escaped();

  /**
   * Per slot ({@link #put(int, byte[], String)}), the string written there last, and once it came
   * twice in a row the bytes written for it (fragment and value): the analysis gives the same
   * strings again and again (constants, its tables of recent strings), so most string fields are
   * one copy of these.
   */
  private final String[] last;

  private final byte[][] lastBytes;

  /** A writer without string slots. */
  JsonBytes() {
    this(0);
  }

  /** A writer whose {@link #put(int, byte[], String)} fields have slots 0 to {@code slots - 1}. */
  JsonBytes(int slots) {
    last = new String[slots];
    lastBytes = new byte[slots][];
  }

  private static final class Escaped extends ByteArrayOutputStream {
    Escaped() {
      super(256);
    }

    byte[] array() {
      return buf;
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * {@code name} itself, checked to be printable ASCII that JSON does not escape: for fragments of
   * bytes made once, where it is written as it is.
   */
  static String plain(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
        throw new IllegalArgumentException("a field name to escape: " + name);
      }
    }
    return name;
  }

  /**
   * A fragment's member name ({@link #plain}) as written before its value, {@code "name":}; the
   * fragment adds the comma before it, if any, and the structure around it.
   */
  static String member(String name) {
    return '"' + plain(name) + "\":";
  }

  /** A member name as written before its value: quoted, escaped, and the colon. */
  static byte[] name(String n) {
    StringBuilder b = new StringBuilder("\"");
    com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(n, b);
    return b.append("\":").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The bytes written since the last {@link #reset}: {@code bytes()[0, length())}. */
  final byte[] bytes() {
    return buf;
  }

  final int length() {
    return len;
  }

  /** Forgets what was written; the next value is at the root. */
  final void reset() {
    len = 0;
    depth = 0;
    nonEmpty = 0;
  }

  private void room(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  final void raw(byte[] b) {
    room(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /** A comma when the open container has a member already. */
  final void separator() {
    long bit = 1L << depth;
    if ((nonEmpty & bit) != 0) {
      room(1);
      buf[len++] = ',';
    } else {
      nonEmpty |= bit;
    }
  }

  private void open(byte b) {
    room(1);
    buf[len++] = b;
    depth++;
    nonEmpty &= ~(1L << depth);
  }

  private void close(byte b) {
    depth--;
    room(1);
    buf[len++] = b;
  }

  /** {@code writeStartObject()}: as a value (after a name, or an element of an array). */
  final void startObject() {
    open((byte) '{');
  }

  final void endObject() {
    close((byte) '}');
  }

  final void startArray() {
    open((byte) '[');
  }

  final void endArray() {
    close((byte) ']');
  }

  /** {@code writeStartObject()} as an element: the separator first. */
  final void startObjectElement() {
    separator();
    open((byte) '{');
  }

  final void startArrayElement() {
    separator();
    open((byte) '[');
  }

  /** {@code writeFieldName}: an encoded name ({@link #name(String)}) and its colon. */
  final void name(byte[] encoded) {
    separator();
    raw(encoded);
  }

  /** {@code writeFieldName(n)} for a name from the data, escaped as the generator escapes it. */
  final void dataName(String n) {
    separator();
    string(n);
    room(1);
    buf[len++] = ':';
  }

  /** {@code writeNumber(v)}. */
  final void number(long v) {
    room(NUMBER_ROOM);
    signed(v);
  }

  /** {@code writeNumber(v)}, the room for it made. */
  private void signed(long v) {
    byte[] b = buf;
    int at = len;
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        System.arraycopy(MIN_LONG, 0, b, at, MIN_LONG.length);
        len = at + MIN_LONG.length;
        return;
      }
      b[at++] = '-';
      v = -v;
    }
    if (v < 10) {
      b[at++] = (byte) ('0' + (int) v);
      len = at;
    } else {
      len = TransactionJson.digits(b, at, v);
    }
  }

  /** {@code writeString(v)}, null as {@code null}. */
  final void string(String v) {
    put(NO_COMMA, v);
  }

  /** A string that is not plain ASCII, escaped by the generator. */
  private void escapedString(String v) {
    generated(g -> g.writeString(v));
  }

  /** A root value the generator writes. */
  private interface Generated {
    void write(JsonGenerator g) throws IOException;
  }

  /** Appends the bytes the generator writes for one root value. */
  private void generated(Generated value) {
    try {
      if (escaper == null) {
        escaper = FACTORY.createGenerator(escaped, JsonEncoding.UTF8);
      }
      value.write(escaper);
      escaper.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from a byte array
    }
    room(escaped.size());
    System.arraycopy(escaped.array(), 0, buf, len, escaped.size());
    len += escaped.size();
    escaped.reset();
  }

  final void bool(boolean v) {
    raw(v ? TRUE : FALSE);
  }

  /** {@code writeNumber(v)} of a double, as the generator writes it (NaN and the rest too). */
  final void number(double v) {
    generated(g -> g.writeNumber(v));
  }

  // ---- members: name and value

  final void num(byte[] name, long v) {
    name(name);
    number(v);
  }

  /** The number, or {@code null} when it is negative (unknown). */
  final void opt(byte[] name, long v) {
    name(name);
    if (v >= 0) {
      number(v);
    } else {
      raw(NULL);
    }
  }

  final void str(byte[] name, String v) {
    name(name);
    string(v);
  }

  final void bool(byte[] name, boolean v) {
    name(name);
    raw(v ? TRUE : FALSE);
  }

  final void nul(byte[] name) {
    name(name);
    raw(NULL);
  }

  /** {@code "name":{}} opened. */
  final void startObject(byte[] name) {
    name(name);
    startObject();
  }

  final void startArray(byte[] name) {
    name(name);
    startArray();
  }

  /** An element of an array: {@code writeString(v)}. */
  final void element(String v) {
    separator();
    string(v);
  }

  final void element(long v) {
    separator();
    number(v);
  }

  // ---- fragments ({@link #member}) and their values, one check of room each

  /** The fragment, then {@code writeNumber(v)}. */
  final void put(byte[] fragment, long v) {
    int n = fragment.length;
    room(n + NUMBER_ROOM);
    System.arraycopy(fragment, 0, buf, len, n);
    len += n;
    signed(v);
  }

  /** The fragment, then the number, or {@code null} when it is negative (unknown). */
  final void putOpt(byte[] fragment, long v) {
    int n = fragment.length;
    room(n + NUMBER_ROOM);
    byte[] b = buf;
    int at = len;
    System.arraycopy(fragment, 0, b, at, n);
    at += n;
    if (v < 0) {
      System.arraycopy(NULL, 0, b, at, NULL.length);
      len = at + NULL.length;
    } else if (v < 10) {
      b[at] = (byte) ('0' + (int) v);
      len = at + 1;
    } else {
      len = TransactionJson.digits(b, at, v);
    }
  }

  /**
   * The fragment, then {@code writeString(v)}, null as {@code null}: plain ASCII checked and copied
   * in one pass, any other string escaped by the generator.
   */
  final void put(byte[] fragment, String v) {
    int f = fragment.length;
    if (v == null) {
      room(f + NULL.length);
      System.arraycopy(fragment, 0, buf, len, f);
      System.arraycopy(NULL, 0, buf, len + f, NULL.length);
      len += f + NULL.length;
      return;
    }
    int n = v.length();
    room(f + n + 2);
    byte[] b = buf;
    int at = len;
    System.arraycopy(fragment, 0, b, at, f);
    at += f;
    b[at++] = '"';
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        len += f;
        escapedString(v);
        return;
      }
      b[at++] = (byte) c;
    }
    b[at++] = '"';
    len = at;
  }

  /**
   * {@link #put(byte[], String)} for the field of slot {@code slot} (a slot per field, always with
   * the same fragment): when {@code v} is the string written there last (equal), from the bytes
   * written then, kept the second time in a row.
   */
  final void put(int slot, byte[] fragment, String v) {
    String l = last[slot];
    if (v != l && (v == null || !v.equals(l))) {
      last[slot] = v;
      lastBytes[slot] = null;
      put(fragment, v);
      return;
    }
    last[slot] = v; // the same string next time
    byte[] b = lastBytes[slot];
    if (b != null) {
      raw(b);
      return;
    }
    int start = len;
    put(fragment, v);
    lastBytes[slot] = Arrays.copyOfRange(buf, start, len);
  }
}
