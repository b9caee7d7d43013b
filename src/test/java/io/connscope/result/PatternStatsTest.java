package io.connscope.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-key and per-pattern aggregation both the analyze reports and {@code connscope diff} use:
 * the percentile definition, the pattern rule, the caps and the histogram buckets.
 */
class PatternStatsTest {
  /** A transaction of connection {@code conn}: request at {@code start}, wait and total given. */
  static TransactionResult tx(long conn, String method, String uri, long waitUs, long totalUs) {
    long start = 1_000;
    return new TransactionResult(
        conn,
        0,
        1,
        1,
        method,
        uri,
        "HTTP/1.1",
        200,
        "OK",
        "HTTP/1.1",
        List.of(),
        Map.of(),
        Map.of(),
        100,
        0,
        0,
        "none",
        50,
        1000,
        0,
        "length",
        1,
        1,
        2,
        2,
        start,
        start,
        totalUs < 0 ? -1 : start + waitUs,
        totalUs < 0 ? -1 : start + totalUs,
        new TransactionResult.Timings(-1, 0, waitUs, 0, -1, List.of()),
        false,
        null,
        0,
        0,
        false,
        false,
        true,
        true,
        false,
        false,
        List.of(),
        null);
  }

  static ConnectionResult conn(long id, String client) {
    return new ConnectionResult(
        id,
        new Endpoint(client, 40000),
        new Endpoint("10.0.0.2", 80),
        4,
        null,
        false,
        0,
        0,
        0,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        List.of(),
        null);
  }

  @Test
  void percentilesAreNearestRank() {
    long[] v = new long[100];
    for (int i = 0; i < 100; i++) {
      v[i] = 100 - i; // 1..100, unsorted
    }
    assertEquals(new Percentiles(50, 90, 99), Percentiles.of(v, 100));
    assertEquals(new Percentiles(43, 405, 405), Percentiles.of(new long[] {405, 43}, 2));
    assertEquals(new Percentiles(7, 7, 7), Percentiles.of(new long[] {7, 1, 2}, 1));
    assertNull(Percentiles.of(new long[0], 0));
  }

  @Test
  void patternIsMethodAndPathWithoutQuery() {
    assertEquals("GET /a/b", PatternStats.pattern(tx(1, "GET", "/a/b?x=1&y=2", 1, 2)));
    assertEquals("POST /", PatternStats.pattern(tx(1, "POST", "/", 1, 2)));
    assertEquals("(no request)", PatternStats.pattern(tx(1, null, null, 1, 2)));
  }

  @Test
  void groupsPerKeyAndPatternWithPercentilesBytesAndHistogram() {
    PatternStats<PatternStats.Table> s =
        new PatternStats<>(PatternStats.Table::new, 10, "(other keys)");
    s.transaction(tx(1, "GET", "/a?1", 50, 60)); // 50 us
    s.transaction(tx(1, "GET", "/a?2", 4_000_000, 5_000_000)); // 5 s
    s.transaction(tx(1, "POST", "/b", 200, -1)); // no response end: total unknown
    s.connection(conn(1, "10.0.0.1"), "k");
    s.transaction(tx(2, "GET", "/a", 1_000, 2_000));
    s.connection(conn(2, "10.0.0.1"), "k");
    s.finish();
    PatternStats.Table t = s.tables().get("k");
    assertEquals(4, t.all().transactions());
    assertEquals(2, t.all().connections());
    List<PatternSummary> ps = t.summaries();
    assertEquals(List.of("GET /a", "POST /b"), ps.stream().map(PatternSummary::pattern).toList());
    PatternSummary a = ps.get(0);
    assertEquals(3, a.transactions());
    assertEquals(2, a.connections());
    assertEquals(3 * 1150, a.bytes());
    assertEquals(60 + 5_000_000 + 2_000, a.timeUs());
    assertEquals(new Percentiles(1_000, 4_000_000, 4_000_000), a.waitTime());
    assertEquals(new Percentiles(2_000, 5_000_000, 5_000_000), a.total());
    assertNull(ps.get(1).total(), "no known total time");
    LatencyHistogram h = t.histogram();
    List<Long> lower = h.lowerUs();
    assertEquals(1L, h.waitTime().get(lower.indexOf(50L)), "50 us");
    assertEquals(1L, h.waitTime().get(lower.indexOf(200L)));
    assertEquals(1L, h.waitTime().get(lower.indexOf(1_000L)));
    assertEquals(1L, h.waitTime().get(lower.indexOf(2_000_000L)), "4 s is in [2 s, 5 s)");
    assertEquals(1L, h.total().get(lower.indexOf(5_000_000L)), "5 s");
    assertEquals(3L, h.total().stream().mapToLong(Long::longValue).sum(), "unknown not counted");
    assertFalse(s.sampled());
  }

