package io.connscope.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderMapTest {
  @Test
  void behavesAsTheLinkedHashMapItReplaces() {
    String[] pairs = {"host", "a.example", "content-length", "12", "server", "nginx", null, null};
    HeaderMap m = HeaderMap.own(pairs, 3);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("host", "a.example");
    expected.put("content-length", "12");
    expected.put("server", "nginx");
    assertEquals(expected, m);
    assertEquals(m, expected);
    assertEquals(expected.hashCode(), m.hashCode());
    assertEquals(expected.toString(), m.toString());
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(m.keySet()));
    assertEquals(List.copyOf(expected.values()), List.copyOf(m.values()));
    assertEquals("12", m.get("content-length"));
    assertEquals("nginx", m.getOrDefault("server", "x"));
    assertNull(m.get("via"));
    assertTrue(m.containsKey("host"));
    assertFalse(m.containsKey("via"));
    assertEquals("server", m.name(2));
    assertEquals("nginx", m.value(2));
    assertThrows(IndexOutOfBoundsException.class, () -> m.name(3));
    assertThrows(UnsupportedOperationException.class, () -> m.put("via", "1.1 p"));
    assertThrows(UnsupportedOperationException.class, () -> m.remove("host"));
    assertThrows(
        UnsupportedOperationException.class, () -> m.entrySet().iterator().next().setValue("b"));
    assertEquals(Map.of(), HeaderMap.own(new String[0], 0));
    assertThrows(NullPointerException.class, () -> HeaderMap.own(new String[] {"host", null}, 1));
  }
}
