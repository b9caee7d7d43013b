package io.connscope.tcp;

import io.connscope.common.Warnings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test driver: builds segments between a client (10.0.0.1) and a server (10.0.0.2), feeds them to a
 * ConnectionTable through one reused Segment, and records every listener/handler call.
 */
final class TcpHarness implements ConnectionHandler {
  static final long V4 = 0xFFFF_0000_0000L;
  static final long CLI = V4 | 0x0A00_0001L, SRV = V4 | 0x0A00_0002L;
  static final int S = Segment.SYN,
      A = Segment.ACK,
      F = Segment.FIN,
      R = Segment.RST,
      P = Segment.PSH;

  final TcpOptions options;
  final Warnings warnings = new Warnings();
  final ConnectionTable table;
  final List<Connection> opened = new ArrayList<>();
  final List<Connection> closed = new ArrayList<>();

  /** Events per connection id (index id-1). */
  final List<List<String>> events = new ArrayList<>();

  final List<StringBuilder[]> streams = new ArrayList<>();

  /** Payload buffers onData received (to check zero copy). */
  final List<ByteBuffer> dataBuffers = new ArrayList<>();

  final Segment seg = new Segment();

  /** The capture buffer: payload is placed at offset 7 to check offsets are honoured. */
  final ByteBuffer capture = ByteBuffer.allocate(70_000);

  long frame;
  int cliPort = 40000, srvPort = 80;

  /** SACK edges (left, right, ...) the next segment carries; cleared after it. */
  private long[] nextSack = {};

  TcpHarness() {
    this(new TcpOptions());
  }

  TcpHarness(TcpOptions o) {
    options = o;
    table = new ConnectionTable(o, this, warnings);
  }

  /** Set when ids are given lazily: connections are then indexed in the order they open. */
  private boolean byOpening;

  /**
   * Ids given by {@code ids} from the creation frame, when first asked ({@link
   * ConnectionTable#assignIds(java.util.function.LongUnaryOperator,
   * java.util.function.LongConsumer)}, as a shard's table); this harness then asks for none.
   */
  TcpHarness lazyIds(java.util.function.LongUnaryOperator ids) {
    table.assignIds(ids, frame -> {});
    byOpening = true;
    return this;
  }

  TcpHarness ports(int client, int server) {
    cliPort = client;
    srvPort = server;
    return this;
  }

  /** Client to server segment. */
  TcpHarness c(long ts, int flags, long seq, long ack, String data) {
    return send(true, ts, flags, seq, ack, data, -1);
  }

  /** Server to client segment. */
  TcpHarness s(long ts, int flags, long seq, long ack, String data) {
    return send(false, ts, flags, seq, ack, data, -1);
  }

  /** The next segment carries these SACK blocks (absolute edges: left, right, left, right...). */
  TcpHarness sack(long... edges) {
    nextSack = edges;
    return this;
  }

  TcpHarness send(
      boolean fromClient, long ts, int flags, long seq, long ack, String data, int wireLen) {
    byte[] b = data == null ? new byte[0] : data.getBytes(StandardCharsets.ISO_8859_1);
    seg.clearOptions();
    for (int i = 0; i < nextSack.length; i++) {
      seg.sackEdges[i] = nextSack[i] & Seq.MASK;
    }
    seg.sackBlocks = nextSack.length / 2;
    nextSack = new long[0];
    seg.frame = ++frame;
    seg.tsMicros = ts;
    seg.ipVersion = 4;
    seg.srcHi = 0;
    seg.dstHi = 0;
    seg.srcLo = fromClient ? CLI : SRV;
    seg.dstLo = fromClient ? SRV : CLI;
    seg.srcPort = fromClient ? cliPort : srvPort;
    seg.dstPort = fromClient ? srvPort : cliPort;
    seg.seq = seq & Seq.MASK;
    seg.ack = ack & Seq.MASK;
    seg.flags = flags;
    seg.window = 1000;
    if ((flags & S) != 0) {
      seg.mss = 1460;
      seg.windowScale = 7;
      seg.sackPermitted = true;
    }
    for (int i = 0; i < 7; i++) {
      capture.put(i, (byte) 0xEE);
    }
    capture.put(7, b);
    seg.payload = capture;
    seg.payloadOffset = 7;
    seg.payloadLength = b.length;
    seg.payloadWireLength = wireLen < 0 ? b.length : wireLen;
    table.accept(seg);
    return this;
  }

  /** Standard handshake: client ISN ci, server ISN si, at t, t+rtt1, t+rtt1+rtt2. */
  TcpHarness handshake(long t, long ci, long si, long toServer, long toClient) {
    c(t, S, ci, 0, null);
    s(t + toServer, S | A, si, ci + 1, null);
    c(t + toServer + toClient, A, ci + 1, si + 1, null);
    return this;
  }

  TcpHarness finish() {
    table.finish();
    return this;
  }

  /** Connection {@code id}; a handshake-only attempt is promoted to its connection first. */
  Connection conn(int id) {
    table.promoteAttempts();
    return opened.get(id - 1);
  }

  List<String> ev(int id) {
    table.promoteAttempts();
    return events.get(id - 1);
  }

  String stream(int id, int dir) {
    table.promoteAttempts();
    return streams.get(id - 1)[dir].toString();
  }

  @Override
  public StreamListener open(Connection c) {
    // Attempts are promoted later than connections created after them: index by id.
    int i = byOpening ? opened.size() : (int) c.id() - 1;
    while (opened.size() <= i) {
      opened.add(null);
      events.add(null);
      streams.add(null);
    }
    opened.set(i, c);
    List<String> ev = new ArrayList<>();
    events.set(i, ev);
    StringBuilder[] st = {new StringBuilder(), new StringBuilder()};
    streams.set(i, st);
    return new StreamListener() {
      @Override
      public void onData(int dir, ByteBuffer buf, int off, int len, long fr, long ts) {
        byte[] b = new byte[len];
        buf.get(off, b);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        ev.add("D" + dir + ":" + s);
        st[dir].append(s);
        dataBuffers.add(buf);
      }

      @Override
      public void onGap(int dir, long len, long fr, long ts) {
        ev.add("G" + dir + ":" + len);
        st[dir].append("<gap " + len + ">");
      }

      @Override
      public void onFin(int dir, long fr, long ts) {
        ev.add("F" + dir);
      }

      @Override
      public void onRst(int dir, long fr, long ts) {
        ev.add("R" + dir);
      }

      @Override
      public void onClose(long ts) {
        ev.add("X");
      }
    };
  }

  @Override
  public void closed(Connection c) {
    closed.add(c);
    events.get(byOpening ? opened.indexOf(c) : (int) c.id() - 1).add("closed");
  }
}
