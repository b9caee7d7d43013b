package io.connscope.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqTest {
  @Test
  void comparesAcrossWrap() {
    assertTrue(Seq.lt(0xFFFFFFF0L, 0x10L));
    assertTrue(Seq.gt(0x10L, 0xFFFFFFF0L));
    assertEquals(0x20, Seq.diff(0x10L, 0xFFFFFFF0L));
    assertEquals(-0x20, Seq.diff(0xFFFFFFF0L, 0x10L));
    assertTrue(Seq.leq(5, 5));
    assertTrue(Seq.geq(5, 5));
    assertFalse(Seq.lt(5, 5));
    assertEquals(0x10L, Seq.max(0xFFFFFFF0L, 0x10L));
    assertEquals(0xFFFFFFF0L, Seq.min(0xFFFFFFF0L, 0x10L));
  }

  @Test
  void addWraps() {
    assertEquals(0x0FL, Seq.add(0xFFFFFFF0L, 0x1F));
    assertEquals(0xFFFFFFFFL, Seq.add(0, -1));
  }

  @Test
  void unwrapFollowsTheReference() {
    assertEquals(0x1_0000_0005L, Seq.unwrap(0xFFFF_FFF0L, 5));
    assertEquals(0xFFFF_FFF0L, Seq.unwrap(0x1_0000_0005L, 0xFFFF_FFF0L));
    assertEquals(100, Seq.unwrap(90, 100));
  }
}
