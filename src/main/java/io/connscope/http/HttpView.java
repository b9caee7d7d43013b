package io.connscope.http;

import java.util.List;

/**
 * What the HTTP side of a finished connection is to the stages after it. {@link HttpTracker} is one
 * while its connection lives; {@link ClosedHttp} is a copy taken when the connection finishes,
 * which can cross a thread.
 */
public interface HttpView {
  /** True once the content was recognised as HTTP/1.x. */
  boolean isHttp();

  /** Why the connection is not HTTP; null when it is, or before the tracker decided. */
  String notHttpReason();

  /** Largest {@link Transaction#pipelineDepth()} on the connection. */
  int maxPipelineDepth();

  /** Transactions seen on the connection, including those no longer kept. */
  long transactionCount();

  /** A CONNECT was answered 2xx or a 101 switched protocols: parsing stopped there. */
  boolean tunnel();

  /**
   * The transactions still kept, in index order (the most recent ones): a random-access list, the
   * same object until the transactions change. The detectors walk it by index: under C1 alone (the
   * launcher's JIT up to 1 GiB) a for-each loop allocates two iterators: 41 MB on close.pcap.
   */
  List<Transaction> transactions();

  /** Transactions handed to the listener as they became final (0 without a listener). */
  long handedOver();

  /** The first of them, null when none was. */
  Transaction firstHandedOver();

  /**
   * Their time from the request's first byte to the response's last, summed over those where both
   * were seen in that order.
   */
  long handedOverMicros();
}
