// The floor of the JSON report (issue 18): what any program writing connscope's list of HTTP
// transactions must do, done minimally, on top of the floor (bench/Floor.java) that reads the
// capture and decodes every header. bench/bench.sh times it beside Floor and connscope.
//
//   javac -d target/bench bench/Floor.java bench/FloorHttp.java
//   java -cp target/bench FloorHttp [-o OUT] FILE...      (OUT defaults to /dev/null)
//   java -cp target/bench FloorHttp -n FILE...            (no JSON: to measure the output's share)
//
// Per TCP packet (Floor's segment() hook), allocation-free:
//  1. In-order payload per flow direction. The next expected sequence number is set at SYN (or by
//     the first data packet of a flow seen mid-stream). A payload at exactly that number is
//     delivered; bytes already delivered are dropped (a duplicate is counted and dropped whole, an
//     overlap delivers only its new tail). A segment beyond it (a hole: lost or reordered data)
//     is counted and delivered anyway, skipping ahead: nothing is buffered. After a hole the
//     direction is marked; inside a Content-Length or chunk body the missing bytes count as body
//     bytes not seen and parsing goes on; anywhere else that direction stops being parsed (its
//     messages are lost; a later request still in the queue comes out unanswered). A SYN with a
//     new sequence number on a known flow (a reused port pair) ends the old connection.
//  2. HTTP/1.x framing of each delivered direction, incremental across packets: start line
//     (request: method, target, version; response: version, status), header lines up to the empty
//     line, Content-Length and chunked bodies (chunk sizes and trailers parsed), no body for a
//     response to HEAD and for 1xx (interim, skipped; 101 starts a tunnel), 204 and 304, a
//     response with neither length nor chunks ends at FIN. Head lines go through a small line
//     buffer per direction (from a pool, held only while a line spans packets); body bytes are
//     counted, never copied.
//  3. Pairing: one FIFO of requests per connection (fixed-size primitive slots from a pool: the
//     method, the target up to 256 bytes, host, content-type, connection, content-length values);
//     a request joins it when complete, each final response takes the oldest one.
//  4. Output: one compact JSON object per transaction into a reusable byte[] written to OUT by a
//     FileChannel: method, uri, versions, status, first and last frame numbers and microsecond
//     times of both messages, head and body byte counts, a few header values, JSON-escaped. At
//     the end of a connection (or of the capture) its unanswered requests are written too. This
//     is not connscope's format, but the same kind and amount of output work per transaction.
//
// Not done, since a transaction list does not need it: no findings, no loss or RTT analysis, no
// per-connection summaries, pairs, timelines or histograms, no TLS, no HTTP/2, no buffering of
// out-of-order data (loopback captures have none; the counts show how often it would matter).
//
// Output: one line of counts on stdout. Bad input: one line on stderr and exit 3.
// Not part of the product (not under src/, not in the jar): bench.sh compiles it with plain javac.

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

public final class FloorHttp extends Floor {
  private static final int SYN = 0x02, FIN = 0x01, RST = 0x04, ACK = 0x10;

  // parser states per direction
  private static final int START = 0, HEADERS = 1, BODY = 2, CHUNK_SIZE = 3, CHUNK_DATA = 4,
      CHUNK_END = 5, TRAILERS = 6, UNTIL_CLOSE = 7, IGNORE = 8;
  // direction flags
  private static final int KNOWN = 1, FIN_SEEN = 2, GAP = 4;
  // message flags
  private static final int M_RESPONSE = 1, M_CHUNKED = 2, M_LENGTH = 4, M_COMPLETE = 8, M_GAP = 16,
      M_HEAD = 32, M_CONNECT = 64;

  // text fields of a message slot: capacity and offset in the slot's bytes
  private static final int F_METHOD = 0, F_URI = 1, F_HOST = 2, F_CTYPE = 3, F_CONN = 4, F_CLEN = 5;
  private static final int FIELDS = 6;
  private static final int[] CAP = {16, 256, 64, 64, 32, 24};
  private static final int[] AT = {0, 16, 272, 336, 400, 432};
  private static final int SLOT_BYTES = 456;
  private static final byte[][] NAME = {
    null, null, "host".getBytes(), "content-type".getBytes(), "connection".getBytes(),
    "content-length".getBytes()};
  private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes();
  private static final byte[] CHUNKED = "chunked".getBytes();

  private static final int LINE = 2048;

