package io.connscope.cli;

import io.connscope.report.ReportFormat;
import io.connscope.report.SavedReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code connscope report REPORT.json}: renders a saved JSON report again, without the capture. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Renders a JSON report written by 'connscope analyze --format json' as Markdown, HTML or HAR"
          + " (or JSON again), without the capture. Text needs the capture: use analyze."
    })
final class ReportCommand implements Callable<Integer> {
  /** Formats a saved report can be rendered in. */
  enum Format {
    json(ReportFormat.JSON),
    markdown(ReportFormat.MARKDOWN),
    html(ReportFormat.HTML),
    har(ReportFormat.HAR);

    final ReportFormat format;

    Format(ReportFormat format) {
      this.format = format;
    }
  }

  @Parameters(
      index = "0",
      paramLabel = "REPORT",
      description = "A JSON report (connscope analyze --format json).")
  Path input;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "Output format: ${COMPLETION-CANDIDATES} (default: markdown, or the -o file's extension).")
  Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description =
          "Write to OUT instead of standard output (repeatable; the format from the extension:"
              + " .json .md .html .har).")
  List<Path> outputs = new ArrayList<>();

  @Option(
      names = "--max-drawn",
      paramLabel = "N",
      description =
          "HTML: draw at most N packet ladders, N pair timelines and N connection waterfalls"
              + " (default 30, 20 and 40): connections with findings first, then the slowest; the rest are"
              + " counted. Markdown and HTML list at most 1000 findings and 2000 connections (docs/reports.md).")
  Integer maxDrawn;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main parent;

  @Override
  public Integer call() {
    List<ReportFormat> formats =
        Outputs.formats(
            spec,
            outputs,
            format == null ? (outputs.isEmpty() ? ReportFormat.MARKDOWN : null) : format.format);
    for (int i = 0; i < formats.size(); i++) {
      if (formats.get(i) == ReportFormat.TEXT) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            (outputs.isEmpty() ? "text" : outputs.get(i) + ": text")
                + " is written by 'connscope analyze' from the"
                + " capture; choose markdown, html, har or json");
      }
    }
    Outputs.check(List.of(input), outputs);
    if (maxDrawn != null && (maxDrawn < 1 || maxDrawn > 10_000)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--max-drawn must be between 1 and 10000, not " + maxDrawn);
    }
    if (Files.isDirectory(input)) {
      throw new UserError(ExitCodes.INPUT, input + ": is a directory, not a JSON report");
    }
    SavedReport.Checked checked;
    try {
      // an attached report is untrusted: checked whole against the schema before anything is
      // written
      checked = SavedReport.check(input);
    } catch (IOException e) {
      String msg = AnalyzeCommand.describe(e);
      throw new UserError(
          ExitCodes.INPUT, msg.startsWith(input.toString()) ? msg : input + ": " + msg);
    }
    try (Outputs.AtomicFiles outFiles = new Outputs.AtomicFiles()) {
      List<OutputStream> outs = new ArrayList<>();
      if (outputs.isEmpty()) {
        outs.add(Outputs.stdout(parent.stdout));
      }
      for (Path p : outputs) {
        outs.add(outFiles.open(p));
      }
      try {
        SavedReport.render(checked, formats, outs, maxDrawn == null ? 0 : maxDrawn);
        if (outputs.isEmpty()) {
          outs.get(0).flush();
        }
      } catch (IOException e) {
        throw outFiles.failed(e);
      } catch (UncheckedIOException e) {
        throw outFiles.failed(e.getCause());
      }
      outFiles.commit();
      return ExitCodes.OK;
    }
  }
}
