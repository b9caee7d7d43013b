package io.connscope.report;

import static io.connscope.report.Escape.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders a JSON report as one self-contained HTML page: inline CSS and SVG, one inline script
 * (opens collapsed sections before printing) and a Content-Security-Policy that forbids every
 * fetch, so the page needs no network and works printed to PDF.
 *
 * <p>Sections: capture-quality banner, verdict (costliest problems first), findings table, a
 * ladder (sequence) diagram of the packets around each finding (client and server columns, the
 * held ACK and the released segment highlighted), the connection use per client/server pair (one
 * bar per connection on lanes, so serial, parallel, persistent and pipelined use show at a glance),
 * and a waterfall per connection (connect, send, wait, receive; stalls marked). Hovering any bar
 * or arrow shows its details (SVG {@code <title>}).
 *
 * <p>Every string from the report goes through {@link Escape#html}, in text and attributes.
 * Output is deterministic. What is drawn and listed is bounded by {@link ReportDigest.Limits}
 * (30 ladders, 20 pair timelines, 40 waterfalls by default; {@code --max-drawn}), the rest counted,
 * so the page and the memory to render it grow with the problems, not with the capture.
 */
public final class HtmlReportWriter {
  static final int MAX_ROWS = 60;

  private static final String CSS = """
      :root{--connect:#e69f00;--send:#56b4e9;--wait:#009e73;--receive:#0072b2;--stall:#d55e00;--ink:#1d2330;--muted:#5b6475;--line:#d5d9e0}
      *{box-sizing:border-box}
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;padding:16px 24px}
      h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 4px}
      .sub{color:var(--muted);margin:0 0 12px}
      code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
      .banner{border-radius:6px;padding:8px 12px;margin:12px 0}.banner.ok{background:#e8f5ee;border:1px solid #9fd3b5}.banner.warn{background:#fff4e0;border:1px solid #f0c36d}
      .banner ul{margin:4px 0 0 18px;padding:0}
      .verdict li{margin:4px 0}.cost{font-weight:600;color:var(--stall)}
      table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:top;text-align:left}th{background:#f3f5f8}
      td.num{text-align:right;white-space:nowrap}.sev-warning{color:#a15c00}.sev-error{color:#b00020}.sev-info{color:var(--muted)}
      svg{display:block;max-width:100%;height:auto}svg text{font-family:system-ui,sans-serif;font-size:11px;fill:var(--ink)}
      svg .axis{stroke:var(--line)}svg .lbl{fill:var(--muted)}
      .connect{fill:var(--connect)}.send{fill:var(--send)}.wait{fill:var(--wait)}.receive{fill:var(--receive)}.stall{fill:var(--stall)}
      .conn{fill:#c9ced8}.txn{fill:var(--receive)}
      .legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border-radius:2px}
      .pkt line{stroke:#8a93a3;stroke-width:1.2}.pkt.ev line{stroke:var(--ink);stroke-width:1.6}.pkt.held line{stroke:var(--connect);stroke-width:3}.pkt.released line{stroke:var(--stall);stroke-width:3}
      .pkt.held text.what{fill:#8a5a00;font-weight:600}.pkt.released text.what{fill:var(--stall);font-weight:600}
      .gap{fill:var(--stall);font-weight:600}
      figure{margin:10px 0 18px;break-inside:avoid}figcaption{margin-bottom:4px}
      footer{color:var(--muted);margin-top:28px;font-size:12px}
      @media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}figure,svg,tr{break-inside:avoid}.noprint{display:none}a{color:inherit;text-decoration:none}}
      @page{size:A4 landscape;margin:12mm}
      """;

  private HtmlReportWriter() {}

  public static void write(JsonNode r, Writer out) throws IOException {
    write(ReportDigest.of(r), out);
  }

  /** Renders what {@code d} gathered: bounded whatever the size of the report. */
  static void write(ReportDigest d, Writer out) throws IOException {
    JsonNode r = d.header;
    StringBuilder b = new StringBuilder(1 << 16);
    String files = ReportModel.files(r);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
            + " script-src 'unsafe-inline'; img-src data:\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n")
        .append("<title>connscope report: ").append(html(files)).append("</title>\n<style>\n").append(CSS)
        .append("</style></head>\n<body>\n");
    b.append("<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>")
        .append(marker("arr", "#8a93a3")).append(marker("arr-ev", "#1d2330")).append(marker("arr-held", "#e69f00"))
        .append(marker("arr-released", "#d55e00")).append("</defs></svg>\n");
    JsonNode cap = r.path("capture");
    JsonNode sum = r.path("summary");
    b.append("<header><h1>connscope report</h1><p class=\"sub\">").append(html(files)).append(" &middot; ")
        .append(cap.path("packets").asLong()).append(" packets &middot; ").append(Text.seconds(cap.path("duration_us").asLong()))
        .append(" &middot; ").append(sum.path("connections").asLong())
        .append(sum.path("connections").asLong() == 1 ? " connection (" : " connections (")
        .append(sum.path("http_connections").asLong()).append(" HTTP) &middot; ").append(sum.path("transactions").asLong())
        .append(" transactions &middot; ").append(sum.path("unanswered_requests").asLong())
        .append(" unanswered</p></header>\n");
    banner(b, d);
    verdict(b, d);
    findings(b, d);
    ladderSection(b, d);
    pairs(b, d);
    waterfalls(b, d);
    connectionsTable(b, d);
    b.append("<footer>Generated by connscope ").append(html(r.path("tool").path("version").asText()))
        .append(" (report schema ").append(html(r.path("schema_version").asText()))
        .append("). Times are capture times at the capture point. Open the capture in Wireshark and paste a display"
            + " filter to see the evidence.</footer>\n")
        .append("<script>window.addEventListener('beforeprint',function(){"
            + "document.querySelectorAll('details').forEach(function(d){d.open=true;});});</script>\n")
        .append("</body></html>\n");
    out.write(b.toString());
  }

  private static String marker(String id, String color) {
    return "<marker id=\"" + id + "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\""
        + " orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"" + color + "\"/></marker>";
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static void banner(StringBuilder b, ReportDigest d) {
    List<String> q = d.quality;
    if (q.isEmpty()) {
      b.append("<section class=\"banner ok\" id=\"quality\"><strong>Capture quality:</strong> no damage or missing"
          + " packets detected.</section>\n");
      return;
    }
    b.append("<section class=\"banner warn\" id=\"quality\"><strong>Capture quality:</strong> the capture is"
        + " incomplete or damaged; conclusions near these places are weaker.<ul>");
    for (String s : q) {
      b.append("<li>").append(html(s)).append("</li>");
    }
    b.append("</ul></section>\n");
  }

  private static void verdict(StringBuilder b, ReportDigest d) {
    b.append("<section id=\"verdict\"><h2>Verdict</h2>");
    List<ReportModel.Verdict> vs = d.verdicts;
    if (vs.isEmpty()) {
      b.append("<p>No connection-level problem found.</p></section>\n");
      return;
    }
    b.append("<ol class=\"verdict\">");
    for (ReportModel.Verdict v : vs) {
      b.append("<li><strong>").append(html(ReportModel.title(v.type()))).append("</strong> <code>")
          .append(html(v.type())).append("</code>: <span class=\"cost\">").append(ReportModel.ms(v.costMicros()))
          .append(" lost</span>, ").append(v.count()).append(v.count() == 1 ? " finding" : " findings").append(" on ")
          .append(html(v.where()))
          .append(".<br>Worst: ").append(html(v.costliest().path("summary").asText()))
          .append(".<br><strong>Fix:</strong> ").append(html(v.costliest().path("fix").asText())).append(".</li>");
    }
    b.append("</ol><p class=\"sub\">Times lost by different finding types can overlap (one stall can be seen by two"
        + " detectors).</p></section>\n");
  }

  private static void findings(StringBuilder b, ReportDigest d) {
    b.append("<section id=\"findings\"><h2>Findings</h2>");
    List<JsonNode> fs = d.findings;
    if (fs.isEmpty()) {
      b.append("<p>None.</p></section>\n");
      return;
    }
    b.append("<table><thead><tr><th>#</th><th>Finding</th><th>Where</th><th>Cost</th><th>Evidence frames</th>"
        + "<th>Display filter</th><th>Summary</th><th>Fix</th></tr></thead><tbody>");
    int i = 0;
    for (JsonNode f : fs) {
      if (i == MAX_ROWS) {
        b.append("</tbody></table><details><summary>").append(fs.size() - MAX_ROWS)
            .append(" more findings</summary><table><tbody>");
      }
      i++;
      String sev = f.path("severity").asText();
      ReportDigest.Ladder l = d.ladderOf(f);
      b.append("<tr><td class=\"num\">").append(i).append("</td><td><span class=\"sev-").append(html(sev)).append("\">")
          .append(html(sev)).append("</span> ").append(html(ReportModel.title(f.path("type").asText())))
          .append("<br><code>").append(html(f.path("type").asText())).append("</code> (")
          .append(html(f.path("confidence").asText())).append(")</td><td>").append(html(ReportModel.where(f)))
          .append("</td><td class=\"num\">").append(ReportModel.ms(f.path("cost_us").asLong())).append("</td><td>")
          .append(html(ReportModel.frames(f)));
      if (l != null) {
        b.append("<br><a href=\"#").append(l.anchor()).append("\">ladder</a>");
      }
      b.append("</td><td><code>").append(html(f.path("evidence").path("display_filter").asText()))
          .append("</code></td><td>").append(html(f.path("summary").asText())).append("</td><td>")
          .append(html(f.path("fix").asText())).append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (fs.size() > MAX_ROWS) {
      b.append("</details>");
    }
    if (d.findingsTotal > fs.size()) {
      b.append("<p>").append(d.findingsTotal - fs.size()).append(" less costly findings are not listed: the verdict"
          + " above counts them per type; the JSON report has them all.</p>");
    }
    b.append("</section>\n");
  }

  private static void ladderSection(StringBuilder b, ReportDigest d) {
    List<ReportDigest.Ladder> ladders = d.ladders;
    if (ladders.isEmpty()) {
      return;
    }
    b.append("<section id=\"ladders\"><h2>Packets around each finding</h2>")
        .append("<p class=\"legend\"><span><i style=\"background:var(--connect)\"></i>held (late) ACK</span>")
        .append("<span><i style=\"background:var(--stall)\"></i>segment released by it</span>")
        .append("<span><i style=\"background:var(--ink)\"></i>other evidence</span>")
        .append("<span><i style=\"background:#8a93a3\"></i>context</span>Time runs downwards; times are at the capture"
            + " point; hover an arrow for details.</p>");
    for (ReportDigest.Ladder l : ladders) {
      JsonNode f0 = l.findings().get(0);
      JsonNode c = l.connection()[0];
      b.append("<figure id=\"").append(l.anchor()).append("\"><figcaption><strong>")
          .append(html(ReportModel.where(f0))).append("</strong>, frames ").append(html(ReportModel.frames(f0)))
          .append(": ");
      for (int i = 0; i < l.findings().size(); i++) {
        JsonNode f = l.findings().get(i);
        b.append(i == 0 ? "" : "; ").append(html(ReportModel.title(f.path("type").asText()))).append(" (")
            .append(ReportModel.ms(f.path("cost_us").asLong())).append(")");
      }
      b.append("</figcaption>");
      ladderSvg(b, l, c);
      b.append("</figure>");
    }
    if (d.laddersNotDrawn > 0) {
      b.append("<p>").append(d.laddersNotDrawn >= ReportDigest.MAX_LADDER_KEYS ? "At least " : "")
          .append(d.laddersNotDrawn).append(" more ladders not drawn.</p>");
    }
    b.append("</section>\n");
  }

  private static void ladderSvg(StringBuilder b, ReportDigest.Ladder l, JsonNode c) {
    JsonNode entries = l.ladder();
    int rowH = 34;
    int top = 46;
    int width = 860;
    int xc = 250;
    int xs = 690;
    int height = top + entries.size() * rowH + 16;
    b.append("<svg class=\"ladder\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" width=\"")
        .append(width).append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"ladder diagram\">");
    String client = c == null ? "client" : "client " + ReportModel.endpoint(c.path("client"));
    String server = c == null ? "server" : "server " + ReportModel.endpoint(c.path("server"));
    b.append("<text x=\"").append(xc).append("\" y=\"16\" text-anchor=\"middle\" font-weight=\"600\">")
        .append(html(client)).append("</text><text x=\"").append(xs)
        .append("\" y=\"16\" text-anchor=\"middle\" font-weight=\"600\">").append(html(server)).append("</text>");
    b.append("<text x=\"8\" y=\"34\" class=\"lbl\">capture time</text><text x=\"120\" y=\"34\" class=\"lbl\">since previous</text>");
    b.append("<line class=\"axis\" x1=\"").append(xc).append("\" y1=\"24\" x2=\"").append(xc).append("\" y2=\"")
        .append(height - 6).append("\" stroke-width=\"2\"/><line class=\"axis\" x1=\"").append(xs)
        .append("\" y1=\"24\" x2=\"").append(xs).append("\" y2=\"").append(height - 6).append("\" stroke-width=\"2\"/>");
    // roles: a pure ACK among the evidence is the held ACK; evidence data sent after it the other way was released
    boolean heldSeen = false;
    boolean heldFromClient = false;
    long prevTs = -1;
    int i = 0;
    for (JsonNode e : entries) {
      long frame = e.path("frame").asLong();
      long ts = e.path("ts_us").asLong();
      boolean c2s = "c2s".equals(e.path("dir").asText());
      String flags = e.path("flags").asText();
      long len = e.path("len").asLong();
      boolean ev = l.evidence().contains(frame);
      String role = "";
      if (ev && len == 0 && flags.contains("ACK") && !flags.contains("SYN") && !flags.contains("FIN")
          && !flags.contains("RST")) {
        role = "held";
        heldSeen = true;
        heldFromClient = c2s;
      } else if (ev && len > 0 && heldSeen && c2s != heldFromClient) {
        role = "released";
      } else if (ev) {
        role = "ev";
      }
      int y = top + i * rowH;
      int x1 = c2s ? xc : xs;
      int x2 = c2s ? xs : xc;
      String what = "#" + frame + " " + flags + (len > 0 ? " len " + len : "") + " seq " + e.path("seq").asLong()
          + (e.path("ack").isNull() ? "" : " ack " + e.path("ack").asLong());
      String who = role.equals("held") ? " (held ACK)" : role.equals("released") ? " (released segment)" : "";
      b.append("<g class=\"pkt").append(role.isEmpty() ? "" : " " + role).append("\"><title>")
          .append(html("frame " + frame + who + ": " + (c2s ? "client to server" : "server to client") + ", flags "
              + flags + ", seq " + e.path("seq").asLong() + ", ack " + (e.path("ack").isNull() ? "-" : e.path("ack").asLong())
              + ", " + len + " bytes, at " + ReportModel.ms3(ts)))
          .append("</title>");
      b.append("<text x=\"8\" y=\"").append(y + 12).append("\" class=\"mono\">").append(ReportModel.ms3(ts)).append("</text>");
      if (prevTs >= 0) {
        long d = ts - prevTs;
        b.append("<text x=\"120\" y=\"").append(y + 12).append("\"").append(d >= 10_000 ? " class=\"gap\"" : " class=\"lbl\"")
            .append(">+").append(ReportModel.ms3(d)).append("</text>");
      }
      prevTs = ts;
      String mk = role.isEmpty() ? "arr" : "arr-" + role;
      b.append("<line x1=\"").append(x1).append("\" y1=\"").append(y + 6).append("\" x2=\"").append(x2).append("\" y2=\"")
          .append(y + 24).append("\" marker-end=\"url(#").append(mk).append(")\"/>");
      b.append("<text class=\"what\" x=\"").append((xc + xs) / 2).append("\" y=\"").append(y + 3)
          .append("\" text-anchor=\"middle\">").append(html(what + who)).append("</text></g>");
      i++;
    }
    b.append("</svg>");
  }

  /** Lane per connection: the first lane free at the connection's start. */
  private static int[] lanes(List<JsonNode> cs) {
    int[] lane = new int[cs.size()];
    List<Long> ends = new ArrayList<>();
    for (int i = 0; i < cs.size(); i++) {
      long s = cs.get(i).path("start_us").asLong();
      int k = 0;
      while (k < ends.size() && ends.get(k) >= s) {
        k++;
      }
      if (k == ends.size()) {
        ends.add(0L);
      }
      ends.set(k, cs.get(i).path("end_us").asLong());
      lane[i] = k;
    }
    return lane;
  }

  /** The x of time {@code t} on a chart from {@code x0} to {@code x1} covering {@code t0..t1}. */
  private static double x(long t, long t0, long t1, int x0, int x1) {
    return t1 <= t0 ? x0 : x0 + (double) (t - t0) * (x1 - x0) / (t1 - t0);
  }

  private static void axis(StringBuilder b, long t0, long t1, int x0, int x1, int y, int yEnd) {
    long span = Math.max(1, t1 - t0);
    long step = 1;
    while (span / step > 8) {
      long s = step;
      step = s * 2;
      if (span / step <= 8) {
        break;
      }
      step = s * 5;
      if (span / step <= 8) {
        break;
      }
      step = s * 10;
    }
    for (long t = 0; t <= span; t += step) {
      double xx = x(t0 + t, t0, t1, x0, x1);
      b.append("<line class=\"axis\" x1=\"").append(num(xx)).append("\" y1=\"").append(y).append("\" x2=\"")
          .append(num(xx)).append("\" y2=\"").append(yEnd).append("\"/><text class=\"lbl\" x=\"").append(num(xx))
          .append("\" y=\"").append(y - 3).append("\" text-anchor=\"middle\">").append(tick(t, step)).append("</text>");
    }
  }

  private static String tick(long us, long step) {
    if (step >= 1_000_000) {
      return String.format(Locale.ROOT, "%d s", us / 1_000_000);
    }
    if (step >= 1000) {
      return String.format(Locale.ROOT, "%d ms", us / 1000);
    }
    return String.format(Locale.ROOT, "%.3f ms", us / 1000.0);
  }

  private static void rect(StringBuilder b, String cls, double x0, double x1, int y, int h, String title) {
    double w = Math.max(1.5, x1 - x0);
    b.append("<rect class=\"").append(cls).append("\" x=\"").append(num(x0)).append("\" y=\"").append(y)
        .append("\" width=\"").append(num(w)).append("\" height=\"").append(h).append("\"><title>")
        .append(html(title)).append("</title></rect>");
  }

  private static void pairs(StringBuilder b, ReportDigest d) {
    List<ReportModel.Pair> ps = d.pairs;
    if (ps.isEmpty()) {
      return;
    }
    b.append("<section id=\"use\"><h2>Connection use per client/server pair</h2>")
        .append("<p class=\"legend\"><span><i class=\"conn\" style=\"background:#c9ced8\"></i>connection open</span>")
        .append("<span><i style=\"background:var(--receive)\"></i>transaction (request start to response end)</span>")
        .append("One lane per connection open at the same time: several lanes mean parallel connections, several"
            + " bars on one lane serial ones, several transactions in a bar a persistent connection.</p>");
    long drawnPairs = 0;
    for (ReportModel.Pair p : ps) {
      if (p.connections().isEmpty()) {
        continue;
      }
      drawnPairs++;
      List<JsonNode> cs = p.connections();
      b.append("<h3>").append(html(p.client())).append(" &rarr; ").append(html(p.server())).append("</h3><p>")
          .append(p.connectionCount()).append(p.connectionCount() == 1 ? " connection, " : " connections, ")
          .append(p.transactions()).append(" transactions: ").append(html(p.pattern())).append("; closes: ")
          .append(html(p.closes())).append(p.connectionCount() > cs.size() ? " (first " + cs.size() + " drawn)" : "")
          .append("</p>");
      int[] lane = lanes(cs);
      int lanesN = 0;
      long t0 = Long.MAX_VALUE;
      long t1 = Long.MIN_VALUE;
      for (int i = 0; i < cs.size(); i++) {
        lanesN = Math.max(lanesN, lane[i] + 1);
        t0 = Math.min(t0, cs.get(i).path("start_us").asLong());
        t1 = Math.max(t1, cs.get(i).path("end_us").asLong());
      }
      int x0 = 60;
      int x1 = 1040;
      int rowH = 22;
      int height = 24 + lanesN * rowH + 6;
      b.append("<svg class=\"timeline\" viewBox=\"0 0 1060 ").append(height).append("\" width=\"1060\" height=\"")
          .append(height).append("\" role=\"img\" aria-label=\"connection use timeline\">");
      axis(b, t0, t1, x0, x1, 18, height - 4);
      for (int k = 0; k < lanesN; k++) {
        b.append("<text class=\"lbl\" x=\"4\" y=\"").append(24 + k * rowH + 14).append("\">lane ").append(k + 1).append("</text>");
      }
      for (int i = 0; i < cs.size(); i++) {
        JsonNode c = cs.get(i);
        int y = 24 + lane[i] * rowH;
        long s = c.path("start_us").asLong();
        long e = c.path("end_us").asLong();
        rect(b, "conn", x(s, t0, t1, x0, x1), x(e, t0, t1, x0, x1), y + 2, rowH - 4,
            c.path("id").asText() + " " + ReportModel.endpoint(c.path("client")) + " -> " + ReportModel.endpoint(c.path("server"))
                + ": " + ReportModel.ms3(s) + " to " + ReportModel.ms3(e) + ", " + c.path("transactions").size()
                + " transactions, close " + c.path("close").path("reason").asText());
        for (JsonNode t : c.path("transactions")) {
          long ts = first(t, "request_start_us", "response_start_us");
          long te = first(t, "response_end_us", "request_end_us");
          if (ts < 0 || te < 0) {
            continue;
          }
          rect(b, "txn", x(ts, t0, t1, x0, x1), x(te, t0, t1, x0, x1), y + 6, rowH - 12,
              c.path("id").asText() + " #" + t.path("index").asInt() + " " + ReportModel.request(t) + " -> "
                  + ReportModel.outcome(t) + ", "
                  + ReportModel.ms(te - ts) + (t.path("pipeline_depth").asInt() > 1 ? ", pipelined (depth "
                  + t.path("pipeline_depth").asInt() + ")" : ""));
        }
      }
      b.append("</svg>");
    }
    if (d.pairsTotal > drawnPairs) {
      b.append("<p>").append(d.pairsTotal - drawnPairs).append(" more pairs not drawn.</p>");
    }
    b.append("</section>\n");
  }

  private static long first(JsonNode t, String a, String b) {
    JsonNode n = t.get(a);
    if (n != null && !n.isNull()) {
      return n.asLong();
    }
    n = t.get(b);
    return n != null && !n.isNull() ? n.asLong() : -1;
  }

  private static long opt(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? -1 : n.asLong();
  }

  private static void waterfalls(StringBuilder b, ReportDigest d) {
    if (d.waterfalls.isEmpty()) {
      return;
    }
    b.append("<section id=\"waterfall\"><h2>Waterfall per connection</h2><p class=\"legend\">")
        .append("<span><i style=\"background:var(--connect)\"></i>connect</span>")
        .append("<span><i style=\"background:var(--send)\"></i>send (request first to last packet)</span>")
        .append("<span><i style=\"background:var(--wait)\"></i>wait (for the first response packet)</span>")
        .append("<span><i style=\"background:var(--receive)\"></i>receive</span>")
        .append("<span><i style=\"background:var(--stall)\"></i>stall (a finding's evidence)</span></p>");
    for (ReportDigest.Waterfall w : d.waterfalls) {
      waterfall(b, w.findings(), w.connection());
    }
    if (d.waterfallCandidates > d.waterfalls.size()) {
      b.append("<p>").append(d.waterfallCandidates - d.waterfalls.size()).append(" more connections not drawn.</p>");
    }
    b.append("</section>\n");
  }

  private static void waterfall(StringBuilder b, List<JsonNode> findings, JsonNode c) {
    String id = c.path("id").asText();
    JsonNode hs = c.path("handshake");
    long t0 = c.path("start_us").asLong();
    long t1 = Math.max(t0 + 1, c.path("end_us").asLong());
    JsonNode txs = c.path("transactions");
    int rows = Math.min(txs.size(), MAX_ROWS);
    int x0 = 300;
    int x1 = 1040;
    int rowH = 22;
    int height = 24 + rows * rowH + 6;
    int total = ReportSource.transactionCount(c);
    b.append("<h3>").append(html(id)).append(": ").append(html(ReportModel.endpoint(c.path("client")))).append(" &rarr; ")
        .append(html(ReportModel.endpoint(c.path("server")))).append("</h3><p class=\"sub\">")
        .append(total).append(total == 1 ? " transaction" : " transactions").append(", ")
        .append(ReportModel.ms(t1 - t0)).append(", close: ").append(html(c.path("close").path("reason").asText()))
        .append(total > rows ? " (first " + rows + " drawn)" : "").append("</p>");
    b.append("<svg class=\"waterfall\" viewBox=\"0 0 1060 ").append(height).append("\" width=\"1060\" height=\"")
        .append(height).append("\" role=\"img\" aria-label=\"waterfall of ").append(html(id)).append("\">");
    axis(b, t0, t1, x0, x1, 18, height - 4);
    for (int i = 0; i < rows; i++) {
      JsonNode t = txs.get(i);
      int y = 24 + i * rowH;
      String label = "#" + t.path("index").asInt() + " " + ReportModel.request(t) + " "
          + (t.path("status").asInt() > 0 ? t.path("status").asInt() : "-");
      if (label.length() > 48) {
        label = label.substring(0, 45) + "...";
      }
      b.append("<text x=\"4\" y=\"").append(y + 14).append("\">").append(html(label)).append("</text>");
      String who = id + " #" + t.path("index").asInt() + " " + ReportModel.request(t) + ": ";
      JsonNode tm = t.path("timings");
      if (opt(tm.get("connect_us")) >= 0) {
        long s = opt(hs.get("syn_us"));
        long e = opt(hs.get("ack_us"));
        rect(b, "connect", x(s, t0, t1, x0, x1), x(e, t0, t1, x0, x1), y + 4, rowH - 8,
            who + "connect " + ReportModel.ms(e - s) + " (SYN to ACK)");
      }
      long rs = opt(t.get("request_start_us"));
      long re = opt(t.get("request_end_us"));
      long ps = opt(t.get("response_start_us"));
      long pe = opt(t.get("response_end_us"));
      if (rs >= 0 && re >= 0) {
        rect(b, "send", x(rs, t0, t1, x0, x1), x(re, t0, t1, x0, x1), y + 4, rowH - 8,
            who + "send " + ReportModel.ms(re - rs) + ", " + t.path("request_body_bytes").asLong() + " body bytes"
                + headerNote(t.path("request_headers")));
      }
      if (re >= 0 && ps >= 0) {
        rect(b, "wait", x(re, t0, t1, x0, x1), x(ps, t0, t1, x0, x1), y + 4, rowH - 8,
            who + "wait " + ReportModel.ms(ps - re) + " for the first response packet");
      } else if (re >= 0 && ps < 0) {
        rect(b, "wait", x(re, t0, t1, x0, x1), x(t1, t0, t1, x0, x1), y + 4, rowH - 8, who + "no response seen");
      }
      if (ps >= 0 && pe >= 0) {
        rect(b, "receive", x(ps, t0, t1, x0, x1), x(pe, t0, t1, x0, x1), y + 4, rowH - 8,
            who + "receive " + ReportModel.ms(pe - ps) + ", status " + t.path("status").asInt() + ", "
                + t.path("response_body_bytes").asLong() + " body bytes");
      }
      for (JsonNode f : findings) {
        long[] span = stall(f);
        if (span == null) {
          continue;
        }
        boolean mine = f.has("transaction") ? f.get("transaction").asInt() == t.path("index").asInt()
            : rs >= 0 && span[0] >= rs && span[0] <= Math.max(pe, re);
        if (mine && !f.has("transaction") && hasTypedTwin(findings, f)) {
          continue; // the same stall is drawn once, by the finding that names the transaction
        }
        if (mine) {
          rect(b, "stall", x(span[0], t0, t1, x0, x1), x(span[1], t0, t1, x0, x1), y + rowH - 7, 5,
              id + ": " + ReportModel.title(f.path("type").asText()) + ", " + ReportModel.ms(f.path("cost_us").asLong())
                  + ", frames " + ReportModel.frames(f) + ": " + f.path("summary").asText());
        }
      }
    }
    b.append("</svg>");
  }

  /** ", host: ..., user-agent: ..." for a hover text. */
  private static String headerNote(JsonNode h) {
    StringBuilder b = new StringBuilder();
    for (String n : new String[] {"host", "user-agent", "connection"}) {
      if (h.hasNonNull(n)) {
        b.append(", ").append(n).append(": ").append(h.get(n).asText());
      }
    }
    return b.toString();
  }

  /** The time span of a finding's evidence frames, from its ladder; null without one. */
  private static long[] stall(JsonNode f) {
    Set<Long> ev = new HashSet<>();
    f.path("evidence").path("frames").forEach(n -> ev.add(n.asLong()));
    long s = Long.MAX_VALUE;
    long e = Long.MIN_VALUE;
    for (JsonNode p : f.path("ladder")) {
      if (ev.contains(p.path("frame").asLong())) {
        s = Math.min(s, p.path("ts_us").asLong());
        e = Math.max(e, p.path("ts_us").asLong());
      }
    }
    return s == Long.MAX_VALUE ? null : new long[] {s, e};
  }

  /** True when another finding on the same connection with the same frames names a transaction. */
  private static boolean hasTypedTwin(List<JsonNode> findings, JsonNode f) {
    String key = ReportModel.str(f, "connection") + " " + ReportModel.frames(f);
    for (JsonNode g : findings) {
      if (g != f && g.has("transaction") && key.equals(ReportModel.str(g, "connection") + " " + ReportModel.frames(g))) {
        return true;
      }
    }
    return false;
  }

  private static void connectionsTable(StringBuilder b, ReportDigest d) {
    List<JsonNode> cs = d.table;
    if (cs.isEmpty()) {
      return;
    }
    b.append("<section id=\"connections\"><h2>Connections</h2><details><summary>").append(d.connectionsTotal)
        .append(d.connectionsTotal == 1 ? " connection" : " connections").append(" and their transactions</summary>")
        .append("<table><thead><tr><th>Connection</th><th>Client</th><th>Server</th><th>Start</th><th>Duration</th>"
            + "<th>Close</th><th>History</th><th>Request</th><th>Status</th><th>Send</th><th>Wait</th><th>Receive</th>"
            + "</tr></thead><tbody>");
    for (JsonNode c : cs) {
      JsonNode txs = c.path("transactions");
      int more = ReportSource.transactionCount(c) - txs.size();
      int span = Math.max(1, txs.size()) + (more > 0 ? 1 : 0);
      String head = "<td rowspan=\"" + span + "\">" + html(c.path("id").asText()) + "</td><td rowspan=\"" + span + "\">"
          + html(ReportModel.endpoint(c.path("client"))) + "</td><td rowspan=\"" + span + "\">"
          + html(ReportModel.endpoint(c.path("server"))) + "</td><td rowspan=\"" + span + "\" class=\"num\">"
          + ReportModel.ms(c.path("start_us").asLong()) + "</td><td rowspan=\"" + span + "\" class=\"num\">"
          + ReportModel.ms(c.path("end_us").asLong() - c.path("start_us").asLong()) + "</td><td rowspan=\"" + span + "\">"
          + html(c.path("close").path("reason").asText()) + "</td><td rowspan=\"" + span + "\"><code>"
          + html(c.path("history").asText()) + "</code></td>";
      if (txs.isEmpty()) {
        b.append("<tr>").append(head).append("<td colspan=\"5\">no HTTP</td></tr>");
      }
      for (JsonNode t : txs) {
        JsonNode tm = t.path("timings");
        b.append("<tr>").append(head).append("<td>").append(html(ReportModel.request(t))).append("</td><td class=\"num\">")
            .append(t.path("status").asInt() > 0 ? String.valueOf(t.path("status").asInt()) : "-")
            .append("</td><td class=\"num\">").append(ReportModel.ms(tm.get("send_us"))).append("</td><td class=\"num\">")
            .append(ReportModel.ms(tm.get("wait_us"))).append("</td><td class=\"num\">")
            .append(ReportModel.ms(tm.get("receive_us"))).append("</td></tr>");
        head = "";
      }
      if (more > 0) {
        b.append("<tr><td colspan=\"5\">").append(more).append(" more transactions in the JSON report</td></tr>");
      }
    }
    if (d.connectionsTotal > cs.size()) {
      b.append("<tr><td colspan=\"12\">").append(d.connectionsTotal - cs.size())
          .append(" more connections in the JSON report</td></tr>");
    }
    b.append("</tbody></table></details></section>\n");
  }
}
