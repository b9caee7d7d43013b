package io.connscope.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Kryo serializers for the JDK's read-only collections that records hold ({@code List.of}, {@code
 * List.copyOf}, {@code Map.of}, {@code Collections.unmodifiable*}, a {@code TreeMap}'s sub-map
 * views): Kryo 4's collection and map serializers rebuild a collection by instantiating its class
 * and calling {@code add} or {@code put}, which these classes refuse (or, for the wrappers, cannot
 * be instantiated empty). Each is written as its size and elements (keys and values for a map; the
 * comparator first for a sorted one, null for the natural order) and read back as the same kind of
 * collection: immutable as immutable ({@code List.copyOf}: these hold no null), an unmodifiable
 * wrapper around a fresh {@code ArrayList}, {@code LinkedHashMap} or {@code TreeMap} (the same
 * iteration order), a view as a {@code TreeMap}.
 */
final class JdkCollections {
  private JdkCollections() {}

  /** Registers the serializers, always in the same order (the ids must agree between JVMs). */
  static void register(Kryo kryo) {
    // immutable (ImmutableCollections: no null element, key or value)
    Function<List<Object>, Collection<?>> immutableList = List::copyOf;
    Function<List<Object>, Collection<?>> immutableSet = Set::copyOf;
    for (Object o :
        List.of(List.of(), List.of(1), List.of(1, 2, 3), List.of(1, 2, 3).subList(0, 2))) {
      kryo.register(o.getClass(), new Elements(immutableList));
    }
    for (Object o : List.of(Set.of(), Set.of(1), Set.of(1, 2, 3))) {
      kryo.register(o.getClass(), new Elements(immutableSet));
    }
    for (Object o : List.of(Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2))) {
      kryo.register(o.getClass(), new Entries(false, Map::copyOf));
    }
    // unmodifiable wrappers
    Function<List<Object>, Collection<?>> unmodifiableList = Collections::unmodifiableList;
    kryo.register(
        Collections.unmodifiableList(new ArrayList<>()).getClass(), new Elements(unmodifiableList));
    kryo.register(
        Collections.unmodifiableList(new LinkedList<>()).getClass(),
        new Elements(unmodifiableList));
    kryo.register(
        Collections.unmodifiableCollection(new ArrayList<>()).getClass(),
        new Elements(l -> Collections.unmodifiableCollection(l)));
    kryo.register(
        Collections.unmodifiableSet(new LinkedHashSet<>()).getClass(),
        new Elements(l -> Collections.unmodifiableSet(new LinkedHashSet<>(l))));
    kryo.register(
        Collections.unmodifiableMap(new LinkedHashMap<>()).getClass(),
        new Entries(false, Collections::unmodifiableMap));
    kryo.register(
        Collections.unmodifiableSortedMap(new TreeMap<>()).getClass(),
        new Entries(true, m -> Collections.unmodifiableSortedMap((TreeMap<Object, Object>) m)));
    kryo.register(
        Collections.unmodifiableNavigableMap(new TreeMap<>()).getClass(),
        new Entries(true, m -> Collections.unmodifiableNavigableMap((TreeMap<Object, Object>) m)));
    kryo.register(
        Collections.unmodifiableSortedSet(new TreeSet<>()).getClass(),
        new SortedElements(Collections::unmodifiableSortedSet));
    kryo.register(
        Collections.unmodifiableNavigableSet(new TreeSet<>()).getClass(),
        new SortedElements(s -> Collections.unmodifiableNavigableSet((TreeSet<Object>) s)));
    kryo.register(
        Collections.emptyNavigableMap().getClass(),
        new Entries(true, m -> Collections.emptyNavigableMap()));
    kryo.register(
        Collections.emptyNavigableSet().getClass(),
        new SortedElements(s -> Collections.emptyNavigableSet()));
    // a TreeMap's views (headMap, tailMap, subMap, descendingMap), read back as a TreeMap
    TreeMap<Integer, Integer> tree = new TreeMap<>();
    for (Object o : List.of(tree.headMap(0), tree.descendingMap())) {
      kryo.register(o.getClass(), new Entries(true, m -> m));
    }
    // the JDK's empty and singleton collections: Kryo's own serializers
    kryo.register(Collections.emptyList().getClass());
    kryo.register(Collections.emptyMap().getClass());
    kryo.register(Collections.emptySet().getClass());
    kryo.register(Collections.singletonList(1).getClass());
    kryo.register(Collections.singletonMap(1, 1).getClass());
    kryo.register(Collections.singleton(1).getClass());
  }

  /** A list or set: its size, then its elements, each with its class. */
  static final class Elements extends Serializer<Collection<?>> {
    private final Function<List<Object>, Collection<?>> rebuild;

    Elements(Function<List<Object>, Collection<?>> rebuild) {
      this.rebuild = rebuild;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, Collection<?> c) {
      out.writeVarInt(c.size(), true);
      for (Object e : c) {
        kryo.writeClassAndObject(out, e);
      }
    }

    @Override
    public Collection<?> read(Kryo kryo, Input in, Class<Collection<?>> type) {
      int n = in.readVarInt(true);
      List<Object> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(kryo.readClassAndObject(in));
      }
      return rebuild.apply(l);
    }
  }

  /** A sorted set: its comparator (null for the natural order), its size, its elements. */
  static final class SortedElements extends Serializer<SortedSet<Object>> {
    private final Function<TreeSet<Object>, SortedSet<?>> rebuild;

    SortedElements(Function<TreeSet<Object>, SortedSet<?>> rebuild) {
      this.rebuild = rebuild;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, SortedSet<Object> s) {
      kryo.writeClassAndObject(out, s.comparator());
      out.writeVarInt(s.size(), true);
      for (Object e : s) {
        kryo.writeClassAndObject(out, e);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public SortedSet<Object> read(Kryo kryo, Input in, Class<SortedSet<Object>> type) {
      TreeSet<Object> s = new TreeSet<>((Comparator<Object>) kryo.readClassAndObject(in));
      int n = in.readVarInt(true);
      for (int i = 0; i < n; i++) {
        s.add(kryo.readClassAndObject(in));
      }
      return (SortedSet<Object>) rebuild.apply(s);
    }
  }

  /**
   * A map: for a sorted one its comparator (null for the natural order), then its size and its keys
   * and values, each with its class; read into a {@code TreeMap} (sorted) or a {@code
   * LinkedHashMap} (the order written), then rebuilt.
   */
  static final class Entries extends Serializer<Map<Object, Object>> {
    private final boolean sorted;
    private final Function<Map<Object, Object>, Map<?, ?>> rebuild;

    Entries(boolean sorted, Function<Map<Object, Object>, Map<?, ?>> rebuild) {
      this.sorted = sorted;
      this.rebuild = rebuild;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, Map<Object, Object> m) {
      if (sorted) {
        kryo.writeClassAndObject(out, ((SortedMap<Object, Object>) m).comparator());
      }
      out.writeVarInt(m.size(), true);
      for (Map.Entry<Object, Object> e : m.entrySet()) {
        kryo.writeClassAndObject(out, e.getKey());
        kryo.writeClassAndObject(out, e.getValue());
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<Object, Object> read(Kryo kryo, Input in, Class<Map<Object, Object>> type) {
      Map<Object, Object> m;
      if (sorted) {
        m = new TreeMap<>((Comparator<Object>) kryo.readClassAndObject(in));
      } else {
        m = new LinkedHashMap<>();
      }
      int n = in.readVarInt(true);
      for (int i = 0; i < n; i++) {
        Object k = kryo.readClassAndObject(in);
        m.put(k, kryo.readClassAndObject(in));
      }
      return (Map<Object, Object>) rebuild.apply(m);
    }
  }
}
