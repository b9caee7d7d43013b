package io.connscope.tls;

import io.connscope.result.TlsFacts;
import io.connscope.tcp.StreamControl;
import io.connscope.tcp.StreamListener;
import java.nio.ByteBuffer;

/**
 * TLS on one TCP connection: sits between the connection's reassembled streams and the HTTP layer.
 * A connection whose first data byte is no TLS record (the signature the HTTP layer also knows: a
 * handshake record, or any record type 20-23 with major version 3) is passed through untouched, at
 * the cost of one branch per call and no state. A TLS connection gets a {@link TlsSession}: parsed
 * record by record in each direction, on any port, without keys: the handshake's plaintext messages
 * (ClientHello, ServerHello, Certificate...), the sizes and times of the encrypted records, the
 * alerts.
 *
 * <p>Without keys for the connection, the HTTP layer receives the raw bytes, as before (it marks
 * the connection not HTTP, reason {@code tls}). With keys ({@link TlsKeys}: the key log or a pcapng
 * Decryption Secrets Block) and a suite connscope decrypts, it receives the plaintext of the
 * application data records instead, and this tracker, as the HTTP layer's {@link StreamControl},
 * maps stream offsets: plaintext byte offsets count plaintext only, and an acknowledgment in the
 * other direction covers the plaintext of every record that ended at or before the acknowledged raw
 * offset. Each plaintext chunk carries the frame and time of the segment that completed its record.
 *
 * <p>Robustness: a record header that is not one (type outside 20..24, major version not 3, a
 * length over 2^14 + 2048), or a gap in a direction, ends the parsing of that direction with a
 * note; with decryption, the HTTP layer is told of the gap (its length in raw bytes: an upper bound
 * of the plaintext lost) and gets no more plaintext from that direction. A record that does not
 * authenticate ends decryption of its direction (later records reach the HTTP layer as gaps); when
 * it is the first one (a wrong key), the connection falls back to the keyless view: the HTTP layer
 * is given the client's first record header and then the raw bytes, so it reports the connection as
 * TLS, never garbage.
 *
 * <p>Single-threaded, driven by the connection. Records are not copied unless they must be read
 * (plaintext handshake messages, alerts, every record when decrypting).
 */
public final class TlsTracker implements StreamListener, StreamControl {
  private final StreamControl conn;
  private final TlsKeys keys;
  private StreamListener down;
  private boolean pass;
  private TlsSession tls;

  /**
   * @param conn the connection (its roles, acknowledgments, whether each stream's start is seen)
   * @param keys the secrets to decrypt with; empty (or null) for none
   */
  public TlsTracker(StreamControl conn, TlsKeys keys) {
    this.conn = conn;
    this.keys = keys == null ? new TlsKeys() : keys;
  }

  /** The listener that gets the raw bytes, or the plaintext (the HTTP layer). */
  public void setDownstream(StreamListener down) {
    this.down = down;
  }

  /** What the HTTP layer may ask of the connection, with plaintext offsets when decrypting. */
  public StreamControl control() {
    return this;
  }

  /** True once the connection was recognised as TLS. */
  public boolean isTls() {
    return tls != null;
  }

  /**
   * The TLS facts of the connection, null when it is not TLS. Call after {@link #onClose}; {@code
   * tcpConnectUs} is the TCP handshake's time (SYN to ACK), -1 when not seen.
   */
  public TlsFacts facts(long tcpConnectUs) {
    return tls == null ? null : tls.facts(tcpConnectUs);
  }

  // ---- StreamListener --------------------------------------------------------------------

  @Override
  public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long tsMicros) {
    if (pass) {
      down.onData(dir, buf, off, len, frame, tsMicros);
      return;
    }
    if (tls == null) {
      if (len <= 0) {
        return;
      }
      if (!TlsSession.signature(buf, off, len)) {
        pass = true;
        down.onData(dir, buf, off, len, frame, tsMicros);
        return;
      }
      tls = new TlsSession(conn, keys, down);
    }
    tls.onData(dir, buf, off, len, frame, tsMicros);
    if (tls.keyArrived()) {
      replay();
    }
  }

  /**
   * The key a session waited for arrived in the followed key log (live capture): its raw events,
   * all held so far, go through a new session that has the key from the start.
   */
  private void replay() {
    TlsSession old = tls;
    tls = new TlsSession(conn, keys, down);
    old.replayHeld(tls);
  }

  /** Before a gap or the end of a stream: a session waiting for its key looks one last time. */
  private void lastLook(long tsMicros) {
    if (tls != null && tls.awaitingKey() && tls.lastLookForKey(tsMicros)) {
      replay();
    }
  }

  @Override
  public void onGap(int dir, long len, long frame, long tsMicros) {
    lastLook(tsMicros);
    if (tls != null) {
      tls.onGap(dir, len, frame, tsMicros);
    } else {
      down.onGap(dir, len, frame, tsMicros);
    }
  }

  @Override
  public void onFin(int dir, long frame, long tsMicros) {
    lastLook(tsMicros);
    if (tls != null) {
      tls.onFin(dir, frame, tsMicros);
    } else {
      down.onFin(dir, frame, tsMicros);
    }
  }

  @Override
  public void onRst(int dir, long frame, long tsMicros) {
    lastLook(tsMicros);
    if (tls != null) {
      tls.onRst(dir, frame, tsMicros);
    } else {
      down.onRst(dir, frame, tsMicros);
    }
  }

  @Override
  public void onClose(long tsMicros) {
    lastLook(tsMicros);
    if (tls != null) {
      tls.onClose(tsMicros);
    } else {
      down.onClose(tsMicros);
    }
  }

  // ---- StreamControl (the HTTP layer's view) ---------------------------------------------

  @Override
  public boolean rolesInferred() {
    return conn.rolesInferred();
  }

  @Override
  public void swapRoles() {
    conn.swapRoles();
  }

  @Override
  public long dataAck() {
    return tls == null ? conn.dataAck() : tls.dataAck();
  }

  @Override
  public boolean startSeen(int dir) {
    return conn.startSeen(dir);
  }
}
