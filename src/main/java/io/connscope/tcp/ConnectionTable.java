package io.connscope.tcp;

import io.connscope.common.TupleWindow;
import io.connscope.common.Warnings;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.function.LongUnaryOperator;

/**
 * The TCP connection table: finds each segment's {@link Connection} by 4-tuple (either direction),
 * creates connections, and finishes them.
 *
 * <p>Per segment the caller fills one reused {@link Segment} and calls {@link #accept}; the lookup
 * goes through a reused probe key, so only a new connection allocates. At the end of the capture it
 * calls {@link #finish()}. Time is the capture clock only.
 *
 * <h2>Life of a connection</h2>
 *
 * <ul>
 *   <li>Created by the first segment of an unknown tuple (roles: see {@link Connection}). A tuple
 *       whose packets are all handshake packets is first an {@link Attempt} (a few packed header
 *       records, no listener); its first other packet, or its end, promotes it to the connection,
 *       which replays the recorded packets and is handed to the {@link ConnectionHandler} then. Ids
 *       are given at creation, so they follow the first packets.
 *   <li>A SYN without ACK on an open tuple starts a new connection (the old one finished with its
 *       TCP reason or {@code REUSED}) when the old one saw both FINs, when the sender's SYN was
 *       seen with another ISN ({@code tcp.tuple_reuse_unclosed} when the old one had a complete
 *       handshake and data, else {@code tcp.syn_isn_changed}), or when the sender never sent a SYN
 *       there ({@code tcp.syn_on_open_connection}); the same ISN is a SYN retransmission.
 *   <li>Finished at once after an RST, or when both FINs were sent and acknowledged; also when idle
 *       for {@link TcpOptions#idleTimeoutMicros}, when evicted as the least recently active at
 *       {@link TcpOptions#maxConnections}, and at {@link #finish()}. Finishing declares the
 *       remaining holes as gaps, delivers pending FINs, calls {@code onClose} then {@link
 *       ConnectionHandler#closed}, and forgets the connection.
 *   <li>Design choice for late packets: a tuple closed by RST or FINs leaves a small tombstone
 *       (tuple, close time, last sequence numbers) for {@link TcpOptions#timeWaitMicros}. A packet
 *       without SYN on it is a late retransmission/ACK of the closed connection: counted {@code
 *       tcp.packet_after_close} and ignored, unless it carries data more than 1 MiB away from where
 *       that direction ended, which is taken as a new connection already running ({@code
 *       tcp.midstream_after_close}). A SYN on it, or a SYN/ACK far from where its direction ended
 *       (the new connection's SYN was not captured), starts a new connection whose {@link
 *       Connection#tupleReuseDelayMicros()} says how soon the tuple was reused.
 * </ul>
 */
public final class ConnectionTable {
  /** Data this far from a closed direction's end is a new connection, not a late packet. */
  private static final int LATE_WINDOW = 1 << 20;

  final TcpOptions options;
  final Warnings warnings;

  /** Options, warnings, pool and budgets the connections share. */
  final ConnectionContext context;

  private final ConnectionHandler handler;
  private final HashMap<Key, TableEntry> open = new HashMap<>();

  /**
   * Tombstones, oldest first (those of a tuple closed again, or reused, stay in the order, dead):
   * key, then {@link #TOMB_CLOSE_TS}... In primitive arrays, so that a capture of many short
   * connections does not make each young collection copy the last few thousand.
   */
  private final TupleWindow tombs = new TupleWindow(6, true);

  private static final int TOMB_CLOSE_TS = 0,
      TOMB_CLIENT_HI = 1,
      TOMB_CLIENT_LO = 2,
      TOMB_CLIENT_PORT = 3,
      TOMB_END = 4; // and 5: where each original direction ended
  private final Key probe = new Key();

  /** Reused to replay an {@link Attempt}'s packets. */
  private final Segment replay = new Segment();

  /** Least recently active first. */
  private TableEntry lruHead, lruTail;

  private long created;

  /** See {@link #keepTimelines}. */
  private boolean keepTimelines;

  /** The most connections open and tuples remembered as closed since {@link #peaks} last ran. */
  private long peakOpen, peakTombs;

  /**
   * Ids given from the creation frame when first asked for ({@link #assignIds}); else 1, 2, 3...
   */
  private boolean lazyIds;

