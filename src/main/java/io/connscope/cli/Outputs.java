package io.connscope.cli;

import io.connscope.report.ReportFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * Report outputs shared by the commands: formats from -o extensions, the checks that keep a user's
 * files safe, and files written whole or not at all.
 *
 * <p>A user's files are never destroyed or truncated: an output that is one of the inputs (the same
 * file by device and inode, so through symbolic and hard links too) or that is given twice is
 * refused before anything is read ({@link #check}); each output is written to a temporary file in
 * its own directory and renamed into place only when the whole run succeeded ({@link
 * AtomicFiles#commit}: the previous file moved aside, then removed), so a failure (a full disk, an
 * error in the analysis, Ctrl-C before the end) leaves the previous file as it was and removes the
 * temporary one. Outputs that are not regular files (a terminal, {@code /dev/null}, a named pipe)
 * are written directly: they cannot be renamed over and hold nothing to lose.
 */
final class Outputs {
  private Outputs() {}

  /**
   * The format of each output (one entry for standard output when there is none). A single output
   * takes {@code --format} when given (so {@code -o out.txt --format json} writes JSON), else its
   * extension, else text; several outputs take their extension, else {@code --format}; an output
   * with neither is a usage error.
   */
  static List<ReportFormat> formats(
      CommandLine.Model.CommandSpec spec, List<Path> outputs, ReportFormat given) {
    List<ReportFormat> out = new ArrayList<>();
    if (outputs.isEmpty()) {
      out.add(given == null ? ReportFormat.TEXT : given);
      return out;
    }
    for (Path p : outputs) {
      ReportFormat ext =
          ReportFormat.ofFileName(p.getFileName() == null ? "" : p.getFileName().toString());
      ReportFormat f =
          outputs.size() == 1
              ? (given != null ? given : ext != null ? ext : ReportFormat.TEXT)
              : (ext != null ? ext : given);
      if (f == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "cannot tell the format of "
                + p
                + " from its extension (.txt .json .md .html .har): add --format");
      }
      out.add(f);
    }
    return out;
  }

  /**
   * Refuses (exit 2, one line saying what to do instead) an output that is one of {@code inputs}
   * (same device and inode: the same file under another name, through a symbolic or a hard link) or
   * the same file as an earlier output. Outputs that do not exist yet are compared by their
   * directory (resolved through links) and name.
   */
  static void check(List<Path> inputs, List<Path> outputs) {
    List<Object> seen = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      Path out = outputs.get(i);
      Object key = identity(out);
      for (Path in : inputs) {
        Object inKey = identity(in);
        if (inKey != null && inKey.equals(key)) {
          throw new UserError(
              ExitCodes.USAGE,
              "the output "
                  + out
                  + " is the input "
                  + in
                  + (out.equals(in) ? "" : " (the same file by device and inode)")
                  + ": writing the report there would destroy it; give -o a new file name");
        }
      }
      int earlier = seen.indexOf(key);
      if (key != null && earlier >= 0) {
        Path first = outputs.get(earlier);
        throw new UserError(
            ExitCodes.USAGE,
            "the output "
                + out
                + " is given twice"
                + (out.equals(first) ? "" : " (as " + first + " too)")
                + ": give each -o once, one file name per report (e.g. report.json, report.html)");
      }
      seen.add(key);
    }
  }

  /**
   * What makes two paths the same file: device and inode ({@link BasicFileAttributes#fileKey}) when
   * it exists, else its directory's real path and its name; null when neither can be known.
   */
  private static Object identity(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      Object key = a.fileKey();
      return key != null ? key : p.toRealPath();
    } catch (IOException e) {
      // does not exist (or cannot be read): the file it would be
    }
    Path abs = p.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    try {
      if (dir != null) {
        return dir.toRealPath().resolve(abs.getFileName()).toString();
      }
    } catch (IOException e) {
      // the directory is missing: writing will fail with its own message
    }
    return abs.toString();
  }

  /** Standard output, buffered; closing it only flushes. */
  static OutputStream stdout(OutputStream stdout) {
    return new BufferedOutputStream(stdout, 1 << 16) {
      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /**
   * Files written through temporary files beside them: {@link #open} creates the temporary file,
   * {@link #commit} renames every one into place, {@link #close} removes those not committed.
   */
  static final class AtomicFiles implements AutoCloseable {
    private static final AtomicLong COUNTER = new AtomicLong();
    private final List<Target> targets = new ArrayList<>();

    private static final class Target {
      final Path shown;
      final Path dest;
      final Path temp;
      final OutputStream out;
      final boolean existed;
      boolean done;

      /** The previous file, under a hidden name while this one is renamed into place. */
      Path aside;

      Target(Path shown, Path dest, Path temp, OutputStream out) {
        this.shown = shown;
        this.dest = dest;
        this.temp = temp;
        this.out = out;
        this.existed = Files.exists(dest);
      }
    }

    /**
     * Opens {@code p} for writing: a new temporary file in its directory (the previous file, if
     * any, untouched until {@link #commit}), or {@code p} itself when it exists and is not a
     * regular file.
     */
    OutputStream open(Path p) {
      try {
        if (Files.exists(p) && !Files.isRegularFile(p)) {
          if (Files.isDirectory(p)) {
            throw new UserError(ExitCodes.USAGE, p + " is a directory: give -o a file name in it");
          }
          OutputStream o = new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
          targets.add(new Target(p, p, null, o));
          return o;
        }
        // through a symbolic link the file it points to is replaced, not the link
        Path dest = Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize();
        Path temp = null;
        OutputStream raw = null;
        for (int attempt = 0; raw == null && attempt < 100; attempt++) {
          temp = hidden(dest, ".tmp");
          try {
            raw =
                Files.newOutputStream(
                    temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          } catch (FileAlreadyExistsException e) {
            raw = null;
          }
        }
        if (raw == null) {
          throw new IOException("cannot create a temporary file in " + dest.getParent());
        }
        OutputStream o = new BufferedOutputStream(raw, 1 << 16);
        targets.add(new Target(p, dest, temp, o));
        return o;
      } catch (IOException e) {
        close();
        throw new UserError(
            ExitCodes.OUTPUT, "cannot write " + p + ": " + AnalyzeCommand.describe(e));
      }
    }

    /** A report replacing a file keeps that file's permissions. */
    private static void keepPermissions(Path dest, Path temp) {
      try {
        if (Files.exists(dest)) {
          PosixFileAttributes a = Files.readAttributes(dest, PosixFileAttributes.class);
          Files.getFileAttributeView(temp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .setPermissions(a.permissions());
        }
      } catch (IOException | UnsupportedOperationException e) {
        // not a POSIX file system: the default permissions
      }
    }

    /**
     * The temporary file that {@code out} (a stream {@link #open} returned) writes to from its
     * first byte, null when it writes to something else (a device, a pipe).
     */
    Path file(OutputStream out) {
      for (Target t : targets) {
        if (t.out == out) {
          return t.temp;
        }
      }
      return null;
    }

    /**
     * Flushes and closes every output, then renames each temporary file to its target (the previous
     * file moved aside first, {@link #moveAside}, and removed once all are in place). Throws a
     * UserError (exit 4) naming the file when one cannot be completed, its previous file put back;
     * the temporary files not renamed yet are removed by {@link #close}.
     */
    void commit() {
      for (Target t : targets) {
        try {
          t.out.close();
        } catch (IOException e) {
          throw failed(t, e);
        }
      }
      try {
        for (Target t : targets) {
          if (t.temp == null) {
            t.done = true;
            continue;
          }
          try {
            // the target's permissions only now: until the rename this run reads its temporary
            // file back (the JSON report the other formats are rendered from), whatever the
            // target's mode
            keepPermissions(t.dest, t.temp);
            t.aside = moveAside(t.dest);
            Files.move(
                t.temp,
                t.dest,
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            t.done = true;
          } catch (IOException e) {
            putBack(t, e);
            throw failed(t, e);
          }
        }
      } finally {
        removePrevious();
      }
    }

    /**
     * Removes the previous files of the targets renamed into place, at once: freeing a large file's
     * pages takes the kernel a tenth of a second per 500 MB here, so the first is removed on this
     * thread and the others side by side on threads of their own.
     */
    private void removePrevious() {
      List<Path> previous = new ArrayList<>();
      for (Target t : targets) {
        if (t.done && t.aside != null) {
          previous.add(t.aside);
          t.aside = null;
        }
      }
      List<Thread> removals = new ArrayList<>();
      for (int i = 1; i < previous.size(); i++) { // all but the first on threads of their own
        Path p = previous.get(i);
        Thread r = new Thread(() -> remove(p), "connscope-remove");
        r.start();
        removals.add(r);
      }
      if (!previous.isEmpty()) {
        remove(previous.get(0));
      }
      boolean interrupted = false;
      for (Thread r : removals) {
        while (r.isAlive()) {
          try {
            r.join();
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    private static void remove(Path p) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // nothing more to do: the name starts with a dot and says connscope
      }
    }

    /** Puts back the previous file of a target not renamed into place, when it was moved aside. */
    private static void putBack(Target t, IOException cause) {
      if (t.aside != null) {
        try {
          Files.move(t.aside, t.dest, StandardCopyOption.ATOMIC_MOVE);
          t.aside = null;
        } catch (IOException e) {
          if (cause != null) {
            cause.addSuppressed(e);
          }
        }
      }
    }

    /**
     * Moves the file at {@code dest} to a hidden name beside it and returns that name, or returns
     * null when there is none. The new file is then renamed to a free name instead of over the
     * previous file: ext4 (auto_da_alloc, on by default) allocates and starts writing out the
     * blocks of a file renamed over another before the rename returns, 0.35 s for a 460 MB report
     * here, where a rename to a free name takes a millisecond and the kernel writes the data out
     * later, as for any file written (docs/performance.md). The cost: for that millisecond the name
     * is missing.
     */
    private static Path moveAside(Path dest) throws IOException {
      if (!Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      Path aside = hidden(dest, ".old");
      Files.move(dest, aside, StandardCopyOption.ATOMIC_MOVE);
      return aside;
    }

    /** A new hidden name beside {@code dest}, naming connscope and this process. */
    private static Path hidden(Path dest, String suffix) {
      String name = dest.getFileName().toString();
      return dest.resolveSibling(
          "."
              + (name.length() > 100 ? name.substring(0, 100) : name)
              + ".connscope-"
              + ProcessHandle.current().pid()
              + "-"
              + COUNTER.incrementAndGet()
              + suffix);
    }

    /** The one-line error for a report that could not be written, naming what was kept. */
    UserError failed(Throwable e) {
      return new UserError(
          ExitCodes.OUTPUT,
          "cannot write the report"
              + where()
              + ": "
              + AnalyzeCommand.describe(e)
              + kept()
              + hint(e));
    }

    private UserError failed(Target t, IOException e) {
      return new UserError(
          ExitCodes.OUTPUT,
          "cannot write " + t.shown + ": " + AnalyzeCommand.describe(e) + kept() + hint(e));
    }

    private String where() {
      List<String> names = new ArrayList<>();
      for (Target t : targets) {
        names.add(t.shown.toString());
      }
      return names.isEmpty() ? "" : " to " + String.join(", ", names);
    }

    /** What a failed run left: the previous files unchanged, nothing new. */
    private String kept() {
      List<String> names = new ArrayList<>();
      boolean pending = false;
      for (Target t : targets) {
        if (t.temp != null && !t.done) {
          pending = true;
          if (t.existed) {
            names.add(t.shown.toString());
          }
        }
      }
      return !pending
          ? ""
          : names.isEmpty()
              ? " (no file was written)"
              : " ("
                  + String.join(", ", names)
                  + (names.size() == 1 ? " is" : " are")
                  + " left as before)";
    }

    private static String hint(Throwable e) {
      String m = String.valueOf(e.getMessage());
      return m.contains("No space left") || m.contains("Disk quota")
          ? "; free some space, or write the report elsewhere with -o"
          : "";
    }

    /** Closes every output and removes the temporary files that were not renamed into place. */
    @Override
    public void close() {
      for (Target t : targets) {
        try {
          t.out.close();
        } catch (IOException e) {
          // reported by commit when it mattered
        }
        if (t.temp != null && !t.done) {
          putBack(t, null);
          remove(t.temp);
        }
      }
    }
  }
}
