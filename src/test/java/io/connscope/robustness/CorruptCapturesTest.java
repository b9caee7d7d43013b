package io.connscope.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.cli.ExitCodes;
import io.connscope.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated and corrupted captures through the command line, as a user would meet them: every
 * sample and every capture of ../shared/corpus (when present), as it is, cut at many offsets and
 * with bytes flipped at many positions (seeded, bounded counts). connscope must exit 0 with a valid
 * report when it could read the file, or {@link ExitCodes#INPUT} with one line on stderr when it
 * could not; never a stack trace. A cut inside a record must be listed in the report's warnings.
 */
class CorruptCapturesTest {
  static final Path SAMPLES = Paths.get("samples");
  static final Path CORPUS = Paths.get("..", "shared", "corpus");

  /** Mutations per sample (cuts and flips each). */
  static final int PER_SAMPLE = Integer.getInteger("robustness.perSample", 24);

  /** Mutations per corpus capture (cuts and flips each). */
  static final int PER_CORPUS_FILE = Integer.getInteger("robustness.perCorpusFile", 2);

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Outcome(int code, String out, String err) {}

  static Outcome analyze(Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new String[] {"analyze", file.toString(), "--format", "json", "--no-progress"},
            out,
            new PrintWriter(err, true));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  /** Checks the outcome and returns the parsed report (null when the file was refused). */
  static JsonNode check(Outcome o, String what) throws IOException {
    String err = o.err().strip();
    assertTrue(!err.contains("\n"), what + ": stderr has more than one line:\n" + err);
    assertTrue(
        !err.contains("Exception") && !err.contains("\tat "), what + ": stack trace:\n" + err);
    if (o.code() == ExitCodes.INPUT) {
      assertTrue(err.startsWith("connscope: "), what + ": " + err);
      assertTrue(o.out().isEmpty(), what + ": a refused file writes no report");
      return null;
    }
    assertEquals(ExitCodes.OK, o.code(), what + ": " + err);
    assertTrue(err.isEmpty(), what + ": stderr on success: " + err);
    JsonNode report = JSON.readTree(o.out());
    assertTrue(report.path("capture").path("warnings").isArray(), what);
    return report;
  }

  static List<Path> captures(Path dir) throws IOException {
    return io.connscope.CaptureFilesUnder.of(dir);
  }

  /** Offsets where a little-endian or big-endian classic pcap's records end (null if not pcap). */
  static List<Long> pcapBoundaries(byte[] b) {
    if (b.length < 24) {
      return null;
    }
    ByteBuffer bb = ByteBuffer.wrap(b);
    int magic = bb.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
      bb.order(ByteOrder.LITTLE_ENDIAN);
    } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4
        || Integer.reverseBytes(magic) == 0xa1b23c4d) {
      bb.order(ByteOrder.BIG_ENDIAN);
    } else {
      return null;
    }
    List<Long> ends = new ArrayList<>();
    ends.add(24L);
    long p = 24;
    while (p + 16 <= b.length) {
      long incl = bb.getInt((int) p + 8) & 0xFFFFFFFFL;
      p += 16 + incl;
      ends.add(p);
    }
    return ends;
  }

  private void mutate(Path original, int count, long seed) throws IOException {
    byte[] bytes = Files.readAllBytes(original);
    if (bytes.length == 0) {
      return;
    }
    // the capture as it is first (the corpus holds adversarial ones: http-evader, fuzzed files)
    check(analyze(original), original.toString());
    Random r = new Random(seed ^ original.toString().hashCode());
    List<Long> boundaries = pcapBoundaries(bytes);
    Path cut = tmp.resolve("cut-" + original.getFileName());
    Path flipped = tmp.resolve("flip-" + original.getFileName());
    for (int i = 0; i < count; i++) {
      // cuts: the very start, inside the file header, then anywhere
      int len = i == 0 ? 1 : i == 1 ? Math.min(bytes.length - 1, 23) : r.nextInt(bytes.length);
      Files.write(cut, java.util.Arrays.copyOf(bytes, len));
      String what = original + " cut at " + len;
      JsonNode report = check(analyze(cut), what);
      if (report != null && boundaries != null && len > 24 && !boundaries.contains((long) len)) {
        assertTrue(
            warnings(report).contains("capture.truncated_file"),
            what + ": cut not reported: " + warnings(report));
      }
      if (report == null && boundaries != null && len >= 24) {
        fail(what + ": a pcap with a whole header must be read");
      }
      // flips: 1 to 8 bytes XORed with a random non-zero value at random positions
      byte[] f = bytes.clone();
      int flips = 1 + r.nextInt(8);
      StringBuilder where = new StringBuilder();
      for (int k = 0; k < flips; k++) {
        int pos = r.nextInt(f.length);
        f[pos] ^= (byte) (1 + r.nextInt(255));
        where.append(pos).append(' ');
      }
      Files.write(flipped, f);
      check(analyze(flipped), original + " flipped at " + where);
    }
  }

  static String warnings(JsonNode report) {
    StringBuilder b = new StringBuilder();
    for (JsonNode w : report.path("capture").path("warnings")) {
      b.append(w.path("code").asText()).append(' ');
    }
    return b.toString();
  }

  @Test
  void everySampleCutAndFlipped() throws IOException {
    List<Path> samples = captures(SAMPLES);
    assertTrue(samples.size() >= 5, "samples/ is missing: run from the project directory");
    for (Path s : samples) {
      mutate(s, PER_SAMPLE, 42);
    }
  }

  @Test
  void everyCorpusCaptureCutAndFlipped() throws IOException {
    List<Path> corpus = captures(CORPUS);
    Assumptions.assumeFalse(corpus.isEmpty(), "no corpus at " + CORPUS.toAbsolutePath());
    for (Path c : corpus) {
      mutate(c, PER_CORPUS_FILE, 7);
    }
  }

  @Test
  void aCutFileReportsWhatWasSkipped() throws IOException {
    byte[] bytes = Files.readAllBytes(SAMPLES.resolve("keepalive-get.pcap"));
    Path cut = tmp.resolve("cut.pcap");
    Files.write(cut, java.util.Arrays.copyOf(bytes, 3000));
    JsonNode report = check(analyze(cut), "cut at 3000");
    JsonNode w = report.path("capture").path("warnings").get(0);
    assertEquals("capture.truncated_file", w.path("code").asText());
    assertEquals(9, w.path("first_frame").asLong(), "the 9th record was cut");
    assertEquals(
        8, report.path("capture").path("packets").asLong(), "the 8 whole records were read");
  }
}
