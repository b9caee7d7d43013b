package io.connscope.tcp;

import java.util.Arrays;

/**
 * A connection's segments in capture order, for detectors that need ACK timing (delayed ACK, Nagle)
 * and not just bytes: one entry per TCP segment in parallel primitive arrays (in chunks), grown up
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
 * <p>Memory: 27 bytes per allocated entry. The columns are kept in chunks of {@value #CHUNK}
 * entries, each grown by doubling (the first from 4 entries, the others from 64), so that a long
 * timeline holds at most half a chunk it does not use and growing it never copies more than a chunk
 * (one array per column grown by doubling held up to twice the entries used, and its old and new
 * arrays at once while it grew). Time is kept as an {@code int} from the time of the first entry of
 * its block of 64 entries (a block more than 35 minutes long in capture time, on a connection used
 * every few minutes, makes the blocks smaller: up to 8 bytes of base an entry), frame as an {@code
 * int} from the first entry's, sequence and acknowledgment numbers as {@code int}s; the first of
 * these that does not fit (2^31 frames after the first, or past 2 GiB in a direction) makes the
 * four columns {@code long}s: 43 bytes per entry from then on. Entries are bounded per connection
 * ({@link TcpOptions#timelineCapacity}) and over all open connections ({@link
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

  /**
   * The narrow columns: time from its block's base ({@link #tsBase(int)}), frame from {@link
   * #frameBase}, sequence and acknowledgment as they are; unused ({@link #NO_INTS}) once {@link
   * #wide}.
   */
  private int[] ts, frame, seq, ack;

  /** Entries per chunk of the columns: 2^10. */
  private static final int CHUNK_SHIFT = 10;

  static final int CHUNK = 1 << CHUNK_SHIFT;
  private static final int CHUNK_MASK = CHUNK - 1;

  /** Entries allocated, over all chunks. */
  private int alloc;

  /**
   * The chunks after the first ({@code ts}, {@code len}... are the first), at their index (0
   * unused); null while there is one.
   */
  private Columns more;

  /**
   * Arrays of each column by index: a timeline's chunks from the second on, or a {@link Pool}'s
   * sets (narrow columns only).
   */
  private static final class Columns {
    int[][] ts, frame, seq, ack, len, window;
    long[][] wideTs, wideFrame, wideSeq, wideAck;
    byte[][] dir, flags, kind;

    Columns(int n) {
      ts = new int[n][];
      frame = new int[n][];
      seq = new int[n][];
      ack = new int[n][];
      len = new int[n][];
      window = new int[n][];
      wideTs = new long[n][];
      wideFrame = new long[n][];
      wideSeq = new long[n][];
      wideAck = new long[n][];
      dir = new byte[n][];
      flags = new byte[n][];
      kind = new byte[n][];
    }

    /** Room for chunk {@code c}. */
    void fit(int c) {
      if (c < ts.length) {
        return;
      }
      int n = Math.max(c + 1, 2 * ts.length);
      ts = Arrays.copyOf(ts, n);
      frame = Arrays.copyOf(frame, n);
      seq = Arrays.copyOf(seq, n);
      ack = Arrays.copyOf(ack, n);
      len = Arrays.copyOf(len, n);
      window = Arrays.copyOf(window, n);
      wideTs = Arrays.copyOf(wideTs, n);
      wideFrame = Arrays.copyOf(wideFrame, n);
      wideSeq = Arrays.copyOf(wideSeq, n);
      wideAck = Arrays.copyOf(wideAck, n);
      dir = Arrays.copyOf(dir, n);
      flags = Arrays.copyOf(flags, n);
      kind = Arrays.copyOf(kind, n);
    }
  }

  /** Entries per block of one time base at first: 2^6. */
  private static final int BLOCK_SHIFT = 6;

  /**
   * Entries per block of one time base: 2^blockShift, {@link #BLOCK_SHIFT} until a block spans more
   * than an {@code int} of microseconds, then smaller ({@link #splitBlocks}).
   */
  private int blockShift = BLOCK_SHIFT;

  /** The time of the first entry of block 0, and of block b >= 1 at b - 1. */
  private long tsBase;

  private long[] tsBases = NO_LONGS;
  private long frameBase;

  /** The four columns as {@code long}s, from the first value that did not fit; null before. */
  private long[] wideTs, wideFrame, wideSeq, wideAck;

  private boolean wide;
  private long[] sackLeft = NO_LONGS, sackRight = NO_LONGS;
  private int[] sackEntry = NO_INTS;
  private int sackSize;
  private int[] len, window;
  private byte[] dir, flags, kind;

  /** A timeline whose arrays {@link #of} sets. */
  private SegmentTimeline(int capacity) {
    this.capacity = Math.max(0, capacity);
  }

  /**
   * A timeline whose entries count against {@link TcpOptions#maxTimelineEntriesTotal} of {@code
   * budget} (allocated entries, taken as the arrays grow; given back by {@link #release()}).
   */
  SegmentTimeline(int capacity, ConnectionContext budget) {
    this.capacity = Math.max(0, capacity);
    this.budget = budget;
    if (budget == null) {
      int initial = Math.min(this.capacity, 16);
      ts = new int[initial];
      frame = new int[initial];
      seq = new int[initial];
      ack = new int[initial];
      len = new int[initial];
      window = new int[initial];
      dir = new byte[initial];
      flags = new byte[initial];
      kind = new byte[initial];
      alloc = initial;
    } else {
      empty(); // arrays come from the table's pool as entries arrive
    }
  }

  /**
   * A timeline holding the entries given as columns, one array per accessor ({@code dir} under the
   * current roles), every array of {@code ts}'s length, and the SACK blocks as three arrays of one
   * length: for a stage in another process that received a finished connection's timeline (the
   * Spark job's Kryo, {@code io.connscope.spark.KryoClasses}). It owns the arrays given (the caller
   * keeps no reference), belongs to no table: no budget and no pool, so {@link #release()} gives
   * nothing to anybody; and records nothing more.
   *
   * @throws IllegalArgumentException when the columns' lengths differ or exceed {@code capacity}
   */
  public static SegmentTimeline of(
      int capacity,
      boolean truncated,
      boolean truncatedByTotal,
      long[] ts,
      long[] frame,
      byte[] dir,
      long[] seq,
      long[] ack,
      int[] len,
      int[] window,
      byte[] flags,
      byte[] kind,
      int[] sackEntry,
      long[] sackLeft,
      long[] sackRight) {
    int n = ts.length;
    if (frame.length != n
        || dir.length != n
        || seq.length != n
        || ack.length != n
        || len.length != n
        || window.length != n
        || flags.length != n
        || kind.length != n
        || sackLeft.length != sackEntry.length
        || sackRight.length != sackEntry.length
        || n > Math.max(0, capacity)
        || sackEntry.length > Math.max(0, capacity)) {
      throw new IllegalArgumentException("timeline columns of different lengths");
    }
    SegmentTimeline t = new SegmentTimeline(capacity);
    t.ts = t.frame = t.seq = t.ack = NO_INTS;
    t.wide = true;
    int first = Math.min(n, CHUNK);
    t.wideTs = Arrays.copyOf(ts, first);
    t.wideFrame = Arrays.copyOf(frame, first);
    t.dir = Arrays.copyOf(dir, first);
    t.wideSeq = Arrays.copyOf(seq, first);
    t.wideAck = Arrays.copyOf(ack, first);
    t.len = Arrays.copyOf(len, first);
    t.window = Arrays.copyOf(window, first);
    t.flags = Arrays.copyOf(flags, first);
    t.kind = Arrays.copyOf(kind, first);
    if (n > CHUNK) {
      Columns m = t.more = new Columns(((n - 1) >>> CHUNK_SHIFT) + 1);
      for (int c = 1, from = CHUNK; from < n; c++, from += CHUNK) {
        int to = Math.min(n, from + CHUNK);
        m.wideTs[c] = Arrays.copyOfRange(ts, from, to);
        m.wideFrame[c] = Arrays.copyOfRange(frame, from, to);
        m.dir[c] = Arrays.copyOfRange(dir, from, to);
        m.wideSeq[c] = Arrays.copyOfRange(seq, from, to);
        m.wideAck[c] = Arrays.copyOfRange(ack, from, to);
        m.len[c] = Arrays.copyOfRange(len, from, to);
        m.window[c] = Arrays.copyOfRange(window, from, to);
        m.flags[c] = Arrays.copyOfRange(flags, from, to);
        m.kind[c] = Arrays.copyOfRange(kind, from, to);
      }
    }
    t.alloc = n;
    t.size = n;
    t.sackEntry = sackEntry;
    t.sackLeft = sackLeft;
    t.sackRight = sackRight;
    t.sackSize = sackEntry.length;
    t.truncated = truncated;
    t.totalFull = truncatedByTotal;
    return t;
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
    if (size == alloc && !grow()) {
      truncated = true;
      totalFull = true;
      return false;
    }
    int c = size >>> CHUNK_SHIFT, j = size & CHUNK_MASK;
    Columns m = more;
    if (!wide) {
      if (size == 0) {
        frameBase = frameNo;
      }
      if ((size & ((1 << blockShift) - 1)) == 0) {
        startBlock(size >>> blockShift, tsMicros);
      }
      long t = tsMicros - tsBase(size);
      if (t != (int) t) {
        splitBlocks(tsMicros); // a block more than 35 minutes long: smaller blocks, time narrow
        t = tsMicros - tsBase(size);
      }
      long f = frameNo - frameBase;
      if (t == (int) t && f == (int) f && relSeq == (int) relSeq && relAck == (int) relAck) {
        (c == 0 ? ts : m.ts[c])[j] = (int) t;
        (c == 0 ? frame : m.frame[c])[j] = (int) f;
        (c == 0 ? seq : m.seq[c])[j] = (int) relSeq;
        (c == 0 ? ack : m.ack[c])[j] = (int) relAck;
      } else {
        widen();
      }
    }
    if (wide) {
      (c == 0 ? wideTs : m.wideTs[c])[j] = tsMicros;
      (c == 0 ? wideFrame : m.wideFrame[c])[j] = frameNo;
      (c == 0 ? wideSeq : m.wideSeq[c])[j] = relSeq;
      (c == 0 ? wideAck : m.wideAck[c])[j] = relAck;
    }
    if (c == 0) {
      dir[j] = (byte) origDir;
      len[j] = length;
      window[j] = win;
      flags[j] = (byte) tcpFlags;
      kind[j] = (byte) kindBits;
    } else {
      m.dir[c][j] = (byte) origDir;
      m.len[c][j] = length;
      m.window[c][j] = win;
      m.flags[c][j] = (byte) tcpFlags;
      m.kind[c][j] = (byte) kindBits;
    }
    size++;
    return true;
  }

  /** Marks the entry {@code i} with extra kind bits (e.g. a retransmission found later). */
  void addKind(int i, int kindBits) {
    kindAt(i)[i & CHUNK_MASK] |= (byte) kindBits;
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
      int extra = fromTotal(n - sackEntry.length);
      if (extra == 0) {
        return false;
      }
      n = sackEntry.length + extra;
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

  /** Block {@code b}'s time base is {@code tsMicros}. */
  private void startBlock(int b, long tsMicros) {
    if (b == 0) {
      tsBase = tsMicros;
      return;
    }
    if (b > tsBases.length) {
      tsBases = Arrays.copyOf(tsBases, Math.max(b, 2 * tsBases.length));
    }
    tsBases[b - 1] = tsMicros;
  }

  /** The time base of entry {@code i}'s block. */
  private long tsBase(int i) {
    int b = i >>> blockShift;
    return b == 0 ? tsBase : tsBases[b - 1];
  }

  /**
   * Halves the blocks until every entry's time, and {@code tsNext}'s as entry {@link #size}, is an
   * {@code int} from its block's base; at one entry a block it is 0. Sparse connections (an idle
   * keep-alive connection used every few minutes) spend up to 8 bytes of base an entry, instead of
   * making all four columns {@code long}s (16 bytes more an entry). Rare: at most {@value
   * #BLOCK_SHIFT} times a timeline.
   */
  private void splitBlocks(long tsNext) {
    int n = size + 1;
    long[] abs = new long[n];
    for (int i = 0; i < size; i++) {
      abs[i] = ts(i);
    }
    abs[size] = tsNext;
    int shift = blockShift - 1;
    while (shift > 0 && !fits(abs, shift)) {
      shift--;
    }
    blockShift = shift;
    tsBase = abs[0];
    int blocks = ((n - 1) >>> shift) + 1;
    tsBases = blocks > 1 ? new long[blocks - 1] : NO_LONGS;
    for (int b = 1; b < blocks; b++) {
      tsBases[b - 1] = abs[b << shift];
    }
    for (int i = 0; i < size; i++) {
      (i < CHUNK ? ts : more.ts[i >>> CHUNK_SHIFT])[i & CHUNK_MASK] = (int) (abs[i] - tsBase(i));
    }
  }

  /** Whether every time in {@code abs} is an {@code int} from the first of its block of 2^shift. */
  private static boolean fits(long[] abs, int shift) {
    for (int i = 0; i < abs.length; i++) {
      long d = abs[i] - abs[i & -(1 << shift)];
      if (d != (int) d) {
        return false;
      }
    }
    return true;
  }

  /** The four columns as {@code long}s from now on, each entry's values as they were. */
  private void widen() {
    Columns m = more;
    for (int c = 0, from = 0; from < alloc; c++, from += CHUNK) {
      int k = c == 0 ? len.length : m.len[c].length;
      long[] t = new long[k], f = new long[k], sq = new long[k], a = new long[k];
      for (int j = 0; j < k && from + j < size; j++) { // read as they were, while still narrow
        t[j] = ts(from + j);
        f[j] = frame(from + j);
        sq[j] = seq(from + j);
        a[j] = ack(from + j);
      }
      if (c == 0) {
        wideTs = t;
        wideFrame = f;
        wideSeq = sq;
        wideAck = a;
      } else {
        m.wideTs[c] = t;
        m.wideFrame[c] = f;
        m.wideSeq[c] = sq;
        m.wideAck[c] = a;
        m.ts[c] = m.frame[c] = m.seq[c] = m.ack[c] = null;
      }
    }
    ts = frame = seq = ack = NO_INTS; // not to the pool: it keeps sets, and the rest stay here
    tsBases = NO_LONGS;
    wide = true;
  }

  /**
   * Up to {@code want} more entries, taken from the shared total as far as it allows (all of them
   * without one); 0 when it allows none. The total is {@link TcpOptions#maxTimelineEntriesTotal},
   * or {@link TcpOptions#longTimelinesTotal} once this timeline has a full first chunk ({@link
   * #CHUNK} entries), so that the long ones leave a quarter to the short.
   */
  private int fromTotal(int want) {
    if (budget == null) {
      return want;
    }
    budget.demandTimeline(budget.timelineEntries + want);
    TcpOptions o = budget.options;
    long room =
        (alloc >= CHUNK ? o.longTimelinesTotal() : o.maxTimelineEntriesTotal)
            - budget.timelineEntries;
    int extra = (int) Math.max(0, Math.min(want, room));
    budget.timelineEntries += extra;
    return extra;
  }

  /**
   * More room: the last chunk doubled up to {@link #CHUNK} entries, or a new chunk of 64 after a
   * full one; false when the budget allows none.
   */
  private boolean grow() {
    int last = alloc == 0 ? 0 : (alloc - 1) >>> CHUNK_SHIFT;
    int lastLen = alloc - (last << CHUNK_SHIFT);
    if (lastLen == CHUNK) {
      last++;
      lastLen = 0;
    }
    // the first chunk from 4 entries: most connections (half-open, refused, one small exchange)
    // need few; the next ones from 64
    int grown = Math.min(CHUNK, Math.max(last == 0 ? 4 : 64, 2 * lastLen));
    // the total over all connections is bounded too: grow only as far as it allows
    int extra = fromTotal((int) Math.min((long) capacity - alloc, grown - lastLen));
    if (extra == 0) {
      return false;
    }
    int n = lastLen + extra;
    alloc += extra;
    if (last == 0) {
      if (budget != null && budget.timelines.take(this, n)) {
        return true; // the pool copied the entries into its arrays and took the old ones
      }
      if (budget != null) {
        budget.timelines.give(this); // the next timeline that grows to this size takes them
      }
      if (wide) {
        wideTs = Arrays.copyOf(wideTs, n);
        wideFrame = Arrays.copyOf(wideFrame, n);
        wideSeq = Arrays.copyOf(wideSeq, n);
        wideAck = Arrays.copyOf(wideAck, n);
      } else {
        ts = Arrays.copyOf(ts, n);
        frame = Arrays.copyOf(frame, n);
        seq = Arrays.copyOf(seq, n);
        ack = Arrays.copyOf(ack, n);
      }
      len = Arrays.copyOf(len, n);
      window = Arrays.copyOf(window, n);
      dir = Arrays.copyOf(dir, n);
      flags = Arrays.copyOf(flags, n);
      kind = Arrays.copyOf(kind, n);
      return true;
    }
    if (more == null) {
      more = new Columns(4);
    }
    Columns m = more;
    m.fit(last); // a new chunk's arrays are null: made at n entries
    if (wide) {
      m.wideTs[last] = grown(m.wideTs[last], n);
      m.wideFrame[last] = grown(m.wideFrame[last], n);
      m.wideSeq[last] = grown(m.wideSeq[last], n);
      m.wideAck[last] = grown(m.wideAck[last], n);
    } else {
      m.ts[last] = grown(m.ts[last], n);
      m.frame[last] = grown(m.frame[last], n);
      m.seq[last] = grown(m.seq[last], n);
      m.ack[last] = grown(m.ack[last], n);
    }
    m.len[last] = grown(m.len[last], n);
    m.window[last] = grown(m.window[last], n);
    m.dir[last] = grown(m.dir[last], n);
    m.flags[last] = grown(m.flags[last], n);
    m.kind[last] = grown(m.kind[last], n);
    return true;
  }

  /** {@code a} (null: none yet) copied into an array of {@code n} entries. */
  private static int[] grown(int[] a, int n) {
    return a == null ? new int[n] : Arrays.copyOf(a, n);
  }

  private static long[] grown(long[] a, int n) {
    return a == null ? new long[n] : Arrays.copyOf(a, n);
  }

  private static byte[] grown(byte[] a, int n) {
    return a == null ? new byte[n] : Arrays.copyOf(a, n);
  }

  /**
   * Gives the arrays of a finished connection's timeline, kept readable after its close ({@link
   * #returnBudget}), to {@code pool} once nobody reads it any more; it is empty afterwards.
   */
  void recycleInto(Pool pool) {
    pool.give(this);
    clear();
  }

  private void empty() {
    alloc = 0;
    more = null;
    ts = frame = seq = ack = NO_INTS;
    tsBases = NO_LONGS;
    blockShift = BLOCK_SHIFT;
    wideTs = wideFrame = wideSeq = wideAck = null;
    wide = false;
    len = window = NO_INTS;
    dir = flags = kind = NO_BYTES;
  }

  /**
   * The entry arrays of the timelines of one table, kept for reuse: a connection's arrays go back
   * when it is released and when they grow, and a growing timeline takes arrays of its new size
   * from here (connection-per-request traffic opens and closes a connection every few packets:
   * growing to 4, 8 and 16 entries was the largest garbage per connection). Sizes 4 to 64 entries
   * (those {@link #grow} makes while the budget is not short), at most {@link
   * TcpOptions#timelinePoolSets} sets per size (64 by default: at most about 210 KB kept), narrow
   * ones only. The budget counts what connections hold, as before; what is kept here is not
   * counted. Not thread-safe: one per table.
   */
  static final class Pool {
    private static final int SIZES = 5; // 4, 8, 16, 32, 64
    private final int maxFree;

    /** Size class c's sets at c * maxFree up to c * maxFree + free[c]. */
    private final Columns sets;

    private final int[] free = new int[SIZES];

    /** A pool keeping at most {@code maxFree} sets of arrays per size. */
    Pool(int maxFree) {
      this.maxFree = Math.max(0, maxFree);
      sets = new Columns(SIZES * this.maxFree);
    }

    /** Sets of arrays of {@code entries} entries kept (for tests). */
    int kept(int entries) {
      int c = sizeClass(entries);
      return c < 0 ? 0 : free[c];
    }

    /** The pool's size class of arrays of {@code n} entries, -1 when not kept. */
    private static int sizeClass(int n) {
      return n >= 4 && n <= 64 && Integer.bitCount(n) == 1
          ? Integer.numberOfTrailingZeros(n) - 2
          : -1;
    }

    /**
     * Gives {@code t} kept arrays of {@code n} entries holding its entries, and keeps its old ones;
     * false (nothing changed) when none of that size is kept.
     */
    boolean take(SegmentTimeline t, int n) {
      int c = sizeClass(n);
      if (c < 0 || free[c] == 0 || t.wide) {
        return false;
      }
      int k = c * maxFree + --free[c];
      int size = t.size;
      Columns s = sets;
      System.arraycopy(t.ts, 0, s.ts[k], 0, size);
      System.arraycopy(t.frame, 0, s.frame[k], 0, size);
      System.arraycopy(t.seq, 0, s.seq[k], 0, size);
      System.arraycopy(t.ack, 0, s.ack[k], 0, size);
      System.arraycopy(t.len, 0, s.len[k], 0, size);
      System.arraycopy(t.window, 0, s.window[k], 0, size);
      System.arraycopy(t.dir, 0, s.dir[k], 0, size);
      System.arraycopy(t.flags, 0, s.flags[k], 0, size);
      System.arraycopy(t.kind, 0, s.kind[k], 0, size);
      int[] oldTs = t.ts, oldFrame = t.frame, oldSeq = t.seq, oldAck = t.ack;
      int[] oldLen = t.len, oldWindow = t.window;
      byte[] oldDir = t.dir, oldFlags = t.flags, oldKind = t.kind;
      t.ts = s.ts[k];
      t.frame = s.frame[k];
      t.seq = s.seq[k];
      t.ack = s.ack[k];
      t.len = s.len[k];
      t.window = s.window[k];
      t.dir = s.dir[k];
      t.flags = s.flags[k];
      t.kind = s.kind[k];
      s.ts[k] = s.frame[k] = s.seq[k] = s.ack[k] = s.len[k] = s.window[k] = null;
      s.dir[k] = s.flags[k] = s.kind[k] = null;
      keep(oldTs, oldFrame, oldSeq, oldAck, oldLen, oldWindow, oldDir, oldFlags, oldKind);
      return true;
    }

    /**
     * Keeps the arrays of {@code t}, released or grown out of (when there is room for their size);
     * its narrow columns only (those of a timeline made wide are dropped).
     */
    void give(SegmentTimeline t) {
      if (t.ts.length == t.len.length) {
        keep(t.ts, t.frame, t.seq, t.ack, t.len, t.window, t.dir, t.flags, t.kind);
      }
    }

    private void keep(
        int[] ts,
        int[] frame,
        int[] seq,
        int[] ack,
        int[] len,
        int[] window,
        byte[] dir,
        byte[] flags,
        byte[] kind) {
      int c = sizeClass(ts.length);
      if (c < 0 || free[c] == maxFree) {
        return;
      }
      int k = c * maxFree + free[c]++;
      Columns s = sets;
      s.ts[k] = ts;
      s.frame[k] = frame;
      s.seq[k] = seq;
      s.ack[k] = ack;
      s.len[k] = len;
      s.window[k] = window;
      s.dir[k] = dir;
      s.flags[k] = flags;
      s.kind[k] = kind;
    }
  }

  /**
   * Gives the allocated entries back to the shared budget, and drops them: the connection is
   * finished and its detectors have run, but its record may still wait in the report writers'
   * queue, which must not hold timeline memory the budget no longer counts. Empty afterwards.
   */
  void release() {
    if (budget != null) {
      budget.timelineEntries -= alloc + sackEntry.length;
      budget.timelines.give(this);
      budget = null;
    }
    clear();
  }

  /** No entries and no arrays (they went to a pool or to the collector). */
  private void clear() {
    empty();
    sackLeft = sackRight = NO_LONGS;
    sackEntry = NO_INTS;
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
      budget.timelineEntries -= alloc + sackEntry.length;
      budget = null;
    }
  }

  void swap() {
    swapped = !swapped;
  }

  /**
   * The first entry whose frame is {@code >= frame} ({@link #size()} when none), found by halving:
   * the entries are in capture order, so their frames ascend.
   */
  public int indexAtOrAfter(long frame) {
    int lo = 0, hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (frame(mid) < frame) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Whether the four columns are {@code long}s (for tests). */
  boolean wide() {
    return wide;
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
    int c = i >>> CHUNK_SHIFT, j = i & CHUNK_MASK;
    return wide ? (c == 0 ? wideTs : more.wideTs[c])[j] : tsBase(i) + (c == 0 ? ts : more.ts[c])[j];
  }

  public long frame(int i) {
    int c = i >>> CHUNK_SHIFT, j = i & CHUNK_MASK;
    return wide
        ? (c == 0 ? wideFrame : more.wideFrame[c])[j]
        : frameBase + (c == 0 ? frame : more.frame[c])[j];
  }

  /** {@link StreamControl#CLIENT} or {@link StreamControl#SERVER} under the current roles. */
  public int dir(int i) {
    int d = (i < CHUNK ? dir : more.dir[i >>> CHUNK_SHIFT])[i & CHUNK_MASK];
    return swapped ? d ^ 1 : d;
  }

  /** Sequence number relative to the sender's ISN, unwrapped. */
  public long seq(int i) {
    int c = i >>> CHUNK_SHIFT, j = i & CHUNK_MASK;
    return wide ? (c == 0 ? wideSeq : more.wideSeq[c])[j] : (c == 0 ? seq : more.seq[c])[j];
  }

  /**
   * Acknowledgment relative to the ISN of the direction it acknowledges, unwrapped (clamped at 0);
   * -1 when the segment has no ACK or that direction is not known yet.
   */
  public long ack(int i) {
    int c = i >>> CHUNK_SHIFT, j = i & CHUNK_MASK;
    return wide ? (c == 0 ? wideAck : more.wideAck[c])[j] : (c == 0 ? ack : more.ack[c])[j];
  }

  /** Payload length on the wire. */
  public int len(int i) {
    return (i < CHUNK ? len : more.len[i >>> CHUNK_SHIFT])[i & CHUNK_MASK];
  }

  /** Advertised window in bytes (scaled when the scale is known). */
  public int window(int i) {
    return (i < CHUNK ? window : more.window[i >>> CHUNK_SHIFT])[i & CHUNK_MASK];
  }

  /** TCP flag bits ({@link Segment#SYN} ...). */
  public int flags(int i) {
    return (i < CHUNK ? flags : more.flags[i >>> CHUNK_SHIFT])[i & CHUNK_MASK] & 0xFF;
  }

  /** Kind bits ({@link #RETRANSMISSION}, {@link #OUT_OF_ORDER}, {@link #KEEP_ALIVE}). */
  public int kind(int i) {
    return kindAt(i)[i & CHUNK_MASK];
  }

  /** The chunk of the kind column holding entry {@code i}. */
  private byte[] kindAt(int i) {
    return i < CHUNK ? kind : more.kind[i >>> CHUNK_SHIFT];
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
    return (kind(i) & RETRANSMISSION) != 0;
  }

  public boolean isOutOfOrder(int i) {
    return (kind(i) & OUT_OF_ORDER) != 0;
  }

  public boolean isKeepAlive(int i) {
    return (kind(i) & KEEP_ALIVE) != 0;
  }
}
