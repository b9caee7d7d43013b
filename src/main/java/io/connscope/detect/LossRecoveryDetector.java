package io.connscope.detect;

/*
 * tcp.loss_recovery
 *
 * Rule: a sender retransmitted data inside a transaction (per connection when it carries no
 * HTTP); LossRecovery classifies every data segment of each direction:
 *   - where the loss was: a hole in the sender's bytes later filled by a retransmission (lost
 *     before the capture point, seen from the receiver's side) or a repeat of bytes already seen
 *     (lost after it, seen from the sender's side; or spurious). A hole filled within half a
 *     round trip is reordering, and a copy of a segment within half a round trip a duplicate
 *     (the capture recorded the frame twice): neither is loss. Bytes acknowledged but never
 *     captured are capture loss (capture.loss reports them; here they are only counted and
 *     lower the confidence);
 *   - what repaired it: fast retransmit (the segment at an ACK repeated by at least 2 duplicate
 *     ACKs), SACK retransmit (a hole below bytes the peer's SACK blocks reported held: the further
 *     holes of a SACK recovery, RFC 6675), in-recovery retransmit (ACKs kept coming, no SACK:
 *     after a partial ACK, RACK), RTO or tail-loss probe (after the sender was silent for at least
 *     max(retransmissionMinStallMicros (50 ms), 1.5 round trips); probe: the tail segment, or a
 *     silence below 200 ms, Linux's minimum RTO), spurious (the peer's ACK already covered it, or
 *     its later D-SACK, RFC 2883, reported the bytes received twice); a recovery during which the
 *     peer's ACKs carried SACK blocks is a SACK recovery;
 *   - slow-start overflow: the first recovery of a direction, with at least 3 lost segments out
 *     of a flight of at least 10 full segments and no retransmission before it: slow start grew
 *     the flight until a queue on the path overflowed.
 * Cost: the delay of each recovery (the longest time a retransmitted byte arrived after its
 * first transmission, or after its hole appeared), summed over the transaction's recoveries,
 * except those started by a timeout (RTO or probe): tcp.retransmission_stall costs the wait for
 * the timer, so the same time is not counted twice (they are named, with their delay, in
 * timeout_recoveries and timeout_delay_us).
 * Round trip: the handshake's, or the shortest seen on the data when shorter.
 * Attribution: a recovery belongs to the transaction whose frames include the original
 * transmission (or the segment after the hole); by time when none does.
 * Severity: warning when the cost is at least lossRecoveryWarnMicros (50 ms), info otherwise
 * (spurious retransmissions alone cost nothing: info);
 * never error (a hang is reported by tcp.retransmission_stall and http.unanswered).
 * Confidence: suspected when the capture lost bytes of that direction (a capture drop can look
 * like a hole) or the timeline was truncated; confirmed otherwise.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.LossRecovery;
import io.connscope.detect.facts.TransactionSpans;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.Severity;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Reports lost segments and how they were recovered, with the time it cost. */
public final class LossRecoveryDetector implements ConnectionDetector {
  public static final String TYPE = "tcp.loss_recovery";

  /** Evidence frames per finding. */
  private static final int MAX_FRAMES = 12;

  private final DetectOptions options;

  public LossRecoveryDetector(DetectOptions options) {
    this.options = options;
  }

  private static final class Group {
    final int tx;
    final LossRecovery.Direction dir;
    final List<LossRecovery.Recovery> recoveries = new ArrayList<>();

    Group(int tx, LossRecovery.Direction dir) {
      this.tx = tx;
      this.dir = dir;
    }
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    SegmentTimeline t = c.timeline();
    boolean isHttp = http != null && http.isHttp();
    List<Transaction> txs = isHttp ? http.transactions() : List.of();
    long rtt = LossRecovery.rtt(c);
    Map<String, Group> groups = null; // made at the first recovery: most connections have none
    for (LossRecovery.Direction d : LossRecovery.of(t, rtt, options.retransmissionMinStallMicros)) {
      if (d.recoveries.isEmpty()) {
        continue;
      }
      if (groups == null) {
        groups = new LinkedHashMap<>();
      }
      for (LossRecovery.Recovery r : d.recoveries) {
        int tx = TransactionSpans.byFrame(txs, t.frame(r.originIndex));
        if (tx < 0) {
          tx = TransactionSpans.byTime(txs, t.ts(r.firstIndex));
        }
        if (tx < 0 && isHttp) {
          continue; // outside every transaction: idle time
        }
        int key = tx;
        groups.computeIfAbsent(key + "/" + d.sender, k -> new Group(key, d)).recoveries.add(r);
      }
    }
    if (groups == null) {
      return;
    }
    for (Group g : groups.values()) {
      out.accept(finding(c, t, rtt, g));
    }
  }

