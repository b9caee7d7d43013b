package io.connscope.common;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named anomaly counters (Zeek's "weirds"): problems in the input are counted here, never thrown.
 *
 * <p>Codes are stable dotted ids such as {@code capture.truncated_file} or {@code
 * decode.snaplen_truncated}. Each code keeps a count, the first frame it was seen in and a one-line
 * detail of its first occurrence. Counting an existing code allocates nothing. Iteration order is
 * by code, so reports stay deterministic.
 */
public final class Warnings {
  /** One counter. */
  public static final class Entry {
    private long count;
    private long firstFrame;
    private String detail;

    /** Where in the analysis the first occurrence and the detail were counted ({@link #at}). */
    private long firstAt, detailAt;

    public long count() {
      return count;
    }

    public long firstFrame() {
      return firstFrame;
    }

    /** One-line description of the first occurrence (may be null). */
    public String detail() {
      return detail;
    }
  }

  private final TreeMap<String, Entry> entries = new TreeMap<>();

  /** See {@link #at}. */
  private long position;

  /**
   * Where the analysis is now, in any increasing measure (a frame's position): counters that
   * several parts of one analysis keep apart, each in its own {@code Warnings}, are then put
   * together by {@link #merge} as if one had counted everything in order.
   */
  public void at(long position) {
    this.position = position;
  }

  /** Counts one occurrence of {@code code} at {@code frame} (0 when not tied to a frame). */
  public void count(String code, long frame) {
    add(code, frame, 1, null);
  }

  /** Counts {@code n} occurrences, keeping {@code detail} if this is the first one. */
  public void add(String code, long frame, long n, String detail) {
    Entry e = entries.get(code);
    if (e == null) {
      e = new Entry();
      e.firstFrame = frame;
      e.detail = detail;
      e.firstAt = position;
      e.detailAt = position;
      entries.put(code, e);
    } else if (e.detail == null && detail != null) {
      e.detail = detail;
      e.detailAt = position;
    }
    e.count += n;
  }

  /** Adds every counter of {@code other} into this one. */
  public void addAll(Warnings other) {
    for (Map.Entry<String, Entry> e : other.entries.entrySet()) {
      add(e.getKey(), e.getValue().firstFrame, e.getValue().count, e.getValue().detail);
    }
  }

  /**
   * The counters of {@code parts}, counted apart over one analysis (each with {@link #at} kept
   * current), as one {@code Warnings} counting in position order would have them: counts added, the
   * first frame of the earliest first occurrence, the earliest detail. At one position the earlier
   * part in the list counted first.
   */
  public static Warnings merge(List<Warnings> parts) {
    Warnings m = new Warnings();
    for (Warnings w : parts) {
      for (Map.Entry<String, Entry> x : w.entries.entrySet()) {
        Entry from = x.getValue();
        Entry e = m.entries.get(x.getKey());
        if (e == null) {
          e = new Entry();
          e.firstFrame = from.firstFrame;
          e.firstAt = from.firstAt;
          e.detail = from.detail;
          e.detailAt = from.detailAt;
          m.entries.put(x.getKey(), e);
        } else {
          if (from.firstAt < e.firstAt) {
            e.firstFrame = from.firstFrame;
            e.firstAt = from.firstAt;
          }
          if (from.detail != null && (e.detail == null || from.detailAt < e.detailAt)) {
            e.detail = from.detail;
            e.detailAt = from.detailAt;
          }
        }
        e.count += from.count;
      }
    }
    return m;
  }

  /** Count for {@code code}, 0 when never seen. */
  public long get(String code) {
    Entry e = entries.get(code);
    return e == null ? 0 : e.count;
  }

  /** All counters ordered by code. */
  public Map<String, Entry> entries() {
    return Collections.unmodifiableMap(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }
}
