package io.connscope.http;

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
  public static final List<String> KEPT = List.of("host", "connection", "keep-alive",
      "proxy-connection", "content-length", "transfer-encoding", "via", "expect", "upgrade",
      "content-type", "server", "user-agent");

  static final Headers EMPTY = new Headers();

  private final ArrayList<String> names = new ArrayList<>(4);
  private final ArrayList<String> values = new ArrayList<>(4);
  private int count;

  /** First value of {@code lowerName}, or null. */
  public String get(String lowerName) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equals(lowerName)) {
        return values.get(i);
      }
    }
    return null;
  }

  /** Every value of {@code lowerName}, in order (empty when absent). */
  public List<String> getAll(String lowerName) {
    List<String> out = null;
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equals(lowerName)) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(values.get(i));
      }
    }
    return out == null ? List.of() : Collections.unmodifiableList(out);
  }

  /** Number of header fields in the message, kept or not. */
  public int count() { return count; }

  /** Number of kept fields. */
  public int size() { return names.size(); }

  /** Lower-case name of kept field {@code i}. */
  public String name(int i) { return names.get(i); }

  /** Value of kept field {@code i}. */
  public String value(int i) { return values.get(i); }

  void countField() {
    count++;
  }

  void add(String lowerName, String value) {
    names.add(lowerName);
    values.add(value);
  }

  /** Appends an obs-fold continuation to the last kept value (RFC 7230 3.2.4: replace by SP). */
  void appendToLast(String more) {
    int last = values.size() - 1;
    values.set(last, values.get(last) + " " + more);
  }

  /** The kept name equal, ignoring ASCII case, to {@code b[off, off+len)}, or null. */
  static String keptName(byte[] b, int off, int len) {
    for (int k = 0; k < KEPT.size(); k++) {
      String n = KEPT.get(k);
      if (n.length() == len && equalsLower(b, off, n)) {
        return n;
      }
    }
    return null;
  }

  private static boolean equalsLower(byte[] b, int off, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      int c = b[off + i] & 0xff;
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(i)) {
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
    for (int i = 0; i < names.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(names.get(i)).append(": ").append(values.get(i));
    }
    return sb.append("} of ").append(count).toString();
  }
}
