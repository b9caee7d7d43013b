package io.connscope.result;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The kept headers of a {@link TransactionResult}: an unmodifiable map in insertion order, held in
 * one array of name, value pairs (a transaction has a few; a capture hundreds of thousands of
 * transactions, where a {@code LinkedHashMap} cost a table and an entry per header). Equal to any
 * {@link Map} with the same mappings ({@link AbstractMap}); names and values are not null. Writers
 * read it by index ({@link #name(int)}, {@link #value(int)}) without an iterator.
 */
public final class HeaderMap extends AbstractMap<String, String> {
  private static final HeaderMap EMPTY = new HeaderMap(new String[0], 0);

  private final String[] pairs;
  private final int size;

  private HeaderMap(String[] pairs, int size) {
    this.pairs = pairs;
    this.size = size;
  }

  /**
   * The first {@code size} pairs of {@code pairs} (names distinct, not null), owned from now on.
   */
  public static HeaderMap own(String[] pairs, int size) {
    Objects.checkFromIndexSize(0, 2 * size, pairs.length);
    for (int i = 0; i < 2 * size; i++) {
      Objects.requireNonNull(pairs[i]);
    }
    return size == 0 ? EMPTY : new HeaderMap(pairs, size);
  }

  @Override
  public int size() {
    return size;
  }

  /** Name of pair {@code i}, in insertion order. */
  public String name(int i) {
    Objects.checkIndex(i, size);
    return pairs[2 * i];
  }

  /** Value of pair {@code i}. */
  public String value(int i) {
    Objects.checkIndex(i, size);
    return pairs[2 * i + 1];
  }

  private int indexOf(Object name) {
    for (int i = 0; i < size; i++) {
      if (pairs[2 * i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String get(Object name) {
    int i = indexOf(name);
    return i < 0 ? null : pairs[2 * i + 1];
  }

  @Override
  public boolean containsKey(Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Map.Entry<String, String> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new AbstractMap.SimpleImmutableEntry<>(pairs[2 * i], pairs[2 * i + 1]);
          }
        };
      }
    };
  }
}
