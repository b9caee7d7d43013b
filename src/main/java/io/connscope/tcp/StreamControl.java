package io.connscope.tcp;

import io.connscope.common.Direction;

/**
 * What a stream listener may ask of its connection: which side is the client, and whether that was
 * known from the handshake or guessed. When a listener learns from content that the guess was wrong
 * (the presumed client speaks HTTP responses), it calls {@link #swapRoles()}; every later call uses
 * the new roles, and the report says the direction was inferred.
 */
public interface StreamControl {
  /** Direction index of the bytes the client sends ({@link Direction#CLIENT}). */
  int CLIENT = Direction.CLIENT;

  /** Direction index of the bytes the server sends ({@link Direction#SERVER}). */
  int SERVER = Direction.SERVER;

  /** True when client and server were not decided by a handshake (SYN seen). */
  boolean rolesInferred();

  /** Exchanges client and server roles (allowed only when {@link #rolesInferred()}). */
  void swapRoles();

  /**
   * During {@link StreamListener#onData}: the acknowledgment carried by the segment whose bytes are
   * being delivered, as an offset into the other direction's stream (how many of its bytes the
   * sender had received when it sent them), or -1 when the segment carried none or the other
   * direction's start is unknown. Offsets count from the first byte after the SYN, or from the
   * first byte seen (or first acknowledged) when the direction was picked up mid-stream, and
   * include bytes announced by {@link StreamListener#onGap}: a listener that counts delivered and
   * gap bytes per direction has the same offsets.
   */
  default long dataAck() {
    return -1;
  }

  /**
   * True when the capture holds the start of direction {@code dir}'s stream (its SYN was seen), so
   * its first bytes are the first bytes that side sent.
   */
  default boolean startSeen(int dir) {
    return true;
  }
}
