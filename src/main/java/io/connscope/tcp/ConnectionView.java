package io.connscope.tcp;

/**
 * What a finished connection is to the stages after it: its identity, handshake, close and
 * timeline, final once it finished (the timeline readable for as long as {@link ClosedConnection}
 * says). {@link Connection} is one while it lives; {@link ClosedConnection} is a copy taken when it
 * finishes, which the stage that reads connections across each other holds (it holds no reference
 * to the table).
 */
public interface ConnectionView extends ConnectionId {
  int ipVersion();

  long clientAddrHi();

  long clientAddrLo();

  int clientPort();

  long serverAddrHi();

  long serverAddrLo();

  int serverPort();

  /**
   * Direction {@code dir} ({@link io.connscope.common.Direction#CLIENT} or {@link
   * io.connscope.common.Direction#SERVER}).
   */
  HalfView half(int dir);

  long firstFrame();

  long firstTsMicros();

  long lastFrame();

  long lastTsMicros();

  long synFrame();

  long synTsMicros();

  long synAckFrame();

  long synAckTsMicros();

  long ackTsMicros();

  /** SYNs seen (retransmissions = synCount - 1). */
  int synCount();

  /** Last SYN to first SYN/ACK at the capture point, -1 when unknown. */
  long rttToServerMicros();

  /** Last SYN/ACK to the handshake ACK at the capture point, -1 when unknown. */
  long rttToClientMicros();

  Connection.CloseReason closeReason();

  /**
   * {@link io.connscope.common.Direction#CLIENT} or {@link io.connscope.common.Direction#SERVER}:
   * who sent the first FIN or RST, or -1.
   */
  int closedFirstBy();

  /** The packets kept, null when none are. */
  SegmentTimeline timeline();
}
