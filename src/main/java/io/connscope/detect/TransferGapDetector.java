package io.connscope.detect;

import io.connscope.detect.facts.AckGatedReleases;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.detect.facts.TimelineScans;
import io.connscope.detect.facts.TransactionSpans;
import io.connscope.detect.facts.TransferGaps;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Base of the detectors that judge a sender's gaps ({@link TransferGaps}): reads the timeline scan
 * of each open connection ({@link TimelineScans}, shared with the other detectors that read it) as
 * each transaction becomes final, sums the counted gaps per message (transaction and direction; per
 * direction on a connection that carries no HTTP) and reports each message once: when the scan has
 * passed the transaction's last frame (a transaction becomes final while its last segment is being
 * processed, before the timeline records it, so usually at the next transaction), or at the close.
 *
 * <p>Attribution: a gap belongs to a message when both of its segments lie within the message
 * (between its first and last frame on that side); gaps between two messages are the
 * request/response rhythm and are not counted.
 */
abstract class TransferGapDetector implements ConnectionDetector {
  protected final DetectOptions options;

  /** The timeline scans, shared with the other detectors that read them. */
  private final TimelineScans scans;

  /**
   * Per open connection with counted gaps in messages not reported yet: those messages' groups, by
   * transaction index * 2 + direction (-2 + direction without HTTP).
   */
  private final Map<Connection, TreeMap<Long, Group>> open = new IdentityHashMap<>();

  /** Evidence frames kept per message. */
  static final int MAX_FRAMES = 9;

  TransferGapDetector(DetectOptions options, TimelineScans scans) {
    this.options = options;
    this.scans = scans;
  }

  /** One message's counted gaps. */
  static final class Group {
    /** The transaction, null on a connection without HTTP. */
    final Transaction tx;

    final int dir;
    long cost;
    long longest;
    int count;

    /** Gaps in which the window was zero (not only full). */
    int zero;

    /** What the detector accumulates per counted gap ({@link #account}), e.g. a weighted hold. */
    long weighted;

    final List<Long> frames = new ArrayList<>();

    Group(Transaction tx, int dir) {
      this.tx = tx;
      this.dir = dir;
    }
  }

  /** The time this detector counts for {@code g}; 0 when it does not count the gap. */
  abstract long cost(Connection c, TransferGaps.Gap g);

  /** Evidence frames of a counted gap (at most a few). */
  abstract void evidence(SegmentTimeline t, TransferGaps.Gap g, List<Long> frames);

  /** Accumulates what the detector needs from a counted gap of cost {@code cost} into {@code g}. */
  void account(Connection c, TransferGaps.Gap gap, long cost, Group g) {}

  /** The finding for a message's counted gaps, or null when under the detector's floor. */
  abstract Finding finding(Connection c, HttpTracker http, Group g);

  @Override
  public final boolean judgesTransactions() {
    return true;
  }

  @Override
  public final void transaction(
      Connection c, HttpTracker http, Transaction tx, Consumer<Finding> out) {
    TimelineScans scan = scans.at(c, tx);
    TreeMap<Long, Group> groups = collect(c, http, open.get(c), scan.gaps());
    if (groups == null) {
      return; // no counted gap waiting: most connections, most transactions
    }
    long scanned = scan.lastFrame();
    for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
      Group g = it.next();
      if (g.tx != null && Math.max(g.tx.requestLastFrame(), g.tx.responseLastFrame()) <= scanned) {
        emit(c, http, g, out); // every gap of its messages is in
        it.remove();
      }
    }
    if (groups.isEmpty()) {
      open.remove(c);
    } else {
      open.put(c, groups);
    }
  }

  @Override
  public final void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    TreeMap<Long, Group> groups = collect(c, http, open.remove(c), scans.closing(c).gaps());
    if (groups != null) {
      for (Group g : groups.values()) {
        emit(c, http, g, out);
      }
    }
  }

  private void emit(Connection c, HttpTracker http, Group g, Consumer<Finding> out) {
    Finding f = finding(c, http, g);
    if (f != null) {
      out.accept(f);
    }
  }

  /**
   * Adds the counted gaps of {@code gaps} to {@code groups} (null for none yet: made for the first
   * counted gap) and returns it.
   */
  private TreeMap<Long, Group> collect(
      Connection c, HttpTracker http, TreeMap<Long, Group> groups, List<TransferGaps.Gap> gaps) {
    SegmentTimeline t = c.timeline();
    boolean isHttp = http != null && http.isHttp();
    for (int i = 0; i < gaps.size(); i++) {
      TransferGaps.Gap gap = gaps.get(i);
      long cost = cost(c, gap);
      if (cost <= 0) {
        continue;
      }
      Transaction tx = null;
      if (isHttp) {
        tx = AckGatedReleases.transactionAt(http, gap.dir(), t.frame(gap.next()));
        if (tx == null
            || t.frame(gap.data())
                < AckGatedReleases.firstFrame(
                    tx, AckGatedReleases.sendsRequests(http, gap.dir()))) {
          continue; // between two messages
        }
      }
      Transaction owner = tx;
      if (groups == null) {
        groups = new TreeMap<>();
      }
      Group g =
          groups.computeIfAbsent(
              (tx == null ? -1 : tx.index()) * 2L + gap.dir(), k -> new Group(owner, gap.dir()));
      g.cost += cost;
      g.longest = Math.max(g.longest, cost);
      g.count++;
      if (gap.zeroWindow()) {
        g.zero++;
      }
      account(c, gap, cost, g);
      if (g.frames.size() < MAX_FRAMES) {
        evidence(t, gap, g.frames);
      }
    }
    return groups;
  }

  /** Severity from cost: warning at transferWarnMicros and transferWarnShare of the transfer. */
  Severity severity(long cost, long transferMicros) {
    return cost >= options.transferWarnShare * transferMicros
        ? SeverityRule.cost(cost, options.transferWarnMicros)
        : Severity.INFO;
  }

  /**
   * How long the message took on the wire (first to last segment on its side); the connection's
   * duration without HTTP.
   */
  static long transferMicros(Connection c, HttpTracker http, Group g) {
    if (g.tx == null) {
      return Math.max(0, c.lastTsMicros() - c.firstTsMicros());
    }
    boolean requests = AckGatedReleases.sendsRequests(http, g.dir);
    long from = requests ? g.tx.requestFirstUs() : g.tx.responseFirstUs();
    long to = requests ? g.tx.requestLastUs() : g.tx.responseLastUs();
    return from >= 0 && to >= from ? to - from : 0;
  }

  /** What the message is, for summaries. */
  static String message(HttpTracker http, Group g) {
    return TransactionSpans.message(http, g.tx, g.dir);
  }

  /** Display filter for a sorted copy of {@code frames}. */
  static String filter(List<Long> frames) {
    return TransactionSpans.filter(frames);
  }

  static String times(int n) {
    return n == 1 ? "once" : n + " times";
  }
}
