package io.connscope.tcp;

/**
 * A connection attempt: a tuple that has seen only handshake packets (SYN, SYN/ACK, their
 * retransmissions, the ACK completing the handshake) without data, kept as a few packed header
 * records (about 200 bytes) instead of a full {@link Connection} (about 2.5 KB with its HTTP
 * state). A SYN flood or a scan of a million half-open connections thus costs memory per attempt,
 * not per connection.
 *
 * <p>Rule: an attempt absorbs a packet only when the full connection would have done nothing but
 * record it, with no listener call and no warning: a SYN or SYN/ACK without payload, FIN or RST; a
 * SYN only as the first packet or as a retransmission (same direction, same ISN) before any
 * SYN/ACK; a SYN/ACK only as the first packet, as a retransmission of the first one (same
 * direction, same ISN), or as the answer to the recorded SYN (other direction, ACK = ISN + 1); a
 * bare ACK only once, as the handshake's last packet (SYN's direction, SEQ = ISN + 1, ACK = the
 * SYN/ACK's ISN + 1), after which nothing more is absorbed; at most {@link #MAX_RECORDS} packets.
 * Any other packet, or finishing the tuple, promotes the attempt: the table builds the {@link
 * Connection} and replays the recorded packets through it in order, so every result is the one the
 * connection would have had from the first packet.
 */
final class Attempt extends TableEntry {
  /** Handshake packets kept before the attempt is promoted anyway. */
  static final int MAX_RECORDS = 4;

  private static final int LONGS = 5;

  final long reuseDelay;
  final int ipVersion;

  /** Per packet: frame, ts, seq<<32|ack, packed flags/window/options/direction, tsVal<<32|tsEcr. */
  private long[] rec = new long[LONGS];

  private int count;

  Attempt(ConnectionTable.Key key, long id, long createdAt, long reuseDelay, int ipVersion) {
    super(key, id, createdAt);
    this.reuseDelay = reuseDelay;
    this.ipVersion = ipVersion;
  }

  /** True for a packet an attempt may start with or keep. */
  static boolean handshakeOnly(Segment s) {
    return s.syn()
        && (s.flags & (Segment.FIN | Segment.RST)) == 0
        && s.payloadLength <= 0
        && s.payloadWireLength <= 0;
  }

  /** True when {@code s} (a packet of this tuple) can be recorded without promoting. */
  boolean absorbs(Segment s) {
    if (count >= MAX_RECORDS) {
      return false;
    }
    boolean fromA = fromA(s);
    long seq = s.seq & Seq.MASK;
    int syn = first(false), synAck = first(true);
    if (!s.syn()) {
      // the ACK completing the handshake, once: no data, nothing of the peer's left to deliver
      return s.flags == Segment.ACK
          && s.payloadLength <= 0
          && s.payloadWireLength <= 0
          && syn >= 0
          && synAck >= 0
          && !completed()
          && fromA(syn) == fromA
          && seq == Seq.add(seq(syn), 1)
          && (s.ack & Seq.MASK) == Seq.add(seq(synAck), 1);
    }
    if (!handshakeOnly(s) || completed()) {
      return false;
    }
    if (!s.hasAck()) {
      return synAck < 0 && (syn < 0 || fromA(syn) == fromA && seq(syn) == seq);
    }
    if (synAck >= 0 && (fromA(synAck) != fromA || seq(synAck) != seq)) {
      return false;
    }
    return syn < 0 || fromA(syn) != fromA && Seq.add(seq(syn), 1) == (s.ack & Seq.MASK);
  }

  /** Records {@code s}. */
  void add(Segment s) {
    if ((count + 1) * LONGS > rec.length) {
      rec = java.util.Arrays.copyOf(rec, rec.length * 2);
    }
    int i = count++ * LONGS;
    rec[i] = s.frame;
    rec[i + 1] = s.tsMicros;
    rec[i + 2] = (s.seq & Seq.MASK) << 32 | (s.ack & Seq.MASK);
    rec[i + 3] =
        (s.flags & 0xFFL)
            | (s.window & 0xFFFFL) << 8
            | (s.mss + 1 & 0x1FFFFL) << 24
            | (s.windowScale + 1 & 0x1FFL) << 41
            | (s.sackPermitted ? 1L << 50 : 0)
            | (s.hasTimestamps ? 1L << 51 : 0)
            | (fromA(s) ? 1L << 52 : 0);
    rec[i + 4] = (s.tsVal & Seq.MASK) << 32 | (s.tsEcr & Seq.MASK);
  }

  int count() {
    return count;
  }

  /** Fills {@code s} with recorded packet {@code k}, as the capture had it (no payload). */
  void replay(int k, Segment s) {
    int i = k * LONGS;
    long bits = rec[i + 3];
    boolean fromA = (bits & 1L << 52) != 0;
    ConnectionTable.Key t = key;
    s.frame = rec[i];
    s.tsMicros = rec[i + 1];
    s.ipVersion = ipVersion;
    s.srcHi = fromA ? t.aHi : t.bHi;
    s.srcLo = fromA ? t.aLo : t.bLo;
    s.srcPort = fromA ? t.aPort : t.bPort;
    s.dstHi = fromA ? t.bHi : t.aHi;
    s.dstLo = fromA ? t.bLo : t.aLo;
    s.dstPort = fromA ? t.bPort : t.aPort;
    s.seq = rec[i + 2] >>> 32;
    s.ack = rec[i + 2] & Seq.MASK;
    s.flags = (int) (bits & 0xFF);
    s.window = (int) (bits >>> 8 & 0xFFFF);
    s.mss = (int) (bits >>> 24 & 0x1FFFF) - 1;
    s.windowScale = (int) (bits >>> 41 & 0x1FF) - 1;
    s.sackPermitted = (bits & 1L << 50) != 0;
    s.hasTimestamps = (bits & 1L << 51) != 0;
    s.tsVal = rec[i + 4] >>> 32;
    s.tsEcr = rec[i + 4] & Seq.MASK;
    s.sackBlocks = 0; // handshake packets carry none that matter
    s.payload = null;
    s.payloadOffset = 0;
    s.payloadLength = 0;
    s.payloadWireLength = 0;
  }

  @Override
  long lastTs() {
    return rec[(count - 1) * LONGS + 1];
  }

  /** True once the handshake's last ACK is recorded. */
  private boolean completed() {
    return count > 0 && (rec[(count - 1) * LONGS + 3] & Segment.SYN) == 0;
  }

  /** Index of the first recorded SYN/ACK ({@code ack}) or SYN, -1 when none. */
  private int first(boolean ack) {
    for (int k = 0; k < count; k++) {
      long bits = rec[k * LONGS + 3];
      if ((bits & Segment.SYN) != 0 && ((bits & Segment.ACK) != 0) == ack) {
        return k;
      }
    }
    return -1;
  }

  private boolean fromA(int k) {
    return (rec[k * LONGS + 3] & 1L << 52) != 0;
  }

  private long seq(int k) {
    return rec[k * LONGS + 2] >>> 32;
  }

  private boolean fromA(Segment s) {
    ConnectionTable.Key t = key;
    return s.srcPort == t.aPort && s.srcLo == t.aLo && s.srcHi == t.aHi;
  }
}
