package io.connscope.detect.facts;

import io.connscope.common.Direction;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds, in one connection's timeline, data segments that left only when the peer's ACK arrived:
 * the shared evidence behind the delayed-ACK and Nagle findings.
 *
 * <p>For each direction, for each new data segment B (not a retransmission or keep-alive) and the
 * data segment A sent before it, with no other data between them: the first ACK from the peer that
 * covers all of A arrives after A and before B, and B left right after it: B passed the capture
 * point one round trip between the capture point and the sender after the ACK, within {@link
 * DetectOptions#releaseToleranceMicros} later, or that or an eighth of the round trip ({@link
 * #EARLY_SHARE}) sooner (from wherever it is captured, the ACK travels on to the sender and B comes
 * back; a B that arrives much sooner left before the ACK reached the sender, so something earlier
 * released it). Each such release records:
 *
 * <ul>
 *   <li>the ACK's delay beyond the round trip between the capture point and the receiver (the
 *       {@code stall}: how long the receiver held the ACK back);
 *   <li>how long B was held: from A to B, as both are the sender's segments the capture point does
 *       not change it;
 *   <li>whether the ACK was pure (no data: the receiver's delayed-ACK timer fired, it did not
 *       answer);
 *   <li>what held B: Nagle when B and A are both shorter than the sender's MSS (RFC 896: a small
 *       segment waits for all earlier data to be acknowledged), otherwise the congestion or receive
 *       window (a full segment, or the short tail of one large write).
 * </ul>
 *
 * Where the capture point sits does not matter: near the sender the ACK arrives one RTT plus the
 * delay after A and B follows at once; near the receiver the ACK leaves the delay after A and B
 * arrives one RTT later. Detectors apply their own thresholds to these measurements.
 *
 * <p>Window rule-out ({@code windowGated}): the receiver's window, not a held ACK or Nagle, held B
 * when, just before the releasing ACK arrived, B did not fit in the window the sender knew: the
 * room between the end of A and the window's right edge (ACK number plus advertised window, the
 * largest of the receiver's segments before the releasing ACK) was less than min(B's length, the
 * sender's MSS), i.e. the data in flight had reached (or come within one segment of) the advertised
 * window, or the window was zero. The releasing ACK is then a window update: it opened the window
 * enough for B (a reader draining a full buffer ACKs and opens in one segment). A pure window
 * update with the ACK number unchanged cannot be the first ACK covering A, so the growth test is
 * the whole rule. The receiver's segments reach the sender in the order they were sent, so the
 * right edge known before the releasing ACK is the same whether the capture point is near the
 * sender or near the receiver. When the window scale is unknown (handshake not captured) the window
 * fields are raw, and only a zero window counts.
 */
public final class AckGatedReleases {
  /** One release: timeline indices of the held data's predecessor, the late ACK and B. */
  public record Release(
      int dir,
      int data,
      int ack,
      int released,
      long ackDelayMicros,
      long stallMicros,
      long heldMicros,
      boolean pureAck,
      boolean nagle,
      boolean rttKnown,
      boolean windowGated) {}

  /**
   * The releases one {@link #advance} found, in primitive arrays reused from one advance to the
   * next (a keep-alive transaction has about one release: a record and a list for each was most of
   * the detectors' garbage per transaction). Valid until the next advance into it; {@link #get}
   * makes the record of one release, for the few a detector reports.
   */
  public static final class Batch {
    private static final int PURE_ACK = 1;
    private static final int NAGLE = 2;
    private static final int RTT_KNOWN = 4;
    private static final int WINDOW_GATED = 8;

    private int size;
    private int[] ints = new int[4 * 4]; // dir, data, ack, released
    private long[] longs = new long[4 * 3]; // ackDelay, stall, held
    private byte[] flags = new byte[4];

    /** Releases found. */
    public int size() {
      return size;
    }

    public int dir(int k) {
      return ints[4 * k];
    }

