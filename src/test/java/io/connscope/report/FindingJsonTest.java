package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import io.connscope.result.Severity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FindingJson} writes the bytes the Jackson generator wrote for a finding (the writer it
 * replaced, kept here as the oracle): for every finding of every sample, and for strings and
 * details of every kind.
 */
class FindingJsonTest {
  private static final JsonFactory FACTORY =
      new JsonFactory()
          .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)
          .setRootValueSeparator(null);

  private static String oracle(Finding f) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      writeFinding(g, f);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String direct(FindingJson w, Finding f) {
    w.reset();
    w.write(f);
    return new String(w.bytes(), 0, w.length(), StandardCharsets.UTF_8);
  }

  static java.util.stream.Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void writesEveryFindingOfEverySampleAsTheGeneratorDid(Path sample) throws IOException {
    List<Finding> findings = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode n :
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Reports.json(sample))
            .path("findings")) {
      findings.add(ResultJson.finding(n));
    }
    FindingJson w = new FindingJson();
    for (Finding f : findings) {
      assertEquals(oracle(f), direct(w, f), sample.toString());
    }
  }

  @Test
  void writesStringsAndDetailsOfEveryKindAsTheGeneratorDid() throws IOException {
    Map<String, Object> nested = new TreeMap<>();
    nested.put("k\u00e9\n", List.of(1L, 2.5, Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e300));
    nested.put("i", 7); // an Integer, as a detector may put
    nested.put("f", 1.5f);
    nested.put("o", new StringBuilder("text")); // anything else: its string
    java.util.SortedMap<String, Object> details = new TreeMap<>();
    details.put("z", true);
    details.put("a", java.util.Arrays.asList(null, "x\u0001\"\\", List.of(), Map.of()));
    details.put("m", nested);
    details.put("long", Long.MIN_VALUE);
    Finding f =
        new Finding(
            "tcp.x\u00e9\ud83d\ude00",
            Severity.WARNING,
            Confidence.SUSPECTED,
            null,
            -1,
            -5,
            List.of(1L, Long.MAX_VALUE),
            "frame.number in {1}\t\ud800",
            "s \"quoted\" </script>",
            null,
            details,
            List.of(
                new LadderEntry(3, -7, "c2s", "SYN", 0, -1, 0),
                new LadderEntry(4, 10, "s2c", "SYN,ACK", 9, 1, 1460)),
            new Finding.Occurrences(
                3,
                9,
                5,
                List.of(
                    new Finding.Occurrence("C1", 2, 5, List.of(9L)),
                    new Finding.Occurrence(null, -1, 1, List.of())),
                List.of(
                    new Finding.Occurrence("C1", 2, 5, List.of()),
                    new Finding.Occurrence(null, -1, 1, List.of())),
                7));
    FindingJson w = new FindingJson();
    assertEquals(oracle(f), direct(w, f));
    // and again through the same writer: nothing carried over
    assertEquals(oracle(f), direct(w, f));
    Finding plain =
        new Finding(
            "t",
            Severity.INFO,
            Confidence.CONFIRMED,
            "C2",
            0,
            0,
            List.of(),
            "",
            "",
            "",
            new TreeMap<>(),
            List.of(),
            null);
    assertEquals(oracle(plain), direct(w, plain));
    assertEquals(oracle(f), direct(w, f), "the strings kept for the slots changed and back");
  }

  /** The writer FindingJson replaced (JsonReportWriter.writeFinding, stop 31): the oracle. */
  private static void writeFinding(JsonGenerator g, Finding f) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", f.type());
    g.writeStringField("severity", f.severity().id());
    g.writeStringField("confidence", f.confidence().id());
    g.writeStringField("connection", f.connection());
    if (f.transaction() >= 0) {
      g.writeNumberField("transaction", f.transaction());
    }
    g.writeNumberField("cost_us", f.costUs());
    g.writeObjectFieldStart("evidence");
    g.writeArrayFieldStart("frames");
    for (long fr : f.frames()) {
      g.writeNumber(fr);
    }
    g.writeEndArray();
    g.writeStringField("display_filter", f.displayFilter());
    g.writeEndObject();
    g.writeStringField("summary", f.summary());
    g.writeStringField("fix", f.fix());
    if (f.details() != null && !f.details().isEmpty()) {
      g.writeFieldName("details");
      writeValue(g, f.details());
    }
    Finding.Occurrences o = f.occurrences();
    if (o != null) { // since 1.3.0: the occurrences of one problem on one client/server pair
      g.writeObjectFieldStart("occurrences");
      g.writeNumberField("count", o.count());
      g.writeNumberField("total_us", o.totalUs());
      g.writeNumberField("worst_us", o.worstUs());
      g.writeArrayFieldStart("worst");
      for (Finding.Occurrence w : o.worst()) {
        g.writeStartObject();
        g.writeStringField("connection", w.connection());
        if (w.transaction() >= 0) {
          g.writeNumberField("transaction", w.transaction());
        }
        g.writeNumberField("cost_us", w.costUs());
        g.writeArrayFieldStart("frames");
        for (long fr : w.frames()) {
          g.writeNumber(fr);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      // every occurrence as a compact row: [connection, transaction (null when none), cost_us]
      g.writeArrayFieldStart("rows");
      for (Finding.Occurrence r : o.rows()) {
        g.writeStartArray();
        g.writeString(r.connection());
        if (r.transaction() >= 0) {
          g.writeNumber(r.transaction());
        } else {
          g.writeNull();
        }
        g.writeNumber(r.costUs());
        g.writeEndArray();
      }
      g.writeEndArray();
      if (o.rowsOmitted() > 0) {
        g.writeNumberField("rows_omitted", o.rowsOmitted());
      }
      g.writeEndObject();
    }
    if (!f.ladder().isEmpty()) {
      g.writeArrayFieldStart("ladder");
      for (LadderEntry e : f.ladder()) {
        g.writeStartObject();
        g.writeNumberField("frame", e.frame());
        g.writeNumberField("ts_us", e.tsUs());
        g.writeStringField("dir", e.dir());
        g.writeStringField("flags", e.flags());
        g.writeNumberField("seq", e.seq());
        if (e.ack() >= 0) {
          g.writeNumberField("ack", e.ack());
        } else {
          g.writeNullField("ack");
        }
        g.writeNumberField("len", e.len());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  /** Writes a details value: numbers, strings, booleans, lists and sorted maps of them. */
  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long || v instanceof Integer) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : new java.util.TreeMap<>(m).entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Iterable<?> it) {
      g.writeStartArray();
      for (Object o : it) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(String.valueOf(v));
    }
  }
}
