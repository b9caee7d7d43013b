package io.connscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pieces shared by the Markdown and HTML renderers (gathered by {@link ReportDigest}): the verdict
 * of a finding type, a client/server pair and its connection use, and number formatting with a
 * fixed locale. Everything is ordered deterministically.
 */
final class ReportModel {
  private ReportModel() {}

  /** Readable names of the finding types connscope knows; other types show their id. */
  private static final Map<String, String> TITLES = Map.of(
      "tcp.nagle_delay", "Nagle delay",
      "tcp.delayed_ack_stall", "Delayed-ACK stall");

  static String title(String type) {
    return TITLES.getOrDefault(type, type);
  }

  /** One finding type across the capture. */
  record Verdict(String type, int count, long costMicros, List<String> connections, JsonNode costliest,
      long moreConnections) {
    /** "C1, C2" or "the capture", with "and N more connections" beyond the ones listed. */
    String where() {
      String s = String.join(", ", connections.isEmpty() ? List.of("the capture") : connections);
      return moreConnections > 0 ? s + " and " + moreConnections + " more connections" : s;
    }
  }

  /** Severity rank for sorting: error first. */
  static int severityRank(String s) {
    return switch (s) {
      case "error" -> 0;
      case "warning" -> 1;
      default -> 2;
    };
  }

  /** The connections of one client address talking to one server address and port. */
  record Pair(String client, String server, List<JsonNode> connections, int connectionCount, long transactions,
      int maxPerConnection, int maxParallel, int maxPipeline, String pattern, String closes) {}

  static String endpoint(JsonNode ep) {
    String ip = ep.path("ip").asText();
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + ep.path("port").asInt();
  }

  /** Microseconds as milliseconds with one decimal, "-" when negative or missing. */
  static String ms(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? "-" : Text.ms(n.asLong());
  }

  static String ms(long us) {
    return Text.ms(us);
  }

  /** Microseconds as milliseconds with three decimals (for ladders). */
  static String ms3(long us) {
    return String.format(Locale.ROOT, "%.3f ms", us / 1000.0);
  }

  /** Evidence frames as "10, 11, 12". */
  static String frames(JsonNode f) {
    StringBuilder b = new StringBuilder();
    for (JsonNode n : f.path("evidence").path("frames")) {
      b.append(b.length() == 0 ? "" : ", ").append(n.asLong());
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  static String where(JsonNode f) {
    String c = f.hasNonNull("connection") ? f.get("connection").asText() : "capture";
    return f.has("transaction") ? c + " #" + f.get("transaction").asInt() : c;
  }

  /** A string field, or null when absent or null. */
  static String str(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** "METHOD URI" of a transaction ("-" for missing parts). */
  static String request(JsonNode t) {
    String m = str(t, "method");
    String u = str(t, "uri");
    return (m == null ? "-" : m) + " " + (u == null ? "-" : u);
  }

  /** Input file names, comma separated. */
  static String files(JsonNode report) {
    StringBuilder b = new StringBuilder();
    for (JsonNode f : report.path("capture").path("files")) {
      b.append(b.length() == 0 ? "" : ", ").append(f.path("name").asText());
    }
    return b.toString();
  }

  /**
   * The status of a transaction in words: its code, "response not captured" (the client
   * acknowledged a response the capture lost), or "no response".
   */
  static String outcome(JsonNode t) {
    if (t.path("status").asInt() > 0) {
      return String.valueOf(t.path("status").asInt());
    }
    return t.has("response_not_captured") ? "response not captured" : "no response";
  }
}
