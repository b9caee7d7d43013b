package io.connscope.tcp;

import java.nio.ByteBuffer;

/**
 * One TCP connection: its endpoints and roles, handshake times, the two {@link HalfConnection}s, a
 * {@link SegmentTimeline}, a Zeek-style history, and the reassembly that feeds its {@link
 * StreamListener}. Created and driven by the {@link ConnectionTable}; read-only for everybody else
 * except {@link #swapRoles()}.
 *
 * <h2>Roles</h2>
 *
 * A SYN without ACK makes its sender the client ({@link RoleSource#SYN_ONLY}, {@link
 * RoleSource#HANDSHAKE} once the SYN/ACK is seen too); a SYN/ACK seen first makes its receiver the
 * client ({@link RoleSource#SYNACK_ONLY}). These three are handshake evidence: {@link
 * #rolesInferred()} is false and {@link #swapRoles()} is refused. Otherwise the roles are a guess
 * ({@link RoleSource#PORT}, {@link RoleSource#FIRST_PACKET}) that the HTTP layer may correct with
 * {@link #swapRoles()} ({@link RoleSource#CONTENT}). Everything per direction follows the current
 * roles: {@link #half(int)}, the timeline's {@code dir}, listener calls, {@link #history()}.
 *
 * <h2>Vantage</h2>
 *
 * At the capture point, SYN to SYN/ACK is the round trip capture point - server - capture point
 * ({@link #rttToServerMicros()}) and SYN/ACK to ACK the round trip to the client and back ({@link
 * #rttToClientMicros()}). When one is at least {@value #VANTAGE_RATIO} times the other the capture
 * was taken near the side with the short one ({@link Vantage#NEAR_CLIENT} when the client answers
 * fast); otherwise {@link Vantage#BETWEEN}. When both together are below {@value
 * #VANTAGE_LOCAL_MICROS} µs (loopback, same host or LAN) timing cannot tell and the answer is
 * {@link Vantage#UNKNOWN}, as it is without a complete handshake. SYN retransmissions are excluded:
 * the RTT is measured from the last SYN before the first SYN/ACK (Karn).
 *
 * <h2>Data RTT</h2>
 *
 * Per direction, one new (never a retransmitted, RFC 6298 §3 / Karn) data segment at a time is
 * timed from its capture to the capture of the peer's ACK covering it: the round trip from the
 * capture point to the receiver and back, including the receiver's ACK delay. Use the minimum as
 * the path estimate.
 */
public final class Connection extends TableEntry implements StreamControl, ConnectionView {
  /** How the client/server roles were decided. */
  public enum RoleSource {
    HANDSHAKE,
    SYN_ONLY,
    SYNACK_ONLY,
    PORT,
    CONTENT,
    FIRST_PACKET
  }

  /** Where the capture was taken, from the handshake timing. */
  public enum Vantage {
    NEAR_CLIENT,
    NEAR_SERVER,
    BETWEEN,
    UNKNOWN
  }

  /**
   * How the connection ended. TCP evidence wins over the table's reason: {@link #RST} when a reset
   * was seen, {@link #BOTH_FIN} when both sides sent FIN; {@link #FIN} when only one did and the
   * table then finished it as idle, evicted or reused; otherwise why the table finished it: {@link
   * #REUSED} (a new SYN took the tuple), {@link #EVICTED}, {@link #IDLE}, {@link #CAPTURE_END}
   * (also for a half-closed connection still open at the end: see the halves' {@code finFrame}).
   * {@link #OPEN} while it is still open.
   */
  public enum CloseReason {
    OPEN,
    FIN,
    BOTH_FIN,
    RST,
    REUSED,
    EVICTED,
    IDLE,
    CAPTURE_END
  }

  /** Ratio of the two handshake round trips above which the capture is "near" one side. */
  public static final long VANTAGE_RATIO = 4;

  /** Handshake total below which the vantage point cannot be told (loopback, LAN). */
  public static final long VANTAGE_LOCAL_MICROS = 1000;

