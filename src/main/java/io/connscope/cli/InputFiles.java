package io.connscope.cli;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureFormatException;
import io.connscope.capture.PacketSource;
import io.connscope.capture.filter.CaptureFilter;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The capture files behind the inputs a user names: a file stands for itself, in the order given; a
 * directory, or a glob in the last path component ({@code 'ring/cap-*.pcap'}, quoted so the shell
 * leaves it), stands for the capture files in it, ordered by their first packet's time (not by
 * name: rotated files named by a counter or a date sort wrongly), ties by name. Files that are not
 * captures there are listed as skipped, never fatal; a named file that is not one is an error.
 */
final class InputFiles {
  /** One capture file and the time of its first packet (Long.MAX_VALUE when it has none). */
  record Input(Path path, long firstNanos) {}

  /** What the inputs resolved to: the files in analysis order, and what was skipped and why. */
  record Resolved(List<Path> files, List<String> skipped) {}

  private InputFiles() {}

  static Resolved resolve(List<Path> named) {
    return resolve(named, false);
  }

  /**
   * As {@link #resolve(List)}; with {@code oneSet}, every capture file named, or in a directory or
   * glob named, is taken in the order of its first packet (ties by name), as one directory's are:
   * the inputs are the pieces of one capture given in any order ({@code diff --before A --before
   * B}). A named file that cannot be read sorts last and is reported by {@link #checkReadable}.
   */
  static Resolved resolve(List<Path> named, boolean oneSet) {
    Resolved r = resolve0(named);
    if (!oneSet || r.files().size() < 2) {
      return r;
    }
    List<Input> all = new ArrayList<>();
    for (Path f : r.files()) {
      long first;
      try {
        first = firstPacketNanos(f);
      } catch (IOException e) {
        first = Long.MAX_VALUE;
      }
      all.add(new Input(f, first));
    }
    sort(all);
    List<Path> files = new ArrayList<>();
    for (Input i : all) {
      files.add(i.path());
    }
    return new Resolved(files, r.skipped());
  }

  private static void sort(List<Input> captures) {
    captures.sort(
        Comparator.comparingLong(Input::firstNanos)
            .thenComparing(i -> i.path().getFileName().toString()));
  }

  private static Resolved resolve0(List<Path> named) {
    List<Path> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path p : named) {
      List<Path> members = members(p);
      if (members == null) {
        files.add(p); // a file: opened (and its errors said) as it always was
        continue;
      }
      List<Input> captures = new ArrayList<>();
      for (Path m : members) {
        try {
          captures.add(new Input(m, firstPacketNanos(m)));
        } catch (CaptureFormatException e) {
          skipped.add(m + ": not a capture file");
        } catch (IOException e) {
          skipped.add(m + ": " + AnalyzeCommand.describe(e));
        }
      }
      if (captures.isEmpty()) {
        throw new UserError(
            ExitCodes.INPUT,
            p
                + (Files.isDirectory(p) ? ": a directory" : ": a glob")
                + " with no capture files in it");
      }
      sort(captures);
      for (Input i : captures) {
        files.add(i.path());
      }
    }
    return new Resolved(files, skipped);
  }

  /** The regular files a directory or glob stands for, by name; null for a plain file name. */
  private static List<Path> members(Path p) {
    String last = p.getFileName() == null ? "" : p.getFileName().toString();
    boolean glob =
        !Files.exists(p) && (last.contains("*") || last.contains("?") || last.contains("["));
    if (!glob && !Files.isDirectory(p)) {
      return null;
    }
    Path dir = glob ? (p.getParent() == null ? Path.of(".") : p.getParent()) : p;
    PathMatcher matcher = glob ? FileSystems.getDefault().getPathMatcher("glob:" + last) : null;
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path m : ds) {
        if (Files.isRegularFile(m) && (matcher == null || matcher.matches(m.getFileName()))) {
          out.add(m);
        }
      }
    } catch (IOException e) {
      throw new UserError(ExitCodes.INPUT, dir + ": " + AnalyzeCommand.describe(e));
    }
    if (glob && out.isEmpty()) {
      throw new UserError(ExitCodes.INPUT, p + ": no file matches");
    }
    out.sort(Comparator.comparing(m -> m.getFileName().toString()));
    return out;
  }

  /**
   * Opens and closes each file: an unreadable one is a one-line error (exit 3) before any output.
   */
  static void checkReadable(List<Path> files) {
    for (Path f : files) {
      try (PacketSource s = CaptureFiles.open(f, new Warnings())) {
        // readable
      } catch (IOException e) {
        String msg = AnalyzeCommand.describe(e);
        throw new UserError(ExitCodes.INPUT, msg.startsWith(f.toString()) ? msg : f + ": " + msg);
      }
    }
  }

  /**
   * The capture filter for {@code -f EXPR} (null without one): a bad expression is a usage error
   * with libpcap's message (exit 2), a missing libpcap an input error (exit 3).
   */
  static CaptureFilter filter(CommandSpec spec, String expr) {
    if (expr == null) {
      return null;
    }
    try {
      return CaptureFilter.of(expr);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "bad filter '" + expr + "': " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new UserError(ExitCodes.INPUT, e.getMessage());
    }
  }

  private static long firstPacketNanos(Path file) throws IOException {
    try (PacketSource s = CaptureFiles.open(file, new Warnings())) {
      return s.next() ? s.info().timestampNanos : Long.MAX_VALUE;
    }
  }
}
