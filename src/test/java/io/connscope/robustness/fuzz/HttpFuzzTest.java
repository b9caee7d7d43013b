package io.connscope.robustness.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.connscope.common.Warnings;
import io.connscope.http.HttpOptions;
import io.connscope.http.HttpTracker;
import io.connscope.tcp.StreamControl;
import java.nio.ByteBuffer;

/**
 * Fuzzes the HTTP/1.x tracker and parser: both directions fed arbitrary bytes in arbitrary pieces,
 * with gaps, FIN and RST, under small limits. Transactions must come out final, once, in index
 * order.
 */
public class HttpFuzzTest {
  public static void fuzzerTestOneInput(FuzzedDataProvider in) {
    boolean[] inferred = {in.consumeBoolean()};
    StreamControl control =
        new StreamControl() {
          @Override
          public boolean rolesInferred() {
            return inferred[0];
          }

          @Override
          public void swapRoles() {
            if (!inferred[0]) {
              throw new IllegalStateException("swapRoles on a handshake connection");
            }
            inferred[0] = false;
          }
        };
    HttpOptions opts =
        new HttpOptions()
            .maxStartLineBytes(in.consumeInt(16, 300))
            .maxHeaderBytes(in.consumeInt(16, 600))
            .maxHeaders(in.consumeInt(1, 20))
            .maxPendingRequests(in.consumeInt(1, 8))
            .maxChunkLineBytes(in.consumeInt(4, 64))
            .maxTransactionsKept(in.consumeInt(0, 4));
    HttpTracker t = new HttpTracker(control, opts, new Warnings());
    int[] next = {0};
    t.setListener(
        tx -> {
          if (tx.index() != next[0]++) {
            throw new IllegalStateException(
                "transaction " + tx.index() + " handed over out of order");
          }
        });
    long frame = 0;
    while (in.remainingBytes() > 0) {
      int dir = in.consumeBoolean() ? 1 : 0;
      frame++;
      switch (in.consumeInt(0, 15)) {
        case 0 -> t.onGap(dir, in.consumeLong(1, Long.MAX_VALUE >> 1), frame, frame * 10);
        case 1 -> t.onFin(dir, frame, frame * 10);
        case 2 -> t.onRst(dir, frame, frame * 10);
        default -> {
          byte[] b = in.consumeBytes(in.consumeInt(0, 400));
          int pad = in.consumeInt(0, 5);
          byte[] buf = new byte[pad + b.length];
          System.arraycopy(b, 0, buf, pad, b.length);
          t.onData(dir, ByteBuffer.wrap(buf), pad, b.length, frame, frame * 10);
        }
      }
    }
    t.onClose(frame * 10 + 1);
    if (next[0] != t.transactionCount()) {
      throw new IllegalStateException(next[0] + " handed over of " + t.transactionCount());
    }
  }

  @FuzzTest(maxDuration = "3s")
  void fuzz(FuzzedDataProvider in) {
    fuzzerTestOneInput(in);
  }
}
