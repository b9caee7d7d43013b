package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.ValidationMessage;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One capture read as several files (samples/rotated: real samples cut by samples/split-rotated.sh,
 * and samples cut again here by editcap when it is installed): every frame a report cites with a
 * file ("18 (nagle-post-split-1.pcap #5)", JSON's {@code capture.files} table, HAR's {@code
 * *_in_file}) is read from that file at that number and must be the very packet (bytes and
 * timestamp) the report's frame number is in the original sample, in every format. The multi-file
 * reports have goldens (src/test/resources/golden-multi, regenerate with {@code
 * -Dgolden.update=true}); a single file's reports cite no file.
 */
class MultiFileEvidenceTest {
  static final Path ROTATED = Paths.get("samples", "rotated");
  static final Path GOLDEN = Paths.get("src/test/resources/golden-multi");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** "A-B (file #x-y)", "A-B (file #x to file2 #y)", "A (file #x)". */
  private static final Pattern RANGE_ONE_FILE =
      Pattern.compile("(\\d+)-(\\d+) \\(([^()\\s]+) #(\\d+)-(\\d+)\\)");

  private static final Pattern RANGE_TWO_FILES =
      Pattern.compile("(\\d+)-(\\d+) \\(([^()\\s]+) #(\\d+) to ([^()\\s]+) #(\\d+)\\)");
  private static final Pattern ONE = Pattern.compile("(\\d+) \\(([^()\\s]+) #(\\d+)\\)");
  private static final Pattern WHERE = Pattern.compile("([^()\\s]+) #(\\d+)");
  private static final Pattern FILE_FILTER =
      Pattern.compile("in ([^\\s:<>]+): (?:<code>|`)?frame\\.number in \\{([\\d ]+)\\}");

  @TempDir Path tmp;

  /** One packet as read: captured bytes and timestamp. */
  private record Packet(byte[] bytes, long nanos) {}

  private static List<Packet> packets(Path file) throws IOException {
    List<Packet> out = new ArrayList<>();
    try (PacketSource s = CaptureFiles.open(file, new Warnings())) {
      while (s.next()) {
        byte[] b = new byte[s.info().capturedLength];
        ByteBuffer buf = s.buffer();
        for (int i = 0; i < b.length; i++) {
          b[i] = buf.get(s.frameOffset() + i);
        }
        out.add(new Packet(b, s.info().timestampNanos));
      }
    }
    return out;
  }

  /** The pieces of one sample, in order, and the packets of each and of the original. */
  private static final class Pieces {
    final List<Path> files;
    final List<Packet> original;
    final Map<String, List<Packet>> byName = new HashMap<>();
    int checked;

    Pieces(Path sample, List<Path> files) throws IOException {
      this.files = files;
      this.original = packets(sample);
      for (Path f : files) {
        byName.put(f.getFileName().toString(), packets(f));
      }
    }

    /**
     * Frame {@code global} of the report is frame {@code frame} of the file cited as {@code label}.
     */
    void check(long global, String label, long frame, String what) {
      List<Packet> in = byName.get(label);
      assertNotNull(in, what + ": cites " + label + ", not an input");
      assertTrue(frame >= 1 && frame <= in.size(), what + ": " + label + " #" + frame);
      assertTrue(global >= 1 && global <= original.size(), what + ": frame " + global);
      Packet cited = in.get((int) frame - 1);
      Packet meant = original.get((int) global - 1);
      assertArrayEquals(meant.bytes(), cited.bytes(), what + ": frame " + global + " bytes");
      assertEquals(meant.nanos(), cited.nanos(), what + ": frame " + global + " timestamp");
      checked++;
    }

    /** True when frame {@code frame} of file {@code label} is the report's frame {@code global}. */
    boolean same(long global, String label, long frame) {
      List<Packet> in = byName.get(label);
      if (in == null || frame < 1 || frame > in.size()) {
        return false;
      }
      Packet cited = in.get((int) frame - 1);
      Packet meant = original.get((int) global - 1);
      return java.util.Arrays.equals(meant.bytes(), cited.bytes())
          && meant.nanos() == cited.nanos();
    }

