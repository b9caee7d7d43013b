package io.connscope.capture;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A source of captured frames: a capture file today, a live interface later. Both feed the same
 * pipeline through this one interface.
 *
 * <p>Pull model, zero copy: {@link #next()} advances to the next frame and returns false at the
 * end. After a true return, the frame occupies {@code buffer()} from {@link #frameOffset()} for
 * {@code info().capturedLength} bytes, and {@link #info()} describes it. The buffer and the info
 * are owned by the source and overwritten by the next call: they are valid only until then.
 *
 * <p>Damage in the input (a truncated last record, a corrupt block) is not an exception: the source
 * records a warning in the {@link Warnings} it was given, yields every frame it could read, and
 * then ends. Only an unreadable file (I/O error, not a capture at all) throws.
 */
public interface PacketSource extends AutoCloseable {
  /** Advances to the next frame; false at the end of the input. */
  boolean next() throws IOException;

  /** Heap buffer holding the current frame (big-endian order; absolute reads only). */
  ByteBuffer buffer();

  /** Offset of the current frame's first byte in {@link #buffer()}. */
  int frameOffset();

  /** Metadata of the current frame. */
  CaptureInfo info();

  /** Human name of the input (file path or interface name), for messages. */
  String name();

  /** Bytes read from the input so far (compressed bytes for gzip files), for progress. */
  long bytesRead();

  @Override
  void close() throws IOException;
}
