package io.connscope.capture.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The record layout shared with native/connscope_pcap.c, walked without the native side. */
class BatchBufferTest {
  /** Writes one record as the C helper does; returns the next record's position. */
  static int put(ByteBuffer m, int pos, long sec, int nsec, byte[] frame, int wire) {
    m.putLong(pos, sec);
    m.putInt(pos + 8, nsec);
    m.putInt(pos + 12, frame.length);
    m.putInt(pos + 16, wire);
    m.put(pos + BatchBuffer.RECORD_HEADER, frame);
    return pos + ((BatchBuffer.RECORD_HEADER + frame.length + 7) & ~7);
  }

  @Test
  void walksAlignedRecordsInHostOrderWithBigEndianFrames() {
    BatchBuffer b = new BatchBuffer(1024);
    ByteBuffer m = b.memory();
    int pos = BatchBuffer.BATCH_HEADER;
    pos = put(m, pos, 1_700_000_000L, 123_456_789, new byte[] {0x12, 0x34, 0x56}, 60);
    pos =
        put(
            m,
            pos,
            1_700_000_001L,
            5,
            new byte[] {(byte) 0xAB, (byte) 0xCD, 1, 2, 3, 4, 5, 6, 7},
            9);
    m.putInt(0, 2);
    m.putInt(4, pos);
    assertEquals(2, b.reset());

    assertTrue(b.next());
    assertEquals(1_700_000_000_123_456_789L, b.timestampNanos());
    assertEquals(3, b.capturedLength());
    assertEquals(60, b.wireLength());
    assertEquals(0x1234, b.frames().getShort(b.frameOffset()), "frames view is big-endian");
    assertEquals(1, b.remaining());

    assertTrue(b.next());
    assertEquals(
        0, (b.frameOffset() - BatchBuffer.RECORD_HEADER) % 8, "records are 8-byte aligned");
    assertEquals(1_700_000_001_000_000_005L, b.timestampNanos());
    assertEquals(9, b.capturedLength());
    assertEquals((short) 0xABCD, b.frames().getShort(b.frameOffset()));
    assertFalse(b.next());
  }

  @Test
  void emptyBatch() {
    BatchBuffer b = new BatchBuffer(64);
    b.memory().putInt(0, 0);
    assertEquals(0, b.reset());
    assertFalse(b.next());
  }

  @Test
  void appendedRecordsReadBackAsTheHelperWritesThem() {
    BatchBuffer b = new BatchBuffer(BatchBuffer.BATCH_HEADER + 2 * 32);
    byte[] frame = {(byte) 0xCA, (byte) 0xFE, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    assertTrue(b.fits(12));
    assertTrue(b.append(1_700_000_000_999_999_999L, frame, 3, 64));
    assertTrue(b.append(-1L, frame, 11, 11), "a negative time keeps its sign in seconds");
    assertEquals(2, b.count());
    assertFalse(b.fits(1), "24 + 32 bytes of records leave no room for another");
    assertFalse(b.append(0, frame, 1, 1));
    assertEquals(2, b.reset());
    assertTrue(b.next());
    assertEquals(1_700_000_000_999_999_999L, b.timestampNanos());
    assertEquals(3, b.capturedLength());
    assertEquals(64, b.wireLength());
    assertEquals((short) 0xCAFE, b.frames().getShort(b.frameOffset()));
    assertTrue(b.next());
    assertEquals(-1L, b.timestampNanos());
    assertEquals(15, b.frames().get(b.frameOffset() + 10));
    assertFalse(b.next());
    b.clear();
    assertEquals(0, b.count());
    assertEquals(0, b.reset());
    assertTrue(b.fits(12));
  }
}
