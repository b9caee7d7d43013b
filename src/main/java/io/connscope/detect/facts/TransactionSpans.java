package io.connscope.detect.facts;

import io.connscope.http.Transaction;
import java.util.List;

/**
 * Which transaction of a connection a packet belongs to: the one whose request-to-response span
 * (frames, or capture times) covers it. Shared by the detectors that find events in the segment
 * timeline and charge them to a transaction.
 */
public final class TransactionSpans {
  private TransactionSpans() {}

  /** The transaction whose request or response frames include {@code frame}, or -1. */
  public static int byFrame(List<Transaction> txs, long frame) {
    for (Transaction tx : txs) {
      long from = tx.requestFirstFrame() >= 0 ? tx.requestFirstFrame() : tx.responseFirstFrame();
      long to = tx.responseLastFrame() >= 0 ? tx.responseLastFrame() : tx.requestLastFrame();
      if (from >= 0 && to >= 0 && from <= frame && frame <= to) {
        return tx.index();
      }
    }
    return -1;
  }

  /** The transaction whose request-to-response times include {@code ts}, or -1. */
  public static int byTime(List<Transaction> txs, long ts) {
    for (Transaction tx : txs) {
      long from = tx.requestFirstUs() >= 0 ? tx.requestFirstUs() : tx.responseFirstUs();
      long to = tx.responseLastUs() >= 0 ? tx.responseLastUs() : tx.requestLastUs();
      if (from >= 0 && to >= 0 && from <= ts && ts <= to) {
        return tx.index();
      }
    }
    return -1;
  }

  /**
   * What the message {@code tx} sent in direction {@code dir} is, for finding summaries ("response
   * 200 to GET /x", "request POST /y"); "data" without a transaction.
   */
  public static String message(io.connscope.http.HttpTracker http, Transaction tx, int dir) {
    if (tx == null) {
      return "data";
    }
    return AckGatedReleases.sendsRequests(http, dir)
        ? "request " + safe(tx.method()) + " " + safe(tx.uri())
        : "response " + tx.status() + " to " + safe(tx.method()) + " " + safe(tx.uri());
  }

  /** Display filter for a sorted list of frames: "frame.number in {1 2 3}". */
  public static String filter(List<Long> frames) {
    StringBuilder b = new StringBuilder("frame.number in {");
    for (int i = 0; i < frames.size(); i++) {
      b.append(i == 0 ? "" : " ").append(frames.get(i));
    }
    return b.append('}').toString();
  }

  private static String safe(String s) {
    return s == null ? "-" : s;
  }
}