  // per flow direction (2 * flow id + direction)
  private int flowCap = 1 << 12;
  private int[] nextSeq = new int[2 * flowCap];
  private int[] dflags = new int[2 * flowCap];
  private int[] state = new int[2 * flowCap];
  private long[] remaining = new long[2 * flowCap];
  private int[] msg = new int[2 * flowCap];
  private int[] line = new int[2 * flowCap];
  private int[] lineLen = new int[2 * flowCap];
  // per flow (connection currently on it)
  private int[] qHead = new int[flowCap];
  private int[] qTail = new int[flowCap];
  private int[] connNo = new int[flowCap];
  private boolean[] seen = new boolean[flowCap];

  // message slots
  private int slotCap = 1 << 10;
  private int[] mflags = new int[slotCap];
  private int[] status = new int[slotCap];
  private int[] version = new int[slotCap];
  private int[] next = new int[slotCap];
  private long[] frame0 = new long[slotCap];
  private long[] frame1 = new long[slotCap];
  private long[] us0 = new long[slotCap];
  private long[] us1 = new long[slotCap];
  private long[] headBytes = new long[slotCap];
  private long[] bodyBytes = new long[slotCap];
  private long[] bodyGap = new long[slotCap];
  private int[] tlen = new int[slotCap * FIELDS];
  private byte[] text = new byte[slotCap * SLOT_BYTES];
  private int[] freeSlots = new int[slotCap];
  private int freeSlotCount;
  private int slotsMade;

  // line buffers
  private int lineCap = 64;
  private byte[] lines = new byte[lineCap * LINE];
  private int[] freeLines = new int[lineCap];
  private int freeLineCount;
  private int linesMade;

  // output
  private final byte[] out = new byte[1 << 16];
  private final ByteBuffer outBuf = ByteBuffer.wrap(out);
  private int op;
  private FileChannel sink;
  private long outBytes;
  private long baseUs = Long.MIN_VALUE;
  /** False with -n: transactions are counted but not formatted (to measure the output's share). */
  private boolean format = true;

  // counts
  long delivered, duplicates, overlaps, holes, holeBytes, lostDirections, ignoredBytes;
  long connections, requests, responses, interim, transactions, paired, unanswered, orphans;

