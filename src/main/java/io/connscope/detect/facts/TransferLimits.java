package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.List;

/**
 * What limited each large transfer of a finished connection (T-RAT's question, answered from the
 * packets at either vantage point): a pure pass over its {@link SegmentTimeline}, computed once per
 * connection by {@link ConnectionFacts} and read by the detector and the result model.
 *
 * <p>A <b>transfer</b> is the body of one HTTP message (request or response) carried by at least
 * {@link #MIN_SEGMENTS} new data segments; its time runs from its first to its last data segment.
 * That time is split into shares:
 *
 * <ul>
 *   <li><b>receive window</b>: the sender was blocked on the receiver's window (zero, or the bytes
 *       in flight reached the advertised right edge): {@link TransferGaps}'s window gaps, the same
 *       time tcp.receive_window_limited counts; the zero-window part apart;
 *   <li><b>application</b> (the sender itself): everything was acknowledged, the window open, and
 *       the sender sent nothing: {@link TransferGaps}'s pauses (tcp.sender_paused's time);
 *   <li><b>recovery</b>: the time the direction's loss recoveries ({@link LossRecovery}) were open,
 *       inside the transfer;
 *   <li><b>slow start</b>: the rest of the time before the direction's first recovery or first
 *       window block (the congestion window was still growing from its initial value), when the
 *       transfer went in at least 2 flights that grew ({@link Flights#growing}); none for a
 *       transfer sent in one flight or in flights that did not grow;
 *   <li><b>congestion avoidance</b>: the rest after it: the sender was sending as fast as its
 *       congestion window let it, which at steady state is the path's rate.
 * </ul>
 *
 * <p>The <b>path rate</b> is estimated from the ACK clock, seen the same from both ends: the
 * largest rate at which the receiver's cumulative ACK advanced over any stretch of at least one
 * round trip (at least {@link #RATE_MIN_WINDOW_MICROS}) and {@link #RATE_MIN_SEGMENTS} segments,
 * outside loss recoveries and not from an ACK below SACKed bytes (such an ACK jumps over bytes
 * delivered earlier when the hole is filled). Held by the receive window or the sender for all of
 * its time, a transfer shows only a lower bound: {@link Transfer#pathRateLowerBound}. The
 * <b>bandwidth-delay product</b> is that rate times the round trip. A path rate below the
 * transfer's goodput cannot be (the path carried the whole transfer at least that fast): the
 * goodput is then given, as a lower bound.
 *
 * <p>The <b>limit</b> is the largest of receive window, application and congestion (slow start,
 * recovery and avoidance together), named:
 *
 * <ul>
 *   <li>{@code receive window (reader slow)}: the receiver's window openings came, on average
 *       (weighted by the time blocked), more than a round trip after the data that filled it had
 *       reached the receiver: its application did not read (a larger window would not help as much
 *       as a faster reader); {@code receive window (no window scaling)} when the receiver's window
 *       never exceeded 64 KiB and scaling was off; {@code receive window (too small for the path)}
 *       otherwise (the ACKs came at once; the window is below the bandwidth-delay product);
 *   <li>{@code sender (application-limited)};
 *   <li>{@code congestion/loss} when recoveries that repaired lost segments were open at least a
 *       tenth of the transfer's time; else {@code congestion (slow start)} when slow start took
 *       more time than avoidance; else {@code path (bottleneck rate)}: the sender filled the path.
 * </ul>
 *
 * <p>The <b>cost</b> of the limit: for the receive window and the sender, the time they held the
 * transfer; for congestion, the transfer's time beyond what its bytes take at the path rate
 * (unknown path rate: the recovery and slow-start time).
 */
public final class TransferLimits {
  /** New data segments from which a message body is a transfer (the "over ~10"). */
  public static final int MIN_SEGMENTS = 10;

  /** Shortest stretch of ACKs the path rate is measured over (a loopback round trip is µs). */
  static final long RATE_MIN_WINDOW_MICROS = 1_000;

  /** Fewest largest segments acknowledged in a stretch the path rate is measured over. */
  static final int RATE_MIN_SEGMENTS = 4;

