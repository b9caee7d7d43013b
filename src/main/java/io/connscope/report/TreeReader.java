package io.connscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Reads the JSON report this process has just written ({@link ReportSource#written}) back into the
 * trees Jackson's {@code readTree} makes of it (the same node types: int, long or big integer nodes
 * for integers as their values fit, double nodes for the rest, text, boolean and null nodes), item
 * by item, with a small parser of its own: Markdown, HTML and HAR of a run are rendered from that
 * file, and reading it with Jackson's parser cost more than the analysis (its C2 compilations alone
 * over a second of CPU on a 100 MB capture). Only for well-formed JSON (the writer's): anything
 * else is an IOException, never a guess. Untrusted reports ({@code connscope report}) are read by
 * Jackson and checked against the schema. Besides trees, it reads values one at a time ({@link
 * #field}, {@link #longValue}, {@link #text}, ...) for {@link TransactionReader}, which binds the
 * many transactions without a tree.
 */
final class TreeReader implements AutoCloseable {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int lim;

  /** Bytes of a string being read (escapes decoded), grown as needed. */
  private byte[] str = new byte[256];

  /** Items read in the current array (so that the next one expects a comma). */
  private final java.util.ArrayDeque<int[]> counts = new java.util.ArrayDeque<>();

  TreeReader(InputStream in) {
    this(in, 1 << 16);
  }

  /** Reads {@code in} through a buffer of {@code bufferBytes}. */
  TreeReader(InputStream in, int bufferBytes) {
    this.in = in;
    this.buf = new byte[bufferBytes];
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private IOException bad(String what) {
    return new IOException("the report file is not as written (" + what + ")");
  }

  private boolean fill() throws IOException {
    if (pos < lim) {
      return true;
    }
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    lim = n;
    return true;
  }

  /** The next byte that is not white space, not consumed; -1 at the end. */
  private int peek() throws IOException {
    while (true) {
      if (pos >= lim && !fill()) {
        return -1;
      }
      byte b = buf[pos];
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        pos++;
      } else {
        return b & 0xff;
      }
    }
  }

  private void expect(char c) throws IOException {
    if (peek() != c) {
      throw bad("'" + c + "' expected");
    }
    pos++;
  }

  /** Enters an array (its '[' next). */
  void beginArray() throws IOException {
    expect('[');
    counts.push(new int[1]);
  }

  /**
   * True when the current array has another item (consumes the comma before it); false at its end
   * (consumed).
   */
  boolean nextItem() throws IOException {
    int c = peek();
    int[] n = counts.peek();
    if (c == ']') {
      pos++;
      counts.pop();
      return false;
    }
    if (n[0]++ > 0) {
      if (c != ',') {
        throw bad("',' or ']' expected");
      }
      pos++;
    }
    return true;
  }

  /** Enters an object (its '{' next). */
  void beginObject() throws IOException {
    expect('{');
    counts.push(new int[1]);
  }

  /**
   * Moves past the separator and opening quote of the current object's next field name: true when
   * the name follows, false at the object's end (its '}' consumed).
   */
  private boolean atFieldName() throws IOException {
    int c = peek();
    int[] n = counts.peek();
    if (c == '}') {
      pos++;
      counts.pop();
      return false;
    }
    if (n[0]++ > 0) {
      if (c != ',') {
        throw bad("',' or '}' expected");
      }
      pos++;
      c = peek();
    }
    if (c != '"') {
      throw bad("a field name expected");
    }
    pos++;
    return true;
  }

  /**
   * The name of the current object's next field (its ':' consumed), or null at its end (consumed).
   */
  String nextField() throws IOException {
    if (!atFieldName()) {
      return null;
    }
    String name = recentString();
    expect(':');
    return name;
  }

  /** The next byte that is not white space: '{', '[', '"', a digit... (-1 at the end). */
  int next() throws IOException {
    return peek();
  }

  /** Reads the next value whole, as Jackson's tree. */
  JsonNode value() throws IOException {
    int c = peek();
    switch (c) {
      case '{' -> {
        pos++;
        ObjectNode o = NODES.objectNode();
        boolean first = true;
        while (true) {
          c = peek();
          if (c == '}') {
            pos++;
            return o;
          }
          if (!first) {
            if (c != ',') {
              throw bad("',' or '}' expected");
            }
            pos++;
            c = peek();
          }
          first = false;
          if (c != '"') {
            throw bad("a field name expected");
          }
          pos++;
          String name = recentString();
          expect(':');
          o.set(name, value());
        }
      }
      case '[' -> {
        pos++;
        ArrayNode a = NODES.arrayNode();
        if (peek() == ']') {
          pos++;
          return a;
        }
        while (true) {
          a.add(value());
          c = peek();
          pos++;
          if (c == ']') {
            return a;
          }
          if (c != ',') {
            throw bad("',' or ']' expected");
          }
        }
      }
      case '"' -> {
        pos++;
        return NODES.textNode(recentString());
      }
      case 't' -> {
        word("true");
        return NODES.booleanNode(true);
      }
      case 'f' -> {
        word("false");
        return NODES.booleanNode(false);
      }
      case 'n' -> {
        word("null");
        return NODES.nullNode();
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw bad(c < 0 ? "the file ends early" : "a value expected");
      }
    }
  }

  /**
   * The field names a decoder knows ({@link #field}), matched from the file's bytes without making
   * a String of each.
   */
  static final class Names {
    private final byte[][] names;
    private final int[] slots;

    Names(String... names) {
      this.names = new byte[names.length][];
      slots = new int[Integer.highestOneBit(Math.max(names.length, 1) * 4) * 2];
      java.util.Arrays.fill(slots, -1);
      for (int i = 0; i < names.length; i++) {
        byte[] b = names[i].getBytes(StandardCharsets.UTF_8);
        this.names[i] = b;
        int s = hash(b, 0, b.length) & (slots.length - 1);
        while (slots[s] >= 0) {
          s = (s + 1) & (slots.length - 1);
        }
        slots[s] = i;
      }
    }

    private static int hash(byte[] b, int from, int to) {
      int h = 0;
      for (int i = from; i < to; i++) {
        h = 31 * h + b[i];
      }
      return h ^ (h >>> 16);
    }

    /** Whether name {@code i} is {@code b[from, to)}. */
    boolean is(int i, byte[] b, int from, int to) {
      if (i < 0 || i >= names.length) {
        return false;
      }
      byte[] n = names[i];
      if (n.length != to - from) {
        return false;
      }
      for (int k = 0; k < n.length; k++) {
        if (n[k] != b[from + k]) {
          return false;
        }
      }
      return true;
    }

    /** The index of the name {@code b[from, to)}, -1 when not one of these. */
    int find(byte[] b, int from, int to) {
      int s = hash(b, from, to) & (slots.length - 1);
      for (int i = slots[s]; i >= 0; s = (s + 1) & (slots.length - 1), i = slots[s]) {
        byte[] n = names[i];
        if (java.util.Arrays.equals(n, 0, n.length, b, from, to)) {
          return i;
        }
      }
      return -1;
    }

    int find(String name) {
      byte[] b = name.getBytes(StandardCharsets.UTF_8);
      return find(b, 0, b.length);
    }
  }

  /** The object ends: what {@link #field} returns at its '}'. */
  static final int END = -2;

  /**
   * A field not among the names: what {@link #field} returns (its value is to be read or skipped).
   */
  static final int OTHER = -1;

  /**
   * The current object's next field, as its index in {@code names} ({@link #OTHER} for another
   * name, {@link #END} at the object's end, consumed), its ':' consumed: {@link #nextField} without
   * a String per name. The name is checked first against {@code names}' {@code expected}th (the one
   * a writer with a fixed field order puts next; -1 for none), then looked up.
   */
  int field(Names names, int expected) throws IOException {
    if (!atFieldName()) {
      return END;
    }
    int found = Integer.MIN_VALUE;
    for (int i = pos; i < lim; i++) { // a plain name within the buffer: matched in place
      byte b = buf[i];
      if (b == '"') {
        found = names.is(expected, buf, pos, i) ? expected : names.find(buf, pos, i);
        pos = i + 1;
        break;
      }
      if (b == '\\' || b < 0x20) {
        break;
      }
    }
    if (found == Integer.MIN_VALUE) {
      found = names.find(string());
    }
    expect(':');
    return found;
  }

  /** Whether the next value is null (consumed when it is). */
  boolean nullValue() throws IOException {
    if (peek() != 'n') {
      return false;
    }
    word("null");
    return true;
  }

  /**
   * The next value, an integer within a long, as a long (Jackson's {@code asLong} of it); anything
   * else is an IOException.
   */
  long longValue() throws IOException {
    int c = peek();
    boolean negative = c == '-';
    if (negative) {
      pos++;
    }
    long v = 0; // negative, as Long.parseLong counts: Long.MIN_VALUE fits
    int digits = 0;
    while (pos < lim || fill()) {
      int d = buf[pos] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      digits++;
      if (v < Long.MIN_VALUE / 10 || v * 10 < Long.MIN_VALUE + d) {
        throw bad("an integer within a long expected");
      }
      v = v * 10 - d;
      pos++;
    }
    if (digits == 0) {
      throw bad("an integer expected");
    }
    if (pos < lim) {
      byte x = buf[pos];
      if (x == '.' || x == 'e' || x == 'E') {
        throw bad("an integer expected");
      }
    }
    if (!negative && v == Long.MIN_VALUE) {
      throw bad("an integer within a long expected");
    }
    return negative ? v : -v;
  }

  /** The next value, an integer or null: the integer, {@code ifNull} for null. */
  long longOr(long ifNull) throws IOException {
    return nullValue() ? ifNull : longValue();
  }

  /** The next value, true or false. */
  boolean booleanValue() throws IOException {
    int c = peek();
    if (c == 't') {
      word("true");
      return true;
    }
    if (c == 'f') {
      word("false");
      return false;
    }
    throw bad("true or false expected");
  }

  /**
   * Recent strings by the hash of their bytes, so that repeated values (methods, targets, headers,
   * field names) are one instance, made once.
   */
  private final String[] recent = new String[1024];

  /**
   * The bytes of each of {@link #recent}, compared as arrays: a String compared char by char costs
   * calls the JIT's first tier does not inline.
   */
  private final byte[][] recentBytes = new byte[1024][];

  private static final int RECENT_MAX_LENGTH = 96;

  /**
   * The next value, a string or null: the string (the same instance for a short plain string read
   * recently), null for null.
   */
  String text() throws IOException {
    int c = peek();
    if (c == 'n') {
      word("null");
      return null;
    }
    if (c != '"') {
      throw bad("a string expected");
    }
    pos++;
    return recentString();
  }

  /**
   * A string's content after its opening quote, up to and with its closing quote, as {@link
   * #string}; the same instance for a short plain string read recently.
   */
  private String recentString() throws IOException {
    int end = Math.min(lim, pos + RECENT_MAX_LENGTH + 1);
    int h = 0; // Names.hash, computed in the same pass as the search for the quote
    for (int i = pos; i < end; i++) {
      byte b = buf[i];
      if (b == '"') {
        int slot = (h ^ (h >>> 16)) & (recent.length - 1);
        String s = recent[slot];
        byte[] known = recentBytes[slot];
        if (s == null || !java.util.Arrays.equals(known, 0, known.length, buf, pos, i)) {
          s = new String(buf, pos, i - pos, StandardCharsets.ISO_8859_1);
          recent[slot] = s;
          recentBytes[slot] = java.util.Arrays.copyOfRange(buf, pos, i);
        }
        pos = i + 1;
        return s;
      }
      if (b == '\\' || b < 0x20) {
        break;
      }
      h = 31 * h + b;
    }
    return string();
  }

  /** Skips the next value whole without building it. */
  void skipValue() throws IOException {
    int c = peek();
    if (c != '{' && c != '[') {
      value();
      return;
    }
    // the bytes of most transactions go by here (a connection view keeps 100): the position and
    // buffer in locals, strings skipped in a loop of their own
    int depth = 0;
    byte[] b = buf;
    int p = pos;
    int l = lim;
    while (true) {
      if (p >= l) {
        p = refill(p);
        b = buf;
        l = lim;
      }
      byte x = b[p++];
      if (x == '"') {
        while (true) { // to the closing quote, over escapes
          while (p < l && b[p] != '"' && b[p] != '\\') {
            p++;
          }
          if (p >= l) {
            p = refill(p);
            b = buf;
            l = lim;
            continue;
          }
          if (b[p++] == '"') {
            break;
          }
          if (p >= l) { // the escaped byte is in the next read
            p = refill(p);
            b = buf;
            l = lim;
          }
          p++;
        }
      } else if (x == '{' || x == '[') {
        depth++;
      } else if (x == '}' || x == ']') {
        if (--depth == 0) {
          pos = p;
          return;
        }
      }
    }
  }

  /**
   * For a loop that keeps the position in a local ({@link #skipValue}): past the buffer's end at
   * {@code p}, reads on and returns the new position; an IOException at the end of the file.
   */
  private int refill(int p) throws IOException {
    pos = p;
    if (!fill()) {
      throw bad("the file ends early");
    }
    return pos;
  }

  private void word(String w) throws IOException {
    for (int i = 0; i < w.length(); i++) {
      if (pos >= lim && !fill() || buf[pos++] != w.charAt(i)) {
        throw bad(w + " expected");
      }
    }
  }

  private JsonNode number() throws IOException {
    // the common case, an integer of at most 18 digits within the buffer: no text made
    int i = pos;
    boolean negative = i < lim && buf[i] == '-';
    if (negative) {
      i++;
    }
    long fast = 0;
    int start = i;
    while (i < lim && i - start < 18 && buf[i] >= '0' && buf[i] <= '9') {
      fast = fast * 10 + (buf[i++] - '0');
    }
    if (i > start && i < lim) {
      byte x = buf[i];
      if (x != '.' && x != 'e' && x != 'E' && (x < '0' || x > '9')) {
        pos = i;
        fast = negative ? -fast : fast;
        return fast == (int) fast ? NODES.numberNode((int) fast) : NODES.numberNode(fast);
      }
    }
    StringBuilder b = new StringBuilder(20);
    boolean fraction = false;
    while (pos < lim || fill()) {
      byte x = buf[pos];
      if ((x >= '0' && x <= '9') || x == '-') {
        b.append((char) x);
      } else if (x == '.' || x == 'e' || x == 'E' || x == '+') {
        b.append((char) x);
        fraction = true;
      } else {
        break;
      }
      pos++;
    }
    String s = b.toString();
    try {
      if (fraction) {
        return NODES.numberNode(Double.parseDouble(s));
      }
      if (s.length() <= 18) { // within a long, sign included
        long v = Long.parseLong(s);
        return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
      }
      BigInteger v = new BigInteger(s);
      if (v.bitLength() >= 64) {
        return NODES.numberNode(v);
      }
      long l = v.longValue();
      return l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
    } catch (NumberFormatException e) {
      throw bad("a number expected");
    }
  }

  /** A string's content after its opening quote, up to and with its closing quote. */
  private String string() throws IOException {
    // fast path: ASCII without escapes, within the buffer
    for (int i = pos; i < lim; i++) {
      byte b = buf[i];
      if (b == '"') {
        String s = new String(buf, pos, i - pos, StandardCharsets.ISO_8859_1);
        pos = i + 1;
        return s;
      }
      if (b == '\\' || b < 0x20) { // an escape, a control character or a non-ASCII byte (< 0)
        break;
      }
    }
    int n = 0;
    while (true) {
      if (pos >= lim && !fill()) {
        throw bad("the file ends in a string");
      }
      byte b = buf[pos++];
      if (b == '"') {
        return new String(str, 0, n, StandardCharsets.UTF_8);
      }
      if (n + 4 > str.length) {
        str = java.util.Arrays.copyOf(str, str.length * 2);
      }
      if (b != '\\') {
        str[n++] = b;
        continue;
      }
      if (pos >= lim && !fill()) {
        throw bad("the file ends in a string");
      }
      byte e = buf[pos++];
      int ch;
      switch (e) {
        case '"', '\\', '/' -> ch = e;
        case 'b' -> ch = '\b';
        case 'f' -> ch = '\f';
        case 'n' -> ch = '\n';
        case 'r' -> ch = '\r';
        case 't' -> ch = '\t';
        case 'u' -> {
          ch = 0;
          for (int k = 0; k < 4; k++) {
            if (pos >= lim && !fill()) {
              throw bad("the file ends in a string");
            }
            int d = Character.digit(buf[pos++], 16);
            if (d < 0) {
              throw bad("a \\u escape expected");
            }
            ch = ch << 4 | d;
          }
        }
        default -> throw bad("an escape expected");
      }
      // as UTF-8 (a surrogate, unpaired here, is joined to its pair below)
      if (ch < 0x80) {
        str[n++] = (byte) ch;
      } else if (ch < 0x800) {
        str[n++] = (byte) (0xc0 | ch >> 6);
        str[n++] = (byte) (0x80 | ch & 0x3f);
      } else if (Character.isHighSurrogate((char) ch) && pairFollows()) {
        int low = lowSurrogate();
        int cp = Character.toCodePoint((char) ch, (char) low);
        str[n++] = (byte) (0xf0 | cp >> 18);
        str[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
        if (n + 2 > str.length) {
          str = java.util.Arrays.copyOf(str, str.length * 2);
        }
        str[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
        str[n++] = (byte) (0x80 | cp & 0x3f);
      } else if (Character.isSurrogate((char) ch)) {
        // an unpaired surrogate cannot be UTF-8: Jackson keeps it as the char; so does this
        String head = new String(str, 0, n, StandardCharsets.UTF_8);
        return head + (char) ch + string(); // the rest, from where it stands
      } else {
        str[n++] = (byte) (0xe0 | ch >> 12);
        str[n++] = (byte) (0x80 | ch >> 6 & 0x3f);
        str[n++] = (byte) (0x80 | ch & 0x3f);
      }
    }
  }

  /** True when a "\\u" escape of a low surrogate comes next (nothing consumed). */
  private boolean pairFollows() throws IOException {
    if (lim - pos < 6) {
      // move the rest to the front and read more, so that the six bytes are in the buffer
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
      int r;
      while (lim < 6 && (r = in.read(buf, lim, buf.length - lim)) > 0) {
        lim += r;
      }
      if (lim - pos < 6) {
        return false;
      }
    }
    if (buf[pos] != '\\' || buf[pos + 1] != 'u') {
      return false;
    }
    int v = 0;
    for (int k = 2; k < 6; k++) {
      int d = Character.digit(buf[pos + k], 16);
      if (d < 0) {
        return false;
      }
      v = v << 4 | d;
    }
    return Character.isLowSurrogate((char) v);
  }

  private int lowSurrogate() {
    int v = 0;
    for (int k = 2; k < 6; k++) {
      v = v << 4 | Character.digit(buf[pos + k], 16);
    }
    pos += 6;
    return v;
  }
}
