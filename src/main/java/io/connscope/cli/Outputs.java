package io.connscope.cli;

import io.connscope.report.ReportFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Report outputs shared by the commands: formats from -o extensions, opening files, stdout. */
final class Outputs {
  private Outputs() {}

  /**
   * The format of each output (one entry for standard output when there is none). A single output
   * takes {@code --format} when given (so {@code -o out.txt --format json} writes JSON), else its
   * extension, else text; several outputs take their extension, else {@code --format}; an output
   * with neither is a usage error.
   */
  static List<ReportFormat> formats(CommandLine.Model.CommandSpec spec, List<Path> outputs, ReportFormat given) {
    List<ReportFormat> out = new ArrayList<>();
    if (outputs.isEmpty()) {
      out.add(given == null ? ReportFormat.TEXT : given);
      return out;
    }
    for (Path p : outputs) {
      ReportFormat ext = ReportFormat.ofFileName(p.getFileName() == null ? "" : p.getFileName().toString());
      ReportFormat f = outputs.size() == 1 ? (given != null ? given : ext != null ? ext : ReportFormat.TEXT)
          : (ext != null ? ext : given);
      if (f == null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "cannot tell the format of " + p + " from its extension (.txt .json .md .html .har): add --format");
      }
      out.add(f);
    }
    return out;
  }

  static OutputStream open(Path p) {
    try {
      return new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    } catch (IOException e) {
      throw new UserError(ExitCodes.OUTPUT, "cannot write " + p + ": " + AnalyzeCommand.describe(e));
    }
  }

  /** Standard output, buffered; closing it only flushes. */
  static OutputStream stdout(OutputStream stdout) {
    return new BufferedOutputStream(stdout, 1 << 16) {
      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }
}
