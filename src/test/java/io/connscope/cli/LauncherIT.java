package io.connscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher the package phase puts next to the jar ({@code target/connscope}, from {@code
 * src/main/sh/connscope}), run as a user runs it: it analyses, passes arguments and exit codes
 * through, applies its JVM settings (a user's come after them), and says what is missing. Runs
 * after {@code package} (the {@code packaged} execution of {@code mvn verify}).
 */
class LauncherIT {
  private static final Path LAUNCHER = Paths.get("target", "connscope");

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void built() {
    assumeTrue(
        Files.isExecutable(LAUNCHER) && Files.exists(Paths.get("target", "connscope.jar")),
        "run after mvn package");
  }

  @Test
  void analysesASample() throws Exception {
    Run r = run(Map.of(), "analyze", "samples/keepalive-get.pcap");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Connections: 2 (2 with HTTP), transactions: 4"), r.out());
  }

  @Test
  void exitCodesAndErrorsPassThrough() throws Exception {
    Run r = run(Map.of(), "analyze", "no-such-file.pcap");
    assertEquals(ExitCodes.INPUT, r.code());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void itsJvmSettingsApplyAndAUsersComeLater() throws Exception {
    Run r = run(Map.of("CONNSCOPE_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "--version");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("-XX:+UseSerialGC"), r.out());
    assertTrue(r.out().contains("-XX:NewSize=67108864"), r.out());
    assertTrue(r.out().contains("connscope "), r.out());
    Run g1 =
        run(
            Map.of(
                "CONNSCOPE_JAVA_OPTS", "-XX:-UseSerialGC -XX:+UseG1GC -XX:+PrintCommandLineFlags"),
            "--version");
    assertTrue(g1.out().contains("-XX:+UseG1GC"), g1.out());
  }

  @Test
  void aMissingJarIsOneLine() throws Exception {
    Run r = run(Map.of("CONNSCOPE_JAR", "/nonexistent/connscope.jar"), "--version");
    assertEquals(3, r.code());
    assertTrue(r.err().startsWith("connscope: /nonexistent/connscope.jar is missing"), r.err());
  }

  /** The build's class-data archive is used: the JVM maps connscope's classes from it. */
  @Test
  void usesTheClassDataArchiveOfTheBuild() throws Exception {
    Path jsa = Paths.get("target", "connscope.jsa");
    assumeTrue(Files.exists(jsa), "this JVM made no archive at package time");
    Run r = run(Map.of("CONNSCOPE_JAVA_OPTS", "-Xlog:class+load=info:stdout"), "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out()
            .lines()
            .anyMatch(l -> l.contains("io.connscope.cli.Main source: shared objects file")),
        "Main from the archive: "
            + r.out().lines().filter(l -> l.contains("io.connscope")).toList());
    // picocli's Java 5 class files too (a static archive takes them, a dynamic one does not)
    assertTrue(
        r.out()
            .lines()
            .anyMatch(l -> l.contains("picocli.CommandLine source: shared objects file")),
        "picocli from the archive: "
            + r.out().lines().filter(l -> l.contains("picocli.CommandLine ")).toList());
  }

  /**
   * An archive that does not belong to the jar (rebuilt, moved, copied: here a copy of the jar
   * beside the build's archive, which names the original) or no archive at all: the launcher runs
   * as before, and nothing about it reaches standard output or standard error.
   */
  @Test
  void aStaleOrMissingArchiveIsSilent(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path jsa = Paths.get("target", "connscope.jsa");
    String version = run(Map.of(), "--version").out();
    Path jar = tmp.resolve("connscope.jar");
    Files.copy(Paths.get("target", "connscope.jar"), jar);
    if (Files.exists(jsa)) {
      Path copy = tmp.resolve("connscope.jsa");
      Files.copy(jsa, copy);
      copy.toFile().setLastModified(jar.toFile().lastModified() + 2000); // newer than the jar
      Run stale = run(Map.of("CONNSCOPE_JAR", jar.toString()), "--version");
      assertEquals(0, stale.code(), stale.err());
      assertEquals(version, stale.out());
      assertEquals("", stale.err());
      Run analysed =
          run(Map.of("CONNSCOPE_JAR", jar.toString()), "analyze", "samples/keepalive-get.pcap");
      assertEquals(0, analysed.code(), analysed.err());
      assertEquals(run(Map.of(), "analyze", "samples/keepalive-get.pcap").out(), analysed.out());
      assertEquals("", analysed.err());
      Files.delete(copy);
    }
    Run none = run(Map.of("CONNSCOPE_JAR", jar.toString()), "--version");
    assertEquals(0, none.code(), none.err());
    assertEquals(version, none.out());
    assertEquals("", none.err());
  }

  /**
   * The JIT by input size: C1 alone for inputs up to the bound (a sample is far below it), C1 then
   * C2 above it, for a run naming no file (a live capture, {@code --version}), and when asked; the
   * report written with -o is not an input, however big.
   */
  @Test
  void choosesTheJitByTheSizeOfItsInputs(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    String sample = "samples/keepalive-get.pcap";
    long size = Files.size(Paths.get(sample));
    assertEquals(
        "1", tierStop(Map.of(), "analyze", sample, "-o", tmp.resolve("a.json").toString()));
    assertEquals("4", tierStop(Map.of(), "--version"));
    assertEquals(
        "4",
        tierStop(Map.of("CONNSCOPE_C1_MAX_BYTES", String.valueOf(size - 1)), "analyze", sample));
    assertEquals("4", tierStop(Map.of("CONNSCOPE_JIT", "tiered"), "analyze", sample));
    assertEquals("1", tierStop(Map.of("CONNSCOPE_JIT", "c1"), "--version"));
    Path big = tmp.resolve("big.json"); // an output from an earlier run, bigger than the bound
    Files.write(big, new byte[(int) size + 1000]);
    Map<String, String> bound = Map.of("CONNSCOPE_C1_MAX_BYTES", String.valueOf(size));
    assertEquals("1", tierStop(bound, "analyze", sample, "-o", big.toString()));
    assertEquals("1", tierStop(bound, "analyze", sample, "--output", big.toString()));
    assertEquals("4", tierStop(bound, "analyze", sample, big.toString()));
    // a quoted glob counts the files it matches (keepalive-get.pcap and others)
    assertEquals("1", tierStop(bound, "analyze", "samples/keepalive-get.pc?p"));
    assertEquals("4", tierStop(bound, "analyze", "samples/keepalive-*.pcap"));
    // an option's value is no input, even one that looks like a glob ("*" would be every file
    // here, target/ included)
    assertEquals("1", tierStop(bound, "analyze", "-f", "ip[2:2] * 4 > 100", sample));
    // a directory counts its own files, not its subdirectories'
    Path dir = Files.createDirectories(tmp.resolve("dir"));
    Files.copy(Paths.get(sample), dir.resolve("a.pcap"));
    Files.write(Files.createDirectories(dir.resolve("old")).resolve("b.pcap"), new byte[2000]);
    assertEquals("1", tierStop(bound, "analyze", dir.toString()));
    Files.write(dir.resolve("c.pcap"), new byte[2000]);
    assertEquals("4", tierStop(bound, "analyze", dir.toString()));
    // decrypting counts the inputs 32 times (the key log itself is an option value, not counted)
    Map<String, String> below = Map.of("CONNSCOPE_C1_MAX_BYTES", String.valueOf(32 * size - 1));
    assertEquals("1", tierStop(below, "analyze", sample));
    assertEquals("4", tierStop(below, "analyze", sample, "--tls-keylog", big.toString()));
    assertEquals("4", tierStop(below, "analyze", "--tls-keylog=" + big, sample));
    Map<String, String> at = Map.of("CONNSCOPE_C1_MAX_BYTES", String.valueOf(32 * size));
    assertEquals("1", tierStop(at, "analyze", sample, "--tls-keylog", big.toString()));
    // a live capture runs tiered whatever files it names
    assertEquals("4", tierStop(Map.of(), "capture", "--help", sample));
  }

  /** A launcher setting that means nothing is said once, and the choice goes on without it. */
  @Test
  void aBadJitSettingIsOneLineAndIgnored() throws Exception {
    Run r = run(Map.of("CONNSCOPE_JIT", "C1"), "--version");
    assertEquals(0, r.code(), r.err());
    assertEquals("connscope: CONNSCOPE_JIT is c1 or tiered, not: C1 (ignored)", r.err().strip());
    Run m = run(Map.of("CONNSCOPE_C1_MAX_BYTES", "1g"), "--version");
    assertEquals(0, m.code(), m.err());
    assertEquals(
        "connscope: CONNSCOPE_C1_MAX_BYTES is not a number of bytes: 1g (ignored)",
        m.err().strip());
  }

  /** The TieredStopAtLevel the launcher's JVM ran with. */
  private static String tierStop(Map<String, String> env, String... args) throws Exception {
    Map<String, String> e = new java.util.HashMap<>(env);
    e.put("CONNSCOPE_JAVA_OPTS", "-XX:+PrintFlagsFinal");
    Run r = run(e, args);
    return r.out()
        .lines()
        .filter(l -> l.contains(" TieredStopAtLevel "))
        .map(l -> l.replaceAll(".*= *(\\d+).*", "$1"))
        .findFirst()
        .orElse("none: " + r.err());
  }

  private static Run run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(LAUNCHER.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("CONNSCOPE_JAVA_OPTS");
    pb.environment().remove("CONNSCOPE_JAR");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("launcher", ".out");
    Path err = Files.createTempFile("launcher", ".err");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher timed out");
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
