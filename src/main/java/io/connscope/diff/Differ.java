package io.connscope.diff;

import io.connscope.diff.DiffResult.FindingChange;
import io.connscope.diff.DiffResult.PairDiff;
import io.connscope.diff.DiffResult.PatternDiff;
import io.connscope.report.Text;
import io.connscope.result.PatternStats;
import io.connscope.result.Percentiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Matches two sides and says what changed.
 *
 * <p>Servers are matched by address and port (after {@code --map OLD=NEW}), then, among those left,
 * by the Host header when exactly one server on the other side has the same one; what is left is
 * listed as only before or only after, never paired. Patterns are matched by method and path
 * (without the query) within a matched server.
 *
 * <p>Regressions (the {@code --fail-on-regression} gate): a finding type only in AFTER; a finding
 * type whose total cost grows by more than {@code costMs}; a matched pattern whose p90 total time
 * grows by more than {@code p90Pct} percent and by more than {@code p90MinMs} milliseconds.
 */
public final class Differ {
  /** Default: a finding type's total cost may grow by 50 ms. */
  public static final long DEFAULT_COST_MS = 50;

  /** Default: a matched pattern's p90 total time may grow by 20 %... */
  public static final long DEFAULT_P90_PCT = 20;

  /** ...or by at most 1 ms, whatever the percentage. */
  public static final long DEFAULT_P90_MIN_MS = 1;

  private Differ() {}

  /**
   * Compares {@code before} with {@code after}; {@code map} renames BEFORE's servers
   * ("address:port" to "address:port").
   */
  public static DiffResult diff(
      SideStats before,
      SideStats after,
      Map<String, String> map,
      long costMs,
      long p90Pct,
      long p90MinMs) {
    List<FindingChange> findings = findings(before, after);
    List<PairDiff> pairs = pairs(before, after, map);
    List<String> regressions = new ArrayList<>();
    for (FindingChange f : findings) {
      if (f.status().equals("new")) {
        regressions.add(
            "new finding "
                + f.type()
                + " ("
                + f.afterCount()
                + ", "
                + Text.dur(f.afterCostUs())
                + ")");
      } else if (f.afterCostUs() - f.beforeCostUs() > costMs * 1000) {
        regressions.add(
            f.type() + " cost " + Text.dur(f.beforeCostUs()) + " -> " + Text.dur(f.afterCostUs()));
      }
    }
    for (PairDiff p : pairs) {
      for (PatternDiff pd : p.patterns()) {
        if (pd.before() == null
            || pd.after() == null
            || pd.before().total() == null
            || pd.after().total() == null) {
          continue;
        }
        long b = pd.before().total().p90Us();
        long a = pd.after().total().p90Us();
        if (a - b > p90MinMs * 1000 && (a - b) * 100 > b * p90Pct) {
          regressions.add(
              p.afterServer()
                  + " "
                  + pd.pattern()
                  + " p90 total "
                  + Text.dur(b)
                  + " -> "
                  + Text.dur(a));
        }
      }
    }
    DiffResult.Side bs = side(before);
    DiffResult.Side as = side(after);
    return new DiffResult(
        bs,
        as,
        verdict(bs, as, findings, pairs),
        findings,
        pairs,
        new DiffResult.Gate(costMs, p90Pct, p90MinMs, List.copyOf(regressions)),
        waterfalls(before, after, pairs));
  }

  /** The matched server whose p90 total time changed most (the first of equals), null when none. */
  private static DiffResult.Waterfalls waterfalls(
      SideStats before, SideStats after, List<PairDiff> pairs) {
    int best = -1;
    long most = -1;
    for (int i = 0; i < pairs.size(); i++) {
      PairDiff p = pairs.get(i);
      if (p.before() == null || p.after() == null) {
        continue;
      }
      long b = p.before().total() == null ? 0 : p.before().total().p90Us();
      long a = p.after().total() == null ? 0 : p.after().total().p90Us();
      if (Math.abs(a - b) > most) {
        most = Math.abs(a - b);
        best = i;
      }
    }
    if (best < 0) {
      return null;
    }
    PairDiff p = pairs.get(best);
    SideStats.Server b = before.servers().get(p.beforeServer());
    SideStats.Server a = after.servers().get(p.afterServer());
    return new DiffResult.Waterfalls(
        best, byStart(b.rows), byStart(a.rows), b.all().transactions(), a.all().transactions());
  }

  private static List<DiffResult.Row> byStart(List<DiffResult.Row> rows) {
    List<DiffResult.Row> s = new ArrayList<>(rows);
    s.sort(
        java.util.Comparator.comparingLong(DiffResult.Row::requestStartUs)
            .thenComparingLong(DiffResult.Row::connection));
    return List.copyOf(s);
  }

  private static DiffResult.Side side(SideStats s) {
    return new DiffResult.Side(
        s.inputs(),
        s.connections(),
        s.transactions(),
        s.sampled(),
        s.waitPercentiles(),
        s.totalPercentiles());
  }

  private static List<FindingChange> findings(SideStats before, SideStats after) {
    TreeSet<String> types = new TreeSet<>(before.findings().keySet());
    types.addAll(after.findings().keySet());
    List<FindingChange> out = new ArrayList<>();
    for (String t : types) {
      SideStats.FindingTotal b =
          before.findings().getOrDefault(t, new SideStats.FindingTotal(0, 0));
      SideStats.FindingTotal a = after.findings().getOrDefault(t, new SideStats.FindingTotal(0, 0));
      String status =
          b.count() == 0 ? "new" : a.count() == 0 ? "gone" : b.equals(a) ? "same" : "changed";
      out.add(new FindingChange(t, b.count(), b.costUs(), a.count(), a.costUs(), status));
    }
    return out;
  }