    public int data(int k) {
      return ints[4 * k + 1];
    }

    public int ack(int k) {
      return ints[4 * k + 2];
    }

    public int released(int k) {
      return ints[4 * k + 3];
    }

    public long ackDelayMicros(int k) {
      return longs[3 * k];
    }

    public long stallMicros(int k) {
      return longs[3 * k + 1];
    }

    public long heldMicros(int k) {
      return longs[3 * k + 2];
    }

    public boolean pureAck(int k) {
      return (flags[k] & PURE_ACK) != 0;
    }

    public boolean nagle(int k) {
      return (flags[k] & NAGLE) != 0;
    }

    public boolean rttKnown(int k) {
      return (flags[k] & RTT_KNOWN) != 0;
    }

    public boolean windowGated(int k) {
      return (flags[k] & WINDOW_GATED) != 0;
    }

    /** Release {@code k} as a record. */
    public Release get(int k) {
      return new Release(
          dir(k),
          data(k),
          ack(k),
          released(k),
          ackDelayMicros(k),
          stallMicros(k),
          heldMicros(k),
          pureAck(k),
          nagle(k),
          rttKnown(k),
          windowGated(k));
    }

    /** Every release of the batch as records, in order. */
    public List<Release> toList() {
      List<Release> out = new ArrayList<>(size);
      for (int k = 0; k < size; k++) {
        out.add(get(k));
      }
      return out;
    }

    private void add(
        int dir,
        int data,
        int ack,
        int released,
        long ackDelayMicros,
        long stallMicros,
        long heldMicros,
        boolean pureAck,
        boolean nagle,
        boolean rttKnown,
        boolean windowGated) {
      if (size == flags.length) {
        ints = Arrays.copyOf(ints, 8 * size);
        longs = Arrays.copyOf(longs, 6 * size);
        flags = Arrays.copyOf(flags, 2 * size);
      }
      int k = size++;
      ints[4 * k] = dir;
      ints[4 * k + 1] = data;
      ints[4 * k + 2] = ack;
      ints[4 * k + 3] = released;
      longs[3 * k] = ackDelayMicros;
      longs[3 * k + 1] = stallMicros;
      longs[3 * k + 2] = heldMicros;
      flags[k] =
          (byte)
              ((pureAck ? PURE_ACK : 0)
                  | (nagle ? NAGLE : 0)
                  | (rttKnown ? RTT_KNOWN : 0)
                  | (windowGated ? WINDOW_GATED : 0));
    }
  }

  /**
   * A released segment may arrive sooner than one sender-side round trip after its ACK by the
   * tolerance or by this share of the round trip, whichever is larger: the handshake's round trip
   * can exceed the path's by the hosts' processing or a queue at the time (a few ms on real
   * captures). Sooner than that, it left before the ACK reached the sender.
   */
  static final int EARLY_SHARE = 8;

  private final Connection c;
  private final DetectOptions o;

  /** Next timeline entry to examine. */
  private int next;

  /** Per direction: the last new data segment seen, -1 before the first. */
  private final int[] prev = {-1, -1};

  /** Per direction: the largest data segment seen. */
  private final int[] maxLen = new int[2];

  /** Per direction: the last segment sent in that direction that carried an ACK, -1 before one. */
  private final int[] lastAcking = {-1, -1};

  /** Per direction: the largest right edge its segments advertised so far, -1 before one. */
  private final long[] maxEdge = {-1, -1};

  /** Per direction: the largest right edge the peer had advertised when {@link #prev} left. */
  private final long[] edgeAtPrev = {-1, -1};

  /** Per direction: the peer's last window was zero when {@link #prev} left. */
  private final boolean[] zeroAtPrev = new boolean[2];

  /**
   * A scan of one connection's timeline, advanced as the connection goes on: each entry is examined
   * once, so detectors can run per transaction on connections of any length.
   */
  public AckGatedReleases(Connection c, DetectOptions o) {
    this.c = c;
    this.o = o;
  }