    /**
     * Every per-file display filter ("in FILE: frame.number in {1 2}") shows evidence frames only:
     * each number is, in that file, one of the {@code evidence} frames; how many.
     */
    int checkFilters(String doc, Set<Long> evidence, String what) {
      int n = 0;
      Matcher m = FILE_FILTER.matcher(doc);
      while (m.find()) {
        for (String k : m.group(2).split(" ")) {
          long frame = Long.parseLong(k);
          assertTrue(
              evidence.stream().anyMatch(g -> same(g, m.group(1), frame)),
              what + ": " + m.group(1) + " #" + frame + " is no evidence frame");
          n++;
        }
      }
      return n;
    }

    /** Every file-and-frame a text report (text, Markdown, HTML) cites; how many. */
    int checkText(String doc, String what) {
      int before = checked;
      Matcher m = RANGE_ONE_FILE.matcher(doc);
      while (m.find()) {
        check(Long.parseLong(m.group(1)), m.group(3), Long.parseLong(m.group(4)), what);
        check(Long.parseLong(m.group(2)), m.group(3), Long.parseLong(m.group(5)), what);
      }
      m = RANGE_TWO_FILES.matcher(doc);
      while (m.find()) {
        check(Long.parseLong(m.group(1)), m.group(3), Long.parseLong(m.group(4)), what);
        check(Long.parseLong(m.group(2)), m.group(5), Long.parseLong(m.group(6)), what);
      }
      m = ONE.matcher(doc);
      while (m.find()) {
        check(Long.parseLong(m.group(1)), m.group(2), Long.parseLong(m.group(3)), what);
      }
      return checked - before;
    }
  }

  private static List<Path> rotated(String name) throws IOException {
    try (Stream<Path> s = Files.list(ROTATED)) {
      return s.filter(p -> p.getFileName().toString().matches(Pattern.quote(name) + "-\\d+\\.pcap"))
          .sorted()
          .toList();
    }
  }

  private static String render(String json, ReportFormat f) throws IOException {
    return ReportFormatsGoldenTest.render(json, f);
  }

