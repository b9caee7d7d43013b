package io.connscope.robustness;

import io.connscope.analysis.Analysis;
import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import io.connscope.capture.PcapWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds Ethernet / IPv4 / TCP frames for synthetic hostile traffic, in one reused buffer, and
 * hands them to an {@link Analysis} or a {@link PcapWriter}. Payloads up to 65,495 bytes.
 */
public final class Synth {
  public static final int SYN = 0x02, FIN = 0x01, RST = 0x04, PSH = 0x08, ACK = 0x10;
  private static final int HEAD = 14 + 20 + 20;

  private final byte[] frame = new byte[HEAD + 65535];
  private final ByteBuffer buf = ByteBuffer.wrap(frame);
  private final CaptureInfo info = new CaptureInfo();
  private int len;

  /** Fills the frame: {@code src}/{@code dst} are IPv4 addresses as ints. */
  public Synth tcp(
      int src,
      int dst,
      int sport,
      int dport,
      long seq,
      long ack,
      int flags,
      byte[] payload,
      int off,
      int plen) {
    int p = 0;
    // Ethernet: dst MAC, src MAC, type IPv4
    for (int i = 0; i < 12; i++) {
      frame[p++] = (byte) (i < 6 ? 0x02 : 0x04);
    }
    frame[p++] = 0x08;
    frame[p++] = 0x00;
    int ipLen = 40 + plen;
    frame[p++] = 0x45;
    frame[p++] = 0;
    put16(p, ipLen);
    p += 2;
    put16(p, 0); // id
    p += 2;
    put16(p, 0x4000); // DF
    p += 2;
    frame[p++] = 64;
    frame[p++] = 6;
    put16(p, 0); // checksum (not checked by connscope)
    p += 2;
    put32(p, src);
    p += 4;
    put32(p, dst);
    p += 4;
    put16(p, sport);
    p += 2;
    put16(p, dport);
    p += 2;
    put32(p, (int) seq);
    p += 4;
    put32(p, (flags & ACK) != 0 ? (int) ack : 0);
    p += 4;
    frame[p++] = 0x50;
    frame[p++] = (byte) flags;
    put16(p, 65535);
    p += 2;
    put16(p, 0);
    p += 2;
    put16(p, 0);
    p += 2;
    if (plen > 0) {
      System.arraycopy(payload, off, frame, p, plen);
    }
    len = p + plen;
    return this;
  }

  public Synth tcp(int src, int dst, int sport, int dport, long seq, long ack, int flags) {
    return tcp(src, dst, sport, dport, seq, ack, flags, null, 0, 0);
  }

  public Synth tcp(
      int src, int dst, int sport, int dport, long seq, long ack, int flags, byte[] payload) {
    return tcp(src, dst, sport, dport, seq, ack, flags, payload, 0, payload.length);
  }

  /** Hands the current frame to {@code a} as seen at {@code tsNanos}. */
  public void feed(Analysis a, long tsNanos) {
    info.timestampNanos = tsNanos;
    info.capturedLength = len;
    info.wireLength = len;
    info.interfaceId = 0;
    info.linkType = LinkType.ETHERNET;
    a.accept(info, buf, 0);
  }

  /** Appends the current frame to {@code w}. */
  public void write(PcapWriter w, long tsNanos) throws IOException {
    w.write(tsNanos, buf, 0, len, len);
  }

  /** Length of the current frame. */
  public int length() {
    return len;
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  public static int ip(int a, int b, int c, int d) {
    return a << 24 | b << 16 | c << 8 | d;
  }

  private void put16(int at, int v) {
    frame[at] = (byte) (v >>> 8);
    frame[at + 1] = (byte) v;
  }

  private void put32(int at, int v) {
    frame[at] = (byte) (v >>> 24);
    frame[at + 1] = (byte) (v >>> 16);
    frame[at + 2] = (byte) (v >>> 8);
    frame[at + 3] = (byte) v;
  }
}
