package io.connscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Views over a JSON report (Jackson tree) shared by the Markdown and HTML renderers: the verdict
 * (finding types by time lost), client/server pairs and their connection use, and number
 * formatting with a fixed locale. Everything is ordered deterministically.
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
  record Verdict(String type, int count, long costMicros, List<String> connections, JsonNode costliest) {}

  /** Finding types, costliest first (then by type). */
  static List<Verdict> verdicts(JsonNode report) {
    Map<String, List<JsonNode>> byType = new TreeMap<>();
    for (JsonNode f : report.path("findings")) {
      byType.computeIfAbsent(f.path("type").asText(), k -> new ArrayList<>()).add(f);
    }
    List<Verdict> out = new ArrayList<>();
    for (Map.Entry<String, List<JsonNode>> e : byType.entrySet()) {
      long cost = 0;
      JsonNode top = null;
      TreeSet<String> conns = new TreeSet<>(Comparator.comparingLong(JsonReportWriter::connectionNumber)
          .thenComparing(Comparator.naturalOrder()));
      for (JsonNode f : e.getValue()) {
        cost += f.path("cost_us").asLong();
        if (top == null || f.path("cost_us").asLong() > top.path("cost_us").asLong()) {
          top = f;
        }
        if (f.hasNonNull("connection")) {
          conns.add(f.get("connection").asText());
        }
      }
      out.add(new Verdict(e.getKey(), e.getValue().size(), cost, List.copyOf(conns), top));
    }
    out.sort(Comparator.comparingLong(Verdict::costMicros).reversed().thenComparing(Verdict::type));
    return out;
  }

  /** Severity rank for sorting: error first. */
  static int severityRank(String s) {
    return switch (s) {
      case "error" -> 0;
      case "warning" -> 1;
      default -> 2;
    };
  }

  /** Findings, costliest first; ties keep the report's order (connection, transaction, frame). */
  static List<JsonNode> findingsByCost(JsonNode report) {
    List<JsonNode> l = new ArrayList<>();
    report.path("findings").forEach(l::add);
    l.sort(Comparator.comparingLong((JsonNode f) -> -f.path("cost_us").asLong())
        .thenComparingInt(f -> severityRank(f.path("severity").asText())));
    return l;
  }

  /** The connections of one client address talking to one server address and port. */
  record Pair(String client, String server, List<JsonNode> connections, long transactions,
      int maxPerConnection, int maxParallel, int maxPipeline, String pattern, String closes) {}

  static String endpoint(JsonNode ep) {
    String ip = ep.path("ip").asText();
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + ep.path("port").asInt();
  }

  static List<Pair> pairs(JsonNode report) {
    Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
    for (JsonNode c : report.path("connections")) {
      String key = c.path("client").path("ip").asText() + " " + endpoint(c.path("server"));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
    }
    List<Pair> out = new ArrayList<>();
    for (List<JsonNode> cs : groups.values()) {
      long txns = 0;
      int perConn = 0;
      int pipeline = 0;
      TreeMap<String, Integer> closes = new TreeMap<>();
      for (JsonNode c : cs) {
        int n = c.path("transactions").size();
        txns += n;
        perConn = Math.max(perConn, n);
        pipeline = Math.max(pipeline, c.path("http").path("max_pipeline_depth").asInt());
        String reason = c.path("close").path("reason").asText("open");
        String by = c.path("close").path("first_by").asText("");
        closes.merge(reason + (by.isEmpty() || "null".equals(by) ? "" : " by " + by), 1, Integer::sum);
      }
      int parallel = maxParallel(cs);
      List<String> p = new ArrayList<>();
      if (parallel > 1) {
        p.add("parallel (" + parallel + " at once)");
      } else if (cs.size() > 1) {
        p.add("serial");
      }
      if (perConn > 1) {
        p.add("persistent");
      } else if (txns > 0) {
        p.add("one request per connection");
      }
      if (pipeline > 1) {
        p.add("pipelined (depth " + pipeline + ")");
      }
      if (txns == 0) {
        p.add("no HTTP");
      }
      StringBuilder cl = new StringBuilder();
      for (Map.Entry<String, Integer> e : closes.entrySet()) {
        cl.append(cl.length() == 0 ? "" : ", ").append(e.getValue()).append(" ").append(e.getKey());
      }
      JsonNode first = cs.get(0);
      out.add(new Pair(first.path("client").path("ip").asText(), endpoint(first.path("server")), cs, txns,
          perConn, parallel, pipeline, String.join(", ", p), cl.toString().replace('_', ' ')));
    }
    return out;
  }

  /** Most connections of the list open at the same time (start to end, inclusive). */
  static int maxParallel(List<JsonNode> cs) {
    List<long[]> ev = new ArrayList<>();
    for (JsonNode c : cs) {
      ev.add(new long[] {c.path("start_us").asLong(), 1});
      ev.add(new long[] {c.path("end_us").asLong(), -1});
    }
    // at equal times a start counts before an end: touching connections overlap
    ev.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1]));
    int cur = 0;
    int max = 0;
    for (long[] e : ev) {
      cur += (int) e[1];
      max = Math.max(max, cur);
    }
    return max;
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

  /** Capture-quality problems, one line each (warnings and damaged connections); empty when clean. */
  static List<String> qualityProblems(JsonNode report) {
    List<String> out = new ArrayList<>();
    for (JsonNode w : report.path("capture").path("warnings")) {
      out.add(w.path("code").asText() + ": " + w.path("count").asLong() + " (first at frame "
          + w.path("first_frame").asLong() + ")" + (w.hasNonNull("detail") ? ": " + w.get("detail").asText() : ""));
    }
    long gaps = 0;
    long inferred = 0;
    for (JsonNode c : report.path("connections")) {
      gaps += c.path("client_to_server").path("gaps").asLong() + c.path("server_to_client").path("gaps").asLong();
      if (c.path("roles_inferred").asBoolean()) {
        inferred++;
      }
    }
    if (gaps > 0) {
      out.add("content gaps (packets missing from the capture): " + gaps);
    }
    if (inferred > 0) {
      out.add("connections without a handshake (client/server roles inferred): " + inferred);
    }
    return out;
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