  /** Told each creation frame, when ids are given lazily; may be null. */
  private java.util.function.LongConsumer onCreate;

  /**
   * With lazy ids and creations told ({@link #onCreate}): the entries created (or promoted from an
   * attempt) without their id yet, for {@link #giveIds}; an entry given its id otherwise leaves at
   * the next call.
   */
  private final java.util.ArrayDeque<TableEntry> idless = new java.util.ArrayDeque<>();

  public ConnectionTable(TcpOptions o, ConnectionHandler h, Warnings w) {
    this.options = o;
    this.handler = h;
    this.warnings = w;
    this.context = new ConnectionContext(o, w);
  }

  /**
   * Ids from the number of the frame that creates each connection, instead of counting from 1: for
   * a caller that feeds this table a subset of a capture's segments (one host pair's, in frame
   * order) and knows which ids the whole capture gives (ids follow creation, so they are ranks of
   * creation frames). {@code ids} must be increasing in the frame number. Set before any segment.
   */
  public void assignIds(LongUnaryOperator ids) {
    assignIds(ids, null);
  }

  /**
   * As {@link #assignIds(LongUnaryOperator)}, the id of a connection asked for only when it is
   * first needed ({@code ids} may then depend on what other tables created meanwhile, as long as
   * its answer for a frame never changes), and {@code created} told each creation frame as it
   * happens. Asked on another thread, {@code ids} may answer 0: the id was given meanwhile on this
   * table's thread, and {@code ids} read what makes that write visible (a connection then reads its
   * own). The entries without their id are then listed for {@link #giveIds}, which the caller calls
   * regularly.
   */
  public void assignIds(LongUnaryOperator ids, java.util.function.LongConsumer created) {
    this.lazyIds = true;
    this.context.ids = ids;
    this.onCreate = created;
  }

  /**
   * With ids given lazily and creations told ({@link #assignIds(LongUnaryOperator,
   * java.util.function.LongConsumer)}): gives its id to every entry created at or before {@code
   * frame} that has none yet (the caller knows that asking for those ids does not wait), and
   * returns the earliest creation frame of an entry still without its id, Long.MAX_VALUE for none:
   * no id will be asked for of a frame before it.
   */
  public long giveIds(long frame) {
    long earliest = Long.MAX_VALUE;
    for (int n = idless.size(); n > 0; n--) {
      TableEntry e = idless.poll();
      if (e.id != 0) {
        continue;
      }
      if (e.createdAt <= frame) {
        e.id = context.ids.applyAsLong(e.createdAt);
      } else {
        idless.add(e);
        earliest = Math.min(earliest, e.createdAt);
      }
    }
    return earliest;
  }

  /** Entries listed for {@link #giveIds} (tests). */
  int idless() {
    return idless.size();
  }

  /**
   * A finished connection's timeline stays readable after {@link ConnectionHandler#closed} (its
   * entries leave the shared budget all the same): for a handler that examines the connection later
   * on another thread. Set before the first segment.
   */
  public void keepTimelines() {
    this.keepTimelines = true;
  }

  /**
   * With {@link #keepTimelines}: a finished connection's timeline that nobody reads any more (the
   * stage that examined it after the close is done with it) gives its arrays to this table's pool,
   * for the connections that open later. On the table's thread.
   */
  public void recycle(SegmentTimeline t) {
    t.recycleInto(context.timelines);
  }

  /**
   * Fills {@code out} with the most asked of each shared limit since the last call (open
   * connections, remembered closed tuples, buffered out-of-order bytes, timeline entries) and
   * starts the next period from the current values. A caller running one table per part of a
   * capture adds these up: while the sums stay within {@link TcpOptions}' limits, no table met a
   * limit, and neither would one table over the whole capture.
   */
  public void peaks(long[] out) {
    out[0] = peakOpen;
    out[1] = peakTombs;
    out[2] = context.peakBuffered;
    out[3] = context.peakTimeline;
    peakOpen = open.size();
    peakTombs = tombs.length();
    context.peakBuffered = context.totalBuffered;
    context.peakTimeline = context.timelineEntries;
  }

  private long nextId(Segment s) {
    ++created;
    if (!lazyIds) {
      return created;
    }
    if (onCreate != null) {
      onCreate.accept(s.frame);
    }
    return 0; // given when first asked for
  }

