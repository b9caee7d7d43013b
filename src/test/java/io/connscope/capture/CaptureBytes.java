package io.connscope.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Test helper: builds pcap and pcapng files byte by byte, in either byte order. */
final class CaptureBytes {
  private ByteBuffer buf = ByteBuffer.allocate(256);
  private ByteOrder order;

  CaptureBytes(ByteOrder order) {
    this.order = order;
    buf.order(order);
  }

  CaptureBytes order(ByteOrder o) {
    order = o;
    buf.order(o);
    return this;
  }

  private void room(int n) {
    if (buf.remaining() < n) {
      ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
      buf.flip();
      b.put(buf);
      b.order(order);
      buf = b;
    }
  }

  CaptureBytes i32(long v) {
    room(4);
    buf.putInt((int) v);
    return this;
  }

  CaptureBytes i16(int v) {
    room(2);
    buf.putShort((short) v);
    return this;
  }

  CaptureBytes i64(long v) {
    room(8);
    buf.putLong(v);
    return this;
  }

  CaptureBytes bytes(byte[] b) {
    room(b.length);
    buf.put(b);
    return this;
  }

  CaptureBytes pad4() {
    while (buf.position() % 4 != 0) {
      room(1);
      buf.put((byte) 0);
    }
    return this;
  }

  int size() {
    return buf.position();
  }

  byte[] toArray() {
    return Arrays.copyOf(buf.array(), buf.position());
  }

  /** Overwrites a 32-bit value at {@code at} in the current order. */
  CaptureBytes set32(int at, long v) {
    buf.putInt(at, (int) v);
    return this;
  }

  // ---- pcap ----

  static CaptureBytes pcapHeader(ByteOrder order, boolean nanos, int snaplen, int linkTypeField) {
    CaptureBytes c = new CaptureBytes(order);
    c.i32(nanos ? 0xa1b23c4dL : 0xa1b2c3d4L)
        .i16(2)
        .i16(4)
        .i32(0)
        .i32(0)
        .i32(snaplen)
        .i32(linkTypeField);
    return c;
  }

  CaptureBytes pcapRecord(long sec, long frac, byte[] data, int wireLen) {
    return i32(sec).i32(frac).i32(data.length).i32(wireLen).bytes(data);
  }

  // ---- pcapng ----

  CaptureBytes shb() {
    return i32(0x0A0D0D0A).i32(28).i32(0x1A2B3C4D).i16(1).i16(0).i64(-1).i32(28);
  }

  /** IDB with an optional if_tsresol (negative: none) and if_tsoffset (0: none). */
  CaptureBytes idb(int linkType, int snaplen, int tsresol, long tsoffset) {
    int len = 20 + (tsresol >= 0 ? 8 : 0) + (tsoffset != 0 ? 12 : 0) + 4;
    i32(1).i32(len).i16(linkType).i16(0).i32(snaplen);
    if (tsresol >= 0) {
      i16(9).i16(1).bytes(new byte[] {(byte) tsresol, 0, 0, 0});
    }
    if (tsoffset != 0) {
      i16(14).i16(8).i64(tsoffset);
    }
    i16(0).i16(0); // opt_endofopt
    return i32(len);
  }

  CaptureBytes epb(int ifId, long ts, byte[] data, int wireLen) {
    int len = 32 + ((data.length + 3) & ~3);
    i32(6).i32(len).i32(ifId).i32(ts >>> 32).i32(ts).i32(data.length).i32(wireLen).bytes(data);
    return pad4().i32(len);
  }

  CaptureBytes opb(int ifId, long ts, byte[] data, int wireLen) {
    int len = 32 + ((data.length + 3) & ~3);
    i32(2)
        .i32(len)
        .i16(ifId)
        .i16(0)
        .i32(ts >>> 32)
        .i32(ts)
        .i32(data.length)
        .i32(wireLen)
        .bytes(data);
    return pad4().i32(len);
  }

  CaptureBytes spb(byte[] data, int wireLen) {
    int len = 16 + ((data.length + 3) & ~3);
    i32(3).i32(len).i32(wireLen).bytes(data);
    return pad4().i32(len);
  }

  /** Any block with an opaque body of {@code bodyLen} bytes (multiple of 4). */
  CaptureBytes block(int type, int bodyLen) {
    i32(type).i32(12 + bodyLen).bytes(new byte[bodyLen]);
    return i32(12 + bodyLen);
  }

  /** A little-endian microsecond pcap of {@code frames} Ethernet frames of 100 to 999 bytes. */
  static byte[] pcapOf(int frames) {
    CaptureBytes c = pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
    for (int i = 0; i < frames; i++) {
      c.pcapRecord(i, 0, frame(100 + i % 900, i), 100 + i % 900);
    }
    return c.toArray();
  }

  /** {@code data} gzip-compressed. */
  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(o)) {
      gz.write(data);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return o.toByteArray();
  }

  static byte[] frame(int len, int seed) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (seed * 31 + i * 7);
    }
    return b;
  }

  /** The current frame of {@code s} as an array. */
  static byte[] current(PacketSource s) {
    byte[] out = new byte[s.info().capturedLength];
    ByteBuffer b = s.buffer();
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(s.frameOffset() + i);
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }
}
