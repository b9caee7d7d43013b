package io.connscope.tcp;

/**
 * A connection's id, all that the stages after the connection read of it while it is open (with a
 * transaction). {@link ConnectionView} extends it; {@link #of} is the id alone, for a stage that
 * receives a transaction without the connection (another process).
 */
public interface ConnectionId {
  /** 1-based, in creation order over the capture. */
  long id();

  /** "C" followed by the id. */
  String idString();

  /** The id {@code id} alone. */
  static ConnectionId of(long id) {
    return new Only(id, "C" + id);
  }

  /** An id without its connection. */
  record Only(long id, String idString) implements ConnectionId {}
}
