package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import io.connscope.result.PairSummary;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The JSON schema and the result model describe the same report: every object of the schema has
 * exactly the fields of its record (component names in snake_case), apart from the differences
 * listed here with their reason. A field added to a record and not to the schema (or the other way
 * round) fails here, not in a user's validator.
 */
class SchemaMatchesRecordsTest {
  private static final JsonNode SCHEMA = load();

  private static JsonNode load() {
    try (InputStream in =
        SchemaMatchesRecordsTest.class.getResourceAsStream("/schema/report-v1.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode def(String name) {
    return SCHEMA.path("$defs").path(name);
  }

  private static Set<String> schemaFields(JsonNode object) {
    if (object.has("$ref")) {
      String ref = object.get("$ref").asText();
      object = def(ref.substring(ref.lastIndexOf('/') + 1));
    }
    Set<String> out = new TreeSet<>();
    for (Iterator<String> it = object.path("properties").fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  private static Set<String> recordFields(
      Class<?> record, Set<String> notInJson, Set<String> onlyInJson) {
    Set<String> out = new TreeSet<>();
    for (RecordComponent c : record.getRecordComponents()) {
      String snake = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
      if (!notInJson.contains(snake)) {
        out.add(snake);
      }
    }
    out.addAll(onlyInJson);
    return out;
  }

  private static void same(
      String what,
      JsonNode object,
      Class<?> record,
      Set<String> notInJson,
      Set<String> onlyInJson) {
    assertEquals(
        schemaFields(object),
        recordFields(record, notInJson, onlyInJson),
        what + ": schema fields (expected) against " + record.getSimpleName() + "'s components");
  }

  @Test
  void everyObjectHasTheFieldsOfItsRecord() {
    JsonNode top = SCHEMA.path("properties");
    // the capture object, the summary object and the pairs are three parts of one record
    same("capture", top.path("capture"), CaptureSummary.class, Set.of("totals", "pairs"), Set.of());
    same(
        "capture.files[]",
        top.path("capture").path("properties").path("files").path("items"),
        CaptureSummary.FileSummary.class,
        Set.of(),
        Set.of());
    same(
        "capture.warnings[]",
        top.path("capture").path("properties").path("warnings").path("items"),
        CaptureSummary.Warning.class,
        Set.of(),
        Set.of());
    // handshakes and their total setup time feed the text report only
    same(
        "summary",
        top.path("summary"),
        CaptureSummary.Totals.class,
        Set.of("handshakes", "handshake_us"),
        Set.of());
    // the inferred use is written flat, each field prefixed inferred_ (present only with it)
    same(
        "pair",
        def("pair"),
        PairSummary.class,
        Set.of("inferred"),
        Set.of(
            "inferred_connections",
            "inferred_exchanges",
            "inferred_exchanges_per_connection",
            "inferred_reused_connections",
            "inferred_max_per_connection",
            "inferred_pattern"));
    same(
        "pair.persistent_estimate",
        def("pair").path("properties").path("persistent_estimate"),
        PairSummary.PersistentEstimate.class,
        Set.of(),
        Set.of());
    same("endpoint", def("endpoint"), Endpoint.class, Set.of(), Set.of());
    // a connection's transactions are records of their own, handed over before it
    same("connection", def("connection"), ConnectionResult.class, Set.of(), Set.of("transactions"));
    JsonNode conn = def("connection").path("properties");
    same(
        "connection.handshake",
        conn.path("handshake"),
        ConnectionResult.Handshake.class,
        Set.of(),
        Set.of());
    same("connection.close", conn.path("close"), ConnectionResult.Close.class, Set.of(), Set.of());
    same("connection.http", conn.path("http"), ConnectionResult.Http.class, Set.of(), Set.of());
    same("half", def("half"), ConnectionResult.Half.class, Set.of(), Set.of());
    same(
        "connection.keepalive",
        conn.path("keepalive"),
        ConnectionResult.KeepAliveEnding.class,
        Set.of(),
        Set.of());
    same(
        "connection.stall_summary.*",
        conn.path("stall_summary").path("additionalProperties"),
        ConnectionResult.StallSummary.class,
        Set.of(),
        Set.of());
    // a transaction's connection is the connection it is written in
    same(
        "transaction", def("transaction"), TransactionResult.class, Set.of("connection"), Set.of());
    JsonNode tx = def("transaction").path("properties");
    same(
        "transaction.timings",
        tx.path("timings"),
        TransactionResult.Timings.class,
        Set.of(),
        Set.of());
    same(
        "transaction.timings.stalls[]",
        tx.path("timings").path("properties").path("stalls").path("items"),
        TransactionResult.Stall.class,
        Set.of(),
        Set.of());
    same(
        "transaction.response_not_captured",
        tx.path("response_not_captured"),
        TransactionResult.ResponseNotCaptured.class,
        Set.of(),
        Set.of());
    same(
        "transaction.keepalive",
        tx.path("keepalive"),
        TransactionResult.KeepAliveNegotiation.class,
        Set.of(),
        Set.of());
    // the evidence frames and display filter are grouped under "evidence"
    same(
        "finding",
        def("finding"),
        Finding.class,
        Set.of("frames", "display_filter"),
        Set.of("evidence"));
    same(
        "finding.evidence",
        def("finding").path("properties").path("evidence"),
        Finding.class,
        Set.of(
            "type",
            "severity",
            "confidence",
            "connection",
            "transaction",
            "cost_us",
            "summary",
            "fix",
            "details",
            "ladder",
            "occurrences"),
        Set.of());
    JsonNode occ = def("finding").path("properties").path("occurrences");
    same("finding.occurrences", occ, Finding.Occurrences.class, Set.of(), Set.of());
    same(
        "finding.occurrences.worst[]",
        occ.path("properties").path("worst").path("items"),
        Finding.Occurrence.class,
        Set.of(),
        Set.of());
    same(
        "finding.ladder[]",
        def("finding").path("properties").path("ladder").path("items"),
        LadderEntry.class,
        Set.of(),
        Set.of());
  }
}