  /** ACKs further than this beyond the data seen are ignored as implausible. */
  private static final int ACK_SANITY = 1 << 30;

  private static final StreamListener NO_LISTENER =
      new StreamListener() {
        @Override
        public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long ts) {}

        @Override
        public void onGap(int dir, long len, long frame, long ts) {}

        @Override
        public void onFin(int dir, long frame, long ts) {}

        @Override
        public void onRst(int dir, long frame, long ts) {}

        @Override
        public void onClose(long ts) {}
      };

  private final ConnectionContext ctx;

  /** "C" + id, made once: detectors and reports ask for it many times per connection. */
  private String idString;

  private final int ipVersion;
  // Endpoints in the original orientation: index 0 is the client as first decided.
  private final long[] addrHi = new long[2], addrLo = new long[2];
  private final int[] port = new int[2];
  private final HalfConnection[] halves = {new HalfConnection(), new HalfConnection()};

  /** Reassembly per original direction. */
  private final Reassembler[] streams;

  private final SegmentTimeline timeline;
  private boolean swapped;
  private RoleSource roleSource;
  private final boolean midstream;
  private StreamListener listener = NO_LISTENER;

  /** {@link #dataAck()} while bytes are delivered. */
  private long deliveryAck = -1;

  // Table bookkeeping.
  boolean closeRequested;
  private CloseReason closeReason = CloseReason.OPEN;
  private int closedFirstByOrig = -1;
  private boolean rstSeen;
  long tupleReuseDelayMicros = -1;
  private boolean timelineWarned;
  private boolean directionWarned;

  private final long firstFrame, firstTs;
  private long lastFrame, lastTs;

  private final Handshake handshake = new Handshake();

  private final History history = new History();

  Connection(
      ConnectionContext ctx,
      ConnectionTable.Key key,
      long id,
      long createdAt,
      Segment s,
      boolean clientIsSource,
      RoleSource roleSource) {
    super(key, id, createdAt);
    this.ctx = ctx;
    this.ipVersion = s.ipVersion;
    this.roleSource = roleSource;
    this.midstream = !s.syn();
    int c = clientIsSource ? 0 : 1;
    addrHi[c] = s.srcHi;
    addrLo[c] = s.srcLo;
    port[c] = s.srcPort;
    addrHi[c ^ 1] = s.dstHi;
    addrLo[c ^ 1] = s.dstLo;
    port[c ^ 1] = s.dstPort;
    this.timeline = new SegmentTimeline(ctx.options.timelineCapacity, ctx);
    Reassembler.Output out = new Delivery();
    this.streams =
        new Reassembler[] {
          new Reassembler(0, halves[0], ctx, out), new Reassembler(1, halves[1], ctx, out)
        };
    this.firstFrame = s.frame;
    this.firstTs = s.tsMicros;
    this.lastFrame = s.frame;
    this.lastTs = s.tsMicros;
  }

  void setListener(StreamListener l) {
    listener = l == null ? NO_LISTENER : l;
  }

  /** Original direction of a segment: 0 when sent by the original client. */
  int origDir(Segment s) {
    return s.srcPort == port[0] && s.srcLo == addrLo[0] && s.srcHi == addrHi[0] ? 0 : 1;
  }

  private int cur(int orig) {
    return swapped ? orig ^ 1 : orig;
  }

  // ---------------------------------------------------------------------------------------------
  // Segment processing.

  void segment(Segment s, int o) {
    HalfConnection h = halves[o], p = halves[o ^ 1];
    long frame = s.frame, ts = s.tsMicros;
    lastFrame = frame;
    lastTs = ts;
    h.packets++;
    boolean syn = s.syn(), fin = s.fin(), rst = s.rst(), ack = s.hasAck();
    int cap = s.payload == null ? 0 : Math.max(0, s.payloadLength);
    int wire = Math.max(s.payloadWireLength, cap);
    long seq = s.seq & Seq.MASK;
    int kind = 0;

    if (syn) {
      handshakeSyn(s, o, ack, wire, frame, ts);
    }
    startStreams(s, o, ack && !rst, syn, wire, seq);
    // A SYN's data starts after the SYN's own sequence number (RFC 793 §3.3): the timeline keeps
    // [seq, seq + len) as the data's range, so a SYN or SYN/ACK with data is recorded at ISN + 1.
    long relSeq = h.rel(syn && wire > 0 ? Seq.add(seq, 1) : seq);
    long relAck = ack && p.seqKnown ? Math.max(0, p.rel(s.ack)) : -1;
    if (!syn && ack && o == 0) {
      handshake.clientAck(s.ack, halves[1].sawSyn ? halves[1].isn : -1, frame, ts);
    }

    // Window (RFC 7323 §2.2: the window field of a SYN is never scaled).
    int win = s.window & 0xFFFF;
    long scaled = !syn && h.effectiveScale > 0 ? (long) win << h.effectiveScale : win;
    if (!rst) {
      if (scaled > h.maxWindow) {
        h.maxWindow = scaled;
      }
      if (win == 0 && !syn) {
        h.zeroWindows++;
        history.log(o, 'w', 0);
      }
    }

    long dataSeq = syn ? Seq.add(seq, 1) : seq;
    long end = Seq.add(dataSeq, wire);
    if (fin) {
      if (!h.finSeen) {
        h.finSeen = true;
        h.finSeq = end;
        h.finFrame = frame;
        h.finTs = ts;
        if (closedFirstByOrig < 0) {
          closedFirstByOrig = o;
        }
      } else if (wire == 0) {
        kind |= SegmentTimeline.RETRANSMISSION;
        h.retransmissions++;
      }
      h.highSeq = Seq.max(h.highSeq, Seq.add(end, 1));
    }

    // The ACK first: the peer's bytes it acknowledges were received before this segment was
    // sent, so they (or their gaps) reach the listener before this segment's data.
    long dataAck = -1;
    if (ack && !rst && p.seqKnown) {
      ackReceived(o, s.ack & Seq.MASK, frame, ts);
      dataAck = Math.max(0, p.rel(s.ack & Seq.MASK) - 1);
    }

    if (!syn && !fin && !rst && wire <= 1 && seq == Seq.add(h.nextSeq, -1)) {
      // Keep-alive probe (RFC 1122 §4.2.3.6): 0 or 1 garbage byte at SND.NXT - 1.
      kind |= SegmentTimeline.KEEP_ALIVE;
      h.keepAlives++;
    } else if (wire > 0) {
      h.payloadBytes += wire;
      h.dataSegments++;
      kind |= data(s, o, dataSeq, cap, wire, end, frame, ts, dataAck);
    }
    if (fin) {
      streams[o].checkFin();
    }

    recordHistory(o, s.flags, wire, kind, seq);

    boolean recorded =
        timeline.add(
            ts,
            frame,
            o,
            relSeq,
            relAck,
            wire,
            (int) Math.min(scaled, Integer.MAX_VALUE),
            s.flags,
            kind);
    if (!recorded && !timelineWarned) {
      timelineWarned = true;
      ctx.warnings.count(
          timeline.truncatedByTotal() ? "tcp.timeline_total_full" : "tcp.timeline_truncated",
          frame);
    } else if (recorded && s.sackBlocks > 0 && relAck >= 0 && !rst && !syn) {
      // the SACK blocks of the peer's bytes (RFC 2018 §3), for loss analysis (D-SACK: RFC 2883)
      for (int b = 0; b < s.sackBlocks; b++) {
        long l = p.relPeek(s.sackEdges[2 * b]), r = p.relPeek(s.sackEdges[2 * b + 1]);
        if (l >= 0 && r > l && !timeline.addSack(l, r)) {
          break;
        }
      }
    }

    if (rst) {
      reset(o, frame, ts);
    } else if (halves[0].finAcked && halves[1].finAcked) {
      // Both FINs sent and acknowledged: the close handshake is over (RFC 793 §3.5).
      closeRequested = true;
    }
  }

  /**
   * Starts a direction whose SYN was not seen: the peer's stream from this segment's ACK (when
   * {@code acks}), this side's from the segment itself; and re-bases a start that a keep-alive
   * probe gave.
   */
  private void startStreams(Segment s, int o, boolean acks, boolean syn, int wire, long seq) {
    HalfConnection h = halves[o], p = halves[o ^ 1];
    if (acks && !p.seqKnown) {
      // The peer's stream is not known yet (mid-stream, or its packets are not in the capture):
      // it starts where this side has received it to. A one-sided capture thus still has the
      // peer's stream, as gaps announced by the ACKs that acknowledge it.
      p.init(Seq.add(s.ack & Seq.MASK, -1));
      p.midstreamStart = true;
    }
    if (!h.seqKnown) {
      // Mid-stream: the first segment seen starts the direction's stream.
      h.init(Seq.add(seq, -1));
      h.midstreamStart = true;
    } else if (h.startUntouched()
        && streams[o].empty()
        && !syn
        && wire > 0
        && seq == Seq.add(h.nextSeq, 1)) {
      // Mid-stream, nothing delivered yet, data one byte past the start: the segment the start
      // was taken from was a keep-alive probe at SND.NXT - 1 (RFC 1122 §4.2.3.6), not a hole.
      h.init(seq - 1 & Seq.MASK);
    }
  }

  /** History letters of one segment (upper case = original client). */
  private void recordHistory(int o, int flags, int wire, int kind, long seq) {
    boolean syn = (flags & Segment.SYN) != 0, fin = (flags & Segment.FIN) != 0;
    boolean rst = (flags & Segment.RST) != 0, ack = (flags & Segment.ACK) != 0;
    if (syn) {
      history.repeat(o, ack ? 'h' : 's', ack ? 1 : 0, seq);
    }
    if (fin) {
      history.repeat(o, 'f', 2, seq);
    }
    if (rst) {
      history.repeat(o, 'r', 3, seq);
    }
    if (wire > 0 && (kind & SegmentTimeline.KEEP_ALIVE) == 0) {
      history.once(o, 'd', 0);
      if ((kind & SegmentTimeline.RETRANSMISSION) != 0) {
        history.log(o, 't', 1);
      }
    } else if (ack && !syn && !fin && !rst) {
      history.once(o, 'a', 1);
    }
  }

  /** An RST from direction {@code o}: both streams end, the listener is told, the table closes. */
  private void reset(int o, long frame, long ts) {
    HalfConnection h = halves[o];
    if (h.rstFrame < 0) {
      h.rstFrame = frame;
      h.rstTs = ts;
    }
    if (closedFirstByOrig < 0) {
      closedFirstByOrig = o;
    }
    rstSeen = true;
    int c = cur(CLIENT);
    streams[c].flushAll(frame, ts);
    streams[c ^ 1].flushAll(frame, ts);
    listener.onRst(cur(o), frame, ts);
    closeRequested = true;
  }

  private void handshakeSyn(Segment s, int o, boolean ack, int wire, long frame, long ts) {
    HalfConnection h = halves[o];
    long seq = s.seq & Seq.MASK;
    if (!h.sawSyn) {
      h.sawSyn = true;
      if (!h.seqKnown || (h.deliveredBytes == 0 && streams[o].empty() && !h.finSeen)) {
        h.init(seq);
      }
      h.mss = s.mss;
      h.windowScale = s.windowScale;
      h.sackPermitted = s.sackPermitted;
    } else if (seq != h.isn) {
      ctx.warnings.count("tcp.syn_seq_changed", frame);
    }
    if (!ack) {
      handshake.syn(frame, ts);
      if (roleSource == RoleSource.SYNACK_ONLY && o == 0) {
        roleSource = RoleSource.HANDSHAKE;
      }
      return;
    }
    if (handshake.synAck(s.ack, wire, frame, ts)) {
      if (roleSource == RoleSource.SYN_ONLY) {
        roleSource = RoleSource.HANDSHAKE;
      }
      // RFC 7323 §2.2: scaling is on only when both SYNs carry the option; a SYN/ACK may carry
      // it only if the SYN did, so a SYN/ACK without it switches scaling off for both sides.
      HalfConnection c = halves[o ^ 1];
      if (h.windowScale < 0) {
        h.effectiveScale = 0;
        c.effectiveScale = 0;
      } else {
        h.effectiveScale = Math.min(14, h.windowScale);
        if (c.sawSyn) {
          c.effectiveScale = c.windowScale < 0 ? 0 : Math.min(14, c.windowScale);
        }
      }
    }
  }

  /** Payload of a segment that is not a keep-alive; returns timeline kind bits. */
  private int data(
      Segment s,
      int o,
      long dataSeq,
      int cap,
      int wire,
      long end,
      long frame,
      long ts,
      long dataAck) {
    HalfConnection h = halves[o];
    if (Seq.leq(end, h.nextSeq)) {
      // Everything seen before: a retransmission (or a duplicate in the capture).
      h.retransmissions++;
      h.retransmittedBytes += wire;
      if (h.timing && Seq.lt(dataSeq, h.timedEnd)) {
        h.timing = false;
      }
      return SegmentTimeline.RETRANSMISSION;
    }
    boolean newHigh = Seq.gt(end, h.highSeq);
    int kind = 0;
    if (Seq.leq(dataSeq, h.nextSeq)) {
      int skip = Seq.diff(h.nextSeq, dataSeq);
      if (skip > 0) {
        h.retransmittedBytes += skip;
        if (h.timing && Seq.lt(dataSeq, h.timedEnd)) {
          h.timing = false;
        }
      }
      if (!streams[o].empty()) {
        streams[o].countConflicts(s, dataSeq, cap, frame);
      }
      streams[o].deliverSegment(s.payload, s.payloadOffset, dataSeq, cap, end, frame, ts, dataAck);
    } else {
      kind = streams[o].bufferAhead(s, dataSeq, cap, end, frame, ts, dataAck);
      if (kind == SegmentTimeline.RETRANSMISSION) {
        newHigh = false;
        if (h.timing && Seq.lt(dataSeq, h.timedEnd)) {
          h.timing = false;
        }
      }
    }
    if (newHigh) {
      h.highSeq = end;
      if (!h.timing) {
        h.timing = true;
        h.timedEnd = end;
        h.timedTs = ts;
      }
    }
    return kind;
  }

  /** An ACK from direction {@code o} for the data of the other direction. */
  private void ackReceived(int o, long a, long frame, long ts) {
    int po = o ^ 1;
    HalfConnection p = halves[po];
    if (p.timing && Seq.geq(a, p.timedEnd)) {
      p.rttSample(ts - p.timedTs);
      p.timing = false;
    }
    long target = a;
    if (p.finSeen && Seq.gt(a, p.finSeq)) {
      target = p.finSeq;
      p.finAcked = true;
    }
    if (!Seq.gt(target, p.nextSeq)) {
      return;
    }
    if (Seq.diff(target, p.nextSeq) > ACK_SANITY) {
      ctx.warnings.count("tcp.ack_implausible", frame);
      return;
    }
    if (p.startUntouched()
        && streams[po].empty()
        && p.payloadBytes == 0
        && target == Seq.add(p.nextSeq, 1)) {
      // The direction's start was taken from a segment without data that was a keep-alive probe
      // at SND.NXT - 1 (RFC 1122 §4.2.3.6): the ACK answering it is not a byte lost.
      p.init(Seq.add(target, -1));
      return;
    }
    if (Seq.gt(target, p.highSeq)) {
      if (p.packets == 0) {
        // The peer's packets are not in the capture at all (a one-direction tap, asymmetric
        // routing): its stream is known only from these ACKs. Said once per connection.
        if (!directionWarned) {
          directionWarned = true;
          ctx.warnings.count("tcp.direction_not_captured", frame);
        }
      } else {
        // The peer acknowledged bytes the capture never saw: capture loss in direction po.
        ctx.warnings.count("tcp.acked_unseen", frame);
      }
      p.highSeq = target;
    }
    // Data acknowledged but missing from the capture will never come: declare the holes.
    streams[po].acknowledgedTo(target, frame, ts);
  }

  /** Hands a direction's bytes, gaps and FIN to the listener under the current roles. */
  private final class Delivery implements Reassembler.Output {
    @Override
    public void data(int o, ByteBuffer buf, int off, int len, long frame, long ts, long dataAck) {
      deliveryAck = dataAck;
      listener.onData(cur(o), buf, off, len, frame, ts);
      deliveryAck = -1;
    }

    @Override
    public void gap(int o, long len, long frame, long ts) {
      history.log(o, 'g', 2);
      listener.onGap(cur(o), len, frame, ts);
    }

    @Override
    public void fin(int o, long frame, long ts) {
      listener.onFin(cur(o), frame, ts);
    }
  }

  /** Called by the table to finish the connection; TCP evidence decides the reason first. */
  void close(CloseReason tableReason, long ts) {
    int c = cur(CLIENT);
    streams[c].flushAll(lastFrame, lastTs);
    streams[c ^ 1].flushAll(lastFrame, lastTs);
    boolean fin0 = halves[0].finSeen, fin1 = halves[1].finSeen;
    closeReason =
        rstSeen
            ? CloseReason.RST
            : fin0 && fin1
                ? CloseReason.BOTH_FIN
                : (fin0 || fin1) && tableReason != CloseReason.CAPTURE_END
                    ? CloseReason.FIN
                    : tableReason;
    listener.onClose(ts);
  }

  /** Detaches the listener and drops buffers; after this the table forgets the connection. */
  void release(boolean keepTimeline) {
    if (keepTimeline) {
      timeline.returnBudget();
    } else {
      timeline.release();
    }
    listener = NO_LISTENER;
    lruPrev = null;
    lruNext = null;
  }

  boolean closedByTcp() {
    return rstSeen || (halves[0].finSeen && halves[1].finSeen);
  }

  boolean hasData() {
    return halves[0].payloadBytes > 0 || halves[1].payloadBytes > 0;
  }

  /** Original direction's half (for the table's tombstones). */
  HalfConnection origHalf(int o) {
    return halves[o];
  }

  // ---------------------------------------------------------------------------------------------
  // StreamControl.

  @Override
  public boolean startSeen(int dir) {
    return halves[cur(dir)].sawSyn;
  }

  @Override
  public long dataAck() {
    return deliveryAck;
  }

  @Override
  public boolean rolesInferred() {
    return roleSource == RoleSource.PORT
        || roleSource == RoleSource.FIRST_PACKET
        || roleSource == RoleSource.CONTENT;
  }

  /**
   * Exchanges the roles when they were inferred (counts {@code tcp.swap_roles_refused} and does
   * nothing otherwise); records {@code ^} in the history.
   */
  @Override
  public void swapRoles() {
    if (!rolesInferred()) {
      ctx.warnings.count("tcp.swap_roles_refused", lastFrame);
      return;
    }
    swapped = !swapped;
    roleSource = RoleSource.CONTENT;
    timeline.swap();
    history.swapped();
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors.

  /** 1-based, in creation order. */
  public long id() {
    if (id == 0) {
      // given lazily: the same value whichever thread asks first; 0 back means the table's thread
      // gave it meanwhile, and what the ids function read makes that write visible here
      long given = ctx.ids.applyAsLong(createdAt);
      if (given == 0 && (given = id) == 0) {
        throw new IllegalStateException("connection id neither given nor computable");
      }
      id = given;
    }
    return id;
  }

  @Override
  public long idIfGiven() {
    return id;
  }

  /** "C" followed by the id. */
  public String idString() {
    if (idString == null) {
      idString = "C" + id();
    }
    return idString;
  }

  public int ipVersion() {
    return ipVersion;
  }

  public long clientAddrHi() {
    return addrHi[cur(CLIENT)];
  }

  public long clientAddrLo() {
    return addrLo[cur(CLIENT)];
  }

  public int clientPort() {
    return port[cur(CLIENT)];
  }

  public long serverAddrHi() {
    return addrHi[cur(SERVER)];
  }

  public long serverAddrLo() {
    return addrLo[cur(SERVER)];
  }

  public int serverPort() {
    return port[cur(SERVER)];
  }

  public RoleSource roleSource() {
    return roleSource;
  }

  /** Direction {@code dir} ({@link #CLIENT} or {@link #SERVER}) under the current roles. */
  public HalfConnection half(int dir) {
    return halves[cur(dir)];
  }

  public long firstFrame() {
    return firstFrame;
  }

  public long firstTsMicros() {
    return firstTs;
  }

  public long lastFrame() {
    return lastFrame;
  }

  public long lastTsMicros() {
    return lastTs;
  }

  @Override
  long lastTs() {
    return lastTs;
  }

  public long synFrame() {
    return handshake.synFrame;
  }

  public long synTsMicros() {
    return handshake.synTs;
  }

  public long synAckFrame() {
    return handshake.synAckFrame;
  }

  public long synAckTsMicros() {
    return handshake.synAckTs;
  }

  /** The client's ACK completing the handshake, -1 when not seen. */
  public long ackFrame() {
    return handshake.ackFrame;
  }

  public long ackTsMicros() {
    return handshake.ackTs;
  }

  /** SYNs seen (retransmissions = synCount - 1). */
  public int synCount() {
    return handshake.synCount;
  }

  public int synAckCount() {
    return handshake.synAckCount;
  }

  /** True when both the SYN and the SYN/ACK were seen. */
  public boolean sawHandshake() {
    return handshake.synFrame >= 0 && handshake.synAckFrame >= 0;
  }

  /** True when SYN, SYN/ACK and the final ACK were seen. */
  public boolean handshakeComplete() {
    return sawHandshake() && handshake.ackFrame >= 0;
  }

  /** True when the first packet seen was neither SYN nor SYN/ACK. */
  public boolean midstream() {
    return midstream;
  }

  /** Last SYN to first SYN/ACK at the capture point, -1 when unknown. */
  public long rttToServerMicros() {
    return handshake.rttToServer;
  }

  /** Last SYN/ACK to the handshake ACK at the capture point, -1 when unknown. */
  public long rttToClientMicros() {
    return handshake.rttToClient;
  }

  /** Where the capture was taken, see the class comment. */
  /** Acknowledgment number of the first SYN/ACK (client ISN + 1), -1 when none. */
  long synAckAck() {
    return handshake.synAckAck;
  }

  public Vantage vantage() {
    return handshake.vantage();
  }

  public CloseReason closeReason() {
    return closeReason;
  }

  /** {@link #CLIENT} or {@link #SERVER}: who sent the first FIN or RST; -1 when nobody did. */
  public int closedFirstBy() {
    return closedFirstByOrig < 0 ? -1 : cur(closedFirstByOrig);
  }

  /**
   * Capture time between the close of the previous connection on this 4-tuple and this connection's
   * first packet, when that previous connection was closed less than {@code timeWaitMicros} before;
   * -1 otherwise.
   */
  public long tupleReuseDelayMicros() {
    return tupleReuseDelayMicros;
  }

  public SegmentTimeline timeline() {
    return timeline;
  }

  /**
   * Zeek conn.log style history: s SYN, h SYN/ACK, a pure ACK, d data, f FIN, r RST, t
   * retransmitted data, w zero window, g content gap, ^ roles swapped; upper case for the client. a
   * and d are recorded once per direction; s, h, f, r again when their sequence number changes; t,
   * w, g at the 1st, 10th, 100th... occurrence.
   */
  public String history() {
    return history.render(swapped);
  }

  @Override
  public String toString() {
    return idString() + " " + history();
  }
}
