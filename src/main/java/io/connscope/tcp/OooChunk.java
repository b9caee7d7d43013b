package io.connscope.tcp;

import java.nio.ByteBuffer;

/**
 * A copied out-of-order segment waiting for the hole before it to fill. Pooled by the table: the
 * byte array and its ByteBuffer view are reused.
 */
final class OooChunk {
  /** First sequence number of the data and the end of its wire length. */
  long seq, end;

  /** Bytes present (may be fewer than {@code end - seq} when snaplen cut the segment). */
  int capLen;

  long frame, ts;

  /** The segment's acknowledgment as an offset into the other direction's stream, -1 if none. */
  long ack;

  byte[] data;
  ByteBuffer view;

  OooChunk(int size) {
    data = new byte[size];
    view = ByteBuffer.wrap(data);
  }

  /** Pool of chunks, bounded so an out-of-order burst does not pin memory forever. */
  static final class Pool {
    private static final int MAX_FREE = 256;
    private static final int MIN_SIZE = 2048;
    private final OooChunk[] free = new OooChunk[MAX_FREE];
    private int n;

    OooChunk get(int size) {
      for (int i = n - 1; i >= 0; i--) {
        if (free[i].data.length >= size) {
          OooChunk c = free[i];
          free[i] = free[--n];
          free[n] = null;
          return c;
        }
      }
      return new OooChunk(Math.max(size, MIN_SIZE));
    }

    void put(OooChunk c) {
      if (n < MAX_FREE && c.data.length <= 65536) {
        free[n++] = c;
      }
    }
  }
}
