package io.connscope.common;

import java.util.Arrays;

/**
 * One total of items shared fairly by many holders: the final transactions that an analysis' open
 * connections keep for their close.
 *
 * <p>Rule: while the total has room, a holder takes one more. Once it is full, a holder that holds
 * less than its fair share (the total divided by the holders holding any, itself included) takes
 * one from a holder holding the most, when that one holds at least two more than it; any other
 * holder gives up one of its own for the new one. So reaching the total takes from the longest
 * holders first, and however many long holders came first, a new holder still gets its share.
 *
 * <p>Constant time a call: the holders are kept in lists by what they hold, with the highest list
 * that is not empty. Memory: 12 bytes and a reference per holder slot (freed slots are reused), 4
 * bytes per distinct count. Not thread-safe.
 */
public final class FairShares<T> {
  private final long limit;
  private long total;
  private long peak;

  /** Holders holding at least one. */
  private int active;

  /** Per slot: what it holds; its neighbours in the list of its count (-1: none). */
  private int[] held = new int[16];

  private int[] next = new int[16];
  private int[] prev = new int[16];
  private Object[] owners = new Object[16];

  /** The first slot of the list of each count from 1 (-1: empty). */
  private int[] heads = filled(16);

  /** The highest count with a slot (0: none). */
  private int top;

  private int slots;

  /** Freed slots, chained through {@link #next}. */
  private int free = -1;

  /** A total of {@code limit} items over all holders. */
  public FairShares(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0: " + limit);
    }
    this.limit = limit;
  }

  /** A new holder, holding none: its slot, until {@link #leave}. */
  public int join(T owner) {
    int h;
    if (free >= 0) {
      h = free;
      free = next[h];
    } else {
      h = slots++;
      if (h == held.length) {
        int n = 2 * h;
        held = Arrays.copyOf(held, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
        owners = Arrays.copyOf(owners, n);
      }
    }
    held[h] = 0;
    owners[h] = owner;
    return h;
  }

  /** Holder {@code h} gives back all it holds; its slot may be given to a new holder. */
  public void leave(int h) {
    if (held[h] > 0) {
      unlink(h);
      total -= held[h];
      active--;
      held[h] = 0;
    }
    owners[h] = null;
    next[h] = free;
    free = h;
  }

  /**
   * One more item for holder {@code h}. Returns -1 when the total had room (h holds one more).
   * Otherwise returns the holder that gives up one of its items for it: {@code h} itself (what it
   * holds does not change), or, when {@code fromOthers} and {@code h} is below its fair share, a
   * holder holding the most (which holds one less, and {@code h} one more).
   */
  public int take(int h, boolean fromOthers) {
    if (total < limit) {
      total++;
      peak = Math.max(peak, total);
      add(h, 1);
      return -1;
    }
    peak = Math.max(peak, total + 1);
    int mine = held[h];
    if (fromOthers && top > mine + 1 && mine < share(h)) {
      int g = heads[top];
      add(g, -1);
      add(h, 1);
      return g;
    }
    return h;
  }

  /** The total divided by the holders holding any, {@code h} included. */
  private long share(int h) {
    return limit / (active + (held[h] == 0 ? 1 : 0));
  }

  /** What holder {@code h} holds. */
  public int held(int h) {
    return held[h];
  }

  /** The owner given when {@code h} joined. */
  @SuppressWarnings("unchecked")
  public T owner(int h) {
    return (T) owners[h];
  }

  /** Items held over all holders. */
  public long total() {
    return total;
  }

  /**
   * The most asked for since the last call (then what is held now): holders that together never
   * asked for more than the total gave up nothing, and would not have on one total either.
   */
  public long peak() {
    long p = peak;
    peak = total;
    return p;
  }

  private void add(int h, int d) {
    int was = held[h];
    if (was > 0) {
      unlink(h);
    } else {
      active++;
    }
    int now = was + d;
    held[h] = now;
    if (now == 0) {
      active--;
      return;
    }
    if (now >= heads.length) {
      int n = heads.length;
      heads = Arrays.copyOf(heads, 2 * Math.max(n, now));
      Arrays.fill(heads, n, heads.length, -1);
    }
    int first = heads[now];
    next[h] = first;
    prev[h] = -1;
    if (first >= 0) {
      prev[first] = h;
    }
    heads[now] = h;
    if (now > top) {
      top = now;
    }
  }

  private void unlink(int h) {
    int c = held[h];
    int p = prev[h];
    int n = next[h];
    if (p >= 0) {
      next[p] = n;
    } else {
      heads[c] = n;
    }
    if (n >= 0) {
      prev[n] = p;
    }
    while (top > 0 && heads[top] < 0) {
      top--;
    }
  }

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }
}
