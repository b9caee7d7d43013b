package io.connscope.tcp;

/**
 * Told by the {@link ConnectionTable} when a connection starts and when it is finished.
 *
 * <p>{@link #open} is called once, when the table creates the connection (from its first segment,
 * before that segment is processed), and returns the listener for its byte streams. {@link #closed}
 * is called once, after the listener's {@code onClose}; the connection's counters, handshake data
 * and timeline are final then, and the table drops every reference to it, so a caller that wants a
 * summary must take it there.
 */
public interface ConnectionHandler {
  /** A new connection; returns the listener for its streams (null means "ignore its bytes"). */
  StreamListener open(Connection c);

  /** The connection is finished; no further call concerns it. */
  void closed(Connection c);
}
