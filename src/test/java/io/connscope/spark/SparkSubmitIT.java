package io.connscope.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job started as a data engineer starts it: {@code spark-submit --master local[2] --class
 * io.connscope.spark.SparkAnalyze target/connscope.jar ...} through Spark's own launcher ({@code
 * bench/spark-submit.sh}: a Spark installation's, or Spark's launcher over the jars of a Spark
 * distribution), in a JVM of its own where connscope is the application jar, loaded by Spark's
 * class loader and shipped to the executor, with nothing of connscope's dependencies on Spark's
 * classpath. Runs after {@code package} (the {@code packaged} execution of {@code mvn verify}).
 */
class SparkSubmitIT {
  private static final Path SCRIPT = Path.of("bench", "spark-submit.sh");
  private static final Path JAR = Path.of("target", "connscope.jar");

  @TempDir static Path tmp;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void built() {
    assumeTrue(Files.exists(JAR), "run after mvn package");
    assumeTrue(
        System.getenv("SPARK_HOME") != null || onPath("mvn"),
        "needs a Spark installation (SPARK_HOME) or mvn to resolve Spark's jars");
  }

  @Test
  void theSubmittedJobGivesWhatAnalyzeGives() throws Exception {
    List<String> inputs = new ArrayList<>();
    for (String n : List.of("keepalive-get.pcap", "pipelined.pcap", "keepalive-refused.pcap")) {
      inputs.add(Path.of("samples", n).toAbsolutePath().toString());
    }
    List<String> options = List.of("-f", "not tcp port 18103", "--warn-cost-ms", "1");
    Path out = tmp.resolve("out");
    List<String> args = new ArrayList<>(inputs);
    args.addAll(options);
    args.addAll(List.of("--out", out.toString(), "--report", "json,har"));
    Run r = submit(args);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("connscope spark: 3 files (0 with errors"), r.out());

    List<String> analyzeArgs = new ArrayList<>(inputs);
    analyzeArgs.addAll(options);
    JsonNode expected = SameAnswers.analyze(analyzeArgs, tmp);
    JsonNode actual = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    SameAnswers.assertSameAnswers(expected, actual);
    assertTrue(Files.size(out.resolve("report.har")) > 0);
    for (String table : SparkJob.TABLES) {
      assertTrue(Files.exists(out.resolve(table).resolve("_SUCCESS")), table);
    }
  }

  @Test
  void aBadCommandLineIsOneLineAndExit2() throws Exception {
    Run r =
        submit(
            List.of(
                "samples/keepalive-get.pcap",
                "--out",
                tmp.resolve("x").toString(),
                "--initial-window",
                "0"));
    assertEquals(2, r.code(), r.err());
    List<String> ours = r.err().lines().filter(l -> l.startsWith("connscope spark:")).toList();
    assertEquals(1, ours.size(), r.err());
    assertTrue(ours.get(0).contains("--initial-window"), ours.get(0));
    assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err());
  }

  private static Run submit(List<String> jobArgs) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                SCRIPT.toString(),
                "--master",
                "local[2]",
                "--driver-memory",
                "512m",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.driver.host=127.0.0.1",
                "--conf",
                "spark.local.dir=" + tmp.resolve("spark-local"),
                "--class",
                "io.connscope.spark.SparkAnalyze",
                JAR.toString()));
    cmd.addAll(jobArgs);
    Path out = Files.createTempFile(tmp, "submit", ".out");
    Path err = Files.createTempFile(tmp, "submit", ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("spark-submit did not end in 10 minutes");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
