package io.connscope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** ResultBuilder's group key hashes as the generated record method did; both parts count. */
class GroupKeyTest {
  private record Ref(String type, long unit) {}

  @Test
  void hashesAsTheRecordDidAndComparesBothParts() {
    for (String type : new String[] {null, "", "tcp.delayed_ack", "http.unanswered"}) {
      for (long unit : new long[] {0, 5, -1, -1 - 123_456_789_012L, Long.MIN_VALUE}) {
        assertEquals(
            new Ref(type, unit).hashCode(), new ResultBuilder.GroupKey(type, unit).hashCode());
        assertEquals(
            new ResultBuilder.GroupKey(type, unit),
            new ResultBuilder.GroupKey(type == null ? null : new String(type), unit));
      }
    }
    ResultBuilder.GroupKey k = new ResultBuilder.GroupKey("tcp.nagle", 3);
    assertNotEquals(k, new ResultBuilder.GroupKey("tcp.nagle", 4));
    assertNotEquals(k, new ResultBuilder.GroupKey("tcp.naglf", 3));
    assertNotEquals(k, new ResultBuilder.GroupKey(null, 3));
  }
}