  /** Processes one TCP segment; {@code s} and its payload are not kept after the call. */
  public void accept(Segment s) {
    long now = s.tsMicros;
    expire(now);
    probe.set(s);
    TableEntry e = open.get(probe);
    if (e instanceof Attempt a) {
      if (a.absorbs(s)) {
        touch(a);
        a.add(s);
        return;
      }
      e = promote(a);
    }
    Connection c = (Connection) e;
    if (c == null) {
      long reuseDelay = -1;
      int t = tombs.size() == 0 ? -1 : findTomb(probe);
      if (t >= 0) {
        if (!s.syn() || s.hasAck()) {
          // a SYN/ACK far from where its direction ended answers a new connection whose SYN
          // the capture missed; any other packet near the old ends is a late one
          boolean newSynAck = s.syn() && farFromEnd(t, s);
          if (!newSynAck && (s.syn() || !looksNew(t, s))) {
            warnings.count("tcp.packet_after_close", s.frame);
            return;
          }
          if (!newSynAck) {
            warnings.count("tcp.midstream_after_close", s.frame);
          }
        }
        tombs.remove(t);
        reuseDelay = now - tombs.get(t, TOMB_CLOSE_TS);
      }
      makeRoom(s);
      if (Attempt.handshakeOnly(s)) {
        Attempt a = new Attempt(probe.copy(), nextId(s), s.frame, reuseDelay, s.ipVersion);
        a.add(s);
        register(a);
        return;
      }
      c = create(probe.copy(), nextId(s), s.frame, s, reuseDelay);
      register(c);
    } else if (s.syn() && !s.hasAck() && startsNew(c, s, c.origDir(s))) {
      long reuseDelay = now - c.lastTsMicros();
      finish(c, Connection.CloseReason.REUSED, c.lastTsMicros(), false);
      makeRoom(s);
      c = create(probe.copy(), nextId(s), s.frame, s, reuseDelay);
      register(c);
    }
    touch(c);
    c.segment(s, c.origDir(s));
    if (c.closeRequested) {
      finish(c, Connection.CloseReason.OPEN, now, true);
    }
  }

  /** Finishes every open connection, in creation order, as at the end of the capture. */
  public void finish() {
    finish(null);
  }

  /**
   * As {@link #finish()}, telling {@code before} each connection's creation frame before finishing
   * it (null: nobody).
   */
  public void finish(java.util.function.LongConsumer before) {
    TableEntry[] all = open.values().toArray(new TableEntry[0]);
    Arrays.sort(all, Comparator.comparingLong(e -> e.createdAt)); // the id order
    for (TableEntry e : all) {
      if (before != null) {
        before.accept(e.createdAt);
      }
      finish(e, Connection.CloseReason.CAPTURE_END, e.lastTs(), false);
    }
    tombs.clear();
  }

  /**
   * Turns every open {@link Attempt} into its connection, in id order: for callers (tests) that
   * inspect connections before they finish.
   */
  void promoteAttempts() {
    TableEntry[] all = open.values().toArray(new TableEntry[0]);
    Arrays.sort(all, Comparator.comparingLong(e -> e.createdAt));
    for (TableEntry e : all) {
      if (e instanceof Attempt a) {
        promote(a);
      }
    }
  }

  /** Connections open now. */
  public int openConnections() {
    return open.size();
  }

  /** Connections created so far (the last id given). */
  public long connectionsCreated() {
    return created;
  }

  private boolean startsNew(Connection c, Segment s, int o) {
    if (c.closedByTcp()) {
      return true;
    }
    HalfConnection h = c.origHalf(o);
    long seq = s.seq & Seq.MASK;
    if (h.sawSyn()) {
      if (seq == h.isn()) {
        return false;
      }
      warnings.count(
          c.handshakeComplete() && c.hasData() ? "tcp.tuple_reuse_unclosed" : "tcp.syn_isn_changed",
          s.frame);
      return true;
    }
    if (o == 0
        && c.roleSource() == Connection.RoleSource.SYNACK_ONLY
        && c.synAckAck() == Seq.add(seq, 1)) {
      return false; // the SYN of this very connection, captured after its SYN/ACK
    }
    warnings.count("tcp.syn_on_open_connection", s.frame);
    return true;
  }

