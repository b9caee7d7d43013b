package io.connscope.report;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several reports from one analysis ({@code -o report.html -o report.md}). Text is written by a
 * {@link TextReportWriter} while the analysis runs; every other format goes through the JSON
 * report: it is written once, straight to its output when that is the only one, otherwise to the
 * file of a JSON output given with its file ({@link #add(ReportFormat, OutputStream, Path)}) or to
 * a temporary file, copied to the other JSON outputs (on a thread of their own, beside the
 * rendering) and read back to render Markdown, HTML and HAR (the path {@code connscope report}
 * takes too), in passes the formats share ({@link SavedReport#render(ReportSource, List, List,
 * int)}), each array read from where the writer put it ({@link ReportSource#written}). Two things
 * are gathered while the analysis runs instead: a HAR output's entries ({@link
 * HarReportWriter.Live}, on a writer thread of its own; merged and written beside the JSON
 * document's writing and the rendering of the other formats, or rendered from the JSON report when
 * it could not be), Markdown's slowest transactions ({@link ReportDigest.LiveSlowest}), and, for
 * the digest of Markdown and HTML, each connection's head ({@link HeadRows}).
 *
 * <p>The writers run on a thread of their own ({@link WriterThread}), fed in the order events come:
 * the reports are the same bytes as with direct calls, and a writer's exception is thrown here, on
 * the analysis thread, at a later hand-over or at {@link #finish}.
 */
public final class ReportSet implements ResultSink {
  private final List<ResultSink> live = new ArrayList<>();
  private final List<PrintWriter> texts = new ArrayList<>();
  private final List<ReportFormat> formats = new ArrayList<>();
  private final List<OutputStream> outs = new ArrayList<>();
  private final List<Path> files = new ArrayList<>();
  private final String toolVersion;
  private final int batch;

  /** Ladders, pair timelines and waterfalls drawn at most (0: the defaults). */
  private int drawn;

  private Path jsonFile;
  private OutputStream jsonOut;
  private JsonReportWriter json;

  /** The heads of the connections the JSON writer wrote, for the digest; null when not kept. */
  private HeadRows heads;

  /** The JSON writer writes to the only JSON output itself (no temporary file). */
  private boolean direct;

  /**
   * The output the JSON report is written to and read back from (its file given with {@link
   * #add(ReportFormat, OutputStream, Path)}), -1 when that is a temporary file.
   */
  private int inPlace = -1;

  /** Runs the writers once the analysis starts. */
  private WriterThread writer;

  /** The HAR rendered while the analysis runs (one HAR output), on a thread of its own. */
  private HarReportWriter.Live har;

  private WriterThread harWriter;

  /** Markdown's slowest transactions, gathered while the analysis runs (a Markdown output). */
  private ReportDigest.LiveSlowest slowest;

  public ReportSet(String toolVersion) {
    this(toolVersion, WriterThread.BATCH);
  }

  /** With {@code batch} events per hand-over to the writer thread (tests use small ones). */
  ReportSet(String toolVersion, int batch) {
    this.toolVersion = toolVersion;
    this.batch = batch;
  }

  /**
   * At most {@code n} ladders, pair timelines and waterfalls drawn in HTML (0: the defaults 30, 20,
   * 40).
   */
  public void maxDrawn(int n) {
    drawn = n;
  }

  private boolean severalInputs;

  /**
   * The analysis reads more than one input file: the HAR rendered during the analysis then notes
   * where each entry's frames name their file, filled in at the end (without this, several files
   * make the HAR rendered from the JSON report instead). Set before the first record.
   */
  public void severalInputs(boolean several) {
    severalInputs = several;
  }

  /** Adds an output; {@code out} is flushed at {@link #finish}, never closed. */
  public void add(ReportFormat format, OutputStream out) {
    add(format, out, null);
  }

  /**
   * Adds an output written to a regular file: {@code file} holds what {@code out} writes, from its
   * first byte (a new file, or null when that is not so). A JSON output given so is where the JSON
   * report is written and read back from to render the other formats, instead of a temporary file
   * copied to it. {@code out} is flushed at {@link #finish}, never closed.
   */
  public void add(ReportFormat format, OutputStream out, Path file) {
    if (!live.isEmpty()) {
      throw new IllegalStateException("outputs are added before the analysis starts");
    }
    formats.add(format);
    outs.add(out);
    files.add(file);
  }

  /**
   * Creates the writers, once every output is known: text writers and the JSON writer in the order
   * of their outputs. The JSON report goes straight to its output when it is the only format
   * rendered from it, through a temporary file otherwise.
   */
  private void start() {
    if (!live.isEmpty() || formats.isEmpty()) {
      return;
    }
    long rendered = formats.stream().filter(f -> f != ReportFormat.TEXT).count();
    for (int i = 0; i < formats.size(); i++) {
      ReportFormat format = formats.get(i);
      OutputStream out = outs.get(i);
      if (format == ReportFormat.TEXT) {
        PrintWriter pw =
            new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), false);
        texts.add(pw);
        live.add(new TextReportWriter(pw));
      } else if (jsonOut == null) {
        if (rendered == 1 && format == ReportFormat.JSON) {
          jsonOut = out;
          direct = true;
        } else if ((inPlace = jsonWithFile()) >= 0) {
          jsonOut = outs.get(inPlace);
          jsonFile = files.get(inPlace);
        } else {
          try {
            jsonFile = Files.createTempFile("connscope-", ".json");
            jsonFile.toFile().deleteOnExit();
            jsonOut = new BufferedOutputStream(Files.newOutputStream(jsonFile), 1 << 16);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        json = new JsonReportWriter(jsonOut, toolVersion);
        if (!direct
            && (formats.contains(ReportFormat.MARKDOWN) || formats.contains(ReportFormat.HTML))) {
          heads = json.keepHeads(); // the digest's pass over every connection reads these
        }
        live.add(json);
      }
    }
    if (formats.contains(ReportFormat.MARKDOWN)) {
      slowest = new ReportDigest.LiveSlowest(MarkdownReportWriter.SLOWEST);
      live.add(slowest);
    }
    writer = new WriterThread(live, batch);
    if (formats.contains(ReportFormat.HAR)) {
      har = new HarReportWriter.Live(severalInputs);
      harWriter = new WriterThread(List.of(har), batch);
    }
  }

  /** The first JSON output given with its file, -1 when none. */
  private int jsonWithFile() {
    for (int i = 0; i < formats.size(); i++) {
      if (formats.get(i) == ReportFormat.JSON && files.get(i) != null) {
        return i;
      }
    }
    return -1;
  }

  /**
   * True when the HAR output was rendered while the analysis ran, false when it was rendered from
   * the JSON report read back (or there is none); known after {@link #finish}.
   */
  boolean harDuringAnalysis() {
    return har != null && har.rendered();
  }

  /** True when a text output failed (PrintWriter swallows I/O errors). */
  public boolean textError() {
    boolean err = false;
    for (PrintWriter p : texts) {
      err |= p.checkError();
    }
    return err;
  }

  @Override
  public void connectionStarted(ConnectionStart s) {
    start();
    if (harWriter != null) {
      harWriter.connectionStarted(s);
    }
  }

  @Override
  public void transaction(TransactionResult t) {
    start();
    if (writer != null) {
      writer.transaction(t);
    }
    if (harWriter != null) {
      harWriter.transaction(t);
    }
  }

  @Override
  public void connection(ConnectionResult c) {
    start();
    if (writer != null) {
      writer.connection(c);
    }
    if (harWriter != null) {
      harWriter.connection(c);
    }
  }

  @Override
  public void finding(Finding finding) {
    start();
    if (writer != null) {
      writer.finding(finding);
    }
    if (harWriter != null) {
      harWriter.finding(finding);
    }
  }

  /** Copies the JSON report to the JSON outputs on a thread of its own. */
  private Copier copier;

  /** Writes the HAR rendered during the analysis, beside the other formats' rendering. */
  private Copier harOut;

  /**
   * Copies a file to outputs (each flushed, not closed), on a thread of its own once started; its
   * failure is kept for {@link #copyFailure}.
   */
  private static final class Copier implements Runnable {
    /** Work that may fail with an IOException. */
    interface Body {
      void run() throws IOException;
    }

    private final Body body;
    private final Thread thread;
    private volatile Throwable failure;

    Copier(Path file, List<OutputStream> outs) {
      this(() -> copy(file, outs), "connscope-copy");
    }

    Copier(Body body, String name) {
      this.body = body;
      thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    private static void copy(Path file, List<OutputStream> outs) throws IOException {
      byte[] buf = new byte[1 << 20];
      for (OutputStream out : outs) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            out.write(buf, 0, n);
          }
        }
        out.flush();
      }
    }

    @Override
    public void run() {
      try {
        body.run();
      } catch (Throwable e) {
        failure = e;
      }
    }

    void join() {
      WriterThread.join(thread);
    }
  }

  /** Writes to every one of its outputs (several HAR outputs: the HAR is written once). */
  private static final class Tee extends OutputStream {
    private final List<OutputStream> outs;

    Tee(List<OutputStream> outs) {
      this.outs = outs;
    }

    @Override
    public void write(int b) throws IOException {
      for (OutputStream o : outs) {
        o.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      for (OutputStream o : outs) {
        o.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      for (OutputStream o : outs) {
        o.flush();
      }
    }
  }

  /** Waits for the HAR written beside the rest, and throws its failure when there was one. */
  private void joinHar() throws IOException {
    if (harOut != null) {
      harOut.join();
      Copier h = harOut;
      harOut = null;
      copyFailure(h);
    }
  }

  /** Throws the failure of the copies, when there was one. */
  private static void copyFailure(Copier c) throws IOException {
    Throwable f = c == null ? null : c.failure;
    if (f instanceof IOException e) {
      throw e;
    }
    if (f instanceof RuntimeException e) {
      throw e;
    }
    if (f instanceof Error e) {
      throw e;
    }
  }

  @Override
  public void finish(CaptureSummary capture) {
    start();
    try {
      if (harWriter != null) {
        harWriter.finish(capture);
        if (har.rendered()) {
          // the HAR rendered during the analysis: its entries merged and written now, beside the
          // JSON document (written by the writer's finish, next) and the other formats
          List<OutputStream> harOuts = new ArrayList<>();
          for (int i = 0; i < formats.size(); i++) {
            if (formats.get(i) == ReportFormat.HAR) {
              harOuts.add(outs.get(i));
            }
          }
          OutputStream out = harOuts.size() == 1 ? harOuts.get(0) : new Tee(harOuts);
          HarReportWriter.Live h = har;
          harOut = new Copier(() -> h.write(out, toolVersion), "connscope-har");
          harOut.thread.start();
        }
      }
      if (writer != null) {
        writer.finish(capture);
      }
      for (PrintWriter p : texts) {
        p.flush();
      }
      if (jsonOut == null || direct) {
        joinHar();
        return;
      }
      if (inPlace >= 0) {
        jsonOut.flush(); // an output: flushed, not closed
      } else {
        jsonOut.close();
      }
      List<ReportFormat> rendered = new ArrayList<>();
      List<OutputStream> renderedOuts = new ArrayList<>();
      List<OutputStream> jsonOuts = new ArrayList<>();
      for (int i = 0; i < formats.size(); i++) {
        ReportFormat f = formats.get(i);
        OutputStream out = outs.get(i);
        if (f == ReportFormat.JSON) {
          if (i != inPlace) {
            jsonOuts.add(out);
          }
        } else if (f != ReportFormat.TEXT && !(f == ReportFormat.HAR && harOut != null)) {
          rendered.add(f);
          renderedOuts.add(out);
        }
      }
      // the JSON outputs are copied on a thread of their own while the other formats are
      // rendered (the copies are I/O, the rendering CPU)
      Copier copy = jsonOuts.isEmpty() ? null : new Copier(jsonFile, jsonOuts);
      if (copy != null && rendered.isEmpty()) {
        copy.run();
        copyFailure(copy);
      } else if (copy != null) {
        copier = copy;
        copy.thread.start();
      }
      if (!rendered.isEmpty()) {
        // the analysis is over and its state garbage: collect it now, so that the heap the
        // renderers need is not added on top of it (the launcher lets the heap shrink after a
        // full collection)
        System.gc();
        // read back in passes shared by the formats, each array from where the writer put it:
        // memory bounded by what is drawn, not by the capture
        SavedReport.render(
            ReportSource.written(jsonFile, json.connectionsOffset(), json.findingsOffset(), heads),
            rendered,
            renderedOuts,
            drawn,
            slowest == null ? null : slowest.result());
      }
      joinHar();
      if (copier != null) {
        copier.join();
        Copier c = copier;
        copier = null;
        copyFailure(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (heads != null) {
        try {
          heads.close();
        } catch (IOException ignored) {
          // its temporary files are deleted on exit
        }
      }
      if (harOut != null) {
        harOut.join();
      }
      if (har != null) {
        try {
          har.close();
        } catch (IOException ignored) {
          // its temporary files are deleted on exit
        }
      }
      if (copier != null) {
        copier.join(); // the rendering failed: its failure is thrown, the file still deleted
      }
      if (jsonFile != null && inPlace < 0) {
        try {
          Files.deleteIfExists(jsonFile);
        } catch (IOException ignored) {
          // deleted on exit
        }
      }
    }
  }
}
