package io.connscope.http;

import io.connscope.capture.Warnings;
import io.connscope.tcp.StreamControl;
import io.connscope.tcp.StreamListener;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.x on one TCP connection: recognises HTTP by content, parses both directions with one
 * {@link Http1Parser} each and pairs responses with requests in order.
 *
 * <h2>Recognition</h2>
 * Until it decides, the tracker keeps at most the first start line of each direction (a copy of
 * at most {@code maxStartLineBytes + 2} bytes; more is remembered as a gap). The client
 * direction must begin with a request line ({@code token SP target SP HTTP/d.d}, any RFC 7230
 * tchar token of up to 32 characters), the server direction with {@code HTTP/}. When the
 * presumed client sends a status line and the other side a request line (or nothing that looks
 * like HTTP) and the roles were only inferred, the tracker calls {@link StreamControl#swapRoles()}
 * and replays what it kept with the new roles. A direction that does not look like HTTP while
 * the other does starts desynchronised (capture began mid-stream). When neither looks like HTTP
 * the connection is marked not HTTP ({@link #notHttpReason()}: {@code tls}, {@code ssh},
 * {@code http2}, {@code roles_reversed}, {@code gap}, {@code no_data} or {@code unrecognised})
 * and every later byte is ignored at the cost of one branch.
 *
 * <h2>Pairing</h2>
 * A request joins a FIFO of pending requests when its first byte arrives; the response parser
 * takes the head of that FIFO when a final response head completes (its method decides the
 * framing, as in Netty's {@code HttpClientCodec}); interim 1xx responses are recorded on the head
 * without taking it. A response with nothing pending becomes an orphan transaction. After a
 * desynchronisation on either side, responses paired until the FIFO drains (with both sides in
 * sync) are flagged {@link Transaction#gapAffected()}, because requests or responses may have
 * been lost; a request-side gap also flags every request pending at that moment.
 *
 * <p>Single-threaded, like the connection that drives it.
 */
public final class HttpTracker implements StreamListener {
  private static final int PENDING = 0;
  private static final int NONE = 1;
  private static final int REQ = 2;
  private static final int STATUS = 3;
  private static final int OTHER = 4;
  private static final int H2 = 5;
  private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
  private static final byte[] NO_BYTES = new byte[0];

  private final StreamControl conn;
  private final HttpOptions opts;
  private final Warnings warnings;
  private final int probeCap;
  private final Callbacks callbacks = new Callbacks();

  private Probe[] probes = {new Probe(), new Probe()};
  private Http1Parser[] parsers;
  private boolean decided;
  /** The handshake's server sends the requests ({@link #startReversed}). */
  private boolean reversed;
  private String notHttpReason;

  /** Transactions not yet final, in index order. */
  private final ArrayDeque<Transaction> unfinished = new ArrayDeque<>();
  /** The most recent final transactions (at most maxTransactionsKept), in index order. */
  private final ArrayDeque<Transaction> retained = new ArrayDeque<>();
  /** {@link #transactions()} as last returned; null once {@code unfinished} or {@code retained} changed. */
  private List<Transaction> snapshot;
  private TransactionListener listener;
  private final ArrayDeque<Transaction> pending = new ArrayDeque<>();
  private final TreeMap<String, long[]> counts = new TreeMap<>();
  private Transaction reqTx;
  private Transaction respTx;
  private boolean respInterim;
  private int nextIndex;
  private int maxPipelineDepth;
  private boolean tunnel;
  private boolean pairingSuspect;
  private long lastFrame;

  public HttpTracker(StreamControl conn, HttpOptions opts, Warnings warnings) {
    this.conn = conn;
    this.opts = opts;
    this.warnings = warnings;
    this.probeCap = opts.maxStartLineBytes() + 2;
  }

  /** Hands every transaction to {@code l} once it is final (both messages ended), in index order. */
  public void setListener(TransactionListener l) {
    this.listener = l;
  }

  /**
   * The transactions still known, in index order (orphan responses take their place in that
   * order): the most recent final ones ({@link HttpOptions#maxTransactionsKept()} at most) and
   * those not final yet. After {@link #onClose} every transaction is final.
   */
  public List<Transaction> transactions() {
    // one copy until the transactions change: the close-time detectors ask for them one after another
    if (snapshot == null) {
      List<Transaction> out = new ArrayList<>(retained.size() + unfinished.size());
      for (Transaction t : retained) {
        out.add(t);
      }
      for (Transaction t : unfinished) {
        out.add(t);
      }
      snapshot = Collections.unmodifiableList(out);
    }
    return snapshot;
  }

  /** Transactions seen on the connection, including those no longer kept. */
  public long transactionCount() {
    return nextIndex;
  }

  /** True once the content was recognised as HTTP/1.x. */
  public boolean isHttp() {
    return parsers != null;
  }

  /** Why the connection is not HTTP; null when it is, or before the tracker has decided. */
  public String notHttpReason() {
    return notHttpReason;
  }

  /** Largest {@link Transaction#pipelineDepth()} on the connection. */
  public int maxPipelineDepth() {
    return maxPipelineDepth;
  }

  /** Anomaly counts of this connection by id ({@link HttpAnomalies}), sorted. */
  public Map<String, Long> anomalies() {
    TreeMap<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      out.put(e.getKey(), e.getValue()[0]);
    }
    return out;
  }

  /** A CONNECT was answered 2xx or a 101 switched protocols: parsing stopped there. */
  public boolean tunnel() {
    return tunnel;
  }

  // ---- StreamListener ---------------------------------------------------------------------

  @Override
  public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long tsMicros) {
    lastFrame = frame;
    if (parsers != null) {
      parsers[dir].feed(buf, off, len, frame, tsMicros);
      return;
    }
    if (decided || len <= 0) {
      return; // not HTTP: ignored
    }
    Probe p = probes[dir];
    int take = p.copy(buf, off, len, frame, tsMicros, probeCap);
    int r = decide(false);
    if (r < 0) {
      p.gap(len - take, frame, tsMicros);
      return;
    }
    if (parsers != null) {
      replay(r == 1 ? 1 - dir : dir, buf, off + take, len - take, frame, tsMicros);
    }
  }

  @Override
  public void onGap(int dir, long len, long frame, long tsMicros) {
    lastFrame = frame;
    if (parsers != null) {
      parsers[dir].gap(len, frame, tsMicros);
      return;
    }
    if (decided) {
      return;
    }
    probes[dir].gap(len, frame, tsMicros);
    if (decide(false) >= 0 && parsers != null) {
      replay(-1, null, 0, 0, frame, tsMicros);
    }
  }

  @Override
  public void onFin(int dir, long frame, long tsMicros) {
    end(dir, frame, tsMicros);
  }

  @Override
  public void onRst(int dir, long frame, long tsMicros) {
    end(dir, frame, tsMicros);
  }

  @Override
  public void onClose(long tsMicros) {
    if (!decided) {
      decide(true);
      if (parsers != null) {
        replay(-1, null, 0, 0, lastFrame, tsMicros);
      }
    }
    if (parsers != null) {
      parsers[StreamControl.CLIENT].finish(lastFrame, tsMicros);
      parsers[StreamControl.SERVER].finish(lastFrame, tsMicros);
    }
    for (Transaction tx : pending) {
      tx.unanswered = true;
      if (pairingSuspect) {
        tx.gapAffected = true;
      }
    }
    pending.clear();
    for (Transaction tx : unfinished) {
      tx.requestEnded = true;
      tx.responseEnded = true;
    }
    drain();
  }

  /** Hands over, in index order, every transaction at the head whose messages both ended. */
  private void drain() {
    while (!unfinished.isEmpty()) {
      Transaction tx = unfinished.peekFirst();
      if (!tx.requestEnded || !tx.responseEnded) {
        return;
      }
      unfinished.pollFirst();
      retained.addLast(tx);
      snapshot = null;
      if (retained.size() > opts.maxTransactionsKept()) {
        retained.pollFirst();
        if (listener == null) {
          count(HttpAnomalies.TRANSACTIONS_DROPPED, lastFrame, 1);
        }
      }
      if (listener != null) {
        listener.completed(tx);
      }
    }
  }

  private void end(int dir, long frame, long tsMicros) {
    lastFrame = frame;
    if (parsers != null) {
      parsers[dir].finish(frame, tsMicros);
      return;
    }
    if (decided) {
      return;
    }
    Probe p = probes[dir];
    p.ended = true;
    p.endFrame = frame;
    p.endUs = tsMicros;
    if (decide(false) >= 0 && parsers != null) {
      replay(-1, null, 0, 0, frame, tsMicros);
    }
  }

  // ---- recognition ------------------------------------------------------------------------

  /** -1: undecided; 0: decided; 1: decided and roles swapped. */
  private int decide(boolean force) {
    if (!measureSocks(force)) {
      return -1;
    }
    int c = classOf(probes[StreamControl.CLIENT], force);
    int s = classOf(probes[StreamControl.SERVER], force);
    if (c == PENDING) {
      return -1;
    }
    if (c == REQ) {
      return startHttp(false, c, s);
    }
    if (c == H2) {
      return notHttp("http2");
    }
    if (s == PENDING) {
      return -1;
    }
    boolean inferred = conn.rolesInferred();
    if (c == STATUS) {
      if (s == STATUS || s == H2) {
        return notHttp(reason());
      }
      // the presumed client answers: it is the server (or the roles are reversed)
      return inferred ? startHttp(true, c, s) : startReversed(c, s);
    }
    if (s == STATUS) {
      return startHttp(false, c, s); // client side unreadable (mid-stream): responses still pair
    }
    if (s == REQ) {
      return inferred ? startHttp(true, c, s) : startReversed(c, s);
    }
    return notHttp(reason());
  }

  /**
   * Measures a SOCKS handshake at the start of each direction ({@link SocksPreamble}); the HTTP
   * after it is classified and parsed. False while a length is still unknown.
   */
  private boolean measureSocks(boolean force) {
    Probe c = probes[StreamControl.CLIENT];
    Probe s = probes[StreamControl.SERVER];
    if (c.skip < 0) {
      c.skip = SocksPreamble.clientLength(c.data, c.len, full(c, force));
    }
    if (s.skip < 0 && c.skip >= 0) {
      s.skip = c.skip == 0 ? 0 : SocksPreamble.serverLength(s.data, s.len, full(s, force));
    }
    return c.skip >= 0 && s.skip >= 0;
  }

  private boolean full(Probe p, boolean force) {
    return force || p.ended || p.dropped > 0 || p.len >= probeCap;
  }

  private int classOf(Probe p, boolean force) {
    if (p.cls == PENDING) {
      boolean full = full(p, force);
      int c = classify(p.data, p.skip, p.len, full);
      if (c == PENDING && full) {
        c = p.len == 0 && p.dropped == 0 ? NONE : OTHER;
      }
      p.cls = c;
    }
    return p.cls;
  }

  /**
   * Classifies the first bytes of a direction: REQ, STATUS, H2 (the HTTP/2 preface), OTHER, or
   * PENDING when more bytes are needed. {@code full}: no more bytes will come.
   */
  static int classify(byte[] b, int from, int len, boolean full) {
    int i = from;
    while (i < len && (b[i] == '\r' || b[i] == '\n')) { // RFC 7230 3.5
      i++;
    }
    if (i == len) {
      return PENDING;
    }
    int k = 0;
    while (k < HTTP_SLASH.length && i + k < len && (b[i + k] | 0x20) == (HTTP_SLASH[k] | 0x20)) {
      k++;
    }
    if (k == HTTP_SLASH.length) {
      return STATUS;
    }
    if (i + k == len && !full) {
      return PENDING;
    }
    int t = i;
    while (t < len && t - i <= Http1Parser.MAX_METHOD && Http1Parser.isTchar(b[t])) {
      t++;
    }
    if (t == len && t - i <= Http1Parser.MAX_METHOD) {
      return full ? OTHER : PENDING;
    }
    if (t == i || t - i > Http1Parser.MAX_METHOD || b[t] != ' ') {
      return OTHER;
    }
    int lf = t;
    while (lf < len && b[lf] != '\n') {
      lf++;
    }
    if (lf == len) {
      return full ? REQ : PENDING; // an over-long first line still starts like a request
    }
    int e = lf > t && b[lf - 1] == '\r' ? lf - 1 : lf;
    if (!Http1Parser.isRequestLine(b, i, e)) { // HTTP/1.x, or an HTTP/0.9 Simple-Request
      return OTHER;
    }
    if (t - i == 3 && b[i] == 'P' && b[i + 1] == 'R' && b[i + 2] == 'I' && e - 3 > t
        && b[e - 3] == '2') {
      return H2; // RFC 7540 3.5: "PRI * HTTP/2.0"
    }
    return REQ;
  }

  private String reason() {
    boolean gap = false;
    for (Probe p : probes) {
      if (p.len > 0) {
        if (p.data[0] == 0x16) {
          return "tls"; // TLS handshake record
        }
        if (p.len >= 4 && p.data[0] == 'S' && p.data[1] == 'S' && p.data[2] == 'H'
            && p.data[3] == '-') {
          return "ssh";
        }
        return "unrecognised";
      }
      gap |= p.dropped > 0;
    }
    return gap ? "gap" : "no_data";
  }

  private int notHttp(String reason) {
    decided = true;
    notHttpReason = reason;
    probes = null;
    return 0;
  }

  private int startHttp(boolean swap, int c, int s) {
    if (swap) {
      conn.swapRoles();
      Probe t = probes[0];
      probes[0] = probes[1];
      probes[1] = t;
      int x = c;
      c = s;
      s = x;
    }
    decided = true;
    parsers = new Http1Parser[2];
    parsers[StreamControl.CLIENT] = parser(true, c);
    // after an HTTP/0.9 request the server's bare body is expected, not a desync
    boolean simple = c == REQ && Http1Parser.startsWithSimpleRequest(
        probes[StreamControl.CLIENT].data,
        probes[StreamControl.CLIENT].skip, probes[StreamControl.CLIENT].len);
    parsers[StreamControl.SERVER] = parser(false, simple ? PENDING : s);
    return swap ? 1 : 0;
  }

  /**
   * The handshake's server sends the requests (a reverse connection: data on the SYN/ACK, reverse
   * SOCKS or tunnels). The TCP roles stay as the handshake decided them; only the parsers change
   * sides, and {@link #httpReversed()} says so.
   */
  private int startReversed(int c, int s) {
    if (s != REQ) {
      return notHttp("roles_reversed");
    }
    decided = true;
    reversed = true;
    count(HttpAnomalies.REVERSED_ROLES, lastFrame, 1);
    parsers = new Http1Parser[2];
    parsers[StreamControl.SERVER] = parser(true, s);
    parsers[StreamControl.CLIENT] = parser(false, c);
    return 0;
  }

  /** The request parser, whichever TCP side sends the requests. */
  private Http1Parser requestParser() {
    return parsers[reversed ? StreamControl.SERVER : StreamControl.CLIENT];
  }

  /**
   * True when the requests come from the side the TCP handshake made the server (a reverse
   * connection); transactions are then the server's requests and the client's responses.
   */
  public boolean httpReversed() {
    return reversed;
  }

  private Http1Parser parser(boolean request, int cls) {
    if (cls != OTHER) {
      return new Http1Parser(request, opts, callbacks, Http1Parser.State.START_LINE);
    }
    // the direction begins with something else: wait for a start line
    count(HttpAnomalies.DESYNC, lastFrame, 1);
    pairingSuspect = true;
    return new Http1Parser(request, opts, callbacks, Http1Parser.State.DESYNC);
  }

  /**
   * Feeds the kept bytes to the parsers, requests first so that responses find their request,
   * with the rest of the current chunk ({@code dir}, -1 for none) after its direction's bytes.
   */
  private void replay(int dir, ByteBuffer buf, int off, int len, long frame, long us) {
    Probe[] ps = probes;
    probes = null;
    for (int k = 0; k < 2; k++) {
      int d = reversed ? 1 - k : k; // the requests' side first
      Probe p = ps[d];
      ByteBuffer kept = ByteBuffer.wrap(p.data);
      int start = 0;
      for (int i = 0; i < p.chunks; i++) {
        int from = Math.max(start, p.skip); // after a SOCKS handshake
        if (p.ends[i] > from) {
          parsers[d].feed(kept, from, p.ends[i] - from, p.frames[i], p.uss[i]);
        }
        start = p.ends[i];
      }
      if (p.dropped > 0) {
        parsers[d].gap(p.dropped, p.gapFrame, p.gapUs);
      }
      if (d == dir && len > 0) {
        parsers[d].feed(buf, off, len, frame, us);
      }
    }
    for (int d = 0; d < 2; d++) {
      if (ps[d].ended) {
        parsers[d].finish(ps[d].endFrame, ps[d].endUs);
      }
    }
  }

  /** The first bytes of one direction, kept until the tracker decides. */
  private static final class Probe {
    /** Made at the first bytes: a direction often has none before the tracker decides. */
    byte[] data = NO_BYTES;
    int len;
    /** Bytes not kept (beyond the cap, or lost in gaps): replayed as one gap after data. */
    long dropped;
    long gapFrame;
    long gapUs;
    int cls = PENDING;
    /** Length of a SOCKS handshake first in this direction, -1 until measured. */
    int skip = -1;
    int chunks;
    int[] ends;
    long[] frames;
    long[] uss;
    boolean ended;
    long endFrame;
    long endUs;

    /** Copies what fits under {@code cap}; returns the number of bytes copied. */
    int copy(ByteBuffer buf, int off, int n, long frame, long us, int cap) {
      if (dropped > 0) {
        return 0; // keep stream order: once bytes are dropped, later ones go after the gap
      }
      int take = Math.min(n, cap - len);
      if (take <= 0) {
        return 0;
      }
      if (len + take > data.length) {
        data = java.util.Arrays.copyOf(data, Math.max(len + take, Math.min(cap, data.length * 2)));
      }
      buf.get(off, data, len, take);
      len += take;
      if (ends == null) {
        ends = new int[8];
        frames = new long[8];
        uss = new long[8];
      }
      int c = Math.min(chunks, ends.length - 1); // past 8 chunks, merge into the last
      ends[c] = len;
      frames[c] = frame;
      uss[c] = us;
      chunks = c + 1;
      return take;
    }

    void gap(long n, long frame, long us) {
      if (n > 0) {
        dropped += n;
        gapFrame = frame;
        gapUs = us;
      }
    }
  }

  // ---- pairing ----------------------------------------------------------------------------

  private void count(String code, long frame, long n) {
    warnings.add(code, frame, n, null);
    long[] c = counts.get(code);
    if (c == null) {
      c = new long[1];
      counts.put(code, c);
    }
    c[0] += n;
  }

  private Transaction newTransaction(boolean orphan, long frame) {
    Transaction tx = new Transaction(nextIndex++);
    tx.orphanResponse = orphan;
    tx.requestEnded = orphan;
    unfinished.addLast(tx);
    snapshot = null;
    return tx;
  }

  private static void merge(Transaction tx, Http1Parser p) {
    if (p.anomalies != null) {
      for (String a : p.anomalies) {
        tx.addAnomaly(a, p.request);
      }
    }
    if (p.gapAffected) {
      tx.gapAffected = true;
    }
  }

  private static void copyRequestHead(Transaction tx, Http1Parser p) {
    tx.method = p.method;
    tx.uri = p.uri;
    tx.requestVersion = p.version;
    tx.requestHeaders = p.headers;
    tx.requestHeaderBytes = p.headBytes;
  }

  private boolean inSync() {
    return parsers[0].state() != Http1Parser.State.DESYNC
        && parsers[1].state() != Http1Parser.State.DESYNC;
  }

  /** Parser callbacks, kept off the public API. */
  private final class Callbacks implements Http1Parser.Listener {
    @Override
    public void messageBegin(Http1Parser p) {
      if (!p.request) {
        respTx = null;
        respInterim = false;
        return;
      }
      Transaction tx = newTransaction(false, p.frame);
      tx.requestFirstFrame = p.firstFrame;
      tx.requestFirstUs = p.firstUs;
      pending.addLast(tx);
      if (pending.size() > opts.maxPendingRequests()) {
        // Zeek's max_pending_requests: give up on the oldest
        Transaction old = pending.pollFirst();
        old.unanswered = true;
        old.responseEnded = true;
        old.addAnomaly(HttpAnomalies.EXCESSIVE_PIPELINING);
        count(HttpAnomalies.EXCESSIVE_PIPELINING, p.frame, 1);
      }
      tx.pipelineDepth = pending.size();
      maxPipelineDepth = Math.max(maxPipelineDepth, tx.pipelineDepth);
      reqTx = tx;
    }

    @Override
    public String headComplete(Http1Parser p) {
      if (p.request) {
        if (reqTx != null) {
          copyRequestHead(reqTx, p);
        }
        return null;
      }
      // RFC 7231 6.2: 1xx are interim, the final response follows (101 ends HTTP instead)
      boolean interim = p.status >= 100 && p.status < 200 && p.status != 101;
      Transaction tx = interim ? pending.peekFirst() : pending.pollFirst();
      if (tx == null) {
        tx = newTransaction(true, p.frame);
        tx.addAnomaly(HttpAnomalies.UNMATCHED_RESPONSE);
        count(HttpAnomalies.UNMATCHED_RESPONSE, p.frame, 1);
      }
      if (pairingSuspect) {
        tx.gapAffected = true;
      }
      respTx = tx;
      respInterim = interim;
      if (interim) {
        tx.addInterim(p.status);
        return tx.method;
      }
      tx.status = p.status;
      tx.reason = p.reason;
      tx.responseVersion = p.version;
      tx.responseHeaders = p.headers;
      tx.responseHeaderBytes = p.headBytes;
      tx.responseFirstFrame = p.firstFrame;
      tx.responseFirstUs = p.firstUs;
      if (pending.isEmpty() && inSync()) {
        pairingSuspect = false;
      }
      return tx.method;
    }

    @Override
    public void messageEnd(Http1Parser p, boolean complete) {
      if (p.request) {
        Transaction tx = reqTx;
        reqTx = null;
        if (tx == null) {
          return;
        }
        copyRequestHead(tx, p);
        tx.requestBodyBytes = p.bodyBytes;
        tx.requestBodyGapBytes = p.bodyGapBytes;
        tx.requestFraming = p.framing;
        tx.requestLastFrame = p.lastFrame;
        tx.requestLastUs = p.lastUs;
        tx.requestComplete = complete;
        tx.requestEnded = true;
        merge(tx, p);
        drain();
        return;
      }
      Transaction tx = respTx;
      respTx = null;
      if (tx == null) {
        // the head never completed: it concerned the oldest pending request, if any
        Transaction head = pending.peekFirst();
        if (head != null) {
          merge(head, p);
        }
        return;
      }
      merge(tx, p);
      if (respInterim) {
        return;
      }
      tx.responseBodyBytes = p.bodyBytes;
      tx.responseBodyGapBytes = p.bodyGapBytes;
      tx.responseFraming = p.framing;
      tx.responseLastFrame = p.lastFrame;
      tx.responseLastUs = p.lastUs;
      tx.responseComplete = complete;
      tx.closeDelimited = p.framing == Framing.CLOSE;
      tx.responseEnded = true;
      if (complete && p.framing == Framing.TUNNEL) {
        tunnel = true;
        requestParser().enterTunnel(p.status != 101);
      }
      drain();
    }

    @Override
    public boolean simpleResponseExpected(Http1Parser p) {
      Transaction tx = pending.peekFirst();
      return tx != null && Http1Parser.HTTP_09.equals(tx.requestVersion);
    }

    @Override
    public void anomaly(Http1Parser p, String code, long n) {
      count(code, p.frame, n);
    }

    @Override
    public void desync(Http1Parser p, boolean gap) {
      pairingSuspect = true;
      if (p.request && gap) {
        // responses to these may be framed or paired wrongly: requests were lost
        for (Transaction tx : pending) {
          tx.gapAffected = true;
        }
      }
    }
  }
}
