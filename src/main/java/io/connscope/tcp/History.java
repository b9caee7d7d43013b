package io.connscope.tcp;

import java.nio.charset.StandardCharsets;

/**
 * A connection's Zeek conn.log style history, letters in the original orientation (upper case = the
 * original client): s SYN, h SYN/ACK, a pure ACK, d data, f FIN, r RST, t retransmitted data, w
 * zero window, g content gap, ^ roles swapped. a and d are recorded once per direction; s, h, f, r
 * again when their sequence number changes; t, w, g at the 1st, 10th, 100th... occurrence. At most
 * {@value #MAX} letters. The per-letter state is allocated at its first use.
 */
final class History {
  static final int MAX = 48;

  private byte[] letters;
  private int len;
  private int once;

  /** Last sequence number per repeat letter and direction (s, h, f, r). */
  private long[] repeatSeq;

  /** Occurrences per log letter and direction (w, t, g), and the next count that is logged. */
  private long[] logCount;

  /** a, d: once per direction ({@code slot} 0 for d, 1 for a). */
  void once(int o, char letter, int slot) {
    int bit = 1 << (slot * 2 + o);
    if ((once & bit) == 0) {
      once |= bit;
      put(o, letter);
    }
  }

  /** s, h, f, r ({@code slot} 0 to 3): again whenever the sequence number differs. */
  void repeat(int o, char letter, int slot, long seq) {
    int bit = 1 << (8 + slot * 2 + o);
    int idx = slot * 2 + o;
    if (repeatSeq == null) {
      repeatSeq = new long[8];
    }
    if ((once & bit) == 0 || repeatSeq[idx] != seq) {
      once |= bit;
      repeatSeq[idx] = seq;
      put(o, letter);
    }
  }

  /** w, t, g ({@code slot} 0 to 2): logarithmically, at the 1st, 10th, 100th... occurrence. */
  void log(int o, char letter, int slot) {
    int idx = slot * 2 + o;
    if (logCount == null) {
      logCount = new long[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    }
    if (++logCount[idx] == logCount[idx + 6]) {
      logCount[idx + 6] *= 10;
      put(o, letter);
    }
  }

  /** Records a role swap. */
  void swapped() {
    append((byte) '^');
  }

  /**
   * The letters for the current roles ({@code swapped}: re-cased). The letters are ASCII: the
   * string is made from them as Latin-1 bytes, with no per-character case lookups.
   */
  String render(boolean swapped) {
    if (len == 0) {
      return "";
    }
    if (!swapped) {
      return new String(letters, 0, len, StandardCharsets.ISO_8859_1);
    }
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      byte b = letters[i];
      out[i] = b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' ? (byte) (b ^ 0x20) : b;
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private void put(int o, char letter) {
    append((byte) (o == 0 ? Character.toUpperCase(letter) : letter));
  }

  private void append(byte b) {
    if (len >= MAX) {
      return;
    }
    if (letters == null) {
      letters = new byte[8];
    } else if (len == letters.length) {
      letters = java.util.Arrays.copyOf(letters, Math.min(MAX, len * 2));
    }
    letters[len++] = b;
  }
}
