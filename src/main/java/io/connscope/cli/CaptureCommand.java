package io.connscope.cli;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.analysis.ResultBuilder;
import io.connscope.capture.LinkType;
import io.connscope.capture.PcapWriter;
import io.connscope.capture.live.CaptureStats;
import io.connscope.capture.live.Interfaces;
import io.connscope.capture.live.LiveCaptureException;
import io.connscope.capture.live.LiveOptions;
import io.connscope.capture.live.LiveSource;
import io.connscope.common.Warnings;
import io.connscope.report.ReportFormat;
import io.connscope.report.ReportSet;
import io.connscope.report.Text;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code connscope capture -i IFACE [filter]}: live capture through libpcap, analysed as it goes by
 * the same pipeline as {@code analyze}. Findings are printed as soon as they are known; the report
 * is written when the capture stops (Ctrl-C, --duration, --count).
 *
 * <p>Where output goes: the report to standard output or {@code -o}; live finding lines to standard
 * output too, except when standard output carries a JSON report (then standard error, so the JSON
 * stays valid); the banner and libpcap's counters to standard error, as tcpdump does. Nothing from
 * {@code io.connscope.capture.live} is loaded before {@link #call()}, so the other commands run
 * without libpcap.
 */
@Command(
    name = "capture",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    description = {
      "Captures live on an interface through libpcap (like tcpdump), analyses as it goes and prints"
          + " each finding as soon as it is known; on Ctrl-C, --duration or --count, writes the"
          + " report with libpcap's drop counters.",
      "Needs libpcap and the right to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN).",
      "Example: connscope capture -i eth0 -w slow.pcap --duration 60s tcp port 8080"
    })
final class CaptureCommand implements Callable<Integer> {

  @Option(
      names = {"-i", "--interface"},
      paramLabel = "IFACE",
      description =
          "Interface to capture on (see 'connscope interfaces'; default: the first one"
              + " that is up and not a loopback).")
  String device;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "EXPR",
      description =
          "BPF capture filter, pcap-filter(7) syntax, as for tcpdump ('tcp port 80')."
              + " The words after the options are taken as the filter too.")
  String filter;

  @Parameters(arity = "0..*", paramLabel = "FILTER", description = "Filter words, tcpdump style.")
  List<String> filterWords = new ArrayList<>();

  @Option(
      names = {"-w", "--write"},
      paramLabel = "FILE",
      description =
          "Also write the raw packets to FILE (pcap) as they come, for the ticket;"
              + " 'connscope analyze FILE' then gives the same findings.")
  Path writeFile;

  @Option(
      names = "--duration",
      paramLabel = "TIME",
      description = "Stop after TIME: 30s, 5m, 1h, 500ms (a plain number is seconds).")
  String duration;

  @Option(
      names = {"-c", "--count"},
      paramLabel = "N",
      description = "Stop after N packets.")
  long count;

  @Option(
      names = {"-s", "--snaplen"},
      paramLabel = "N",
      description = "Bytes kept of each packet (default and 0: ${DEFAULT-VALUE}, whole frames).",
      defaultValue = "262144")
  int snaplen;

  @Option(
      names = {"-B", "--buffer-size"},
      paramLabel = "KiB",
      description =
          "Kernel capture buffer in KiB, as tcpdump -B (default: 32768, i.e. 32 MiB;"
              + " tcpdump's is 2 MiB: connscope analyses as it captures and needs more slack)."
              + " Raise it if packets are dropped.")
  int bufferKiB;

  @Option(
      names = "--backlog",
      paramLabel = "MiB",
      description =
          "Captured packets held in memory while the analysis catches up with a burst"
              + " (default: 256, at least 8; taken only as needed, at most half the JVM's direct memory)."
              + " The capture runs on its own thread; when the analysis is this far behind, the kernel"
              + " buffer (-B) takes the rest.")
  long backlogMiB = LiveOptions.DEFAULT_BACKLOG_BYTES >> 20;

  @Option(
      names = {"-p", "--no-promiscuous-mode"},
      description = "Do not put the interface in promiscuous mode.")
  boolean noPromiscuous;

  @Option(
      names = "--no-native",
      description =
          "Read packets with pcap4j's per-packet loop instead of the native batch reader"
              + " (also: -Dconnscope.native=false).")
  boolean noNative;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "Report format: ${COMPLETION-CANDIDATES} (default: text, or the -o file's"
              + " extension).")
  AnalyzeCommand.Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description =
          "Write the final report to OUT instead of standard output (repeatable: one"
              + " report per file, the format from the extension: .txt .json .md .html .har;"
              + " --format wins for a single OUT).")
  List<Path> outputs = new ArrayList<>();

  @CommandLine.Option(
      names = "--max-drawn",
      paramLabel = "N",
      description =
          "HTML: draw at most N packet ladders, N pair timelines and N connection waterfalls"
              + " (default 30, 20 and 40): connections with findings first, then the slowest; the rest are"
              + " counted. Markdown and HTML list at most 1000 findings and 2000 connections (docs/reports.md).")
  Integer maxDrawn;

  @CommandLine.Mixin AnalysisOptions analysisOptions = new AnalysisOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.ParentCommand Main parent;

  /** After Ctrl-C: the longest wait for the report once the backlog stops going down. */
  private static final long REPORT_WAIT_NANOS = 30_000_000_000L;

  /** What the live source counts as it reads (frames it had to skip), for the report. */
  private final Warnings sourceWarnings = new Warnings();

  @Override
  public Integer call() {
    LiveOptions options = options();
    analysisOptions.followKeylog = true; // the browser appends to it while the capture runs
    AnalysisConfig config = analysisOptions.toConfig(spec);
    PrintWriter err = spec.commandLine().getErr();
    List<Path> written = new ArrayList<>(outputs);
    if (writeFile != null) {
      written.add(writeFile);
    }
    Outputs.check(List.of(), written);
    if (maxDrawn != null && (maxDrawn < 1 || maxDrawn > 10_000)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--max-drawn must be between 1 and 10000, not " + maxDrawn);
    }
    LiveSource source = open(options);
    PcapWriter writer = null;
    List<OutputStream> outs = new ArrayList<>();
    Outputs.AtomicFiles rawFile = new Outputs.AtomicFiles();
    Outputs.AtomicFiles outFiles = new Outputs.AtomicFiles();
    CountDownLatch reported = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              // Ctrl-C or kill: stop the capture, then let call() analyse the backlog and write the
              // report
              // before the JVM exits: as long as the backlog goes down, then at most REPORT_WAIT
              // more
              source.requestStop();
              try {
                long queued = source.backlogQueuedBytes();
                long until = System.nanoTime() + REPORT_WAIT_NANOS;
                while (!reported.await(1, TimeUnit.SECONDS) && System.nanoTime() - until < 0) {
                  long q = source.backlogQueuedBytes();
                  if (q < queued) {
                    until = System.nanoTime() + REPORT_WAIT_NANOS;
                  }
                  queued = q;
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "connscope-capture-stop");
    try {
      if (writeFile != null) {
        writer = openWriter(source, rawFile);
        source.tee(writer);
      }
      List<ReportFormat> formats =
          Outputs.formats(spec, outputs, format == null ? null : format.format);
      ReportSet report = new ReportSet(Main.version());
      report.maxDrawn(maxDrawn == null ? 0 : maxDrawn);
      if (outputs.isEmpty()) {
        outs.add(Outputs.stdout(parent.stdout));
        report.add(formats.get(0), outs.get(0));
      }
      for (int i = 0; i < outputs.size(); i++) {
        outs.add(outFiles.open(outputs.get(i)));
        report.add(formats.get(i), outs.get(i));
      }
      // findings as they come: on stdout, unless stdout carries a machine-readable report
      boolean stdoutIsReport = outputs.isEmpty() && formats.get(0) != ReportFormat.TEXT;
      PrintWriter live =
          stdoutIsReport
              ? err
              : new PrintWriter(
                  new OutputStreamWriter(parent.stdout, StandardCharsets.UTF_8), true);
      LiveSink sink = new LiveSink(new ResultBuilder(report, config.http), live);
      Analysis analysis = new Analysis(config, sink);
      err.printf(
          Locale.ROOT,
          "connscope: capturing on %s, link type %s, snapshot length %d bytes,"
              + " %s reader%s; Ctrl-C to stop%n",
          source.name(),
          LinkType.name(source.linkType()),
          source.snaplen(),
          source.nativeBatch() ? "native batch" : "pcap4j per-packet",
          source.nativeBatch() || noNative
              ? ""
              : " (native helper: " + source.nativeUnavailableReason() + ")");
      err.flush();
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        analysis.read(source, "live", null);
      } catch (IOException e) {
        // the interface went away, or libpcap failed: report what was captured until then
        analysis
            .warnings()
            .add("capture.read_error", analysis.packets(), 1, AnalyzeCommand.describe(e));
      }
      CaptureStats stats = null;
      try {
        stats = source.stats();
      } catch (IOException e) {
        analysis.warnings().add("capture.stats_unavailable", 0, 1, AnalyzeCommand.describe(e));
      }
      source.close();
      if (writer != null) {
        writer.close();
        writer = null;
        // the packets are kept whatever happens to the report
        rawFile.commit();
      }
      sink.stats = stats;
      analysis.warnings().addAll(sourceWarnings); // what the live source counted (skipped frames)
      analysis.finish();
      if (report.textError()) {
        throw outFiles.failed(new IOException("the text report could not be written"));
      }
      for (OutputStream o : outs) {
        o.flush();
      }
      outFiles.commit();
      printStats(err, source, stats);
      return ExitCodes.OK;
    } catch (UncheckedIOException e) {
      throw new UserError(
          ExitCodes.OUTPUT,
          "cannot write" + where() + ": " + AnalyzeCommand.describe(e.getCause()));
    } catch (IOException e) {
      throw new UserError(
          ExitCodes.OUTPUT, "cannot write" + where() + ": " + AnalyzeCommand.describe(e));
    } finally {
      source.close();
      closeQuietly(writer);
      for (OutputStream o : outs) {
        closeQuietly(o);
      }
      rawFile.close();
      outFiles.close();
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (Ctrl-C): the hook is running and now lets it exit
      }
    }
  }

  private LiveOptions options() {
    LiveOptions o = new LiveOptions();
    if (snaplen < 0 || bufferKiB < 0 || count < 0) {
      throw usage("--snaplen, --buffer-size and --count cannot be negative");
    }
    if (backlogMiB < 8 || backlogMiB > 1 << 20) {
      throw usage("--backlog must be between 8 (two batches) and 1048576 MiB, not " + backlogMiB);
    }
    if (bufferKiB > Integer.MAX_VALUE / 1024) {
      throw usage("--buffer-size is too large: " + bufferKiB + " KiB");
    }
    if (filter != null && !filterWords.isEmpty()) {
      throw usage("give the filter either with -f or as words after the options, not both");
    }
    o.device = device;
    o.filter =
        filter != null ? filter : filterWords.isEmpty() ? null : String.join(" ", filterWords);
    o.snaplen = snaplen == 0 ? LiveOptions.DEFAULT_SNAPLEN : snaplen;
    if (bufferKiB > 0) {
      o.bufferBytes = bufferKiB * 1024;
    }
    o.backlogBytes = backlogMiB << 20;
    o.promiscuous = !noPromiscuous;
    o.count = count;
    o.durationNanos = duration == null ? 0 : parseDuration(duration);
    if (noNative) {
      o.nativeBatch = false;
    }
    return o;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  /** "30s", "5m", "1h", "500ms", "2.5s" or a plain number of seconds, in nanoseconds. */
  long parseDuration(String s) {
    Matcher m = DURATION.matcher(s.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw usage("--duration must look like 30s, 5m, 1h or 500ms, not '" + s + "'");
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double nanos =
        switch (unit) {
          case "ms" -> v * 1e6;
          case "m" -> v * 60e9;
          case "h" -> v * 3600e9;
          default -> v * 1e9;
        };
    if (nanos < 1e6 || nanos > 366 * 86400e9) {
      throw usage("--duration must be between 1ms and a year, not '" + s + "'");
    }
    return (long) nanos;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private LiveSource open(LiveOptions options) {
    try {
      if (options.device == null) {
        options.device = Interfaces.defaultDevice();
      }
      return LiveSource.open(options, sourceWarnings);
    } catch (LiveCaptureException e) {
      throw new UserError(ExitCodes.INPUT, e.getMessage());
    } catch (LinkageError e) {
      // pcap4j or libpcap missing, found while linking LiveSource itself
      throw new UserError(ExitCodes.INPUT, LiveCaptureException.unavailable(e).getMessage());
    }
  }

  private PcapWriter openWriter(LiveSource source, Outputs.AtomicFiles rawFile) {
    try {
      return new PcapWriter(
          rawFile.open(writeFile),
          source.linkType(),
          source.snaplen(),
          source.nanosecondTimestamps());
    } catch (IOException e) {
      throw new UserError(
          ExitCodes.OUTPUT, "cannot write " + writeFile + ": " + AnalyzeCommand.describe(e));
    }
  }

  private String where() {
    List<String> targets = new ArrayList<>();
    for (Path p : outputs) {
      targets.add(p.toString());
    }
    if (writeFile != null) {
      targets.add(writeFile.toString());
    }
    return targets.isEmpty() ? "" : " to " + String.join(", ", targets);
  }

  /** tcpdump's closing lines, on standard error. */
  private static void printStats(PrintWriter err, LiveSource source, CaptureStats s) {
    err.printf(Locale.ROOT, "%d packets captured%n", source.frames());
    if (s != null) {
      err.printf(Locale.ROOT, "%d packets received by filter%n", s.received());
      err.printf(Locale.ROOT, "%d packets dropped by kernel%n", s.kernelDrops());
      err.printf(Locale.ROOT, "%d packets dropped by interface%n", s.interfaceDrops());
      err.printf(
          Locale.ROOT,
          "analysis backlog: %.1f MiB at most, in %d MiB of buffers (--backlog %d MiB)%n",
          source.backlogPeakBytes() / 1048576.0,
          source.backlogMemoryBytes() >> 20,
          source.backlogBytes() >> 20);
      if (s.backlogWaits() > 0) {
        err.printf(
            Locale.ROOT,
            "analysis fell behind: the capture waited %d times with a full" + " backlog%n",
            s.backlogWaits());
      }
    }
    err.flush();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // reported where it mattered
    }
  }

  /**
   * The report sink, plus: each finding printed on arrival, and at the end libpcap's drop counters
   * added to the capture warnings (with which findings they may have spoiled).
   */
  static final class LiveSink implements AnalysisSink {
    private final AnalysisSink report;
    private final PrintWriter live;

    /** Findings per connection id, until the connection's record says whether it had holes. */
    private final Map<String, Integer> findingsByConnection = new HashMap<>();

    private long gapConnections;
    private long gapFindings;
    CaptureStats stats;

    LiveSink(AnalysisSink report, PrintWriter live) {
      this.report = report;
      this.live = live;
    }

    @Override
    public void transaction(
        io.connscope.tcp.ConnectionId c,
        io.connscope.http.Transaction t,
        io.connscope.result.TransactionResult result) {
      report.transaction(c, t, result);
    }

    @Override
    public void finding(Finding f) {
      if (f.connection() != null) {
        findingsByConnection.merge(f.connection(), 1, Integer::sum);
      }
      live.printf(
          Locale.ROOT,
          "[%s] %s %s%s: %s (cost %.1f ms; frames %s)%n",
          f.severity(),
          f.type(),
          f.connection() == null ? "" : f.connection(),
          f.transaction() >= 0 ? " #" + f.transaction() : "",
          Text.safe(f.summary(), 300),
          f.costUs() / 1000.0,
          f.frames());
      live.flush();
      report.finding(f);
    }

    @Override
    public void connection(ConnectionRecord record) {
      Connection c = record.tcp();
      Integer n = findingsByConnection.remove(c.idString());
      if (c.half(0).gaps() + c.half(1).gaps() > 0) {
        gapConnections++;
        gapFindings += n == null ? 0 : n;
      }
      report.connection(record);
    }

    @Override
    public void finish(CaptureTotals capture) {
      if (stats != null) {
        stats.addWarnings(capture.warnings(), gapConnections, gapFindings);
      }
      report.finish(capture);
    }
  }
}
