package io.connscope.capture;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the pcap and pcapng readers share: the input and its one reused buffer, the reused {@link
 * CaptureInfo}, the current frame's offset, and the end state.
 */
abstract class CaptureFileReader implements PacketSource {
  final CaptureInput in;
  final Warnings warnings;
  final CaptureInfo info = new CaptureInfo();

  /** Offset of the current frame in {@code in.buffer()}. */
  int frameOffset;

  /** Set at the end of the input (or after damage that stops the file). */
  boolean done;

  CaptureFileReader(CaptureInput in, Warnings warnings) {
    this.in = in;
    this.warnings = warnings;
  }

  /**
   * The original length to report for a frame: a captured length above the original length is
   * counted ({@code capture.bad_record_length}, detail on the first) and the frame delivered with
   * the captured length as its original length.
   */
  final long wireLength(long frame, long capLen, long wireLen) {
    if (capLen <= wireLen) {
      return wireLen;
    }
    if (warnings.get("capture.bad_record_length") == 0) {
      warnings.add(
          "capture.bad_record_length",
          frame,
          1,
          in.name()
              + ": frame "
              + frame
              + " has captured length "
              + capLen
              + " > original length "
              + wireLen);
    } else {
      warnings.count("capture.bad_record_length", frame);
    }
    return capLen;
  }

  /** The file ends inside a record or block ({@code capture.truncated_file}). */
  final void truncated(long frame, int have, int need, String what) {
    warnings.add(
        "capture.truncated_file",
        frame,
        1,
        in.name()
            + ": "
            + what
            + " at offset "
            + in.offset()
            + " cut after "
            + have
            + " of "
            + need
            + " bytes");
  }

  /** "pcap" or "pcapng". */
  abstract String baseFormat();

  /** The format name, with ".gz" for a gzip-compressed file. */
  final String format() {
    return in.compressed() ? baseFormat() + ".gz" : baseFormat();
  }

  @Override
  public final ByteBuffer buffer() {
    return in.buffer();
  }

  @Override
  public final int frameOffset() {
    return frameOffset;
  }

  @Override
  public final CaptureInfo info() {
    return info;
  }

  @Override
  public final String name() {
    return in.name();
  }

  @Override
  public final long bytesRead() {
    return in.bytesRead();
  }

  @Override
  public final void close() throws IOException {
    done = true;
    in.close();
  }
}
