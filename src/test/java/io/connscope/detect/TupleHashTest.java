package io.connscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** TimeWaitReuseDetector's 4-tuple hashes as the generated record method did, all parts count. */
class TupleHashTest {
  private record Ref(int v, long cHi, long cLo, int cPort, long sHi, long sLo, int sPort) {}

  @Test
  void hashesAsTheRecordDidAndComparesEveryPart() {
    long[] longs = {0, 1, -1, 0x0000FFFF7F000001L, Long.MIN_VALUE};
    int[] ints = {0, 80, 65535, -3};
    for (long a : longs) {
      for (int p : ints) {
        assertEquals(
            new Ref(4, a, ~a, p, a, a, 80).hashCode(),
            new TimeWaitReuseDetector.Tuple(4, a, ~a, p, a, a, 80).hashCode());
      }
    }
    TimeWaitReuseDetector.Tuple t = new TimeWaitReuseDetector.Tuple(4, 1, 2, 3, 4, 5, 6);
    assertEquals(t, new TimeWaitReuseDetector.Tuple(4, 1, 2, 3, 4, 5, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(6, 1, 2, 3, 4, 5, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(4, 9, 2, 3, 4, 5, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(4, 1, 9, 3, 4, 5, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(4, 1, 2, 9, 4, 5, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(4, 1, 2, 3, 9, 5, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(4, 1, 2, 3, 4, 9, 6));
    assertNotEquals(t, new TimeWaitReuseDetector.Tuple(4, 1, 2, 3, 4, 5, 9));
  }
}
