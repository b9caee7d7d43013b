package io.connscope.detect.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** LongIntFloorMap answers every floor lookup as the TreeMap it replaces. */
class LongIntFloorMapTest {
  @Test
  void floorsAsATreeMapForAscendingRepeatedAndOutOfOrderKeys() {
    Random random = new Random(15);
    for (int round = 0; round < 50; round++) {
      LongIntFloorMap map = new LongIntFloorMap();
      TreeMap<Long, Integer> ref = new TreeMap<>();
      long next = random.nextInt(1000) - 500;
      for (int i = 0; i < 400; i++) {
        long key;
        int kind = random.nextInt(10);
        if (kind < 6) { // mostly increasing, as first transmissions come
          next += 1 + random.nextInt(1500);
          key = next;
        } else if (kind < 8 && !ref.isEmpty()) { // a key seen before
          key = ref.lastKey() - random.nextInt(3) * (random.nextBoolean() ? 0 : 1);
          key = ref.floorKey(key) == null ? ref.firstKey() : ref.floorKey(key);
        } else { // anywhere below (a hole filled)
          key = next - random.nextInt(20_000);
        }
        map.put(key, i);
        ref.put(key, i);
        for (int q = 0; q < 3; q++) {
          long probe = next - random.nextInt(25_000) + random.nextInt(3_000);
          Map.Entry<Long, Integer> e = ref.floorEntry(probe);
          int at = map.floor(probe);
          assertEquals(e == null ? -1 : e.getValue(), at < 0 ? -1 : map.valueAt(at), "" + probe);
        }
      }
    }
  }

  @Test
  void emptyAndBelowEverything() {
    LongIntFloorMap map = new LongIntFloorMap();
    assertEquals(-1, map.floor(0));
    map.put(10, 7);
    assertEquals(-1, map.floor(9));
    assertEquals(7, map.valueAt(map.floor(10)));
    assertEquals(7, map.valueAt(map.floor(Long.MAX_VALUE)));
    map.put(10, 8);
    assertEquals(8, map.valueAt(map.floor(11)));
  }
}
