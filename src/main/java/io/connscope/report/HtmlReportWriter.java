package io.connscope.report;

import static io.connscope.report.Escape.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.FrameFiles;
import io.connscope.result.LadderEntry;
import io.connscope.result.LatencyHistogram;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternSummary;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders a report (its result records, as {@link ReportDigest} gathered them) as one
 * self-contained HTML page: inline CSS and SVG, one inline script (opens collapsed sections before
 * printing) and a Content-Security-Policy that forbids every fetch, so the page needs no network
 * and works printed to PDF.
 *
 * <p>Sections: capture-quality banner, verdict (costliest problems first), findings table, a ladder
 * (sequence) diagram of the packets around each finding (client and server columns, the held ACK
 * and the released segment highlighted), the connection use per client/server pair (one bar per
 * connection on lanes, so serial, parallel, persistent and pipelined use show at a glance), and a
 * waterfall per connection (connect, send, wait, receive; stalls marked). Hovering any bar or arrow
 * shows its details (SVG {@code <title>}).
 *
 * <p>Every string from the report goes through {@link Escape#html}, in text and attributes. Output
 * is deterministic. What is drawn and listed is bounded by {@link ReportDigest.Limits} (30 ladders,
 * 20 pair timelines, 40 waterfalls by default; {@code --max-drawn}), the rest counted, so the page
 * and the memory to render it grow with the problems, not with the capture.
 */
public final class HtmlReportWriter {
  static final int MAX_ROWS = 60;

  private static final String CSS =
      """
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

  /** Added to the style sheet of a report with TLS connections (other pages stay as they were). */
  private static final String TLS_CSS =
      """
      :root{--tls:#cc79a7}.tls{fill:var(--tls)}
      svg rect.inferred{fill-opacity:.45;stroke:var(--ink);stroke-width:.6;stroke-dasharray:3 2}svg text.inferred{font-style:italic}
      #tls td{font-size:12.5px}#tls .suite{font-size:11px;color:var(--muted);word-break:break-all}
      """;

  private HtmlReportWriter() {}

  public static void write(JsonNode r, Writer out) throws IOException {
    write(ReportDigest.of(r), out);
  }

  /** Renders what {@code d} gathered: bounded whatever the size of the report. */
  static void write(ReportDigest d, Writer out) throws IOException {
    ResultJson.Header r = d.header;
    StringBuilder b = new StringBuilder(1 << 16);
    String files = ReportModel.files(r.capture());
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';"
                + " script-src 'unsafe-inline'; img-src data:\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n")
        .append("<title>connscope report: ")
        .append(html(files))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append(d.tlsTotal > 0 ? TLS_CSS : "")
        .append("</style></head>\n<body>\n");
    b.append(
            "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>")
        .append(marker("arr", "#8a93a3"))
        .append(marker("arr-ev", "#1d2330"))
        .append(marker("arr-held", "#e69f00"))
        .append(marker("arr-released", "#d55e00"))
        .append("</defs></svg>\n");
    CaptureSummary cap = r.capture();
    CaptureSummary.Totals sum = cap.totals();
    b.append("<header><h1>connscope report</h1><p class=\"sub\">")
        .append(html(files))
        .append(" &middot; ")
        .append(cap.packets())
        .append(" packets &middot; ")
        .append(Text.seconds(cap.durationUs()))
        .append(" &middot; ")
        .append(sum.connections())
        .append(sum.connections() == 1 ? " connection (" : " connections (")
        .append(sum.httpConnections())
        .append(" HTTP) &middot; ")
        .append(sum.transactions())
        .append(" transactions &middot; ")
        .append(sum.unansweredRequests())
        .append(" unanswered")
        .append(
            cap.filter() == null
                ? ""
                : " &middot; filter <code>"
                    + html(cap.filter())
                    + "</code>, "
                    + cap.filteredOut()
                    + " packets excluded")
        .append("</p>")
        .append(
            d.frameFiles.multi()
                ? "<p class=\"sub\">"
                    + html("F" + ReportModel.fileFrames(cap).substring(1))
                    + "</p>"
                : "")
        .append("</header>\n");
    banner(b, d);
    verdict(b, d);
    findings(b, d);
    ladderSection(b, d);
    timeSequenceSection(b, d);
    pairs(b, d);
    patterns(b, d);
    tls(b, d);
    waterfalls(b, d);
    connectionsTable(b, d);
    b.append("<footer>Generated by connscope ")
        .append(html(r.toolVersion()))
        .append(" (report schema ")
        .append(html(r.schemaVersion()))
        .append(
            "). Times are capture times at the capture point. Open the capture in Wireshark and paste a display"
                + " filter to see the evidence.</footer>\n")
        .append(
            "<script>window.addEventListener('beforeprint',function(){"
                + "document.querySelectorAll('details').forEach(function(d){d.open=true;});});</script>\n")
        .append("</body></html>\n");
    out.write(b.toString());
  }

  private static String marker(String id, String color) {
    return "<marker id=\""
        + id
        + "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\""
        + " orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\""
        + color
        + "\"/></marker>";
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static void banner(StringBuilder b, ReportDigest d) {
    List<String> q = d.quality;
    if (q.isEmpty()) {
      b.append(
          "<section class=\"banner ok\" id=\"quality\"><strong>Capture quality:</strong> no damage or missing"
              + " packets detected.</section>\n");
      return;
    }
    b.append(
        "<section class=\"banner warn\" id=\"quality\"><strong>Capture quality:</strong> the capture is"
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
      b.append("<li><strong>")
          .append(html(ReportModel.title(v.type())))
          .append("</strong> <code>")
          .append(html(v.type()))
          .append("</code>: <span class=\"cost\">")
          .append(ReportModel.ms(v.costMicros()))
          .append(" lost</span>, ")
          .append(v.count())
          .append(v.count() == 1 ? " finding" : " findings")
          .append(" on ")
          .append(html(v.where()))
          .append(".<br>Worst: ")
          .append(html(v.costliest().summary()))
          .append(".<br><strong>Fix:</strong> ")
          .append(html(v.costliest().fix()))
          .append(".</li>");
    }
    b.append(
        "</ol><p class=\"sub\">Times lost by different finding types can overlap (one stall can be seen by two"
            + " detectors).</p></section>\n");
  }

  private static void findings(StringBuilder b, ReportDigest d) {
    b.append("<section id=\"findings\"><h2>Findings</h2>");
    List<Finding> fs = d.findings;
    if (fs.isEmpty()) {
      b.append("<p>None.</p></section>\n");
      return;
    }
    b.append(
        "<table><thead><tr><th>#</th><th>Finding</th><th>Where</th><th>Cost</th><th>Evidence frames</th>"
            + "<th>Display filter</th><th>Summary</th><th>Fix</th></tr></thead><tbody>");
    int i = 0;
    for (Finding f : fs) {
      if (i == MAX_ROWS) {
        b.append("</tbody></table><details><summary>")
            .append(fs.size() - MAX_ROWS)
            .append(" more findings</summary><table><tbody>");
      }
      i++;
      String sev = f.severity().id();
      ReportDigest.Ladder l = d.ladderOf(f);
      b.append("<tr><td class=\"num\">")
          .append(i)
          .append("</td><td><span class=\"sev-")
          .append(html(sev))
          .append("\">")
          .append(html(sev))
          .append("</span> ")
          .append(html(ReportModel.title(f.type())))
          .append("<br><code>")
          .append(html(f.type()))
          .append("</code> (")
          .append(html(f.confidence().id()))
          .append(")</td><td>")
          .append(html(ReportModel.where(f)))
          .append("</td><td class=\"num\">")
          .append(ReportModel.ms(f.costUs()))
          .append("</td><td>")
          .append(html(ReportModel.frames(f, d.frameFiles)));
      if (l != null) {
        b.append("<br><a href=\"#").append(l.anchor()).append("\">ladder</a>");
      }
      b.append("</td><td><code>").append(html(f.displayFilter())).append("</code>");
      for (FrameFiles.FileFilter ffl : d.frameFiles.filters(f.frames())) {
        b.append("<br>in ")
            .append(html(ffl.file()))
            .append(": <code>")
            .append(html(ffl.filter()))
            .append("</code>");
      }
      b.append("</td><td>")
          .append(html(f.summary()))
          .append("</td><td>")
          .append(html(f.fix()))
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (fs.size() > MAX_ROWS) {
      b.append("</details>");
    }
    if (d.findingsTotal > fs.size()) {
      b.append("<p>")
          .append(d.findingsTotal - fs.size())
          .append(
              " less costly findings are not listed: the verdict"
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
        .append(
            "<p class=\"legend\"><span><i style=\"background:var(--connect)\"></i>held (late) ACK</span>")
        .append("<span><i style=\"background:var(--stall)\"></i>segment released by it</span>")
        .append("<span><i style=\"background:var(--ink)\"></i>other evidence</span>")
        .append(
            "<span><i style=\"background:#8a93a3\"></i>context</span>Time runs downwards; times are at the capture"
                + " point; hover an arrow for details.</p>");
    for (ReportDigest.Ladder l : ladders) {
      Finding f0 = l.findings().get(0);
      ConnectionResult c = l.connection()[0];
      b.append("<figure id=\"")
          .append(l.anchor())
          .append("\"><figcaption><strong>")
          .append(html(ReportModel.where(f0)))
          .append("</strong>, frames ")
          .append(html(ReportModel.frames(f0, d.frameFiles)))
          .append(": ");
      for (int i = 0; i < l.findings().size(); i++) {
        Finding f = l.findings().get(i);
        b.append(i == 0 ? "" : "; ")
            .append(html(ReportModel.title(f.type())))
            .append(" (")
            .append(ReportModel.ms(f.costUs()))
            .append(")");
      }
      b.append("</figcaption>");
      ladderSvg(b, l, c, d.frameFiles);
      b.append("</figure>");
    }
    if (d.laddersNotDrawn > 0) {
      b.append("<p>")
          .append(d.laddersNotDrawn >= ReportDigest.MAX_LADDER_KEYS ? "At least " : "")
          .append(d.laddersNotDrawn)
          .append(" more ladders not drawn.</p>");
    }
    b.append("</section>\n");
  }

  /**
   * The time-sequence graph (tcptrace's, Stevens') of every connection with a transfer finding
   * among the ladders drawn (so at most as many as ladders): sequence number over time for the data
   * direction, the ACK line, the receive window's right edge (ACK + window), retransmissions and
   * SACK blocks marked.
   */
  private static void timeSequenceSection(StringBuilder b, ReportDigest d) {
    java.util.LinkedHashMap<String, ConnectionResult> graphs = new java.util.LinkedHashMap<>();
    for (ReportDigest.Ladder l : d.ladders) {
      ConnectionResult c = l.connection()[0];
      if (c != null && c.timeSequence() != null && !c.timeSequence().segments().isEmpty()) {
        graphs.putIfAbsent(c.idString(), c);
      }
    }
    if (graphs.isEmpty()) {
      return;
    }
    b.append("<section id=\"time-sequence\"><h2>Time-sequence graphs</h2>")
        .append("<p class=\"legend\"><span><i style=\"background:var(--receive)\"></i>data segment")
        .append("</span><span><i style=\"background:var(--stall)\"></i>retransmission</span>")
        .append("<span><i style=\"background:var(--wait)\"></i>ACK</span>")
        .append("<span><i style=\"background:var(--connect)\"></i>receive window (ACK + window)")
        .append("</span><span><i style=\"background:#8e44ad\"></i>SACK block</span>")
        .append("Sequence numbers relative to the sender's first byte; hover a mark for its frame.")
        .append("</p>");
    for (ConnectionResult c : graphs.values()) {
      ConnectionResult.TimeSequence ts = c.timeSequence();
      b.append("<figure id=\"tsg-")
          .append(html(c.idString()))
          .append("\"><figcaption><strong>")
          .append(html(c.idString()))
          .append("</strong>: the ")
          .append(html(ts.sender()))
          .append("'s data")
          .append(ts.sampled() ? " (points evenly sampled)" : "")
          .append("</figcaption>");
      timeSequenceSvg(b, ts);
      b.append("</figure>");
    }
    b.append("</section>\n");
  }

  private static void timeSequenceSvg(StringBuilder b, ConnectionResult.TimeSequence ts) {
    int width = 860, height = 380, left = 90, right = 20, top = 16, bottom = 50;
    long t0 = Long.MAX_VALUE, t1 = Long.MIN_VALUE, s0 = Long.MAX_VALUE, s1 = Long.MIN_VALUE;
    for (ConnectionResult.SeqSegment p : ts.segments()) {
      t0 = Math.min(t0, p.us());
      t1 = Math.max(t1, p.us());
      s0 = Math.min(s0, p.seq());
      s1 = Math.max(s1, p.end());
    }
    // the window line may run far above the data: shown up to a quarter of the data's span above
    long dataTop = s1, cap = s1 + (s1 - s0) / 4 + 1, tEnd = t1 + (t1 - t0) / 20;
    for (ConnectionResult.SeqAck p : ts.acks()) {
      if (p.us() >= t0 && p.us() <= tEnd) {
        t1 = Math.max(t1, p.us());
        s1 = Math.max(s1, Math.min(p.windowEdge(), cap));
      }
    }
    s1 = Math.max(s1, dataTop);
    long tspan = Math.max(1, t1 - t0), sspan = Math.max(1, s1 - s0);
    double pw = width - left - right, ph = height - top - bottom;
    long sLo = s0, tLo = t0, tHi = t1, sHi = s1;
    java.util.function.LongToDoubleFunction x = us -> left + pw * (us - tLo) / tspan;
    java.util.function.LongToDoubleFunction y =
        seq -> top + ph - ph * (Math.max(sLo, Math.min(seq, sHi)) - sLo) / sspan;
    int rtx = 0;
    for (ConnectionResult.SeqSegment p : ts.segments()) {
      rtx += p.retransmission() ? 1 : 0;
    }
    svg(b, "tsg", width, height)
        .append("time-sequence graph\" data-segments=\"")
        .append(ts.segments().size() - rtx)
        .append("\" data-retransmissions=\"")
        .append(rtx)
        .append("\" data-acks=\"")
        .append(ts.acks().size())
        .append("\" data-sacks=\"")
        .append(ts.sacks().size())
        .append("\">");
    // axes, ticks and labels
    b.append(
        String.format(
            Locale.ROOT,
            "<g class=\"axis\" stroke=\"#5b6475\" fill=\"none\"><path d=\"M%d %d V%d H%d\"/></g>",
            left,
            top,
            height - bottom,
            width - right));
    for (int k = 0; k <= 4; k++) {
      long us = t0 + tspan * k / 4;
      long seq = s0 + sspan * k / 4;
      b.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>"
                  + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%d</text>",
              x.applyAsDouble(us),
              height - bottom + 16,
              html(ReportModel.ms(us)),
              left - 6,
              y.applyAsDouble(seq) + 4,
              seq));
    }
    b.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">time since"
                    + " the capture's start</text>",
                left + pw / 2,
                height - 10))
        .append(
            String.format(
                Locale.ROOT,
                "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\""
                    + " font-size=\"12\">sequence number (bytes)</text>",
                top + ph / 2));
    // the window line and the ACK line: steps, each value holding until the next ACK
    StringBuilder ack = new StringBuilder(), win = new StringBuilder();
    for (ConnectionResult.SeqAck p : ts.acks()) {
      if (p.us() < tLo || p.us() > tHi) {
        continue;
      }
      double px = x.applyAsDouble(p.us());
      step(ack, px, y.applyAsDouble(p.ack()));
      step(win, px, y.applyAsDouble(p.windowEdge()));
    }
    b.append("<path class=\"ts-win\" fill=\"none\" stroke=\"var(--connect)\" d=\"")
        .append(win)
        .append("\"/><path class=\"ts-ack\" fill=\"none\" stroke=\"var(--wait)\" d=\"")
        .append(ack)
        .append("\"/>");
    for (ConnectionResult.SeqSack p : ts.sacks()) {
      double px = x.applyAsDouble(p.us());
      b.append(
          String.format(
              Locale.ROOT,
              "<line class=\"ts-sack\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\""
                  + " stroke=\"#8e44ad\" stroke-width=\"3\"><title>frame %d: SACK %d-%d</title></line>",
              px + 2,
              px + 2,
              y.applyAsDouble(p.left()),
              y.applyAsDouble(p.right()),
              p.frame(),
              p.left(),
              p.right()));
    }
    for (ConnectionResult.SeqSegment p : ts.segments()) {
      double px = x.applyAsDouble(p.us());
      double ya = y.applyAsDouble(p.seq()), yb = y.applyAsDouble(p.end());
      if (p.retransmission()) {
        b.append(
            String.format(
                Locale.ROOT,
                "<g class=\"ts-rtx\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"var(--stall)\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\""
                    + " font-size=\"10\" fill=\"var(--stall)\">R</text><title>frame %d:"
                    + " retransmission %d-%d</title></g>",
                px,
                px,
                ya,
                Math.min(yb, ya - 1),
                px - 3,
                Math.min(yb, ya - 1) - 2,
                p.frame(),
                p.seq(),
                p.end()));
      } else {
        b.append(
            String.format(
                Locale.ROOT,
                "<line class=\"ts-seg\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\""
                    + " stroke=\"var(--receive)\"><title>frame %d: %d-%d</title></line>",
                px,
                px,
                ya,
                Math.min(yb, ya - 1),
                p.frame(),
                p.seq(),
                p.end()));
      }
    }
    b.append("</svg>");
  }

  /** Appends a step to {@code (px, py)} to an SVG path. */
  private static void step(StringBuilder path, double px, double py) {
    if (path.length() == 0) {
      path.append(String.format(Locale.ROOT, "M%.1f %.1f", px, py));
    } else {
      path.append(String.format(Locale.ROOT, " H%.1f V%.1f", px, py));
    }
  }

  private static void ladderSvg(
      StringBuilder b, ReportDigest.Ladder l, ConnectionResult c, FrameFiles ff) {
    List<LadderEntry> entries = l.ladder();
    int rowH = 34;
    int top = 46;
    int width = 860;
    int xc = 250;
    int xs = 690;
    int height = top + entries.size() * rowH + 16;
    svg(b, "ladder", width, height).append("ladder diagram\">");
    String client = c == null ? "client" : "client " + ReportModel.endpoint(c.client());
    String server = c == null ? "server" : "server " + ReportModel.endpoint(c.server());
    b.append("<text x=\"")
        .append(xc)
        .append("\" y=\"16\" text-anchor=\"middle\" font-weight=\"600\">")
        .append(html(client))
        .append("</text><text x=\"")
        .append(xs)
        .append("\" y=\"16\" text-anchor=\"middle\" font-weight=\"600\">")
        .append(html(server))
        .append("</text>");
    b.append(
        "<text x=\"8\" y=\"34\" class=\"lbl\">capture time</text><text x=\"120\" y=\"34\" class=\"lbl\">since previous</text>");
    b.append("<line class=\"axis\" x1=\"")
        .append(xc)
        .append("\" y1=\"24\" x2=\"")
        .append(xc)
        .append("\" y2=\"")
        .append(height - 6)
        .append("\" stroke-width=\"2\"/><line class=\"axis\" x1=\"")
        .append(xs)
        .append("\" y1=\"24\" x2=\"")
        .append(xs)
        .append("\" y2=\"")
        .append(height - 6)
        .append("\" stroke-width=\"2\"/>");
    // roles: a pure ACK among the evidence is the held ACK; evidence data sent after it the other
    // way was released
    boolean heldSeen = false;
    boolean heldFromClient = false;
    long prevTs = -1;
    int i = 0;
    for (LadderEntry e : entries) {
      long frame = e.frame();
      long ts = e.tsUs();
      boolean c2s = e.clientToServer();
      String flags = e.flags();
      long len = e.len();
      boolean ev = l.evidence().contains(frame);
      String role = "";
      if (ev
          && len == 0
          && flags.contains("ACK")
          && !flags.contains("SYN")
          && !flags.contains("FIN")
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
      String what =
          "#"
              + frame
              + " "
              + flags
              + (len > 0 ? " len " + len : "")
              + " seq "
              + e.seq()
              + (e.ack() < 0 ? "" : " ack " + e.ack());
      String who =
          role.equals("held")
              ? " (held ACK)"
              : role.equals("released") ? " (released segment)" : "";
      b.append("<g class=\"pkt")
          .append(role.isEmpty() ? "" : " " + role)
          .append("\"><title>")
          .append(
              html(
                  "frame "
                      + ff.cite(frame)
                      + who
                      + ": "
                      + (c2s ? "client to server" : "server to client")
                      + ", flags "
                      + flags
                      + ", seq "
                      + e.seq()
                      + ", ack "
                      + (e.ack() < 0 ? "-" : String.valueOf(e.ack()))
                      + ", "
                      + len
                      + " bytes, at "
                      + ReportModel.ms3(ts)))
          .append("</title>");
      b.append("<text x=\"8\" y=\"")
          .append(y + 12)
          .append("\" class=\"mono\">")
          .append(ReportModel.ms3(ts))
          .append("</text>");
      if (prevTs >= 0) {
        long d = ts - prevTs;
        b.append("<text x=\"120\" y=\"")
            .append(y + 12)
            .append("\"")
            .append(d >= 10_000 ? " class=\"gap\"" : " class=\"lbl\"")
            .append(">+")
            .append(ReportModel.ms3(d))
            .append("</text>");
      }
      prevTs = ts;
      String mk = role.isEmpty() ? "arr" : "arr-" + role;
      b.append("<line x1=\"")
          .append(x1)
          .append("\" y1=\"")
          .append(y + 6)
          .append("\" x2=\"")
          .append(x2)
          .append("\" y2=\"")
          .append(y + 24)
          .append("\" marker-end=\"url(#")
          .append(mk)
          .append(")\"/>");
      b.append("<text class=\"what\" x=\"")
          .append((xc + xs) / 2)
          .append("\" y=\"")
          .append(y + 3)
          .append("\" text-anchor=\"middle\">")
          .append(html(what + who))
          .append("</text></g>");
      i++;
    }
    b.append("</svg>");
  }

  /** Lane per connection: the first lane free at the connection's start. */
  private static int[] lanes(List<ReportSource.ConnectionView> cs) {
    int[] lane = new int[cs.size()];
    List<Long> ends = new ArrayList<>();
    for (int i = 0; i < cs.size(); i++) {
      long s = cs.get(i).connection().startUs();
      int k = 0;
      while (k < ends.size() && ends.get(k) >= s) {
        k++;
      }
      if (k == ends.size()) {
        ends.add(0L);
      }
      ends.set(k, cs.get(i).connection().endUs());
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
      b.append("<line class=\"axis\" x1=\"")
          .append(num(xx))
          .append("\" y1=\"")
          .append(y)
          .append("\" x2=\"")
          .append(num(xx))
          .append("\" y2=\"")
          .append(yEnd)
          .append("\"/><text class=\"lbl\" x=\"")
          .append(num(xx))
          .append("\" y=\"")
          .append(y - 3)
          .append("\" text-anchor=\"middle\">")
          .append(tick(t, step))
          .append("</text>");
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

  private static void rect(
      StringBuilder b, String cls, double x0, double x1, int y, int h, String title) {
    double w = Math.max(1.5, x1 - x0);
    b.append("<rect class=\"")
        .append(cls)
        .append("\" x=\"")
        .append(num(x0))
        .append("\" y=\"")
        .append(y)
        .append("\" width=\"")
        .append(num(w))
        .append("\" height=\"")
        .append(h)
        .append("\"><title>")
        .append(html(title))
        .append("</title></rect>");
  }

  private static void pairs(StringBuilder b, ReportDigest d) {
    List<ReportModel.Pair> ps = d.pairs;
    if (ps.isEmpty()) {
      return;
    }
    b.append("<section id=\"use\"><h2>Connection use per client/server pair</h2>")
        .append(
            "<p class=\"legend\"><span><i class=\"conn\" style=\"background:#c9ced8\"></i>connection open</span>")
        .append(
            "<span><i style=\"background:var(--receive)\"></i>transaction (request start to response end)</span>")
        .append(
            "One lane per connection open at the same time: several lanes mean parallel connections, several"
                + " bars on one lane serial ones, several transactions in a bar a persistent connection.</p>");
    long drawnPairs = 0;
    for (ReportModel.Pair p : ps) {
      if (p.connections().isEmpty()) {
        continue;
      }
      drawnPairs++;
      List<ReportSource.ConnectionView> cs = p.connections();
      b.append("<h3>")
          .append(html(p.client()))
          .append(" &rarr; ")
          .append(html(p.server()))
          .append("</h3><p>")
          .append(p.connectionCount())
          .append(p.connectionCount() == 1 ? " connection, " : " connections, ")
          .append(p.transactions())
          .append(" transactions")
          .append(
              p.inferredExchanges() > 0
                  ? " and ~"
                      + p.inferredExchanges()
                      + " exchanges inferred from TLS records (at most "
                      + p.inferredMaxPerConnection()
                      + " on one connection)"
                  : "")
          .append(": ")
          .append(html(p.pattern()))
          .append("; closes: ")
          .append(html(p.closes()))
          .append(p.connectionCount() > cs.size() ? " (first " + cs.size() + " drawn)" : "")
          .append("</p>");
      int[] lane = lanes(cs);
      int lanesN = 0;
      long t0 = Long.MAX_VALUE;
      long t1 = Long.MIN_VALUE;
      for (int i = 0; i < cs.size(); i++) {
        lanesN = Math.max(lanesN, lane[i] + 1);
        t0 = Math.min(t0, cs.get(i).connection().startUs());
        t1 = Math.max(t1, cs.get(i).connection().endUs());
      }
      int x0 = 60;
      int x1 = 1040;
      int rowH = 22;
      int height = 24 + lanesN * rowH + 6;
      svg(b, "timeline", 1060, height).append("connection use timeline\">");
      axis(b, t0, t1, x0, x1, 18, height - 4);
      for (int k = 0; k < lanesN; k++) {
        b.append("<text class=\"lbl\" x=\"4\" y=\"")
            .append(24 + k * rowH + 14)
            .append("\">lane ")
            .append(k + 1)
            .append("</text>");
      }
      for (int i = 0; i < cs.size(); i++) {
        ReportSource.ConnectionView v = cs.get(i);
        ConnectionResult c = v.connection();
        int y = 24 + lane[i] * rowH;
        long s = c.startUs();
        long e = c.endUs();
        rect(
            b,
            "conn",
            x(s, t0, t1, x0, x1),
            x(e, t0, t1, x0, x1),
            y + 2,
            rowH - 4,
            c.idString()
                + " "
                + ReportModel.endpoint(c.client())
                + " -> "
                + ReportModel.endpoint(c.server())
                + ": "
                + ReportModel.ms3(s)
                + " to "
                + ReportModel.ms3(e)
                + ", "
                + v.transactions().size()
                + " transactions, close "
                + ReportModel.closeReason(c));
        for (TransactionResult t : v.transactions()) {
          long ts = t.requestStartUs() >= 0 ? t.requestStartUs() : t.responseStartUs();
          long te = t.responseEndUs() >= 0 ? t.responseEndUs() : t.requestEndUs();
          if (ts < 0 || te < 0) {
            continue;
          }
          rect(
              b,
              "txn",
              x(ts, t0, t1, x0, x1),
              x(te, t0, t1, x0, x1),
              y + 6,
              rowH - 12,
              c.idString()
                  + " #"
                  + t.index()
                  + " "
                  + ReportModel.request(t)
                  + " -> "
                  + ReportModel.outcome(t)
                  + ", "
                  + ReportModel.ms(te - ts)
                  + (t.pipelineDepth() > 1 ? ", pipelined (depth " + t.pipelineDepth() + ")" : ""));
        }
      }
      b.append("</svg>");
    }
    if (d.pairsTotal > drawnPairs) {
      b.append("<p>").append(d.pairsTotal - drawnPairs).append(" more pairs not drawn.</p>");
    }
    b.append("</section>\n");
  }

  /** Request patterns listed per pair in the HTML report; the JSON report has them all. */
  static final int PATTERN_ROWS = 50;

  /**
   * Per client/server pair (at most as many as pair timelines are drawn, the longest transaction
   * time first): the latency histogram (wait and total time in log-scale buckets, inline SVG) and
   * the request patterns with their count, p50/p90/p99 of wait and total time and bytes, all
   * computed by the analysis ({@code PatternStats}).
   */
  private static void patterns(StringBuilder b, ReportDigest d) {
    List<PairSummary> ps = new ArrayList<>();
    for (PairSummary p : d.header.capture().pairs()) {
      if (!p.patterns().isEmpty()) {
        ps.add(p);
      }
    }
    if (ps.isEmpty()) {
      return;
    }
    ps.sort(java.util.Comparator.comparingLong(p -> -p.transactionUs())); // stable: report order
    b.append("<section id=\"patterns\"><h2>Requests per pattern and latency per pair</h2>")
        .append(
            "<p class=\"legend\"><span><i class=\"wait\" style=\"background:var(--wait)\"></i>wait"
                + " (request sent to first response byte)</span><span><i style=\"background:"
                + "var(--receive)\"></i>total (first request byte to last response byte)</span>"
                + "Transactions per time bucket, log-scale buckets (1-2-5 per decade). Requests are"
                + " method and path without the query; times are p50 / p90 / p99 (nearest rank).</p>");
    int shown = 0;
    for (PairSummary p : ps) {
      if (shown == d.limits.pairs()) {
        break;
      }
      shown++;
      b.append("<h3>")
          .append(html(p.client()))
          .append(" &rarr; ")
          .append(html(ReportModel.endpoint(p.server())))
          .append("</h3>");
      histogram(b, p);
      b.append(
          "<table class=\"patterns\"><tr><th>Request</th><th>Count</th><th>Wait p50 / p90 / p99</th>"
              + "<th>Total p50 / p90 / p99</th><th>Bytes</th></tr>");
      List<PatternSummary> rows = p.patterns();
      for (int i = 0; i < rows.size() && i < PATTERN_ROWS; i++) {
        PatternSummary s = rows.get(i);
        b.append("<tr><td class=\"mono\">")
            .append(html(s.pattern()))
            .append("</td><td class=\"num\">")
            .append(s.transactions())
            .append("</td><td class=\"num\">")
            .append(Text.percentiles(s.waitTime()))
            .append("</td><td class=\"num\">")
            .append(Text.percentiles(s.total()))
            .append("</td><td class=\"num\">")
            .append(Text.bytes(s.bytes()))
            .append("</td></tr>");
      }
      b.append("</table>");
      if (rows.size() > PATTERN_ROWS) {
        b.append("<p>")
            .append(rows.size() - PATTERN_ROWS)
            .append(" more patterns: see the JSON report.</p>");
      }
    }
    if (ps.size() > shown) {
      b.append("<p>")
          .append(ps.size() - shown)
          .append(" more pairs with requests: see the JSON report.</p>");
    }
    b.append("</section>\n");
  }

  /** Bucket width and left edge of the latency histogram. */
  private static final int HIST_SLOT = 40;

  private static final int HIST_X0 = 50;

  /** Bar area height of the latency histogram. */
  private static final int HIST_H = 110;

  /**
   * A pair's wait and total time histogram: one slot per log-scale bucket, two bars in it (wait,
   * total), heights in proportion to the largest count; each bar says its bucket and count.
   */
  private static void histogram(StringBuilder b, PairSummary p) {
    LatencyHistogram h = p.latencyHistogram();
    if (h == null) {
      return;
    }
    int n = h.lowerUs().size();
    if (n == 0 || h.waitTime().size() != n || h.total().size() != n) {
      return;
    }
    long max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, Math.max(h.waitTime().get(i), h.total().get(i)));
    }
    if (max == 0) {
      b.append("<p>No transaction with a measured time.</p>");
      return;
    }
    int top = 16;
    int width = HIST_X0 + n * HIST_SLOT + 10;
    int height = top + HIST_H + 22;
    svg(b, "histogram", width, height).append("latency histogram\">");
    b.append("<line class=\"axis\" x1=\"")
        .append(HIST_X0)
        .append("\" y1=\"")
        .append(top + HIST_H)
        .append("\" x2=\"")
        .append(HIST_X0 + n * HIST_SLOT)
        .append("\" y2=\"")
        .append(top + HIST_H)
        .append("\"/><text class=\"lbl\" x=\"4\" y=\"")
        .append(top + 4)
        .append("\">")
        .append(max)
        .append("</text><text class=\"lbl\" x=\"4\" y=\"")
        .append(top + HIST_H)
        .append("\">0</text>");
    for (int i = 0; i < n; i++) {
      int x = HIST_X0 + i * HIST_SLOT;
      String range =
          i + 1 < n
              ? bucketLabel(h.lowerUs().get(i)) + " to " + bucketLabel(h.lowerUs().get(i + 1))
              : bucketLabel(h.lowerUs().get(i)) + " or more";
      bar(b, "wait", x + 4, h.waitTime().get(i), max, top, "wait " + range);
      bar(b, "receive", x + HIST_SLOT / 2, h.total().get(i), max, top, "total " + range);
      long lower = h.lowerUs().get(i);
      if (decade(lower)) { // decades labelled; every bar's title gives its bucket
        b.append("<line class=\"axis\" x1=\"")
            .append(x)
            .append("\" y1=\"")
            .append(top + HIST_H)
            .append("\" x2=\"")
            .append(x)
            .append("\" y2=\"")
            .append(top + HIST_H + 4)
            .append("\"/><text class=\"lbl\" x=\"")
            .append(x)
            .append("\" y=\"")
            .append(top + HIST_H + 15)
            .append("\" text-anchor=\"middle\">")
            .append(bucketLabel(lower))
            .append("</text>");
      }
    }
    b.append("</svg>");
  }

  private static void bar(
      StringBuilder b, String cls, int x, long count, long max, int top, String what) {
    if (count <= 0) {
      return;
    }
    int bh = (int) Math.max(1, Math.round((double) count * HIST_H / max));
    b.append("<rect class=\"")
        .append(cls)
        .append("\" x=\"")
        .append(x)
        .append("\" y=\"")
        .append(top + HIST_H - bh)
        .append("\" width=\"")
        .append(HIST_SLOT / 2 - 4)
        .append("\" height=\"")
        .append(bh)
        .append("\"><title>")
        .append(html(what + ": " + count + (count == 1 ? " transaction" : " transactions")))
        .append("</title></rect>");
  }

  /** 0 or a power of ten. */
  private static boolean decade(long us) {
    long d = 1;
    while (d < us) {
      d *= 10;
    }
    return us == 0 || d == us;
  }

  /** A bucket bound as a short label: "0", "50us", "2ms", "5s". */
  private static String bucketLabel(long us) {
    if (us == 0) {
      return "0";
    }
    if (us < 1000) {
      return us + "us";
    }
    if (us < 1_000_000) {
      return us / 1000 + "ms";
    }
    return us / 1_000_000 + "s";
  }

  /**
   * One row per TLS connection (version, suite, SNI, ALPN, handshake, resumption, phases, keys),
   * then what failed or could not be read. Strings from packets are escaped.
   */
  private static void tls(StringBuilder b, ReportDigest d) {
    if (d.tlsTotal == 0) {
      return;
    }
    List<ConnectionResult> cs = d.tls;
    b.append("<section id=\"tls\"><h2>TLS</h2><p>")
        .append(d.tlsTotal)
        .append(d.tlsTotal == 1 ? " TLS connection (" : " TLS connections (");
    String sep = "";
    for (java.util.Map.Entry<String, Long> e : d.tlsVersions.entrySet()) {
      b.append(sep).append(e.getValue()).append(' ').append(html(e.getKey()));
      sep = ", ";
    }
    b.append("): ")
        .append(d.tlsResumed)
        .append(" resumed, ")
        .append(d.tlsFailed)
        .append(
            " failed. Phases: connect"
                + " (SYN to ACK), hello (ClientHello to ServerHello), server flight, finished to data (client Finished to the"
                + " first application data; inferred when the Finished was encrypted), TLS setup (ClientHello to the first"
                + " application data).</p>");
    b.append(
        "<table><thead><tr><th>Connection</th><th>SNI</th><th>Version and cipher suite</th>"
            + "<th>ALPN</th><th>Handshake</th><th>Connect</th><th>Hello</th><th>Server flight</th>"
            + "<th>Finished to data</th><th>TLS setup</th><th>Round trips</th><th>Keys</th></tr></thead><tbody>");
    int i = 0;
    for (ConnectionResult c : cs) {
      if (i++ == MAX_ROWS) {
        b.append("</tbody></table><details><summary>")
            .append(cs.size() - MAX_ROWS)
            .append(" more TLS connections</summary><table><tbody>");
      }
      TlsFacts f = c.tls();
      TlsFacts.Timing t = f.timing();
      b.append("<tr><td>")
          .append(html(c.idString()))
          .append("<br>")
          .append(html(ReportModel.endpoint(c.server())))
          .append("</td><td><code>")
          .append(html(f.sni()))
          .append("</code></td><td>")
          .append(html(f.version()))
          .append("<br><span class=\"suite\">")
          .append(html(f.cipherSuite()))
          .append("</span></td><td>")
          .append(html(TlsReport.alpn(f)))
          .append("</td><td>")
          .append(html(TlsReport.handshake(f)))
          .append(f.resumption() == null ? "" : ", " + html(TlsReport.resumption(f)))
          .append("</td><td class=\"num\">")
          .append(ReportModel.msOrDash(t.tcpConnectUs()))
          .append("</td><td class=\"num\">")
          .append(ReportModel.msOrDash(t.helloToServerHelloUs()))
          .append("</td><td class=\"num\">")
          .append(ReportModel.msOrDash(t.serverFlightUs()))
          .append("</td><td class=\"num\">")
          .append(html(TlsReport.finishedToData(t)))
          .append("</td><td class=\"num\">")
          .append(ReportModel.msOrDash(t.setupUs()))
          .append("</td><td class=\"num\">")
          .append(TlsReport.roundTrips(t))
          .append("</td><td>")
          .append(html(f.decryption()))
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (cs.size() > MAX_ROWS) {
      b.append("</details>");
    }
    if (d.tlsTotal > cs.size()) {
      b.append("<p>")
          .append(d.tlsTotal - cs.size())
          .append(" more TLS connections in the JSON report.</p>");
    }
    StringBuilder r = new StringBuilder();
    for (ConnectionResult c : cs) {
      for (String line : TlsReport.remarks(c.tls(), d.frameFiles)) {
        r.append("<li>").append(html(c.idString())).append(": ").append(html(line)).append("</li>");
      }
    }
    if (r.length() > 0) {
      b.append("<p>Failures, alerts and what could not be read:</p><ul>").append(r).append("</ul>");
    }
    b.append("</section>\n");
  }

  private static void waterfalls(StringBuilder b, ReportDigest d) {
    if (d.waterfalls.isEmpty()) {
      return;
    }
    boolean tls = false;
    for (ReportDigest.Waterfall w : d.waterfalls) {
      tls |= w.connection().connection().tls() != null;
    }
    b.append("<section id=\"waterfall\"><h2>Waterfall per connection</h2><p class=\"legend\">")
        .append("<span><i style=\"background:var(--connect)\"></i>connect</span>")
        .append(
            tls
                ? "<span><i style=\"background:var(--tls)\"></i>TLS (ClientHello to the first application data)</span>"
                : "")
        .append(
            "<span><i style=\"background:var(--send)\"></i>send (request first to last packet)</span>")
        .append(
            "<span><i style=\"background:var(--wait)\"></i>wait (for the first response packet)</span>")
        .append("<span><i style=\"background:var(--receive)\"></i>receive</span>")
        .append(
            "<span><i style=\"background:var(--stall)\"></i>stall (a finding's evidence)</span>")
        .append(
            tls
                ? "<span><i style=\"background:var(--receive);opacity:.45;outline:1px dashed var(--ink)\"></i>"
                    + "inferred from encrypted TLS records (rows ~N: exchanges not seen as HTTP)</span>"
                : "")
        .append("</p>");
    for (ReportDigest.Waterfall w : d.waterfalls) {
      waterfall(b, w.findings(), w.connection(), d.frameFiles);
    }
    if (d.waterfallCandidates > d.waterfalls.size()) {
      b.append("<p>")
          .append(d.waterfallCandidates - d.waterfalls.size())
          .append(" more connections not drawn.</p>");
    }
    b.append("</section>\n");
  }

  private static void waterfall(
      StringBuilder b, List<Finding> findings, ReportSource.ConnectionView v, FrameFiles ff) {
    ConnectionResult c = v.connection();
    String id = c.idString();
    ConnectionResult.Handshake hs = c.handshake();
    long t0 = c.startUs();
    long t1 = Math.max(t0 + 1, c.endUs());
    List<TransactionResult> txs = v.transactions();
    TlsFacts tls = c.tls();
    // a TLS connection: its handshake on a row of its own; without HTTP, its inferred exchanges
    boolean tlsRow = tls != null && tls.timing().clientHelloUs() >= 0;
    List<TlsFacts.Exchange> xs =
        v.transactionsRead() == 0 && tls != null ? tls.inferredExchanges() : List.of();
    int first = tlsRow ? 1 : 0;
    int rows = Math.min(txs.size(), MAX_ROWS);
    int xrows = Math.min(xs.size(), MAX_ROWS);
    int x0 = 300;
    int x1 = 1040;
    int rowH = 22;
    int height = 24 + (first + rows + xrows) * rowH + 6;
    int total = v.transactionsRead();
    b.append("<h3>")
        .append(html(id))
        .append(": ")
        .append(html(ReportModel.endpoint(c.client())))
        .append(" &rarr; ")
        .append(html(ReportModel.endpoint(c.server())))
        .append("</h3><p class=\"sub\">");
    if (tls != null) {
      b.append(html(tls.version() == null ? "TLS (version unknown)" : tls.version()))
          .append(tls.sni() == null ? "" : ", SNI " + html(tls.sni()))
          .append(", handshake ")
          .append(html(TlsReport.handshake(tls)))
          .append(", ")
          .append(html(TlsReport.resumption(tls)))
          .append(
              tls.timing().setupUs() >= 0
                  ? ", TLS setup " + ReportModel.ms(tls.timing().setupUs())
                  : "")
          .append(", keys ")
          .append(html(tls.decryption()))
          .append("; ");
    }
    if (total == 0 && tls != null) {
      int n = tls.inferredExchangeCount();
      b.append(n)
          .append(n == 1 ? " exchange" : " exchanges")
          .append(" inferred from the encrypted records");
    } else {
      b.append(total).append(total == 1 ? " transaction" : " transactions");
    }
    b.append(", ")
        .append(ReportModel.ms(t1 - t0))
        .append(", close: ")
        .append(html(ReportModel.closeReason(c)))
        .append(total > rows ? " (first " + rows + " drawn)" : "")
        .append(
            tls != null && total == 0 && tls.inferredExchangeCount() > xrows
                ? " (first " + xrows + " drawn)"
                : "")
        .append("</p>");
    svg(b, "waterfall", 1060, height).append("waterfall of ").append(html(id)).append("\">");
    axis(b, t0, t1, x0, x1, 18, height - 4);
    if (tlsRow) {
      tlsRow(b, c, tls, t0, t1, x0, x1, 24, rowH, ff);
    }
    for (int i = 0; i < xrows; i++) {
      inferredRow(b, id, xs.get(i), t0, t1, x0, x1, 24 + (first + i) * rowH, rowH, ff);
    }
    for (int i = 0; i < rows; i++) {
      TransactionResult t = txs.get(i);
      int y = 24 + (first + i) * rowH;
      String label =
          "#" + t.index() + " " + ReportModel.request(t) + " " + ReportModel.statusOrDash(t);
      if (label.length() > 48) {
        label = label.substring(0, 45) + "...";
      }
      b.append("<text x=\"4\" y=\"")
          .append(y + 14)
          .append("\">")
          .append(html(label))
          .append("</text>");
      String who = id + " #" + t.index() + " " + ReportModel.request(t) + ": ";
      TransactionResult.Timings tm = t.timings();
      if (tm.connectUs() >= 0 && !tlsRow) {
        long s = hs.synUs();
        long e = hs.ackUs();
        rect(
            b,
            "connect",
            x(s, t0, t1, x0, x1),
            x(e, t0, t1, x0, x1),
            y + 4,
            rowH - 8,
            who + "connect " + ReportModel.ms(e - s) + " (SYN to ACK)");
      }
      long rs = t.requestStartUs();
      long re = t.requestEndUs();
      long ps = t.responseStartUs();
      long pe = t.responseEndUs();
      if (rs >= 0 && re >= 0) {
        rect(
            b,
            "send",
            x(rs, t0, t1, x0, x1),
            x(re, t0, t1, x0, x1),
            y + 4,
            rowH - 8,
            who
                + "send "
                + ReportModel.ms(re - rs)
                + ", "
                + t.requestBodyBytes()
                + " body bytes"
                + headerNote(t.requestHeaders()));
      }
      if (re >= 0 && ps >= 0) {
        rect(
            b,
            "wait",
            x(re, t0, t1, x0, x1),
            x(ps, t0, t1, x0, x1),
            y + 4,
            rowH - 8,
            who + "wait " + ReportModel.ms(ps - re) + " for the first response packet");
      } else if (re >= 0 && ps < 0) {
        rect(
            b,
            "wait",
            x(re, t0, t1, x0, x1),
            x(t1, t0, t1, x0, x1),
            y + 4,
            rowH - 8,
            who + "no response seen");
      }
      if (ps >= 0 && pe >= 0) {
        rect(
            b,
            "receive",
            x(ps, t0, t1, x0, x1),
            x(pe, t0, t1, x0, x1),
            y + 4,
            rowH - 8,
            who
                + "receive "
                + ReportModel.ms(pe - ps)
                + ", status "
                + ReportModel.statusOrZero(t)
                + ", "
                + t.responseBodyBytes()
                + " body bytes");
      }
      for (Finding f : findings) {
        long[] span = stall(f);
        if (span == null) {
          continue;
        }
        boolean mine =
            f.transaction() >= 0
                ? f.transaction() == t.index()
                : rs >= 0 && span[0] >= rs && span[0] <= Math.max(pe, re);
        if (mine && f.transaction() < 0 && hasTypedTwin(findings, f)) {
          continue; // the same stall is drawn once, by the finding that names the transaction
        }
        if (mine) {
          rect(
              b,
              "stall",
              x(span[0], t0, t1, x0, x1),
              x(span[1], t0, t1, x0, x1),
              y + rowH - 7,
              5,
              id
                  + ": "
                  + ReportModel.title(f.type())
                  + ", "
                  + ReportModel.ms(f.costUs())
                  + ", frames "
                  + ReportModel.frames(f, ff)
                  + ": "
                  + f.summary());
        }
      }
    }
    b.append("</svg>");
  }

  /**
   * The handshake row of a TLS connection: connect (SYN to ACK) and the TLS segment, from the
   * ClientHello to the first application data record (or to the failure; to the connection's end
   * when the handshake did not finish in the capture).
   */
  private static void tlsRow(
      StringBuilder b,
      ConnectionResult c,
      TlsFacts f,
      long t0,
      long t1,
      int x0,
      int x1,
      int y,
      int rowH,
      FrameFiles ff) {
    String id = c.idString();
    TlsFacts.Timing t = f.timing();
    String version = f.version() == null ? "TLS" : f.version();
    b.append("<text x=\"4\" y=\"")
        .append(y + 14)
        .append("\">")
        .append(html(version + " handshake"))
        .append("</text>");
    ConnectionResult.Handshake hs = c.handshake();
    if (hs.synUs() >= 0 && hs.ackUs() >= 0) {
      rect(
          b,
          "connect",
          x(hs.synUs(), t0, t1, x0, x1),
          x(hs.ackUs(), t0, t1, x0, x1),
          y + 4,
          rowH - 8,
          id + ": connect " + ReportModel.ms(hs.ackUs() - hs.synUs()) + " (SYN to ACK)");
    }
    long s = t.clientHelloUs();
    long e;
    String what;
    if (t.firstAppDataUs() >= 0) {
      e = t.firstAppDataUs();
      what =
          "TLS setup "
              + ReportModel.ms(t.setupUs())
              + ": ClientHello (frame "
              + ff.cite(t.clientHelloFrame())
              + ") to the first application data (frame "
              + ff.cite(t.firstAppDataFrame())
              + ")";
    } else if (f.failureUs() >= 0) {
      e = f.failureUs();
      what = "TLS handshake failed after " + ReportModel.ms(e - s) + ": " + f.failure();
    } else {
      e = t1;
      what =
          "TLS handshake "
              + f.handshake()
              + ": no application data seen after the ClientHello (frame "
              + ff.cite(t.clientHelloFrame())
              + ")";
    }
    StringBuilder title =
        new StringBuilder(id).append(": ").append(what).append("; ").append(version);
    if (f.cipherSuite() != null) {
      title.append(' ').append(f.cipherSuite());
    }
    title.append(", ").append(TlsReport.resumption(f));
    if (t.helloToServerHelloUs() >= 0) {
      title.append(", hello ").append(ReportModel.ms(t.helloToServerHelloUs()));
    }
    if (t.serverFlightUs() >= 0) {
      title.append(", server flight ").append(ReportModel.ms(t.serverFlightUs()));
    }
    if (t.finishedToAppDataUs() >= 0) {
      title.append(", finished to data ").append(TlsReport.finishedToData(t));
    }
    if (t.roundTrips() >= 0) {
      title
          .append(", ")
          .append(t.roundTrips())
          .append(t.roundTrips() == 1 ? " round trip" : " round trips");
    }
    rect(
        b,
        "tls",
        x(s, t0, t1, x0, x1),
        x(Math.max(s, e), t0, t1, x0, x1),
        y + 4,
        rowH - 8,
        title.toString());
  }

  /**
   * A row for an exchange inferred from encrypted records: drawn as send, wait, receive, marked
   * inferred.
   */
  private static void inferredRow(
      StringBuilder b,
      String id,
      TlsFacts.Exchange x,
      long t0,
      long t1,
      int x0,
      int x1,
      int y,
      int rowH,
      FrameFiles ff) {
    b.append("<text class=\"inferred\" x=\"4\" y=\"")
        .append(y + 14)
        .append("\">~")
        .append(x.index())
        .append(" inferred exchange</text>");
    String who = id + " ~" + x.index() + " (inferred from encrypted records, not seen as HTTP): ";
    rect(
        b,
        "send inferred",
        x(x.requestStartUs(), t0, t1, x0, x1),
        x(x.requestEndUs(), t0, t1, x0, x1),
        y + 4,
        rowH - 8,
        who
            + records(
                "request",
                TlsReport.sendUs(x),
                x.requestBytes(),
                x.requestRecords(),
                ff.citeRange(x.requestFirstFrame(), x.requestLastFrame())));
    if (x.responseStartUs() < 0) {
      rect(
          b,
          "wait inferred",
          x(x.requestEndUs(), t0, t1, x0, x1),
          x(t1, t0, t1, x0, x1),
          y + 4,
          rowH - 8,
          who + "no response records");
      return;
    }
    rect(
        b,
        "wait inferred",
        x(x.requestEndUs(), t0, t1, x0, x1),
        x(x.responseStartUs(), t0, t1, x0, x1),
        y + 4,
        rowH - 8,
        who + "wait " + ReportModel.ms(x.waitUs()) + " for the first response record");
    rect(
        b,
        "receive inferred",
        x(x.responseStartUs(), t0, t1, x0, x1),
        x(x.responseEndUs(), t0, t1, x0, x1),
        y + 4,
        rowH - 8,
        who
            + records(
                "response",
                TlsReport.receiveUs(x),
                x.responseBytes(),
                x.responseRecords(),
                ff.citeRange(x.responseFirstFrame(), x.responseLastFrame())));
  }

  /** "request records 1.2 ms, 345 B in 2 records, frames 10-11" for an inferred exchange. */
  private static String records(String side, long us, long bytes, long count, String frames) {
    return side
        + " records "
        + ReportModel.ms(us)
        + ", "
        + bytes
        + " B in "
        + count
        + (count == 1 ? " record" : " records")
        + ", frames "
        + frames;
  }

  /** ", host: ..., user-agent: ..." for a hover text. */
  private static String headerNote(java.util.Map<String, String> h) {
    StringBuilder b = new StringBuilder();
    for (String n : new String[] {"host", "user-agent", "connection"}) {
      if (h.get(n) != null) {
        b.append(", ").append(n).append(": ").append(h.get(n));
      }
    }
    return b.toString();
  }

  /** The time span of a finding's evidence frames, from its ladder; null without one. */
  private static long[] stall(Finding f) {
    Set<Long> ev = new HashSet<>(f.frames());
    long s = Long.MAX_VALUE;
    long e = Long.MIN_VALUE;
    for (LadderEntry p : f.ladder()) {
      if (ev.contains(p.frame())) {
        s = Math.min(s, p.tsUs());
        e = Math.max(e, p.tsUs());
      }
    }
    return s == Long.MAX_VALUE ? null : new long[] {s, e};
  }

  /** True when another finding on the same connection with the same frames names a transaction. */
  private static boolean hasTypedTwin(List<Finding> findings, Finding f) {
    String key = f.connection() + " " + ReportModel.frames(f);
    for (Finding g : findings) {
      if (g != f
          && g.transaction() >= 0
          && key.equals(g.connection() + " " + ReportModel.frames(g))) {
        return true;
      }
    }
    return false;
  }

  private static void connectionsTable(StringBuilder b, ReportDigest d) {
    List<ReportSource.ConnectionView> cs = d.table;
    if (cs.isEmpty()) {
      return;
    }
    b.append("<section id=\"connections\"><h2>Connections</h2><details><summary>")
        .append(d.connectionsTotal)
        .append(d.connectionsTotal == 1 ? " connection" : " connections")
        .append(" and their transactions</summary>")
        .append(
            "<table><thead><tr><th>Connection</th><th>Client</th><th>Server</th><th>Start</th><th>Duration</th>"
                + "<th>Close</th><th>History</th><th>Request</th><th>Status</th><th>Send</th><th>Wait</th><th>Receive</th>"
                + "</tr></thead><tbody>");
    for (ReportSource.ConnectionView v : cs) {
      ConnectionResult c = v.connection();
      List<TransactionResult> txs = v.transactions();
      int more = v.transactionsRead() - txs.size();
      List<TlsFacts.Exchange> xs =
          v.transactionsRead() == 0 && c.tls() != null ? c.tls().inferredExchanges() : List.of();
      int moreXs = xs.isEmpty() ? 0 : c.tls().inferredExchangeCount() - xs.size();
      int span = Math.max(1, txs.size() + xs.size()) + (more > 0 || moreXs > 0 ? 1 : 0);
      String head =
          "<td rowspan=\""
              + span
              + "\">"
              + html(c.idString())
              + "</td><td rowspan=\""
              + span
              + "\">"
              + html(ReportModel.endpoint(c.client()))
              + "</td><td rowspan=\""
              + span
              + "\">"
              + html(ReportModel.endpoint(c.server()))
              + "</td><td rowspan=\""
              + span
              + "\" class=\"num\">"
              + ReportModel.ms(c.startUs())
              + "</td><td rowspan=\""
              + span
              + "\" class=\"num\">"
              + ReportModel.ms(c.endUs() - c.startUs())
              + "</td><td rowspan=\""
              + span
              + "\">"
              + html(ReportModel.closeReason(c))
              + "</td><td rowspan=\""
              + span
              + "\"><code>"
              + html(String.valueOf(c.history()))
              + "</code></td>";
      if (txs.isEmpty() && xs.isEmpty()) {
        b.append("<tr>").append(head).append("<td colspan=\"5\">no HTTP</td></tr>");
      }
      for (int i = 0; i < xs.size(); i++) {
        TlsFacts.Exchange x = xs.get(i);
        long idle = TlsReport.idleBeforeUs(xs, i);
        b.append("<tr>")
            .append(head)
            .append("<td><em>")
            .append(
                html(
                    TlsReport.exchange(x)
                        + (idle >= 0 ? ", reused after idle " + ReportModel.ms(idle) : "")))
            .append("</em></td><td class=\"num\">-</td><td class=\"num\">")
            .append(ReportModel.msOrDash(TlsReport.sendUs(x)))
            .append("</td><td class=\"num\">")
            .append(ReportModel.msOrDash(x.waitUs()))
            .append("</td><td class=\"num\">")
            .append(ReportModel.msOrDash(TlsReport.receiveUs(x)))
            .append("</td></tr>");
        head = "";
      }
      if (moreXs > 0) {
        b.append("<tr><td colspan=\"5\">")
            .append(moreXs)
            .append(" more inferred exchanges in the JSON report</td></tr>");
      }
      for (TransactionResult t : txs) {
        TransactionResult.Timings tm = t.timings();
        b.append("<tr>")
            .append(head)
            .append("<td>")
            .append(html(ReportModel.request(t)))
            .append("</td><td class=\"num\">")
            .append(ReportModel.statusOrDash(t))
            .append("</td><td class=\"num\">")
            .append(ReportModel.msOrDash(tm.sendUs()))
            .append("</td><td class=\"num\">")
            .append(ReportModel.msOrDash(tm.waitUs()))
            .append("</td><td class=\"num\">")
            .append(ReportModel.msOrDash(tm.receiveUs()))
            .append("</td></tr>");
        head = "";
      }
      if (more > 0) {
        b.append("<tr><td colspan=\"5\">")
            .append(more)
            .append(" more transactions in the JSON report</td></tr>");
      }
    }
    if (d.connectionsTotal > cs.size()) {
      b.append("<tr><td colspan=\"12\">")
          .append(d.connectionsTotal - cs.size())
          .append(" more connections in the JSON report</td></tr>");
    }
    b.append("</tbody></table></details></section>\n");
  }

  /**
   * Opens a drawing of class {@code cls}, {@code width} by {@code height} user units shown at that
   * many pixels, up to its accessible label's text, which the caller appends with the closing quote
   * (and any further attributes and the tag's end).
   */
  private static StringBuilder svg(StringBuilder b, String cls, int width, int height) {
    return b.append("<svg class=\"")
        .append(cls)
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height)
        .append("\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\" aria-label=\"");
  }
}
