package io.connscope.diff;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.diff.DiffResult.FindingChange;
import io.connscope.diff.DiffResult.PairDiff;
import io.connscope.diff.DiffResult.PatternDiff;
import io.connscope.diff.DiffResult.Stats;
import io.connscope.report.Budget;
import io.connscope.report.Escape;
import io.connscope.report.JsonReportWriter;
import io.connscope.report.Text;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Locale;

/**
 * Renders a {@link DiffResult}: text (for a terminal), Markdown (for a ticket), HTML and JSON
 * (schema {@value #SCHEMA} {@value #SCHEMA_VERSION}, {@code
 * src/main/resources/schema/diff-v1.json}). Strings that came from packets (patterns, Host, finding
 * types read from a saved report, input names) are escaped for each medium.
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
      o.printf(
          Locale.ROOT,
          "  %-34s %5d, %-9s -> %5d, %-9s %s%n",
          Text.safe(f.type(), 60),
          f.beforeCount(),
          Text.dur(f.beforeCostUs()),
          f.afterCount(),
          Text.dur(f.afterCostUs()),
          f.status());
    }
    for (PairDiff p : d.pairs()) {
      o.println();
      o.println("Server " + server(p, false));
      o.printf(
          Locale.ROOT,
          "  %-40s %-6s %6s %7s %9s %-26s %-26s %10s%n",
          "pattern",
          "side",
          "tx",
          "conn/tx",
          "setup",
          "wait p50/p90/p99",
          "total p50/p90/p99",
          "bytes");
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
    o.printf(
        Locale.ROOT,
        "  %-40s %-6s %6d %7.2f %9s %-26s %-26s %10d%n",
        name,
        side,
        s.transactions(),
        s.connectionsPerTransaction(),
        Text.dur(s.setupUs()),
        Text.percentiles(s.waitTime()),
        Text.percentiles(s.total()),
        s.bytes());
  }

  private static String side(DiffResult.Side s, boolean md) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.inputs().size(); i++) {
      b.append(i == 0 ? "" : ", ")
          .append(md ? Escape.md(s.inputs().get(i)) : Text.safe(s.inputs().get(i), MAX));
    }
    b.append(" (")
        .append(s.connections())
        .append(s.connections() == 1 ? " connection, " : " connections, ")
        .append(s.transactions())
        .append(s.transactions() == 1 ? " transaction" : " transactions");
    if (s.sampled()) {
      b.append("; percentiles over the first ").append(SideStats.MAX_SAMPLES);
    }
    return b.append(')').toString();
  }

  private static String server(PairDiff p, boolean md) {
    String where =
        switch (p.matchedBy()) {
          case "before_only" -> p.beforeServer() + ", only before";
          case "after_only" -> p.afterServer() + ", only after";
          case "address" -> p.afterServer() + ", matched by address";
          default -> p.beforeServer() + " -> " + p.afterServer() + ", matched by " + p.matchedBy();
        };
    String host =
        p.host() == null ? "" : "; Host " + (md ? Escape.md(p.host()) : Text.safe(p.host(), MAX));
    return where + host + "; clients " + String.join(", ", p.clients());
  }

  private static String gate(DiffResult.Gate g) {
    String limits =
        String.format(
            Locale.ROOT,
            "(a new finding type; a type's cost +%d ms; a pattern's p90 total"
                + " +%d %% and +%d ms)",
            g.costMs(),
            g.p90Pct(),
            g.p90MinMs());
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

  /** Characters reserved for the sections after the head: findings, servers, regressions, end. */
  static final int[] MD_SHARES = {10_000, 25_000, 8_000, 500};

  private static int mdAfter(int i) {
    int n = 0;
    for (int k = i + 1; k < MD_SHARES.length; k++) {
      n += MD_SHARES[k];
    }
    return n;
  }

  /**
   * GitHub-flavoured Markdown for a ticket comment, under {@value Budget#MARKDOWN} characters
   * whatever the inputs (a {@link Budget}, as the analyze Markdown report): what does not fit is
   * counted in a note pointing to the HTML/JSON diff.
   */
  public static void markdown(DiffResult d, Writer w) throws IOException {
    Budget b = new Budget(Budget.MARKDOWN - 1).section(mdAfter(-1));
    b.add("## connscope diff\n\n");
    String verdict = d.verdict();
    if (verdict.length() > 2_000) {
      int n = Character.isHighSurrogate(verdict.charAt(1_999)) ? 1_999 : 2_000;
      verdict = verdict.substring(0, n) + "...";
    }
    b.add("**Verdict:** " + Escape.md(verdict) + "\n\n");
    mdSide(b, "before", d.before());
    mdSide(b, "after", d.after());
    b.add("\n");
    b.section(mdAfter(0));
    b.add("### Findings\n\n");
    if (d.findings().isEmpty()) {
      b.add("None on either side.\n");
    } else {
      b.add("| type | before | after | change |\n|---|---:|---:|---|\n");
      int shown = 0;
      for (FindingChange f : d.findings()) {
        if (!b.add(
            "| "
                + Escape.mdSpan(f.type())
                + " | "
                + f.beforeCount()
                + ", "
                + Text.dur(f.beforeCostUs())
                + " | "
                + f.afterCount()
                + ", "
                + Text.dur(f.afterCostUs())
                + " | "
                + f.status()
                + " |\n")) {
          break;
        }
        shown++;
      }
      if (shown < d.findings().size()) {
        b.note(
            "\n"
                + (d.findings().size() - shown)
                + " more finding types: see the HTML/JSON diff.\n");
      }
    }
    b.section(mdAfter(1));
    int servers = 0;
    long patternsLeft = 0;
    for (PairDiff p : d.pairs()) {
      patternsLeft += p.patterns().size();
    }
    boolean full = false;
    for (PairDiff p : d.pairs()) {
      StringBuilder head =
          new StringBuilder("\n### Server ")
              .append(server(p, true))
              .append("\n\n")
              .append(
                  "| pattern | side | tx | conn/tx | setup | wait p50/p90/p99 | total p50/p90/p99 | bytes |\n")
              .append("|---|---|---:|---:|---:|---|---|---:|\n")
              .append(mdRows("(all)", p.before(), p.after()));
      if (!b.add(head)) {
        full = true;
        break;
      }
      servers++;
      for (PatternDiff pd : p.patterns()) {
        if (!b.add(mdRows(Escape.md(pd.pattern()), pd.before(), pd.after()))) {
          full = true;
          break;
        }
        patternsLeft--;
      }
      if (full) {
        break;
      }
    }
    if (full) {
      b.note(
          "\n"
              + (d.pairs().size() - servers)
              + " more servers and "
              + patternsLeft
              + " more patterns: see the HTML/JSON diff.\n");
    }
    b.section(mdAfter(2));
    b.add("\n### Regressions\n\n");
    DiffResult.Gate g = d.gate();
    String limits =
        String.format(
            Locale.ROOT,
            "thresholds: a new finding type; a type's cost +%d ms; a pattern's"
                + " p90 total +%d %% and +%d ms",
            g.costMs(),
            g.p90Pct(),
            g.p90MinMs());
    if (!g.failed()) {
      b.add("None (" + limits + ").\n");
    } else {
      b.add(limits + ":\n\n");
      int shown = 0;
      for (String r : g.regressions()) {
        if (!b.add("- " + Escape.md(r) + "\n")) {
          break;
        }
        shown++;
      }
      if (shown < g.regressions().size()) {
        b.note(
            "- "
                + (g.regressions().size() - shown)
                + " more regressions: see the HTML/JSON diff.\n");
      }
    }
    w.write(b.toString());
    w.flush();
  }

  private static void mdSide(Budget b, String name, DiffResult.Side s) {
    if (!b.add("- " + name + ": " + side(s, true) + "\n")) {
      b.note(
          "- "
              + name
              + ": "
              + s.inputs().size()
              + " inputs, "
              + s.transactions()
              + " transactions (the inputs are listed in the HTML/JSON diff)\n");
    }
  }

  private static String mdRows(String name, Stats b, Stats a) {
    return mdRow(name, "before", b) + mdRow("", "after", a);
  }

  private static String mdRow(String name, String side, Stats s) {
    if (s == null) {
      return "| " + name + " | " + side + " | - | | | | | |\n";
    }
    return String.format(
        Locale.ROOT,
        "| %s | %s | %d | %.2f | %s | %s | %s | %d |\n",
        name,
        side,
        s.transactions(),
        s.connectionsPerTransaction(),
        Text.dur(s.setupUs()),
        Text.percentiles(s.waitTime()),
        Text.percentiles(s.total()),
        s.bytes());
  }

  // ---------------------------------------------------------------- HTML

  /**
   * One self-contained HTML page (no script, no external resource): the verdict, the tables of the
   * Markdown report, and the waterfalls of the matched server whose p90 total time changed most,
   * BEFORE and AFTER side by side on the same time scale.
   */
  public static void html(DiffResult d, Writer w) {
    PrintWriter o = new PrintWriter(w);
    o.println("<!DOCTYPE html>");
    o.println("<html lang=\"en\"><head><meta charset=\"utf-8\">");
    o.println(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
    o.println("<title>connscope diff</title><style>");
    o.println(
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
            + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
            + "td.n{text-align:right}.verdict{font-size:1.15em;font-weight:600}.wf2{display:flex;gap:1em;flex-wrap:wrap}"
            + ".send{fill:#4e79a7}.wait{fill:#f28e2b}.receive{fill:#59a14f}svg text{font:11px monospace}"
            + ".legend i{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}");
    o.println("</style></head><body>");
    o.println("<h1>connscope diff</h1>");
    o.println("<p class=\"verdict\">" + Escape.html(d.verdict()) + "</p>");
    o.println(
        "<ul><li>before: "
            + Escape.html(side(d.before(), false))
            + "</li><li>after: "
            + Escape.html(side(d.after(), false))
            + "</li></ul>");
    o.println("<h2>Findings</h2>");
    if (d.findings().isEmpty()) {
      o.println("<p>None on either side.</p>");
    } else {
      o.println("<table><tr><th>type</th><th>before</th><th>after</th><th>change</th></tr>");
      for (FindingChange f : d.findings()) {
        o.println(
            "<tr><td><code>"
                + Escape.html(f.type())
                + "</code></td><td class=\"n\">"
                + f.beforeCount()
                + ", "
                + Text.dur(f.beforeCostUs())
                + "</td><td class=\"n\">"
                + f.afterCount()
                + ", "
                + Text.dur(f.afterCostUs())
                + "</td><td>"
                + f.status()
                + "</td></tr>");
      }
      o.println("</table>");
    }
    for (int i = 0; i < d.pairs().size(); i++) {
      PairDiff p = d.pairs().get(i);
      o.println("<h2>Server " + Escape.html(server(p, false)) + "</h2>");
      o.println(
          "<table><tr><th>pattern</th><th>side</th><th>tx</th><th>conn/tx</th><th>setup</th>"
              + "<th>wait p50/p90/p99</th><th>total p50/p90/p99</th><th>bytes</th></tr>");
      htmlRows(o, "(all)", p.before(), p.after());
      for (PatternDiff pd : p.patterns()) {
        htmlRows(o, Escape.html(pd.pattern()), pd.before(), pd.after());
      }
      o.println("</table>");
      if (d.waterfalls() != null && d.waterfalls().pair() == i) {
        waterfalls(o, d.waterfalls());
      }
    }
    o.println("<h2>Regressions</h2>");
    o.println("<p>" + Escape.html(gate(d.gate())).replace(System.lineSeparator(), "<br>") + "</p>");
    o.println("</body></html>");
    o.flush();
  }

  private static void htmlRows(PrintWriter o, String name, Stats b, Stats a) {
    htmlRow(o, "<td rowspan=\"2\">" + name + "</td>", "before", b);
    htmlRow(o, "", "after", a);
  }

  private static void htmlRow(PrintWriter o, String first, String side, Stats s) {
    if (s == null) {
      o.println("<tr>" + first + "<td>" + side + "</td><td colspan=\"6\">-</td></tr>");
      return;
    }
    o.println(
        String.format(
            Locale.ROOT,
            "<tr>%s<td>%s</td><td class=\"n\">%d</td><td class=\"n\">%.2f</td>"
                + "<td class=\"n\">%s</td><td>%s</td><td>%s</td><td class=\"n\">%d</td></tr>",
            first,
            side,
            s.transactions(),
            s.connectionsPerTransaction(),
            Text.dur(s.setupUs()),
            Text.percentiles(s.waitTime()),
            Text.percentiles(s.total()),
            s.bytes()));
  }

  private static void waterfalls(PrintWriter o, DiffResult.Waterfalls wf) {
    long span = Math.max(1, Math.max(span(wf.before()), span(wf.after())));
    o.println("<h3>Waterfalls, same time scale (" + Text.dur(span) + " wide)</h3>");
    o.println(
        "<p class=\"legend\"><i class=\"l\" style=\"background:#4e79a7\"></i>send"
            + "<i style=\"background:#f28e2b\"></i>wait<i style=\"background:#59a14f\"></i>receive</p>");
    o.println("<div class=\"wf2\">");
    svg(o, "before", wf.before(), wf.beforeTransactions(), span);
    svg(o, "after", wf.after(), wf.afterTransactions(), span);
    o.println("</div>");
  }

  /** First request byte to the last byte seen of the rows. */
  private static long span(java.util.List<DiffResult.Row> rows) {
    if (rows.isEmpty()) {
      return 0;
    }
    long t0 = rows.get(0).requestStartUs();
    long end = t0;
    for (DiffResult.Row r : rows) {
      end =
          Math.max(
              end, Math.max(Math.max(r.requestEndUs(), r.responseStartUs()), r.responseEndUs()));
    }
    return end - t0;
  }

  private static void svg(
      PrintWriter o, String side, java.util.List<DiffResult.Row> rows, long all, long span) {
    int x0 = 170;
    int x1 = 560;
    int rowH = 18;
    int height = 22 + rows.size() * rowH;
    o.println(
        "<div><h4>"
            + side
            + ": "
            + (rows.size() < all ? "first " + rows.size() + " of " : "")
            + all
            + " transactions</h4>");
    o.println(
        "<svg width=\"570\" height=\""
            + height
            + "\" viewBox=\"0 0 570 "
            + height
            + "\" role=\"img\" aria-label=\""
            + side
            + " waterfall\">");
    if (rows.isEmpty()) {
      o.println("</svg></div>");
      return;
    }
    long t0 = rows.get(0).requestStartUs();
    for (int i = 0; i < rows.size(); i++) {
      DiffResult.Row r = rows.get(i);
      int y = 18 + i * rowH;
      String label = "C" + r.connection() + " " + r.pattern();
      o.println(
          "<text x=\"2\" y=\""
              + (y + 11)
              + "\">"
              + Escape.html(label.length() > 24 ? label.substring(0, 21) + "..." : label)
              + "</text>");
      bar(o, "send", r.requestStartUs(), r.requestEndUs(), t0, span, x0, x1, y, label);
      bar(o, "wait", r.requestEndUs(), r.responseStartUs(), t0, span, x0, x1, y, label);
      bar(o, "receive", r.responseStartUs(), r.responseEndUs(), t0, span, x0, x1, y, label);
    }
    o.println("</svg></div>");
  }

  private static void bar(
      PrintWriter o,
      String kind,
      long from,
      long to,
      long t0,
      long span,
      int x0,
      int x1,
      int y,
      String label) {
    if (from < 0 || to < 0 || to < from) {
      return;
    }
    double a = x0 + (double) (from - t0) * (x1 - x0) / span;
    double b = x0 + (double) (to - t0) * (x1 - x0) / span;
    o.println(
        String.format(
            Locale.ROOT,
            "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"12\">"
                + "<title>%s</title></rect>",
            kind,
            a,
            y + 2,
            Math.max(1.0, b - a),
            Escape.html(label + ": " + kind + " " + Text.dur(to - from))));
  }

  // ---------------------------------------------------------------- JSON

  /** The versioned JSON document (flushed, not closed). */
  public static void json(DiffResult d, OutputStream out) throws IOException {
    DefaultPrettyPrinter pp =
        new DefaultPrettyPrinter()
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
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
    JsonReportWriter.writePercentiles(g, "wait_us", s.waitTime());
    JsonReportWriter.writePercentiles(g, "total_us", s.total());
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
    g.writeNumberField(
        "connections_per_transaction",
        Math.round(s.connectionsPerTransaction() * 10_000) / 10_000.0);
    g.writeNumberField("setup_us", s.setupUs());
    JsonReportWriter.writePercentiles(g, "wait_us", s.waitTime());
    JsonReportWriter.writePercentiles(g, "total_us", s.total());
    g.writeNumberField("bytes", s.bytes());
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
