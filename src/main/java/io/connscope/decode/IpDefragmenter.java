package io.connscope.decode;

import io.connscope.common.Warnings;
import java.nio.ByteBuffer;

/**
 * Reassembles fragmented IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) datagrams for a {@link
 * FrameDecoder}, which decodes each completed datagram as if it had arrived whole.
 *
 * <p>Datagrams are keyed by IP version, source, destination, identification and (IPv4) protocol.
 * Each datagram in flight holds a pooled byte array with room for the first fragment's header
 * ({@value #HEADER_ROOM} bytes: IPv4 with options, or IPv6's unfragmentable part) followed by the
 * payload at its fragment offset, and a list of the byte ranges still missing (the "holes" of RFC
 * 815), so no fragment is ever copied twice and completion is one test.
 *
 * <h2>Overlaps</h2>
 *
 * The first copy of a byte wins: a fragment fills only the holes it covers, and a fragment with any
 * byte already present (an overlap, or a duplicate in the capture) counts {@code
 * decode.fragment_overlap}. This is deterministic and matches neither every OS (RFC 5722 says to
 * drop overlapping IPv6 datagrams) nor every IDS policy; it is the reading that keeps the bytes
 * seen first, as the TCP layer does for overlapping segments.
 *
 * <h2>Limits and memory</h2>
 *
 * <ul>
 *   <li>at most {@code maxDatagrams} datagrams in flight; one more evicts the oldest ({@code
 *       decode.fragment_limit});
 *   <li>a reassembled IP packet of more than {@value #MAX_DATAGRAM_LENGTH} bytes (IPv4 total
 *       length, IPv6 payload length) is dropped ({@code decode.fragment_limit}), as is a datagram
 *       split into more than {@value #MAX_HOLES} missing ranges at once;
 *   <li>a datagram still incomplete {@code timeoutNanos} of capture time after its first fragment
 *       is dropped ({@code decode.fragment_timeout}); one still incomplete at {@link #finish()}
 *       counts {@code decode.fragment_incomplete}.
 * </ul>
 *
 * Buffers grow by doubling to the largest datagram seen and are kept with their slot for the next
 * datagram, so memory is bounded by {@code maxDatagrams × (HEADER_ROOM + 65,535)} bytes (about 4 MB
 * with the defaults) and allocation stops once the pool has warmed up. Frames that are not
 * fragments cost one comparison ({@link #expire}) and allocate nothing.
 *
 * <p>A completed datagram is readable through {@link #buffer()} from {@link #start()} for {@link
 * #length()} bytes until the next frame is decoded (its slot is recycled then). Its header is the
 * first fragment's, with the length fields set and the fragment fields cleared (IPv4: MF and
 * offset, DF kept; IPv6: the Fragment header removed and its Next Header moved into the header
 * before it); the IPv4 header checksum is left as it was.
 */
public final class IpDefragmenter {
  /** Largest reassembled IPv4 total length, or IPv6 payload length. */
  public static final int MAX_DATAGRAM_LENGTH = 65535;

  /** Datagrams in flight by default. */
  public static final int DEFAULT_MAX_DATAGRAMS = 64;

  /** Reassembly timeout in capture time by default (Linux's ipfrag_time). */
  public static final long DEFAULT_TIMEOUT_NANOS = 30_000_000_000L;

  /** Bytes reserved before the payload for the first fragment's header. */
  static final int HEADER_ROOM = 256;

  /** Most missing ranges a datagram may have at once. */
  static final int MAX_HOLES = 32;

  private static final int INITIAL_CAPACITY = 2048;
  private static final int INFINITY = Integer.MAX_VALUE;

  /** Results of {@link #add}. */
  static final int HELD = 0, COMPLETE = 1, DROPPED = 2, REJECTED = 3;

  private static final byte FREE = 0, OPEN = 1, DELIVERED = 2;

  private final Warnings warnings;
  private final int maxDatagrams;
  private final long timeoutNanos;

  private final byte[] state;
  private final int[] version, id, protocol;
  private final long[] srcHi, srcLo, dstHi, dstLo, firstNanos, firstFrame;

  /** Header length of the first fragment (-1 until it arrives), its patch point, next header. */
  private final int[] headerLength, patchOffset, nextHeader;

