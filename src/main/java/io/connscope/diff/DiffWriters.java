package io.connscope.diff;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.diff.DiffResult.FindingChange;
import io.connscope.diff.DiffResult.PairDiff;
import io.connscope.diff.DiffResult.PatternDiff;
import io.connscope.diff.DiffResult.Percentiles;
import io.connscope.diff.DiffResult.Stats;
import io.connscope.report.Escape;
import io.connscope.report.Text;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Locale;

/**
 * Renders a {@link DiffResult}: text (for a terminal), Markdown (for a ticket) and JSON (schema
 * {@value #SCHEMA} {@value #SCHEMA_VERSION}, {@code src/main/resources/schema/diff-v1.json}).
 * Strings that came from packets (patterns, Host, finding types read from a saved report, input
 * names) are escaped for each medium.
 */
public final class DiffWriters {
  /** The JSON document's {@code schema}. */
  public static final String SCHEMA = "connscope-diff";
  /** Its version: a field added bumps the minor version, a field renamed or removed the major. */
  public static final String SCHEMA_VERSION = "1.0.0";
  private static final int MAX = 300;

  private DiffWriters() {}

  // ---------------------------------------------------------------- text

  /** Plain text for a terminal. */
  public static void text(DiffResult d, Writer w) {
    PrintWriter o = new PrintWriter(w);
    o.println("connscope diff");
    o.println("verdict: " + Text.safe(d.verdict(), 4 * MAX));
    o.println("before:  " + side(d.before(), false));
    o.println("after:   " + side(d.after(), false));
    o.println();
    o.println("Findings (count, total cost)");
    if (d.findings().isEmpty()) {
      o.println("  none on either side");
    }
    for (FindingChange f : d.findings()) {
      o.printf(Locale.ROOT, "  %-34s %5d, %-9s -> %5d, %-9s %s%n", Text.safe(f.type(), 60),
          f.beforeCount(), Differ.dur(f.beforeCostUs()), f.afterCount(), Differ.dur(f.afterCostUs()), f.status());
    }
    for (PairDiff p : d.pairs()) {
      o.println();
      o.println("Server " + server(p, false));
      o.printf(Locale.ROOT, "  %-40s %-6s %6s %7s %9s %-26s %-26s %10s%n", "pattern", "side", "tx",
          "conn/tx", "setup", "wait p50/p90/p99", "total p50/p90/p99", "bytes");
      rows(o, "(all)", p.before(), p.after());
      for (PatternDiff pd : p.patterns()) {
        rows(o, Text.safe(pd.pattern(), 40), pd.before(), pd.after());
      }
    }
    o.println();
    o.println(gate(d.gate()));
    o.flush();
  }

  private static void rows(PrintWriter o, String name, Stats b, Stats a) {
    row(o, name, "before", b);
    row(o, "", "after", a);
  }

  private static void row(PrintWriter o, String name, String side, Stats s) {
    if (s == null) {
      o.printf(Locale.ROOT, "  %-40s %-6s %6s%n", name, side, "-");
      return;
    }
    o.printf(Locale.ROOT, "  %-40s %-6s %6d %7.2f %9s %-26s %-26s %10d%n", name, side, s.transactions(),
        s.connectionsPerTransaction(), Differ.dur(s.setupUs()), pct(s.waitTime()), pct(s.total()), s.bytes());
  }

  private static String pct(Percentiles p) {
    return p == null ? "-" : Differ.dur(p.p50Us()) + " / " + Differ.dur(p.p90Us()) + " / " + Differ.dur(p.p99Us());
  }

