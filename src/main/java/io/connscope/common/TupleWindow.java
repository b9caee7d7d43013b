package io.connscope.common;

import java.util.Arrays;

/**
 * A window of recently closed 4-tuples with a few long values each, oldest first, found by tuple:
 * the memory of {@code tcp}'s late-packet tombstones and of the TIME_WAIT detector. Entries live in
 * primitive arrays (a ring of rows, an open-addressing index), so remembering a tuple allocates
 * nothing. A window of tens of thousands of entries that churns, held as objects, made every young
 * collection copy the entries added since the last one: on a capture of short connections that was
 * a third of the collector's time.
 *
 * <p>A tuple is five longs ({@code k0..k3}: two 128-bit addresses, {@code k4}: the ports and
 * anything else that tells tuples apart), as the caller orders them. At most one <i>live</i> entry
 * per tuple: {@link #addLast} of a tuple already live leaves the older entry in its place in the
 * order, <i>dead</i> (no longer found), as does {@link #remove}. The order holds live and dead
 * entries, as a deque of entries with a map from tuple to its newest entry would: {@link #length}
 * counts both, {@link #size} the live ones. {@link #pollFirst} takes the oldest, live or dead. A
 * window made without {@code keepDead} may also drop dead entries when its arrays are full and at
 * least half of them are dead (for a caller that only counts live entries, so that tuples removed
 * and added again behind an old live entry cannot grow it without bound).
 *
 * <p>Not thread-safe. Memory: the arrays grow to the most entries held at once (doubling) and stay.
 */
public final class TupleWindow {
  private static final int KEY_LONGS = 5;
  private static final int MIN_CAPACITY = 16;

  private final int stride;
  private final boolean keepDead;

  /** Per row: k0..k4, then the values. */
  private long[] longs;

  /** Per row: live (found through the index). */
  private boolean[] live;

  /** Ring: rows head, head+1, ... (mod capacity), length of them. */
  private int head, length, size;

  /**
   * Open addressing, linear probing, twice the rows (a power of two): the tuple's hash in the high
   * half and row + 1 in the low one, 0 for empty. The hash rejects most other tuples without
   * reading their row, and tells an entry's home slot when one is removed.
   */
  private long[] index;

  /**
   * @param values long values kept per entry
   * @param keepDead dead entries stay in the order (and in {@link #length}) until polled
   */
  public TupleWindow(int values, boolean keepDead) {
    this.stride = KEY_LONGS + values;
    this.keepDead = keepDead;
    allocate(MIN_CAPACITY);
  }

  private void allocate(int capacity) {
    longs = new long[capacity * stride];
    live = new boolean[capacity];
    index = new long[Integer.highestOneBit(capacity) * 2];
  }

  /** Entries in the order, live and dead. */
  public int length() {
    return length;
  }

  /** Live entries. */
  public int size() {
    return size;
  }

  /** The live entry of the tuple, or -1. */
  public int find(long k0, long k1, long k2, long k3, long k4) {
    int mask = index.length - 1;
    int h = hash(k0, k1, k2, k3, k4);
    for (int i = h & mask; ; i = (i + 1) & mask) {
      long e = index[i];
      if (e == 0) {
        return -1;
      }
      int r = (int) e - 1;
      if ((int) (e >>> 32) == h && matches(r, k0, k1, k2, k3, k4)) {
        return r;
      }
    }
  }

  private boolean matches(int r, long k0, long k1, long k2, long k3, long k4) {
    int b = r * stride;
    return longs[b + 4] == k4
        && longs[b + 1] == k1
        && longs[b + 3] == k3
        && longs[b] == k0
        && longs[b + 2] == k2;
  }

