package io.connscope.tcp;

import io.connscope.common.Direction;

/**
 * A finished connection's {@link ConnectionView}, copied from the {@link Connection} when it
 * finished: plain values and its timeline, nothing of the table or the reassembly, so that it can
 * cross a thread while the connection's shard goes on, and is the form a stage in another process
 * would receive. The timeline is the connection's own object, not a copy: it stays readable after
 * the close only where the table keeps finished connections' timelines ({@link
 * ConnectionTable#keepTimelines}: a sharded analysis, a connection stage alone); elsewhere it is
 * emptied once the stages after the connection have handled its close. Its id is asked of the
 * connection only when first read (in a sharded analysis an id waits for the other shards to pass
 * the connection's creation: the stage that reads it runs after them), then kept; it is read on one
 * thread.
 */
public final class ClosedConnection implements ConnectionView {
  /** One direction's {@link HalfView}, copied. */
  public record Half(long finFrame, long finTs, long rstFrame, long rstTs, long rttMinMicros)
      implements HalfView {
    static Half of(HalfView h) {
      return new Half(h.finFrame(), h.finTs(), h.rstFrame(), h.rstTs(), h.rttMinMicros());
    }
  }

  /**
   * The live connection, until its id is read; never serialised (transient): a copy written for a
   * stage in another process has read it first (the Spark job's Kryo, {@code
   * io.connscope.spark.KryoClasses}).
   */
  private transient Connection idOf;

  private long id;
  private String idString;
  private final Half client, server;
  private final int ipVersion;
  private final long clientAddrHi;
  private final long clientAddrLo;
  private final int clientPort;
  private final long serverAddrHi;
  private final long serverAddrLo;
  private final int serverPort;
  private final long firstFrame;
  private final long firstTsMicros;
  private final long lastFrame;
  private final long lastTsMicros;
  private final long synFrame;
  private final long synTsMicros;
  private final long synAckFrame;
  private final long synAckTsMicros;
  private final long ackTsMicros;
  private final int synCount;
  private final long rttToServerMicros;
  private final long rttToClientMicros;
  private final Connection.CloseReason closeReason;
  private final int closedFirstBy;
  private final SegmentTimeline timeline;

  private ClosedConnection(Connection c) {
    this.idOf = c;
    this.client = Half.of(c.half(Direction.CLIENT));
    this.server = Half.of(c.half(Direction.SERVER));
    this.ipVersion = c.ipVersion();
    this.clientAddrHi = c.clientAddrHi();
    this.clientAddrLo = c.clientAddrLo();
    this.clientPort = c.clientPort();
    this.serverAddrHi = c.serverAddrHi();
    this.serverAddrLo = c.serverAddrLo();
    this.serverPort = c.serverPort();
    this.firstFrame = c.firstFrame();
    this.firstTsMicros = c.firstTsMicros();
    this.lastFrame = c.lastFrame();
    this.lastTsMicros = c.lastTsMicros();
    this.synFrame = c.synFrame();
    this.synTsMicros = c.synTsMicros();
    this.synAckFrame = c.synAckFrame();
    this.synAckTsMicros = c.synAckTsMicros();
    this.ackTsMicros = c.ackTsMicros();
    this.synCount = c.synCount();
    this.rttToServerMicros = c.rttToServerMicros();
    this.rttToClientMicros = c.rttToClientMicros();
    this.closeReason = c.closeReason();
    this.closedFirstBy = c.closedFirstBy();
    this.timeline = c.timeline();
  }

  /** The view of {@code c}, which has finished. */
  public static ClosedConnection of(Connection c) {
    return new ClosedConnection(c);
  }

  @Override
  public long id() {
    if (idOf != null) {
      id = idOf.id();
      idString = idOf.idString();
      idOf = null;
    }
    return id;
  }

  @Override
  public String idString() {
    id();
    return idString;
  }

  @Override
  public HalfView half(int dir) {
    return dir == Direction.CLIENT ? client : server;
  }

  @Override
  public int ipVersion() {
    return ipVersion;
  }

  @Override
  public long clientAddrHi() {
    return clientAddrHi;
  }

  @Override
  public long clientAddrLo() {
    return clientAddrLo;
  }

  @Override
  public int clientPort() {
    return clientPort;
  }

  @Override
  public long serverAddrHi() {
    return serverAddrHi;
  }

  @Override
  public long serverAddrLo() {
    return serverAddrLo;
  }

  @Override
  public int serverPort() {
    return serverPort;
  }

  @Override
  public long firstFrame() {
    return firstFrame;
  }

  @Override
  public long firstTsMicros() {
    return firstTsMicros;
  }

  @Override
  public long lastFrame() {
    return lastFrame;
  }

  @Override
  public long lastTsMicros() {
    return lastTsMicros;
  }

  @Override
  public long synFrame() {
    return synFrame;
  }

  @Override
  public long synTsMicros() {
    return synTsMicros;
  }

  @Override
  public long synAckFrame() {
    return synAckFrame;
  }

  @Override
  public long synAckTsMicros() {
    return synAckTsMicros;
  }

  @Override
  public long ackTsMicros() {
    return ackTsMicros;
  }

  @Override
  public int synCount() {
    return synCount;
  }

  @Override
  public long rttToServerMicros() {
    return rttToServerMicros;
  }

  @Override
  public long rttToClientMicros() {
    return rttToClientMicros;
  }

  @Override
  public Connection.CloseReason closeReason() {
    return closeReason;
  }

  @Override
  public int closedFirstBy() {
    return closedFirstBy;
  }

  @Override
  public SegmentTimeline timeline() {
    return timeline;
  }
}
