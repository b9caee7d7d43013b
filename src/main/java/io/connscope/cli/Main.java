package io.connscope.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code connscope <command> ...}. */
@Command(
    name = "connscope",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Explains, from packets, why HTTP/1.x is slow or hangs at the connection level.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success (damaged input is reported as warnings)",
      "2:bad command line",
      "3:an input could not be read or is not a capture",
      "4:the report could not be written",
      "5:diff --fail-on-regression: AFTER regressed",
      "70:internal error (a bug: please report it)"
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Where reports go when no output file is given (standard output). */
  OutputStream stdout;

  public static void main(String[] args) {
    System.exit(
        run(
            args,
            new FileOutputStream(FileDescriptor.out),
            new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
  }

  /** The subcommands, in the order the usage lists them. */
  static final String[] COMMANDS = {"analyze", "capture", "diff", "interfaces", "report", "help"};

  /** Runs the command line with the given streams and returns the exit code (for tests). */
  public static int run(String[] args, OutputStream stdout, PrintWriter err) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // What picocli would print, without building the command model (a third of the start-up).
      PrintWriter out =
          new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
      for (String line : new Version().getVersion()) {
        out.println(line);
      }
      return 0;
    }
    Main main = new Main();
    main.stdout = stdout;
    CommandLine cl = new CommandLine(main);
    // picocli builds a command's model by reflection when it is added: only the command that is
    // run is added when the first argument names one; all of them otherwise (usage, errors).
    // The top-level usage only lists each command's name and description: there a command is
    // a spec made of its annotation alone.
    String first = args.length > 0 ? args[0] : "";
    boolean named = java.util.Arrays.asList(COMMANDS).contains(first) && !first.equals("help");
    boolean usageOnly = args.length == 1 && (first.equals("--help") || first.equals("-h"));
    for (String name : COMMANDS) {
      if (usageOnly && !name.equals("help")) {
        cl.addSubcommand(name, usageEntry(name));
      } else if (!named || name.equals(first)) {
        cl.addSubcommand(name, command(name));
      }
    }
    cl.setOut(new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true));
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr()
              .println(
                  "connscope: "
                      + ex.getMessage()
                      + " (see '"
                      + c.getCommandSpec().qualifiedName()
                      + " --help')");
          return ExitCodes.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          if (ex instanceof UserError ue) {
            c.getErr().println("connscope: " + ue.getMessage());
            return ue.exitCode();
          }
          c.getErr()
              .println("connscope: internal error: " + ex + " (please report it with the capture)");
          return ExitCodes.INTERNAL;
        });
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli hands only Exceptions to the handler above
      err.println(
          "connscope: out of memory ("
              + e.getMessage()
              + "): give the JVM more, e.g."
              + " CONNSCOPE_JAVA_OPTS=-Xmx2g, or see docs/robustness.md for the limits that bound it");
      return ExitCodes.INTERNAL;
    } catch (Error e) {
      err.println("connscope: internal error: " + e + " (please report it with the capture)");
      return ExitCodes.INTERNAL;
    }
  }

  /** A command as the top-level usage lists it: name and description from its annotation. */
  private static CommandLine.Model.CommandSpec usageEntry(String name) {
    Class<?> command =
        switch (name) {
          case "analyze" -> AnalyzeCommand.class;
          case "capture" -> CaptureCommand.class;
          case "interfaces" -> InterfacesCommand.class;
          case "diff" -> DiffCommand.class;
          default -> ReportCommand.class;
        };
    Command c = command.getAnnotation(Command.class);
    CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(c.name());
    spec.usageMessage().description(c.description()).header(c.header());
    return spec;
  }

  /** A new instance of the named command (help: picocli's). */
  static Object command(String name) {
    return switch (name) {
      case "analyze" -> new AnalyzeCommand();
      case "capture" -> new CaptureCommand();
      case "interfaces" -> new InterfacesCommand();
      case "report" -> new ReportCommand();
      case "diff" -> new DiffCommand();
      default -> new CommandLine.HelpCommand();
    };
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing command: try 'analyze', 'capture', 'diff', 'interfaces' or 'report'");
  }

  /** The version from the build (resource filtered by Maven). */
  public static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/connscope-version.txt")) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"connscope " + version()};
    }
  }
}
