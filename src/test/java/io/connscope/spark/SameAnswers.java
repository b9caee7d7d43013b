package io.connscope.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** {@code connscope analyze}'s report, and the comparison of the Spark job's with it. */
final class SameAnswers {
  private SameAnswers() {}

  /** The JSON report of {@code connscope analyze ARGS} (in this JVM), written under {@code tmp}. */
  static JsonNode analyze(List<String> inputs, Path tmp) throws IOException {
    Path out = tmp.resolve("analyze-" + System.nanoTime() + ".json");
    List<String> args = new ArrayList<>(List.of("analyze"));
    args.addAll(inputs);
    args.addAll(List.of("-o", out.toString()));
    StringWriter err = new StringWriter();
    int code =
        Main.run(args.toArray(new String[0]), new ByteArrayOutputStream(), new PrintWriter(err));
    assertEquals(0, code, err.toString());
    return new ObjectMapper().readTree(out.toFile());
  }

  /** Connections, transactions, findings, pairs and totals equal, whatever their order. */
  static void assertSameAnswers(JsonNode expected, JsonNode actual) {
    assertTrue(expected.path("connections").size() > 0, "the input has connections");
    assertEquals(
        sorted(expected.path("connections"), c -> String.format("%012d", c.path("id").asLong())),
        sorted(actual.path("connections"), c -> String.format("%012d", c.path("id").asLong())));
    assertEquals(
        sorted(expected.path("findings"), SameAnswers::findingKey),
        sorted(actual.path("findings"), SameAnswers::findingKey));
    assertEquals(
        sorted(expected.path("pairs"), JsonNode::toString),
        sorted(actual.path("pairs"), JsonNode::toString));
    assertEquals(expected.path("summary"), actual.path("summary"));
    JsonNode ec = expected.path("capture");
    JsonNode ac = actual.path("capture");
    for (String f :
        List.of(
            "packets",
            "bytes",
            "tcp_packets",
            "start_epoch_us",
            "duration_us",
            "warnings",
            "link_types",
            "filter",
            "filtered_out")) {
      assertEquals(ec.path(f), ac.path(f), "capture." + f);
    }
  }

  private static String findingKey(JsonNode f) {
    return f.toString();
  }

  static List<String> sorted(JsonNode array, java.util.function.Function<JsonNode, String> key) {
    List<JsonNode> list = new ArrayList<>();
    array.forEach(list::add);
    list.sort(Comparator.comparing(key));
    return list.stream().map(JsonNode::toPrettyString).collect(Collectors.toList());
  }
}