  private Finding finding(Connection c, SegmentTimeline t, long rtt, Group g) {
    String sender = g.dir.sender == Direction.CLIENT ? "client" : "server";
    int[] triggers = new int[LossRecovery.TRIGGER.length];
    int lost = 0, retransmissions = 0, before = 0, after = 0, unfinished = 0;
    int sackRecoveries = 0, dsacks = 0;
    long cost = 0, longest = 0, timeoutDelay = 0;
    int timeouts = 0;
    LossRecovery.Recovery overflow = null;
    TreeSet<Long> frames = new TreeSet<>();
    for (LossRecovery.Recovery r : g.recoveries) {
      for (int k = 0; k < triggers.length; k++) {
        triggers[k] += r.triggers[k];
      }
      lost += r.lost;
      retransmissions += r.retransmissions.size();
      int first = r.retransmissions.get(0).trigger();
      if (first == LossRecovery.RTO || first == LossRecovery.TLP) {
        timeouts++; // tcp.retransmission_stall costs the wait for the timer
        timeoutDelay += r.delayMicros;
      } else {
        cost += r.delayMicros;
      }
      longest = Math.max(longest, r.delayMicros);
      unfinished += r.finished() ? 0 : 1;
      sackRecoveries += r.sack ? 1 : 0;
      dsacks += r.dsacks;
      if (r.slowStartOverflow) {
        overflow = r;
      }
      for (LossRecovery.Retransmission x : r.retransmissions) {
        if (x.kind() == LossRecovery.HOLE_FILLED) {
          before++;
        } else {
          after++;
        }
      }
      // evidence: the first retransmission of each recovery and what it repairs, then more
      frames.add(t.frame(r.originIndex));
      frames.add(t.frame(r.firstIndex));
      int dsack = r.retransmissions.get(0).dsackIndex();
      if (dsack >= 0) {
        frames.add(t.frame(dsack)); // the receiver's word that it had the bytes
      }
    }
    for (LossRecovery.Recovery r : g.recoveries) {
      for (LossRecovery.Retransmission x : r.retransmissions) {
        if (frames.size() >= MAX_FRAMES) {
          break;
        }
        frames.add(t.frame(x.index()));
      }
    }
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("sender", sender);
    d.put("recoveries", g.recoveries.size());
    d.put("retransmissions", retransmissions);
    d.put("lost_segments", lost);
    d.put("lost_before_capture", before);
    d.put("repeated_after_capture", after);
    for (int k = 0; k < triggers.length; k++) {
      d.put(LossRecovery.TRIGGER[k], triggers[k]);
    }
    d.put("longest_delay_us", longest);
    d.put("timeout_recoveries", timeouts);
    d.put("timeout_delay_us", timeoutDelay);
    d.put("unfinished_recoveries", unfinished);
    d.put("reordered_segments", g.dir.reordered);
    d.put("duplicate_segments", g.dir.duplicates);
    d.put("capture_lost_bytes", g.dir.captureLostBytes);
    d.put("slow_start_overflow", overflow != null ? 1 : 0);
    d.put("sack_recoveries", sackRecoveries);
    d.put("dsack_spurious", dsacks);
    if (overflow != null) {
      d.put("overflow_flight_bytes", overflow.flightBytes);
    }
    if (rtt > 0) {
      d.put("rtt_us", rtt);
    }
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "the %s retransmitted %d segment%s%s in %d recover%s (%s)",
            sender,
            retransmissions,
            retransmissions == 1 ? "" : "s",
            g.tx >= 0 ? " during transaction #" + g.tx : "",
            g.recoveries.size(),
            g.recoveries.size() == 1 ? "y" : "ies",
            triggers(triggers)));
    if (dsacks == retransmissions) {
      // nothing was lost: where the copies went is no question
    } else if (before > 0 && after == 0) {
      s.append(", lost before the capture point (holes filled later)");
    } else if (after > 0 && before == 0) {
      s.append(
          ", repeats of segments that had passed the capture point (lost beyond it, or"
              + " spurious)");
    } else if (before > 0) {
      s.append(
          String.format(
              Locale.ROOT, ", %d lost before the capture point, %d after it", before, after));
    }
    String receiver = g.dir.sender == Direction.CLIENT ? "server" : "client";
    if (sackRecoveries > 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "; the %s's SACK blocks drove %s",
              receiver,
              sackRecoveries == g.recoveries.size()
                  ? (sackRecoveries == 1 ? "the recovery" : "every recovery")
                  : sackRecoveries + " of the recoveries"));
    }
    if (dsacks > 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "; %s spurious: the %s's D-SACK%s reported %s received twice",
              dsacks == retransmissions ? (dsacks == 1 ? "it was" : "all were") : dsacks + " were",
              receiver,
              dsacks == 1 ? "" : "s",
              dsacks == 1 ? "the bytes" : "their bytes"));
    }
    if (overflow != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "; the first recovery repaired a burst of %d lost"
                  + " segments at the end of slow start (a queue on the path overflowed under a flight of"
                  + " %d bytes)",
              overflow.lost,
              overflow.flightBytes));
    }
    if (lost == 0) {
      s.append("; no data arrived late");
    } else {
      s.append(
          String.format(Locale.ROOT, "; the data arrived up to %.1f ms late", longest / 1000.0));
    }
    if (lost == 0) {
      // nothing to sum
    } else if (timeouts == 0) {
      s.append(String.format(Locale.ROOT, " (%.1f ms over all recoveries)", cost / 1000.0));
    } else {
      s.append(
          String.format(
              Locale.ROOT,
              " (%.1f ms over the recoveries without a timeout; %d"
                  + " started by a timeout, %.1f ms, are costed by %s)",
              cost / 1000.0,
              timeouts,
              timeoutDelay / 1000.0,
              RetransmissionStallDetector.TYPE));
    }
    if (unfinished > 0) {
      s.append("; the capture ends before the last recovery did");
    }
    boolean suspected = g.dir.captureLostBytes > 0 || t.truncated();
    Severity severity = cost >= options.lossRecoveryWarnMicros ? Severity.WARNING : Severity.INFO;
    StringBuilder filter = new StringBuilder("frame.number in {");
    boolean first = true;
    for (long f : frames) {
      filter.append(first ? "" : " ").append(f);
      first = false;
    }
    filter.append('}');
    Confidence confidence = suspected ? Confidence.SUSPECTED : Confidence.CONFIRMED;
    return new Finding(
        TYPE,
        severity,
        confidence,
        c.idString(),
        g.tx,
        cost,
        List.copyOf(frames),
        filter.toString(),
        s.toString(),
        fix(triggers, overflow),
        d);
  }

  private static final int SPURIOUS_INDEX = LossRecovery.SPURIOUS;

  private static String triggers(int[] n) {
    StringBuilder b = new StringBuilder();
    String[] names = {
      "fast retransmit",
      "RTO",
      "tail-loss probe",
      "spurious",
      "in-recovery retransmit",
      "SACK retransmit"
    };
    for (int k = 0; k < n.length; k++) {
      if (n[k] > 0) {
        b.append(b.length() == 0 ? "" : ", ")
            .append(n[k])
            .append(' ')
            .append(names[k])
            .append(n[k] > 1 && k != SPURIOUS_INDEX ? "s" : "");
      }
    }
    return b.toString();
  }

  private static String fix(int[] n, LossRecovery.Recovery overflow) {
    List<String> l = new ArrayList<>();
    if (overflow != null) {
      l.add(
          "a bottleneck queue shorter than the flight slow start builds drops a burst: pace the"
              + " sender (the fq qdisc, or BBR), or give the bottleneck a queue of about one"
              + " bandwidth-delay product with AQM and ECN");
    } else if (n[LossRecovery.FAST] + n[LossRecovery.RECOVERY] + n[LossRecovery.SACK] > 0) {
      l.add("find the loss on the path (interface errors, a congested or policing link)");
    }
    if (n[LossRecovery.RTO] + n[LossRecovery.TLP] > 0) {
      l.add(
          "losses at the tail of a response wait for a timer: keep SACK and TLP/RACK on (Linux"
              + " defaults) and find the loss on the path");
    }
    if (n[LossRecovery.SPURIOUS] > 0) {
      l.add(
          "spurious retransmissions resend data the receiver had: a timeout too short for the"
              + " path's delay variation, or reordering (keep D-SACK and RACK on so the sender"
              + " adapts)");
    }
    return String.join("; ", l);
  }
}
