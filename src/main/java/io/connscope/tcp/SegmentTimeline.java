package io.connscope.tcp;

import java.util.Arrays;

/**
 * A connection's segments in capture order, for detectors that need ACK timing (delayed ACK, Nagle)
 * and not just bytes: one entry per TCP segment in parallel primitive arrays, grown by doubling up
 * to a capacity, then no longer recorded ({@link #truncated()}).
 *
 * <p>Per entry: capture time, frame, direction (relative to the connection's current roles, also
 * after {@link Connection#swapRoles()}), sequence number relative to that direction's ISN and
 * unwrapped past 2^32 (the SYN is 0, the first data byte 1; a SYN or SYN/ACK carrying data is
 * recorded at its first data byte, 1, so that {@code [seq, seq + len)} is always the data's range;
 * for a direction first seen mid-stream the first seen byte is 1), acknowledgment relative to the
 * other direction's ISN (-1 when the segment has no ACK or that direction is not known yet),
 * payload length on the wire, window in bytes (scaled when the scale is known; SYNs are never
 * scaled, RFC 7323 §2.2), the TCP flags, and a kind: retransmission, out-of-order or keep-alive.
 *
 * <p>SACK blocks (RFC 2018) that segments carried are kept beside the entries, in entry order:
 * block {@code k} belongs to entry {@link #sackEntry(int) sackEntry(k)} and covers {@code
 * [sackLeft(k), sackRight(k))} of the other direction's bytes, relative like {@link #ack(int)}. At
 * most as many blocks as entries (later ones are not recorded), about 20 bytes each, counted in the
 * same budget.
 *
 * <p>Memory: about 43 bytes per allocated entry. Entries are bounded per connection ({@link
 * TcpOptions#timelineCapacity}) and over all open connections ({@link
 * TcpOptions#maxTimelineEntriesTotal}).
 */
public final class SegmentTimeline {
  /** Kind bit: the segment carried only data (or FIN) already seen. */
  public static final int RETRANSMISSION = 1;

  /** Kind bit: the segment arrived ahead of the next expected sequence number. */
  public static final int OUT_OF_ORDER = 2;

  /** Kind bit: a keep-alive probe (0 or 1 byte at next-1). */
  public static final int KEEP_ALIVE = 4;

  private final int capacity;

  /** Shared budget of entries over all connections; null for none. */
  private ConnectionContext budget;

  private int size;
  private boolean truncated;
  private boolean totalFull;
  private boolean swapped;
  private static final long[] NO_LONGS = {};
  private static final int[] NO_INTS = {};
  private static final byte[] NO_BYTES = {};

  private long[] ts, frame, seq, ack;
  private long[] sackLeft = NO_LONGS, sackRight = NO_LONGS;
  private int[] sackEntry = NO_INTS;
  private int sackSize;
  private int[] len, window;
  private byte[] dir, flags, kind;

  SegmentTimeline(int capacity) {
    this(capacity, null);
  }

  /**
   * A timeline whose entries count against {@link TcpOptions#maxTimelineEntriesTotal} of {@code
   * budget} (allocated entries, taken as the arrays grow; given back by {@link #release()}).
   */
  SegmentTimeline(int capacity, ConnectionContext budget) {
    this.capacity = Math.max(0, capacity);
    this.budget = budget;
    int initial = budget == null ? Math.min(this.capacity, 16) : 0;
    ts = new long[initial];
    frame = new long[initial];
    seq = new long[initial];
    ack = new long[initial];
    len = new int[initial];
    window = new int[initial];
    dir = new byte[initial];
    flags = new byte[initial];
    kind = new byte[initial];
  }

  /** Records one segment; returns false (and records nothing) once the capacity is reached. */
  boolean add(
      long tsMicros,
      long frameNo,
      int origDir,
      long relSeq,
      long relAck,
      int length,
      int win,
      int tcpFlags,
      int kindBits) {
    if (size == capacity) {
      truncated = true;
      return false;
    }
    if (size == ts.length && !grow()) {
      truncated = true;
      totalFull = true;
      return false;
    }
    ts[size] = tsMicros;
    frame[size] = frameNo;
    dir[size] = (byte) origDir;
    seq[size] = relSeq;
    ack[size] = relAck;
    len[size] = length;
    window[size] = win;
    flags[size] = (byte) tcpFlags;
    kind[size] = (byte) kindBits;
    size++;
    return true;
  }

  /** Marks the entry {@code i} with extra kind bits (e.g. a retransmission found later). */
  void addKind(int i, int kindBits) {
    kind[i] |= (byte) kindBits;
  }

  /**
   * Records a SACK block {@code [left, right)} of the latest entry; false (nothing recorded) when
   * the blocks reached the entry capacity or the shared budget.
   */
  boolean addSack(long left, long right) {
    if (size == 0 || sackSize == capacity) {
      return false;
    }
    if (sackSize == sackEntry.length) {
      int n = (int) Math.min((long) capacity, Math.max(8L, 2L * sackEntry.length));
      if (budget != null) {
        budget.demandTimeline(budget.timelineEntries + n - sackEntry.length);
        long avail = budget.options.maxTimelineEntriesTotal - budget.timelineEntries;
        int extra = (int) Math.max(0, Math.min(n - sackEntry.length, avail));
        if (extra == 0) {
          return false;
        }
        n = sackEntry.length + extra;
        budget.timelineEntries += extra;
      }
      sackEntry = Arrays.copyOf(sackEntry, n);
      sackLeft = Arrays.copyOf(sackLeft, n);
      sackRight = Arrays.copyOf(sackRight, n);
    }
    sackEntry[sackSize] = size - 1;
    sackLeft[sackSize] = left;
    sackRight[sackSize] = right;
    sackSize++;
    return true;
  }