  private static List<PairDiff> pairs(SideStats before, SideStats after, Map<String, String> map) {
    Map<String, SideStats.Server> left = new LinkedHashMap<>(after.servers());
    Map<SideStats.Server, SideStats.Server> matched = new LinkedHashMap<>();
    Map<SideStats.Server, String> how = new LinkedHashMap<>();
    List<SideStats.Server> unmatched = new ArrayList<>();
    for (SideStats.Server b : before.servers().values()) {
      String target = map.getOrDefault(b.key(), b.key());
      SideStats.Server a = left.remove(target);
      if (a != null) {
        matched.put(b, a);
        how.put(b, target.equals(b.key()) ? "address" : "map");
      } else {
        unmatched.add(b);
      }
    }
    for (SideStats.Server b : new ArrayList<>(unmatched)) {
      if (b.host == null) {
        continue;
      }
      SideStats.Server only = null;
      int n = 0;
      for (SideStats.Server a : left.values()) {
        if (b.host.equalsIgnoreCase(a.host)) {
          only = a;
          n++;
        }
      }
      long sameHostBefore = unmatched.stream().filter(x -> b.host.equalsIgnoreCase(x.host)).count();
      if (n == 1 && sameHostBefore == 1) {
        matched.put(b, only);
        how.put(b, "host");
        left.remove(only.key());
        unmatched.remove(b);
      }
    }
    List<PairDiff> out = new ArrayList<>();
    for (SideStats.Server b : before.servers().values()) {
      SideStats.Server a = matched.get(b);
      if (a != null) {
        out.add(pair(how.get(b), b, a));
      }
    }
    for (SideStats.Server b : unmatched) {
      out.add(pair("before_only", b, null));
    }
    for (SideStats.Server a : left.values()) {
      out.add(pair("after_only", null, a));
    }
    return out;
  }

  private static PairDiff pair(String how, SideStats.Server b, SideStats.Server a) {
    TreeSet<String> patterns = new TreeSet<>();
    TreeSet<String> clients = new TreeSet<>();
    if (b != null) {
      patterns.addAll(b.patterns().keySet());
      clients.addAll(b.clients);
    }
    if (a != null) {
      patterns.addAll(a.patterns().keySet());
      clients.addAll(a.clients);
    }
    List<PatternDiff> pds = new ArrayList<>();
    for (String p : patterns) {
      PatternStats.Group gb = b == null ? null : b.patterns().get(p);
      PatternStats.Group ga = a == null ? null : a.patterns().get(p);
      pds.add(
          new PatternDiff(
              p, gb == null ? null : SideStats.stats(gb), ga == null ? null : SideStats.stats(ga)));
    }
    String host = b != null && b.host != null ? b.host : a != null ? a.host : null;
    return new PairDiff(
        how,
        b == null ? null : b.key(),
        a == null ? null : a.key(),
        host,
        List.copyOf(clients),
        b == null ? null : SideStats.stats(b.all()),
        a == null ? null : SideStats.stats(a.all()),
        pds);
  }

  private static String verdict(
      DiffResult.Side b, DiffResult.Side a, List<FindingChange> findings, List<PairDiff> pairs) {
    List<String> parts = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (FindingChange f : findings) {
      switch (f.status()) {
        case "new" ->
            added.add(f.type() + " (" + f.afterCount() + ", " + Text.dur(f.afterCostUs()) + ")");
        case "same" -> {}
        default ->
            parts.add(
                f.type()
                    + ": "
                    + f.beforeCount()
                    + " -> "
                    + f.afterCount()
                    + ", "
                    + Text.dur(f.beforeCostUs())
                    + " -> "
                    + Text.dur(f.afterCostUs()));
      }
    }
    if (b.transactions() != a.transactions()) {
      parts.add("transactions " + b.transactions() + " -> " + a.transactions());
    }
    Percentiles wb = b.waitTime();
    Percentiles wa = a.waitTime();
    if (b.connections() != a.connections()) {
      parts.add("connections " + b.connections() + " -> " + a.connections());
    }
    // a percentile is named when it changed as shown (44.5 ms and 44.6 ms both read "45 ms")
    if (wb != null && wa != null && !Text.dur(wb.p90Us()).equals(Text.dur(wa.p90Us()))) {
      parts.add("p90 wait " + Text.dur(wb.p90Us()) + " -> " + Text.dur(wa.p90Us()));
    }
    Percentiles tb = b.total();
    Percentiles ta = a.total();
    if (tb != null && ta != null && !Text.dur(tb.p90Us()).equals(Text.dur(ta.p90Us()))) {
      parts.add("p90 total " + Text.dur(tb.p90Us()) + " -> " + Text.dur(ta.p90Us()));
    }
    long beforeOnly = pairs.stream().filter(p -> p.matchedBy().equals("before_only")).count();
    long afterOnly = pairs.stream().filter(p -> p.matchedBy().equals("after_only")).count();
    if (beforeOnly > 0) {
      parts.add(beforeOnly + (beforeOnly == 1 ? " server" : " servers") + " only before");
    }
    if (afterOnly > 0) {
      parts.add(afterOnly + (afterOnly == 1 ? " server" : " servers") + " only after");
    }
    if (parts.isEmpty() && added.isEmpty()) {
      return "no change: "
          + a.transactions()
          + " transactions, the same findings"
          + (wa == null ? "" : ", p90 wait " + Text.dur(wa.p90Us()))
          + (ta == null ? "" : ", p90 total " + Text.dur(ta.p90Us()));
    }
    parts.add(added.isEmpty() ? "nothing new" : "new: " + String.join(", ", added));
    return String.join("; ", parts);
  }
}