  /** Payload length once the last fragment arrived (-1 before), highest end seen. */
  private final int[] total, maxEnd;

  private final int[] holeCount;
  private final int[][] holes;
  private final byte[][] data;
  private final ByteBuffer[] views;

  private int open, delivered;
  private long oldestNanos = Long.MAX_VALUE;
  private int done = -1;

  /** Stable reason of the last {@link #REJECTED} fragment. */
  String reason;

  /** Defaults: {@value #DEFAULT_MAX_DATAGRAMS} datagrams in flight, 30 s timeout. */
  public IpDefragmenter(Warnings warnings) {
    this(warnings, DEFAULT_MAX_DATAGRAMS, DEFAULT_TIMEOUT_NANOS);
  }

  /** Counts its anomalies into {@code warnings}. */
  public IpDefragmenter(Warnings warnings, int maxDatagrams, long timeoutNanos) {
    if (maxDatagrams < 1 || timeoutNanos < 0) {
      throw new IllegalArgumentException(
          "maxDatagrams " + maxDatagrams + ", timeout " + timeoutNanos);
    }
    this.warnings = warnings;
    this.maxDatagrams = maxDatagrams;
    this.timeoutNanos = timeoutNanos;
    state = new byte[maxDatagrams];
    version = new int[maxDatagrams];
    id = new int[maxDatagrams];
    protocol = new int[maxDatagrams];
    srcHi = new long[maxDatagrams];
    srcLo = new long[maxDatagrams];
    dstHi = new long[maxDatagrams];
    dstLo = new long[maxDatagrams];
    firstNanos = new long[maxDatagrams];
    firstFrame = new long[maxDatagrams];
    headerLength = new int[maxDatagrams];
    patchOffset = new int[maxDatagrams];
    nextHeader = new int[maxDatagrams];
    total = new int[maxDatagrams];
    maxEnd = new int[maxDatagrams];
    holeCount = new int[maxDatagrams];
    holes = new int[maxDatagrams][];
    data = new byte[maxDatagrams][];
    views = new ByteBuffer[maxDatagrams];
  }

  /** Datagrams waiting for more fragments. */
  public int inFlight() {
    return open;
  }

  /**
   * Ends the capture: every datagram still incomplete counts {@code decode.fragment_incomplete}.
   */
  public void finish() {
    recycleDelivered();
    for (int s = 0; s < maxDatagrams; s++) {
      if (state[s] == OPEN) {
        count("decode.fragment_incomplete", firstFrame[s], null);
        free(s);
      }
    }
  }

  /**
   * Called for every frame before it is decoded: recycles the datagram completed by the previous
   * frame and drops those older than the timeout. Allocates nothing.
   */
  void expire(long nowNanos) {
    if (delivered > 0) {
      recycleDelivered();
    }
    if (open == 0 || nowNanos - oldestNanos < timeoutNanos) {
      return;
    }
    long oldest = Long.MAX_VALUE;
    for (int s = 0; s < maxDatagrams; s++) {
      if (state[s] != OPEN) {
        continue;
      }
      if (nowNanos - firstNanos[s] >= timeoutNanos) {
        count("decode.fragment_timeout", firstFrame[s], null);
        free(s);
      } else {
        oldest = Math.min(oldest, firstNanos[s]);
      }
    }
    oldestNanos = oldest;
  }

