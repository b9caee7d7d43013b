package io.connscope.spark;

import io.connscope.report.ReportFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark job's entry point:
 *
 * <pre>
 * spark-submit --class io.connscope.spark.SparkAnalyze target/connscope.jar INPUT... --out DIR
 *     [--overwrite] [--report json,html,md | --report none] [--split-size BYTES]
 *     [--partitions N] [--report-max-connections N] [--tls-keylog FILE]
 * </pre>
 *
 * INPUT: files, directories (read recursively) or globs of pcap/pcapng files, plain or gzip, on any
 * Hadoop file system. DIR receives the Parquet tables and the report (docs/spark.md). Bad arguments
 * and an existing DIR without {@code --overwrite}: a one-line message and exit 2; a failed job:
 * exit 1. Bad input files never fail the job: they are in the {@code files} table.
 */
public final class SparkAnalyze {
  private SparkAnalyze() {}

  public static void main(String[] args) {
    SparkJob.Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("connscope spark: " + e.getMessage());
      System.exit(2);
      return;
    }
    SparkSession spark =
        SparkSession.builder()
            .appName("connscope")
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .getOrCreate();
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

  static SparkJob.Options parse(String[] args) {
    List<String> inputs = new ArrayList<>();
    String out = null;
    boolean overwrite = false;
    List<ReportFormat> reports = new ArrayList<>(List.of(ReportFormat.JSON));
    long split = 128L << 20;
    int partitions = 0;
    long maxConnections = 1_000_000;
    String keyLog = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--out" -> out = value(args, ++i, a);
        case "--overwrite" -> overwrite = true;
        case "--tls-keylog" -> keyLog = value(args, ++i, a);
        case "--report" -> {
          reports.clear();
          for (String f : value(args, ++i, a).split(",")) {
            switch (f.trim()) {
              case "json" -> reports.add(ReportFormat.JSON);
              case "html" -> reports.add(ReportFormat.HTML);
              case "md", "markdown" -> reports.add(ReportFormat.MARKDOWN);
              case "none" -> {}
              default ->
                  throw new IllegalArgumentException(
                      "--report: '" + f + "' is not json, html, md or none");
            }
          }
        }
        case "--split-size" -> split = number(value(args, ++i, a), a);
        case "--partitions" -> partitions = (int) number(value(args, ++i, a), a);
        case "--report-max-connections" -> maxConnections = number(value(args, ++i, a), a);
        default -> {
          if (a.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + a);
          }
          inputs.add(a);
        }
      }
    }
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("no input: give capture files or directories");
    }
    if (out == null) {
      throw new IllegalArgumentException("--out DIR is required");
    }
    return new SparkJob.Options(
        List.copyOf(inputs),
        out,
        overwrite,
        List.copyOf(reports),
        split,
        partitions,
        maxConnections,
        keyLog);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static long number(String s, String option) {
    try {
      long v = Long.parseLong(s);
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + s + "' is not a positive number");
    }
  }
}
