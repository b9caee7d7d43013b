package io.connscope.capture;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What the pcap and pcapng readers share: the input and its one reused buffer, the reused
 * {@link CaptureInfo}, the current frame's offset, and the end state.
 */
abstract class CaptureFileReader implements PacketSource {
  final CaptureInput in;
  final CaptureInfo info = new CaptureInfo();
  /** Offset of the current frame in {@code in.buffer()}. */
  int frameOffset;
  /** Set at the end of the input (or after damage that stops the file). */
  boolean done;

  CaptureFileReader(CaptureInput in) {
    this.in = in;
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
