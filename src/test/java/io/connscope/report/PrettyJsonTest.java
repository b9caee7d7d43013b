package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * {@link PrettyJson}'s values and field fragments make the bytes Jackson's pretty-printing
 * generator writes.
 */
class PrettyJsonTest {
  /** The calls of one document, made on either writer. */
  private interface Doc {
    void startObject() throws IOException;

    void endObject() throws IOException;

    void objectField(String n) throws IOException;

    void arrayField(String n) throws IOException;

    void startArray() throws IOException;

    void endArray() throws IOException;

    void str(String n, String v) throws IOException;

    void num(String n, long v) throws IOException;

    /** Microseconds as milliseconds with three decimals ({@code BigDecimal.valueOf(us, 3)}). */
    void millis(String n, long us) throws IOException;

    void bool(String n, boolean v) throws IOException;

    void number(long v) throws IOException;

    void string(String v) throws IOException;

    void nul() throws IOException;
  }

  private static void document(Doc d) throws IOException {
    d.startObject();
    d.str("plain", "GET");
    d.str("escaped", "q\" b\\ \n\r\t\b\f \u0001\u001f \u007f é € 😀 \u2028 </script>");
    d.str("backslash", "a\\b");
    d.str("empty", "");
    d.str("null", null);
    d.num("negative", -1);
    d.num("big", Long.MAX_VALUE);
    for (long us :
        new long[] {
          0,
          1,
          -1,
          9,
          10,
          99,
          100,
          999,
          1000,
          1001,
          222,
          158_000,
          -1500,
          Integer.MAX_VALUE,
          Integer.MAX_VALUE + 1L,
          -(Integer.MAX_VALUE + 1L),
          123456789012L,
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          Long.MIN_VALUE + 1
        }) {
      d.millis("us " + us, us);
    }
    d.num("smallest", Long.MIN_VALUE);
    d.num("zero", 0);
    d.bool("t", true);
    d.bool("f", false);
    d.arrayField("empty array");
    d.endArray();
    d.objectField("empty object");
    d.endObject();
    d.arrayField("numbers");
    d.number(1);
    d.number(-2);
    d.endArray();
    d.arrayField("mixed");
    d.nul();
    d.string("a");
    d.string(null);
    d.endArray();
    d.arrayField("objects");
    for (int i = 0; i < 3; i++) {
      d.startObject();
      d.str("name", "h" + i);
      d.arrayField("inner");
      d.startObject();
      d.endObject();
      d.startArray();
      d.endArray();
      d.endArray();
      d.objectField("deeper");
      d.num("n", i);
      d.endObject();
      d.endObject();
    }
    d.endArray();
    d.endObject();
  }

  private static String jackson(int extra) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DefaultIndenter base = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter.Indenter deeper =
        new DefaultPrettyPrinter.Indenter() {
          @Override
          public void writeIndentation(JsonGenerator g, int level) throws IOException {
            base.writeIndentation(g, level + extra);
          }

          @Override
          public boolean isInline() {
            return false;
          }
        };
    try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(deeper));
      document(
          new Doc() {
            public void startObject() throws IOException {
              g.writeStartObject();
            }

            public void endObject() throws IOException {
              g.writeEndObject();
            }

            public void objectField(String n) throws IOException {
              g.writeObjectFieldStart(n);
            }

            public void arrayField(String n) throws IOException {
              g.writeArrayFieldStart(n);
            }

            public void startArray() throws IOException {
              g.writeStartArray();
            }

            public void endArray() throws IOException {
              g.writeEndArray();
            }

            public void str(String n, String v) throws IOException {
              g.writeStringField(n, v);
            }

            public void num(String n, long v) throws IOException {
              g.writeNumberField(n, v);
            }

            public void millis(String n, long us) throws IOException {
              g.writeNumberField(n, BigDecimal.valueOf(us, 3));
            }

            public void bool(String n, boolean v) throws IOException {
              g.writeBooleanField(n, v);
            }

            public void number(long v) throws IOException {
              g.writeNumber(v);
            }

            public void string(String v) throws IOException {
              g.writeString(v);
            }

            public void nul() throws IOException {
              g.writeNull();
            }
          });
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The document written with {@link PrettyJson}'s fragments and values, the structure kept here as
   * the HAR writer keeps it in its code: which container is open, whether it has a member yet.
   */
  private static String mine(int extra) throws IOException {
    PrettyJson g = new PrettyJson();
    // reset makes it new; the strings seen before are written from its table of recent ones (a
    // string's bytes are kept when it comes a second time, used from the third)
    for (int round = 0; round < 3; round++) {
      g.reset();
      document(
          new Doc() {
            /** Per open container: 1 for an object, and its members so far. */
            final ArrayDeque<int[]> open = new ArrayDeque<>();

            int objects;

            /** Before a value that is not a field's: an array's separator. */
            void element() {
              int[] top = open.peek();
              if (top != null && top[0] == 0) {
                g.raw(PrettyJson.ascii(top[1]++ == 0 ? " " : ", "));
              }
            }

            void name(String n) {
              int[] top = open.peek();
              g.raw(
                  PrettyJson.ascii(
                      (top[1]++ > 0 ? "," : "") + PrettyJson.field(objects + extra, n)));
            }

            void openObject() {
              g.raw(PrettyJson.ascii("{"));
              open.push(new int[] {1, 0});
              objects++;
            }

            void openArray() {
              g.raw(PrettyJson.ascii("["));
              open.push(new int[] {0, 0});
            }

            public void startObject() {
              element();
              openObject();
            }

            public void endObject() {
              objects--;
              boolean empty = open.pop()[1] == 0;
              g.raw(PrettyJson.ascii(empty ? " }" : PrettyJson.newline(objects + extra) + "}"));
            }

            public void objectField(String n) {
              name(n);
              openObject();
            }

            public void arrayField(String n) {
              name(n);
              openArray();
            }

            public void startArray() {
              element();
              openArray();
            }

            public void endArray() {
              open.pop();
              g.raw(PrettyJson.ascii(" ]"));
            }

            public void str(String n, String v) {
              name(n);
              g.string(v);
            }

            public void num(String n, long v) {
              name(n);
              g.number(v);
            }

            public void millis(String n, long us) {
              name(n);
              g.millis(us);
            }

            public void bool(String n, boolean v) {
              name(n);
              g.bool(v);
            }

            public void number(long v) {
              element();
              g.number(v);
            }

            public void string(String v) {
              element();
              g.string(v);
            }

            public void nul() {
              element();
              g.nul();
            }
          });
    }
    return new String(g.bytes(), 0, g.length(), StandardCharsets.UTF_8);
  }

  @Test
  void writesTheBytesOfJacksonsPrettyPrinter() throws IOException {
    for (int extra : new int[] {0, 2}) {
      assertEquals(jackson(extra), mine(extra), "levels deeper: " + extra);
    }
  }
}
