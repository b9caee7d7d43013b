package io.connscope.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The views' reads give what the buffer's own big-endian getters give, at every index, over a heap
 * buffer, a slice of one (an array offset), a direct and a read-only buffer; an index the buffer
 * refuses still throws.
 */
class BigEndianBytesTest {
  @Test
  void readsWhatTheBufferReads() {
    byte[] data = new byte[300];
    new Random(5).nextBytes(data);
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).clear();
    ByteBuffer slice = ByteBuffer.wrap(data).position(17).slice().limit(200);
    for (ByteBuffer b :
        List.of(ByteBuffer.wrap(data), slice, direct, ByteBuffer.wrap(data).asReadOnlyBuffer())) {
      BigEndianBytes r = new BigEndianBytes();
      r.use(b);
      for (int i = 0; i < b.limit(); i++) {
        assertEquals(b.get(i) & 0xFF, r.u8(i));
        if (i + 2 <= b.limit()) {
          assertEquals(b.getShort(i) & 0xFFFF, r.u16(i));
        }
        if (i + 4 <= b.limit()) {
          assertEquals(b.getInt(i), r.s32(i));
        }
        if (i + 8 <= b.limit()) {
          assertEquals(b.getLong(i), r.s64(i));
        }
      }
      int lim = b.limit();
      assertThrows(IndexOutOfBoundsException.class, () -> r.u8(lim));
      assertThrows(IndexOutOfBoundsException.class, () -> r.u16(lim - 1));
      assertThrows(IndexOutOfBoundsException.class, () -> r.s32(lim - 3));
      assertThrows(IndexOutOfBoundsException.class, () -> r.u8(-1));
    }
  }
}