  /** Evicts the least recently active connection when the table is full. */
  private void makeRoom(Segment s) {
    if (open.size() >= Math.max(1, options.maxConnections) && lruHead != null) {
      warnings.count("tcp.connection_evicted", s.frame);
      finish(lruHead, Connection.CloseReason.EVICTED, s.tsMicros, false);
    }
  }

  /** A connection whose first packet is {@code s}, roles decided from it, listener attached. */
  private Connection create(Key k, long id, long createdAt, Segment s, long reuseDelay) {
    boolean clientIsSource;
    Connection.RoleSource source;
    if (s.syn()) {
      clientIsSource = !s.hasAck();
      source = clientIsSource ? Connection.RoleSource.SYN_ONLY : Connection.RoleSource.SYNACK_ONLY;
    } else {
      boolean sp = options.isServerPort(s.srcPort), dp = options.isServerPort(s.dstPort);
      source = Connection.RoleSource.PORT;
      if (dp != sp) {
        clientIsSource = dp;
      } else if ((s.dstPort < 1024) != (s.srcPort < 1024)) {
        clientIsSource = s.dstPort < 1024;
      } else {
        clientIsSource = true;
        source = Connection.RoleSource.FIRST_PACKET;
      }
    }
    Connection c = new Connection(context, k, id, createdAt, s, clientIsSource, source);
    c.tupleReuseDelayMicros = reuseDelay;
    c.setListener(handler.open(c));
    return c;
  }

  /** Puts a new entry in the table, as the most recently active. */
  private void register(TableEntry e) {
    if (onCreate != null) {
      idless.add(e);
    }
    open.put(e.key, e);
    if (open.size() > peakOpen) {
      peakOpen = open.size();
    }
    e.lruPrev = lruTail;
    if (lruTail != null) {
      lruTail.lruNext = e;
    } else {
      lruHead = e;
    }
    lruTail = e;
  }

  /**
   * Turns an attempt into its connection, in its place in the table and the activity list, and
   * replays the attempt's packets through it: the connection ends as if it had seen them itself.
   */
  private Connection promote(Attempt a) {
    a.replay(0, replay);
    Connection c = create(a.key, a.id, a.createdAt, replay, a.reuseDelay);
    if (onCreate != null && c.id == 0) {
      idless.add(c);
      a.id = -1; // promoted: the list's attempt gives its id to nobody now, its connection does
    }
    open.put(a.key, c);
    c.lruPrev = a.lruPrev;
    c.lruNext = a.lruNext;
    if (a.lruPrev != null) {
      a.lruPrev.lruNext = c;
    } else {
      lruHead = c;
    }
    if (a.lruNext != null) {
      a.lruNext.lruPrev = c;
    } else {
      lruTail = c;
    }
    for (int k = 0; k < a.count(); k++) {
      a.replay(k, replay);
      c.segment(replay, c.origDir(replay));
    }
    return c;
  }

  private void finish(TableEntry e, Connection.CloseReason reason, long ts, boolean byTcp) {
    Connection c = e instanceof Attempt a ? promote(a) : (Connection) e;
    c.close(reason, ts);
    open.remove(c.key);
    unlink(c);
    if (c.closedByTcp()
        && options.timeWaitMicros > 0
        && (byTcp
            || reason == Connection.CloseReason.IDLE
            || reason == Connection.CloseReason.EVICTED)) {
      bury(c, ts);
      if (tombs.length() > peakTombs) {
        peakTombs = tombs.length();
      }
    }
    handler.closed(c);
    c.release(keepTimelines);
  }

  private void expire(long now) {
    long idle = options.idleTimeoutMicros;
    if (idle > 0) {
      while (lruHead != null && now - lruHead.lastTs() >= idle) {
        finish(lruHead, Connection.CloseReason.IDLE, lruHead.lastTs() + idle, false);
      }
    }
    while (tombs.length() > 0
        && (now - tombs.get(tombs.first(), TOMB_CLOSE_TS) >= options.timeWaitMicros
            || tombs.length() > Math.max(1, options.maxConnections))) {
      tombs.pollFirst();
    }
  }

  private void touch(TableEntry c) {
    if (c == lruTail) {
      return;
    }
    unlink(c);
    c.lruPrev = lruTail;
    lruTail.lruNext = c;
    lruTail = c;
  }

