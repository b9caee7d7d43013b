package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FindingReader} binds a finding of a written report to the record {@link
 * ResultJson#finding} binds from Jackson's tree of it; slim, without its details and ladder; and
 * with a filter on its connection, only the findings that pass.
 */
class FindingReaderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The findings of the report {@code json} that pass {@code connection}, read directly. */
  private static List<Finding> direct(
      byte[] json, int chunk, Predicate<String> connection, boolean slim) throws IOException {
    List<Finding> out = new ArrayList<>();
    try (TreeReader r = TransactionReaderTest.reader(json, chunk)) {
      FindingReader findings = new FindingReader(r);
      r.beginObject();
      for (String f = r.nextField(); f != null; f = r.nextField()) {
        if (!"findings".equals(f)) {
          r.skipValue();
          continue;
        }
        r.beginArray();
        while (r.nextItem()) {
          Finding x = findings.read(connection, slim);
          if (x != null) {
            out.add(x);
          }
        }
      }
    }
    return out;
  }

  /** The findings of the report {@code json}, bound from Jackson's tree. */
  private static List<Finding> fromTree(byte[] json) throws IOException {
    List<Finding> out = new ArrayList<>();
    for (JsonNode f : MAPPER.readTree(json).path("findings")) {
      out.add(ResultJson.finding(f));
    }
    return out;
  }

  /** {@code f} without its details and ladder. */
  private static Finding slim(Finding f) {
    return new Finding(
        f.type(),
        f.severity(),
        f.confidence(),
        f.connection(),
        f.transaction(),
        f.costUs(),
        f.frames(),
        f.displayFilter(),
        f.summary(),
        f.fix(),
        new TreeMap<>(),
        List.of(),
        f.occurrences());
  }

  static java.util.stream.Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void bindsEveryFindingOfEverySampleAsTheTreeDoes(Path sample) throws IOException {
    byte[] b = Reports.json(sample).getBytes(StandardCharsets.UTF_8);
    List<Finding> want = fromTree(b);
    assertEquals(want, direct(b, 1 << 16, null, false), sample.toString());
    assertEquals(want, direct(b, 7, null, false), sample + " read 7 bytes at a time");
    assertEquals(
        want.stream().map(FindingReaderTest::slim).toList(),
        direct(b, 1 << 16, null, true),
        sample + ", slim");
    // only the findings of the first connection named, and the capture-wide ones
    String first =
        want.stream().map(Finding::connection).filter(c -> c != null).findFirst().orElse("C1");
    Predicate<String> keep = c -> c == null || c.equals(first);
    assertEquals(
        want.stream().filter(f -> keep.test(f.connection())).toList(),
        direct(b, 5, keep, false),
        sample + ", those of " + first);
  }

  /** A report whose findings are {@code findings}. */
  private static byte[] report(String... findings) {
    return ("{\"connections\":[],\"findings\":[" + String.join(",", findings) + "]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bindsWhatTheWriterMayWriteAndWhatItLeavesOut() throws IOException {
    byte[] b =
        report(
            // every part, another order, a field this reader does not know (skipped), escapes,
            // details of every kind of value
            "{\"ladder\":[{\"frame\":3,\"ts_us\":-7,\"dir\":\"c2s\",\"flags\":\"S\",\"seq\":0,"
                + "\"ack\":null,\"len\":0},{\"len\":5,\"extra\":[1,{}]}],\"unknown\":{\"a\":[\"]\"]},"
                + "\"type\":\"tcp.x\\u00e9\",\"severity\":\"warning\",\"confidence\":\"likely\","
                + "\"connection\":\"C12\",\"transaction\":4,\"cost_us\":40000,"
                + "\"evidence\":{\"frames\":[1,2,9223372036854775807],\"display_filter\":\"a \\\"b\\\"\"},"
                + "\"summary\":\"s\\n\",\"fix\":null,\"details\":{\"z\":1.5,\"a\":[1,\"x\",null,true],"
                + "\"m\":{\"k\":12345678901234567890},\"n\":null},"
                + "\"occurrences\":{\"count\":3,\"total_us\":9,\"worst_us\":5,\"worst\":[{\"connection\":"
                + "\"C12\",\"transaction\":4,\"cost_us\":5,\"frames\":[9]},{\"connection\":null,"
                + "\"cost_us\":1}],\"rows\":[[\"C12\",4,5],[\"C13\",null,1],[null,2,3],[]],"
                + "\"rows_omitted\":7}}",
            // nothing at all: every default
            "{}",
            // nulls where objects and arrays go
            "{\"type\":null,\"connection\":null,\"transaction\":null,\"evidence\":null,"
                + "\"details\":null,\"ladder\":null,\"occurrences\":null}",
            "{\"evidence\":{\"frames\":null},\"details\":[1],\"occurrences\":{\"worst\":null,"
                + "\"rows\":null}}");
    List<Finding> want = fromTree(b);
    assertEquals(4, want.size());
    for (int chunk : new int[] {1, 3, 7, 1 << 16}) {
      assertEquals(want, direct(b, chunk, null, false), "read " + chunk + " bytes at a time");
    }
    Finding f = direct(b, 1 << 16, null, false).get(0);
    assertEquals("C12", f.connection());
    assertEquals(-1, f.ladder().get(0).ack());
    assertEquals("null", f.fix());
    assertEquals(
        List.of("C12", "C13", "", ""),
        f.occurrences().rows().stream()
            .map(o -> o.connection() == null ? "" : o.connection())
            .toList());
    assertEquals(3, direct(b, 1 << 16, c -> c == null, false).size(), "those without a connection");
    assertEquals(List.of(f), direct(b, 2, "C12"::equals, false));
    assertTrue(direct(b, 1 << 16, "C13"::equals, false).isEmpty());
  }

  @Test
  void aValueOfAnotherTypeThanWrittenIsAnError() {
    for (String bad :
        new String[] {
          "{\"transaction\":\"3\"}",
          "{\"cost_us\":1.5}",
          "{\"evidence\":{\"frames\":[99999999999999999999]}}",
          "{\"type\":3}",
          "{\"ladder\":[{\"dir\":1}]}",
          "{\"type\":\"x\"",
        }) {
      assertThrows(IOException.class, () -> direct(report(bad), 1 << 16, null, false), bad);
    }
  }
}
