package io.connscope.tcp;

import java.nio.ByteBuffer;

/**
 * One TCP segment as the connection table sees it: a mutable holder the caller refills for every
 * frame (no allocation per packet). Addresses are 128-bit values in two longs; IPv4 addresses are
 * stored IPv4-mapped ({@code ::ffff:a.b.c.d}). The payload is a view into the capture buffer, valid
 * only during the call that receives this segment.
 */
public final class Segment {
  /** TCP flag bits as in the TCP header's flags byte. */
  public static final int FIN = 0x01,
      SYN = 0x02,
      RST = 0x04,
      PSH = 0x08,
      ACK = 0x10,
      URG = 0x20,
      ECE = 0x40,
      CWR = 0x80;

  public long frame;

  /** Microseconds since the capture's first frame. */
  public long tsMicros;

  public int ipVersion;
  public long srcHi, srcLo, dstHi, dstLo;
  public int srcPort, dstPort;

  /** Sequence and acknowledgment numbers as unsigned 32-bit values. */
  public long seq, ack;

  public int flags;

  /** Raw (unscaled) window field. */
  public int window;

  /** Options, -1 / false when absent. */
  public int mss = -1, windowScale = -1;

  public boolean sackPermitted;
  public boolean hasTimestamps;
  public long tsVal, tsEcr;

  /**
   * SACK blocks (RFC 2018 §3) of this segment, as unsigned 32-bit sequence numbers of the peer's
   * bytes: block {@code i} is {@code [sackEdges[2i], sackEdges[2i + 1])}; {@code sackBlocks} of
   * them (at most 4, the option space's limit). The array is reused for every frame.
   */
  public int sackBlocks;

  public final long[] sackEdges = new long[8];

  /** Payload bytes present in the capture at {@code payload[payloadOffset, +payloadLength)}. */
  public ByteBuffer payload;

  public int payloadOffset, payloadLength;

  /**
   * Payload bytes on the wire (per the IP length); larger than payloadLength when snaplen cut it.
   */
  public int payloadWireLength;

  public boolean syn() {
    return (flags & SYN) != 0;
  }

  public boolean fin() {
    return (flags & FIN) != 0;
  }

  public boolean rst() {
    return (flags & RST) != 0;
  }

  public boolean hasAck() {
    return (flags & ACK) != 0;
  }

  /** Resets the options to "absent"; call before filling a new frame. */
  public void clearOptions() {
    mss = -1;
    windowScale = -1;
    sackPermitted = false;
    hasTimestamps = false;
    tsVal = 0;
    tsEcr = 0;
    sackBlocks = 0;
  }
}
