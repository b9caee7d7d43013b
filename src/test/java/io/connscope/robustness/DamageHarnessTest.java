package io.connscope.robustness;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connscope.http.Transaction;
import io.connscope.robustness.Damage.Damaged;
import io.connscope.robustness.DamageFrames.Dirs;
import io.connscope.robustness.DamageFrames.Frame;
import io.connscope.robustness.DamageFrames.Segs;
import io.connscope.robustness.PairingRun.Msg;
import io.connscope.robustness.PairingRun.Tx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The damage harness (issue 14): derives damaged captures from good ones ({@link Damage#levels()}:
 * random drops of 1% and 5% with three seeds each, one whole direction dropped, duplicated and
 * reordered segments, snap length cut to 128 and 96 bytes, a capture started late) and checks
 * pairing on them against the pairing of the undamaged capture.
 *
 * <p>The rule: every transaction whose request head and response head survived the damage (every
 * byte of both heads, as the clean capture delimits them, is in a frame of the damaged capture) is
 * paired exactly as in the clean capture; the others are reported incomplete (an unanswered or
 * response-not-captured request, an orphan response, or nothing), never paired with another
 * message. A pair connscope reports in the damaged capture that the clean capture does not hold is
 * MIS-PAIRED, whatever survived. And damage invents no pipelining: a request of depth 1 in the
 * clean capture gets depth 1 in the damaged one unless the damaged capture shows it sent before the
 * previous response's last byte was seen or acknowledged.
 *
 * <p>Messages are identified by direction and the sequence number of their first byte (not by
 * stream offset, which a late start shifts), results are reported in original frame numbers.
 * Damaged captures with a failure are written to {@code target/damage-harness/} with their frame
 * map, the tables to {@code target/damage-harness/<group>.txt}. docs/robustness.md has the figures.
 */
class DamageHarnessTest {
  static final Path SAMPLES = Paths.get("samples");
  static final Path CORPUS = Paths.get("..", "shared", "corpus");
  static final Path OUT = Paths.get("target", "damage-harness");

  /** Corpus captures larger than this are left out (-Ddamage.corpusMaxBytes=N; default: none). */
  static final long CORPUS_MAX_BYTES = Long.getLong("damage.corpusMaxBytes", Long.MAX_VALUE);

  /**
   * Damaged captures whose failures are understood and not fixed, with the reason read from the
   * packets (docs/robustness.md). Keyed "capture [damage level]"; every failure of that run is
   * explained by it. A key with no failure left fails the test (stale).
   */
  static final Map<String, String> KNOWN = new LinkedHashMap<>();

  private static void known(String reason, String... runs) {
    for (String r : runs) {
      KNOWN.put(r, reason);
    }
  }

  static {
    known(
        "pipelined requests picked up in the middle of the burst: the responses to requests "
            + "sent before the capture began come first, and neither side's ACK numbers tell how "
            + "many there were (the pairings are flagged gap_affected)",
        "suricata-verify/http-protocol-nodup/input.pcap [late start 25%]");
    known(
        "dozens of pipelined requests per 1440-byte segment, cut by the snap length: the "
            + "request lines past the cut are lost, so a response is paired with the one later "
            + "request line that survived (flagged gap_affected); nothing in either side's ACKs "
            + "tells which of the lost requests it answers",
        "suricata-verify/http-protocol-nodup/input.pcap [snaplen 128]");
    known(
        "the capture starts inside an upload whose file holds the text 'GET /hello HTTP/1.1' "
            + "on a line of its own: taken for a request",
        "suricata-verify/http-multiple100/input.pcap [late start 25%]",
        "suricata-verify/http-multiple100/input.pcap [late start 50%]");
    known(
        "the capture starts with the request's second segment; its first segment, captured "
            + "just after, lies before the assumed stream start and is dropped as an old "
            + "retransmission",
        "arkime/http-post-upload.pcap [late start 50%]");
    known(
        "the 101 that opens the WebSocket tunnel is cut (snap length) or before the capture: "
            + "the HTTP carried inside the WebSocket frames is parsed as the connection's",
        "zeek/websocket/wstunnel-http.pcap [snaplen 128]",
        "zeek/websocket/wstunnel-http.pcap [late start 50%]");
  }

  @Test
  void samples() throws IOException {
    run("samples", captures(SAMPLES, Long.MAX_VALUE));
  }

  @Test
  void corpus() throws IOException {
    assumeTrue(Files.isDirectory(CORPUS), "../shared/corpus not present");
    run("corpus", captures(CORPUS, CORPUS_MAX_BYTES));
  }

  static List<Path> captures(Path dir, long maxBytes) throws IOException {
    return io.connscope.CaptureFilesUnder.of(dir, maxBytes);
  }

  /** Counts for one damage level over a group of captures. */
  static final class Tally {
    int captures;
    int cleanTx;
    int cleanPairs;
    int surviving;
    int paired;
    int survivingPaired;
    int incomplete;
    int misPaired;
    int extraPairs;
    int survivingUnpaired;
    int inventedPipelining;
    int pipeliningShown;
    int reportedTwice;
  }

  private void run(String group, List<Path> files) throws IOException {
    long t0 = System.nanoTime();
    List<Damage> levels = Damage.levels();
    Map<String, Tally> tallies = new LinkedHashMap<>();
    for (Damage d : levels) {
      tallies.put(d.name(), new Tally());
    }
    List<String> failures = new ArrayList<>();
    int used = 0;
    for (Path f : files) {
      String name = (f.startsWith(CORPUS) ? CORPUS.relativize(f) : f).toString();
      if (checkCapture(f, name, levels, tallies, failures)) {
        used++;
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "damage harness, %s: %d captures read, %d with HTTP pairs, %.1f s%n",
            group, files.size(), used, (System.nanoTime() - t0) / 1e9));
    sb.append(
        String.format(
            "%-24s %8s %8s %8s %9s %8s %8s %10s %10s %6s %9s %9s %6s%n",
            "damage",
            "captures",
            "clean tx",
            "clean pr",
            "surviving",
            "surv ok",
            "paired=",
            "incomplete",
            "MIS-PAIRED",
            "EXTRA",
            "surv-unpr",
            "inv-pipel",
            "twice"));
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      Tally t = e.getValue();
      String ok =
          t.surviving == 0 ? "-" : String.format("%.2f%%", 100.0 * t.survivingPaired / t.surviving);
      sb.append(
          String.format(
              "%-24s %8d %8d %8d %9d %8s %8d %10d %10d %6d %9d %9d %6d%n",
              e.getKey(),
              t.captures,
              t.cleanTx,
              t.cleanPairs,
              t.surviving,
              ok,
              t.paired,
              t.incomplete,
              t.misPaired,
              t.extraPairs,
              t.survivingUnpaired,
              t.inventedPipelining,
              t.reportedTwice));
    }
    sb.append(
        "columns: clean tx = transactions of the clean capture; clean pr = those paired "
            + "(request + final response); surviving = clean pairs whose two heads survived; surv ok = "
            + "surviving pairs paired as clean; "
            + "paired= = clean pairs paired as clean; incomplete = clean pairs not paired and in no "
            + "wrong pair; MIS-PAIRED = reported pairs that contradict a clean pair (their request or "
            + "their response is paired otherwise in the clean capture); EXTRA = reported pairs of "
            + "messages the clean capture leaves unpaired or does not recognise; "
            + "surv-unpr = surviving clean pairs not paired; inv-pipel = pipelining invented; "
            + "twice = a request reported by two transactions (information)\n");
    sb.append(failures.size()).append(" failure(s)\n");
    for (String s : failures) {
      sb.append("  ").append(s).append('\n');
    }
    String text = sb.toString();
    System.out.print(text);
    Files.createDirectories(OUT);
    Files.writeString(OUT.resolve(group + ".txt"), text, StandardCharsets.UTF_8);

    int mis = 0, lost = 0, inv = 0;
    for (Tally t : tallies.values()) {
      mis += t.misPaired + t.extraPairs;
      lost += t.survivingUnpaired;
      inv += t.inventedPipelining;
    }
    List<String> unexplained = new ArrayList<>();
    Set<String> explained = new HashSet<>();
    for (String f : failures) {
      String key =
          KNOWN.keySet().stream().filter(k -> f.startsWith(k + ":")).findFirst().orElse(null);
      if (key == null) {
        unexplained.add(f);
      } else {
        explained.add(key);
      }
    }
    boolean samples = group.equals("samples");
    List<String> stale =
        KNOWN.keySet().stream()
            .filter(k -> k.startsWith("samples/") == samples && !explained.contains(k))
            .toList();
    String head = unexplained.stream().limit(30).collect(Collectors.joining("\n"));
    assertTrue(
        unexplained.isEmpty(),
        group
            + ": "
            + mis
            + " mis-paired or extra pairs, "
            + lost
            + " surviving but unpaired, "
            + inv
            + " invented pipelining, "
            + unexplained.size()
            + " not explained in KNOWN (full list in "
            + OUT.resolve(group + ".txt")
            + "):\n"
            + head);
    assertTrue(
        stale.isEmpty(), group + ": KNOWN entries with no failure left (remove them): " + stale);
  }

  /** The clean capture's transactions, indexed by message. */
  private static final class Clean {
    final List<Tx> txs;
    final Map<Msg, Tx> byReq = new HashMap<>();
    final Map<Msg, Tx> byResp = new HashMap<>();
    final Map<Long, Tx> byPosition = new HashMap<>();

    /** Per direction, messages by sequence number, to place a message the clean capture lacks. */
    final Map<Integer, java.util.TreeMap<Long, Tx>> reqsBySeq = new HashMap<>();

    final Map<Integer, java.util.TreeMap<Long, Tx>> respsBySeq = new HashMap<>();
    final List<Tx> pairs = new ArrayList<>();

    Clean(PairingRun run) {
      txs = run.txs;
      for (Tx t : txs) {
        if (t.req() != null) {
          byReq.putIfAbsent(t.req(), t);
          reqsBySeq
              .computeIfAbsent(t.req().dir(), k -> new java.util.TreeMap<>())
              .putIfAbsent(t.req().seq(), t);
        }
        if (t.resp() != null) {
          byResp.putIfAbsent(t.resp(), t);
          respsBySeq
              .computeIfAbsent(t.resp().dir(), k -> new java.util.TreeMap<>())
              .putIfAbsent(t.resp().seq(), t);
        }
        byPosition.put(((long) t.conn() << 32) | t.t().index(), t);
        if (t.paired() && t.t().requestHeaderBytes() > 0 && t.t().responseHeaderBytes() > 0) {
          pairs.add(t);
        }
      }
    }
  }

  /** Runs every damage level on one capture; false when it has no HTTP pair to check. */
  private boolean checkCapture(
      Path file,
      String name,
      List<Damage> levels,
      Map<String, Tally> tallies,
      List<String> failures)
      throws IOException {
    List<Frame> frames = DamageFrames.read(file);
    Dirs dirs = new Dirs();
    Segs segs = DamageFrames.decode(frames, dirs);
    PairingRun cleanRun = PairingRun.of(frames, dirs);
    if (cleanRun.crash != null) {
      failures.add(name + " (clean): pipeline threw " + cleanRun.crash);
      return false;
    }
    Clean clean = new Clean(cleanRun);
    if (clean.pairs.isEmpty()) {
      return false;
    }
    Set<Integer> clientDirs = new HashSet<>(cleanRun.clientDirs);
    for (Damage level : levels) {
      Damaged dmg = level.apply(name, frames, segs, clientDirs);
      Segs dsegs = DamageFrames.decode(dmg.frames(), dirs);
      PairingRun run = PairingRun.of(dmg.frames(), dirs);
      Tally tally = tallies.get(level.name());
      String where = name + " [" + level.name() + "]";
      int before = failures.size();
      if (run.crash != null) {
        failures.add(where + ": pipeline threw " + run.crash);
        tally.misPaired++;
        continue;
      }
      compare(clean, run, dmg, segs, dsegs, dirs, tally, where, failures);
      if (failures.size() > before) {
        dump(name, level, dmg);
      }
    }
    return true;
  }

  private static void compare(
      Clean clean,
      PairingRun run,
      Damaged dmg,
      Segs segs,
      Segs dsegs,
      Dirs dirs,
      Tally tally,
      String where,
      List<String> failures) {
    tally.captures++;
    tally.cleanTx += clean.txs.size();
    tally.cleanPairs += clean.pairs.size();
    Set<Tx> pairedAsClean = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Tx> inWrongPair = Collections.newSetFromMap(new IdentityHashMap<>());
    Map<Msg, Integer> requestReports = new HashMap<>();
    for (Tx d : run.txs) {
      if (d.req() != null && requestReports.merge(d.req(), 1, Integer::sum) == 2) {
        tally.reportedTwice++;
      }
      if (d.paired()) {
        Tx c = clean.byReq.get(d.req());
        if (c != null && c.paired() && c.resp().equals(d.resp())) {
          pairedAsClean.add(c);
        } else {
          Tx cr = clean.byResp.get(d.resp());
          boolean contradicts = c != null && c.paired() || cr != null && cr.paired();
          if (contradicts) {
            tally.misPaired++;
          } else {
            tally.extraPairs++;
          }
          if (c != null) {
            inWrongPair.add(c);
          }
          if (cr != null) {
            inWrongPair.add(cr);
          }
          failures.add(
              where
                  + ": "
                  + (contradicts ? "MIS-PAIRED " : "EXTRA PAIR ")
                  + damaged(d, dmg)
                  + "; clean: "
                  + (c == null
                      ? "no such request (" + place(clean.reqsBySeq, d.req(), true) + ")"
                      : "the request is " + clean(c))
                  + (cr == null
                      ? ", no such response (" + place(clean.respsBySeq, d.resp(), false) + ")"
                      : ", the response is of " + clean(cr)));
        }
      }
      if (d.req() != null && d.t().pipelineDepth() > 1) {
        Tx c = clean.byReq.get(d.req());
        if (c != null && c.t().pipelineDepth() == 1) {
          String why = pipeliningShown(clean, c, d, segs, dsegs);
          if (why == null) {
            tally.inventedPipelining++;
            failures.add(
                where
                    + ": INVENTED PIPELINING depth "
                    + d.t().pipelineDepth()
                    + " on "
                    + damaged(d, dmg)
                    + "; clean depth 1: "
                    + clean(c));
          } else {
            tally.pipeliningShown++;
          }
        }
      }
    }
    for (Tx c : clean.pairs) {
      boolean survived =
          c.t().method() != null
              && survived(segs, dsegs, c.req(), c.t().requestHeaderBytes())
              && survived(segs, dsegs, c.resp(), c.t().responseHeaderBytes());
      if (survived) {
        tally.surviving++;
      }
      if (pairedAsClean.contains(c)) {
        tally.paired++;
        if (survived) {
          tally.survivingPaired++;
        }
      } else if (!inWrongPair.contains(c)) {
        tally.incomplete++;
        if (survived) {
          tally.survivingUnpaired++;
          failures.add(
              where
                  + ": SURVIVING BUT UNPAIRED "
                  + clean(c)
                  + "; damaged: "
                  + reportsOf(run, c, dmg));
        }
      }
    }
  }

  /**
   * A head survived when the damaged capture holds every byte of it, and the same bytes as the
   * clean capture (first copy of each byte wins in both): a byte seen only in a later copy that
   * differs (an injected segment and the real one) is not the byte the clean capture paired.
   */
  private static boolean survived(Segs clean, Segs damaged, Msg m, long headBytes) {
    byte[] want = clean.bytes(m.dir(), m.seq(), m.seq() + headBytes);
    byte[] got = damaged.bytes(m.dir(), m.seq(), m.seq() + headBytes);
    return want != null && got != null && java.util.Arrays.equals(want, got);
  }

  /**
   * Why the damaged capture shows request {@code d} sent before the previous response's last byte
   * was seen or acknowledged (null when it does not): that byte is neither in a server segment
   * captured before the request's first frame nor acknowledged by a client segment up to that
   * frame.
   */
  private static String pipeliningShown(Clean clean, Tx c, Tx d, Segs segs, Segs dsegs) {
    Tx prev = clean.byPosition.get(((long) c.conn() << 32) | (c.t().index() - 1));
    if (prev == null || prev.resp() == null) {
      return null;
    }
    long end = Long.MAX_VALUE; // the previous response's end: its last frame's, or c's start
    long last = prev.t().responseLastFrame();
    if (last > 0 && segs.dir[(int) last - 1] == prev.resp().dir()) {
      end = segs.seq[(int) last - 1] + segs.wire[(int) last - 1];
    }
    if (c.resp() != null && c.resp().seq() > prev.resp().seq()) {
      end = Math.min(end, c.resp().seq());
    }
    if (end == Long.MAX_VALUE) {
      return null;
    }
    int f = (int) d.t().requestFirstFrame() - 1;
    int c2s = d.req().dir();
    for (int i = 0; i <= f && i < dsegs.dir.length; i++) {
      if (dsegs.dir[i] == c2s && dsegs.hasAck(i) && dsegs.ack[i] >= end) {
        return null; // acknowledged
      }
      if (i < f
          && dsegs.dir[i] == (c2s ^ 1)
          && dsegs.seq[i] < end
          && dsegs.seq[i] + dsegs.wire[i] >= end) {
        return null; // seen
      }
    }
    return "previous response end " + end + " neither seen nor acknowledged";
  }

  /** Where message {@code m}, which the clean capture does not have, lies in the clean stream. */
  private static String place(
      Map<Integer, java.util.TreeMap<Long, Tx>> bySeq, Msg m, boolean request) {
    java.util.TreeMap<Long, Tx> t = bySeq.get(m.dir());
    Map.Entry<Long, Tx> e = t == null ? null : t.floorEntry(m.seq());
    if (e == null) {
      return "before the first clean " + (request ? "request" : "response");
    }
    Transaction x = e.getValue().t();
    long into = m.seq() - e.getKey();
    long head = request ? x.requestHeaderBytes() : x.responseHeaderBytes();
    return into
        + " bytes into "
        + (into < head ? "the head" : "or after the body")
        + " of clean "
        + (request
            ? "request frame " + x.requestFirstFrame() + " " + x.method()
            : "response frame " + x.responseFirstFrame() + " " + x.status());
  }

  private static String clean(Tx c) {
    Tx t = c;
    return t.t().method() == null
        ? "orphan response frame " + t.t().responseFirstFrame() + " (" + t.t().status() + ")"
        : "request frame "
            + t.t().requestFirstFrame()
            + " ("
            + t.t().method()
            + " "
            + shorten(t.t().uri())
            + ")"
            + (t.resp() != null
                ? " / response frame " + t.t().responseFirstFrame() + " (" + t.t().status() + ")"
                : " / no response" + (t.t().responseNotCaptured() ? " (not captured)" : ""));
  }

  private static String damaged(Tx d, Damaged dmg) {
    Transaction t = d.t();
    return "request orig frame "
        + orig(dmg, t.requestFirstFrame())
        + " ("
        + t.method()
        + " "
        + shorten(t.uri())
        + ") with response orig frame "
        + orig(dmg, t.responseFirstFrame())
        + " ("
        + t.status()
        + ")"
        + (t.gapAffected() ? " [gapAffected]" : "");
  }

  /** What the damaged run reported about clean pair {@code c}'s request and response. */
  private static String reportsOf(PairingRun run, Tx c, Damaged dmg) {
    List<String> out = new ArrayList<>();
    for (Tx d : run.txs) {
      if (c.req().equals(d.req())) {
        out.add("request as " + describe(d, dmg));
      }
      if (c.resp().equals(d.resp())) {
        out.add("response as " + describe(d, dmg));
      }
    }
    return out.isEmpty() ? "neither message reported" : String.join("; ", out);
  }

  private static String describe(Tx d, Damaged dmg) {
    Transaction t = d.t();
    StringBuilder sb = new StringBuilder("#" + t.index());
    if (t.orphanResponse()) {
      sb.append(" orphan").append(t.requestNotCaptured() ? " (request not captured)" : "");
    } else {
      sb.append(" ").append(t.method()).append(" frame ").append(orig(dmg, t.requestFirstFrame()));
    }
    if (t.responseOffset() >= 0) {
      sb.append(" -> ")
          .append(t.status())
          .append(" frame ")
          .append(orig(dmg, t.responseFirstFrame()));
    } else if (t.responseNotCaptured()) {
      sb.append(" -> response not captured");
    } else if (t.unanswered()) {
      sb.append(" -> unanswered");
    } else {
      sb.append(" -> no response");
    }
    if (t.gapAffected()) {
      sb.append(" [gapAffected]");
    }
    return sb.toString();
  }

  private static long orig(Damaged dmg, long damagedFrame) {
    return damagedFrame > 0 && damagedFrame <= dmg.orig().length
        ? dmg.orig()[(int) damagedFrame - 1]
        : damagedFrame;
  }

  private static String shorten(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 60; i++) {
      char ch = s.charAt(i);
      sb.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
    }
    return s.length() > 60 ? sb + "..." : sb.toString();
  }

  /** Writes a damaged capture with a failure, and its frame map, for reading with tshark. */
  private static void dump(String name, Damage level, Damaged dmg) throws IOException {
    Files.createDirectories(OUT);
    String base = (name + "__" + level.name()).replaceAll("[^A-Za-z0-9._-]+", "_");
    if (DamageFrames.write(dmg.frames(), OUT.resolve(base + ".pcap"))) {
      StringBuilder sb = new StringBuilder("# damaged frame -> original frame\n");
      for (int i = 0; i < dmg.orig().length; i++) {
        sb.append(i + 1).append(' ').append(dmg.orig()[i]).append('\n');
      }
      Files.writeString(OUT.resolve(base + ".framemap"), sb, StandardCharsets.UTF_8);
    }
  }
}