  public static void main(String[] args) {
    String outPath = "/dev/null";
    boolean format = true;
    int first = 0;
    if (args.length >= 1 && args[0].equals("-n")) {
      format = false;
      first = 1;
    } else if (args.length >= 2 && args[0].equals("-o")) {
      outPath = args[1];
      first = 2;
    }
    if (args.length == first) {
      System.err.println("usage: java FloorHttp [-o OUT | -n] FILE...");
      System.exit(2);
    }
    FloorHttp f = new FloorHttp();
    f.format = format;
    try (FileChannel o = FileChannel.open(Path.of(outPath), StandardOpenOption.WRITE,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      f.sink = o;
      f.put("{\"transactions\":[");
      for (int i = first; i < args.length; i++) {
        f.read(Path.of(args[i]));
      }
      f.finish();
    } catch (java.nio.file.NoSuchFileException e) {
      System.err.println("floor-http: no such file: " + e.getFile());
      System.exit(3);
    } catch (IllegalStateException e) {
      System.err.println("floor-http: " + e.getMessage());
      System.exit(3);
    } catch (IOException e) {
      System.err.println("floor-http: " + e.getMessage());
      System.exit(3);
    }
    System.out.println("floor-http: " + f.records + " records, " + f.tcpPackets + " TCP packets, "
        + f.flows + " flows, " + f.connections + " connections, " + f.delivered
        + " delivered bytes, " + f.duplicates + " duplicates, " + f.overlaps + " overlaps, "
        + f.holes + " holes (" + f.holeBytes + " bytes), " + f.lostDirections + " directions lost, "
        + f.requests + " requests, " + f.responses + " responses (" + f.interim + " interim), "
        + f.transactions + " transactions (" + f.paired + " paired, " + f.unanswered
        + " unanswered, " + f.orphans + " orphan), " + f.outBytes + " output bytes");
  }

  @Override
  protected void segment(int slot, int dir, int seq, int tcpFlags, int at, int len) {
    int id = flowId(slot);
    if (id >= flowCap) {
      growFlows(id);
    }
    if (baseUs == Long.MIN_VALUE) {
      baseUs = micros();
    }
    int d = 2 * id + dir;
    if (!seen[id]) {
      seen[id] = true;
      startConnection(id);
    }
    if ((tcpFlags & SYN) != 0) {
      if ((dflags[d] & KNOWN) != 0 && nextSeq[d] != seq + 1 && (tcpFlags & ACK) == 0) {
        endConnection(id); // a new connection on a reused port pair
        startConnection(id);
      }
      if ((dflags[d] & KNOWN) == 0) {
        nextSeq[d] = seq + 1;
        dflags[d] |= KNOWN;
      }
      seq++;
    }
    if (len > 0) {
      if ((dflags[d] & KNOWN) == 0) {
        nextSeq[d] = seq;
        dflags[d] |= KNOWN;
      }
      int ahead = nextSeq[d] - seq;
      if (ahead == 0) {
        nextSeq[d] = seq + len;
        deliver(id, d, at, len);
      } else if (ahead > 0) {
        if (ahead >= len) {
          duplicates++;
        } else {
          overlaps++;
          nextSeq[d] = seq + len;
          deliver(id, d, at + ahead, len - ahead);
        }
      } else {
        holes++;
        holeBytes += -ahead;
        nextSeq[d] = seq + len;
        hole(d, -ahead);
        deliver(id, d, at, len);
      }
    }
    if ((tcpFlags & (FIN | RST)) != 0 && (dflags[d] & FIN_SEEN) == 0) {
      dflags[d] |= FIN_SEEN;
      if ((tcpFlags & FIN) != 0 && (dflags[d] & KNOWN) != 0 && nextSeq[d] == seq + len) {
        nextSeq[d]++;
      }
      if (state[d] == UNTIL_CLOSE && msg[d] >= 0) {
        endMessage(id, d); // ends with the FIN (or RST)
      }
    }
  }

  private void startConnection(int id) {
    connections++;
    connNo[id] = (int) connections;
    qHead[id] = -1;
    qTail[id] = -1;
    for (int d = 2 * id; d < 2 * id + 2; d++) {
      dflags[d] = 0;
      state[d] = START;
      msg[d] = -1;
      line[d] = -1;
      lineLen[d] = 0;
    }
  }

  /** The end of a connection: what is in progress and what is unanswered is written. */
  private void endConnection(int id) {
    for (int d = 2 * id; d < 2 * id + 2; d++) {
      int m = msg[d];
      if (m >= 0) {
        msg[d] = -1;
        if ((mflags[m] & M_RESPONSE) != 0) {
          if (state[d] == UNTIL_CLOSE) {
            mflags[m] |= M_COMPLETE;
          }
          response(id, m);
        } else {
          transaction(id, m, -1); // an incomplete request
          unanswered++;
          freeSlot(m);
        }
      }
      if (line[d] >= 0) {
        freeLines[freeLineCount++] = line[d];
        line[d] = -1;
      }
    }
    for (int q = qHead[id], guard = slotsMade; q >= 0 && guard-- > 0; ) {
      int n = next[q];
      transaction(id, q, -1);
      unanswered++;
      freeSlot(q);
      q = n;
    }
    qHead[id] = -1;
    qTail[id] = -1;
  }

  private void finish() throws IOException {
    for (int id = 0; id < flows && id < flowCap; id++) {
      if (seen[id]) {
        endConnection(id);
      }
    }
    put("\n],\"summary\":{\"transactions\":");
    num(transactions);
    put(",\"unanswered_requests\":");
    num(unanswered);
    put(",\"orphan_responses\":");
    num(orphans);
    put("}}\n");
    flush();
  }

  /** A hole of n bytes before the data about to be delivered on direction d. */
  private void hole(int d, int n) {
    dflags[d] |= GAP;
    int m = msg[d];
    int s = state[d];
    if (m >= 0 && (s == BODY || s == CHUNK_DATA) && remaining[d] > n) {
      remaining[d] -= n;
      bodyGap[m] += n;
      mflags[m] |= M_GAP;
    } else if (m >= 0 && s == UNTIL_CLOSE) {
      bodyGap[m] += n;
      mflags[m] |= M_GAP;
    } else if (s != IGNORE) {
      lose(d);
    }
  }

  /** Direction d is not parsed any more (not HTTP, or a hole where no count can skip it). */
  private void lose(int d) {
    lostDirections++;
    state[d] = IGNORE;
    if (msg[d] >= 0) {
      freeSlot(msg[d]);
      msg[d] = -1;
    }
  }

  /** HTTP framing of len in-order bytes at buf[at]. */
  private void deliver(int id, int d, int at, int len) {
    delivered += len;
    int p = at;
    int end = at + len;
    for (int guard = len + 2; p < end && guard-- > 0; ) {
      int s = state[d];
      if (s <= HEADERS || s == CHUNK_SIZE || s == CHUNK_END || s == TRAILERS) {
        p = lineBytes(id, d, p, end);
      } else if (s == BODY || s == CHUNK_DATA) {
        int m = msg[d];
        int n = (int) Math.min(remaining[d], end - p);
        bodyBytes[m] += n;
        remaining[d] -= n;
        p += n;
        if (remaining[d] == 0) {
          if (s == BODY) {
            endMessage(id, d);
          } else {
            state[d] = CHUNK_END;
          }
        }
      } else if (s == UNTIL_CLOSE) {
        bodyBytes[msg[d]] += end - p;
        p = end;
      } else {
        ignoredBytes += end - p;
        p = end;
      }
    }
    int m = msg[d];
    if (m >= 0) { // a message going on past this packet: its last frame so far
      frame1[m] = records;
      us1[m] = micros() - baseUs;
    }
    if (line[d] >= 0 && lineLen[d] == 0) {
      freeLines[freeLineCount++] = line[d];
      line[d] = -1;
    }
  }

  /** Adds bytes to the line in progress up to and including a LF, then handles that line. */
  private int lineBytes(int id, int d, int p, int end) {
    int n = lineLen[d];
    if (n == 0 && state[d] == START) {
      int b = buf.get(p);
      if ((b < 'A' || b > 'Z') && b != '\r' && b != '\n') {
        lose(d); // not HTTP/1.x
        return p;
      }
      int m = msg[d];
      if (m < 0 && b != '\r' && b != '\n') {
        m = newSlot();
        msg[d] = m;
      }
      if (m >= 0 && frame0[m] < 0 && b != '\r' && b != '\n') { // a new message or after a 1xx
        frame0[m] = records;
        frame1[m] = records;
        us0[m] = micros() - baseUs;
        us1[m] = us0[m];
      }
    }
    int li = line[d];
    if (li < 0) {
      if (freeLineCount == 0) {
        if (linesMade == lineCap) {
          growLines();
        }
        freeLines[freeLineCount++] = linesMade++;
      }
      li = freeLines[--freeLineCount];
      line[d] = li;
    }
    byte[] l = lines;
    int base = li * LINE;
    int lf = indexOfLf(p, end);
    int stop = lf < 0 ? end : lf + 1;
    int copy = Math.min(stop - p, LINE - n);
    if (copy > 0) {
      buf.get(p, l, base + n, copy);
    }
    n += stop - p;
    if (lf < 0) {
      lineLen[d] = n;
      return end;
    }
    lineLen[d] = 0;
    if (msg[d] >= 0 && state[d] <= HEADERS) {
      headBytes[msg[d]] += n;
    }
    int k = Math.min(n, LINE) - 1;
    if (k > 0 && l[base + k - 1] == '\r') {
      k--;
    }
    onLine(id, d, base, k);
    return stop;
  }

  private static final long SEVENS = 0x7F7F7F7F7F7F7F7FL;
  private static final long LFS = 0x0A0A0A0A0A0A0A0AL;

  /** The first LF in buf[p, end), 8 bytes at a time (exact: no false hits), or -1. */
  private int indexOfLf(int p, int end) {
    int i = p;
    for (; i + 8 <= end; i += 8) {
      long x = buf.getLong(i) ^ LFS; // big-endian: the first byte is the most significant
      long z = ~(((x & SEVENS) + SEVENS) | x | SEVENS); // 0x80 where a byte of x is zero
      if (z != 0) {
        return i + (Long.numberOfLeadingZeros(z) >>> 3);
      }
    }
    for (; i < end; i++) {
      if (buf.get(i) == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** A complete line (without CR LF) at lines[base, base + n). */
  private void onLine(int id, int d, int base, int n) {
    byte[] l = lines;
    int m = msg[d];
    switch (state[d]) {
      case START -> {
        if (n == 0 || m < 0) {
          return; // an empty line between messages
        }
        if (n >= 12 && l[base] == 'H' && l[base + 1] == 'T' && l[base + 2] == 'T'
            && l[base + 3] == 'P' && l[base + 4] == '/') {
          mflags[m] = M_RESPONSE;
          version[m] = (l[base + 5] - '0') * 10 + (l[base + 7] - '0');
          status[m] = (l[base + 9] - '0') * 100 + (l[base + 10] - '0') * 10 + (l[base + 11] - '0');
        } else {
          int sp1 = indexOf(l, base, base + n, (byte) ' ');
          int sp2 = sp1 < 0 ? -1 : indexOf(l, sp1 + 1, base + n, (byte) ' ');
          if (sp2 < 0 || base + n - sp2 < 9 || l[sp2 + 1] != 'H') {
            lose(d);
            return;
          }
          mflags[m] = 0;
          keep(m, F_METHOD, l, base, sp1 - base);
          keep(m, F_URI, l, sp1 + 1, sp2 - sp1 - 1);
          version[m] = (l[sp2 + 6] - '0') * 10 + (l[sp2 + 8] - '0');
          int ml = sp1 - base;
          if (ml == 4 && l[base] == 'H' && l[base + 1] == 'E' && l[base + 2] == 'A' && l[base + 3] == 'D') {
            mflags[m] |= M_HEAD;
          } else if (ml == 7 && l[base] == 'C' && l[base + 1] == 'O' && l[base + 2] == 'N') {
            mflags[m] |= M_CONNECT;
          }
        }
        state[d] = HEADERS;
      }
      case HEADERS -> {
        if (n == 0) {
          endHead(id, d, m);
          return;
        }
        int colon = indexOf(l, base, base + n, (byte) ':');
        if (colon < 0) {
          return;
        }
        int nl = colon - base;
        int v = colon + 1;
        int ve = base + n;
        while (v < ve && (l[v] == ' ' || l[v] == '\t')) {
          v++;
        }
        while (ve > v && (l[ve - 1] == ' ' || l[ve - 1] == '\t')) {
          ve--;
        }
        int f = nl == 4 ? F_HOST : nl == 12 ? F_CTYPE : nl == 10 ? F_CONN : nl == 14 ? F_CLEN : -1;
        if (f >= 0 && nameIs(l, base, NAME[f])) {
          keep(m, f, l, v, ve - v);
          if (f == F_CLEN) {
            long cl = 0;
            int i = v;
            for (; i < ve && l[i] >= '0' && l[i] <= '9' && cl < Long.MAX_VALUE / 10; i++) {
              cl = cl * 10 + (l[i] - '0');
            }
            if (i > v) {
              mflags[m] |= M_LENGTH;
              remaining[d] = cl;
            }
          }
        } else if (nl == 17 && nameIs(l, base, TRANSFER_ENCODING) && ve - v >= 7
            && nameIs(l, ve - 7, CHUNKED)) {
          mflags[m] |= M_CHUNKED;
        }
      }
      case CHUNK_SIZE -> {
        long size = 0;
        int i = base;
        int digits = 0;
        for (; i < base + n && digits < 16; i++, digits++) {
          int h = Character.digit(l[i], 16);
          if (h < 0) {
            break;
          }
          size = size * 16 + h;
        }
        if (digits == 0) {
          lose(d);
        } else if (size == 0) {
          state[d] = TRAILERS;
        } else {
          remaining[d] = size;
          state[d] = CHUNK_DATA;
        }
      }
      case CHUNK_END -> state[d] = CHUNK_SIZE;
      case TRAILERS -> {
        if (n == 0) {
          endMessage(id, d);
        }
      }
      default -> { }
    }
  }

  private void endHead(int id, int d, int m) {
    int f = mflags[m];
    if ((f & M_RESPONSE) == 0) {
      if ((f & M_CHUNKED) != 0) {
        state[d] = CHUNK_SIZE;
      } else if ((f & M_LENGTH) != 0 && remaining[d] > 0) {
        state[d] = BODY;
      } else {
        endMessage(id, d);
      }
      return;
    }
    int st = status[m];
    if (st >= 100 && st < 200 && st != 101) {
      interim++; // the final response follows on the same slot, from its own first frame
      frame0[m] = -1;
      headBytes[m] = 0;
      mflags[m] = 0;
      for (int i = 0; i < FIELDS; i++) {
        tlen[m * FIELDS + i] = 0;
      }
      state[d] = START;
      return;
    }
    int q = qHead[id];
    boolean head = q >= 0 && (mflags[q] & M_HEAD) != 0;
    boolean tunnel = st == 101 || (q >= 0 && (mflags[q] & M_CONNECT) != 0 && st >= 200 && st < 300);
    if (head || st == 204 || st == 304 || st == 101 || tunnel) {
      endMessage(id, d);
      if (tunnel) {
        state[d] = IGNORE;
        state[d ^ 1] = IGNORE;
      }
    } else if ((f & M_CHUNKED) != 0) {
      state[d] = CHUNK_SIZE;
    } else if ((f & M_LENGTH) != 0) {
      if (remaining[d] > 0) {
        state[d] = BODY;
      } else {
        endMessage(id, d);
      }
    } else {
      state[d] = UNTIL_CLOSE;
    }
  }

  private void endMessage(int id, int d) {
    int m = msg[d];
    msg[d] = -1;
    state[d] = START;
    mflags[m] |= M_COMPLETE;
    frame1[m] = records;
    us1[m] = micros() - baseUs;
    if ((mflags[m] & M_RESPONSE) != 0) {
      response(id, m);
    } else {
      requests++;
      next[m] = -1;
      if (qTail[id] >= 0) {
        next[qTail[id]] = m;
      } else {
        qHead[id] = m;
      }
      qTail[id] = m;
    }
  }

  /** A final response (complete or not): paired with the oldest request, written, freed. */
  private void response(int id, int m) {
    responses++;
    int q = qHead[id];
    if (q >= 0) {
      qHead[id] = next[q];
      if (qHead[id] < 0) {
        qTail[id] = -1;
      }
      paired++;
    } else {
      orphans++;
    }
    transaction(id, q, m);
    if (q >= 0) {
      freeSlot(q);
    }
    freeSlot(m);
  }

  // ---- output ----

  private static final byte[] K_FIRST = "\n{\"connection\":".getBytes();
  private static final byte[] K_NEXT = ",\n{\"connection\":".getBytes();
  private static final byte[] K_METHOD = ",\"method\":".getBytes();
  private static final byte[] K_URI = ",\"uri\":".getBytes();
  private static final byte[] K_VERSION = ",\"version\":".getBytes();
  private static final byte[] K_STATUS = ",\"status\":".getBytes();
  private static final byte[] K_RVERSION = ",\"response_version\":".getBytes();
  private static final byte[] K_RQH = ",\"request_headers\":{".getBytes();
  private static final byte[] K_RSH = ",\"response_headers\":{".getBytes();
  private static final byte[] K_RQHB = ",\"request_header_bytes\":".getBytes();
  private static final byte[] K_RQBB = ",\"request_body_bytes\":".getBytes();
  private static final byte[] K_RSHB = ",\"response_header_bytes\":".getBytes();
  private static final byte[] K_RSBB = ",\"response_body_bytes\":".getBytes();
  private static final byte[] K_RSBG = ",\"response_body_gap_bytes\":".getBytes();
  private static final byte[] K_RQF = ",\"request_frame\":".getBytes();
  private static final byte[] K_RQLF = ",\"request_last_frame\":".getBytes();
  private static final byte[] K_RSF = ",\"response_frame\":".getBytes();
  private static final byte[] K_RSLF = ",\"response_last_frame\":".getBytes();
  private static final byte[] K_RQS = ",\"request_start_us\":".getBytes();
  private static final byte[] K_RQE = ",\"request_end_us\":".getBytes();
  private static final byte[] K_RSS = ",\"response_start_us\":".getBytes();
  private static final byte[] K_RSE = ",\"response_end_us\":".getBytes();
  private static final byte[] K_WAIT = ",\"wait_us\":".getBytes();
  private static final byte[] K_RQC = ",\"request_complete\":".getBytes();
  private static final byte[] K_RSC = ",\"response_complete\":".getBytes();
  private static final byte[] K_GAP = ",\"gap_affected\":".getBytes();
  private static final byte[] K_FRAMING = ",\"response_framing\":".getBytes();
  private static final byte[] NULL = "null".getBytes();
  private static final byte[] TRUE = "true".getBytes();
  private static final byte[] FALSE = "false".getBytes();
  private static final byte[][] FRAMING = {
    "\"none\"".getBytes(), "\"length\"".getBytes(), "\"chunked\"".getBytes(), "\"close\"".getBytes()};
  private static final byte[][] HEADER_KEY = {
    null, null, "\"host\":".getBytes(), "\"content-type\":".getBytes(),
    "\"connection\":".getBytes(), "\"content-length\":".getBytes()};

  /** One transaction: request slot q (or -1) and response slot m (or -1). */
  private void transaction(int id, int q, int m) {
    transactions++;
    if (!format) {
      return;
    }
    if (op > out.length - 8192) {
      flushQuietly();
    }
    put(transactions == 1 ? K_FIRST : K_NEXT);
    num(connNo[id]);
    put(K_METHOD);
    field(q, F_METHOD);
    put(K_URI);
    field(q, F_URI);
    put(K_VERSION);
    versionText(q);
    put(K_STATUS);
    if (m >= 0) {
      num(status[m]);
    } else {
      put(NULL);
    }
    put(K_RVERSION);
    versionText(m);
    put(K_RQH);
    headers(q);
    put(K_RSH);
    headers(m);
    put(K_RQHB);
    num(q >= 0 ? headBytes[q] : 0);
    put(K_RQBB);
    num(q >= 0 ? bodyBytes[q] : 0);
    put(K_RSHB);
    num(m >= 0 ? headBytes[m] : 0);
    put(K_RSBB);
    num(m >= 0 ? bodyBytes[m] : 0);
    put(K_RSBG);
    num(m >= 0 ? bodyGap[m] : 0);
    put(K_FRAMING);
    put(m < 0 ? NULL : FRAMING[(mflags[m] & M_CHUNKED) != 0 ? 2 : (mflags[m] & M_LENGTH) != 0 ? 1
        : bodyBytes[m] > 0 ? 3 : 0]);
    put(K_RQF);
    numOrNull(q, frame0);
    put(K_RQLF);
    numOrNull(q, frame1);
    put(K_RSF);
    numOrNull(m, frame0);
    put(K_RSLF);
    numOrNull(m, frame1);
    put(K_RQS);
    numOrNull(q, us0);
    put(K_RQE);
    numOrNull(q, us1);
    put(K_RSS);
    numOrNull(m, us0);
    put(K_RSE);
    numOrNull(m, us1);
    put(K_WAIT);
    if (q >= 0 && m >= 0) {
      num(us0[m] - us1[q]);
    } else {
      put(NULL);
    }
    put(K_RQC);
    put(q >= 0 && (mflags[q] & M_COMPLETE) != 0 ? TRUE : FALSE);
    put(K_RSC);
    put(m >= 0 && (mflags[m] & M_COMPLETE) != 0 ? TRUE : FALSE);
    put(K_GAP);
    put((q >= 0 && (mflags[q] & M_GAP) != 0) || (m >= 0 && (mflags[m] & M_GAP) != 0) ? TRUE : FALSE);
    out[op++] = '}';
  }

  private void headers(int s) {
    if (s >= 0) {
      boolean first = true;
      for (int f = F_HOST; f <= F_CLEN; f++) {
        if (tlen[s * FIELDS + f] > 0) {
          if (!first) {
            out[op++] = ',';
          }
          first = false;
          put(HEADER_KEY[f]);
          field(s, f);
        }
      }
    }
    out[op++] = '}';
  }

  private void versionText(int s) {
    if (s < 0) {
      put(NULL);
      return;
    }
    int v = version[s];
    out[op++] = '"';
    put(HTTP_SLASH);
    out[op++] = (byte) ('0' + v / 10 % 10);
    out[op++] = '.';
    out[op++] = (byte) ('0' + v % 10);
    out[op++] = '"';
  }

  private static final byte[] HTTP_SLASH = "HTTP/".getBytes();

  private void numOrNull(int s, long[] column) {
    if (s >= 0) {
      num(column[s]);
    } else {
      put(NULL);
    }
  }

  /** A kept text field as a JSON string (null when the slot is missing). */
  private void field(int s, int f) {
    if (s < 0) {
      put(NULL);
      return;
    }
    int from = s * SLOT_BYTES + AT[f];
    int n = tlen[s * FIELDS + f];
    byte[] t = text;
    out[op++] = '"';
    boolean plain = true;
    for (int i = from; i < from + n; i++) {
      int b = t[i];
      if (b < 0x20 || b == '"' || b == '\\' || b == 0x7F) { // negative: not ASCII
        plain = false;
        break;
      }
    }
    if (plain) {
      System.arraycopy(t, from, out, op, n);
      op += n;
    } else {
      for (int i = from; i < from + n; i++) {
        int b = t[i] & 0xFF;
        if (b == '"' || b == '\\') {
          out[op++] = '\\';
          out[op++] = (byte) b;
        } else if (b < 0x20 || b >= 0x7F) { // bytes above 127 as Latin-1 code points
          out[op++] = '\\';
          out[op++] = 'u';
          out[op++] = '0';
          out[op++] = '0';
          out[op++] = HEX[b >>> 4];
          out[op++] = HEX[b & 15];
        } else {
          out[op++] = (byte) b;
        }
      }
    }
    out[op++] = '"';
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes();

  private void num(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        put("-9223372036854775808");
        return;
      }
      out[op++] = '-';
      v = -v;
    }
    if (v < 10) {
      out[op++] = (byte) ('0' + v);
      return;
    }
    int digits = 2;
    while (digits < 19 && v >= POW10[digits]) {
      digits++;
    }
    int i = op + digits;
    op = i;
    while (v >= 100) {
      int r = (int) (v % 100);
      v /= 100;
      out[--i] = (byte) ('0' + r % 10);
      out[--i] = (byte) ('0' + r / 10);
    }
    if (v >= 10) {
      out[--i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    out[--i] = (byte) ('0' + v);
  }

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < 19; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private void put(byte[] b) {
    System.arraycopy(b, 0, out, op, b.length);
    op += b.length;
  }

  private void put(String s) {
    for (int i = 0; i < s.length(); i++) {
      out[op++] = (byte) s.charAt(i);
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (IOException e) {
      throw new IllegalStateException("output: " + e.getMessage());
    }
  }

  private void flush() throws IOException {
    outBuf.clear().limit(op);
    while (outBuf.hasRemaining()) {
      sink.write(outBuf);
    }
    outBytes += op;
    op = 0;
  }

  // ---- slots, lines, growth ----

  private void keep(int m, int f, byte[] src, int from, int n) {
    int k = Math.min(n, CAP[f]);
    System.arraycopy(src, from, text, m * SLOT_BYTES + AT[f], k);
    tlen[m * FIELDS + f] = k;
  }

  private static int indexOf(byte[] a, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a[at..] equals the lower-case ASCII name, ignoring case. */
  private static boolean nameIs(byte[] a, int at, byte[] name) {
    for (int i = 0; i < name.length; i++) {
      int c = a[at + i];
      if (c >= 'A' && c <= 'Z') {
        c |= 0x20;
      }
      if (c != name[i]) {
        return false;
      }
    }
    return true;
  }

  private int newSlot() {
    if (freeSlotCount == 0) {
      if (slotsMade == slotCap) {
        growSlots();
      }
      freeSlots[freeSlotCount++] = slotsMade++;
    }
    int m = freeSlots[--freeSlotCount];
    mflags[m] = 0;
    status[m] = 0;
    version[m] = 0;
    next[m] = -1;
    frame0[m] = -1;
    headBytes[m] = 0;
    bodyBytes[m] = 0;
    bodyGap[m] = 0;
    for (int i = 0; i < FIELDS; i++) {
      tlen[m * FIELDS + i] = 0;
    }
    return m;
  }

  private void freeSlot(int m) {
    freeSlots[freeSlotCount++] = m;
  }

  private void growSlots() {
    int c = slotCap * 2;
    mflags = java.util.Arrays.copyOf(mflags, c);
    status = java.util.Arrays.copyOf(status, c);
    version = java.util.Arrays.copyOf(version, c);
    next = java.util.Arrays.copyOf(next, c);
    frame0 = java.util.Arrays.copyOf(frame0, c);
    frame1 = java.util.Arrays.copyOf(frame1, c);
    us0 = java.util.Arrays.copyOf(us0, c);
    us1 = java.util.Arrays.copyOf(us1, c);
    headBytes = java.util.Arrays.copyOf(headBytes, c);
    bodyBytes = java.util.Arrays.copyOf(bodyBytes, c);
    bodyGap = java.util.Arrays.copyOf(bodyGap, c);
    tlen = java.util.Arrays.copyOf(tlen, c * FIELDS);
    text = java.util.Arrays.copyOf(text, c * SLOT_BYTES);
    freeSlots = java.util.Arrays.copyOf(freeSlots, c);
    slotCap = c;
  }

  private void growLines() {
    int c = lineCap * 2;
    lines = java.util.Arrays.copyOf(lines, c * LINE);
    freeLines = java.util.Arrays.copyOf(freeLines, c);
    lineCap = c;
  }

  private void growFlows(int id) {
    int c = flowCap;
    while (c <= id) {
      c *= 2;
    }
    nextSeq = java.util.Arrays.copyOf(nextSeq, 2 * c);
    dflags = java.util.Arrays.copyOf(dflags, 2 * c);
    state = java.util.Arrays.copyOf(state, 2 * c);
    remaining = java.util.Arrays.copyOf(remaining, 2 * c);
    msg = java.util.Arrays.copyOf(msg, 2 * c);
    line = java.util.Arrays.copyOf(line, 2 * c);
    lineLen = java.util.Arrays.copyOf(lineLen, 2 * c);
    qHead = java.util.Arrays.copyOf(qHead, c);
    qTail = java.util.Arrays.copyOf(qTail, c);
    connNo = java.util.Arrays.copyOf(connNo, c);
    seen = java.util.Arrays.copyOf(seen, c);
    flowCap = c;
  }
}
