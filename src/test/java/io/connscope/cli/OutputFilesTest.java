package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's files are never destroyed or truncated: an output that is an input, or given twice, is
 * refused before anything is written; a run that fails leaves the previous file as it was and no
 * temporary file behind.
 */
class OutputFilesTest {
  @TempDir Path tmp;

  private Path capture() throws Exception {
    Path c = tmp.resolve("cl.pcap");
    Files.copy(Path.of("samples/content-length-lies.pcap"), c);
    return c;
  }

  private static void assertOneLine(MainTest.Result r, String expected) {
    assertEquals(ExitCodes.USAGE, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(expected), r.err());
  }

  @Test
  void theInputIsNeverOverwrittenWhateverItsName() throws Exception {
    Path c = capture();
    byte[] before = Files.readAllBytes(c);
    Path sym = Files.createSymbolicLink(tmp.resolve("sym.pcap"), c.getFileName());
    Path hard = Files.createLink(tmp.resolve("hard.pcap"), c);
    Path dotted = tmp.resolve("sub/../cl.pcap");
    Files.createDirectory(tmp.resolve("sub"));
    for (Path out : List.of(c, sym, hard, dotted)) {
      MainTest.Result r =
          MainTest.run("analyze", c.toString(), "--format", "json", "-o", out.toString());
      assertOneLine(r, "is the input");
      assertTrue(r.err().contains("give -o a new file name"), r.err());
      assertArrayEquals(before, Files.readAllBytes(c), "the capture is untouched via " + out);
    }
    // the second of several inputs, among several outputs
    MainTest.Result r =
        MainTest.run(
            "analyze",
            "samples/keepalive-get.pcap",
            c.toString(),
            "-o",
            tmp.resolve("r.html").toString(),
            "-o",
            hard.toString() + ".json",
            "-o",
            hard.toString());
    assertEquals(ExitCodes.USAGE, r.code(), r.err());
    assertArrayEquals(before, Files.readAllBytes(c));
    assertFalse(
        Files.exists(tmp.resolve("r.html")), "nothing is written when the command line is refused");
  }

  @Test
  void aSavedReportIsNeverOverwrittenByItsRendering() throws Exception {
    Path json = tmp.resolve("r.json");
    assertEquals(
        0, MainTest.run("analyze", "samples/keepalive-get.pcap", "-o", json.toString()).code());
    byte[] before = Files.readAllBytes(json);
    Path link = Files.createSymbolicLink(tmp.resolve("r.md"), json);
    assertOneLine(MainTest.run("report", json.toString(), "-o", json.toString()), "is the input");
    assertOneLine(MainTest.run("report", json.toString(), "-o", link.toString()), "is the input");
    assertArrayEquals(before, Files.readAllBytes(json));
  }

  @Test
  void anOutputGivenTwiceIsRefused() throws Exception {
    Path a = tmp.resolve("a.json");
    assertOneLine(
        MainTest.run(
            "analyze", "samples/keepalive-get.pcap", "-o", a.toString(), "-o", a.toString()),
        "is given twice");
    assertOneLine(
        MainTest.run(
            "analyze",
            "samples/keepalive-get.pcap",
            "-o",
            a.toString(),
            "-o",
            tmp.resolve(".").resolve("a.json").toString()),
        "is given twice");
    Path saved = tmp.resolve("saved.json");
    assertEquals(
        0, MainTest.run("analyze", "samples/keepalive-get.pcap", "-o", saved.toString()).code());
    Files.writeString(a, "previous");
    Path hard = Files.createLink(tmp.resolve("b.json"), a);
    assertOneLine(
        MainTest.run("report", saved.toString(), "-o", a.toString(), "-o", hard.toString()),
        "is given twice");
    assertEquals("previous", Files.readString(a));
  }

