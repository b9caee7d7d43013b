package io.connscope.http;

import java.util.List;

/**
 * A finished connection's {@link HttpView}, copied from its {@link HttpTracker}: values and the
 * transactions it still kept (final, read-only), nothing of the parsers.
 */
public record ClosedHttp(
    boolean isHttp,
    String notHttpReason,
    int maxPipelineDepth,
    long transactionCount,
    boolean tunnel,
    List<Transaction> transactions,
    long handedOver,
    Transaction firstHandedOver,
    long handedOverMicros)
    implements HttpView {

  /** The view of {@code t} (null for null), whose connection has finished. */
  public static ClosedHttp of(HttpTracker t) {
    return t == null
        ? null
        : new ClosedHttp(
            t.isHttp(),
            t.notHttpReason(),
            t.maxPipelineDepth(),
            t.transactionCount(),
            t.tunnel(),
            t.transactions(),
            t.handedOver(),
            t.firstHandedOver(),
            t.handedOverMicros());
  }
}
