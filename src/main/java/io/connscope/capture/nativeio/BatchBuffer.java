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
 * big-endian view of the same memory where the record's bytes start at {@link #frameOffset()}. Both
 * stay valid until the buffer is filled again. Walking records allocates nothing.
 *
 * <p>Two writers fill it, in the same layout: the native helper ({@link NativeBatch#dispatch}), or
 * Java through {@link #clear()} and {@link #append} (the per-packet reader). Both can add to a
 * batch over several reads.
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
    clear();
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

  /** Records in the batch. */
  public int count() {
    return memory.getInt(0);
  }

  /** Bytes the batch takes in its buffer, header and record headers included. */
  public int used() {
    return memory.getInt(4);
  }

  /** Empties the batch, for {@link #append} or a native read that starts a batch. */
  public void clear() {
    memory.putInt(0, 0);
    memory.putInt(4, BATCH_HEADER);
    memory.putInt(8, 0);
    memory.putInt(12, 0);
    remaining = 0;
  }

  /** True when a record of {@code length} more bytes still fits in the batch. */
  public boolean fits(int length) {
    return memory.getInt(4) + ((RECORD_HEADER + length + 7) & ~7) <= memory.capacity();
  }

  /**
   * Appends a record of the first {@code length} bytes of {@code frame}, as the native helper does
   * (the per-packet reader); false, with nothing written, when it does not {@link #fits fit}.
   */
  public boolean append(long timestampNanos, byte[] frame, int length, int wireLength) {
    if (!fits(length)) {
      return false;
    }
    int at = memory.getInt(4);
    memory.putLong(at, Math.floorDiv(timestampNanos, 1_000_000_000L));
    memory.putInt(at + 8, (int) Math.floorMod(timestampNanos, 1_000_000_000L));
    memory.putInt(at + 12, length);
    memory.putInt(at + 16, wireLength);
    memory.put(at + RECORD_HEADER, frame, 0, length);
    memory.putInt(4, at + ((RECORD_HEADER + length + 7) & ~7));
    memory.putInt(0, memory.getInt(0) + 1);
    return true;
  }

  /** Starts walking the batch last written; returns the number of records. */
  public int reset() {
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
