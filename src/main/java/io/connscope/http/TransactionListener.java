package io.connscope.http;

/**
 * Receives each transaction of a connection once it is final: both its request and its response
 * ended (or the connection closed), in index order. What the listener receives is not changed
 * afterwards. This is what lets reports stream: the tracker itself keeps only a bounded window of
 * recent transactions ({@link HttpOptions#maxTransactionsKept()}).
 */
@FunctionalInterface
public interface TransactionListener {
  void completed(Transaction transaction);
}
