package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The final transactions open connections keep for their close share one total ({@link
 * HttpTracker.KeptBudget}) fairly: a connection that comes after long ones filled it keeps its
 * share, taken from the oldest of the longest.
 */
class KeptSharesTest {
  private static Harness.Script exchanges(int n) {
    Harness.Script s = new Harness.Script();
    for (int i = 0; i < n; i++) {
      s.a("GET /" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    }
    return s;
  }

  private static int kept(Harness h) {
    return h.tracker.transactions().size();
  }

  @Test
  void aConnectionAfterLongOnesKeepsItsShareTakenFromTheLongest() {
    HttpTracker.KeptBudget budget = new HttpTracker.KeptBudget(200);
    HttpOptions opts = new HttpOptions();
    Harness[] longs = new Harness[4];
    for (int i = 0; i < longs.length; i++) {
      longs[i] = new Harness(opts, false, budget).play(exchanges(100), Harness.WHOLE);
    }
    // each took from the room left, then from those keeping the most while under its share: the
    // total over 4, 50 each beyond its last
    for (Harness h : longs) {
      assertEquals(50 + 1, kept(h));
    }
    assertEquals(200, budget.held());

    Harness late = new Harness(opts, false, budget).play(exchanges(30), Harness.WHOLE);
    assertEquals(30, kept(late), "every one: 29 beyond its last, under its share of 200 / 5");
    int longKept = 0;
    for (Harness h : longs) {
      assertTrue(kept(h) == 42 + 1 || kept(h) == 43 + 1, "taken from the longest in turn");
      longKept += kept(h) - 1;
    }
    assertEquals(200 - 29, longKept);
    assertEquals(200, budget.held());
    // the oldest went: the first kept now is the one after them
    assertEquals("/" + (100 - kept(longs[0])), longs[0].tracker.transactions().get(0).uri);
    assertEquals(29, late.warnings.get(HttpAnomalies.KEPT_TOTAL_FULL), "each counted");

    Harness later = new Harness(opts, false, budget).play(exchanges(60), Harness.WHOLE);
    assertEquals(200 / 6 + 1, kept(later), "its share of 200 / 6, then no more");

    late.close();
    assertEquals(200 - 29, budget.held(), "given back at its close");
    for (Harness h : longs) {
      h.close();
    }
    later.close();
    assertEquals(0, budget.held());
  }
}
