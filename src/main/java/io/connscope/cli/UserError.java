package io.connscope.cli;

/** An error the user can fix; its message is printed as one line, with its exit code. */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  UserError(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