  /**
   * Examines the entries not examined yet whose frame is at most {@code upToFrame}; the releases
   * found replace what {@code out} held.
   */
  public void advance(long upToFrame, Batch out) {
    out.size = 0;
    SegmentTimeline t = c.timeline();
    for (; next < t.size() && t.frame(next) <= upToFrame; next++) {
      int i = next;
      int dir = t.dir(i);
      if (ReceiveWindow.acks(t, i)) {
        lastAcking[dir] = i;
        maxEdge[dir] = Math.max(maxEdge[dir], ReceiveWindow.rightEdge(t, i));
      }
      if (t.len(i) == 0 || t.isRetransmission(i) || t.isKeepAlive(i)) {
        continue;
      }
      maxLen[dir] = Math.max(maxLen[dir], t.len(i));
      int a = prev[dir];
      long edge = edgeAtPrev[dir]; // grows to the largest right edge before the releasing ACK
      boolean zero = zeroAtPrev[dir];
      prev[dir] = i;
      edgeAtPrev[dir] = maxEdge[1 - dir];
      zeroAtPrev[dir] = lastAcking[1 - dir] >= 0 && t.window(lastAcking[1 - dir]) == 0;
      if (a < 0) {
        continue;
      }
      long endA = t.seq(a) + t.len(a);
      int ack = -1;
      for (int j = a + 1; j < i; j++) {
        if (t.dir(j) != dir && t.ack(j) >= endA) {
          ack = j;
          break;
        }
        if (t.dir(j) != dir && ReceiveWindow.acks(t, j)) {
          edge = Math.max(edge, ReceiveWindow.rightEdge(t, j));
          zero = t.window(j) == 0;
        }
      }
      if (ack < 0) {
        continue;
      }
      boolean windowGated =
          ReceiveWindow.held(
              edge,
              zero,
              endA,
              Math.min(t.len(i), effectiveMss(dir)),
              ReceiveWindow.scaleKnown(c, dir));
      long rttReceiver = dir == Direction.CLIENT ? c.rttToServerMicros() : c.rttToClientMicros();
      long rttSender = dir == Direction.CLIENT ? c.rttToClientMicros() : c.rttToServerMicros();
      boolean rttKnown = rttReceiver >= 0 && rttSender >= 0;
      long ackDelay = t.ts(ack) - t.ts(a);
      long release = t.ts(i) - t.ts(ack);
      long expected = Math.max(0, rttSender);
      long early = Math.max(o.releaseToleranceMicros, expected / EARLY_SHARE);
      if (release >= 0
          && release >= expected - early
          && release <= expected + o.releaseToleranceMicros) {
        out.add(
            dir,
            a,
            ack,
            i,
            ackDelay,
            Math.max(0, ackDelay - Math.max(0, rttReceiver)),
            t.ts(i) - t.ts(a),
            t.len(ack) == 0,
            nagle(t, a, i, effectiveMss(dir)),
            rttKnown,
            windowGated);
      }
    }
  }

  /**
   * Nagle held B when B is smaller than the MSS (RFC 896 holds only small segments) and A, the data
   * it waited behind, was a small write too. The tail of one large write (a full segment A, then a
   * short B) waits for the congestion window in slow start as much as for Nagle, so it counts as
   * window-gated.
   */
  private static boolean nagle(SegmentTimeline t, int a, int b, int mss) {
    return t.len(b) < mss && t.len(a) < mss;
  }

  /**
   * TCP options in data segments take room from the MSS (timestamps 12 bytes, SACK blocks up to
   * 40): a segment this close to the MSS is a full one.
   */
  private static final int OPTION_ROOM = 40;

  /**
   * The largest segment the sender may send: the MSS the peer announced, else the largest data
   * segment the sender was seen to send so far.
   */
  private int effectiveMss(int dir) {
    return effectiveMss(c, dir, maxLen[dir]);
  }