  @Test
  void aReportReplacesThePreviousFileWholeKeepingItsPermissions() throws Exception {
    Path a = tmp.resolve("a.json");
    Files.writeString(a, "previous");
    Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-r-----"));
    assertEquals(
        0, MainTest.run("analyze", "samples/keepalive-get.pcap", "-o", a.toString()).code());
    assertTrue(Files.readString(a).startsWith("{\"schema\""));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(a)));
    assertEquals(List.of(a), list(tmp), "no temporary file is left");
    // through a symbolic link, the file it points to is replaced and the link kept
    Path link = Files.createSymbolicLink(tmp.resolve("l.json"), a.getFileName());
    assertEquals(
        0, MainTest.run("analyze", "samples/pipelined.pcap", "-o", link.toString()).code());
    assertTrue(Files.isSymbolicLink(link));
    assertTrue(Files.readString(a).contains("pipelined.pcap"));
  }

  @Test
  void aRenameThatFailsPutsThePreviousFileBack() throws Exception {
    // the previous file is moved aside before the new one is renamed into place (not renamed
    // over: Outputs.AtomicFiles#moveAside); when that rename fails, it is put back
    Path done = tmp.resolve("done.txt");
    Path kept = tmp.resolve("kept.txt");
    Files.writeString(done, "previous done");
    Files.writeString(kept, "previous kept");
    UserError e;
    try (Outputs.AtomicFiles files = new Outputs.AtomicFiles()) {
      files.open(done).write("new done".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      files.open(kept).write("new kept".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      try (Stream<Path> s = Files.list(tmp)) { // the second rename cannot find its file
        Files.delete(
            s.filter(p -> p.getFileName().toString().startsWith(".kept.txt.connscope-"))
                .findFirst()
                .orElseThrow());
      }
      e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class, files::commit);
    }
    assertTrue(e.getMessage().contains("cannot write " + kept), e.getMessage());
    assertTrue(e.getMessage().contains(kept + " is left as before"), e.getMessage());
    assertEquals("new done", Files.readString(done));
    assertEquals("previous kept", Files.readString(kept));
    assertEquals(List.of(done, kept), list(tmp), "no temporary or previous file is left");
  }

  @Test
  void aFullDiskLeavesThePreviousReportAndNoTemporaryFile() throws Exception {
    Path dir = tmp.resolve("small");
    Files.createDirectory(dir);
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.toString())
            .redirectErrorStream(true)
            .start();
    boolean mounted = mount.waitFor() == 0;
    Assumptions.assumeTrue(mounted, "needs root to mount a 64 KiB tmpfs");
    try {
      Path html = dir.resolve("r.html");
      Files.writeString(html, "previous");
      MainTest.Result r =
          MainTest.run(
              "analyze",
              "samples/nagle-post-split.pcap",
              "samples/pipelined.pcap",
              "samples/keepalive-max.pcap",
              "-o",
              html.toString(),
              "-o",
              dir.resolve("r.json").toString());
      assertEquals(ExitCodes.OUTPUT, r.code(), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains("No space left on device"), r.err());
      assertTrue(r.err().contains(html + " is left as before"), r.err());
      assertTrue(r.err().contains("free some space"), r.err());
      assertEquals("previous", Files.readString(html));
      assertEquals(List.of(html), list(dir), "the temporary files are removed");
    } finally {
      new ProcessBuilder("umount", dir.toString()).start().waitFor();
    }
  }

  @Test
  void anUntrustedReportThatBreaksTheSchemaExits3AndWritesNothing() throws Exception {
    Path json = tmp.resolve("r.json");
    assertEquals(
        0, MainTest.run("analyze", "samples/framing-request.pcap", "-o", json.toString()).code());
    Files.writeString(
        json,
        Files.readString(json)
            .replace(
                "\"schema_version\":\""
                    + io.connscope.report.JsonReportWriter.SCHEMA_VERSION
                    + "\"",
                "\"schema_version\":\"7.0.0\""));
    Path md = tmp.resolve("r.md");
    Files.writeString(md, "previous");
    MainTest.Result r = MainTest.run("report", json.toString(), "-o", md.toString());
    assertEquals(ExitCodes.INPUT, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("report schema version \"7.0.0\" is not supported"), r.err());
    assertEquals("previous", Files.readString(md));
    Files.writeString(
        json,
        Files.readString(json)
            .replace("\"7.0.0\"", "\"" + io.connscope.report.JsonReportWriter.SCHEMA_VERSION + "\"")
            .replace("\"start_us\":", "\"start_us\":\"x\",\"y\":"));
    r = MainTest.run("report", json.toString(), "--format", "html");
    assertEquals(ExitCodes.INPUT, r.code(), r.err());
    assertTrue(
        r.err().contains("$.pairs[0].start_us should be integer, not the string \"x\""), r.err());
    assertEquals("", r.out());
  }

  @Test
  void devicesAreWrittenDirectly() throws Exception {
    assertEquals(
        0,
        MainTest.run("analyze", "samples/keepalive-get.pcap", "--format", "json", "-o", "/dev/null")
            .code());
    assertFalse(Files.isRegularFile(Path.of("/dev/null")), "/dev/null is not replaced by a file");
  }

  private static List<Path> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
