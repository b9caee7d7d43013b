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
import org.junit.jupiter.api.Test;

/** {@link PrettyJson} writes the bytes Jackson's pretty-printing generator writes. */
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

    void dec(String n, BigDecimal v) throws IOException;

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
    d.str("null", null);
    d.num("negative", -1);
    d.num("big", Long.MAX_VALUE);
    d.dec("ms", BigDecimal.valueOf(222, 3));
    d.dec("zero", BigDecimal.valueOf(0, 3));
    d.dec("long ms", BigDecimal.valueOf(123456789012L, 3));
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

            public void dec(String n, BigDecimal v) throws IOException {
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

  private static String mine(int extra) throws IOException {
    PrettyJson g = new PrettyJson(extra);
    // reset makes it new; the strings seen before are written from its table of recent ones (a
    // string's bytes are kept when it comes a second time, used from the third)
    for (int round = 0; round < 3; round++) {
      g.reset();
      document(
          new Doc() {
            public void startObject() {
              g.writeStartObject();
            }

            public void endObject() {
              g.writeEndObject();
            }

            public void objectField(String n) {
              g.writeObjectFieldStart(n);
            }

            public void arrayField(String n) {
              g.writeArrayFieldStart(n);
            }

            public void startArray() {
              g.writeStartArray();
            }

            public void endArray() {
              g.writeEndArray();
            }

            public void str(String n, String v) {
              g.writeStringField(n, v);
            }

            public void num(String n, long v) {
              g.writeNumberField(n, v);
            }

            public void dec(String n, BigDecimal v) {
              g.writeNumberField(n, v);
            }

            public void millis(String n, long us) {
              g.writeMillisField(n, us);
            }

            public void bool(String n, boolean v) {
              g.writeBooleanField(n, v);
            }

            public void number(long v) {
              g.writeNumber(v);
            }

            public void string(String v) {
              g.writeString(v);
            }

            public void nul() {
              g.writeNull();
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