  @Test
  void histogramBucketsAreLogScaleFrom0To100s() {
    assertEquals(-1, LatencyHistogram.bucket(-1));
    assertEquals(0, LatencyHistogram.bucket(0));
    assertEquals(0, LatencyHistogram.bucket(9));
    assertEquals(1, LatencyHistogram.bucket(10));
    assertEquals(LatencyHistogram.BUCKETS_US.indexOf(50L), LatencyHistogram.bucket(99));
    assertEquals(LatencyHistogram.BUCKETS_US.size() - 1, LatencyHistogram.bucket(3_600_000_000L));
  }

  @Test
  void patternsBeyondTheCapAreCountedUnderOther() {
    PatternStats<PatternStats.Table> s = new PatternStats<>(PatternStats.Table::new, 10, "");
    for (int i = 0; i <= PatternStats.MAX_PATTERNS; i++) {
      s.transaction(tx(1, "GET", "/item/" + i, 1, 2));
    }
    s.transaction(tx(1, "GET", "/item/0?again", 1, 2)); // a known pattern still has its row
    s.connection(conn(1, "10.0.0.1"), "k");
    Map<String, PatternStats.Group> ps = s.tables().get("k").patterns();
    assertEquals(PatternStats.MAX_PATTERNS + 1, ps.size());
    assertEquals(1, ps.get(PatternStats.OTHER).transactions());
    assertEquals(2, ps.get("GET /item/0").transactions());
  }

  @Test
  void patternRowsOverAllKeysAreCapped() {
    PatternStats<PatternStats.Table> s = new PatternStats<>(PatternStats.Table::new, 1_000_000, "");
    int keys = PatternStats.MAX_CELLS / 1000 + 5;
    for (int k = 0; k < keys; k++) {
      for (int i = 0; i < 1000; i++) {
        s.transaction(tx(k + 1, "GET", "/p" + i, 1, 2));
      }
      s.connection(conn(k + 1, "10.0.0.1"), "k" + k);
    }
    long rows = 0;
    long others = 0;
    for (PatternStats.Table t : s.tables().values()) {
      rows += t.patterns().size();
      PatternStats.Group o = t.patterns().get(PatternStats.OTHER);
      others += o == null ? 0 : o.transactions();
    }
    assertTrue(rows <= PatternStats.MAX_CELLS + keys, "rows " + rows);
    assertEquals(5_000, others, "what is beyond the cap is still counted");
  }

  @Test
  void keysBeyondTheCapShareTheOverflowKeyAndSamplesAreCapped() {
    PatternStats<PatternStats.Table> s = new PatternStats<>(PatternStats.Table::new, 2, "(more)");
    for (int c = 1; c <= 4; c++) {
      s.transaction(tx(c, "GET", "/", 10, 20));
      s.connection(conn(c, "10.0.0." + c), "k" + c);
    }
    assertEquals(List.of("k1", "k2", "(more)"), List.copyOf(s.tables().keySet()));
    assertEquals(2, s.tables().get("(more)").all().transactions());

    PatternStats<PatternStats.Table> big = new PatternStats<>(PatternStats.Table::new, 2, "");
    for (int i = 0; i < PatternStats.MAX_SAMPLES + 10; i++) {
      big.transaction(tx(1, "GET", "/", i < PatternStats.MAX_SAMPLES ? 5 : 1_000_000, 10));
    }
    assertTrue(big.sampled());
    assertEquals(PatternStats.MAX_SAMPLES + 10, big.all().transactions());
    assertEquals(5, big.all().waitPercentiles().p99Us(), "percentiles over the first samples");
  }
}
