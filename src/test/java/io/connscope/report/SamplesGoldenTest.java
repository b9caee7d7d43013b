package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests (Zeek btest style): every capture in samples/ is analysed and its JSON report
 * compared byte for byte with src/test/resources/golden/NAME.json, validated against the JSON
 * Schema, and produced twice to prove determinism. Regenerate the goldens after an intended change
 * with {@code mvn test -Dtest=SamplesGoldenTest -Dgolden.update=true} and review the diff.
 */
class SamplesGoldenTest {
  static final Path SAMPLES = Paths.get("samples");
  static final Path GOLDEN = Paths.get("src/test/resources/golden");

  static Stream<Path> samples() throws IOException {
    try (Stream<Path> s = Files.list(SAMPLES)) {
      List<Path> l =
          s.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
              .sorted()
              .toList();
      return l.stream();
    }
  }

  static JsonSchema schema() throws IOException {
    try (InputStream in = SamplesGoldenTest.class.getResourceAsStream("/schema/report-v1.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void reportMatchesGolden(Path sample) throws IOException {
    String report = Reports.json(sample);
    assertEquals(report, Reports.json(sample), "same input, same bytes");
    JsonNode doc = new ObjectMapper().readTree(report);
    Set<ValidationMessage> errors = schema().validate(doc);
    assertTrue(errors.isEmpty(), "schema violations: " + errors);
    assertFalse(doc.get("connections").isEmpty(), "a sample shows at least one connection");

    String name = sample.getFileName().toString().replaceAll("\\.pcap(ng)?$", "");
    Path golden = GOLDEN.resolve(name + ".json");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, report, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(golden), "no golden for " + sample + ": run with -Dgolden.update=true");
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), report, "report of " + sample);
  }
}
