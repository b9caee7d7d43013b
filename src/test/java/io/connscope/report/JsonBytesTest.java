package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Numbers as the byte writers of the JSON report write them: as {@code Long.toString}. */
class JsonBytesTest {
  /** Every boundary of a digit count and of the int fast path, and random values of each size. */
  private static List<Long> values() {
    List<Long> l = new ArrayList<>();
    for (long v = 0; v < 100_000; v++) {
      l.add(v);
    }
    for (long p = 1; ; p *= 10) { // to 10^18
      l.add(p - 1);
      l.add(p);
      l.add(p + 1);
      if (p > Long.MAX_VALUE / 10) {
        break;
      }
    }
    for (long v :
        new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 1L << 32, Long.MAX_VALUE}) {
      l.add(v - 1);
      l.add(v);
    }
    SplittableRandom r = new SplittableRandom(18);
    for (int i = 0; i < 200_000; i++) {
      l.add(r.nextLong(Long.MAX_VALUE) >>> r.nextInt(63)); // every magnitude
    }
    return l;
  }

  @Test
  void digitsAreLongToString() {
    byte[] buf = new byte[24];
    for (long v : values()) {
      buf[0] = 'x';
      int end = TransactionJson.digits(buf, 1, v);
      assertEquals("x" + v, new String(buf, 0, end, StandardCharsets.US_ASCII), "digits of " + v);
    }
  }

  @Test
  void numbersAreLongToStringNegativeOnesToo() {
    JsonBytes w = new JsonBytes() {};
    StringBuilder want = new StringBuilder();
    for (long v : values()) {
      w.element(v);
      w.element(-v);
      want.append(want.length() == 0 ? "" : ",").append(v).append(',').append(-v);
    }
    w.element(Long.MIN_VALUE);
    want.append(',').append(Long.MIN_VALUE);
    assertEquals(want.toString(), new String(w.bytes(), 0, w.length(), StandardCharsets.US_ASCII));
  }
}
