package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture and interfaces commands where live capture cannot work: bad options, no libpcap, no
 * capture rights, no pcap4j at all. Each ends in one line saying what to do, never a stack trace;
 * and offline analysis never touches the live-capture libraries.
 */
class CaptureCommandTest {
  @TempDir Path tmp;

  record Proc(int code, String out, String err) {}

  @Test
  void badOptionsGiveOneLineAndExit2() {
    MainTest.assertOneLineError(
        MainTest.run("capture", "-i", "lo", "--duration", "soon"), ExitCodes.USAGE, "--duration");
    MainTest.assertOneLineError(
        MainTest.run("capture", "-i", "lo", "--duration", "0s"), ExitCodes.USAGE, "--duration");
    MainTest.assertOneLineError(
        MainTest.run("capture", "-i", "lo", "-f", "tcp", "port", "80"),
        ExitCodes.USAGE,
        "either with -f");
    MainTest.assertOneLineError(
        MainTest.run("capture", "-i", "lo", "--count", "-1"), ExitCodes.USAGE, "negative");
    MainTest.assertOneLineError(MainTest.run("capture", "--format", "xml"), ExitCodes.USAGE, "xml");
    MainTest.assertOneLineError(
        MainTest.run("capture", "-i", "lo", "--backlog", "4"),
        ExitCodes.USAGE,
        "--backlog must be between 8");
  }

  @Test
  void durationsReadLikeTcpdumpUsersWriteThem() {
    CaptureCommand c = new CaptureCommand();
    c.spec = new picocli.CommandLine(c).getCommandSpec();
    assertEquals(30_000_000_000L, c.parseDuration("30s"));
    assertEquals(30_000_000_000L, c.parseDuration("30"));
    assertEquals(500_000_000L, c.parseDuration("500ms"));
    assertEquals(300_000_000_000L, c.parseDuration("5m"));
    assertEquals(3_600_000_000_000L, c.parseDuration("1h"));
    assertEquals(2_500_000_000L, c.parseDuration("2.5s"));
  }

  @Test
  void helpListsTheLiveCommands() {
    MainTest.Result h = MainTest.run("--help");
    assertTrue(h.out().contains("capture") && h.out().contains("interfaces"), h.out());
    MainTest.Result ch = MainTest.run("capture", "--help");
    for (String opt :
        new String[] {
          "-i",
          "-f",
          "-w",
          "--duration",
          "--count",
          "--snaplen",
          "--format",
          "--output",
          "--no-native",
          "--buffer-size",
          "--backlog"
        }) {
      assertTrue(ch.out().contains(opt), opt + " in " + ch.out());
    }
  }

  @Test
  void analyzeLoadsNothingOfLiveCapture() throws Exception {
    Proc p = java(List.of("-verbose:class"), classpath(), "analyze", "samples/keepalive-get.pcap");
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().contains("io.connscope.analysis.Analysis"), "verbose:class works");
    // (picocli's reflection on CaptureCommand may load a few of our live classes: loaded, never
    // linked, so they pull none of the libraries below)
    for (String pkg :
        new String[] {
          "org.pcap4j", "jnr.ffi", "com.kenai.jffi", "com.sun.jna", "io.connscope.capture.nativeio"
        }) {
      assertFalse(p.out().contains(" " + pkg + "."), pkg + " was loaded by analyze");
    }
  }

  @Test
  void withoutPcap4jOnlyLiveCaptureFailsWithOneLine() throws Exception {
    String cp =
        Stream.of(classpath().split(File.pathSeparator))
            .filter(
                e ->
                    !e.contains("pcap4j")
                        && !e.contains("jnr")
                        && !e.contains("jffi")
                        && !e.contains("jna")
                        && !e.contains("slf4j"))
            .collect(Collectors.joining(File.pathSeparator));
    Proc analyze = java(List.of(), cp, "analyze", "samples/keepalive-get.pcap", "--format", "json");
    assertEquals(0, analyze.code(), analyze.err());
    assertTrue(analyze.out().contains("\"connections\""), analyze.out());
    Proc capture = java(List.of(), cp, "capture", "-i", "lo", "--duration", "1s");
    assertOneLine(capture, ExitCodes.INPUT, "lacks pcap4j");
  }

  @Test
  void withoutLibpcapOneLineSaysWhatToInstall() throws Exception {
    List<String> noPcap = List.of("-Dorg.pcap4j.core.pcapLibName=connscope-test-no-such-pcap");
    assertOneLine(
        java(noPcap, classpath(), "interfaces"), ExitCodes.INPUT, "libpcap is not installed");
    Proc c = java(noPcap, classpath(), "capture", "-i", "lo", "--duration", "1s");
    assertOneLine(c, ExitCodes.INPUT, "libpcap is not installed");
    assertTrue(c.err().contains("apt-get install libpcap0.8"), c.err());
  }

  @Test
  void withoutCaptureRightsOneLineSaysHowToGrantThem() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to drop rights");
    Assumptions.assumeTrue(Files.isExecutable(Paths.get("/usr/bin/setpriv")), "needs setpriv");
    // a root process without CAP_NET_RAW / CAP_NET_ADMIN, as a normal user would be
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/setpriv", "--bounding-set=-net_raw,-net_admin"));
    Proc p = run(cmd, List.of(), classpath(), "capture", "-i", "lo", "--duration", "1s");
    Assumptions.assumeFalse(p.err().contains("libpcap is not installed"), "no libpcap here");
    assertOneLine(p, ExitCodes.INPUT, "no permission to capture on lo");
    assertTrue(p.err().contains("setcap cap_net_raw,cap_net_admin=eip"), p.err());
  }

  private static void assertOneLine(Proc p, int code, String contains) {
    assertEquals(code, p.code(), p.err());
    String err = p.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertFalse(err.contains("Exception") || err.contains("Error:"), "no stack trace: " + err);
    assertTrue(err.startsWith("connscope: ") && err.contains(contains), err);
  }

  private static String classpath() {
    String cp = System.getProperty("java.class.path");
    Assumptions.assumeTrue(
        cp != null && cp.contains("picocli"), "test classpath not visible: " + cp);
    return cp;
  }

  private Proc java(List<String> jvmArgs, String cp, String... args) throws Exception {
    return run(new ArrayList<>(), jvmArgs, cp, args);
  }

  private Proc run(List<String> prefix, List<String> jvmArgs, String cp, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add("io.connscope.cli.Main");
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("out-" + System.nanoTime());
    Path err = tmp.resolve("err-" + System.nanoTime());
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + cmd);
    }
    return new Proc(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
