package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several formats rendered at once share their passes over the report ({@link
 * SavedReport#render(ReportSource, List, List, int)}): one digest for Markdown and HTML, one pass
 * over the transactions for Markdown's slowest and the HAR, and, for a report this process wrote,
 * each array read from where {@link JsonReportWriter} put it and the connections and transactions
 * in one pass. Every output is the bytes of its format rendered alone from the report file.
 */
class SharedPassesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The formats of one run, in an order that mixes them, Markdown and HAR twice. */
  private static final List<ReportFormat> MIXED =
      List.of(
          ReportFormat.HAR,
          ReportFormat.MARKDOWN,
          ReportFormat.JSON,
          ReportFormat.HTML,
          ReportFormat.HAR,
          ReportFormat.MARKDOWN);

  @TempDir Path tmp;

  static Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  /** The report file written by a JsonReportWriter from {@code tree}'s records, and the writer. */
  private JsonReportWriter write(JsonNode tree, Path file) throws IOException {
    return write(tree, file, false);
  }

  /**
   * As {@link #write(JsonNode, Path)}; with {@code heads}, the writer keeps them ({@link #heads}).
   */
  private JsonReportWriter write(JsonNode tree, Path file, boolean heads) throws IOException {
    try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      JsonReportWriter w = new JsonReportWriter(o, "test");
      if (heads) {
        this.heads = w.keepHeads();
      }
      ReportSource.of(tree).replay(w);
      return w;
    }
  }

  /** The heads the last writer kept. */
  private HeadRows heads;

  private static String alone(Path file, ReportFormat f, int drawn) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SavedReport.render(file, f, out, drawn);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Renders {@link #MIXED} at once from {@code src}. */
  private static List<String> atOnce(ReportSource src, int drawn) throws IOException {
    List<ByteArrayOutputStream> outs = new ArrayList<>();
    for (int i = 0; i < MIXED.size(); i++) {
      outs.add(new ByteArrayOutputStream());
    }
    SavedReport.render(src, MIXED, new ArrayList<OutputStream>(outs), drawn);
    List<String> s = new ArrayList<>();
    for (ByteArrayOutputStream o : outs) {
      s.add(o.toString(StandardCharsets.UTF_8));
    }
    return s;
  }

  private void sameAsAlone(JsonNode tree, String what) throws IOException {
    Path file = tmp.resolve("r.json");
    for (int drawn : new int[] {0, 2}) {
      JsonReportWriter w = write(tree, file, true); // the heads are read once
      List<String> written =
          atOnce(
              ReportSource.written(file, w.connectionsOffset(), w.findingsOffset(), heads), drawn);
      heads.close();
      List<String> opened = atOnce(ReportSource.open(file), drawn);
      for (int i = 0; i < MIXED.size(); i++) {
        String expected = alone(file, MIXED.get(i), drawn);
        assertEquals(expected, written.get(i), what + ": " + MIXED.get(i) + " #" + i + ", written");
        assertEquals(expected, opened.get(i), what + ": " + MIXED.get(i) + " #" + i + ", opened");
      }
    }
  }

  /**
   * A report whose connections list their transactions before their other fields (not connscope's
   * order, another writer's) gives the same bytes in every format: read from the file, each
   * connection's transactions wait for its fields.
   */
  @Test
  void transactionsBeforeTheirConnectionsFieldsGiveTheSameBytes() throws IOException {
    JsonNode tree = MAPPER.readTree(Reports.json(Path.of("samples/keepalive-get.pcap")));
    ArrayNode moved = MAPPER.createArrayNode();
    for (JsonNode c : tree.path("connections")) {
      ObjectNode m = MAPPER.createObjectNode();
      m.set("transactions", c.path("transactions"));
      c.fields()
          .forEachRemaining(
              e -> {
                if (!"transactions".equals(e.getKey())) {
                  m.set(e.getKey(), e.getValue());
                }
              });
      moved.add(m);
    }
    assertTrue(moved.size() > 1 && moved.get(0).path("transactions").size() > 1);
    ObjectNode file = tree.deepCopy();
    file.set("connections", moved);
    Path path = tmp.resolve("moved.json");
    Files.writeString(path, MAPPER.writeValueAsString(file));
    for (int drawn : new int[] {0, 2}) {
      assertEquals(atOnce(ReportSource.of(tree), drawn), atOnce(ReportSource.open(path), drawn));
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyFormatAtOnceGivesTheBytesOfEachAlone(Path sample) throws IOException {
    sameAsAlone(MAPPER.readTree(Reports.json(sample)), sample.toString());
  }

  /**
   * A connection with more transactions than a connection view keeps (those beyond are counted, not
   * built): its first transaction repeated 250 times, and the findings that name one.
   */
  @Test
  void aConnectionBeyondTheTransactionsKeptGivesTheSameBytes() throws IOException {
    ObjectNode tree =
        (ObjectNode) MAPPER.readTree(Reports.json(Path.of("samples/keepalive-get.pcap")));
    ObjectNode c = (ObjectNode) tree.path("connections").get(0);
    JsonNode first = c.path("transactions").get(0);
    ArrayNode txs = MAPPER.createArrayNode();
    int n = ReportSource.TRANSACTIONS_KEPT * 2 + 50;
    for (int i = 0; i < n; i++) {
      ObjectNode t = first.deepCopy();
      t.put("index", i);
      t.put("request_start_us", first.path("request_start_us").asLong() + i);
      txs.add(t);
    }
    c.set("transactions", txs);
    sameAsAlone(tree, "250 transactions on one connection");
    // the views count them all, keep the first ones
    Path file = tmp.resolve("r.json");
    JsonReportWriter w = write(tree, file);
    int[] seen = {0, -1, -1};
    ReportSource src = ReportSource.written(file, w.connectionsOffset(), w.findingsOffset(), null);
    src.connectionsAndTransactions(
        v -> {
          if (seen[1] < 0) {
            seen[1] = v.transactionsRead();
            seen[2] = v.transactions().size();
          }
        },
        (k, t) -> seen[0]++);
    assertEquals(n, seen[1]);
    assertEquals(ReportSource.TRANSACTIONS_KEPT, seen[2]);
    assertTrue(seen[0] >= n, "every transaction handed over: " + seen[0]);
  }

  /**
   * The digest's pass over a report whose writer kept the heads: a view per connection holding the
   * head that the record read from the report gives, and, bound when asked, the record and the
   * transactions that reading the report gives; the rows are read once, then the report is.
   */
  @ParameterizedTest
  @MethodSource("samples")
  void theHeadsKeptAreThoseOfTheConnectionsRead(Path sample) throws IOException {
    Path file = tmp.resolve("r.json");
    JsonReportWriter w = write(MAPPER.readTree(Reports.json(sample)), file, true);
    List<ReportSource.ConnectionView> eager = new ArrayList<>();
    ReportSource.written(file, w.connectionsOffset(), w.findingsOffset(), null)
        .connectionsAndTransactions(eager::add, null);
    ReportSource src = ReportSource.written(file, w.connectionsOffset(), w.findingsOffset(), heads);
    for (int pass = 0; pass < 2; pass++) {
      List<ReportSource.ConnectionView> views = new ArrayList<>();
      src.connectionsAndTransactions(views::add, null);
      assertEquals(eager.size(), views.size());
      for (int i = 0; i < eager.size(); i++) {
        ReportSource.ConnectionView e = eager.get(i);
        ReportSource.ConnectionView v = views.get(i);
        assertEquals(ReportSource.Head.of(e.connection()), v.head(), sample + " #" + i);
        assertEquals(e.transactionsRead(), v.transactionsRead());
        assertEquals(e.connection(), v.connection());
        assertEquals(e.transactions(), v.transactions());
      }
    }
    heads.close();
  }

  /** A row that does not say where its connection is in the report is an error, never a guess. */
  @Test
  void aHeadThatDoesNotMatchTheReportIsAnError() throws IOException {
    Path file = tmp.resolve("r.json");
    JsonReportWriter w =
        write(MAPPER.readTree(Reports.json(Path.of("samples/keepalive-get.pcap"))), file, true);
    // the report's connections array said to start one byte later: every offset is off by one
    ReportSource src =
        ReportSource.written(file, w.connectionsOffset() + 1, w.findingsOffset(), heads);
    IOException e =
        assertThrows(IOException.class, () -> src.connectionsAndTransactions(v -> v.bound(), null));
    assertTrue(e.getMessage().contains("not as written"), e.getMessage());
    heads.close();
  }

  @Test
  void theWriterSaysWhereItsArraysStart() throws IOException {
    Path file = tmp.resolve("r.json");
    JsonReportWriter w =
        write(MAPPER.readTree(Reports.json(Path.of("samples/keepalive-get.pcap"))), file);
    byte[] b = Files.readAllBytes(file);
    String before = new String(b, 0, (int) w.connectionsOffset() + 1, StandardCharsets.UTF_8);
    assertTrue(before.endsWith("\"connections\":["), before);
    String rest = new String(b, 0, (int) w.findingsOffset() + 1, StandardCharsets.UTF_8);
    assertTrue(rest.endsWith("],\n\"findings\":["), rest);
  }
}
