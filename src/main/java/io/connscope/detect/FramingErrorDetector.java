package io.connscope.detect;

/*
 * http.framing_error
 *
 * Rule, three cases, one finding each; every finding names in details.side the side whose
 * message is malformed ("request" or "response"), and its summary and fix speak of that side:
 *  1. Header or chunk framing errors the HTTP layer recorded on a transaction's request or its
 *     response: conflicting or invalid Content-Length, Transfer-Encoding with Content-Length, a
 *     request Transfer-Encoding not ending in chunked, a bad chunk size or chunk delimiter
 *     (RFC 7230 3.3.3, 4.1). One finding per side with errors: a malformed request (POST with
 *     Content-Length: -1) blames the client, never the response that answered it.
 *  2. Body longer than its Content-Length: on a server stream with its SYN seen, no gap and only
 *     Content-Length or bodiless responses, the response ends at stream offset E (sum of the
 *     heads and bodies before it) but the captured bytes go on at E in a segment other than the
 *     one where the next response starts, and the HTTP layer found bytes that do not parse as a
 *     message (http.bad_start_line or http.desync); not when the server's bytes conflicted with
 *     themselves (overlapping segments with different data: injection or capture damage).
 *     Leftover bytes: from E to where the next
 *     response starts (or the end of the stream). Not on a decrypted TLS connection: its HTTP
 *     offsets count plaintext, the TCP timeline's count records.
 *  3. Body shorter than its Content-Length: a response with Content-Length, no gap, that never
 *     completed. Reported when the server closed (FIN or RST) before the declared length
 *     (confirmed), or when nothing more came for hangMinMicros (1 s) before the client closed or
 *     the capture ended (suspected: the server may only have been slow).
 * Cases 2 and 3 are about the server's Content-Length: side "response".
 * What it broke: the next transaction (read after a desynchronisation) or the connection
 * (closed or abandoned); in case 1 also where the message ends, which two parsers (a proxy and a
 * server) may then decide differently (request smuggling, a wrong body). Cost: case 3, the time
 * from the last body byte to the end; otherwise 0.
 * Severity (SeverityRule.broke): error, the severity of what it breaks (a message whose end is
 * ambiguous, a desynchronised or lost response); every summary says what broke.
 */

import io.connscope.common.Direction;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.SeverityRule;
import io.connscope.http.Framing;
import io.connscope.http.HttpAnomalies;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.Confidence;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.HalfConnection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Reports broken message framing and what it broke. */
public final class FramingErrorDetector implements ConnectionDetector {
  public static final String TYPE = "http.framing_error";

  static final List<String> HEAD_ERRORS =
      List.of(
          HttpAnomalies.CONFLICTING_CONTENT_LENGTH,
          HttpAnomalies.BAD_CONTENT_LENGTH,
          HttpAnomalies.TE_CL_CONFLICT,
          HttpAnomalies.BAD_TRANSFER_ENCODING,
          HttpAnomalies.BAD_CHUNK_SIZE,
          HttpAnomalies.BAD_CHUNK_DELIMITER);

  private final DetectOptions options;

  public FramingErrorDetector(DetectOptions options) {
    this.options = options;
  }

  /** The connection whose TLS facts said decrypted, just before its {@link #connection} call. */
  private Connection decrypted;

  @Override
  public void tls(Connection c, TlsFacts f, Consumer<Finding> out) {
    boolean plain = "decrypted".equals(f.decryption()) || "partial".equals(f.decryption());
    decrypted = plain ? c : null;
  }

  @Override
  public void connection(Connection c, HttpTracker http, Consumer<Finding> out) {
    if (c != decrypted) {
      decrypted = null;
    }
    if (http == null || !http.isHttp()) {
      return;
    }
    List<Transaction> txs = http.transactions();
    for (Transaction t : txs) {
      for (int side = 0; side < 2; side++) {
        boolean request = side == 0;
        List<String> anomalies = t.anomalies(request);
        if (anomalies.isEmpty()) {
          continue; // most messages: no anomaly, no copy to filter
        }
        List<String> errs = new ArrayList<>(anomalies);
        errs.retainAll(HEAD_ERRORS);
        if (!errs.isEmpty()) {
          out.accept(headError(c, t, request, errs, txs));
        }
      }
    }
    Finding f = c == decrypted ? null : longBody(c, http);
    if (f != null) {
      out.accept(f);
    }
    for (Transaction t : txs) {
      f = shortBody(c, t);
      if (f != null) {
        out.accept(f);
      }
    }
  }

