package io.connscope.cli;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.ResultBuilder;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import io.connscope.diff.DiffResult;
import io.connscope.diff.DiffWriters;
import io.connscope.diff.Differ;
import io.connscope.diff.SideStats;
import io.connscope.report.SavedReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code connscope diff BEFORE AFTER}: what changed between two captures or saved reports. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Compares BEFORE with AFTER (each a capture file, a directory or quoted glob of captures, or a"
          + " JSON report saved by 'connscope analyze --format json'; a side of several captures is"
          + " given with repeated --before and --after options instead): per server and request pattern"
          + " (method and path without the query) transactions, connections per transaction, setup time,"
          + " p50/p90/p99 of wait and total time and bytes; per finding type count and total cost; a"
          + " verdict in plain words on top.",
      "With --fail-on-regression the exit code is 5 when a finding type appears, a finding type's total"
          + " cost grows by more than --regression-cost-ms, or a matched pattern's p90 total time grows by"
          + " more than --regression-p90-pct percent and --regression-p90-min-ms."
    })
final class DiffCommand implements Callable<Integer> {
  /** Diff formats as the command line spells them. */
  enum Format {
    text,
    markdown,
    json,
    html
  }

  private static final Pattern SERVER =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):[0-9]{1,5}");

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "BEFORE",
      description = "Capture, directory, quoted glob or JSON report.")
  Path before;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "AFTER",
      description = "Capture, directory, quoted glob or JSON report.")
  Path after;

  @Option(
      names = "--before",
      paramLabel = "INPUT",
      description =
          "Instead of BEFORE and AFTER: a capture, directory or quoted glob of the before side"
              + " (repeatable: the captures of all, in the order of their first packets, are one"
              + " input), or its one JSON report.")
  List<Path> beforeInputs = new ArrayList<>();

  @Option(
      names = "--after",
      paramLabel = "INPUT",
      description = "The same for the after side (repeatable).")
  List<Path> afterInputs = new ArrayList<>();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "Output format: ${COMPLETION-CANDIDATES} (default: text, or the -o file's extension .txt .md .json .html).")
  Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description = "Write to OUT instead of standard output.")
  Path output;

  @Option(
      names = "--map",
      paramLabel = "OLD=NEW",
      description =
          "BEFORE's server OLD (address:port, IPv6 in brackets) is AFTER's NEW (repeatable).")
  List<String> maps = new ArrayList<>();

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "EXPR",
      description =
          "Analyse only the frames this tcpdump filter expression accepts (captures only).")
  String filter;

  @Option(
      names = "--fail-on-regression",
      description = "Exit with code 5 when AFTER regressed (see the thresholds).")
  boolean failOnRegression;

  @Option(
      names = "--regression-cost-ms",
      paramLabel = "MS",
      description =
          "A finding type's total cost may grow by this much (default "
              + Differ.DEFAULT_COST_MS
              + ").")
  long costMs = Differ.DEFAULT_COST_MS;

  @Option(
      names = "--regression-p90-pct",
      paramLabel = "PCT",
      description =
          "A matched pattern's p90 total time may grow by this percentage (default "
              + Differ.DEFAULT_P90_PCT
              + ")...")
  long p90Pct = Differ.DEFAULT_P90_PCT;

  @Option(
      names = "--regression-p90-min-ms",
      paramLabel = "MS",
      description =
          "...or by at most this many milliseconds (default " + Differ.DEFAULT_P90_MIN_MS + ").")
  long p90MinMs = Differ.DEFAULT_P90_MIN_MS;

  @picocli.CommandLine.Mixin AnalysisOptions analysisOptions = new AnalysisOptions();

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main parent;

  @Override
  public Integer call() {
    Format fmt = format != null ? format : output == null ? Format.text : fromExtension(output);
    if (costMs < 0 || p90Pct < 0 || p90MinMs < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "regression thresholds must not be negative");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (String m : maps) {
      int eq = m.indexOf('=');
      if (eq < 0
          || !SERVER.matcher(m.substring(0, eq)).matches()
          || !SERVER.matcher(m.substring(eq + 1)).matches()) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--map wants OLD=NEW, each address:port (IPv6 in brackets), not '"
                + io.connscope.report.Text.safe(m, 200)
                + "'");
      }
      map.put(m.substring(0, eq), m.substring(eq + 1));
    }
    List<Path> beforeSide = side("BEFORE", before, beforeInputs, "--before");
    List<Path> afterSide = side("AFTER", after, afterInputs, "--after");
    AnalysisConfig config = analysisOptions.toConfig(spec);
    config.filter = InputFiles.filter(spec, filter);
    if (output != null) {
      List<Path> named = new ArrayList<>(beforeSide);
      named.addAll(afterSide);
      Outputs.check(named, List.of(output));
    }
    // both sides are checked before either is analysed: a typo in AFTER costs no analysis of BEFORE
    List<Path> beforeFiles = check("--before", beforeSide);
    List<Path> afterFiles = check("--after", afterSide);
    if (output != null) {
      // a side that is a directory or glob stands for its files: the output is none of them
      List<Path> inputs = new java.util.ArrayList<>();
      inputs.addAll(beforeFiles == null ? beforeSide : beforeFiles);
      inputs.addAll(afterFiles == null ? afterSide : afterFiles);
      Outputs.check(inputs, List.of(output));
    }
    SideStats b = load(beforeSide, beforeFiles, config);
    SideStats a = load(afterSide, afterFiles, config);
    DiffResult d = Differ.diff(b, a, map, costMs, p90Pct, p90MinMs);
    try (Outputs.AtomicFiles outFiles = new Outputs.AtomicFiles()) {
      OutputStream out = output == null ? Outputs.stdout(parent.stdout) : outFiles.open(output);
      try {
        if (fmt == Format.json) {
          DiffWriters.json(d, out);
        } else {
          Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          if (fmt == Format.text) {
            DiffWriters.text(d, w);
          } else if (fmt == Format.html) {
            DiffWriters.html(d, w);
          } else {
            DiffWriters.markdown(d, w);
          }
          w.flush();
        }
        out.flush();
      } catch (IOException e) {
        throw outFiles.failed(e);
      } catch (UncheckedIOException e) {
        throw outFiles.failed(e.getCause());
      }
      outFiles.commit();
    }
    return failOnRegression && d.gate().failed() ? ExitCodes.REGRESSION : ExitCodes.OK;
  }

  private Format fromExtension(Path p) {
    String n = String.valueOf(p.getFileName()).toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".json")) {
      return Format.json;
    }
    if (n.endsWith(".md") || n.endsWith(".markdown")) {
      return Format.markdown;
    }
    if (n.endsWith(".html") || n.endsWith(".htm")) {
      return Format.html;
    }
    if (n.endsWith(".txt")) {
      return Format.text;
    }
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        output + ": unknown extension; give --format (text, markdown, json or html)");
  }

  /**
   * What one side names: its positional argument, or its repeated option; never both, never neither
   * (a usage error saying how to give it).
   */
  private List<Path> side(String label, Path positional, List<Path> options, String option) {
    if (positional != null && !options.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "give the two sides as BEFORE AFTER or with --before and --after, not both");
    }
    if (positional != null) {
      return List.of(positional);
    }
    if (options.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "missing "
              + label
              + ": give BEFORE AFTER, or "
              + option
              + " INPUT (repeatable) for each side");
    }
    return List.copyOf(options);
  }

  /**
   * Checks one side: one saved JSON report (null: checked against the schema as it is read), or the
   * capture files it stands for, each opened once (a one-line error when one cannot be read). A
   * side is one or the other: a report with captures, or two reports, is a usage error.
   */
  private List<Path> check(String option, List<Path> named) {
    Path report = null;
    for (Path p : named) {
      if (!Files.isDirectory(p) && isJson(p)) {
        if (named.size() > 1) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              p
                  + ": a saved report is a whole side: give it alone as "
                  + option
                  + ", not with other inputs");
        }
        report = p;
      }
    }
    if (report != null) {
      if (filter != null) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), report + ": -f applies to captures, not to a saved report");
      }
      return null;
    }
    InputFiles.Resolved resolved = InputFiles.resolve(named, named.size() > 1);
    for (String skip : resolved.skipped()) {
      spec.commandLine().getErr().println("connscope: skipped " + skip);
    }
    InputFiles.checkReadable(resolved.files());
    return resolved.files();
  }

  /** One side: a saved JSON report (checked against the schema first), or captures analysed now. */
  private SideStats load(List<Path> named, List<Path> files, AnalysisConfig config) {
    List<String> names = new ArrayList<>();
    for (Path n : named) {
      names.add(n.toString());
    }
    SideStats side = new SideStats(names);
    if (files == null) {
      Path p = named.get(0);
      try {
        SavedReport.replay(p, side);
      } catch (IOException e) {
        String msg = AnalyzeCommand.describe(e);
        throw new UserError(ExitCodes.INPUT, msg.startsWith(p.toString()) ? msg : p + ": " + msg);
      } catch (RuntimeException e) {
        throw new UserError(
            ExitCodes.INPUT, p + ": damaged connscope report (" + AnalyzeCommand.describe(e) + ")");
      }
      return side;
    }
    Analysis analysis = new Analysis(config, new ResultBuilder(side, config.http));
    for (Path f : files) {
      PacketSource src = null;
      try {
        src = CaptureFiles.open(f, new Warnings());
        src.info().frameNumber = analysis.packets();
        analysis.read(src, CaptureFiles.formatOf(src), n -> {});
      } catch (IOException e) {
        // what was read before the error is analysed, as analyze does; the side names it
        spec.commandLine().getErr().println("connscope: " + f + ": " + AnalyzeCommand.describe(e));
      } finally {
        if (src != null) {
          try {
            src.close();
          } catch (IOException e) {
            // nothing useful to do
          }
        }
      }
    }
    analysis.finish();
    return side;
  }

  /** A file whose first non-blank byte is '{' is a saved report; anything else is a capture. */
  private static boolean isJson(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      for (int i = 0; i < 64; i++) {
        int c = in.read();
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return c == '{';
        }
      }
      return false;
    } catch (IOException e) {
      return false; // the capture path says why it cannot be read
    }
  }
}
