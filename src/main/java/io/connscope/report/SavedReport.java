package io.connscope.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A JSON report read back, and the rendering of it into any format but text: {@code analyze} writes
 * the JSON report and renders from it, {@code connscope report} renders a saved one, so both share
 * one path and give the same bytes. The report is read in passes by {@link ReportSource}, bound to
 * the result records ({@link ResultJson}) and rendered by the same writers as the analysis uses:
 * JSON by {@link JsonReportWriter}, Markdown and HTML from a {@link ReportDigest}, HAR by {@link
 * HarReportWriter}.
 */
public final class SavedReport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SavedReport() {}

  /**
   * Reads a JSON report. Throws an IOException with a one-line message when the input is not JSON,
   * not a connscope report, or of another major schema version.
   */
  public static JsonNode read(InputStream in) throws IOException {
    JsonNode doc;
    try {
      doc = MAPPER.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("not a JSON document (" + e.getOriginalMessage() + ")");
    }
    if (doc == null
        || !doc.isObject()
        || !JsonReportWriter.SCHEMA.equals(doc.path("schema").asText())) {
      throw new IOException(
          "not a connscope JSON report (no \"schema\":\"" + JsonReportWriter.SCHEMA + "\")");
    }
    String v = doc.path("schema_version").asText("");
    if (!v.startsWith("1.")) {
      throw new IOException(
          "report schema version " + v + " is not supported (this connscope reads 1.x)");
    }
    if (!doc.path("connections").isArray()
        || !doc.path("findings").isArray()
        || !doc.path("capture").isObject()) {
      throw new IOException("damaged connscope report: connections, findings or capture missing");
    }
    return doc;
  }

  /**
   * Reads the report file whole and checks it: JSON, a connscope report, a 1.x schema version, then
   * every part against the schema. Throws an IOException with a one-line message that names the
   * first problem (with its JSON path).
   */
  public static Checked check(Path file) throws IOException {
    return new Checked(ReportSource.open(file).check());
  }

  /**
   * A report file that passed {@link #check}, to render ({@link #render(Checked, List, List, int)})
   * without reading its header again, each pass reading from where its array starts.
   */
  public static final class Checked {
    private final ReportSource src;

    private Checked(ReportSource src) {
      this.src = src;
    }
  }

  /**
   * Checks the report file whole against the schema ({@link #check}), then hands its records to
   * {@code sink} as the analysis would (transactions before their connection, then the findings,
   * then the capture summary).
   */
  public static void replay(Path file, io.connscope.result.ResultSink sink) throws IOException {
    check(file).src.replay(sink);
  }

  /**
   * Renders a checked report file in each of {@code formats} to the output at the same index, as
   * {@link #render(Path, List, List, int)} does: the same bytes.
   */
  public static void render(
      Checked report, List<ReportFormat> formats, List<OutputStream> outs, int drawn)
      throws IOException {
    render(report.src, formats, outs, drawn);
  }

  /**
   * Hands the records of {@code report} (a report this process wrote, e.g. one part of a
   * distributed analysis) to {@code sink} as {@link #replay(Path, io.connscope.result.ResultSink)}
   * does.
   */
  public static void replay(JsonNode report, io.connscope.result.ResultSink sink)
      throws IOException {
    ReportSource.of(report).replay(sink);
  }

  /**
   * Renders the report file as {@code format} to {@code out} (flushed, not closed), reading it in
   * passes so that memory does not grow with its size; at most {@code drawn} ladders, pair
   * timelines and waterfalls are drawn (0 for the defaults: 30, 20 and 40).
   */
  public static void render(Path file, ReportFormat format, OutputStream out, int drawn)
      throws IOException {
    render(ReportSource.open(file), List.of(format), List.of(out), drawn);
  }

  /**
   * Renders the report file in each of {@code formats} to the output at the same index (flushed,
   * not closed), in order, as {@link #render(Path, ReportFormat, OutputStream, int)} renders one:
   * the same bytes, with the passes over the report shared (see the other overload).
   */
  public static void render(
      Path file, List<ReportFormat> formats, List<OutputStream> outs, int drawn)
      throws IOException {
    render(ReportSource.open(file), formats, outs, drawn);
  }

  /**
   * Renders {@code src} in each of {@code formats} to the output at the same index, sharing the
   * passes over the report: Markdown and HTML are rendered from one {@link ReportDigest} (they ask
   * for the same), and one pass over the transactions feeds both Markdown's slowest transactions
   * and the HAR entries. Memory: the digest (bounded by what is drawn) and the HAR spool (memory,
   * then a temporary file).
   */
  static void render(
      ReportSource src, List<ReportFormat> formats, List<OutputStream> outs, int drawn)
      throws IOException {
    render(src, formats, outs, drawn, null);
  }

  /**
   * Renders as {@link #render(ReportSource, List, List, int)} does, with Markdown's slowest
   * transactions {@code slowestKnown} when not null (gathered while the analysis ran, {@link
   * ReportDigest.LiveSlowest}) instead of from a pass over every transaction.
   */
  static void render(
      ReportSource src,
      List<ReportFormat> formats,
      List<OutputStream> outs,
      int drawn,
      List<ReportDigest.Slow> slowestKnown)
      throws IOException {
    if (formats.contains(ReportFormat.TEXT)) {
      throw new IllegalArgumentException("text is rendered during the analysis, not from JSON");
    }
    ReportDigest.Limits limits =
        drawn > 0 ? ReportDigest.Limits.drawn(drawn) : ReportDigest.Limits.DEFAULT;
    boolean markdown = formats.contains(ReportFormat.MARKDOWN);
    try (HarReportWriter.Entries har =
        formats.contains(ReportFormat.HAR) ? new HarReportWriter.Entries(src) : null) {
      ReportDigest.Slowest slowest =
          markdown && slowestKnown == null
              ? new ReportDigest.Slowest(MarkdownReportWriter.SLOWEST)
              : null;
      boolean digest = markdown || formats.contains(ReportFormat.HTML);
      // the HAR entries are rendered on a thread of their own when the pass does other work too
      // (reading the report, the digest): the second core renders them meanwhile, in the order
      // handed over, so the bytes are those of a direct call
      Beside beside = har != null && (digest || slowest != null) ? new Beside(har) : null;
      ReportSource.TransactionVisitor harEach = beside != null ? beside : har;
      ReportSource.TransactionVisitor each = null;
      if (slowest != null && harEach != null) {
        each =
            (c, t) -> {
              slowest.accept(c, t);
              harEach.accept(c, t);
            };
      } else if (slowest != null || harEach != null) {
        each = slowest != null ? slowest : harEach;
      }
      ReportDigest d = null;
      try {
        if (digest) {
          d = ReportDigest.build(src, limits, each); // the transactions in its connections' pass
          if (slowest != null) {
            d.take(slowest);
          } else if (markdown) {
            d.take(slowestKnown);
          }
        } else if (each != null) {
          src.transactions(each);
        }
      } catch (IOException | RuntimeException | Error e) {
        if (beside != null) {
          try {
            beside
                .finish(); // the HAR thread stopped either way; the pass's failure is the one told
          } catch (IOException | RuntimeException | Error f) {
            e.addSuppressed(f);
          }
        }
        throw e;
      }
      if (beside != null) {
        beside.finish();
      }
      boolean harWritten = false;
      for (int i = 0; i < formats.size(); i++) {
        OutputStream out = outs.get(i);
        switch (formats.get(i)) {
          case JSON -> json(src, out);
          case HAR -> {
            if (harWritten) { // a second HAR output: its spool is written once, so a pass again
              HarReportWriter.write(src, out);
            } else {
              har.write(out);
              harWritten = true;
            }
          }
          case MARKDOWN, HTML -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            if (formats.get(i) == ReportFormat.MARKDOWN) {
              MarkdownReportWriter.write(d, w);
            } else {
              HtmlReportWriter.write(d, w);
            }
            w.flush();
          }
          case TEXT -> throw new IllegalStateException("text is not rendered from JSON");
        }
        out.flush();
      }
    }
  }

  /**
   * A transaction visitor run on a thread of its own ({@link WriterThread}): each connection is
   * handed over when it changes, then its transactions, and the visitor gets them in that order.
   * {@link #finish} waits for it and throws its failure (an IOException as such).
   */
  private static final class Beside implements ReportSource.TransactionVisitor {
    private final WriterThread thread;
    private ConnectionResult last;

    Beside(ReportSource.TransactionVisitor v) {
      thread =
          new WriterThread(
              List.of(
                  new ResultSink() {
                    private ConnectionResult c;

                    @Override
                    public void transaction(TransactionResult t) {
                      try {
                        v.accept(c, t);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    }

                    @Override
                    public void connection(ConnectionResult connection) {
                      c = connection;
                    }

                    @Override
                    public void finding(Finding f) {}

                    @Override
                    public void finish(CaptureSummary capture) {}
                  }),
              WriterThread.BATCH);
    }

    @Override
    public void accept(ConnectionResult c, TransactionResult t) throws IOException {
      try {
        if (c != last) {
          thread.connection(c);
          last = c;
        }
        thread.transaction(t);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }

    void finish() throws IOException {
      try {
        thread.finish(null);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  /** Renders {@code report} as {@code format} to {@code out} (flushed, not closed). */
  public static void render(JsonNode report, ReportFormat format, OutputStream out)
      throws IOException {
    switch (format) {
      case JSON -> json(ReportSource.of(report), out);
      case HAR -> HarReportWriter.write(report, out);
      case MARKDOWN, HTML -> {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        if (format == ReportFormat.MARKDOWN) {
          MarkdownReportWriter.write(report, w);
        } else {
          HtmlReportWriter.write(report, w);
        }
        w.flush();
      }
      case TEXT ->
          throw new IllegalArgumentException("text is rendered during the analysis, not from JSON");
    }
    out.flush();
  }

  /**
   * The report's records written again by {@link JsonReportWriter} (in the current schema version,
   * with the report's tool version): a report connscope wrote comes out byte for byte the same.
   */
  private static void json(ReportSource src, OutputStream out) throws IOException {
    src.replay(new JsonReportWriter(out, src.header().toolVersion()));
  }
}