  private static Finding headError(
      Connection c, Transaction t, boolean request, List<String> errs, List<Transaction> txs) {
    String broke = broke(c, t, txs);
    List<Long> frames =
        request
            ? KeepAlive.frames(t.requestFirstFrame(), t.responseFirstFrame())
            : KeepAlive.frames(t.responseFirstFrame(), t.requestFirstFrame());
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("errors", errs);
    d.put("side", request ? "request" : "response");
    io.connscope.http.Headers h = request ? t.requestHeaders() : t.responseHeaders();
    String framing = framingHeaders(h);
    if (!framing.isEmpty()) {
      d.put("framing_headers", framing);
    }
    String summary;
    String fix;
    if (request) {
      summary =
          "the request "
              + t.method()
              + " "
              + t.uri()
              + " (transaction "
              + t.index()
              + ") has broken framing"
              + (framing.isEmpty() ? "" : " (" + framing + ")")
              + ": "
              + String.join(", ", errs)
              + ", so where it ends is ambiguous (a proxy and a server may read it differently:"
              + " request smuggling)"
              + (t.status() > 0 ? "; the server answered it with " + t.status() : "")
              + "; "
              + broke;
      fix =
          "the client must send exactly one valid Content-Length (a decimal byte count), or chunked"
              + " Transfer-Encoding without Content-Length (RFC 7230 3.3.3); a server or proxy receiving such a"
              + " request should answer 400 and close, never guess its length";
    } else {
      summary =
          "transaction "
              + t.index()
              + " ("
              + label(t)
              + ") has broken framing: "
              + String.join(", ", errs)
              + ", so where its body ends is ambiguous (a client or proxy may read a wrong body); "
              + broke;
      fix =
          "the server must send exactly one correct Content-Length, or chunked Transfer-Encoding without"
              + " Content-Length (RFC 7230 3.3.3); a proxy must reject or close on such messages, never forward them";
    }
    return new Finding(
        TYPE,
        SeverityRule.failed(),
        Confidence.CONFIRMED,
        c.idString(),
        t.index(),
        0,
        frames,
        KeepAlive.filter(frames),
        summary,
        fix,
        d);
  }

