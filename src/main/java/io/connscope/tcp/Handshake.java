package io.connscope.tcp;

import io.connscope.tcp.Connection.Vantage;

/**
 * A connection's three-way handshake as the capture saw it: frames and times of the first SYN, the
 * first SYN/ACK and the ACK completing it, retransmission counts, and the two round trips at the
 * capture point that give the {@link Vantage} (see {@link Connection}). RTTs follow Karn: from the
 * last SYN before the first SYN/ACK, and from the last SYN/ACK before the ACK.
 */
final class Handshake {
  long synFrame = -1, synTs = -1;
  long synAckFrame = -1, synAckTs = -1;
  long ackFrame = -1, ackTs = -1;
  int synCount, synAckCount;
  long rttToServer = -1, rttToClient = -1;

  /** Acknowledgment number of the first SYN/ACK (client ISN + 1), -1 when none. */
  long synAckAck = -1;

  private long lastSynTs = -1, lastSynAckTs = -1;

  /** Payload bytes the first SYN/ACK carried (the completing ACK may cover them). */
  private int synAckPayload;

  /** A SYN without ACK. */
  void syn(long frame, long ts) {
    synCount++;
    if (synFrame < 0) {
      synFrame = frame;
      synTs = ts;
    }
    if (synAckFrame < 0) {
      lastSynTs = ts;
    }
  }

  /** A SYN/ACK carrying {@code wire} payload bytes; true when it is the first one. */
  boolean synAck(long ack, int wire, long frame, long ts) {
    synAckCount++;
    boolean first = synAckFrame < 0;
    if (first) {
      synAckFrame = frame;
      synAckTs = ts;
      synAckAck = ack & Seq.MASK;
      synAckPayload = wire;
      if (lastSynTs >= 0) {
        rttToServer = ts - lastSynTs;
      }
    }
    if (ackFrame < 0) {
      lastSynAckTs = ts;
    }
    return first;
  }

  /**
   * A client segment with ACK and without SYN, {@code serverIsn} the server's ISN (-1 when its
   * SYN/ACK was not seen): the first one acknowledging the SYN/ACK (ISN + 1), or the data the
   * SYN/ACK carried too (RFC 793 §3.4), completes the handshake.
   */
  void clientAck(long ack, long serverIsn, long frame, long ts) {
    if (ackFrame >= 0 || synAckFrame < 0 || serverIsn < 0) {
      return;
    }
    long a = ack & Seq.MASK;
    if (Seq.geq(a, Seq.add(serverIsn, 1)) && Seq.leq(a, Seq.add(serverIsn, 1 + synAckPayload))) {
      ackFrame = frame;
      ackTs = ts;
      rttToClient = ts - lastSynAckTs;
    }
  }

  Vantage vantage() {
    if (rttToServer < 0
        || rttToClient < 0
        || rttToServer + rttToClient < Connection.VANTAGE_LOCAL_MICROS) {
      return Vantage.UNKNOWN;
    }
    if (rttToServer >= Connection.VANTAGE_RATIO * rttToClient) {
      return Vantage.NEAR_CLIENT;
    }
    if (rttToClient >= Connection.VANTAGE_RATIO * rttToServer) {
      return Vantage.NEAR_SERVER;
    }
    return Vantage.BETWEEN;
  }
}