  /**
   * Appends a live entry for the tuple (an older live entry of it becomes dead) and returns it; its
   * values are 0 until {@link #set}.
   */
  public int addLast(long k0, long k1, long k2, long k3, long k4) {
    int old = find(k0, k1, k2, k3, k4);
    if (old >= 0) {
      remove(old);
    }
    int capacity = live.length;
    if (length == capacity) {
      grow(!keepDead && size <= capacity / 2 ? capacity : capacity * 2);
    }
    int r = (head + length) & (live.length - 1);
    length++;
    int b = r * stride;
    longs[b] = k0;
    longs[b + 1] = k1;
    longs[b + 2] = k2;
    longs[b + 3] = k3;
    longs[b + 4] = k4;
    Arrays.fill(longs, b + KEY_LONGS, b + stride, 0L);
    live[r] = true;
    size++;
    insert(r);
    return r;
  }

  /** Value {@code i} of entry {@code r}. */
  public long get(int r, int i) {
    return longs[r * stride + KEY_LONGS + i];
  }

  /** Sets value {@code i} of entry {@code r}. */
  public void set(int r, int i, long v) {
    longs[r * stride + KEY_LONGS + i] = v;
  }

  /** Key long {@code i} (0 to 4) of entry {@code r}. */
  public long key(int r, int i) {
    return longs[r * stride + i];
  }

  /** Whether entry {@code r} is live. */
  public boolean live(int r) {
    return live[r];
  }

  /** The oldest entry, live or dead; -1 when empty. */
  public int first() {
    return length == 0 ? -1 : head;
  }

  /** Makes live entry {@code r} dead: it is no longer found, and keeps its place in the order. */
  public void remove(int r) {
    if (!live[r]) {
      return;
    }
    live[r] = false;
    size--;
    delete(r);
  }

  /** Drops the oldest entry (live or dead). */
  public void pollFirst() {
    if (length == 0) {
      return;
    }
    remove(head);
    head = (head + 1) & (live.length - 1);
    length--;
  }

  /** Forgets every entry (the arrays stay). */
  public void clear() {
    Arrays.fill(index, 0);
    Arrays.fill(live, false);
    head = 0;
    length = 0;
    size = 0;
  }

  /** Copies the entries, in order, into arrays of {@code capacity} rows; dead ones only if kept. */
  private void grow(int capacity) {
    long[] l = longs;
    boolean[] v = live;
    int oldCapacity = v.length;
    allocate(capacity);
    int n = 0;
    for (int j = 0; j < length; j++) {
      int from = (head + j) & (oldCapacity - 1);
      if (v[from] || keepDead) {
        System.arraycopy(l, from * stride, longs, n * stride, stride);
        live[n] = v[from];
        if (v[from]) {
          insert(n);
        }
        n++;
      }
    }
    head = 0;
    length = n;
  }

  private void insert(int r) {
    int b = r * stride;
    int mask = index.length - 1;
    int h = hash(longs[b], longs[b + 1], longs[b + 2], longs[b + 3], longs[b + 4]);
    int i = h & mask;
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = (long) h << 32 | (r + 1);
  }

  /** Removes row {@code r} from the index, shifting the entries after it back (no tombstones). */
  private void delete(int r) {
    int b = r * stride;
    int mask = index.length - 1;
    int i = hash(longs[b], longs[b + 1], longs[b + 2], longs[b + 3], longs[b + 4]) & mask;
    while ((int) index[i] != r + 1) {
      i = (i + 1) & mask;
    }
    int gap = i;
    for (int j = (gap + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int home = (int) (index[j] >>> 32) & mask;
      // the entry at j may fill the gap when its home is not in (gap, j], cyclically
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        index[gap] = index[j];
        gap = j;
      }
    }
    index[gap] = 0;
  }

  private static int hash(long k0, long k1, long k2, long k3, long k4) {
    long h = k0 * 0x9E3779B97F4A7C15L;
    h = (h ^ k1) * 0x9E3779B97F4A7C15L;
    h = (h ^ k2) * 0x9E3779B97F4A7C15L;
    h = (h ^ k3) * 0x9E3779B97F4A7C15L;
    h = (h ^ k4) * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
