package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Independent check of every sample: connscope's transactions (connection, method, URI, final
 * status) equal the list in samples/expected/NAME.tsv, which samples/record.sh wrote from tshark's
 * dissection when it recorded the capture, except for the rows NAME.differs lists, each with the
 * reason found by reading the packets.
 */
class SampleExpectationsTest {
  static Stream<Path> expectations() throws IOException {
    try (Stream<Path> s = Files.list(Paths.get("samples", "expected"))) {
      return s.filter(p -> p.toString().endsWith(".tsv")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("expectations")
  void transactionsMatchTshark(Path tsv) throws IOException {
    String name = tsv.getFileName().toString().replace(".tsv", "");
    Path pcap = Paths.get("samples", name + ".pcap");
    List<String> expected = new ArrayList<>();
    List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
    for (String line : lines.subList(1, lines.size())) {
      if (!line.isBlank()) {
        expected.add(line.strip());
      }
    }
    // known differences, each checked by reading the packets: NAME.differs holds "- ROW" (tshark's
    // row connscope does not give) and "+ ROW" (connscope's row instead), "#" comments saying why
    Path differs = tsv.resolveSibling(name + ".differs");
    if (Files.exists(differs)) {
      for (String line : Files.readAllLines(differs, StandardCharsets.UTF_8)) {
        if (line.startsWith("- ")) {
          assertTrue(expected.remove(line.substring(2).strip()), "not a row of tshark's: " + line);
        } else if (line.startsWith("+ ")) {
          expected.add(line.substring(2).strip());
        }
      }
    }
    // an HTTPS sample comes with its key log (samples/record-tls.sh): tshark's rows were
    // written with it, connscope decrypts with it
    io.connscope.analysis.AnalysisConfig config = new io.connscope.analysis.AnalysisConfig();
    Path keylog = Paths.get("samples", name + ".keylog");
    if (Files.exists(keylog)) {
      config.tlsKeys.add(Files.readString(keylog, StandardCharsets.ISO_8859_1));
    }
    JsonNode report = new ObjectMapper().readTree(Reports.json(config, pcap));
    List<String> got = new ArrayList<>();
    int conn = 0;
    for (JsonNode c : report.get("connections")) {
      if (c.get("transactions").isEmpty()) {
        continue;
      }
      for (JsonNode t : c.get("transactions")) {
        // tshark shows a status for a complete final response, and for one whose bytes the
        // capture did not keep (snaplen: tshark dissects what is there); "-" for a response the
        // server cut short
        boolean answered =
            t.get("status").asInt() > 0
                && (t.get("response_complete").asBoolean()
                    || t.get("gap_affected").asBoolean()
                    || t.get("response_body_gap_bytes").asLong() > 0);
        // a response without a request (one-sided capture) has no method or URI: "-" in the TSV
        got.add(
            conn
                + "\t"
                + textOrDash(t.get("method"))
                + "\t"
                + textOrDash(t.get("uri"))
                + "\t"
                + (answered ? String.valueOf(t.get("status").asInt()) : "-"));
      }
      conn++;
    }
    // rows of one connection keep their order; connections are compared in connection order
    java.util.Comparator<String> byConnection =
        java.util.Comparator.comparingInt(r -> Integer.parseInt(r.substring(0, r.indexOf('\t'))));
    expected.sort(byConnection);
    got.sort(byConnection);
    assertEquals(String.join("\n", expected), String.join("\n", got), name);
  }

  private static String textOrDash(JsonNode n) {
    return n == null || n.isNull() ? "-" : n.asText();
  }
}
