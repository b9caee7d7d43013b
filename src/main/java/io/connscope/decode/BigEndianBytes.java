package io.connscope.decode;

import java.nio.ByteBuffer;

/**
 * Big-endian reads at absolute indices of one buffer, from its array when it has one: the views
 * read every header field through here. Over a heap buffer (a capture file's) a field is a few
 * array loads; the buffer's own {@code getShort}/{@code getInt} go through several calls each
 * (bounds, memory session, byte order), which the JIT's first tier (C1) does not inline. An index
 * the buffer would refuse (negative, or past its limit) is read through the buffer, which throws as
 * before. Not thread-safe: one per view.
 */
final class BigEndianBytes {
  private ByteBuffer buf;
  private byte[] a;
  private int ao;
  private int lim;

  /** Reads {@code buf} (big-endian) from now on. */
  void use(ByteBuffer buf) {
    this.buf = buf;
    if (buf.hasArray()) {
      a = buf.array();
      ao = buf.arrayOffset();
    } else {
      a = null;
      ao = 0;
    }
    lim = buf.limit();
  }

  /** The byte at {@code i}, 0 to 255. */
  int u8(int i) {
    byte[] x = a;
    if (x != null && i >= 0 && i < lim) {
      return x[ao + i] & 0xFF;
    }
    return buf.get(i) & 0xFF;
  }

  /** The unsigned 16 bits at {@code i}. */
  int u16(int i) {
    byte[] x = a;
    if (x != null && i >= 0 && i < lim - 1) {
      int j = ao + i;
      return (x[j] & 0xFF) << 8 | x[j + 1] & 0xFF;
    }
    return buf.getShort(i) & 0xFFFF;
  }

  /** The 32 bits at {@code i}, as a (signed) int. */
  int s32(int i) {
    byte[] x = a;
    if (x != null && i >= 0 && i < lim - 3) {
      int j = ao + i;
      return x[j] << 24 | (x[j + 1] & 0xFF) << 16 | (x[j + 2] & 0xFF) << 8 | x[j + 3] & 0xFF;
    }
    return buf.getInt(i);
  }

  /** The 64 bits at {@code i}, as a (signed) long. */
  long s64(int i) {
    return (long) s32(i) << 32 | s32(i + 4) & 0xFFFFFFFFL;
  }
}
