package io.connscope.cli;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.ResultBuilder;
import io.connscope.analysis.ShardsDiverged;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import io.connscope.report.ReportFormat;
import io.connscope.report.ReportSet;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code connscope analyze FILE...}: offline analysis of capture files. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Reads pcap and pcapng capture files (gzip-compressed too), rebuilds every TCP connection,"
          + " pairs HTTP/1.x requests with responses and reports connections, transactions,"
          + " timings, findings and warnings.",
      "Several files are analysed as one capture, in the order given; a directory, or a quoted"
          + " glob such as 'ring/cap-*.pcap', stands for the capture files in it, in the order of"
          + " their first packets (other files are listed and skipped)."
    })
final class AnalyzeCommand implements Callable<Integer> {
  /** Report formats as the command line spells them. */
  enum Format {
    text(ReportFormat.TEXT),
    json(ReportFormat.JSON),
    markdown(ReportFormat.MARKDOWN),
    html(ReportFormat.HTML),
    har(ReportFormat.HAR);

    final ReportFormat format;

    Format(ReportFormat format) {
      this.format = format;
    }
  }

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "EXPR",
      description =
          "Analyse only the frames this tcpdump filter expression accepts (compiled by"
              + " libpcap for each link type; frames keep their numbers in the capture).")
  String filter;

  @Parameters(
      arity = "1..*",
      paramLabel = "FILE",
      description = "Capture files (.pcap, .pcapng, .gz), directories or quoted globs.")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "Report format: ${COMPLETION-CANDIDATES} (default: text, or the -o file's extension).")
  Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description =
          "Write the report to OUT instead of standard output (repeatable: one report per file,"
              + " the format from the extension: .txt .json .md .html .har; --format wins for a single OUT).")
  List<Path> outputs = new ArrayList<>();

  @picocli.CommandLine.Mixin AnalysisOptions analysisOptions = new AnalysisOptions();

  @Option(
      names = "--max-drawn",
      paramLabel = "N",
      description =
          "HTML: draw at most N packet ladders, N pair timelines and N connection waterfalls"
              + " (default 30, 20 and 40): connections with findings first, then the slowest; the rest are"
              + " counted. Markdown and HTML list at most 1000 findings and 2000 connections (docs/reports.md).")
  Integer maxDrawn;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Analyse connections on N threads, sharded by connection, besides the threads that read,"
              + " merge and write the report (default: the processors available minus 2, at most 8;"
              + " 1 below 4 processors; with 1 and more than one processor, the analysis across"
              + " connections takes a thread of its own). The report is the same bytes whatever N.")
  Integer threads;

  @Option(names = "--no-progress", description = "Never show progress on standard error.")
  boolean noProgress;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main parent;

  @Override
  public Integer call() {
    AnalysisConfig config = analysisOptions.toConfig(spec);
    config.filter = InputFiles.filter(spec, filter);
    List<ReportFormat> formats =
        Outputs.formats(spec, outputs, format == null ? null : format.format);
    InputFiles.Resolved resolved = InputFiles.resolve(files);
    List<Path> inputs = resolved.files();
    Outputs.check(inputs, outputs);
    if (maxDrawn != null && (maxDrawn < 1 || maxDrawn > 10_000)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--max-drawn must be between 1 and 10000, not " + maxDrawn);
    }
    // every input is checked before anything is written; each is then opened in turn, so a
    // directory of a thousand rotated files never holds a thousand open files
    InputFiles.checkReadable(inputs);
    OutputStream stdout = null;
    try (Outputs.AtomicFiles outFiles = new Outputs.AtomicFiles()) {
      ReportSet sink = new ReportSet(Main.version());
      sink.maxDrawn(maxDrawn == null ? 0 : maxDrawn);
      sink.severalInputs(inputs.size() > 1);
      if (outputs.isEmpty()) {
        stdout = Outputs.stdout(parent.stdout);
        sink.add(formats.get(0), stdout);
      }
      for (int i = 0; i < outputs.size(); i++) {
        OutputStream out = outFiles.open(outputs.get(i));
        sink.add(formats.get(i), out, outFiles.file(out));
      }
      try {
        ResultBuilder results = new ResultBuilder(sink, config.http);
        Progress progress =
            noProgress ? Progress.OFF : Progress.forTerminal(spec.commandLine().getErr());
        try {
          analyse(config, results, resolved, inputs, threadCount(), 0, progress);
        } catch (ShardsDiverged d) {
          // the shards' tables would have parted from one table (a shared limit was reached):
          // the rest on one thread, the sink already told everything up to d.mergedThrough()
          analyse(config, results, resolved, inputs, 1, d.mergedThrough(), progress);
        }
        if (sink.textError()) {
          throw outFiles.failed(new IOException("the text report could not be written"));
        }
        if (stdout != null) {
          stdout.flush();
        }
      } catch (UncheckedIOException e) {
        throw outFiles.failed(e.getCause());
      } catch (IOException e) {
        throw outFiles.failed(e);
      }
      // only now, with every report complete, do the new files replace the old ones
      outFiles.commit();
      return ExitCodes.OK;
    }
  }

  private int threadCount() {
    if (threads != null) {
      if (threads < 1 || threads > 256) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--threads must be between 1 and 256, not " + threads);
      }
      return threads;
    }
    // reading, merging and writing the report take a processor each while shards analyse: below
    // four processors one analysis thread is faster (docs/performance.md, "Every core")
    Integer set = Integer.getInteger("connscope.threads"); // a test run's default
    if (set != null && set >= 1) {
      return set;
    }
    int processors = Runtime.getRuntime().availableProcessors();
    return processors < 4 ? 1 : Math.min(8, processors - 2);
  }

  /**
   * Reads every input into one analysis on {@code threads} threads and finishes it; {@code
   * muteThrough}: see {@link Analysis#muteThrough}.
   */
  private void analyse(
      AnalysisConfig config,
      ResultBuilder results,
      InputFiles.Resolved resolved,
      List<Path> inputs,
      int threads,
      long muteThrough,
      Progress progress)
      throws IOException {
    // one analysis thread: the cross stage and the report take the second processor, if any
    boolean crossThread = muteThrough == 0 && Runtime.getRuntime().availableProcessors() > 1;
    Analysis analysis = new Analysis(config, results, threads, crossThread);
    analysis.muteThrough(muteThrough);
    try {
      for (String skip : resolved.skipped()) {
        if (muteThrough == 0) {
          spec.commandLine().getErr().println("connscope: skipped " + skip);
        }
        analysis.warnings().add("capture.skipped_file", 0, 1, skip);
      }
      for (Path file : inputs) {
        long size = sizeOf(file);
        Warnings sourceWarnings = new Warnings();
        PacketSource src = null;
        try {
          src = CaptureFiles.open(file, sourceWarnings);
          // the reader numbers frames on from its info, as the analysis does across files
          src.info().frameNumber = analysis.packets();
          analysis.read(src, CaptureFiles.formatOf(src), n -> progress.update(file, n, size));
        } catch (IOException e) {
          // everything read before the error was analysed; say what stopped the file
          String m = describe(e);
          analysis
              .warnings()
              .add(
                  "capture.read_error",
                  analysis.packets(),
                  1,
                  m.startsWith(file.toString()) ? m : file + ": " + m);
        } finally {
          if (src != null) {
            closeQuietly(src);
          }
          // what the reader skipped (truncated or damaged records) belongs in the report too
          analysis.warnings().addAll(sourceWarnings);
        }
      }
      progress.done();
      analysis.finish();
    } catch (RuntimeException | Error e) {
      analysis.abandon();
      throw e;
    }
  }

  private static long sizeOf(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return -1;
    }
  }

  /** A one-line description of an I/O error, without exception class names where possible. */
  static String describe(Throwable e) {
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + ": no such file";
    }
    if (e instanceof AccessDeniedException a) {
      return a.getFile() + ": permission denied";
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    return m.replace('\n', ' ').replace('\r', ' ');
  }

  private static void closeQuietly(PacketSource s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing useful to do
    }
  }

  /** Progress on stderr, only when stderr is a terminal and the file takes over a second. */
  interface Progress {
    Progress OFF =
        new Progress() {
          @Override
          public void update(Path file, long bytesRead, long size) {}

          @Override
          public void done() {}
        };

    void update(Path file, long bytesRead, long size);

    void done();

    static Progress forTerminal(PrintWriter err) {
      if (System.console() == null) {
        return OFF;
      }
      long start =
          System.nanoTime(); // wall clock for the progress display only, never for analysis
      return new Progress() {
        boolean shown;

        @Override
        public void update(Path file, long bytesRead, long size) {
          if (System.nanoTime() - start < 1_000_000_000L) {
            return;
          }
          shown = true;
          String pct =
              size > 0
                  ? String.format(Locale.ROOT, "%3d%%", Math.min(100, bytesRead * 100 / size))
                  : "";
          err.printf(
              Locale.ROOT,
              "\r%s %s (%d MiB)",
              io.connscope.report.Text.safe(String.valueOf(file.getFileName()), 200),
              pct,
              bytesRead >> 20);
          err.flush();
        }

        @Override
        public void done() {
          if (shown) {
            err.print("\r\033[K");
            err.flush();
          }
        }
      };
    }
  }
}
