package io.connscope.http;

/**
 * Short ISO-8859-1 strings decoded from message heads, reused when the same bytes come again:
 * methods, targets, reasons and header values repeat from one message to the next (the same {@code
 * Host}, {@code Server}, {@code Content-Type} on every transaction), and a new string for each
 * would be most of the garbage the parser makes.
 *
 * <p>A direct-mapped table of {@value #SIZE} strings of at most {@value #MAX_LENGTH} bytes, one per
 * analysis thread: a slot is used only when its string has exactly the bytes asked for, so the
 * strings returned are those {@link Headers#latin1} would return, only shared.
 */
final class Latin1Strings {
  static final int SIZE = 1024;
  static final int MAX_LENGTH = 64;

  private static final ThreadLocal<Latin1Strings> OF_THREAD =
      ThreadLocal.withInitial(Latin1Strings::new);

  private final String[] slots = new String[SIZE];

  /** The bytes of each slot's string, compared as arrays (not char by char). */
  private final byte[][] slotBytes = new byte[SIZE][];

  /** The table of the calling thread. */
  static Latin1Strings ofThread() {
    return OF_THREAD.get();
  }

  /** {@code b[off, off+len)} as an ISO-8859-1 string. */
  String get(byte[] b, int off, int len) {
    if (len > MAX_LENGTH) {
      return Headers.latin1(b, off, len);
    }
    int h = len;
    for (int i = 0; i < len; i++) {
      h = 31 * h + b[off + i];
    }
    int slot = (h ^ (h >>> 10) ^ (h >>> 20)) & (SIZE - 1);
    byte[] known = slotBytes[slot];
    if (known != null && java.util.Arrays.equals(known, 0, known.length, b, off, off + len)) {
      return slots[slot];
    }
    String s = Headers.latin1(b, off, len);
    slots[slot] = s;
    slotBytes[slot] = java.util.Arrays.copyOfRange(b, off, off + len);
    return s;
  }
}
