package io.connscope.tcp;

import java.nio.ByteBuffer;

/**
 * One direction's reassembly: puts its bytes in stream order for the connection's listener. Owns
 * the out-of-order buffer (copies of segments that arrived ahead of {@code nextSeq}, sorted by
 * sequence number, within the per-direction and global caps of {@link TcpOptions}); the sequence
 * state and counters it moves are its {@link HalfConnection}'s.
 *
 * <p>Rules: in-order bytes pass through without a copy; bytes buffered out of order win over a
 * later copy of the same range (the first copy wins) and overlaps whose bytes differ are counted
 * ({@code tcp.overlap_conflict}); a hole is declared a gap when the peer acknowledges past it, when
 * the buffer is full ({@code tcp.ooo_buffer_full}, {@code tcp.ooo_buffer_total_full}), or when the
 * connection ends; payload the capture cut (snaplen) becomes a gap; data after a delivered FIN is
 * dropped ({@code tcp.data_after_fin}).
 */
final class Reassembler {
  /** Where the direction's bytes, gaps and FIN go (the connection, in original directions). */
  interface Output {
    void data(int o, ByteBuffer buf, int off, int len, long frame, long ts, long dataAck);

    void gap(int o, long len, long frame, long ts);

    void fin(int o, long frame, long ts);
  }

  private final int o;
  private final HalfConnection h;
  private final ConnectionContext ctx;
  private final Output out;

  /** Out-of-order chunks, sorted by seq; allocated at the first one. */
  private OooChunk[] chunks;

  private int chunkCount;

  /** Bytes held in {@link #chunks}. */
  private long buffered;

  Reassembler(int o, HalfConnection h, ConnectionContext ctx, Output out) {
    this.o = o;
    this.h = h;
    this.ctx = ctx;
    this.out = out;
  }

  /** True when nothing waits out of order. */
  boolean empty() {
    return chunkCount == 0;
  }

  /** Bytes buffered out of order now. */
  long buffered() {
    return buffered;
  }

  /**
   * The peer acknowledged up to {@code target}: data acknowledged but missing from the capture will
   * never come, so every hole before it becomes a gap (buffered chunks between are delivered).
   */
  void acknowledgedTo(long target, long frame, long ts) {
    while (Seq.gt(target, h.nextSeq)) {
      long to = target;
      if (chunkCount > 0 && Seq.lt(chunks[0].seq, to)) {
        to = chunks[0].seq;
      }
      gapTo(to, frame, ts);
    }
  }

  /**
   * In-order data starting at or before nextSeq. Bytes already buffered out of order win over this
   * copy (the first copy wins), so the segment is delivered around them.
   */
  void deliverSegment(
      ByteBuffer buf, int off, long dataSeq, int cap, long end, long frame, long ts, long dataAck) {
    for (; ; ) {
      flushReady();
      if (!Seq.lt(h.nextSeq, end)) {
        break;
      }
      long to = end;
      if (chunkCount > 0 && Seq.lt(chunks[0].seq, to)) {
        to = chunks[0].seq;
      }
      deliverPiece(buf, off, dataSeq, cap, h.nextSeq, to, frame, ts, dataAck);
    }
    checkFin();
  }

  /**
   * Delivers stream range {@code [from, to)} (from == nextSeq) of a segment whose data starts at
   * {@code baseSeq} with {@code capLen} bytes present at {@code buf[off...]}; the part past the
   * present bytes (snaplen) becomes a gap.
   */
  private void deliverPiece(
      ByteBuffer buf,
      int off,
      long baseSeq,
      int capLen,
      long from,
      long to,
      long frame,
      long ts,
      long dataAck) {
    int a = Seq.diff(from, baseSeq);
    int b = Seq.diff(to, baseSeq);
    int capEnd = Math.min(b, capLen);
    h.nextSeq = to;
    if (h.finDelivered) {
      ctx.warnings.count("tcp.data_after_fin", frame);
      return;
    }
    if (a < capEnd) {
      h.deliveredBytes += capEnd - a;
      out.data(o, buf, off + a, capEnd - a, frame, ts, dataAck);
    }
    int missFrom = Math.max(a, capLen);
    if (missFrom < b) {
      ctx.warnings.add("tcp.snaplen_truncated_bytes", frame, b - missFrom, null);
      gap(b - missFrom, frame, ts);
    }
  }

  private void gap(long len, long frame, long ts) {
    h.gaps++;
    h.gapBytes += len;
    out.gap(o, len, frame, ts);
  }

  /** Declares the hole up to {@code target} a gap, then delivers whatever became in order. */
  void gapTo(long target, long frame, long ts) {
    if (Seq.gt(target, h.nextSeq)) {
      long len = Seq.diff(target, h.nextSeq);
      h.nextSeq = target;
      if (!h.finDelivered) {
        gap(len, frame, ts);
      }
    }
    flushReady();
    checkFin();
  }

