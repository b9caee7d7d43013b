package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The tchar table holds exactly RFC 7230 3.2.6's token characters, for every byte value. */
class TcharTest {
  @Test
  void exactlyTheTokenCharacters() {
    String token = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int count = 0;
    for (int v = 0; v < 256; v++) {
      boolean expected = v < 128 && token.indexOf(v) >= 0;
      assertEquals(expected, Http1Parser.isTchar((byte) v), "byte " + v);
      count += expected ? 1 : 0;
    }
    assertEquals(77, count);
  }
}
