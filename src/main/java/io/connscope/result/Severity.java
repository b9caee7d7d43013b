package io.connscope.result;

import java.util.Locale;

/**
 * How much a finding matters (docs/findings.md, "Severity and confidence"): {@link #ERROR} a
 * request failed or was damaged (lost, truncated, hung, smuggling risk); {@link #WARNING} time or
 * connections were wasted and a change would save them; {@link #INFO} worth knowing, nothing
 * necessarily to fix.
 */
public enum Severity {
  INFO,
  WARNING,
  ERROR;

  private final String id = name().toLowerCase(Locale.ROOT);

  /** The name reports show: {@code info}, {@code warning} or {@code error}. */
  public String id() {
    return id;
  }

  /** Sort rank, most severe first: error 0, warning 1, info 2. */
  public int rank() {
    return ERROR.ordinal() - ordinal();
  }

  /** The severity named {@code id}; IllegalArgumentException for any other name. */
  public static Severity of(String id) {
    for (Severity s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown severity: " + id);
  }

  @Override
  public String toString() {
    return id;
  }
}
