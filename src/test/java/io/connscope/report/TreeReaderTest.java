package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TreeReader} makes the trees Jackson's readTree makes, node types included. */
class TreeReaderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads through a stream that hands over {@code chunk} bytes at a time (buffer edges). */
  private static JsonNode read(byte[] json, int chunk) throws IOException {
    InputStream in =
        new ByteArrayInputStream(json) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, chunk));
          }
        };
    try (TreeReader r = new TreeReader(in)) {
      return r.value();
    }
  }

  private static void same(String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    JsonNode jackson = MAPPER.readTree(b);
    for (int chunk : new int[] {1, 3, 7, 1 << 16}) {
      JsonNode mine = read(b, chunk);
      assertEquals(jackson, mine, json + " in chunks of " + chunk);
      assertEquals(jackson.toString(), mine.toString());
    }
  }

  static java.util.stream.Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void readsEveryReportAsJacksonDoes(Path sample) throws IOException {
    byte[] b = Reports.json(sample).getBytes(StandardCharsets.UTF_8);
    assertEquals(MAPPER.readTree(b), read(b, 1 << 16), sample.toString());
    assertEquals(MAPPER.readTree(b), read(b, 5), sample.toString());
  }

  @Test
  void numbersAreNodesOfJacksonsTypes() throws IOException {
    same(
        "[0,-0,1,-1,2147483647,2147483648,-2147483648,-2147483649,9223372036854775807,"
            + "9223372036854775808,-9223372036854775808,-9223372036854775809,"
            + "123456789012345678901234567890,1.5,-0.0,0.0,1e3,1E-7,2.5e+10,-3.25E2,0.1]");
    // the types, not only the values
    JsonNode n = read("[1,3000000000,1.0,99999999999999999999]".getBytes(), 64);
    assertTrue(n.get(0).isInt());
    assertTrue(n.get(1).isLong());
    assertTrue(n.get(2).isDouble());
    assertTrue(n.get(3).isBigInteger());
  }

  @Test
  void stringsAreDecodedAsJacksonDecodesThem() throws IOException {
    same(
        "{\"a\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0000\\u001f \\u00e9 \\u2028 \\u20ac\","
            + "\"\\u00e9t\\u00e9\":\"é€😀\",\"pair\":\"\\ud83d\\ude00!\",\"lone\":\"x\\ud800y\","
            + "\"lowFirst\":\"\\udc00\\ud800\",\"empty\":\"\",\"t\":true,\"f\":false,\"n\":null,"
            + "\"o\":{},\"l\":[],\"nested\":[[{}],{\"x\":[null]}]}");
    // a long string with escapes, across buffer edges
    StringBuilder b = new StringBuilder("[\"");
    for (int i = 0; i < 30_000; i++) {
      b.append(i % 97 == 0 ? "\\n" : i % 89 == 0 ? "é" : i % 83 == 0 ? "\\ud83d\\ude00" : "ab");
    }
    b.append("\",1]");
    same(b.toString());
  }

  @Test
  void walksArraysAndObjectsItemByItem() throws IOException {
    byte[] b =
        "[ {\"id\":\"C1\",\"s\":\"]}\\\"[{\",\"transactions\":[{\"a\":[1,{\"b\":\"}\"}]},2]}, 5 ]"
            .getBytes(StandardCharsets.UTF_8);
    try (TreeReader r = new TreeReader(new ByteArrayInputStream(b))) {
      r.beginArray();
      assertTrue(r.nextItem());
      r.beginObject();
      assertEquals("id", r.nextField());
      assertEquals("C1", r.value().asText());
      assertEquals("s", r.nextField());
      assertEquals("]}\"[{", r.value().asText());
      assertEquals("transactions", r.nextField());
      assertEquals('[', r.next());
      r.beginArray();
      assertTrue(r.nextItem());
      r.skipValue(); // brackets and braces in strings are not counted
      assertTrue(r.nextItem());
      assertEquals(2, r.value().asInt());
      assertFalse(r.nextItem());
      assertEquals(null, r.nextField());
      assertTrue(r.nextItem());
      assertEquals(5, r.value().asInt());
      assertFalse(r.nextItem());
    }
  }

  @Test
  void skipsValuesWholeAcrossBufferEdges() throws IOException {
    // strings with escaped quotes and backslashes, brackets and braces in strings, nesting: the
    // skip ends after the value's own end, wherever the reads cut it
    String skipped = "{\"a\":\"x\\\"]}\\\\\",\"b\":[1,{\"c\":\"}\\\\\"},[],{}],\"d\":\"\\\\\"}";
    assertEquals("x\"]}\\", MAPPER.readTree(skipped).get("a").asText()); // what it holds
    byte[] b = ("[ " + skipped + " , [\"[\"] , 7 ]").getBytes(StandardCharsets.UTF_8);
    for (int chunk = 1; chunk <= b.length; chunk++) {
      int n = chunk;
      InputStream in =
          new ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] x, int off, int len) {
              return super.read(x, off, Math.min(len, n));
            }
          };
      try (TreeReader r = new TreeReader(in)) {
        r.beginArray();
        assertTrue(r.nextItem());
        r.skipValue();
        assertTrue(r.nextItem(), "chunks of " + chunk);
        r.skipValue();
        assertTrue(r.nextItem(), "chunks of " + chunk);
        assertEquals(7, r.value().asInt(), "chunks of " + chunk);
        assertFalse(r.nextItem());
      }
    }
  }

  @Test
  void whatIsNotWellFormedIsAnError() {
    for (String bad :
        new String[] {
          "[1,", "{\"a\" 1}", "[1 2]", "\"open", "[tru]", "{\"a\":}", "[-]", "[\"\\x\"]"
        }) {
      assertThrows(IOException.class, () -> read(bad.getBytes(StandardCharsets.UTF_8), 64), bad);
    }
  }
}
