package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** analyze with several -o outputs, and connscope report re-rendering a saved JSON report. */
class ReportOutputsTest {
  @TempDir Path tmp;

  @Test
  void severalOutputsTakeTheirFormatFromTheExtension() throws Exception {
    Path html = tmp.resolve("r.html");
    Path md = tmp.resolve("r.md");
    Path json = tmp.resolve("r.json");
    Path har = tmp.resolve("r.har");
    Path txt = tmp.resolve("r.txt");
    MainTest.Result r =
        MainTest.run(
            "analyze",
            "samples/nagle-post-split.pcap",
            "-o",
            html.toString(),
            "-o",
            md.toString(),
            "-o",
            json.toString(),
            "-o",
            har.toString(),
            "-o",
            txt.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.out(), "nothing on stdout when every report goes to a file");
    assertTrue(Files.readString(html).startsWith("<!DOCTYPE html>"));
    assertTrue(Files.readString(md).startsWith("# connscope report"));
    assertTrue(Files.readString(json).startsWith("{\"schema\":\"connscope-report\""));
    assertTrue(Files.readString(har).contains("\"version\" : \"1.2\""));
    assertTrue(Files.readString(txt).startsWith("Capture:"));

    // connscope report renders the saved JSON to the same bytes as analyze did
    Path html2 = tmp.resolve("again.html");
    Path md2 = tmp.resolve("again.md");
    MainTest.Result again =
        MainTest.run("report", json.toString(), "--format", "html", "-o", html2.toString());
    assertEquals(0, again.code(), again.err());
    assertArrayEquals(Files.readAllBytes(html), Files.readAllBytes(html2));
    assertEquals(0, MainTest.run("report", json.toString(), "-o", md2.toString()).code());
    assertArrayEquals(Files.readAllBytes(md), Files.readAllBytes(md2));
    MainTest.Result stdout = MainTest.run("report", json.toString(), "--format", "har");
    assertEquals(Files.readString(har), stdout.out());
  }

  /**
   * The JSON report of a run with other formats is written into the first JSON output's file and
   * read back from there (copied to the second): every output is the bytes it has alone, and
   * nothing else is left in the directory.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"samples/nagle-post-split.pcap", "samples/keepalive-get.pcap"})
  void everyOutputOfOneRunIsTheBytesItHasAlone(String sample) throws Exception {
    String[] names = {"a.json", "r.md", "b.json", "r.har", "r.html", "r.txt"};
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("analyze", sample));
    for (String n : names) {
      args.add("-o");
      args.add(tmp.resolve(n).toString());
    }
    MainTest.Result r = MainTest.run(args.toArray(new String[0]));
    assertEquals(0, r.code(), r.err());
    for (String n : names) {
      Path alone = tmp.resolve("alone").resolve(n);
      Files.createDirectories(alone.getParent());
      MainTest.Result one = MainTest.run("analyze", sample, "-o", alone.toString());
      assertEquals(0, one.code(), one.err());
      assertArrayEquals(Files.readAllBytes(alone), Files.readAllBytes(tmp.resolve(n)), n);
    }
    try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
      assertEquals(
          java.util.Set.of("a.json", "r.md", "b.json", "r.har", "r.html", "r.txt", "alone"),
          left.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void singleOutputKeepsFormatOption() throws Exception {
    Path out = tmp.resolve("report.txt");
    assertEquals(
        0,
        MainTest.run(
                "analyze", "samples/keepalive-get.pcap", "--format", "json", "-o", out.toString())
            .code());
    assertTrue(
        Files.readString(out).startsWith("{\"schema\""),
        "--format wins over the extension for one output");
    MainTest.Result stdout =
        MainTest.run("analyze", "samples/keepalive-get.pcap", "--format", "markdown");
    assertTrue(stdout.out().startsWith("# connscope report"), stdout.err());
  }

  @Test
  void usageAndInputErrorsAreOneLine() throws Exception {
    MainTest.Result unknown =
        MainTest.run(
            "analyze",
            "samples/keepalive-get.pcap",
            "-o",
            tmp.resolve("a.html").toString(),
            "-o",
            tmp.resolve("b.out").toString());
    assertEquals(ExitCodes.USAGE, unknown.code());
    assertTrue(unknown.err().contains("cannot tell the format of"), unknown.err());

    Path notReport = tmp.resolve("x.json");
    Files.writeString(notReport, "{\"hello\":1}");
    MainTest.Result bad = MainTest.run("report", notReport.toString(), "--format", "html");
    assertEquals(ExitCodes.INPUT, bad.code());
    assertTrue(bad.err().contains("not a connscope JSON report"), bad.err());
    assertEquals(1, bad.err().strip().split("\n").length);

    Path json = tmp.resolve("r.json");
    MainTest.run("analyze", "samples/keepalive-get.pcap", "-o", json.toString());
    MainTest.Result text = MainTest.run("report", json.toString(), "--format", "text");
    assertEquals(ExitCodes.USAGE, text.code(), "text needs the capture");
  }
}