  /**
   * Congestion is named for loss when recoveries took at least 1 / this of the transfer's time (a
   * single fast retransmit in a long slow start is not what limited it).
   */
  static final int LOSS_MIN_SHARE_DIV = 10;

  /** Limit names. */
  public static final String READER_SLOW = "receive window (reader slow)",
      NO_SCALING = "receive window (no window scaling)",
      WINDOW_SMALL = "receive window (too small for the path)",
      APPLICATION = "sender (application-limited)",
      LOSS = "congestion/loss",
      SLOW_START = "congestion (slow start)",
      PATH = "path (bottleneck rate)";

  /**
   * One transfer. Times in microseconds, rates in bits per second (-1 unknown), indexes into the
   * connection's timeline.
   *
   * @param sender {@code Direction.CLIENT} or {@code SERVER}
   * @param transaction the HTTP transaction's index
   * @param request true for a request body
   * @param firstIndex first data segment
   * @param lastIndex last data segment
   * @param segments new data segments
   * @param bytes new data bytes
   * @param micros first to last data segment
   * @param windowMicros blocked on the receive window (zero window included)
   * @param zeroWindowMicros the part of it at a zero window
   * @param applicationMicros the sender idle with the window open and nothing in flight
   * @param recoveryMicros loss recoveries open
   * @param slowStartMicros the rest before the first recovery or window block
   * @param avoidanceMicros the rest after it
   * @param lostSegments segments the recoveries inside the transfer repaired
   * @param pathRateBps estimated path rate, -1 when no stretch qualified
   * @param pathRateLowerBound the rate was measured while the window or the sender held the
   *     transfer: the path is at least this fast
   * @param rttMicros the round trip at the capture point, -1 unknown
   * @param readerHoldMicros the receiver's mean time from data to window opening (blocked-time
   *     weighted), -1 when the window never held the transfer
   * @param receiverMaxWindow the receiver's largest advertised window, bytes
   * @param scaling "on (shift N)", "off" or "unknown"
   * @param limit what limited it (one of the names above)
   * @param costMicros what the limit cost
   * @param blockFrames frames of the first window or pause blocks (evidence; for a sender limit its
   *     pauses first), at most a few
   * @param coveredBy the dedicated finding type that reports this limit on this transfer ({@link
   *     #coveredBy}), null when none does (then tcp.transfer_limited states it)
   */
  public record Transfer(
      int sender,
      int transaction,
      boolean request,
      int firstIndex,
      int lastIndex,
      int segments,
      long bytes,
      long micros,
      long windowMicros,
      long zeroWindowMicros,
      long applicationMicros,
      long recoveryMicros,
      long slowStartMicros,
      long avoidanceMicros,
      int lostSegments,
      long pathRateBps,
      boolean pathRateLowerBound,
      long rttMicros,
      long readerHoldMicros,
      long receiverMaxWindow,
      String scaling,
      String limit,
      long costMicros,
      List<Long> blockFrames,
      String coveredBy) {

    /** Bytes per second times 8 over the transfer's time, -1 when it took no time. */
    public long goodputBps() {
      return micros > 0 ? bytes * 8_000_000L / micros : -1;
    }

    /** Path rate times round trip, bytes; -1 when either is unknown. */
    public long bdpBytes() {
      return pathRateBps > 0 && rttMicros > 0 ? pathRateBps * rttMicros / 8_000_000L : -1;
    }
  }

  /** Evidence frames kept per transfer. */
  static final int MAX_FRAMES = 6;

  private TransferLimits() {}

