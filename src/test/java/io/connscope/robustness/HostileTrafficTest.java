package io.connscope.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bounded memory under hostile traffic: each scenario of {@link HostileTraffic} runs in its own JVM
 * with {@value #HEAP} of heap (an OutOfMemoryError fails the run) and must count the limit it hits.
 * The ceiling and the options it assumes are documented in docs/robustness.md.
 */
class HostileTrafficTest {
  static final String HEAP = "-Xmx96m";

  static Map<String, Long> run(String scenario, String... more)
      throws IOException, InterruptedException {
    String[] args = new String[1 + more.length];
    args[0] = scenario;
    System.arraycopy(more, 0, args, 1, more.length);
    SmallHeap.Run r = SmallHeap.run(HEAP, 5, HostileTraffic.class, args);
    assertTrue(r.finished(), scenario + " did not finish");
    String text = r.output();
    assertEquals(0, r.exit(), scenario + " failed under " + HEAP + ":\n" + text);
    Map<String, Long> counts = new HashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(eq + 1).trim().matches("\\d+")) {
        counts.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
      }
    }
    return counts;
  }

  @Test
  void aMillionConnectionsNeverClosedAreEvicted() throws Exception {
    Map<String, Long> c = run("connections", "1");
    assertEquals(1_300_000, c.get("packets"));
    // every connection beyond the cap evicts the least recently active one
    assertEquals(1_000_000 - HostileTraffic.MAX_CONNECTIONS, c.get("tcp.connection_evicted"));
  }

  /**
   * With the cross stage on a thread of its own, the connections still open at the end of the
   * capture are finished and handed to it in chunks: 40,000 of them never wait for it all at once
   * (in one chunk, this run ended with an OutOfMemoryError in this heap).
   */
  @Test
  void connectionsOpenAtTheEndReachTheCrossThreadInChunks() throws Exception {
    Map<String, Long> c = run("connections", "0.05", "cross-thread", "40000");
    assertEquals(65_000, c.get("packets"));
    assertEquals(50_000 - 40_000, c.get("tcp.connection_evicted"));
  }

  @Test
  void endlessOutOfOrderDataIsCappedPerDirectionAndInTotal() throws Exception {
    Map<String, Long> c = run("ooo", "1");
    assertTrue(c.getOrDefault("tcp.ooo_buffer_full", 0L) > 0, c.toString());
    assertTrue(c.getOrDefault("tcp.ooo_buffer_total_full", 0L) > 0, c.toString());
    assertTrue(c.getOrDefault("tcp.timeline_total_full", 0L) > 0, c.toString());
  }

  @Test
  void aGigabyteHeaderLineOrStartLineIsCutAtTheLimit() throws Exception {
    for (String scenario : new String[] {"header-line", "start-line"}) {
      Map<String, Long> c = run(scenario, "1");
      String code =
          scenario.equals("header-line") ? "http.headers_too_large" : "http.start_line_too_long";
      assertEquals(1, c.get(code), scenario + " " + c);
      assertEquals(1, c.get("http.desync"), scenario + " " + c);
    }
  }

  @Test
  void aMillionPipelinedRequestsWithoutResponses() throws Exception {
    Map<String, Long> c = run("pipeline", "0.5");
    // 100 requests stay pending (maxPendingRequests), every other one is dropped as unanswered
    long sent = c.get("packets") - 3;
    long requests = sent * (32_768 / "GET /p HTTP/1.1\r\nHost: x\r\n\r\n".length());
    assertEquals(requests - 100, c.get("http.excessive_pipelining"));
  }

  @Test
  void chunkSizesNearOverflow() throws Exception {
    Map<String, Long> c = run("chunks", "1");
    // every size line is rejected (beyond 2^62 or 16 digits, negative, 0x, a line over
    // maxChunkLineBytes) and the response side resynchronises on the next status line
    assertEquals(200_000, c.get("http.bad_chunk_size"), c.toString());
    assertEquals(c.get("http.bad_chunk_size"), c.get("http.desync"), c.toString());
  }
}