  /**
   * Finds or opens the datagram a fragment belongs to; -1 when none can be had (counted). A full
   * table evicts its oldest datagram.
   */
  int slot(
      int ipVersion,
      long sHi,
      long sLo,
      long dHi,
      long dLo,
      int ident,
      int proto,
      long nowNanos,
      long frame) {
    int freeSlot = -1;
    for (int s = 0; s < maxDatagrams; s++) {
      if (state[s] == OPEN) {
        if (id[s] == ident
            && srcLo[s] == sLo
            && dstLo[s] == dLo
            && srcHi[s] == sHi
            && dstHi[s] == dHi
            && version[s] == ipVersion
            && protocol[s] == proto) {
          return s;
        }
      } else if (state[s] == FREE && freeSlot < 0) {
        freeSlot = s;
      }
    }
    if (freeSlot < 0) {
      freeSlot = oldestOpen();
      if (freeSlot < 0) {
        count("decode.fragment_limit", frame, "no reassembly slot free");
        return -1;
      }
      count(
          "decode.fragment_limit",
          firstFrame[freeSlot],
          "more than " + maxDatagrams + " datagrams in flight: oldest dropped");
      free(freeSlot);
    }
    int s = freeSlot;
    state[s] = OPEN;
    open++;
    version[s] = ipVersion;
    srcHi[s] = sHi;
    srcLo[s] = sLo;
    dstHi[s] = dHi;
    dstLo[s] = dLo;
    id[s] = ident;
    protocol[s] = proto;
    firstNanos[s] = nowNanos;
    firstFrame[s] = frame;
    oldestNanos = Math.min(oldestNanos, nowNanos);
    headerLength[s] = -1;
    total[s] = -1;
    maxEnd[s] = 0;
    if (holes[s] == null) {
      holes[s] = new int[2 * MAX_HOLES];
    }
    holes[s][0] = 0;
    holes[s][1] = INFINITY;
    holeCount[s] = 1;
    return s;
  }

  /**
   * Adds one fragment to datagram {@code s}: the header of {@code hdrLen} bytes at {@code ipOffset}
   * (kept if this is the first fragment; for IPv6 the unfragmentable part, with the Next Header
   * byte to rewrite at {@code patch} bytes into it and {@code nh} the value to write), and {@code
   * len} payload bytes at {@code dataOffset} that belong at byte {@code off} of the datagram's
   * payload. Returns {@link #HELD}, {@link #COMPLETE} (see {@link #buffer()}), {@link #DROPPED}
   * (the datagram was discarded, counted) or {@link #REJECTED} (this fragment was ignored as
   * malformed, {@link #reason}).
   */
  int add(
      int s,
      ByteBuffer buf,
      int ipOffset,
      int hdrLen,
      int patch,
      int nh,
      int off,
      boolean more,
      int dataOffset,
      int len,
      long frame) {
    int end = off + len;
    if (more && (len & 7) != 0) {
      // RFC 791 §3.2 / RFC 8200 §4.5: every fragment but the last carries a multiple of 8 bytes.
      return reject("decode.fragment.bad_length");
    }
    if (end > MAX_DATAGRAM_LENGTH) {
      return drop(s, frame, "reassembled datagram over 65535 bytes");
    }
    int t = total[s];
    if (t >= 0 ? end > t || (!more && end != t) : !more && maxEnd[s] > end) {
      // A second, different end of the datagram, or data beyond its end.
      return reject("decode.fragment.inconsistent_end");
    }
    if (off == 0 && headerLength[s] < 0) {
      if (hdrLen > HEADER_ROOM) {
        return drop(s, frame, "first fragment's header over " + HEADER_ROOM + " bytes");
      }
      ensureCapacity(s, HEADER_ROOM);
      buf.get(ipOffset, data[s], HEADER_ROOM - hdrLen, hdrLen);
      headerLength[s] = hdrLen;
      patchOffset[s] = patch;
      nextHeader[s] = nh;
    }
    int[] h = holes[s];
    int n = holeCount[s];
    if (!more) {
      total[s] = end;
      for (int i = 0; i < n; ) { // trim the holes to the datagram's end
        if (h[2 * i] >= end) {
          n--;
          h[2 * i] = h[2 * n];
          h[2 * i + 1] = h[2 * n + 1];
        } else {
          h[2 * i + 1] = Math.min(h[2 * i + 1], end);
          i++;
        }
      }
    }
    maxEnd[s] = Math.max(maxEnd[s], end);
    if (len > 0) {
      ensureCapacity(s, HEADER_ROOM + end);
    }
    // RFC 815 §3: fill every hole the fragment overlaps, leaving the parts it does not cover.
    int filled = 0;
    for (int i = 0; i < n && len > 0; ) { // an empty fragment fills nothing (and has no buffer yet)
      int hf = h[2 * i], hl = h[2 * i + 1];
      if (end <= hf || off >= hl) {
        i++;
        continue;
      }
      boolean left = hf < off, right = end < hl;
      if (left && right && n == MAX_HOLES) {
        holeCount[s] = n;
        return drop(s, frame, "more than " + MAX_HOLES + " missing ranges");
      }
      int from = Math.max(off, hf), to = Math.min(end, hl);
      buf.get(dataOffset + (from - off), data[s], HEADER_ROOM + from, to - from);
      filled += to - from;
      if (left && right) {
        h[2 * i + 1] = off;
        h[2 * n] = end;
        h[2 * n + 1] = hl;
        n++;
        i++;
      } else if (left) {
        h[2 * i + 1] = off;
        i++;
      } else if (right) {
        h[2 * i] = end;
        i++;
      } else {
        n--;
        h[2 * i] = h[2 * n];
        h[2 * i + 1] = h[2 * n + 1];
      }
    }
    holeCount[s] = n;
    if (filled < len) {
      count("decode.fragment_overlap", frame, null);
    }
    if (n > 0 || total[s] < 0) {
      return HELD;
    }
    return complete(s, frame);
  }