  /**
   * {@link #effectiveMss(int)} for a sender whose largest data segment so far is {@code maxLen} (0
   * for none).
   */
  static int effectiveMss(Connection c, int dir, int maxLen) {
    int announced = c.half(1 - dir).mss();
    if (announced > 0) {
      return Math.max(1, announced - OPTION_ROOM);
    }
    return maxLen == 0 ? Integer.MAX_VALUE : maxLen;
  }

  /**
   * True when direction {@code dir} carries the requests: the client's, or the server's on a
   * reverse connection ({@link io.connscope.http.HttpTracker#httpReversed()}).
   */
  public static boolean sendsRequests(io.connscope.http.HttpTracker http, int dir) {
    return (dir == Direction.CLIENT) != (http != null && http.httpReversed());
  }

  /**
   * The transaction whose request (sent in direction {@code dir}) or response carried {@code
   * frame}, or null. Binary search: transactions are in request order, and so are their messages'
   * frames.
   */
  public static io.connscope.http.Transaction transactionAt(
      io.connscope.http.HttpTracker http, int dir, long frame) {
    if (http == null) {
      return null;
    }
    boolean requests = sendsRequests(http, dir);
    List<io.connscope.http.Transaction> txs = http.keptNow(); // looked up now, not kept
    int lo = 0;
    int hi = txs.size() - 1;
    int candidate = -1;
    while (lo <= hi) { // last transaction whose message starts at or before frame
      int mid = (lo + hi) >>> 1;
      long first = firstFrame(txs.get(mid), requests);
      if (first >= 0 && first <= frame) {
        candidate = mid;
        lo = mid + 1;
      } else if (first < 0) {
        // a message without frames (unanswered / orphan): look at neighbours linearly
        return linearTransactionAt(txs, requests, frame);
      } else {
        hi = mid - 1;
      }
    }
    if (candidate < 0) {
      return null;
    }
    io.connscope.http.Transaction tx = txs.get(candidate);
    return frame <= lastFrame(tx, requests) ? tx : null;
  }

  /** First frame of the transaction's request ({@code requests}) or response. */
  public static long firstFrame(io.connscope.http.Transaction tx, boolean requests) {
    return requests ? tx.requestFirstFrame() : tx.responseFirstFrame();
  }

  private static long lastFrame(io.connscope.http.Transaction tx, boolean requests) {
    return requests ? tx.requestLastFrame() : tx.responseLastFrame();
  }

  private static io.connscope.http.Transaction linearTransactionAt(
      List<io.connscope.http.Transaction> txs, boolean requests, long frame) {
    for (io.connscope.http.Transaction tx : txs) {
      long first = firstFrame(tx, requests);
      long last = lastFrame(tx, requests);
      if (first >= 0 && frame >= first && frame <= last) {
        return tx;
      }
    }
    return null;
  }

  /** Index of {@link #transactionAt}, or -1. */
  public static int transactionOf(io.connscope.http.HttpTracker http, int dir, long frame) {
    io.connscope.http.Transaction tx = transactionAt(http, dir, frame);
    return tx == null ? -1 : tx.index();
  }

  /** Display filter showing the three frames of a release. */
  public static String filter(SegmentTimeline t, Release r) {
    return "frame.number in {"
        + t.frame(r.data)
        + " "
        + t.frame(r.ack)
        + " "
        + t.frame(r.released)
        + "}";
  }

  /** The peer stack a delayed-ACK timer of this length suggests. */
  public static String stackHint(long delayMicros) {
    if (delayMicros >= 30_000 && delayMicros < 70_000) {
      return "Linux (delayed-ACK timer about 40 ms, quick-ack off)";
    }
    if (delayMicros >= 80_000 && delayMicros < 140_000) {
      return "BSD or macOS (delayed-ACK timer about 100 ms)";
    }
    if (delayMicros >= 150_000 && delayMicros < 260_000) {
      return "Windows (delayed-ACK timer about 200 ms)";
    }
    return null;
  }
}
