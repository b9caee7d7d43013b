package io.connscope.tcp;

/**
 * What the {@link ConnectionTable} keeps per open tuple: a full {@link Connection}, or an {@link
 * Attempt} (handshake packets only, kept compactly). Holds what the table itself needs: the key,
 * the id given at creation, and the links of the least-recently-active list.
 */
abstract class TableEntry {
  final ConnectionTable.Key key;

  /** The id; 0 until first asked for, when the table gives ids lazily ({@link #createdAt}). */
  long id;

  /** The number of the frame that created the entry. */
  final long createdAt;

  TableEntry lruPrev, lruNext;

  TableEntry(ConnectionTable.Key key, long id, long createdAt) {
    this.key = key;
    this.id = id;
    this.createdAt = createdAt;
  }

  /** Capture time of the last packet of the tuple. */
  abstract long lastTs();
}
