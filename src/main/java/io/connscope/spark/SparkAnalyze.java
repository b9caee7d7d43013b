package io.connscope.spark;

import io.connscope.analysis.TuningOptions;
import io.connscope.capture.filter.CaptureFilter;
import io.connscope.report.ReportFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The Spark job's entry point:
 *
 * <pre>
 * spark-submit --class io.connscope.spark.SparkAnalyze target/connscope.jar INPUT... --out DIR
 *     [--overwrite] [--report json,html,md,har | --report none] [--split-size BYTES]
 *     [--partitions N] [--report-max-connections N] [--tls-keylog FILE] [-f EXPR]
 *     [the analysis options of analyze: --server-port, thresholds, --max-connections, ...]
 * </pre>
 *
 * INPUT: files, directories (read recursively) or globs of pcap/pcapng files, plain or gzip, on any
 * Hadoop file system. DIR receives the Parquet tables and the report (docs/spark.md). The analysis
 * options are those of {@code analyze} ({@link TuningOptions}, one definition for both). Bad
 * arguments and an existing DIR without {@code --overwrite}: a one-line message and exit 2; a
 * failed job: exit 1. Bad input files never fail the job: they are in the {@code files} table.
 */
@Command(
    name = "connscope-spark",
    mixinStandardHelpOptions = true,
    usageHelpWidth = 100,
    description = {
      "connscope analyze as a Spark job: reads sets of pcap/pcapng captures (gzip too) on any"
          + " Hadoop file system and writes the records as Parquet tables (connections,"
          + " transactions, findings, pairs, files) and the report of the whole set (docs/spark.md)."
    })
public final class SparkAnalyze {
  @Parameters(
      arity = "1..*",
      paramLabel = "INPUT",
      description = "Capture files, directories (read recursively) or globs, on any file system.")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where the tables and the report go (refused when it exists).")
  String out;

  @Option(
      names = "--overwrite",
      description = "Delete an existing --out first (never when it holds an input).")
  boolean overwrite;

  @Option(
      names = "--report",
      split = ",",
      paramLabel = "FORMAT",
      description =
          "The report of the whole set: json, html, md, har, comma-separated, or none"
              + " (default: json).")
  List<String> reports = new ArrayList<>(List.of("json"));

  @Option(
      names = "--report-max-connections",
      paramLabel = "N",
      description =
          "Write the report only when the set has at most N connections (the driver holds every"
              + " record; default: ${DEFAULT-VALUE}).")
  long reportMaxConnections = 1_000_000;

  @Option(
      names = "--split-size",
      paramLabel = "BYTES",
      description =
          "Bytes per stage-1 split of an uncompressed classic pcap file (default: ${DEFAULT-VALUE}).")
  long splitSize = 128L << 20;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Stage-2 partitions (default: Spark's default parallelism).")
  int partitions;

  @Option(
      names = "--tls-keylog",
      paramLabel = "FILE",
      description = "TLS key log (SSLKEYLOGFILE, NSS format) on any file system, as in analyze.")
  String tlsKeyLog;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "EXPR",
      description =
          "Analyse only the frames this tcpdump filter expression accepts, as analyze -f (libpcap"
              + " compiles it: every executor needs libpcap; frames keep their numbers).")
  String filter;

  @Mixin TuningOptions tuning = new TuningOptions();

  private SparkAnalyze() {}

  public static void main(String[] args) {
    SparkJob.Options options;
    try {
      options = parse(args);
    } catch (Help h) {
      System.out.print(h.getMessage());
      System.exit(0);
      return;
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("connscope spark: " + e.getMessage());
      System.exit(2);
      return;
    }
    SparkSession.Builder builder = SparkSession.builder().appName("connscope");
    KryoClasses.SPARK_CONF.forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    int code = 0;
    try {
      SparkJob.Summary s = new SparkJob(spark, options).run();
      System.out.printf(
          "connscope spark: %d files (%d with errors, see the files table), %d packets,"
              + " %d connections%s -> %s%n",
          s.files(),
          s.filesFailed(),
          s.packets(),
          s.connections(),
          s.reportWritten() ? ", report written" : ", no report",
          options.out());
    } catch (IllegalArgumentException e) {
      System.err.println("connscope spark: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("connscope spark: job failed: " + Stage1.message(e));
      code = 1;
    } finally {
      spark.stop();
    }
    System.exit(code);
  }

  /** {@code --help} or {@code --version}: the text to print, exit 0. */
  static final class Help extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Help(String text) {
      super(text, null, false, false);
    }
  }

  /**
   * The job's options from its command line; a bad one is an {@link IllegalArgumentException} with
   * a one-line message ({@link IllegalStateException} when the filter cannot be compiled: no
   * libpcap), {@code --help} a {@link Help}.
   */
  static SparkJob.Options parse(String[] args) {
    SparkAnalyze a = new SparkAnalyze();
    CommandLine cl = new CommandLine(a);
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (cl.isUsageHelpRequested()) {
      throw new Help(cl.getUsageMessage());
    }
    if (cl.isVersionHelpRequested()) {
      throw new Help(SparkJob.version() + System.lineSeparator());
    }
    return a.options();
  }

  private SparkJob.Options options() {
    List<ReportFormat> formats = new ArrayList<>();
    for (String f : reports) {
      switch (f.trim()) {
        case "json" -> formats.add(ReportFormat.JSON);
        case "html" -> formats.add(ReportFormat.HTML);
        case "md", "markdown" -> formats.add(ReportFormat.MARKDOWN);
        case "har" -> formats.add(ReportFormat.HAR);
        case "none" -> {}
        default ->
            throw new IllegalArgumentException(
                "--report: '" + f + "' is not json, html, md, har or none");
      }
    }
    positive("--report-max-connections", reportMaxConnections);
    positive("--split-size", splitSize);
    if (partitions < 0) {
      throw new IllegalArgumentException("--partitions: '" + partitions + "' is negative");
    }
    if (filter != null) {
      try {
        CaptureFilter.of(filter); // checked here: a bad expression never starts a job
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad filter '" + filter + "': " + e.getMessage(), e);
      }
    }
    tuning.toConfig(); // its checks, with analyze's messages
    return new SparkJob.Options(
        List.copyOf(inputs),
        out,
        overwrite,
        List.copyOf(formats),
        splitSize,
        partitions,
        reportMaxConnections,
        tlsKeyLog,
        filter,
        tuning);
  }

  private static void positive(String option, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(option + ": '" + v + "' is not a positive number");
    }
  }
}
