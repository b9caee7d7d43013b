package io.connscope.common;

import java.util.Collections;
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
      entries.put(code, e);
    } else if (e.detail == null && detail != null) {
      e.detail = detail;
    }
    e.count += n;
  }

  /** Adds every counter of {@code other} into this one. */
  public void addAll(Warnings other) {
    for (Map.Entry<String, Entry> e : other.entries.entrySet()) {
      add(e.getKey(), e.getValue().firstFrame, e.getValue().count, e.getValue().detail);
    }
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