  /** The transfers of {@code c}, in transaction order; empty without HTTP. */
  public static List<Transfer> of(Connection c, HttpTracker http, DetectOptions options) {
    if (http == null || !http.isHttp() || c.timeline().size() == 0) {
      return List.of();
    }
    if (c.half(Direction.CLIENT).dataSegments() < MIN_SEGMENTS
        && c.half(Direction.SERVER).dataSegments() < MIN_SEGMENTS) {
      return List.of(); // no message can be large: most connections end here, at no cost
    }
    SegmentTimeline t = c.timeline();
    long rtt = LossRecovery.rtt(c);
    LossRecovery.Direction[] loss = null;
    List<TransferGaps.Gap> gaps = null;
    List<Transfer> out = new ArrayList<>();
    for (int txi = 0, txn = http.transactions().size(); txi < txn; txi++) {
      Transaction tx = http.transactions().get(txi);
      for (int d = 0; d < 2; d++) {
        boolean request = AckGatedReleases.sendsRequests(http, d);
        long from = request ? tx.requestFirstFrame() : tx.responseFirstFrame();
        long to = request ? tx.requestLastFrame() : tx.responseLastFrame();
        if (from < 0 || to < from || newSegments(t, d, from, to) < MIN_SEGMENTS) {
          continue;
        }
        if (loss == null) { // the connection's scans, once, when a transfer needs them
          loss = LossRecovery.of(t, rtt, options.retransmissionMinStallMicros);
          gaps = new TransferGaps(c, options).advance(Long.MAX_VALUE);
        }
        Transfer x = transfer(c, t, d, tx.index(), request, from, to, rtt, loss[d], gaps, options);
        if (x != null) {
          out.add(x);
        }
      }
    }
    return out;
  }

