package io.connscope.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.cli.DirectoryInputTest;
import io.connscope.cli.Main;
import io.connscope.report.ReportFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same answers: the Spark job in local mode gives the connections, transactions, findings, pairs
 * and totals that {@code connscope analyze} gives over the same files in the same order: several
 * samples, a capture cut into rotated files, and a capture read in many stage-1 splits. And bad
 * files in a set are reported per file without failing the job. One SparkSession for the class.
 */
@Tag("spark")
class SparkAnalyzeTest {
  private static final Path SAMPLES = Path.of("samples");
  private static SparkSession spark;

  @TempDir static Path tmp;

  @BeforeAll
  static void start() {
    SparkSession.Builder builder = SparkSession.builder();
    KryoClasses.SPARK_CONF.forEach(builder::config); // as SparkAnalyze.main runs the job
    spark =
        builder
            .master("local[2]")
            .appName("connscope-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.testing.memory", String.valueOf(512L << 20))
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void samplesGiveWhatAnalyzeGives() throws IOException {
    List<String> inputs =
        List.of(
            "keepalive-get.pcap",
            "dumb-proxy-hang.pcap",
            "nagle-post-split.pcap",
            "port-burst.pcap",
            "pipelined.pcap",
            "keepalive-refused.pcap",
            "bottleneck-loss.pcap");
    List<String> paths =
        inputs.stream().map(n -> SAMPLES.resolve(n).toAbsolutePath().toString()).toList();
    JsonNode sparkReport = runSpark("samples", paths, 128L << 20);
    assertSameAnswers(analyze(paths), sparkReport);
  }

  @Test
  void filterAndThresholdsGiveWhatAnalyzeGives() throws IOException {
    List<String> inputs = new ArrayList<>();
    for (String n :
        List.of(
            "keepalive-get.pcap",
            "dumb-proxy-hang.pcap",
            "port-burst.pcap",
            "setup-serial-delay.pcap",
            "bottleneck-loss.pcap")) {
      inputs.add(SAMPLES.resolve(n).toAbsolutePath().toString());
    }
    // analyze's own options, spelled as on its command line: the filter drops two servers, the
    // thresholds change severities and costs
    List<String> options =
        List.of(
            "-f",
            "tcp port 18122 or tcp port 18129 or host 10.99.1.2",
            "--warn-cost-ms",
            "1",
            "--reference-rtt-ms",
            "120",
            "--initial-window",
            "4",
            "--server-port",
            "18129");
    List<String> args = new ArrayList<>(inputs);
    args.addAll(options);
    args.addAll(List.of("--out", tmp.resolve("out-options").toString(), "--overwrite"));
    SparkJob.Options o = SparkAnalyze.parse(args.toArray(new String[0]));
    JsonNode sparkReport = runSpark("options", o);

    List<String> analyzeArgs = new ArrayList<>(inputs);
    analyzeArgs.addAll(options);
    JsonNode expected = analyze(analyzeArgs);
    assertSameAnswers(expected, sparkReport);
    // the options did something: frames were filtered out, and the findings are not the defaults'
    assertTrue(sparkReport.path("capture").path("filtered_out").asLong() > 0);
    JsonNode defaults = analyze(inputs);
    assertTrue(
        defaults.path("connections").size() > sparkReport.path("connections").size(),
        "the filter removed connections");
    assertFalse(
        sorted(defaults.path("findings"), JsonNode::toString)
            .equals(sorted(expected.path("findings"), JsonNode::toString)));
  }

  @Test
  void harOfTheSetIsAnalyzesHar() throws IOException {
    List<String> inputs = new ArrayList<>();
    for (String n :
        List.of(
            "keepalive-get.pcap", "pipelined.pcap", "keepalive-refused.pcap", "port-cycle.pcap")) {
      inputs.add(SAMPLES.resolve(n).toAbsolutePath().toString());
    }
    Path out = tmp.resolve("out-har");
    List<String> args = new ArrayList<>(inputs);
    args.addAll(List.of("--out", out.toString(), "--overwrite", "--report", "json,har"));
    new SparkJob(spark, SparkAnalyze.parse(args.toArray(new String[0]))).run();

    Path har = tmp.resolve("analyze.har");
    List<String> analyzeArgs = new ArrayList<>(List.of("analyze"));
    analyzeArgs.addAll(inputs);
    analyzeArgs.addAll(List.of("-o", har.toString()));
    StringWriter err = new StringWriter();
    assertEquals(
        0,
        Main.run(
            analyzeArgs.toArray(new String[0]), new ByteArrayOutputStream(), new PrintWriter(err)),
        err.toString());
    JsonNode entries = new ObjectMapper().readTree(har.toFile()).path("log").path("entries");
    assertTrue(entries.size() > 10, "transactions: " + entries.size());
    // the same bytes, but for the files' names in the comment: the job names them as Hadoop
    // qualifies them (file:/..., hdfs://...)
    String samples = SAMPLES.toAbsolutePath().toString();
    assertEquals(
        Files.readString(har),
        Files.readString(out.resolve("report.har")).replace("file:" + samples, samples));
  }

  @Test
  void badOptionsAreOneLineErrors() {
    for (String[] args :
        List.of(
            new String[] {"x.pcap"},
            new String[] {"x.pcap", "--out", "o", "--warn-cost-ms", "-3"},
            new String[] {"x.pcap", "--out", "o", "--initial-window", "0"},
            new String[] {"x.pcap", "--out", "o", "--report", "pdf"},
            new String[] {"x.pcap", "--out", "o", "--no-such-option"},
            new String[] {"x.pcap", "--out", "o", "-f", "tcp port"})) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SparkAnalyze.parse(args));
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void rotatedFilesGiveWhatAnalyzeGives() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("rotated"));
    int parts = DirectoryInputTest.rotate(SAMPLES.resolve("slow-reader.pcap"), dir, 150);
    assertTrue(parts > 3, "the capture is cut into several files: " + parts);
    List<String> in = List.of(dir.toString());
    JsonNode sparkReport = runSpark("rotated", in, 128L << 20);
    assertSameAnswers(analyze(in), sparkReport);
  }

  @Test
  void splitsOfOneFileGiveWhatAnalyzeGives() throws IOException {
    List<String> in = List.of(SAMPLES.resolve("paused-writer.pcap").toAbsolutePath().toString());
    JsonNode sparkReport = runSpark("splits", in, 1 << 16); // about 16 splits
    Map<String, Long> splits = splitsPerFile("splits");
    assertTrue(splits.values().iterator().next() > 10, "read in many splits: " + splits);
    assertSameAnswers(analyze(in), sparkReport);
  }

  /**
   * Public captures with IP fragments (a host pair with fragments is one connection group: a
   * fragment after the first carries no ports), beside one whose host pair is spread over groups.
   */
  @Test
  void fragmentedHostPairsGiveWhatAnalyzeGives() throws IOException {
    Path corpus = Path.of("../shared/corpus");
    assumeTrue(Files.isDirectory(corpus), "no ../shared/corpus");
    List<String> in = new ArrayList<>();
    for (String f : List.of("arkime/socks5-http-302-frag.pcap")) { // GTP's fragments: docs/spark.md
      Path p = corpus.resolve(f);
      assumeTrue(Files.isRegularFile(p), "no " + p);
      in.add(p.toAbsolutePath().toString());
    }
    in.add(SAMPLES.resolve("port-burst.pcap").toAbsolutePath().toString());
    JsonNode expected = analyze(in);
    assertTrue(expected.path("summary").path("transactions").asLong() >= 1, "HTTP read");
    assertSameAnswers(expected, runSpark("fragments", in, 128L << 20));
  }

  @Test
  void tlsIsDecryptedWithEmbeddedAndGivenKeys() throws IOException {
    List<String> dsb = List.of(SAMPLES.resolve("tls-https-dsb.pcapng").toAbsolutePath().toString());
    JsonNode embedded = runSpark("tls-dsb", dsb, 128L << 20);
    assertTrue(embedded.path("summary").path("transactions").asLong() > 0, "decrypted");
    assertSameAnswers(analyze(dsb), embedded);

    List<String> plain = List.of(SAMPLES.resolve("tls-https.pcap").toAbsolutePath().toString());
    String keys = SAMPLES.resolve("tls-https.keylog").toAbsolutePath().toString();
    JsonNode given = runSpark("tls-keylog", plain, 128L << 20, 2, keys);
    List<String> args = new ArrayList<>(plain);
    args.addAll(List.of("--tls-keylog", keys));
    assertSameAnswers(analyze(args), given);
  }

  @Test
  void theReportDoesNotDependOnThePartitioning() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("parts"));
    DirectoryInputTest.rotate(SAMPLES.resolve("port-burst.pcap"), dir, 100);
    List<String> in = List.of(dir.toString());
    runSpark("p1", in, 1 << 16, 1, null);
    runSpark("p3", in, 1 << 16, 3, null);
    String one = Files.readString(tmp.resolve("out-p1/report.json"));
    String three = Files.readString(tmp.resolve("out-p3/report.json"));
    assertEquals(one, three);
  }

  @Test
  void badFilesAreReportedPerFileAndTheRestIsAnalysed() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    Path good = dir.resolve("good.pcap");
    Files.copy(SAMPLES.resolve("keepalive-get.pcap"), good);
    byte[] whole = Files.readAllBytes(SAMPLES.resolve("pipelined.pcap"));
    Files.write(dir.resolve("truncated.pcap"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Files.writeString(dir.resolve("notes.txt"), "not a capture\n");
    Files.write(dir.resolve("empty.pcap"), new byte[0]);
    JsonNode report = runSpark("bad", List.of(dir.toString()), 128L << 20);

    Map<String, String> status = new TreeMap<>();
    for (Row r : spark.read().parquet(tmp.resolve("out-bad/files").toString()).collectAsList()) {
      status.put(
          Path.of(r.getAs("path").toString().replace("file:", "")).getFileName().toString(),
          r.getAs("status"));
    }
    assertEquals("ok", status.get("good.pcap"), status.toString());
    assertEquals("skipped", status.get("notes.txt"), status.toString());
    assertEquals("skipped", status.get("empty.pcap"), status.toString());
    assertEquals("damaged", status.get("truncated.pcap"), status.toString());
    // the truncated file's frames before the damage are analysed, as analyze does
    JsonNode expected = analyze(List.of(good.toString(), dir.resolve("truncated.pcap").toString()));
    assertEquals(
        expected.path("summary").path("transactions"), report.path("summary").path("transactions"));
    assertFalse(report.path("connections").isEmpty());
  }

  @Test
  void anExistingOutputIsRefusedWithoutOverwrite() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("exists"));
    SparkJob.Options o =
        new SparkJob.Options(
            List.of(SAMPLES.resolve("keepalive-get.pcap").toAbsolutePath().toString()),
            out.toString(),
            false,
            List.of(ReportFormat.JSON),
            128L << 20,
            2,
            1_000_000,
            null);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SparkJob(spark, o).run());
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
  }

  @Test
  void overwriteNeverDeletesAnInput() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("holds-input"));
    Path input = Files.copy(SAMPLES.resolve("keepalive-get.pcap"), out.resolve("in.pcap"));
    SparkJob.Options o =
        new SparkJob.Options(
            List.of(input.toAbsolutePath().toString()),
            out.toString(),
            true,
            List.of(ReportFormat.JSON),
            128L << 20,
            2,
            1_000_000,
            null);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SparkJob(spark, o).run());
    assertTrue(e.getMessage().contains("holds the input"), e.getMessage());
    assertTrue(Files.exists(input), "the input is still there");
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static JsonNode runSpark(String name, List<String> inputs, long splitBytes)
      throws IOException {
    return runSpark(name, inputs, splitBytes, 2, null);
  }

  private static JsonNode runSpark(
      String name, List<String> inputs, long splitBytes, int partitions, String keyLog)
      throws IOException {
    Path out = tmp.resolve("out-" + name);
    SparkJob.Options o =
        new SparkJob.Options(
            inputs,
            out.toString(),
            true,
            List.of(ReportFormat.JSON),
            splitBytes,
            partitions,
            1_000_000,
            keyLog);
    return runSpark(name, o);
  }

  private static JsonNode runSpark(String name, SparkJob.Options o) throws IOException {
    Path out = tmp.resolve("out-" + name);
    new SparkJob(spark, o).run();
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    // the Parquet tables hold the same records as the report
    assertEquals(
        report.path("connections").size(),
        spark.read().parquet(out.resolve("connections").toString()).count());
    assertEquals(
        report.path("findings").size(),
        spark.read().parquet(out.resolve("findings").toString()).count());
    return report;
  }

  private static Map<String, Long> splitsPerFile(String name) {
    Map<String, Long> m = new TreeMap<>();
    for (Row r :
        spark.read().parquet(tmp.resolve("out-" + name + "/files").toString()).collectAsList()) {
      m.put(r.getAs("path"), ((Integer) r.getAs("splits")).longValue());
    }
    return m;
  }

  private static JsonNode analyze(List<String> inputs) throws IOException {
    return SameAnswers.analyze(inputs, tmp);
  }

  private static void assertSameAnswers(JsonNode expected, JsonNode actual) {
    SameAnswers.assertSameAnswers(expected, actual);
  }

  private static List<String> sorted(
      JsonNode array, java.util.function.Function<JsonNode, String> key) {
    return SameAnswers.sorted(array, key);
  }
}