  /** Delivers the buffered chunks that start at or before nextSeq. */
  private void flushReady() {
    while (chunkCount > 0 && Seq.leq(chunks[0].seq, h.nextSeq)) {
      OooChunk c = chunks[0];
      System.arraycopy(chunks, 1, chunks, 0, chunkCount - 1);
      chunks[--chunkCount] = null;
      if (Seq.gt(c.end, h.nextSeq)) {
        deliverPiece(c.view, 0, c.seq, c.capLen, h.nextSeq, c.end, c.frame, c.ts, c.ack);
      }
      release(c);
    }
  }

  private void release(OooChunk c) {
    buffered -= c.capLen;
    ctx.totalBuffered -= c.capLen;
    ctx.pool.put(c);
  }

  void checkFin() {
    if (h.finSeen && !h.finDelivered && Seq.leq(h.finSeq, h.nextSeq)) {
      h.finDelivered = true;
      h.nextSeq = Seq.max(h.nextSeq, Seq.add(h.finSeq, 1));
      out.fin(o, h.finFrame, h.finTs);
    }
  }

  /** Copies a segment that arrived ahead of nextSeq; returns its timeline kind. */
  int bufferAhead(Segment s, long dataSeq, int cap, long end, long frame, long ts, long dataAck) {
    for (int i = 0; i < chunkCount; i++) {
      OooChunk c = chunks[i];
      if (Seq.leq(c.seq, dataSeq) && Seq.geq(c.end, end)) {
        countConflicts(s, dataSeq, cap, frame);
        h.retransmissions++;
        h.retransmittedBytes += Seq.diff(end, dataSeq);
        return SegmentTimeline.RETRANSMISSION;
      }
    }
    if (chunkCount > 0) {
      countConflicts(s, dataSeq, cap, frame);
    }
    h.outOfOrder++;
    TcpOptions opt = ctx.options;
    ctx.demandBuffered(ctx.totalBuffered + cap);
    if (buffered + cap > opt.maxBufferedBytesPerDirection
        || ctx.totalBuffered + cap > opt.maxBufferedBytesTotal) {
      ctx.warnings.count(
          buffered + cap > opt.maxBufferedBytesPerDirection
              ? "tcp.ooo_buffer_full"
              : "tcp.ooo_buffer_total_full",
          frame);
      // Out of room: the oldest holes will not be waited for any longer.
      while (chunkCount > 0
          && (buffered + cap > opt.maxBufferedBytesPerDirection
              || ctx.totalBuffered + cap > opt.maxBufferedBytesTotal)) {
        gapTo(chunks[0].seq, frame, ts);
      }
      if (Seq.leq(dataSeq, h.nextSeq)
          || buffered + cap > opt.maxBufferedBytesPerDirection
          || ctx.totalBuffered + cap > opt.maxBufferedBytesTotal) {
        gapTo(dataSeq, frame, ts);
        deliverSegment(s.payload, s.payloadOffset, dataSeq, cap, end, frame, ts, dataAck);
        return SegmentTimeline.OUT_OF_ORDER;
      }
    }
    OooChunk c = ctx.pool.get(cap);
    c.seq = dataSeq;
    c.end = end;
    c.capLen = cap;
    c.frame = frame;
    c.ts = ts;
    c.ack = dataAck;
    if (cap > 0) {
      s.payload.get(s.payloadOffset, c.data, 0, cap);
    }
    if (chunks == null) {
      chunks = new OooChunk[8];
    } else if (chunkCount == chunks.length) {
      chunks = java.util.Arrays.copyOf(chunks, 2 * chunkCount);
    }
    int i = chunkCount;
    while (i > 0 && Seq.gt(chunks[i - 1].seq, dataSeq)) {
      i--;
    }
    System.arraycopy(chunks, i, chunks, i + 1, chunkCount - i);
    chunks[i] = c;
    chunkCount++;
    buffered += cap;
    ctx.totalBuffered += cap;
    return SegmentTimeline.OUT_OF_ORDER;
  }

  /** Counts overlaps of the segment's present bytes with buffered chunks whose bytes differ. */
  void countConflicts(Segment s, long dataSeq, int cap, long frame) {
    long segEnd = Seq.add(dataSeq, cap);
    for (int i = 0; i < chunkCount; i++) {
      OooChunk c = chunks[i];
      long from = Seq.max(dataSeq, c.seq);
      long to = Seq.min(segEnd, Seq.add(c.seq, c.capLen));
      if (!Seq.lt(from, to)) {
        continue;
      }
      int sa = s.payloadOffset + Seq.diff(from, dataSeq);
      int ca = Seq.diff(from, c.seq);
      int n = Seq.diff(to, from);
      for (int k = 0; k < n; k++) {
        if (s.payload.get(sa + k) != c.data[ca + k]) {
          h.overlapConflicts++;
          ctx.warnings.count("tcp.overlap_conflict", frame);
          break;
        }
      }
    }
  }

  /** Ends the direction: holes become gaps, a pending FIN is delivered. */
  void flushAll(long frame, long ts) {
    while (chunkCount > 0) {
      gapTo(chunks[0].seq, frame, ts);
    }
    if (h.finSeen && !h.finDelivered) {
      gapTo(h.finSeq, frame, ts);
    }
  }
}
