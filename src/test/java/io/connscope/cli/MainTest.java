package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: help, version, errors as one line, exit codes. */
class MainTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code = Main.run(args, out, new PrintWriter(err, true));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
  }

  static void assertOneLineError(Result r, int code, String contains) {
    assertEquals(code, r.code(), r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertFalse(err.contains("Exception"), "no stack trace or exception name: " + err);
    assertTrue(err.startsWith("connscope: "), err);
    assertTrue(err.contains(contains), err);
  }

  @Test
  void versionAndHelp() {
    Result v = run("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().matches("connscope \\d+\\.\\d+\\.\\d+.*\\s*"), v.out());
    Result h = run("--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("analyze"), h.out());
    assertTrue(h.out().contains("Exit codes"), h.out());
    Result ah = run("analyze", "--help");
    assertEquals(0, ah.code());
    assertTrue(ah.out().contains("--format"), ah.out());
    assertTrue(ah.out().contains("--server-port"), ah.out());
  }

  /**
   * Start-up: --version is answered before picocli builds its model, the top-level usage is built
   * from the commands' annotations only, and a named command is the only one built: the same bytes
   * as picocli's own version help and usage.
   */
  @Test
  void quickVersionAndUsageAreTheSameBytes() {
    StringWriter picocli = new StringWriter();
    new picocli.CommandLine(new Main()).printVersionHelp(new PrintWriter(picocli, true));
    assertEquals(picocli.toString(), run("--version").out());
    assertEquals(picocli.toString(), run("-V").out());
    // the usage from stand-ins of the commands is the usage from the commands themselves
    picocli.CommandLine full = new picocli.CommandLine(new Main());
    for (String command : Main.COMMANDS) {
      full.addSubcommand(command, Main.command(command));
    }
    assertEquals(full.getUsageMessage(), run("--help").out());
    assertEquals(full.getUsageMessage(), run("-h").out());
    assertTrue(
        full.getUsageMessage().contains("  interfaces  Lists the interfaces"),
        full.getUsageMessage());
    Result helpAnalyze = run("help", "analyze");
    assertEquals(0, helpAnalyze.code(), helpAnalyze.err());
    assertTrue(helpAnalyze.out().contains("--server-port"), helpAnalyze.out());
  }

  @Test
  void badArgumentsGiveOneLineAndExit2() {
    assertOneLineError(run("analyze"), ExitCodes.USAGE, "FILE");
    assertOneLineError(run("analyze", "--format", "xml", "x.pcap"), ExitCodes.USAGE, "xml");
    assertOneLineError(
        run("analyze", "--server-port", "70000", "samples/keepalive-get.pcap"),
        ExitCodes.USAGE,
        "65535");
    assertOneLineError(run("frobnicate"), ExitCodes.USAGE, "frobnicate");
  }

  @Test
  void unreadableInputsGiveOneLineAndExit3() throws IOException {
    assertOneLineError(
        run("analyze", tmp.resolve("missing.pcap").toString()), ExitCodes.INPUT, "no such file");
    Path text = tmp.resolve("notes.txt");
    Files.writeString(text, "<html>hello</html>\n");
    assertOneLineError(run("analyze", text.toString()), ExitCodes.INPUT, "notes.txt");
    Path empty = tmp.resolve("empty.pcap");
    Files.write(empty, new byte[0]);
    assertOneLineError(run("analyze", empty.toString()), ExitCodes.INPUT, "empty");
    assertOneLineError(run("analyze", tmp.toString()), ExitCodes.INPUT, "directory");
  }

  @Test
  void unwritableOutputGivesExit4() {
    Result r =
        run(
            "analyze",
            "samples/keepalive-get.pcap",
            "-o",
            tmp.resolve("no/such/dir/r.json").toString());
    assertOneLineError(r, ExitCodes.OUTPUT, "cannot write");
  }

  @Test
  void analyzeWritesJsonToFile() throws IOException {
    Path out = tmp.resolve("r.json");
    Result r =
        run("analyze", "samples/keepalive-get.pcap", "--format", "json", "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    String json = Files.readString(out, StandardCharsets.UTF_8);
    assertTrue(json.startsWith("{\"schema\":\"connscope-report\""), json);
  }

  /** Off by default (a long idle time before reuse is evidence); when set, it ends connections. */
  @Test
  void idleTimeoutFinishesConnectionsIdleInCaptureTime() throws IOException {
    Path dflt = tmp.resolve("d.json"), idle = tmp.resolve("i.json");
    assertEquals(0, run("analyze", "samples/stale-reuse.pcap", "-o", dflt.toString()).code());
    Result r =
        run(
            "analyze",
            "samples/stale-reuse.pcap",
            "--idle-timeout-s",
            "0.2",
            "-o",
            idle.toString());
    assertEquals(0, r.code(), r.err());
    String d = Files.readString(dflt, StandardCharsets.UTF_8);
    String i = Files.readString(idle, StandardCharsets.UTF_8);
    assertFalse(d.contains("\"reason\":\"idle\""), d);
    assertTrue(i.contains("\"close\":{\"reason\":\"idle\""), i);
    assertTrue(i.contains("\"id\":\"C3\""), "the POST after 0.3 s idle starts a new connection");
    assertOneLineError(
        run("analyze", "samples/stale-reuse.pcap", "--idle-timeout-s", "-1"),
        2,
        "times must be zero or more");
  }

  /** A tcpdump filter narrows the analysis; frames keep their numbers in the capture. */
  @Test
  void filterAnalysesOnlyMatchingFramesWithTheirOwnNumbers() throws IOException {
    Assumptions.assumeTrue(canLoadLibpcap(), "libpcap not loadable");
    Path all = tmp.resolve("all.json"), one = tmp.resolve("one.json");
    assertEquals(0, run("analyze", "samples/stale-reuse.pcap", "-o", all.toString()).code());
    Result r =
        run("analyze", "samples/stale-reuse.pcap", "-f", "tcp port 35620", "-o", one.toString());
    assertEquals(0, r.code(), r.err());
    String a = Files.readString(all, StandardCharsets.UTF_8);
    String o = Files.readString(one, StandardCharsets.UTF_8);
    assertTrue(a.contains("\"port\":35608") && a.contains("\"port\":35620"), a);
    assertFalse(o.contains("\"port\":35608"), o);
    assertTrue(o.contains("\"first_frame\":12"), "the SYN keeps its number in the capture: " + o);
    assertTrue(o.contains("\"filter\":\"tcp port 35620\",\"filtered_out\":11"), "said: " + o);
    assertFalse(a.contains("\"filter\""), "no filter, no field");
    assertOneLineError(
        run("analyze", "samples/stale-reuse.pcap", "-f", "tcp prot 1"),
        2,
        "bad filter 'tcp prot 1'");
  }

  private static boolean canLoadLibpcap() {
    try {
      io.connscope.capture.filter.CaptureFilter.of("tcp");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** README.md opens with the two set-up commands; the first analyses a shipped sample. */
  @Test
  void readmeCommandsAreTrue() throws IOException {
    String readme = Files.readString(Paths.get("README.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?s)```(?:sh|bash)?\\n(.*?)```").matcher(readme);
    assertTrue(m.find(), "README starts with a code block");
    String[] lines = m.group(1).strip().split("\n");
    assertEquals(2, lines.length, "two set-up commands: " + m.group(1));
    String run = lines[0].replaceAll("\\s+#.*$", "").strip();
    String test = lines[1].replaceAll("\\s+#.*$", "").strip();
    Matcher jar = Pattern.compile("java -jar target/connscope\\.jar (analyze .*)$").matcher(run);
    assertTrue(jar.find(), "the first command runs connscope analyze: " + run);
    assertTrue(run.contains("package"), "the first command builds the jar if needed: " + run);
    String[] args = jar.group(1).split("\\s+");
    assertTrue(
        Files.exists(Paths.get(args[args.length - 1])), "sample shipped: " + args[args.length - 1]);
    Result r = run(args);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Connections:"), r.out());
    String ci = Files.readString(Paths.get(".ci/run"), StandardCharsets.UTF_8);
    assertTrue(ci.contains(test), ".ci/run calls the README's test command '" + test + "'");
  }
}
