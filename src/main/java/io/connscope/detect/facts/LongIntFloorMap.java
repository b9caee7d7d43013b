package io.connscope.detect.facts;

import java.util.Arrays;

/**
 * A sorted map from long keys to int values on two primitive arrays, for keys that mostly arrive in
 * increasing order (sequence numbers of first transmissions): a put at or beyond the last key costs
 * a store, one below it a binary search and a shift. Replaces a {@code TreeMap<Long, Integer>}
 * whose entry and two boxes per put were most of a connection's loss-analysis garbage.
 */
final class LongIntFloorMap {
  // from 4: a connection-per-request direction sends a few data segments
  private long[] keys = new long[4];
  private int[] values = new int[4];
  private int size;

  /** Maps {@code key} to {@code value}, replacing the value an equal key had. */
  void put(long key, int value) {
    int at;
    if (size == 0 || key > keys[size - 1]) {
      at = size;
    } else if (key == keys[size - 1]) {
      values[size - 1] = value;
      return;
    } else {
      at = Arrays.binarySearch(keys, 0, size, key);
      if (at >= 0) {
        values[at] = value;
        return;
      }
      at = -at - 1;
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    System.arraycopy(keys, at, keys, at + 1, size - at);
    System.arraycopy(values, at, values, at + 1, size - at);
    keys[at] = key;
    values[at] = value;
    size++;
  }

  /** The position of the greatest key at or below {@code key}, -1 when there is none. */
  int floor(long key) {
    int at = Arrays.binarySearch(keys, 0, size, key);
    return at >= 0 ? at : -at - 2;
  }

  /** The value at position {@code at} (from {@link #floor}). */
  int valueAt(int at) {
    return values[at];
  }
}
