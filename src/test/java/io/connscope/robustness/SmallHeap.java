package io.connscope.robustness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test class's {@code main} in a JVM of its own with a small heap (the serial collector; an
 * OutOfMemoryError ends it with a non-zero exit), for the tests that show memory stays bounded.
 */
public final class SmallHeap {
  /** Whether the JVM ended within the time given, its exit code, and what it printed. */
  public record Run(boolean finished, int exit, String output) {}

  /**
   * Runs {@code main} with {@code heap} (e.g. {@code -Xmx32m}) and {@code args}, this JVM's class
   * path, standard error merged into the output; waits at most {@code minutes}.
   */
  public static Run run(String heap, long minutes, Class<?> main, String... args)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                heap,
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean finished = p.waitFor(minutes, TimeUnit.MINUTES);
    return new Run(finished, finished ? p.exitValue() : -1, out);
  }

  private SmallHeap() {}
}