  private static String side(DiffResult.Side s, boolean md) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.inputs().size(); i++) {
      b.append(i == 0 ? "" : ", ").append(md ? Escape.md(s.inputs().get(i)) : Text.safe(s.inputs().get(i), MAX));
    }
    b.append(" (").append(s.connections()).append(" connections, ").append(s.transactions()).append(" transactions");
    if (s.sampled()) {
      b.append("; percentiles over the first ").append(SideStats.MAX_SAMPLES);
    }
    return b.append(')').toString();
  }

  private static String server(PairDiff p, boolean md) {
    String where = switch (p.matchedBy()) {
      case "before_only" -> p.beforeServer() + ", only before";
      case "after_only" -> p.afterServer() + ", only after";
      case "address" -> p.afterServer() + ", matched by address";
      default -> p.beforeServer() + " -> " + p.afterServer() + ", matched by " + p.matchedBy();
    };
    String host = p.host() == null ? "" : "; Host " + (md ? Escape.md(p.host()) : Text.safe(p.host(), MAX));
    return where + host + "; clients " + String.join(", ", p.clients());
  }

  private static String gate(DiffResult.Gate g) {
    String limits = String.format(Locale.ROOT, "(a new finding type; a type's cost +%d ms; a pattern's p90 total"
        + " +%d %% and +%d ms)", g.costMs(), g.p90Pct(), g.p90MinMs());
    if (!g.failed()) {
      return "Regressions: none " + limits;
    }
    StringBuilder b = new StringBuilder("Regressions " + limits + ":");
    for (String r : g.regressions()) {
      b.append(System.lineSeparator()).append("  ").append(Text.safe(r, 2 * MAX));
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- Markdown

  /** GitHub-flavoured Markdown for a ticket comment. */
  public static void markdown(DiffResult d, Writer w) {
    PrintWriter o = new PrintWriter(w);
    o.println("## connscope diff");
    o.println();
    o.println("**Verdict:** " + Escape.md(d.verdict()));
    o.println();
    o.println("- before: " + side(d.before(), true));
    o.println("- after: " + side(d.after(), true));
    o.println();
    o.println("### Findings");
    o.println();
    if (d.findings().isEmpty()) {
      o.println("None on either side.");
    } else {
      o.println("| type | before | after | change |");
      o.println("|---|---:|---:|---|");
      for (FindingChange f : d.findings()) {
        o.println("| " + Escape.mdSpan(f.type()) + " | " + f.beforeCount() + ", " + Differ.dur(f.beforeCostUs())
            + " | " + f.afterCount() + ", " + Differ.dur(f.afterCostUs()) + " | " + f.status() + " |");
      }
    }
    for (PairDiff p : d.pairs()) {
      o.println();
      o.println("### Server " + server(p, true));
      o.println();
      o.println("| pattern | side | tx | conn/tx | setup | wait p50/p90/p99 | total p50/p90/p99 | bytes |");
      o.println("|---|---|---:|---:|---:|---|---|---:|");
      mdRows(o, "(all)", p.before(), p.after());
      for (PatternDiff pd : p.patterns()) {
        mdRows(o, Escape.md(pd.pattern()), pd.before(), pd.after());
      }
    }
    o.println();
    o.println("### Regressions");
    o.println();
    DiffResult.Gate g = d.gate();
    String limits = String.format(Locale.ROOT, "thresholds: a new finding type; a type's cost +%d ms; a pattern's"
        + " p90 total +%d %% and +%d ms", g.costMs(), g.p90Pct(), g.p90MinMs());
    if (!g.failed()) {
      o.println("None (" + limits + ").");
    } else {
      o.println(limits + ":");
      o.println();
      for (String r : g.regressions()) {
        o.println("- " + Escape.md(r));
      }
    }
    o.flush();
  }

  private static void mdRows(PrintWriter o, String name, Stats b, Stats a) {
    mdRow(o, name, "before", b);
    mdRow(o, "", "after", a);
  }

  private static void mdRow(PrintWriter o, String name, String side, Stats s) {
    if (s == null) {
      o.println("| " + name + " | " + side + " | - | | | | | |");
      return;
    }
    o.println(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %s | %s | %s | %d |", name, side,
        s.transactions(), s.connectionsPerTransaction(), Differ.dur(s.setupUs()), pct(s.waitTime()), pct(s.total()),
        s.bytes()));
  }

  // ---------------------------------------------------------------- JSON

  /** The versioned JSON document (flushed, not closed). */
  public static void json(DiffResult d, OutputStream out) throws IOException {
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE
        .withLinefeed("\n"));
    try (JsonGenerator g = new ObjectMapper().getFactory().createGenerator(out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.setPrettyPrinter(pp);
      g.writeStartObject();
      g.writeStringField("schema", SCHEMA);
      g.writeStringField("schema_version", SCHEMA_VERSION);
      g.writeStringField("verdict", d.verdict());
      g.writeFieldName("before");
      side(g, d.before());
      g.writeFieldName("after");
      side(g, d.after());
      g.writeArrayFieldStart("findings");
      for (FindingChange f : d.findings()) {
        g.writeStartObject();
        g.writeStringField("type", f.type());
        g.writeStringField("status", f.status());
        g.writeNumberField("before_count", f.beforeCount());
        g.writeNumberField("before_cost_us", f.beforeCostUs());
        g.writeNumberField("after_count", f.afterCount());
        g.writeNumberField("after_cost_us", f.afterCostUs());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("pairs");
      for (PairDiff p : d.pairs()) {
        g.writeStartObject();
        g.writeStringField("matched_by", p.matchedBy());
        nullableString(g, "before_server", p.beforeServer());
        nullableString(g, "after_server", p.afterServer());
        nullableString(g, "host", p.host());
        g.writeArrayFieldStart("clients");
        for (String c : p.clients()) {
          g.writeString(c);
        }
        g.writeEndArray();
        stats(g, "before", p.before());
        stats(g, "after", p.after());
        g.writeArrayFieldStart("patterns");
        for (PatternDiff pd : p.patterns()) {
          g.writeStartObject();
          g.writeStringField("pattern", pd.pattern());
          stats(g, "before", pd.before());
          stats(g, "after", pd.after());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      DiffResult.Gate gate = d.gate();
      g.writeObjectFieldStart("regression");
      g.writeNumberField("cost_ms", gate.costMs());
      g.writeNumberField("p90_pct", gate.p90Pct());
      g.writeNumberField("p90_min_ms", gate.p90MinMs());
      g.writeBooleanField("failed", gate.failed());
      g.writeArrayFieldStart("regressions");
      for (String r : gate.regressions()) {
        g.writeString(r);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
      g.writeRaw('\n');
    }
    out.flush();
  }

  private static void side(JsonGenerator g, DiffResult.Side s) throws IOException {
    g.writeStartObject();
    g.writeArrayFieldStart("inputs");
    for (String i : s.inputs()) {
      g.writeString(i);
    }
    g.writeEndArray();
    g.writeNumberField("connections", s.connections());
    g.writeNumberField("transactions", s.transactions());
    g.writeBooleanField("sampled", s.sampled());
    percentiles(g, "wait_us", s.waitTime());
    percentiles(g, "total_us", s.total());
    g.writeEndObject();
  }

  private static void stats(JsonGenerator g, String name, Stats s) throws IOException {
    if (s == null) {
      g.writeNullField(name);
      return;
    }
    g.writeObjectFieldStart(name);
    g.writeNumberField("transactions", s.transactions());
    g.writeNumberField("connections", s.connections());
    g.writeNumberField("connections_per_transaction",
        Math.round(s.connectionsPerTransaction() * 10_000) / 10_000.0);
    g.writeNumberField("setup_us", s.setupUs());
    percentiles(g, "wait_us", s.waitTime());
    percentiles(g, "total_us", s.total());
    g.writeNumberField("bytes", s.bytes());
    g.writeEndObject();
  }

  private static void percentiles(JsonGenerator g, String name, Percentiles p) throws IOException {
    if (p == null) {
      g.writeNullField(name);
      return;
    }
    g.writeObjectFieldStart(name);
    g.writeNumberField("p50", p.p50Us());
    g.writeNumberField("p90", p.p90Us());
    g.writeNumberField("p99", p.p99Us());
    g.writeEndObject();
  }

  private static void nullableString(JsonGenerator g, String name, String v) throws IOException {
    if (v == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, v);
    }
  }
}
