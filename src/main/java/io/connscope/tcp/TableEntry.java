package io.connscope.tcp;

/**
 * What the {@link ConnectionTable} keeps per open tuple: a full {@link Connection}, or an {@link
 * Attempt} (handshake packets only, kept compactly). Holds what the table itself needs: the key,
 * the id given at creation, and the links of the least-recently-active list.
 */
abstract class TableEntry {
  final ConnectionTable.Key key;
  final long id;
  TableEntry lruPrev, lruNext;

  TableEntry(ConnectionTable.Key key, long id) {
    this.key = key;
    this.id = id;
  }

  /** Capture time of the last packet of the tuple. */
  abstract long lastTs();
}
