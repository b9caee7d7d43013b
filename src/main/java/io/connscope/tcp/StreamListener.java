package io.connscope.tcp;

import java.nio.ByteBuffer;

/**
 * Receives one TCP connection's reassembled byte streams, in order, per direction.
 *
 * <p>Direction {@code dir} is {@link StreamControl#CLIENT} (bytes the client sent) or {@link
 * StreamControl#SERVER} (bytes the server sent), relative to the roles current at the call.
 * In-order data is passed straight from the capture buffer without a copy: {@code buf} is valid
 * only during the call. Bytes that will never be seen (capture loss, snaplen truncation, a hole
 * that never filled) are announced by {@link #onGap} at their place in the stream.
 *
 * <p>Times are microseconds since the capture's first frame; frames are capture frame numbers.
 */
public interface StreamListener {
  /**
   * {@code len} in-order bytes at {@code buf[off, off+len)}, the last of them from {@code frame}.
   */
  void onData(int dir, ByteBuffer buf, int off, int len, long frame, long tsMicros);

  /** {@code len} bytes of the stream are missing at this point. */
  void onGap(int dir, long len, long frame, long tsMicros);

  /** The direction ended with a FIN, delivered after all its data. */
  void onFin(int dir, long frame, long tsMicros);

  /** The connection was reset by the side {@code dir}. */
  void onRst(int dir, long frame, long tsMicros);

  /** The connection is finished (closed, evicted or end of capture); no call follows. */
  void onClose(long tsMicros);
}
