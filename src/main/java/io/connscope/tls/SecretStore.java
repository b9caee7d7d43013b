package io.connscope.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sessions by client random, each with a slot per kept label holding its latest secret, as bytes in
 * pages rather than objects: a key log holds a session per TLS connection of the capture, and a map
 * of strings to objects of arrays took 250 to 380 bytes a session where this takes its bytes and a
 * few more.
 *
 * <p>A session is a record of its 32-byte client random and one int per slot (the offset of the
 * slot's secret, 0: none). A secret is its length in one byte then its bytes; a secret longer than
 * {@link #LONGEST_INLINE} bytes (no TLS secret is) is kept as an array apart, its index after a
 * length byte of 255. Records and secrets never cross a page; an offset is an int, so a store holds
 * at most 2 GiB (about ten million TLS 1.3 sessions). An open-addressing table of record offsets
 * finds a session by its random.
 *
 * <p>Not thread-safe; a store that no one adds to may be read by several threads.
 */
final class SecretStore {
  /** The length of a client random. */
  static final int RANDOM = 32;

  /** The longest secret kept in a page; a longer one is kept apart. */
  static final int LONGEST_INLINE = 254;

  /**
   * 256 KiB: below half of G1's smallest region (1 MiB), so that a page is not a humongous object,
   * which takes whole regions (a 1 MiB page took two).
   */
  private static final int PAGE_BITS = 18;

  private static final int PAGE = 1 << PAGE_BITS;
  private static final int FIRST_PAGE = 4096;

  private final int slots;
  private final int record;

  /** The pages; the last one may be shorter than {@link #PAGE}, grown as it fills. */
  private byte[][] pages = new byte[0][];

  /** The next free offset; offset 0 is never a record's, so 0 means none. */
  private long top = 8;

  /** Record offsets by their random's hash; 0: free. */
  private int[] table = new int[0];

  private int sessions;
  private final List<byte[]> apart = new ArrayList<>();

  SecretStore(int slots) {
    this.slots = slots;
    this.record = RANDOM + 4 * slots;
  }

  /** A store with what this one holds, to be added to apart from it. */
  SecretStore copy() {
    SecretStore c = new SecretStore(slots);
    c.pages = new byte[pages.length][];
    for (int i = 0; i < pages.length; i++) {
      c.pages[i] = pages[i].clone();
    }
    c.top = top;
    c.table = table.clone();
    c.sessions = sessions;
    c.apart.addAll(apart); // never changed once added
    return c;
  }

  int sessions() {
    return sessions;
  }

  /**
   * The record of the session whose random is {@code r[off, off + 32)}; when there is none, a new
   * one when {@code create}, else 0.
   */
  int session(byte[] r, int off, boolean create) {
    int mask = table.length - 1;
    if (table.length > 0) {
      for (int i = hash(r, off) & mask; ; i = (i + 1) & mask) {
        int at = table[i];
        if (at == 0) {
          break;
        }
        if (Arrays.equals(
            pages[at >>> PAGE_BITS],
            at & (PAGE - 1),
            (at & (PAGE - 1)) + RANDOM,
            r,
            off,
            off + RANDOM)) {
          return at;
        }
      }
    }
    if (!create) {
      return 0;
    }
    if (2 * (sessions + 1) > table.length) {
      grow();
      mask = table.length - 1;
    }
    int at = reserve(record);
    System.arraycopy(r, off, pages[at >>> PAGE_BITS], at & (PAGE - 1), RANDOM);
    // the slots are zero: a page is zero where nothing was written
    int i = hash(r, off) & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = at;
    sessions++;
    return at;
  }

  /**
   * Sets slot {@code slot} of {@code session} to the secret written in hex at {@code hex[from, from
   * + 2 * len)} (ASCII hex digits, checked).
   */
  void put(int session, int slot, byte[] hex, int from, int len) {
    int at;
    if (len > LONGEST_INLINE) {
      byte[] secret = new byte[len];
      decode(hex, from, secret, 0, len);
      at = reserve(5);
      byte[] p = pages[at >>> PAGE_BITS];
      int o = at & (PAGE - 1);
      p[o] = (byte) 255;
      int index = apart.size();
      apart.add(secret);
      p[o + 1] = (byte) (index >>> 24);
      p[o + 2] = (byte) (index >>> 16);
      p[o + 3] = (byte) (index >>> 8);
      p[o + 4] = (byte) index;
    } else {
      at = reserve(1 + len);
      byte[] p = pages[at >>> PAGE_BITS];
      int o = at & (PAGE - 1);
      p[o] = (byte) len;
      decode(hex, from, p, o + 1, len);
    }
    byte[] p = pages[session >>> PAGE_BITS];
    int o = (session & (PAGE - 1)) + RANDOM + 4 * slot;
    p[o] = (byte) (at >>> 24);
    p[o + 1] = (byte) (at >>> 16);
    p[o + 2] = (byte) (at >>> 8);
    p[o + 3] = (byte) at;
  }

  /** A copy of the secret in slot {@code slot} of {@code session}, or null. */
  byte[] get(int session, int slot) {
    int at = readInt(pages[session >>> PAGE_BITS], (session & (PAGE - 1)) + RANDOM + 4 * slot);
    if (at == 0) {
      return null;
    }
    byte[] p = pages[at >>> PAGE_BITS];
    int o = at & (PAGE - 1);
    int len = p[o] & 0xFF;
    if (len == 255) {
      return apart.get(readInt(p, o + 1)).clone();
    }
    return Arrays.copyOfRange(p, o + 1, o + 1 + len);
  }

  private static int readInt(byte[] p, int o) {
    return (p[o] & 0xFF) << 24
        | (p[o + 1] & 0xFF) << 16
        | (p[o + 2] & 0xFF) << 8
        | (p[o + 3] & 0xFF);
  }

  private static void decode(byte[] hex, int from, byte[] out, int to, int len) {
    for (int k = 0; k < len; k++) {
      out[to + k] =
          (byte) (TlsKeys.digit(hex[from + 2 * k]) << 4 | TlsKeys.digit(hex[from + 2 * k + 1]));
    }
  }

  /**
   * The offset of {@code n} free bytes within one page (zero), the last page grown to hold them.
   */
  private int reserve(int n) {
    long at = top;
    if ((at & (PAGE - 1)) + n > PAGE) {
      at = (at | (PAGE - 1)) + 1; // the next page's start
    }
    if (at + n > Integer.MAX_VALUE) {
      throw new IllegalStateException("the TLS secrets take more than 2 GiB");
    }
    int page = (int) (at >>> PAGE_BITS);
    int end = (int) (at & (PAGE - 1)) + n;
    if (page == pages.length) {
      pages = Arrays.copyOf(pages, page + 1);
      pages[page] = new byte[page == 0 ? Math.max(FIRST_PAGE, end) : PAGE];
    } else if (pages[page].length < end) {
      pages[page] =
          Arrays.copyOf(pages[page], Math.min(PAGE, Math.max(end, 2 * pages[page].length)));
    }
    top = at + n;
    return (int) at;
  }

  private void grow() {
    int[] old = table;
    table = new int[Math.max(16, 2 * old.length)];
    int mask = table.length - 1;
    for (int at : old) {
      if (at != 0) {
        int i = hash(pages[at >>> PAGE_BITS], at & (PAGE - 1)) & mask;
        while (table[i] != 0) {
          i = (i + 1) & mask;
        }
        table[i] = at;
      }
    }
  }

  private static int hash(byte[] r, int off) {
    int h = 0;
    for (int i = 0; i < RANDOM; i++) {
      h = 31 * h + r[off + i];
    }
    h *= 0x9E3779B9; // spread the low bits the table's mask keeps
    return h ^ (h >>> 16);
  }
}