  private void unlink(TableEntry c) {
    if (c.lruPrev != null) {
      c.lruPrev.lruNext = c.lruNext;
    } else if (lruHead == c) {
      lruHead = c.lruNext;
    }
    if (c.lruNext != null) {
      c.lruNext.lruPrev = c.lruPrev;
    } else if (lruTail == c) {
      lruTail = c.lruPrev;
    }
    c.lruPrev = null;
    c.lruNext = null;
  }

  /** Remembers what remains of {@code c}, closed by TCP at {@code closeTs}: its late packets. */
  private void bury(Connection c, long closeTs) {
    Key k = c.key;
    int t = tombs.addLast(k.aHi, k.aLo, k.bHi, k.bLo, (long) k.aPort << 16 | k.bPort);
    boolean swapped = c.half(StreamControl.CLIENT) != c.origHalf(0);
    tombs.set(t, TOMB_CLOSE_TS, closeTs);
    tombs.set(t, TOMB_CLIENT_HI, swapped ? c.serverAddrHi() : c.clientAddrHi());
    tombs.set(t, TOMB_CLIENT_LO, swapped ? c.serverAddrLo() : c.clientAddrLo());
    tombs.set(t, TOMB_CLIENT_PORT, swapped ? c.serverPort() : c.clientPort());
    tombs.set(t, TOMB_END, c.origHalf(0).highSeq);
    tombs.set(t, TOMB_END + 1, c.origHalf(1).highSeq);
  }

  private int findTomb(Key k) {
    return tombs.find(k.aHi, k.aLo, k.bHi, k.bLo, (long) k.aPort << 16 | k.bPort);
  }

  /** True for data far from where its direction ended in tombstone {@code t}. */
  private boolean looksNew(int t, Segment s) {
    if (s.payloadWireLength <= 0 && s.payloadLength <= 0) {
      return false;
    }
    return farFromEnd(t, s);
  }

  /** True for a sequence number far from where its direction ended in tombstone {@code t}. */
  private boolean farFromEnd(int t, Segment s) {
    int o =
        s.srcPort == tombs.get(t, TOMB_CLIENT_PORT)
                && s.srcLo == tombs.get(t, TOMB_CLIENT_LO)
                && s.srcHi == tombs.get(t, TOMB_CLIENT_HI)
            ? 0
            : 1;
    int d = Seq.diff(s.seq & Seq.MASK, tombs.get(t, TOMB_END + o));
    return d > LATE_WINDOW || d < -LATE_WINDOW;
  }

  /** A 4-tuple in canonical order (lower endpoint first), so both directions find it. */
  static final class Key {
    long aHi, aLo, bHi, bLo;
    int aPort, bPort;

    void set(Segment s) {
      if (lessOrEqual(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort)) {
        aHi = s.srcHi;
        aLo = s.srcLo;
        aPort = s.srcPort;
        bHi = s.dstHi;
        bLo = s.dstLo;
        bPort = s.dstPort;
      } else {
        aHi = s.dstHi;
        aLo = s.dstLo;
        aPort = s.dstPort;
        bHi = s.srcHi;
        bLo = s.srcLo;
        bPort = s.srcPort;
      }
    }

    private static boolean lessOrEqual(long h1, long l1, int p1, long h2, long l2, int p2) {
      if (h1 != h2) {
        return Long.compareUnsigned(h1, h2) < 0;
      }
      if (l1 != l2) {
        return Long.compareUnsigned(l1, l2) < 0;
      }
      return p1 <= p2;
    }

    Key copy() {
      Key k = new Key();
      k.aHi = aHi;
      k.aLo = aLo;
      k.aPort = aPort;
      k.bHi = bHi;
      k.bLo = bLo;
      k.bPort = bPort;
      return k;
    }

    @Override
    public int hashCode() {
      long h = aHi * 0x9E3779B97F4A7C15L;
      h = (h ^ aLo) * 0x9E3779B97F4A7C15L;
      h = (h ^ bHi) * 0x9E3779B97F4A7C15L;
      h = (h ^ bLo) * 0x9E3779B97F4A7C15L;
      h = (h ^ ((long) aPort << 16 | bPort)) * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return aLo == k.aLo
          && bLo == k.bLo
          && aPort == k.aPort
          && bPort == k.bPort
          && aHi == k.aHi
          && bHi == k.bHi;
    }
  }
}
