package io.connscope.capture;

import java.io.IOException;

/** The input is not a capture this reader understands; the message is one line for the user. */
public final class CaptureFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public CaptureFormatException(String message) {
    super(message);
  }
}
