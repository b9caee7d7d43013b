package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Headers#get} finds a kept name whatever String instance it was added or asked with (the
 * parser's, a literal, a copy), and another name by its text.
 */
class HeadersGetTest {
  @Test
  void findsANameByItsTextWhateverTheInstance() {
    Headers h = new Headers();
    h.add(new String("host"), "example.com"); // not the kept list's own string
    h.add("connection", "close");
    h.add(new String("x-other"), "1");
    assertEquals("example.com", h.get("host"));
    assertEquals("example.com", h.get(new String("host")));
    assertEquals("close", h.get(new String("connection")));
    assertEquals("1", h.get("x-other"));
    assertNull(h.get("upgrade"));
    assertNull(h.get(new String("via")));
    assertEquals("host", h.name(0));
  }

  @Test
  void nameIsTellsAKeptNameWhateverTheInstanceItWasAddedWith() {
    Headers h = new Headers();
    h.add(new String("content-length"), "5"); // stored as the kept list's own string
    h.add("connection", "close");
    h.add(new String("x-other"), "1");
    h.addKept(Headers.KEPT.indexOf("transfer-encoding"), "chunked");
    assertTrue(h.nameIs(0, "content-length"));
    assertFalse(h.nameIs(0, "connection"));
    assertTrue(h.nameIs(1, "connection"));
    assertFalse(h.nameIs(2, "content-length"));
    assertTrue(h.nameIs(3, "transfer-encoding"));
    assertFalse(h.nameIs(3, "content-length"));
  }
}
