package io.connscope.result;

import java.util.Locale;

/**
 * How sure a finding is (docs/findings.md, "Severity and confidence"): {@link #CONFIRMED} every
 * condition of the rule was seen in the packets; {@link #SUSPECTED} the rule matched but a
 * condition could not be checked from this capture (no handshake to measure the round trip, a gap,
 * a vantage point that hides one side), so the finding is a lead, not a proof.
 */
public enum Confidence {
  CONFIRMED,
  SUSPECTED;

  private final String id = name().toLowerCase(Locale.ROOT);

  /** The name reports show: {@code confirmed} or {@code suspected}. */
  public String id() {
    return id;
  }

  /** The confidence named {@code id}; IllegalArgumentException for any other name. */
  public static Confidence of(String id) {
    for (Confidence c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown confidence: " + id);
  }

  @Override
  public String toString() {
    return id;
  }
}