  private int complete(int s, long frame) {
    int hl = headerLength[s];
    int t = total[s];
    int start = HEADER_ROOM - hl;
    byte[] d = data[s];
    ByteBuffer v = views[s];
    if (version[s] == 4) {
      if (hl + t > MAX_DATAGRAM_LENGTH) {
        return drop(s, frame, "reassembled datagram over 65535 bytes");
      }
      v.putShort(start + Ipv4View.TOTAL_LENGTH_OFFSET, (short) (hl + t));
      // Clear MF and the offset; keep DF (and the reserved bit) as the first fragment had them.
      int flags = v.getShort(start + Ipv4View.FLAGS_FRAGMENT_OFFSET) & 0xC000;
      v.putShort(start + Ipv4View.FLAGS_FRAGMENT_OFFSET, (short) flags);
    } else {
      int payload = hl - Ipv6View.HEADER_LENGTH + t;
      if (payload > MAX_DATAGRAM_LENGTH) {
        return drop(s, frame, "reassembled datagram over 65535 bytes");
      }
      v.putShort(start + Ipv6View.PAYLOAD_LENGTH_OFFSET, (short) payload);
      d[start + patchOffset[s]] = (byte) nextHeader[s];
    }
    state[s] = DELIVERED;
    open--;
    delivered++;
    done = s;
    return COMPLETE;
  }

  /** The buffer holding the datagram completed by the last {@link #add}; big-endian. */
  ByteBuffer buffer() {
    return views[done];
  }

  /** Index of the completed datagram's first header byte in {@link #buffer()}. */
  int start() {
    return HEADER_ROOM - headerLength[done];
  }

  /** Length of the completed datagram, header included. */
  int length() {
    return headerLength[done] + total[done];
  }

  private int reject(String why) {
    reason = why;
    return REJECTED;
  }

  private int drop(int s, long frame, String detail) {
    count("decode.fragment_limit", frame, detail);
    free(s);
    return DROPPED;
  }

  private void count(String code, long frame, String detail) {
    if (warnings != null) {
      warnings.add(code, frame, 1, detail);
    }
  }

  private void free(int s) {
    if (state[s] == OPEN) {
      open--;
    } else if (state[s] == DELIVERED) {
      delivered--;
    }
    state[s] = FREE;
  }

  private void recycleDelivered() {
    for (int s = 0; s < maxDatagrams && delivered > 0; s++) {
      if (state[s] == DELIVERED) {
        free(s);
      }
    }
  }

  private int oldestOpen() {
    int best = -1;
    for (int s = 0; s < maxDatagrams; s++) {
      if (state[s] == OPEN && (best < 0 || firstNanos[s] < firstNanos[best])) {
        best = s;
      }
    }
    return best;
  }

  /** Grows slot {@code s}'s buffer (by doubling, pooled with the slot) to hold {@code need}. */
  private void ensureCapacity(int s, int need) {
    byte[] d = data[s];
    if (d != null && d.length >= need) {
      return;
    }
    int cap = d == null ? INITIAL_CAPACITY : d.length;
    while (cap < need) {
      cap *= 2;
    }
    cap = Math.min(cap, HEADER_ROOM + MAX_DATAGRAM_LENGTH);
    byte[] grown = new byte[cap];
    if (d != null) {
      System.arraycopy(d, 0, grown, 0, d.length);
    }
    data[s] = grown;
    views[s] = ByteBuffer.wrap(grown);
  }
}
