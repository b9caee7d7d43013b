package io.connscope.detect.facts;

import io.connscope.result.Severity;
import java.util.Locale;

/**
 * The one severity rule every detector follows (docs/findings.md, "Severity: from what it cost"):
 *
 * <ul>
 *   <li>{@link Severity#ERROR}: a user saw a hang or a failure (a request lost, refused, cut short
 *       or answered with the wrong body; a connection that could not be opened);
 *   <li>{@link Severity#WARNING}: it cost at least the finding's threshold, measured in this
 *       capture;
 *   <li>{@link Severity#INFO}: the pattern is there but cheap here (below the threshold, or no time
 *       measured at all: a performance finding with 0 ms cost is info).
 * </ul>
 *
 * A protocol error (broken framing, hop-by-hop headers forwarded) has the severity of what it broke
 * ({@link #broke}), and its summary says what that was. Findings about the capture rather than the
 * traffic (capture.*) cost the analysis, not the user: data the capture lost is the threshold there
 * (capture.loss), a property of the capture is info. Connection setup without reuse is judged at a
 * named round trip too ({@link #atRoundTrip}): on loopback it costs microseconds, on a real network
 * a round trip per connection.
 */
public final class SeverityRule {
  private SeverityRule() {}

  /** A user saw a hang or a failure. */
  public static Severity failed() {
    return Severity.ERROR;
  }

  /** Warning when {@code costUs} is more than nothing and at least {@code warnUs}, else info. */
  public static Severity cost(long costUs, long warnUs) {
    return costUs > 0 && costUs >= warnUs ? Severity.WARNING : Severity.INFO;
  }

  /**
   * A protocol error: error when what it broke is a failure the user saw ({@code failed}), else the
   * cost rule on the time it cost.
   */
  public static Severity broke(boolean failed, long costUs, long warnUs) {
    return failed ? failed() : cost(costUs, warnUs);
  }

  /**
   * What {@code roundTrips} round trips would cost at {@code rttUs} each, as a clause: "at 50 ms
   * per round trip these 7 setups would cost 350 ms" ({@code what}: the singular noun, "setup").
   */
  public static String atRoundTrip(long roundTrips, String what, long rttUs) {
    return "at "
        + millis(rttUs)
        + " per round trip "
        + (roundTrips == 1 ? "this " + what : "these " + roundTrips + " " + what + "s")
        + " would cost "
        + millis(roundTrips * rttUs);
  }

  /** {@code micros} in ms or s, as the projections show them ("350 ms", "10 s", "1.25 s"). */
  static String millis(long micros) {
    if (micros >= 1_000_000) {
      double s = micros / 1e6;
      return (s == Math.rint(s)
              ? String.format(Locale.ROOT, "%.0f", s)
              : String.format(Locale.ROOT, "%.2f", s))
          + " s";
    }
    double ms = micros / 1e3;
    return (ms == Math.rint(ms)
            ? String.format(Locale.ROOT, "%.0f", ms)
            : String.format(Locale.ROOT, "%.1f", ms))
        + " ms";
  }
}
