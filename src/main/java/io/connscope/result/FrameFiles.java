package io.connscope.result;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a frame of the report is in the input files. Frames are numbered across the inputs, in the
 * order they were read ({@link CaptureSummary.FileSummary#firstFrame}); a reader who has the files
 * needs the file and that file's own frame number (what Wireshark shows when it opens that one
 * file). With one input file the report's number is that number, and every method here says nothing
 * more ({@link #multi()} is false): single-file reports read as they always have.
 *
 * <p>A file is named by its last path component ({@code rot-02.pcap}), or by its name as given when
 * two inputs share that component. Names are as the user gave them: writers escape them.
 */
public final class FrameFiles {
  private final long[] first;
  private final long[] count;
  private final String[] label;

  /** A frame's place: the index of its file in {@code capture.files} and its number there. */
  public record Location(int file, long frame) {}

  FrameFiles(List<CaptureSummary.FileSummary> files) {
    int n = files.size();
    first = new long[n];
    count = new long[n];
    label = new String[n];
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      CaptureSummary.FileSummary f = files.get(i);
      first[i] = f.firstFrame();
      count[i] = f.packets();
      label[i] = lastComponent(f.name());
      seen.merge(label[i], 1, Integer::sum);
    }
    for (int i = 0; i < n; i++) {
      if (seen.get(label[i]) > 1) {
        label[i] = files.get(i).name();
      }
    }
  }

  private static String lastComponent(String name) {
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    return slash >= 0 && slash < name.length() - 1 ? name.substring(slash + 1) : name;
  }

  /** True when the report has more than one input file: only then do frames need a file. */
  public boolean multi() {
    return first.length > 1;
  }

  /** The file {@code frame} was read from and its number there; null when none holds it. */
  public Location locate(long frame) {
    int lo = 0;
    int hi = first.length - 1;
    int at = -1;
    while (lo <= hi) { // the last file whose first frame is at or before this one
      int mid = (lo + hi) >>> 1;
      if (first[mid] <= frame) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (at < 0 || frame < 1 || frame - first[at] >= count[at]) {
      return null;
    }
    return new Location(at, frame - first[at] + 1);
  }

  /** The name a file is cited by. */
  public String label(int file) {
    return label[file];
  }

  /**
   * {@code "rot-02.pcap #1207"} for a frame of a multi-file report; null with one input file or for
   * a frame no file holds (0 for "no frame", say).
   */
  public String where(long frame) {
    Location l = multi() ? locate(frame) : null;
    return l == null ? null : label[l.file()] + " #" + l.frame();
  }

  /** {@code "18342 (rot-02.pcap #1207)"}, or just {@code "18342"} when {@link #where} is null. */
  public String cite(long frame) {
    String w = where(frame);
    return w == null ? Long.toString(frame) : frame + " (" + w + ")";
  }

  /**
   * Where frames {@code from} to {@code to} are: {@code "rot-02.pcap #1207-1215"} in one file,
   * {@code "rot-02.pcap #1207 to rot-03.pcap #4"} across two; null when {@link #where} is null for
   * either end.
   */
  public String whereRange(long from, long to) {
    Location a = multi() ? locate(from) : null;
    Location b = multi() ? locate(to) : null;
    if (a == null || b == null) {
      return null;
    }
    if (a.file() == b.file()) {
      return label[a.file()] + " #" + a.frame() + (from == to ? "" : "-" + b.frame());
    }
    return label[a.file()] + " #" + a.frame() + " to " + label[b.file()] + " #" + b.frame();
  }

  /** {@code "A-B (where)"}, or {@code "A-B"} when {@link #whereRange} is null. */
  public String citeRange(long from, long to) {
    String w = whereRange(from, to);
    return from + "-" + to + (w == null ? "" : " (" + w + ")");
  }

  /** A display filter that shows some evidence frames in one input file, by its own numbers. */
  public record FileFilter(String file, String filter) {}

  /**
   * The evidence {@code frames} as Wireshark display filters, one per file holding some of them, in
   * that file's own numbers ({@code frame.number in {1207 1208}}): a report's display filter names
   * the report's numbers, which are a file's only in the first file. Empty with one input file,
   * without frames, or when a frame is in no file.
   */
  public List<FileFilter> filters(List<Long> frames) {
    if (!multi() || frames.isEmpty()) {
      return List.of();
    }
    java.util.TreeMap<Integer, StringBuilder> byFile = new java.util.TreeMap<>();
    for (long n : frames) {
      Location l = locate(n);
      if (l == null) {
        return List.of();
      }
      StringBuilder b = byFile.computeIfAbsent(l.file(), k -> new StringBuilder());
      b.append(b.length() == 0 ? "" : " ").append(l.frame());
    }
    List<FileFilter> out = new java.util.ArrayList<>();
    for (Map.Entry<Integer, StringBuilder> e : byFile.entrySet()) {
      out.add(new FileFilter(label[e.getKey()], "frame.number in {" + e.getValue() + "}"));
    }
    return out;
  }

  /** Frames as {@code "10, 11, 12"}, each cited; {@code empty} when there are none. */
  public String citeAll(List<Long> frames, String empty) {
    StringBuilder b = new StringBuilder();
    for (long n : frames) {
      b.append(b.length() == 0 ? "" : ", ").append(cite(n));
    }
    return b.length() == 0 ? empty : b.toString();
  }
}
