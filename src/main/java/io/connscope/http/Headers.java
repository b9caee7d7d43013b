package io.connscope.http;

import io.connscope.common.KeptHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The header fields of one message that matter for connection analysis, in the order seen.
 *
 * <p>Only the names in {@link #KEPT} are kept (lower case); values are decoded as ISO-8859-1 and
 * trimmed. Other fields are only counted: {@link #count()} is the number of header fields in the
 * message, kept or not, and {@link #size()} the number kept.
 */
public final class Headers {
  /** Lower-case names of the kept header fields. */
  public static final List<String> KEPT = KeptHeaders.NAMES;

  private static final String[] NONE = new String[0];

  /** No fields (declared after {@link #NONE}, which its field takes as it is made). */
  static final Headers EMPTY = new Headers();

  /** Kept fields as name, value pairs (one array per message: there is one per message). */
  private String[] fields = NONE;

  private int size;
  private int count;

  /**
   * Every name was stored by {@link #add} (so a kept one is the list's own string). Transient: a
   * deserialized copy (the Spark job's Kryo) holds other String instances, and searches by text.
   */
  private transient boolean namesCanonical;

  /** First value of {@code lowerName}, or null. */
  public String get(String lowerName) {
    // add() stores a kept name as the list's own string, which a literal is too: found by
    // identity, and when it is one of the list's strings and not found so, it is absent. A copy
    // made otherwise (deserialized: the flag is transient) is searched by text.
    for (int i = 0; i < size; i++) {
      if (fields[2 * i] == lowerName) {
        return fields[2 * i + 1];
      }
    }
    if (namesCanonical && keptIndex(lowerName) >= 0) {
      return null;
    }
    for (int i = 0; i < size; i++) {
      if (fields[2 * i].equals(lowerName)) {
        return fields[2 * i + 1];
      }
    }
    return null;
  }

  /** The place of {@code name} among the kept names' own strings (by identity), -1 if not one. */
  private static int keptIndex(String name) {
    for (int k = 0; k < KEPT_NAMES.length; k++) {
      if (KEPT_NAMES[k] == name) {
        return k;
      }
    }
    return -1;
  }

  /** The place of {@code name} in {@link #KEPT}: by identity, else by text; -1 if not kept. */
  private static int keptPlace(String name) {
    int k = keptIndex(name);
    for (int j = 0; k < 0 && j < KEPT_NAMES.length; j++) {
      if (KEPT_NAMES[j].equals(name)) {
        k = j;
      }
    }
    return k;
  }

  /**
   * The place of field {@code i}'s name in {@link #KEPT}, -1 for a name not kept (identity finds
   * the names {@link #add} stored; a deserialized copy's by text).
   */
  public int keptPlace(int i) {
    java.util.Objects.checkIndex(i, size);
    return namesCanonical ? keptIndex(fields[2 * i]) : keptPlace(fields[2 * i]);
  }

  /** Every value of {@code lowerName}, in order (empty when absent). */
  public List<String> getAll(String lowerName) {
    List<String> out = null;
    for (int i = 0; i < size; i++) {
      if (fields[2 * i].equals(lowerName)) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(fields[2 * i + 1]);
      }
    }
    return out == null ? List.of() : Collections.unmodifiableList(out);
  }

  /** Number of header fields in the message, kept or not. */
  public int count() {
    return count;
  }

  /**
   * Drops the room {@link #append} left beyond the kept fields: for a message kept after its end (a
   * final transaction its tracker keeps), 8 pairs of room held 80 bytes where 2 fields need 32.
   */
  void trim() {
    if (fields.length > 2 * size) {
      String[] exact = size == 0 ? NONE : new String[2 * size];
      System.arraycopy(fields, 0, exact, 0, 2 * size);
      fields = exact;
    }
  }

  /** Number of kept fields. */
  public int size() {
    return size;
  }

  /** Lower-case name of kept field {@code i}. */
  public String name(int i) {
    java.util.Objects.checkIndex(i, size);
    return fields[2 * i];
  }

  /**
   * Whether field {@code i}'s name is {@code keptName}, which must be one of {@link #KEPT}'s
   * strings (a string literal of a kept name is one: literals are interned). Names stored by {@link
   * #add} are those strings, so they are compared by identity (this runs per field of every
   * message); a deserialized copy's by text.
   */
  public boolean nameIs(int i, String keptName) {
    String n = name(i);
    return n == keptName || (!namesCanonical && n.equals(keptName));
  }

  /** Value of kept field {@code i}. */
  public String value(int i) {
    java.util.Objects.checkIndex(i, size);
    return fields[2 * i + 1];
  }

  void countField() {
    count++;
  }

  void add(String lowerName, String value) {
    append(canonical(lowerName), value);
  }

  /**
   * Adds a field whose name is the kept name at {@code place} ({@link #keptPlace(byte[], int,
   * int)}).
   */
  void addKept(int place, String value) {
    append(KEPT_NAMES[place], value);
  }

  private void append(String name, String value) {
    if (2 * size == fields.length) {
      // room for 8 at once: most messages keep 3 to 6 (host, connection, content-length, ...);
      // not Arrays.copyOf, which makes a String[] through reflection (Array.newInstance), a
      // native call in the first JIT tier's code: a twentieth of the analysis on keep-alive
      String[] more = new String[Math.max(16, fields.length * 2)];
      System.arraycopy(fields, 0, more, 0, 2 * size);
      fields = more;
    }
    fields[2 * size] = name;
    namesCanonical = true;
    fields[2 * size + 1] = value;
    size++;
  }

  /** A kept name as the list's own string (what {@link #get} finds by identity). */
  private static String canonical(String lowerName) {
    int k = keptPlace(lowerName);
    return k >= 0 ? KEPT_NAMES[k] : lowerName;
  }

  /** Appends an obs-fold continuation to the last kept value (RFC 7230 3.2.4: replace by SP). */
  void appendToLast(String more) {
    int last = 2 * (size - 1) + 1;
    fields[last] = fields[last] + " " + more;
  }

  /**
   * The place in {@link #KEPT} of the kept name equal, ignoring ASCII case, to {@code b[off,
   * off+len)}, or -1.
   */
  static int keptPlace(byte[] b, int off, int len) {
    // only the names of this length are compared (one or two of the twelve): this runs for every
    // header line
    if (len >= KEPT_BY_LENGTH.length) {
      return -1;
    }
    for (int k : KEPT_BY_LENGTH[len]) {
      if (equalsLower(b, off, KEPT_BYTES[k])) {
        return k;
      }
    }
    return -1;
  }

  /** {@link #KEPT} as an array, and the bytes of each name (compared without String calls). */
  private static final String[] KEPT_NAMES = KEPT.toArray(new String[0]);

  private static final byte[][] KEPT_BYTES = new byte[KEPT_NAMES.length][];

  /** The places in {@link #KEPT_NAMES} of the names of each length, in list order. */
  private static final int[][] KEPT_BY_LENGTH;

  static {
    int longest = 0;
    for (int k = 0; k < KEPT_NAMES.length; k++) {
      KEPT_BYTES[k] = KEPT_NAMES[k].getBytes(StandardCharsets.ISO_8859_1);
      longest = Math.max(longest, KEPT_BYTES[k].length);
    }
    KEPT_BY_LENGTH = new int[longest + 1][];
    for (int len = 0; len <= longest; len++) {
      int n = 0;
      for (byte[] name : KEPT_BYTES) {
        n += name.length == len ? 1 : 0;
      }
      KEPT_BY_LENGTH[len] = new int[n];
      n = 0;
      for (int k = 0; k < KEPT_BYTES.length; k++) {
        if (KEPT_BYTES[k].length == len) {
          KEPT_BY_LENGTH[len][n++] = k;
        }
      }
    }
  }

  private static boolean equalsLower(byte[] b, int off, byte[] lower) {
    for (int i = 0; i < lower.length; i++) {
      int c = b[off + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  }

  static String latin1(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < size; i++) {
      sb.append(i == 0 ? "" : ", ").append(fields[2 * i]).append(": ").append(fields[2 * i + 1]);
    }
    return sb.append("} of ").append(count).toString();
  }
}
