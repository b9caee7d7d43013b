package io.connscope.cli;

/** Process exit codes, documented in README.md and in {@code --help}. */
public final class ExitCodes {
  private ExitCodes() {}

  /** Success (warnings about damaged input do not change it). */
  public static final int OK = 0;

  /** Bad command line. */
  public static final int USAGE = 2;

  /** An input could not be read or is not a capture. */
  public static final int INPUT = 3;

  /** The report could not be written. */
  public static final int OUTPUT = 4;

  /** {@code diff --fail-on-regression}: AFTER regressed past the thresholds. */
  public static final int REGRESSION = 5;

  /** A bug in connscope: please report it with the capture. */
  public static final int INTERNAL = 70;
}