  private boolean grow() {
    // from 4 entries: most connections (half-open, refused, one small exchange) need few
    int n = (int) Math.min((long) capacity, Math.max(4L, 2L * ts.length));
    if (budget != null) {
      // the total over all connections is bounded too: grow only as far as it allows
      budget.demandTimeline(budget.timelineEntries + n - ts.length);
      long avail = budget.options.maxTimelineEntriesTotal - budget.timelineEntries;
      int extra = (int) Math.max(0, Math.min(n - ts.length, avail));
      if (extra == 0) {
        return false;
      }
      n = ts.length + extra;
      budget.timelineEntries += extra;
    }
    ts = Arrays.copyOf(ts, n);
    frame = Arrays.copyOf(frame, n);
    seq = Arrays.copyOf(seq, n);
    ack = Arrays.copyOf(ack, n);
    len = Arrays.copyOf(len, n);
    window = Arrays.copyOf(window, n);
    dir = Arrays.copyOf(dir, n);
    flags = Arrays.copyOf(flags, n);
    kind = Arrays.copyOf(kind, n);
    return true;
  }

  /**
   * Gives the allocated entries back to the shared budget, and drops them: the connection is
   * finished and its detectors have run, but its record may still wait in the report writers'
   * queue, which must not hold timeline memory the budget no longer counts. Empty afterwards.
   */
  void release() {
    returnBudget();
    ts = frame = seq = ack = sackLeft = sackRight = NO_LONGS;
    len = window = sackEntry = NO_INTS;
    dir = flags = kind = NO_BYTES;
    size = 0;
    sackSize = 0;
  }

  /**
   * Gives the entries back to the shared budget but keeps them readable: for a connection whose
   * close is examined on another thread after its table has moved on. Further growth is not counted
   * (a finished connection records nothing more).
   */
  void returnBudget() {
    if (budget != null) {
      budget.timelineEntries -= ts.length + sackEntry.length;
      budget = null;
    }
  }

  void swap() {
    swapped = !swapped;
  }

  /** Entries recorded. */
  public int size() {
    return size;
  }

  /** The maximum number of entries. */
  public int capacity() {
    return capacity;
  }

  /** True when segments were dropped because the capacity (or the total budget) was reached. */
  public boolean truncated() {
    return truncated;
  }

  /**
   * True when segments were dropped because {@link TcpOptions#maxTimelineEntriesTotal} was reached.
   */
  public boolean truncatedByTotal() {
    return totalFull;
  }

  public long ts(int i) {
    return ts[i];
  }

  public long frame(int i) {
    return frame[i];
  }

  /** {@link StreamControl#CLIENT} or {@link StreamControl#SERVER} under the current roles. */
  public int dir(int i) {
    return swapped ? dir[i] ^ 1 : dir[i];
  }

  /** Sequence number relative to the sender's ISN, unwrapped. */
  public long seq(int i) {
    return seq[i];
  }

  /**
   * Acknowledgment relative to the ISN of the direction it acknowledges, unwrapped (clamped at 0);
   * -1 when the segment has no ACK or that direction is not known yet.
   */
  public long ack(int i) {
    return ack[i];
  }

  /** Payload length on the wire. */
  public int len(int i) {
    return len[i];
  }

  /** Advertised window in bytes (scaled when the scale is known). */
  public int window(int i) {
    return window[i];
  }

  /** TCP flag bits ({@link Segment#SYN} ...). */
  public int flags(int i) {
    return flags[i] & 0xFF;
  }

  /** Kind bits ({@link #RETRANSMISSION}, {@link #OUT_OF_ORDER}, {@link #KEEP_ALIVE}). */
  public int kind(int i) {
    return kind[i];
  }

  /** SACK blocks recorded, over all entries. */
  public int sackCount() {
    return sackSize;
  }

  /** Entry whose segment carried SACK block {@code k} (non-decreasing in {@code k}). */
  public int sackEntry(int k) {
    return sackEntry[k];
  }

  /** Left edge of SACK block {@code k}, relative to the acknowledged direction's ISN. */
  public long sackLeft(int k) {
    return sackLeft[k];
  }

  /** Right edge (first byte after) of SACK block {@code k}. */
  public long sackRight(int k) {
    return sackRight[k];
  }

  public boolean isRetransmission(int i) {
    return (kind[i] & RETRANSMISSION) != 0;
  }

  public boolean isOutOfOrder(int i) {
    return (kind[i] & OUT_OF_ORDER) != 0;
  }

  public boolean isKeepAlive(int i) {
    return (kind[i] & KEEP_ALIVE) != 0;
  }
}