  /**
   * Every format of the report of {@code p.files}: each cited file-and-frame is the packet the
   * report's frame is; every evidence frame of every finding is cited so in text, Markdown and
   * HTML.
   */
  private static void checkEveryFormat(Pieces p, String name) throws IOException {
    Path[] files = p.files.toArray(Path[]::new);
    String json = Reports.json(files);
    JsonNode doc = MAPPER.readTree(json);
    Set<ValidationMessage> errors = SamplesGoldenTest.schema().validate(doc);
    assertTrue(errors.isEmpty(), "schema violations: " + errors);
    assertEquals(p.original.size(), doc.path("capture").path("packets").asLong());

    // JSON: the files table maps every frame number in the document to a file and a frame there
    JsonNode table = doc.path("capture").path("files");
    assertEquals(p.files.size(), table.size());
    long next = 1;
    for (int i = 0; i < table.size(); i++) {
      JsonNode f = table.get(i);
      assertEquals(p.files.get(i).toString(), f.path("name").asText());
      assertEquals(next, f.path("first_frame").asLong(), name + ": first_frame of file " + i);
      List<Packet> in = p.byName.get(p.files.get(i).getFileName().toString());
      assertEquals(in.size(), f.path("packets").asLong());
      assertEquals(in.get(0).nanos() / 1000, f.path("start_epoch_us").asLong());
      assertEquals(in.get(in.size() - 1).nanos() / 1000, f.path("end_epoch_us").asLong());
      next += in.size();
    }
    int[] jsonFrames = {0};
    walk(
        doc,
        (field, n) -> {
          if (n < 1) {
            return; // "none" (capture-wide warnings cite frame 0)
          }
          int at = 0;
          for (int i = 0; i < table.size(); i++) {
            if (table.get(i).path("first_frame").asLong() <= n) {
              at = i;
            }
          }
          p.check(
              n,
              p.files.get(at).getFileName().toString(),
              n - table.get(at).path("first_frame").asLong() + 1,
              name + " json " + field);
          jsonFrames[0]++;
        });
    assertTrue(jsonFrames[0] > 10, name + ": frames in the JSON report: " + jsonFrames[0]);

    String text = Reports.text(files);
    // Markdown escapes the underscores of a name (editcap's pieces have some): read as rendered
    String md = render(json, ReportFormat.MARKDOWN).replace("\\_", "_");
    String html = render(json, ReportFormat.HTML);
    assertTrue(p.checkText(text, name + " text") > 0, name + ": text cites files");
    assertTrue(p.checkText(md, name + " markdown") > 0, name + ": markdown cites files");
    assertTrue(p.checkText(html, name + " html") > 0, name + ": html cites files");
    io.connscope.result.FrameFiles ff =
        ResultJson.header(doc).capture().frameFiles(); // as the writers cite
    Set<Long> evidence = new java.util.HashSet<>();
    for (JsonNode f : doc.path("findings")) {
      for (JsonNode fr : f.path("evidence").path("frames")) {
        evidence.add(fr.asLong());
      }
    }
    if (!evidence.isEmpty()) {
      for (String[] d : new String[][] {{text, "text"}, {md, "markdown"}, {html, "html"}}) {
        assertTrue(
            p.checkFilters(d[0], evidence, name + " " + d[1]) >= evidence.size(),
            name + " " + d[1] + ": a display filter per file for the evidence");
      }
    }
    for (JsonNode f : doc.path("findings")) {
      for (JsonNode fr : f.path("evidence").path("frames")) {
        String cite = ff.cite(fr.asLong());
        assertTrue(cite.contains(" #"), cite);
        assertTrue(text.contains(cite), name + " text cites evidence " + cite);
        assertTrue(md.contains(cite), name + " markdown cites evidence " + cite);
        assertTrue(html.contains(cite), name + " html cites evidence " + cite);
      }
    }

    // HAR: NAME_in_file beside each frame NAME, frames_in_files beside each finding's frames
    JsonNode har = MAPPER.readTree(render(json, ReportFormat.HAR));
    Set<ValidationMessage> harErrors = ReportFormatsGoldenTest.harSchema().validate(har);
    assertTrue(harErrors.isEmpty(), "HAR 1.2 violations: " + harErrors);
    int[] harFrames = {0};
    walkObjects(
        har,
        o -> {
          for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.endsWith("_in_file")) {
              Matcher m = WHERE.matcher(o.get(k).asText());
              assertTrue(m.matches(), o.get(k).asText());
              String frameField = k.substring(0, k.length() - "_in_file".length());
              p.check(
                  o.get(frameField).asLong(),
                  m.group(1),
                  Long.parseLong(m.group(2)),
                  name + " har " + k);
              harFrames[0]++;
            } else if (k.equals("display_filters_in_files")) {
              Set<Long> ev = new java.util.HashSet<>();
              o.get("frames").forEach(x -> ev.add(x.asLong()));
              for (JsonNode fl : o.get(k)) {
                p.checkFilters(
                    "in " + fl.get("file").asText() + ": " + fl.get("display_filter").asText(),
                    ev,
                    name + " har");
              }
            } else if (k.equals("frames_in_files")) {
              JsonNode nums = o.get("frames");
              assertEquals(nums.size(), o.get(k).size());
              for (int i = 0; i < nums.size(); i++) {
                Matcher m = WHERE.matcher(o.get(k).get(i).asText());
                assertTrue(m.matches(), o.get(k).get(i).asText());
                p.check(
                    nums.get(i).asLong(), m.group(1), Long.parseLong(m.group(2)), name + " har");
                harFrames[0]++;
              }
            }
          }
        });
    if (doc.path("summary").path("transactions").asLong() > 0) {
      assertTrue(harFrames[0] > 0, name + ": HAR cites files");
    }
  }

  private interface FrameVisitor {
    void frame(String field, long n);
  }

  /** Every frame number in a report: fields named *frame, arrays named frames. */
  private static void walk(JsonNode n, FrameVisitor v) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey();
        JsonNode c = e.getValue();
        if (k.endsWith("frame") && c.isNumber()) {
          v.frame(k, c.asLong());
        } else if (k.equals("frames") && c.isArray()) {
          for (JsonNode f : c) {
            v.frame(k, f.asLong());
          }
        } else {
          walk(c, v);
        }
      }
    } else if (n.isArray()) {
      for (JsonNode c : n) {
        walk(c, v);
      }
    }
  }

  private static void walkObjects(JsonNode n, java.util.function.Consumer<JsonNode> v) {
    if (n.isObject()) {
      v.accept(n);
    }
    for (JsonNode c : n) {
      walkObjects(c, v);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nagle-post-split", "tls-https"})
  void rotatedSamplesCiteTheFileAndItsFrame(String name) throws IOException {
    List<Path> files = rotated(name);
    assertTrue(files.size() > 1, "samples/rotated holds " + name + " in pieces");
    Pieces p = new Pieces(Paths.get("samples", name + ".pcap"), files);
    checkEveryFormat(p, name);
  }

  /** Samples cut here, at another size, by editcap (skipped without it). */
  @ParameterizedTest
  @ValueSource(strings = {"setup-serial-delay", "capture-loss", "time-wait-reuse", "keepalive-max"})
  void samplesCutByEditcapCiteTheFileAndItsFrame(String name) throws Exception {
    Path sample = Paths.get("samples", name + ".pcap");
    Process proc;
    try {
      proc =
          new ProcessBuilder(
                  "editcap",
                  "-F",
                  "pcap",
                  "-c",
                  "7",
                  sample.toString(),
                  tmp.resolve("cut.pcap").toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      Assumptions.abort("editcap is not installed");
      return;
    }
    proc.getInputStream().readAllBytes();
    assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "editcap ends");
    assertEquals(0, proc.exitValue(), "editcap");
    List<Path> files;
    try (Stream<Path> s = Files.list(tmp)) {
      files = s.sorted().toList(); // editcap numbers its pieces in order
    }
    assertTrue(files.size() > 2, name + " in pieces: " + files);
    checkEveryFormat(new Pieces(sample, files), name);
  }

  /** One file: the report's numbers are that file's, and no report names a file for a frame. */
  @Test
  void oneFileCitesNoFile() throws IOException {
    Path one = rotated("nagle-post-split").get(1);
    String json = Reports.json(one);
    assertFalse(MAPPER.readTree(json).path("capture").path("files").get(0).has("first_frame"));
    for (String doc :
        List.of(
            Reports.text(one),
            render(json, ReportFormat.MARKDOWN),
            render(json, ReportFormat.HTML),
            render(json, ReportFormat.HAR))) {
      assertFalse(ONE.matcher(doc).find(), "no file cited");
      assertFalse(doc.contains("_in_file"), "no file cited");
      assertFalse(doc.contains("numbered across"), "no files table");
    }
  }

  /** File names are the user's, not connscope's: escaped wherever a frame cites them. */
  @Test
  void fileNamesAreEscapedWhereTheyAreCited() throws IOException {
    List<Path> pieces = rotated("nagle-post-split");
    List<Path> named = new ArrayList<>();
    String[] names = {"a<b>&.pcap", "c|d`e.pcap", "f\u001b[31m.pcap", "g*h_.pcap"};
    for (int i = 0; i < pieces.size(); i++) {
      Path to = tmp.resolve(names[i]);
      Files.copy(pieces.get(i), to);
      named.add(to);
    }
    Path[] files = named.toArray(Path[]::new);
    String json = Reports.json(files);
    String text = Reports.text(files);
    String md = render(json, ReportFormat.MARKDOWN);
    String html = render(json, ReportFormat.HTML);
    assertFalse(text.contains("\u001b"), "no raw escape character in text");
    assertTrue(text.contains("(c|d`e.pcap #"), text);
    assertFalse(html.contains("a<b>"), "HTML escapes the name");
    assertTrue(html.contains("a&lt;b&gt;&amp;.pcap #"), "HTML cites the escaped name");
    assertFalse(md.contains("c|d"), "Markdown escapes a table's pipe");
    assertTrue(md.contains("c\\|d"), "Markdown cites the escaped name");
    assertFalse(md.contains("\u001b"), "no raw escape character in Markdown");
  }

  @Test
  void goldenInEveryFormat() throws IOException {
    Path[] files = rotated("nagle-post-split").toArray(Path[]::new);
    String json = Reports.json(files);
    assertEquals(json, Reports.json(files), "same input, same bytes");
    golden("nagle-post-split-rotated.json", json);
    golden("nagle-post-split-rotated.txt", Reports.text(files));
    golden("nagle-post-split-rotated.md", render(json, ReportFormat.MARKDOWN));
    golden("nagle-post-split-rotated.html", render(json, ReportFormat.HTML));
    golden("nagle-post-split-rotated.har", render(json, ReportFormat.HAR));
  }

  private static void golden(String name, String actual) throws IOException {
    Path g = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(g, actual, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(g), "no golden " + g + ": run with -Dgolden.update=true");
    assertEquals(Files.readString(g, StandardCharsets.UTF_8), actual, "golden " + g);
  }
}
