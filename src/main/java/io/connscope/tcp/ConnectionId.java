package io.connscope.tcp;

/**
 * A connection's id, all that the stages after the connection read of it while it is open (with a
 * transaction). {@link ConnectionView} extends it; {@link #of} is the id alone, for a stage that
 * receives a transaction without the connection (another process).
 */
public interface ConnectionId {
  /** 1-based, in creation order over the capture. */
  long id();

  /**
   * The id when it is known without waiting, else 0: a sharded analysis gives a connection its id
   * when first asked, once every shard has passed its creation ({@link #id} may wait for that).
   */
  default long idIfGiven() {
    return id();
  }

  /** "C" followed by the id. */
  String idString();

  /** The id {@code id} alone. */
  static ConnectionId of(long id) {
    return new Only(id, "C" + id);
  }

  /** An id without its connection. */
  record Only(long id, String idString) implements ConnectionId {}
}
