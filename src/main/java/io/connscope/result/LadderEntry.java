package io.connscope.result;

/**
 * One packet of a finding's ladder (sequence) diagram.
 *
 * @param frame frame number
 * @param tsUs capture time since the first frame, microseconds
 * @param dir {@code c2s} (client to server) or {@code s2c}
 * @param flags TCP flags as Wireshark names them, e.g. {@code SYN,ACK}
 * @param seq sequence number relative to the sender's ISN
 * @param ack acknowledgment relative to the peer's ISN, -1 when none
 * @param len payload length on the wire
 */
public record LadderEntry(
    long frame, long tsUs, String dir, String flags, long seq, long ack, int len) {
  /** True for a packet from the client to the server. */
  public boolean clientToServer() {
    return "c2s".equals(dir);
  }
}
