package io.connscope.capture.nativeio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The direct buffer the native helper packs a batch into, and the cursor that walks its records.
 *
 * <pre>
 *   [0] int32 count  [4] int32 used  [8] int32 skipped  [12] reserved      (host byte order)
 *   [16] records, 8-byte aligned: int64 ts_sec, int32 ts_nsec, int32 caplen, int32 len, bytes
 * </pre>
 *
 * <p>{@link #next()} moves to the next record of the current batch; {@link #frames()} is a
 * big-endian view of the same memory where the record's bytes start at {@link #frameOffset()}.
 * Both stay valid until the next {@link NativeBatch#dispatch}. Walking records allocates nothing.
 */
public final class BatchBuffer {
  static final int BATCH_HEADER = 16;
  static final int RECORD_HEADER = 20;

  private final ByteBuffer memory;
  /** Native address of {@link #memory}, looked up on first use. */
  long address;
  private final ByteBuffer frames;
  private int remaining;
  private int pos;
  private long tsNanos;
  private int capturedLength;
  private int wireLength;
  private int frameOffset;

  /** A buffer of {@code capacity} bytes outside the Java heap. */
  public BatchBuffer(int capacity) {
    memory = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    frames = memory.duplicate().order(ByteOrder.BIG_ENDIAN);
  }

  /** The whole buffer (host byte order), as handed to native code. */
  ByteBuffer memory() {
    return memory;
  }

  long address(jnr.ffi.Runtime runtime) {
    if (address == 0) {
      address = NativeBatch.addressOf(runtime, memory);
    }
    return address;
  }

  int capacity() {
    return memory.capacity();
  }

  /** Starts walking the batch the helper just wrote; returns the number of records. */
  int reset() {
    remaining = memory.getInt(0);
    pos = BATCH_HEADER;
    return remaining;
  }

  /** Records the helper could not fit (it closes a batch before this can happen: expected 0). */
  public int skipped() {
    return memory.getInt(8);
  }

  /** Advances to the next record of the batch; false when the batch is used up. */
  public boolean next() {
    if (remaining <= 0) {
      return false;
    }
    remaining--;
    long sec = memory.getLong(pos);
    int nsec = memory.getInt(pos + 8);
    capturedLength = memory.getInt(pos + 12);
    wireLength = memory.getInt(pos + 16);
    tsNanos = sec * 1_000_000_000L + nsec;
    frameOffset = pos + RECORD_HEADER;
    pos += (RECORD_HEADER + capturedLength + 7) & ~7;
    return true;
  }

  /** Records left in the current batch after this one. */
  public int remaining() {
    return remaining;
  }

  /** Big-endian view over the buffer: the current frame is at {@link #frameOffset()}. */
  public ByteBuffer frames() {
    return frames;
  }

  public int frameOffset() {
    return frameOffset;
  }

  public long timestampNanos() {
    return tsNanos;
  }

  public int capturedLength() {
    return capturedLength;
  }

  public int wireLength() {
    return wireLength;
  }
}
