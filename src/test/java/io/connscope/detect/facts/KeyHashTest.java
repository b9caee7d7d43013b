package io.connscope.detect.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * The map keys whose hashCode and equals are written out give the values the generated record
 * methods give (so every map keeps its iteration order), and tell apart what the records told
 * apart.
 */
class KeyHashTest {
  private record PairRef(long clientHi, long clientLo, long serverHi, long serverLo, int port) {}

  private record KeyRef(int v, long clientHi, long clientLo, long serverHi, long serverLo, int p) {}

  private record RequestRef(long clientHi, long clientLo, String method, String path) {}

  private static final long[] LONGS = {0, 1, -1, 0x0000FFFF7F000001L, Long.MIN_VALUE, 1L << 40};
  private static final int[] INTS = {0, 80, 65535, -7};

  @Test
  void pairHashesAsTheRecordDid() {
    for (long a : LONGS) {
      for (long b : LONGS) {
        for (int p : INTS) {
          assertEquals(
              new PairRef(a, b, b, a, p).hashCode(),
              new HttpConnections.Pair(a, b, b, a, p).hashCode());
          assertEquals(
              new KeyRef(4, a, b, a, b, p).hashCode(),
              new PairAggregator.Key(4, a, b, a, b, p).hashCode());
          assertEquals(
              new KeyRef(6, b, a, b, a, p).hashCode(),
              new PairAggregator.Key(6, b, a, b, a, p).hashCode());
        }
      }
    }
  }

  @Test
  void requestKeyHashesAsTheRecordDid() {
    String[] strings = {null, "", "GET", "/index.html", "\u00e9"};
    for (long a : LONGS) {
      for (String m : strings) {
        for (String p : strings) {
          assertEquals(
              new RequestRef(a, ~a, m, p).hashCode(),
              new HttpConnections.RequestKey(a, ~a, m, p).hashCode());
          assertEquals(
              new HttpConnections.RequestKey(a, ~a, m, p),
              new HttpConnections.RequestKey(a, ~a, m == null ? null : new String(m), p));
        }
      }
    }
  }

  @Test
  void everyComponentCountsInEquals() {
    PairAggregator.Key k = new PairAggregator.Key(4, 1, 2, 3, 4, 80);
    assertEquals(k, new PairAggregator.Key(4, 1, 2, 3, 4, 80));
    assertNotEquals(k, new PairAggregator.Key(6, 1, 2, 3, 4, 80));
    assertNotEquals(k, new PairAggregator.Key(4, 9, 2, 3, 4, 80));
    assertNotEquals(k, new PairAggregator.Key(4, 1, 9, 3, 4, 80));
    assertNotEquals(k, new PairAggregator.Key(4, 1, 2, 9, 4, 80));
    assertNotEquals(k, new PairAggregator.Key(4, 1, 2, 3, 9, 80));
    assertNotEquals(k, new PairAggregator.Key(4, 1, 2, 3, 4, 81));
    HttpConnections.Pair p = new HttpConnections.Pair(1, 2, 3, 4, 80);
    assertEquals(p, new HttpConnections.Pair(1, 2, 3, 4, 80));
    assertNotEquals(p, new HttpConnections.Pair(9, 2, 3, 4, 80));
    assertNotEquals(p, new HttpConnections.Pair(1, 9, 3, 4, 80));
    assertNotEquals(p, new HttpConnections.Pair(1, 2, 9, 4, 80));
    assertNotEquals(p, new HttpConnections.Pair(1, 2, 3, 9, 80));
    assertNotEquals(p, new HttpConnections.Pair(1, 2, 3, 4, 81));
    HttpConnections.RequestKey r = new HttpConnections.RequestKey(1, 2, "GET", "/a");
    assertNotEquals(r, new HttpConnections.RequestKey(9, 2, "GET", "/a"));
    assertNotEquals(r, new HttpConnections.RequestKey(1, 9, "GET", "/a"));
    assertNotEquals(r, new HttpConnections.RequestKey(1, 2, "PUT", "/a"));
    assertNotEquals(r, new HttpConnections.RequestKey(1, 2, "GET", "/b"));
    assertNotEquals(r, new HttpConnections.RequestKey(1, 2, null, "/a"));
  }
}
