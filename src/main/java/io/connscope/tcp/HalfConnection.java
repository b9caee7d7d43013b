package io.connscope.tcp;

/**
 * One direction of a {@link Connection}: what one endpoint sent, its options, counters and the
 * reassembly state of its byte stream. Read-only for callers; the connection updates it.
 *
 * <p>Counters: {@link #retransmissions()} counts segments whose data (or FIN) was all seen before
 * (keep-alive probes excluded); {@link #retransmittedBytes()} also includes the old prefix of
 * partially new segments. {@link #overlapConflicts()} counts overlaps whose bytes differ from a
 * copy still buffered out of order (the first copy wins); data already delivered is released, so a
 * retransmission of it is not compared. {@link #gaps()} / {@link #gapBytes()} cover every {@code
 * onGap}: capture loss, holes never filled, snaplen-truncated payload.
 */
public final class HalfConnection implements HalfView {
  // Counters.
  long packets, payloadBytes, dataSegments, retransmissions, retransmittedBytes, outOfOrder;
  long overlapConflicts, gaps, gapBytes, keepAlives, zeroWindows, deliveredBytes;
  // Options from the SYN (or SYN/ACK).
  int mss = -1, windowScale = -1;
  boolean sackPermitted;

  /** Shift applied to the window field; -1 while unknown (handshake options not seen). */
  int effectiveScale = -1;

  long maxWindow;
  // Sequence state.
  boolean seqKnown, sawSyn;

  /** The stream start was taken from a mid-stream segment or the peer's ACK, not a SYN. */
  boolean midstreamStart;

  long isn;

  /** Next stream sequence number expected (everything before it was delivered or gapped). */
  long nextSeq;

  /** Highest sequence end seen from this side (data, SYN or FIN). */
  long highSeq;

  /** Unwrapped relative sequence reference for the timeline. */
  long relRef;

  // FIN / RST.
  long finFrame = -1, finTs = -1, rstFrame = -1, rstTs = -1;
  boolean finSeen, finDelivered, finAcked;
  long finSeq;
  // RTT (one timed segment at a time, Karn: never a retransmitted one).
  boolean timing;
  long timedEnd, timedTs;
  long rttMin = -1, rttSmoothed = -1, rttSamples;

  HalfConnection() {}

  void init(long isn0) {
    seqKnown = true;
    midstreamStart = false;
    isn = isn0 & Seq.MASK;
    nextSeq = Seq.add(isn, 1);
    highSeq = nextSeq;
    relRef = 1;
  }

  /**
   * The stream start was guessed (mid-stream) and nothing of the stream was delivered or declared
   * lost since: with nothing buffered out of order either (its {@link Reassembler} is empty), it
   * may still be moved (a keep-alive probe at SND.NXT - 1 gave it).
   */
  boolean startUntouched() {
    return midstreamStart && deliveredBytes == 0 && gapBytes == 0;
  }

  /**
   * Relative, unwrapped form of a sequence number of this direction that the peer reported (a SACK
   * edge): like {@link #rel} but it never moves the unwrapping reference, which a bogus edge must
   * not drag along.
   */
  long relPeek(long seq) {
    return Seq.unwrap(relRef, seq - isn);
  }

  /** Relative, unwrapped form of a sequence number of this direction. */
  long rel(long seq) {
    long r = Seq.unwrap(relRef, seq - isn);
    if (r > relRef) {
      relRef = r;
    }
    return r;
  }

  void rttSample(long micros) {
    if (micros < 0) {
      return;
    }
    rttSamples++;
    if (rttMin < 0 || micros < rttMin) {
      rttMin = micros;
    }
    // RFC 6298 §2: SRTT <- 7/8 SRTT + 1/8 R'.
    rttSmoothed = rttSmoothed < 0 ? micros : (7 * rttSmoothed + micros) / 8;
  }

  public long packets() {
    return packets;
  }

  /** Payload bytes on the wire over all segments, retransmissions included. */
  public long payloadBytes() {
    return payloadBytes;
  }

  public long dataSegments() {
    return dataSegments;
  }

  public long retransmissions() {
    return retransmissions;
  }

  public long retransmittedBytes() {
    return retransmittedBytes;
  }

  /** Segments that arrived ahead of the next expected sequence number. */
  public long outOfOrder() {
    return outOfOrder;
  }

  public long overlapConflicts() {
    return overlapConflicts;
  }

  public long gaps() {
    return gaps;
  }

  public long gapBytes() {
    return gapBytes;
  }

  public long keepAlives() {
    return keepAlives;
  }

  /** Segments advertising a zero window (RST excluded). */
  public long zeroWindows() {
    return zeroWindows;
  }

  /** Bytes passed to the listener's {@code onData}. */
  public long deliveredBytes() {
    return deliveredBytes;
  }

  /** MSS option of the SYN, -1 when absent. */
  public int mss() {
    return mss;
  }

  /** Window scale option of the SYN, -1 when absent. */
  public int windowScale() {
    return windowScale;
  }

  public boolean sackPermitted() {
    return sackPermitted;
  }

  /**
   * Shift applied to this side's window field (0 when scaling is off), -1 while unknown (the
   * handshake's options were not seen: the timeline then holds raw window fields).
   */
  public int effectiveWindowScale() {
    return effectiveScale;
  }

  /** Largest advertised window in bytes (scaled when known). */
  public long maxWindow() {
    return maxWindow;
  }

  /** True when this side's SYN (or SYN/ACK) was seen, so {@link #isn()} is real. */
  public boolean sawSyn() {
    return sawSyn;
  }

  /** ISN (for a direction first seen mid-stream: first seen sequence number minus one). */
  public long isn() {
    return isn;
  }

  /** Next expected sequence number (32-bit). */
  public long nextSeq() {
    return nextSeq;
  }

  public long finFrame() {
    return finFrame;
  }

  public long finTs() {
    return finTs;
  }

  public long rstFrame() {
    return rstFrame;
  }

  public long rstTs() {
    return rstTs;
  }

  /** Smallest data-to-ACK time of this direction's data, -1 without a sample. */
  public long rttMinMicros() {
    return rttMin;
  }

  /** Smoothed (RFC 6298) data-to-ACK time, -1 without a sample. */
  public long rttSmoothedMicros() {
    return rttSmoothed;
  }

  public long rttSamples() {
    return rttSamples;
  }
}
