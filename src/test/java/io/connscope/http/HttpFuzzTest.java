package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded junk, mutated fixtures, random gaps and random splits: never throws, stays bounded. */
class HttpFuzzTest {
  private static final int START = 64;
  private static final int HEADER = 256;
  private static final int PENDING = 4;
  private static final int KEPT = 40;

  @Test
  void randomInputNeverThrowsAndStaysWithinLimits() {
    List<byte[]> pieces = new ArrayList<>();
    for (Script s : HttpSplitTest.fixtures().values()) {
      for (Harness.Step st : s.steps) {
        if (st.data() != null) {
          pieces.add(st.data());
        }
      }
    }
    pieces.add("Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.ISO_8859_1));
    pieces.add("Content-Length: 3\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    pieces.add("ffffffffffffffffffff\r\n".getBytes(StandardCharsets.ISO_8859_1));

    Random rnd = new Random(0x5eed);
    for (int iter = 0; iter < 1500; iter++) {
      Script s = new Script();
      int steps = 1 + rnd.nextInt(12);
      for (int i = 0; i < steps; i++) {
        int side = rnd.nextInt(2);
        int kind = rnd.nextInt(10);
        if (kind < 4) {
          byte[] junk = new byte[rnd.nextInt(300)];
          rnd.nextBytes(junk);
          s.bytes(side, junk);
        } else if (kind < 8) {
          byte[] p = pieces.get(rnd.nextInt(pieces.size())).clone();
          for (int m = rnd.nextInt(4); m > 0 && p.length > 0; m--) {
            p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256); // mutate
          }
          s.bytes(side, p);
        } else if (kind == 8) {
          s.gap(side, 1 + rnd.nextInt(5000));
        } else {
          s.fin(side);
        }
      }
      HttpOptions o =
          new HttpOptions()
              .maxStartLineBytes(START)
              .maxHeaderBytes(HEADER)
              .maxHeaders(8)
              .maxPendingRequests(PENDING)
              .maxChunkLineBytes(32)
              .maxTransactionsKept(KEPT);
      long seed = rnd.nextLong();
      Random cuts = new Random(seed);
      Harness h = Harness.run(s, (step, len) -> randomCuts(cuts, len), o, rnd.nextBoolean());
      check(h, "iteration " + iter);
    }
  }

  private static int[] randomCuts(Random r, int len) {
    if (len < 2) {
      return new int[0];
    }
    return r.ints(r.nextInt(Math.min(len, 8)), 1, len).distinct().sorted().toArray();
  }

  private static void check(Harness h, String where) {
    HttpTracker t = h.tracker;
    List<Transaction> txs = t.transactions();
    assertTrue(txs.size() <= KEPT, where);
    assertTrue(t.maxPipelineDepth() <= PENDING, where);
    int lastIndex = -1;
    for (Transaction x : txs) {
      if (!x.orphanResponse()) {
        assertTrue(x.index() > lastIndex, where + ": request order");
        lastIndex = x.index();
        assertTrue(x.pipelineDepth() >= 1 && x.pipelineDepth() <= PENDING, where);
      }
      assertTrue(x.requestHeaderBytes() <= START + HEADER + 4, where + " " + x);
      assertTrue(x.responseHeaderBytes() <= START + HEADER + 4, where + " " + x);
      assertTrue(x.requestBodyBytes() >= 0 && x.responseBodyBytes() >= 0, where);
      assertTrue(x.requestHeaders().size() <= 8 && x.responseHeaders().size() <= 8, where);
      assertTrue(x.status() == 0 || (x.status() >= 100 && x.status() <= 999), where);
      if (!t.isHttp()) {
        throw new AssertionError(where + ": transactions on a non-HTTP connection");
      }
    }
    if (!t.isHttp()) {
      assertTrue(t.notHttpReason() != null, where);
    }
    for (Map.Entry<String, Long> e : t.anomalies().entrySet()) {
      assertTrue(e.getKey().startsWith("http."), e.getKey());
      assertEquals(e.getValue().longValue(), h.warnings.get(e.getKey()), where + " " + e);
    }
  }
}
