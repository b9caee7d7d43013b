package io.connscope.capture.live;

/**
 * Live capture cannot start or go on. The message is one line for the user: what is missing and
 * how to fix it (the package to install, the capability to grant, the interface names to use).
 */
public final class LiveCaptureException extends Exception {
  private static final long serialVersionUID = 1L;

  public LiveCaptureException(String message) {
    super(message);
  }
}