  /** Index of the first gap whose B is at or after timeline index {@code i} (gaps in B order). */
  private static int firstGap(List<TransferGaps.Gap> gaps, int i) {
    int lo = 0, hi = gaps.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (gaps.get(mid).next() < i) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** New data segments of direction {@code d} in frames {@code [from, to]}. */
  private static int newSegments(SegmentTimeline t, int d, long from, long to) {
    int n = 0;
    for (int i = t.indexAtOrAfter(from); i < t.size() && t.frame(i) <= to; i++) {
      if (t.dir(i) == d && t.len(i) > 0 && !t.isKeepAlive(i) && !t.isRetransmission(i)) {
        n++;
      }
    }
    return n;
  }

  private static Transfer transfer(
      Connection c,
      SegmentTimeline t,
      int d,
      int tx,
      boolean request,
      long fromFrame,
      long toFrame,
      long rtt,
      LossRecovery.Direction loss,
      List<TransferGaps.Gap> gaps,
      DetectOptions options) {
    int first = -1, last = -1, segments = 0;
    long bytes = 0;
    for (int i = t.indexAtOrAfter(fromFrame); i < t.size() && t.frame(i) <= toFrame; i++) {
      if (t.dir(i) != d || t.len(i) == 0 || t.isKeepAlive(i)) {
        continue;
      }
      if (first < 0) {
        first = i;
      }
      last = i;
      if (!t.isRetransmission(i)) {
        segments++;
        bytes += t.len(i);
      }
    }
    if (segments < MIN_SEGMENTS) {
      return null;
    }
    long t0 = t.ts(first), t1 = t.ts(last), span = t1 - t0;
    if (span <= 0) {
      return null;
    }
    // the first recovery of the direction and its losses inside the transfer
    long recovery = 0, firstRecovery = Long.MAX_VALUE;
    int lost = 0;
    for (LossRecovery.Recovery r : loss.recoveries) {
      if (r.lost == 0) {
        continue; // spurious only: nothing was repaired, the sender did not slow down for it
      }
      long a = r.startMicros, b = r.finished() ? r.endMicros : t1;
      firstRecovery = Math.min(firstRecovery, a);
      long s = Math.max(a, t0), e = Math.min(b, t1);
      if (e > s) {
        recovery += e - s;
        lost += r.lost;
      } else if (a >= t0 && a <= t1) {
        lost += r.lost;
      }
    }
    long window = 0, zero = 0, app = 0, holdWeighted = 0, firstBlock = Long.MAX_VALUE;
    int pauses = 0;
    long beforeSlowStartEnd = 0; // window and pause time before the end of slow start
    List<Long> frames = new ArrayList<>();
    List<Long> pauseFrames = new ArrayList<>(); // the pauses' own, for a sender limit's evidence
    int from = firstGap(gaps, first), to = from;
    for (; to < gaps.size() && gaps.get(to).next() <= last; to++) {
      TransferGaps.Gap g = gaps.get(to);
      if (g.dir() != d || g.data() < first) {
        continue;
      }
      long blocked = g.open() >= 0 ? g.blockedMicros() : 0;
      long paused = paused(c, d, g, options);
      if (blocked > 0) {
        window += blocked;
        zero += g.zeroWindow() ? blocked : 0;
        firstBlock = Math.min(firstBlock, t.ts(g.data()));
        holdWeighted += readerHold(c, t, d, g) * blocked;
      }
      app += Math.max(0, paused);
      pauses += paused > 0 ? 1 : 0;
      if ((blocked > 0 || paused > 0) && frames.size() < MAX_FRAMES) {
        frames.add(t.frame(g.data()));
        frames.add(t.frame(g.next()));
      }
      if (paused > 0 && pauseFrames.size() < MAX_FRAMES) {
        pauseFrames.add(t.frame(g.data()));
        pauseFrames.add(t.frame(g.next()));
      }
    }
    long slowStartEnd = Math.min(t1, Math.min(firstRecovery, firstBlock));
    for (TransferGaps.Gap g : gaps.subList(from, to)) {
      if (g.dir() == d && g.data() >= first && t.ts(g.data()) < slowStartEnd) {
        beforeSlowStartEnd += (g.open() >= 0 ? g.blockedMicros() : 0);
        beforeSlowStartEnd += paused(c, d, g, options);
      }
    }
    window = Math.min(window, span);
    app = Math.min(app, span - window);
    recovery = Math.min(recovery, span - window - app);
    long rest = span - window - app - recovery;
    long slowStart =
        flightsGrew(c, t, d, first, last)
            ? Math.max(0, Math.min(rest, Math.max(0, slowStartEnd - t0) - beforeSlowStartEnd))
            : 0; // sent in one flight, or flights that did not grow: slow start held nothing
    long avoidance = rest - slowStart;
    long hold = window > 0 ? holdWeighted / window : -1;

    long[] rate = pathRate(t, d, first, last, rtt, loss);
    long pathRate = rate[0];
    boolean lowerBound = pathRate > 0 && rest < Math.max(window, app);
    long goodput = bytes * 8_000_000L / span;
    if (pathRate > 0 && goodput > pathRate) {
      // the path carried the whole transfer at least this fast: a stretch of ACKs slower than
      // that (a short transfer's stretch reaching into an idle) does not measure the path
      pathRate = goodput;
      lowerBound = true;
    }
    long maxWindow = c.half(1 - d).maxWindow();
    String scaling = ReceiveWindow.scaling(c, d);
    String limit;
    long cost;
    long congestion = recovery + slowStart + avoidance;
    if (window >= app && window >= congestion) {
      limit = windowLimit(hold, rtt, scaling, maxWindow);
      cost = window;
    } else if (app >= congestion) {
      limit = APPLICATION;
      cost = app;
    } else {
      limit =
          lost > 0 && recovery * LOSS_MIN_SHARE_DIV >= span
              ? LOSS
              : slowStart > avoidance ? SLOW_START : PATH;
      if (pathRate > 0 && !lowerBound) {
        long ideal = bytes * 8_000_000L / pathRate;
        cost = Math.max(0, span - ideal);
      } else {
        cost = recovery + slowStart;
      }
    }
    if (limit.equals(APPLICATION)) {
      // the pauses are the evidence: window blocks of a few µs earlier must not crowd them out
      List<Long> evidence = new ArrayList<>(pauseFrames);
      for (Long f : frames) {
        if (evidence.size() < MAX_FRAMES && !evidence.contains(f)) {
          evidence.add(f);
        }
      }
      frames = evidence;
    }
    return new Transfer(
        d,
        tx,
        request,
        first,
        last,
        segments,
        bytes,
        span,
        window,
        zero,
        app,
        recovery,
        slowStart,
        avoidance,
        lost,
        pathRate,
        lowerBound,
        rtt,
        hold,
        maxWindow,
        scaling,
        limit,
        cost,
        List.copyOf(frames),
        coveredBy(c, t, d, limit, window, pauses, lost, tx, first, last, options));
  }

  /**
   * How long the receiver took to open its window after the data of window gap {@code g} reached it
   * (the opening's time less the data's, less the round trip from the capture point to the
   * receiver), at least 0; shared with tcp.receive_window_limited, which weights it the same way.
   */
  public static long readerHold(Connection c, SegmentTimeline t, int d, TransferGaps.Gap g) {
    long toReceiver = d == Direction.SERVER ? c.rttToClientMicros() : c.rttToServerMicros();
    return Math.max(0, t.ts(g.open()) - t.ts(g.data()) - Math.max(0, toReceiver));
  }

  /**
   * Which receive-window limit: {@link #READER_SLOW} when the window opened, on average, more than
   * a round trip after the data reached the receiver ({@code hold}, blocked-time weighted); {@link
   * #NO_SCALING} when scaling was off and the window never above 64 KiB; else {@link
   * #WINDOW_SMALL}.
   */
  public static String windowLimit(long hold, long rtt, String scaling, long maxWindow) {
    if (hold > Math.max(rtt, 0)) {
      return READER_SLOW;
    }
    return !scaling.startsWith("on") && maxWindow <= 65_535 ? NO_SCALING : WINDOW_SMALL;
  }

  /**
   * The dedicated finding that states {@code limit} for this transfer, decided from the facts that
   * finding is computed from (never from the finding itself), or null when none does: a receive
   * window limit with at least windowLimitedMinMicros blocked ({@link TransferGaps}' window gaps:
   * tcp.receive_window_limited); the sender with at least senderPauseMinCount pauses ({@link
   * TransferGaps}' pauses: tcp.sender_paused); congestion/loss with lost segments repaired ({@link
   * LossRecovery}: tcp.loss_recovery reports every recovery); slow start on a response whose
   * flights ({@link Flights}) grew as slow start grows them (tcp.slow_start). A path limit has no
   * dedicated finding.
   */
  static String coveredBy(
      Connection c,
      SegmentTimeline t,
      int d,
      String limit,
      long window,
      int pauses,
      int lost,
      int tx,
      int first,
      int last,
      DetectOptions options) {
    return switch (limit) {
      case READER_SLOW, NO_SCALING, WINDOW_SMALL ->
          window >= options.windowLimitedMinMicros ? "tcp.receive_window_limited" : null;
      case APPLICATION -> pauses >= options.senderPauseMinCount ? "tcp.sender_paused" : null;
      case LOSS -> lost > 0 ? "tcp.loss_recovery" : null;
      case SLOW_START -> slowStartFlights(c, t, d, tx, first, last) ? "tcp.slow_start" : null;
      default -> null;
    };
  }

  /**
   * Whether the transfer's new data went in at least 2 flights growing as slow start grows them
   * ({@link Flights#growing}); a transfer sent in one flight, or in flights that did not grow, was
   * not held by slow start.
   */
  private static boolean flightsGrew(Connection c, SegmentTimeline t, int d, int first, int last) {
    long rtt = Flights.rtt(c);
    if (rtt <= 0) {
      return false;
    }
    long[] bytes = new long[Flights.MAX_SIZED];
    int n =
        Flights.count(t, d, t.frame(first), t.frame(last), rtt, bytes, new int[Flights.MAX_SIZED]);
    return n >= 2
        && Flights.growing(java.util.Arrays.copyOf(bytes, Math.min(n, Flights.MAX_SIZED)));
  }

  /**
   * A server response whose new data went in at least 2 flights growing as slow start grows them
   * ({@link Flights#growing}), on a new connection (the first response, the handshake seen) or
   * after the server sat idle longer than the retransmission timeout: the responses tcp.slow_start
   * judges.
   */
  private static boolean slowStartFlights(
      Connection c, SegmentTimeline t, int d, int tx, int first, int last) {
    if (d != Direction.SERVER || !flightsGrew(c, t, d, first, last)) {
      return false; // tcp.slow_start judges responses only, whose flights grew
    }
    long rtt = Flights.rtt(c);
    if (tx == 0 && c.synFrame() >= 0) {
      return true;
    }
    for (int i = first - 1; i >= 0; i--) {
      if (t.dir(i) == d && t.len(i) > 0) {
        return t.ts(first) - t.ts(i) > rtt + Flights.RTO_MIN_MICROS;
      }
    }
    return false;
  }

  /**
   * The pause of gap {@code g} as tcp.sender_paused counts it (long enough to be no jitter: at
   * least max(senderPauseMinMicros, half the round trip to the sender); no exchange in it), else 0.
   */
  static long paused(Connection c, int d, TransferGaps.Gap g, DetectOptions options) {
    long rttSender = d == Direction.CLIENT ? c.rttToClientMicros() : c.rttToServerMicros();
    long min = Math.max(options.senderPauseMinMicros, Math.max(0, rttSender) / 2);
    return g.idleFrom() >= 0 && !g.peerData() && g.pausedMicros() >= min ? g.pausedMicros() : 0;
  }

  /**
   * {rate in bits per second, -1 unknown}: the largest rate of the receiver's cumulative ACK of
   * direction {@code d}'s bytes over a stretch of at least max(rtt, {@link
   * #RATE_MIN_WINDOW_MICROS}) and {@link #RATE_MIN_SEGMENTS} largest segments, ending inside the
   * transfer, with no loss recovery open in it.
   */
  static long[] pathRate(
      SegmentTimeline t, int d, int first, int last, long rtt, LossRecovery.Direction loss) {
    long minWindow = Math.max(RATE_MIN_WINDOW_MICROS, rtt);
    int maxLen = 0;
    for (int i = first; i <= last; i++) {
      if (t.dir(i) == d) {
        maxLen = Math.max(maxLen, t.len(i));
      }
    }
    long minBytes = (long) RATE_MIN_SEGMENTS * Math.max(1, maxLen);
    // the ACKs that advanced, from the transfer's first data segment to one round trip after its
    // last (its last ACKs)
    long end = t.ts(last) + Math.max(0, rtt);
    List<long[]> acks = new ArrayList<>(); // {ts, ack, 1 when SACK blocks lay above it}
    long high = -1;
    int sack = 0;
    for (int i = first; i < t.size() && t.ts(i) <= end; i++) {
      boolean above = false; // the receiver held bytes beyond the ACK (a hole before them)
      for (; sack < t.sackCount() && t.sackEntry(sack) <= i; sack++) {
        above |= t.sackEntry(sack) == i && t.sackLeft(sack) > t.ack(i);
      }
      if (t.dir(i) == d || t.ack(i) < 0) {
        continue;
      }
      if (t.ack(i) > high) {
        high = t.ack(i);
        acks.add(new long[] {t.ts(i), high, above ? 1 : 0});
      }
    }
    long best = -1;
    int k = 0, r = 0;
    List<LossRecovery.Recovery> rs = loss.recoveries; // in time order, one open at a time
    for (int j = 0; j < acks.size(); j++) {
      long tj = acks.get(j)[0];
      while (k + 1 < j
          && tj - acks.get(k + 1)[0] >= minWindow
          && acks.get(j)[1] - acks.get(k + 1)[1] >= minBytes) {
        k++; // the latest start at least minWindow and minBytes before j
      }
      long tk = acks.get(k)[0];
      while (r < rs.size() && rs.get(r).finished() && rs.get(r).endMicros < tk) {
        r++; // recoveries over before the stretch
      }
      boolean recovering = r < rs.size() && rs.get(r).startMicros <= tj;
      long dt = tj - tk, db = acks.get(j)[1] - acks.get(k)[1];
      // a stretch from an ACK with a hole before SACKed bytes would count their delivery twice
      boolean holeAtStart = acks.get(k)[2] != 0;
      if (k >= j || dt < minWindow || db < minBytes || recovering || holeAtStart) {
        continue;
      }
      best = Math.max(best, db * 8_000_000L / dt);
    }
    return new long[] {best};
  }
}