  /**
   * The framing headers of a message as sent, e.g. "Content-Length: -1", at most 200 characters.
   */
  private static String framingHeaders(io.connscope.http.Headers h) {
    if (h == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (String[] n :
        new String[][] {
          {"content-length", "Content-Length"}, {"transfer-encoding", "Transfer-Encoding"}
        }) {
      for (String v : h.getAll(n[0])) {
        b.append(b.length() == 0 ? "" : ", ").append(n[1]).append(": ").append(v);
      }
    }
    return b.length() > 200 ? b.substring(0, 197) + "..." : b.toString();
  }

  private Finding longBody(Connection c, HttpTracker http) {
    HalfConnection s = c.half(Direction.SERVER);
    SegmentTimeline tl = c.timeline();
    if (!http.hasAnomaly(HttpAnomalies.BAD_START_LINE) && !http.hasAnomaly(HttpAnomalies.DESYNC)
        || s.gaps() > 0
        || s.overlapConflicts() > 0
        || !s.sawSyn()
        || tl.truncated()
        || http.transactionCount() != http.transactions().size()) { // offsets need every response
      return null;
    }
    List<Transaction> rs = new ArrayList<>();
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.responseFirstFrame() >= 0) {
        rs.add(t);
      }
    }
    rs.sort(
        Comparator.comparingLong(Transaction::responseFirstFrame)
            .thenComparingInt(Transaction::index));
    long off = 0;
    int cursor = 0; // offsets only grow: each search starts where the previous one ended
    for (int k = 0; k < rs.size(); k++) {
      Transaction t = rs.get(k);
      if (!t.interimStatuses().isEmpty()
          || !t.responseComplete()
          || t.responseFraming() != Framing.LENGTH && t.responseFraming() != Framing.NONE) {
        return null;
      }
      long start = t.responseOffset() >= 0 ? t.responseOffset() : off;
      long end = start + t.responseHeaderBytes() + t.responseBodyBytes();
      int seg = segmentAt(tl, end, cursor);
      Transaction next = k + 1 < rs.size() ? rs.get(k + 1) : null;
      if (seg < 0) {
        return null; // the stream ends right after this response
      }
      boolean nextAtEnd =
          next != null
              && (next.responseOffset() >= 0
                  ? next.responseOffset() <= end
                  : tl.frame(seg) == next.responseFirstFrame());
      if (nextAtEnd) {
        off = end;
        cursor = seg;
        continue;
      }
      long junkEnd = s.deliveredBytes();
      if (next != null && next.responseOffset() > end) {
        junkEnd = next.responseOffset(); // found again after the leftover bytes
      } else if (next != null) {
        int ns = segmentOfFrame(tl, next.responseFirstFrame());
        if (ns >= 0 && tl.seq(ns) - 1 > end) {
          junkEnd = tl.seq(ns) - 1;
        } else {
          junkEnd = tl.seq(seg) - 1 + tl.len(seg);
        }
      }
      long leftover = junkEnd - end;
      if (leftover <= 0) {
        return null;
      }
      String cl = t.responseHeaders().get("content-length");
      Transaction lost = null;
      for (int oi = 0, on = http.transactions().size(); oi < on; oi++) {
        Transaction o = http.transactions().get(oi);
        if (lost == null
            && o.index() > t.index()
            && o.method() != null
            && o.status() == 0
            && !o.responseNotCaptured()) {
          lost = o;
        }
      }
      String broke =
          next != null
              ? "the next response (transaction "
                  + next.index()
                  + ", frame "
                  + next.responseFirstFrame()
                  + ") came after them, so a client trusting Content-Length reads the leftover bytes as"
                  + " its status line and misreads it"
              : "they did not parse as a response"
                  + (lost != null
                      ? "; transaction "
                          + lost.index()
                          + " ("
                          + lost.method()
                          + " "
                          + lost.uri()
                          + ") got no readable response: it is lost in the leftover bytes"
                      : "")
                  + "; "
                  + ending(c, t.responseLastUs());
      List<Long> junkFrames = new ArrayList<>();
      for (int i = 0; i < tl.size() && junkFrames.size() < 5; i++) {
        if (tl.dir(i) == Direction.SERVER
            && tl.len(i) > 0
            && !tl.isRetransmission(i)
            && tl.seq(i) - 1 < junkEnd
            && tl.seq(i) - 1 + tl.len(i) > end) {
          junkFrames.add(tl.frame(i));
        }
      }
      List<Long> frames =
          KeepAlive.frames(
              t.responseFirstFrame(),
              next == null ? -1 : next.responseFirstFrame(),
              lost == null ? -1 : lost.requestFirstFrame(),
              junkFrames.stream().mapToLong(Long::longValue).toArray());
      TreeMap<String, Object> d = new TreeMap<>();
      d.put("content_length", cl == null ? "" : cl);
      d.put("leftover_bytes", leftover);
      d.put("leftover_frames", junkFrames);
      d.put("side", "response");
      String summary =
          "the body of "
              + label(t)
              + " is longer than its Content-Length "
              + cl
              + ": "
              + leftover
              + " more bytes followed it (frame"
              + (junkFrames.size() > 1 ? "s " : " ")
              + junkFrames.stream().map(String::valueOf).reduce((x, y) -> x + ", " + y).orElse("")
              + "); "
              + broke;
      return new Finding(
          TYPE,
          SeverityRule.failed(),
          Confidence.CONFIRMED,
          c.idString(),
          t.index(),
          0,
          frames,
          KeepAlive.filter(frames),
          summary,
          "fix the server's Content-Length (compute it from the"
              + " bytes actually sent, after any compression or transcoding)",
          d);
    }
    return null;
  }

  private Finding shortBody(Connection c, Transaction t) {
    if (t.responseFraming() != Framing.LENGTH
        || t.responseComplete()
        || t.responseBodyGapBytes() > 0
        || t.responseFirstFrame() < 0
        || t.gapAffected()) {
      return null;
    }
    long declared = KeepAlive.contentLength(t.responseHeaders().get("content-length"));
    if (declared <= t.responseBodyBytes()) {
      return null;
    }
    long last = t.responseLastUs();
    HalfConnection server = c.half(Direction.SERVER);
    long serverClose = KeepAlive.closeMicros(server);
    long clientClose = KeepAlive.closeMicros(c.half(Direction.CLIENT));
    boolean serverClosed =
        serverClose >= last && (clientClose < last || serverClose <= clientClose);
    long end = serverClosed ? serverClose : clientClose >= last ? clientClose : c.lastTsMicros();
    long wait = end - last;
    if (!serverClosed && wait < options.hangMinMicros) {
      return null; // the client aborted early, or the capture stopped: no proof
    }
    long endFrame =
        serverClosed
            ? KeepAlive.closeFrame(server)
            : clientClose >= last ? KeepAlive.closeFrame(c.half(Direction.CLIENT)) : c.lastFrame();
    String how =
        serverClosed
            ? "the server closed the connection ("
                + KeepAlive.closeKind(server).toUpperCase()
                + ", frame "
                + endFrame
                + ") before the declared length"
            : clientClose >= last
                ? "nothing more came; the client gave up after "
                    + KeepAlive.s(wait)
                    + " ("
                    + KeepAlive.closeKind(c.half(Direction.CLIENT)).toUpperCase()
                    + ", frame "
                    + endFrame
                    + ")"
                : "nothing more came in the " + KeepAlive.s(wait) + " before the capture ended";
    List<Long> frames = KeepAlive.frames(t.responseFirstFrame(), t.responseLastFrame(), endFrame);
    TreeMap<String, Object> d = new TreeMap<>();
    d.put("content_length", declared);
    d.put("body_bytes", t.responseBodyBytes());
    d.put("missing_bytes", declared - t.responseBodyBytes());
    d.put("side", "response");
    d.put("wait_us", wait);
    String summary =
        "the body of "
            + label(t)
            + " stopped "
            + (declared - t.responseBodyBytes())
            + " bytes short of its Content-Length "
            + declared
            + " ("
            + t.responseBodyBytes()
            + " received); "
            + how
            + ": the connection was lost with the response";
    return new Finding(
        TYPE,
        SeverityRule.failed(),
        serverClosed ? Confidence.CONFIRMED : Confidence.SUSPECTED,
        c.idString(),
        t.index(),
        wait,
        frames,
        KeepAlive.filter(frames),
        summary,
        "fix the server's Content-Length (it must"
            + " count the body bytes actually sent) or use chunked encoding when the length is not"
            + " known in advance",
        d);
  }

  /** What the bad framing of {@code t} did to the rest of the connection. */
  private static String broke(Connection c, Transaction t, List<Transaction> txs) {
    for (Transaction o : txs) {
      if (o.index() > t.index() && o.gapAffected()) {
        return "the following transaction " + o.index() + " was read after a desynchronisation";
      }
    }
    return ending(c, Math.max(t.requestLastUs(), t.responseLastUs()));
  }

  private static String ending(Connection c, long afterUs) {
    int by = c.closedFirstBy();
    if (by < 0) {
      return "the connection stayed open";
    }
    long us = KeepAlive.closeMicros(c.half(by));
    return "the "
        + KeepAlive.side(by)
        + " then closed the connection ("
        + KeepAlive.closeKind(c.half(by)).toUpperCase()
        + ", frame "
        + KeepAlive.closeFrame(c.half(by))
        + (us >= afterUs && afterUs >= 0 ? ", " + KeepAlive.ms(us - afterUs) + " later" : "")
        + ")";
  }

  private static String label(Transaction t) {
    if (t.method() == null) {
      return "the " + t.status() + " response without a request";
    }
    return t.status() > 0
        ? "the " + t.status() + " response to " + t.method() + " " + t.uri()
        : t.method() + " " + t.uri();
  }

  /**
   * The first new server data segment from timeline index {@code from} holding stream offset {@code
   * off}, -1 when none.
   */
  private static int segmentAt(SegmentTimeline tl, long off, int from) {
    for (int i = from; i < tl.size(); i++) {
      if (tl.dir(i) == Direction.SERVER
          && tl.len(i) > 0
          && !tl.isRetransmission(i)
          && tl.seq(i) - 1 <= off
          && off < tl.seq(i) - 1 + tl.len(i)) {
        return i;
      }
    }
    return -1;
  }

  private static int segmentOfFrame(SegmentTimeline tl, long frame) {
    for (int i = 0; i < tl.size(); i++) {
      if (tl.frame(i) == frame && tl.dir(i) == Direction.SERVER && tl.len(i) > 0) {
        return i;
      }
    }
    return -1;
  }
}
