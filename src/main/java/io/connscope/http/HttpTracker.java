package io.connscope.http;

import io.connscope.common.Direction;
import io.connscope.common.FairShares;
import io.connscope.common.Warnings;
import io.connscope.tcp.StreamControl;
import io.connscope.tcp.StreamListener;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.x on one TCP connection: recognises HTTP by content, parses both directions with one
 * {@link Http1Parser} each and pairs responses with requests in order.
 *
 * <h2>Recognition</h2>
 *
 * Each direction is classified from its reassembled bytes as soon as its first line is complete:
 * the client direction must begin with a request line ({@code token SP target SP HTTP/d.d}, any RFC
 * 7230 tchar token of up to 32 characters), the server direction with {@code HTTP/}. One direction
 * is enough: a server that answers makes the connection HTTP whatever the client sent (or whether
 * the capture holds it). When the presumed client sends a status line (or the presumed server a
 * request line) and the roles were only inferred, the tracker calls {@link
 * StreamControl#swapRoles()}; with roles from the handshake it waits for the other side and parses
 * a reverse connection ({@link #httpReversed()}). A direction whose start the capture does not hold
 * (picked up mid-stream, or after a gap) is scanned line by line for its next start line of either
 * kind, up to {@link #SCAN_BUDGET} bytes, keeping only the current line. Until the decision the
 * kept bytes stay with the frame, time and ACK of the chunk they came in, and are replayed to the
 * parsers; nothing is dropped. When nothing HTTP-like shows, the connection is marked not HTTP
 * ({@link #notHttpReason()}: {@code tls}, {@code ssh}, {@code http2}, {@code roles_reversed},
 * {@code gap}, {@code no_data} or {@code unrecognised}) and every later byte is ignored at the cost
 * of one branch.
 *
 * <h2>Pairing</h2>
 *
 * A request joins a FIFO of pending requests when its first byte arrives; the response parser takes
 * the head of that FIFO when a final response head completes (its method decides the framing, as in
 * Netty's {@code HttpClientCodec}); interim 1xx responses are recorded on the head without taking
 * it. Pairing is checked against the sequence space (section "ACK-aligned pairing" below): a
 * response that began before its client sent the oldest pending request is an orphan; a request
 * whose response the client acknowledged while the capture lost its head is {@link
 * Transaction#responseNotCaptured()}, so later responses stay with their requests. A message cut by
 * a gap extends to the next start line of its direction. After a desynchronisation on either side,
 * responses paired until the FIFO drains (with both sides in sync) are flagged {@link
 * Transaction#gapAffected()} unless the ACK numbers prove the pairing.
 *
 * <p>Single-threaded, like the connection that drives it.
 */
public final class HttpTracker implements StreamListener, HttpView {
  private static final int PENDING = 0;
  private static final int NONE = 1;
  private static final int REQ = 2;
  private static final int STATUS = 3;
  private static final int OTHER = 4;
  private static final int H2 = 5;
  private static final int DONE = 6;
  private static final int SCANNING = 7;
  private static final int FOUND_REQ = 8;
  private static final int FOUND_STATUS = 9;

  /** Bytes of a direction scanned for a start line before it is given up as not HTTP. */
  static final long SCAN_BUDGET = 1 << 20;

  /** Fewer missing bytes cannot hold a response ("HTTP/1.1 200 \r\n\r\n" is 17). */
  private static final long MIN_RESPONSE_BYTES = 16;

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
  private final ArrayDeque<Transaction> unfinished = new ArrayDeque<>(4);

  /**
   * The most recent final transactions (at most maxTransactionsKept), in index order: a ring, so
   * that {@link #keptNow()} reaches one by its place without a copy.
   */
  private Transaction[] retained = new Transaction[4];

  private int retainedHead;
  private int retainedSize;

  /**
   * {@link #transactions()} as last returned; null once {@code unfinished} or {@code retained}
   * changed.
   */
  private List<Transaction> snapshot;

  private TransactionListener listener;
  private final ArrayDeque<Transaction> pending = new ArrayDeque<>(4);

  /** Made at the first anomaly: most connections have none. */
  private TreeMap<String, long[]> counts;

  private Transaction reqTx;
  private Transaction respTx;
  private boolean respInterim;
  private int nextIndex;
  private int maxPipelineDepth;
  private boolean tunnel;
  private long handedOver, handedOverMicros;
  private Transaction firstHandedOver;
  private boolean pairingSuspect;
  private long lastFrame;

  /** {@link StreamControl#dataAck()} of the bytes being fed (kept per chunk during a replay). */
  private long feedAck = -1;

  /**
   * Response stream offset where bytes not parsed as responses begin (a gap outside a body of known
   * length), -1 while every response byte is accounted for; {@link #respGapEnd} is where the latest
   * such gap ends, and the frame and time of the ACK that revealed it.
   */
  private long respHole = -1;

  /** No byte from respHole on belongs to a response already paired. */
  private boolean respHoleClean;

  private long respGapEnd = -1;
  private long respGapFrame = -1;
  private long respGapUs = -1;

  /** Request bytes went missing (a gap, or the capture began inside the request stream). */
  private boolean requestsIncomplete;

  public HttpTracker(StreamControl conn, HttpOptions opts, Warnings warnings) {
    this(conn, opts, warnings, null);
  }

  /**
   * A tracker whose final transactions beyond its last {@value #KEPT_ALONE} count against {@code
   * budget}, shared by the trackers of one analysis (null: none).
   */
  public HttpTracker(StreamControl conn, HttpOptions opts, Warnings warnings, KeptBudget budget) {
    this.conn = conn;
    this.opts = opts;
    this.warnings = warnings;
    this.probeCap = opts.maxStartLineBytes() + 2;
    this.budget = budget;
  }

  /**
   * Final transactions a tracker keeps outside its {@link KeptBudget}: the last one, which the
   * close-time detectors read however full the total is (a keep-alive connection's last exchange
   * before its close). About 0.45 KB per open HTTP connection. 16 in stop 35 and 64 before it,
   * outside any total: 200,000 connections open at once that each completed 16 transactions held
   * 1.4 GiB.
   */
  public static final int KEPT_ALONE = 1;

  private final KeptBudget budget;

  /** This tracker's slot in {@link #budget}'s shares once it kept one on it; -1 before. */
  private int budgetSlot = -1;

  /**
   * The final transactions kept over the trackers of one analysis beyond each one's last {@value
   * #KEPT_ALONE}: at most {@link HttpOptions#maxTransactionsKeptTotal()}, about 0.45 KB each, so
   * that many long connections open at once hold a bounded memory. Shared fairly ({@link
   * FairShares}): once the total is full, a connection keeping less than the total divided by the
   * connections keeping any takes from the one keeping the most, so the longest connections give up
   * their oldest first and an ordinary connection keeps what its close-time detectors read however
   * many long connections came before it. Not thread-safe: one per connection stage.
   */
  public static final class KeptBudget {
    private final FairShares<HttpTracker> shares;

    public KeptBudget(long limit) {
      this.shares = new FairShares<>(limit);
    }

    /**
     * The most asked for since the last call (then what is held now): the stages of shards that
     * together never asked for more than the limit refused nothing, and neither would one stage.
     */
    public long peak() {
      return shares.peak();
    }

    /** Kept over all the trackers now (beyond each one's last {@value #KEPT_ALONE}). */
    public long held() {
      return shares.total();
    }
  }

  /**
   * Hands every transaction to {@code l} once it is final (both messages ended), in index order.
   */
  public void setListener(TransactionListener l) {
    this.listener = l;
  }

  /**
   * The transactions still known, in index order (orphan responses take their place in that order):
   * the most recent final ones ({@link HttpOptions#maxTransactionsKept()} at most) and those not
   * final yet. After {@link #onClose} every transaction is final.
   */
  public List<Transaction> transactions() {
    // one copy until the transactions change: the close-time detectors ask for them one after
    // another
    if (snapshot == null) {
      List<Transaction> out = new ArrayList<>(retainedSize + unfinished.size());
      for (int i = 0; i < retainedSize; i++) {
        out.add(retainedAt(i));
      }
      for (Transaction t : unfinished) {
        out.add(t);
      }
      snapshot = Collections.unmodifiableList(out);
    }
    return snapshot;
  }

  /**
   * The transactions {@link #transactions()} lists, without a copy: a view that is valid only until
   * the next call into this tracker, for a lookup made on the spot (a detector finding the
   * transaction of a frame as each transaction completes: a copy each time was quadratic on a long
   * connection).
   */
  public List<Transaction> keptNow() {
    if (snapshot != null) {
      return snapshot;
    }
    if (keptView == null) {
      keptView = new KeptView();
    }
    return keptView;
  }

  /** {@link #keptNow()}'s view, made at its first use. */
  private KeptView keptView;

  private final class KeptView extends java.util.AbstractList<Transaction> {
    @Override
    public Transaction get(int i) {
      java.util.Objects.checkIndex(i, size());
      if (i < retainedSize) {
        return retainedAt(i);
      }
      int k = retainedSize;
      for (Transaction t : unfinished) { // a few at most: the pipeline's depth
        if (k++ == i) {
          return t;
        }
      }
      throw new IllegalStateException();
    }

    @Override
    public int size() {
      return retainedSize + unfinished.size();
    }
  }

  private Transaction retainedAt(int i) {
    return retained[(retainedHead + i) % retained.length];
  }

  private void retain(Transaction tx) {
    if (retainedSize == retained.length) {
      Transaction[] more = new Transaction[2 * retained.length];
      for (int i = 0; i < retainedSize; i++) {
        more[i] = retainedAt(i);
      }
      retained = more;
      retainedHead = 0;
    }
    retained[(retainedHead + retainedSize) % retained.length] = tx;
    retainedSize++;
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

  /** Whether the connection counted anomaly {@code id} ({@link HttpAnomalies}): no copy made. */
  public boolean hasAnomaly(String id) {
    return counts != null && counts.containsKey(id);
  }

  /** Anomaly counts of this connection by id ({@link HttpAnomalies}), sorted. */
  public Map<String, Long> anomalies() {
    TreeMap<String, Long> out = new TreeMap<>();
    if (counts == null) {
      return out;
    }
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      out.put(e.getKey(), e.getValue()[0]);
    }
    return out;
  }

  /** A CONNECT was answered 2xx or a 101 switched protocols: parsing stopped there. */
  public boolean tunnel() {
    return tunnel;
  }

  @Override
  public long handedOver() {
    return handedOver;
  }

  @Override
  public Transaction firstHandedOver() {
    return firstHandedOver;
  }

  @Override
  public long handedOverMicros() {
    return handedOverMicros;
  }

  // ---- StreamListener ---------------------------------------------------------------------

  @Override
  public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long tsMicros) {
    lastFrame = frame;
    feedAck = conn.dataAck();
    if (parsers != null) {
      parsers[dir].feed(buf, off, len, frame, tsMicros);
      extendCut(dir, frame, tsMicros);
      return;
    }
    if (decided || len <= 0) {
      return; // not HTTP: ignored
    }
    probes[dir].append(buf, off, len, frame, tsMicros, feedAck, probeCap);
    if (decide(false) >= 0 && parsers != null) {
      replay();
    }
  }

  @Override
  public void onGap(int dir, long len, long frame, long tsMicros) {
    lastFrame = frame;
    if (parsers != null) {
      Http1Parser p = parsers[dir];
      if (p == responseParser()) {
        responseGap(p, len, frame, tsMicros);
      } else {
        requestGap(p, len);
      }
      p.gap(len, frame, tsMicros);
      extendCut(dir, frame, tsMicros);
      return;
    }
    if (decided) {
      return;
    }
    probes[dir].gap(len, frame, tsMicros);
    if (decide(false) >= 0 && parsers != null) {
      replay();
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
        replay();
      }
    }
    if (parsers != null) {
      parsers[Direction.CLIENT].finish(lastFrame, tsMicros);
      parsers[Direction.SERVER].finish(lastFrame, tsMicros);
      endCut(Direction.CLIENT, parsers[Direction.CLIENT].offset());
      endCut(Direction.SERVER, parsers[Direction.SERVER].offset());
      // at the end, response bytes missing after a pending request answered it unseen
      retireAnswered(respGapEnd);
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
    closing = true;
    drain();
    if (budgetSlot >= 0) {
      // closed: what it keeps now is read by its close-time detectors, then released with it
      budget.shares.leave(budgetSlot);
      budgetSlot = -1;
    }
  }

  /**
   * Set by {@link #onClose}: the transactions it makes final are read once and released with the
   * connection, so they take no kept transaction from another connection.
   */
  private boolean closing;

  /** The transaction just retained, beyond the last {@value #KEPT_ALONE}, on the shared total. */
  private void keepOnBudget() {
    FairShares<HttpTracker> shares = budget.shares;
    if (budgetSlot < 0) {
      budgetSlot = shares.join(this);
    }
    int giver = shares.take(budgetSlot, !closing);
    if (giver < 0) {
      return;
    }
    // the total is reached: the oldest kept by the connection keeping the most, or this one's
    HttpTracker g = giver == budgetSlot ? this : shares.owner(giver);
    g.dropOldestKept();
    g.snapshot = null;
    warnings.add(HttpAnomalies.KEPT_TOTAL_FULL, lastFrame, 1, null);
  }

  private void dropOldestKept() {
    retained[retainedHead] = null;
    retainedHead = (retainedHead + 1) % retained.length;
    retainedSize--;
  }

  /** Hands over, in index order, every transaction at the head whose messages both ended. */
  private void drain() {
    while (!unfinished.isEmpty()) {
      Transaction tx = unfinished.peekFirst();
      if (!tx.requestEnded || !tx.responseEnded) {
        return;
      }
      unfinished.pollFirst();
      tx.requestHeaders.trim(); // final: its messages take no more fields
      tx.responseHeaders.trim();
      retain(tx);
      snapshot = null;
      if (retainedSize > opts.maxTransactionsKept()) {
        dropOldestKept();
        if (listener == null) {
          count(HttpAnomalies.TRANSACTIONS_DROPPED, lastFrame, 1);
        }
      } else if (budget != null && retainedSize > KEPT_ALONE) {
        keepOnBudget();
      }
      if (listener != null) {
        if (handedOver++ == 0) {
          firstHandedOver = tx;
        }
        if (tx.requestFirstUs >= 0 && tx.responseLastUs >= tx.requestFirstUs) {
          handedOverMicros += tx.responseLastUs - tx.requestFirstUs;
        }
        listener.completed(tx);
      }
    }
  }

  private void end(int dir, long frame, long tsMicros) {
    lastFrame = frame;
    if (parsers != null) {
      parsers[dir].finish(frame, tsMicros);
      endCut(dir, parsers[dir].offset());
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
      replay();
    }
  }

  // ---- recognition ------------------------------------------------------------------------

  /** -1: undecided; 0: decided. */
  private int decide(boolean force) {
    if (!measureSocks(force)) {
      return -1;
    }
    int c = kindOf(Direction.CLIENT, force);
    int s = kindOf(Direction.SERVER, force);
    if (c == H2) {
      return notHttp("http2");
    }
    boolean inferred = conn.rolesInferred();
    // a direction's first line decides, as soon as it is complete
    if (c == REQ) {
      return startHttp(false);
    }
    if (c == STATUS && s == STATUS) {
      return notHttp(reason());
    }
    if (s == STATUS) {
      // the server answers: HTTP, whatever the client's first bytes (mid-stream, one-sided)
      return startHttp(false);
    }
    if (c == STATUS) {
      // the presumed client answers: it is the server (or the roles are reversed)
      if (inferred) {
        return startHttp(true);
      }
      if (s == REQ) {
        return startReversed();
      }
      boolean wait = undecided(s) && !probes[Direction.CLIENT].frozen;
      return wait ? -1 : notHttp("roles_reversed");
    }
    if (s == REQ) {
      if (inferred) {
        return startHttp(true);
      }
      boolean wait = undecided(c) && !probes[Direction.SERVER].frozen;
      return wait ? -1 : startReversed();
    }
    // a direction picked up mid-stream shows a start line later on: the connection is HTTP
    // unless the other direction began with a signature of something else (TLS, SSH)
    if (probes[0].signature() == null && probes[1].signature() == null) {
      if (c == FOUND_REQ || s == FOUND_STATUS) {
        return startHttp(false);
      }
      if (inferred && (c == FOUND_STATUS || s == FOUND_REQ)) {
        // against the guessed roles: a line inside a body can look like a start line, so the
        // other side must agree (or have nothing to say) before the roles are exchanged
        boolean agreed = (c == FOUND_STATUS || c == DONE) && (s == FOUND_REQ || s == DONE);
        if (agreed) {
          return startHttp(true);
        }
        if (undecided(c) || undecided(s)) {
          return -1;
        }
      }
    }
    if (undecided(c) || undecided(s)) {
      return -1; // still looking
    }
    return notHttp(reason());
  }

  private static int firstLineStart(Probe p) {
    int i = Math.max(0, p.skip);
    while (i < p.len && (p.data[i] == '\r' || p.data[i] == '\n')) {
      i++;
    }
    return i;
  }

  /** End of the first line without its CR LF (or the kept bytes' end). */
  private static int firstLineEnd(Probe p) {
    int start = firstLineStart(p);
    int i = start;
    while (i < p.len && p.data[i] != '\n') {
      i++;
    }
    return i < p.len && i > start && p.data[i - 1] == '\r' ? i - 1 : i;
  }

  private static boolean undecided(int kind) {
    return kind == PENDING || kind == SCANNING;
  }

  /**
   * What a direction shows so far: REQ or STATUS (its first line), H2 (the HTTP/2 preface), PENDING
   * while its first line is incomplete; for a direction whose start the capture does not hold
   * (picked up mid-stream, or after a gap), SCANNING while later lines are checked for a start line
   * and FOUND_REQ or FOUND_STATUS once one is found; DONE when nothing more can tell (its first
   * line is no start line, it ended, it began with a TLS or SSH record, or was scanned as far as
   * {@link #SCAN_BUDGET} without a start line).
   */
  private int kindOf(int dir, boolean force) {
    Probe p = probes[dir];
    if (p.found != PENDING) {
      return p.scanning ? (p.found == REQ ? FOUND_REQ : FOUND_STATUS) : p.found;
    }
    boolean full = force || p.ended;
    if (!p.scanning) {
      int c = classify(p.data, p.skip, p.len, full || p.len >= probeCap);
      if (c == PENDING && full) {
        c = p.len > p.skip ? OTHER : NONE;
      }
      if (c == REQ
          && !conn.startSeen(dir)
          && !Http1Parser.plausibleRequestLine(p.data, firstLineStart(p), firstLineEnd(p))) {
        c = OTHER; // perhaps the tail of a request line: look further
      }
      p.firstLine = c;
      if (c == REQ || c == STATUS || c == H2) {
        p.found = c;
        return c;
      }
      if (c == PENDING) {
        return PENDING;
      }
      if (c == NONE || p.signature() != null || conn.startSeen(dir)) {
        return DONE; // the stream's own first line is no start line: not HTTP on this side
      }
      // the capture began inside a message: look for the next start line
      p.startScanning(p.skip);
      p.scan();
      if (p.found != PENDING) {
        return p.found == REQ ? FOUND_REQ : FOUND_STATUS;
      }
    }
    if (p.signature() != null || full || p.scanned >= SCAN_BUDGET) {
      return DONE;
    }
    return SCANNING;
  }

  /**
   * Measures a SOCKS handshake at the start of each direction ({@link SocksPreamble}); the HTTP
   * after it is classified and parsed. False while a length is still unknown.
   */
  private boolean measureSocks(boolean force) {
    Probe c = probes[Direction.CLIENT];
    Probe s = probes[Direction.SERVER];
    if (c.skip < 0 && (c.scanning || c.base > 0)) {
      c.skip = 0; // the stream did not start in the capture: no handshake to measure
    }
    if (c.skip < 0 && c.len == 0 && (s.len > 0 || s.base > 0)) {
      c.skip = 0; // the server spoke first: no SOCKS handshake (its client always starts)
    }
    if (c.skip < 0) {
      c.skip = SocksPreamble.clientLength(c.data, c.len, full(c, force));
    }
    if (s.skip < 0 && (s.scanning || s.base > 0)) {
      s.skip = 0;
    }
    if (s.skip < 0 && c.skip >= 0) {
      s.skip = c.skip == 0 ? 0 : SocksPreamble.serverLength(s.data, s.len, full(s, force));
    }
    return c.skip >= 0 && s.skip >= 0;
  }

  private boolean full(Probe p, boolean force) {
    return force || p.ended || p.gapped || p.len >= probeCap;
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
    if (t - i == 3
        && b[i] == 'P'
        && b[i + 1] == 'R'
        && b[i + 2] == 'I'
        && e - 3 > t
        && b[e - 3] == '2') {
      return H2; // RFC 7540 3.5: "PRI * HTTP/2.0"
    }
    return REQ;
  }

  private String reason() {
    boolean gap = false;
    for (Probe p : probes) {
      String sig = p.signature();
      if (sig != null) {
        return sig;
      }
    }
    for (Probe p : probes) {
      if (p.sawData) {
        return "unrecognised";
      }
      gap |= p.gapped;
    }
    return gap ? "gap" : "no_data";
  }

  private int notHttp(String reason) {
    decided = true;
    notHttpReason = reason;
    probes = null;
    return 0;
  }

  private int startHttp(boolean swap) {
    if (swap) {
      conn.swapRoles();
      Probe t = probes[0];
      probes[0] = probes[1];
      probes[1] = t;
    }
    decided = true;
    parsers = new Http1Parser[2];
    Probe c = probes[Direction.CLIENT];
    parsers[Direction.CLIENT] = parser(true, c, Direction.CLIENT);
    // after an HTTP/0.9 request the server's bare body is expected, not a desync
    boolean simple = !c.scanning && Http1Parser.startsWithSimpleRequest(c.data, c.skip, c.len);
    parsers[Direction.SERVER] =
        simple
            ? new Http1Parser(
                false, opts, callbacks, Http1Parser.State.START_LINE, probes[Direction.SERVER].base)
            : parser(false, probes[Direction.SERVER], Direction.SERVER);
    return 0;
  }

  /**
   * The handshake's server sends the requests (a reverse connection: data on the SYN/ACK, reverse
   * SOCKS or tunnels). The TCP roles stay as the handshake decided them; only the parsers change
   * sides, and {@link #httpReversed()} says so.
   */
  private int startReversed() {
    decided = true;
    reversed = true;
    count(HttpAnomalies.REVERSED_ROLES, lastFrame, 1);
    parsers = new Http1Parser[2];
    parsers[Direction.SERVER] = parser(true, probes[Direction.SERVER], Direction.SERVER);
    parsers[Direction.CLIENT] = parser(false, probes[Direction.CLIENT], Direction.CLIENT);
    return 0;
  }

  /** The request parser, whichever TCP side sends the requests. */
  private Http1Parser requestParser() {
    return parsers[reversed ? Direction.SERVER : Direction.CLIENT];
  }

  /** The response parser, whichever TCP side sends the responses. */
  private Http1Parser responseParser() {
    return parsers[reversed ? Direction.CLIENT : Direction.SERVER];
  }

  /**
   * True when the requests come from the side the TCP handshake made the server (a reverse
   * connection); transactions are then the server's requests and the client's responses.
   */
  public boolean httpReversed() {
    return reversed;
  }

  /**
   * The parser of a direction, starting where its probe's kept bytes start: at the start line
   * found, at the stream's start, or (when the direction began inside a message and no start line
   * was found yet) waiting for one.
   */
  private Http1Parser parser(boolean request, Probe p, int dir) {
    if (p.gapped && !request) {
      respHole = p.firstGap; // a response head may have been in it
      respGapEnd = p.base + p.start;
    }
    if (request && (p.scanning || !conn.startSeen(dir))) {
      requestsIncomplete = true; // requests before the first one seen may be missing
    }
    if (!p.scanning
        && (p.firstLine == REQ
            || p.firstLine == STATUS
            || (p.firstLine != OTHER && conn.startSeen(dir)))) {
      return new Http1Parser(
          request, opts, callbacks, Http1Parser.State.START_LINE, p.base + Math.max(0, p.skip));
    }
    if (!p.scanning && p.firstLine != OTHER) {
      // picked up mid-stream, its first line not complete yet: it may be the inside of a
      // message, so the parser waits for a start line and says so only if it skips bytes
      Http1Parser q =
          new Http1Parser(
              request, opts, callbacks, Http1Parser.State.DESYNC, p.base + Math.max(0, p.skip));
      q.startUnknown();
      return q;
    }
    // the direction begins with something else: wait for a start line
    count(HttpAnomalies.DESYNC, lastFrame, 1);
    pairingSuspect = true;
    if (p.found != PENDING) {
      return new Http1Parser(
          request, opts, callbacks, Http1Parser.State.START_LINE, p.base + p.start);
    }
    long at = p.scanning ? p.base + p.start : p.base + Math.max(0, p.skip);
    return new Http1Parser(request, opts, callbacks, Http1Parser.State.DESYNC, at);
  }

  /** Feeds the kept bytes to the parsers, requests first so that responses find their request. */
  private void replay() {
    Probe[] ps = probes;
    probes = null;
    for (int k = 0; k < 2; k++) {
      int d = reversed ? 1 - k : k; // the requests' side first
      Probe p = ps[d];
      ByteBuffer kept = ByteBuffer.wrap(p.data);
      int from = Math.max(p.start, p.scanning ? 0 : p.skip); // after a SOCKS handshake
      int chunkStart = 0;
      for (int i = 0; i < p.chunks; i++) {
        int a = Math.max(chunkStart, from);
        if (p.ends[i] > a) {
          feedAck = p.acks[i];
          parsers[d].feed(kept, a, p.ends[i] - a, p.frames[i], p.uss[i]);
        }
        chunkStart = p.ends[i];
      }
      if (p.dropped > 0) {
        parsers[d].gap(p.dropped, p.endFrame >= 0 ? p.endFrame : lastFrame, p.endUs);
      }
    }
    for (int d = 0; d < 2; d++) {
      if (ps[d].ended) {
        parsers[d].finish(ps[d].endFrame, ps[d].endUs);
      }
    }
  }

  /**
   * The bytes of one direction kept until the tracker decides: from the stream's start while its
   * first line is incomplete, then (when that line is no start line: the capture began inside a
   * message, or the content is not HTTP) only the current line, each complete line being checked
   * for a start line of either kind. Nothing after a gap is lost: the bytes after it are kept and
   * scanned. At most about {@code cap} bytes are kept; every kept chunk keeps its frame, time and
   * acknowledgment.
   */
  private static final class Probe {
    /** Made at the first bytes: a direction often has none before the tracker decides. */
    byte[] data = NO_BYTES;

    /** Kept bytes are data[start, len); data[i] is at stream offset base + i. */
    int start;

    int len;
    long base;

    /** A start line (REQ or STATUS) found at data[start] while scanning, else PENDING. */
    int found = PENDING;

    /** What {@link #classify} made of the first line. */
    int firstLine = PENDING;

    /** The first line was no start line: each later line is checked. */
    boolean scanning;

    /** Index in data where the unchecked part of the current line begins. */
    int checked;

    /** Bytes scanned without finding a start line. */
    long scanned;

    /** Length of a SOCKS handshake first in this direction, -1 until measured. */
    int skip = -1;

    boolean sawData;
    boolean gapped;
    long firstGap = -1;

    /** The first bytes of the direction (signature for the not-HTTP reason). */
    byte[] head;

    int chunks;
    int[] ends;
    long[] frames;
    long[] uss;
    long[] acks;
    boolean ended;
    long endFrame = -1;
    long endUs;

    /** Past a found start line, bytes no longer kept: replayed as one gap of {@code dropped}. */
    boolean frozen;

    long dropped;

    void append(ByteBuffer buf, int off, int n, long frame, long us, long ack, int cap) {
      if (scanning && found == PENDING && (scanned >= SCAN_BUDGET || signature() != null)) {
        base += n; // nothing HTTP-like in reach: only the offsets are kept
        return;
      }
      if (frozen || (found != PENDING && len - start + n > cap)) {
        // a start line was found but the other direction must speak first (the roles are the
        // reverse of the handshake's): past the cap the rest is replayed as a gap
        frozen = true;
        dropped += n;
        return;
      }
      if (!sawData) {
        sawData = true;
        if (base == 0) {
          head = new byte[Math.min(4, n)];
          buf.get(off, head, 0, head.length);
        }
      }
      if (scanning && len - start + n > cap) {
        // a long line with no start line yet: keep its tail (a start line may begin there)
        int keep = Math.min(cap / 2, len - start);
        drop(len - keep);
      }
      if (len + n > data.length) {
        compact();
        if (len + n > data.length) {
          data = Arrays.copyOf(data, Math.max(len + n, data.length * 2));
        }
      }
      buf.get(off, data, len, n);
      len += n;
      if (ends == null) {
        ends = new int[4];
        frames = new long[4];
        uss = new long[4];
        acks = new long[4];
      } else if (chunks == ends.length) {
        ends = Arrays.copyOf(ends, chunks * 2);
        frames = Arrays.copyOf(frames, chunks * 2);
        uss = Arrays.copyOf(uss, chunks * 2);
        acks = Arrays.copyOf(acks, chunks * 2);
      }
      ends[chunks] = len;
      frames[chunks] = frame;
      uss[chunks] = us;
      acks[chunks] = ack;
      chunks++;
      if (scanning && found == PENDING) {
        scan();
      }
    }

    /** Bytes lost here: what is kept cannot continue, the bytes after the gap are scanned. */
    void gap(long n, long frame, long us) {
      if (n <= 0) {
        return;
      }
      if (!gapped) {
        gapped = true;
        firstGap = base + len;
      }
      if (found != PENDING) {
        frozen = true; // keep the start line found: the gap is replayed after it
        dropped += n;
        return;
      }
      long next = base + len + n;
      start = len;
      compact();
      base = next - len; // len is 0 after compact()
      if (!scanning) {
        scanning = true;
        skip = Math.max(skip, 0);
      }
      checked = start;
    }

    void startScanning(int from) {
      scanning = true;
      checked = Math.max(from, start);
    }

    /** Checks each complete line after {@code checked}; keeps only the current line. */
    void scan() {
      int i = checked;
      while (found == PENDING) {
        int lf = i;
        while (lf < len && data[lf] != '\n') {
          lf++;
        }
        if (lf == len) {
          checked = len;
          return;
        }
        int e = lf > start && data[lf - 1] == '\r' ? lf - 1 : lf;
        int at = Http1Parser.startLineIn(data, start, e);
        if (at >= 0) {
          int kind =
              (data[at] | 0x20) == 'h' && Http1Parser.isStatusLine(data, at, e) ? STATUS : REQ;
          scanned += at - start;
          start = at;
          found = kind;
          return;
        }
        scanned += lf + 1 - start;
        start = lf + 1;
        i = start;
      }
    }

    /** The tail of the kept bytes, from {@code to}. */
    private void drop(int to) {
      scanned += to - start;
      start = to;
      checked = Math.max(checked, start);
    }

    /** Moves the kept bytes to the front of data, with their chunk stamps. */
    private void compact() {
      if (start == 0) {
        return;
      }
      int k = 0;
      for (int i = 0; i < chunks; i++) {
        if (ends[i] > start) {
          ends[k] = ends[i] - start;
          frames[k] = frames[i];
          uss[k] = uss[i];
          acks[k] = acks[i];
          k++;
        }
      }
      chunks = k;
      System.arraycopy(data, start, data, 0, len - start);
      len -= start;
      checked -= start;
      base += start;
      start = 0;
    }

    /** "tls" or "ssh" from the first bytes of the direction, else null. */
    String signature() {
      if (head == null || head.length == 0) {
        return null;
      }
      if (head[0] == 0x16
          || (head.length >= 2 && head[0] >= 0x14 && head[0] <= 0x17 && head[1] == 0x03)) {
        return "tls"; // a TLS record: a handshake, or any record when picked up mid-stream
      }
      if (head.length >= 4
          && head[0] == 'S'
          && head[1] == 'S'
          && head[2] == 'H'
          && head[3] == '-') {
        return "ssh";
      }
      return null;
    }
  }

  // ---- pairing ----------------------------------------------------------------------------

  // ---- ACK-aligned pairing ----------------------------------------------------------------
  //
  // A request's ACK number says how much of the response stream its sender had received when it
  // sent it: the response to it starts at or after that offset (the server cannot answer before
  // the request arrives). Without response-side loss every response byte is parsed and pairing is
  // FIFO. When response bytes went missing (respHole), a client that acknowledged bytes past
  // where the oldest pending request's response could start, and then sent another request,
  // had received that response: its head was in the missing bytes. The request is retired as
  // "response not captured" with the byte range, and later responses stay with their requests.

  private void responseGap(Http1Parser p, long len, long frame, long us) {
    if (p.absorbs(len)) {
      return;
    }
    if (respHole < 0) {
      long from = p.unpairedFrom();
      respHole = from >= 0 ? from : p.offset();
      respHoleClean = from >= 0;
    }
    respGapEnd = p.offset() + len;
    respGapFrame = frame;
    respGapUs = us;
  }

  private void requestGap(Http1Parser p, long len) {
    if (!p.absorbs(len)) {
      requestsIncomplete = true;
    }
  }

  /**
   * Retires the pending requests whose responses the response bytes up to {@code ack}, missing from
   * the capture, held: called before a request that acknowledged them joins the pending requests,
   * and at the end with the end of the missing bytes.
   */
  private void retireAnswered(long ack) {
    while (respHole >= 0 && ack >= 0 && !pending.isEmpty()) {
      Transaction p1 = pending.peekFirst();
      if (p1.requestAck < 0) {
        return;
      }
      long floor = Math.max(p1.requestAck, respHole);
      if (ack <= floor) {
        return;
      }
      pending.pollFirst();
      responseNotCaptured(p1, ack - floor);
      respHole = ack; // what follows belongs to later responses
    }
  }

  /**
   * Before a final response head at {@code rs}: when response bytes went missing after every paired
   * response had ended (a clean hole), after the oldest pending request was sent and before rs, and
   * the server had received request bytes past that request's end when it sent this response (a
   * later request, seen or lost), the missing bytes held that request's response (responses come in
   * order), whatever its next request's ACK says.
   */
  private void retireLostBefore(long rs) {
    if (respHole < 0 || !respHoleClean || rs < 0 || pending.isEmpty()) {
      return;
    }
    Transaction p1 = pending.peekFirst();
    if (p1.requestAck < 0 || p1.requestEndOffset < 0 || feedAck <= p1.requestEndOffset) {
      // the server had received nothing after that request when it sent this response: the
      // missing bytes may be an interim response (100 Continue) to it, and this its answer
      return;
    }
    long from = Math.max(p1.requestAck, respHole);
    if (respGapEnd - from >= MIN_RESPONSE_BYTES && respGapEnd <= rs) {
      pending.pollFirst();
      responseNotCaptured(p1, rs - from);
    }
  }

  /**
   * True when the ACK numbers alone prove that the response starting at {@code rs} answers {@code
   * tx} although message boundaries were lost: tx was sent before the client received that byte,
   * every request before it is accounted for, and the next request (if any) was sent after the
   * client had received it.
   */
  private boolean ackConfirmed(Transaction tx, long rs, boolean interim) {
    if (tx.orphanResponse || tx.requestAck < 0 || rs < tx.requestAck || requestsIncomplete) {
      return false;
    }
    java.util.Iterator<Transaction> it = pending.iterator();
    if (interim && it.hasNext()) {
      it.next(); // tx itself is still pending
    }
    if (!it.hasNext()) {
      return true;
    }
    long next = it.next().requestAck;
    return next > rs;
  }

  /**
   * For a response whose request is unknown (lost, or before the capture): true when the next
   * request was sent having received exactly this response's head and nothing more, so the response
   * has no body whatever its Content-Length says (it answered a HEAD, most likely); framed by its
   * Content-Length it would swallow the responses after it.
   */
  private boolean bodilessByAck(Http1Parser p) {
    Transaction next = pending.peekFirst();
    return next != null
        && p.firstOffset >= 0
        && next.requestAck >= 0
        && next.requestAck == p.firstOffset + p.headBytes
        && p.headers.get("content-length") != null;
  }

  /**
   * A request sent having received exactly the head of an orphan response (its request unknown)
   * whose Content-Length body has not begun: that response has no body (it answered a HEAD), so it
   * ends at its head instead of swallowing the responses that follow.
   */
  private void endBodilessOrphan(long ack) {
    Transaction r = respTx;
    Http1Parser rp = parsers == null ? null : responseParser();
    if (r != null
        && r.orphanResponse
        && r.method == null
        && ack >= 0
        && rp != null
        && ack == rp.offset()) {
      rp.endBodyNotBegun();
    }
  }

  private void responseNotCaptured(Transaction tx, long bytes) {
    tx.responseNotCaptured = true;
    tx.responseBytesNotCaptured = bytes;
    tx.responseAckedFrame = respGapFrame;
    tx.responseAckedUs = respGapUs;
    tx.responseEnded = true;
    tx.addAnomaly(HttpAnomalies.RESPONSE_NOT_CAPTURED);
    count(HttpAnomalies.RESPONSE_NOT_CAPTURED, respGapFrame, 1);
    drain();
  }

  // ---- messages cut by a gap ----------------------------------------------------------------
  //
  // A message whose head or body a gap cut (a small snap length, a lost segment inside a chunked
  // body) still occupies the stream up to the next start line of its direction, or the end:
  // its extent, last frame and time are taken from there (the sequence numbers), and it is
  // handed over only then.

  /** The cut message of each direction (client, server) and where it starts. */
  private Transaction cut0;

  private Transaction cut1;
  private long cutStart0;
  private long cutStart1;

  private void startCut(int dir, Transaction tx, long start) {
    if (dir == 0) {
      cut0 = tx;
      cutStart0 = start;
    } else {
      cut1 = tx;
      cutStart1 = start;
    }
  }

  private void extendCut(int dir, long frame, long us) {
    Transaction tx = dir == 0 ? cut0 : cut1;
    if (tx == null) {
      return;
    }
    long bytes = parsers[dir].offset() - (dir == 0 ? cutStart0 : cutStart1);
    if (dir == requestDir()) {
      tx.requestWireBytes = bytes;
      tx.requestLastFrame = frame;
      tx.requestLastUs = us;
    } else {
      tx.responseWireBytes = bytes;
      tx.responseLastFrame = frame;
      tx.responseLastUs = us;
    }
  }

  /** The cut message of {@code dir} ends at stream offset {@code end}. */
  private void endCut(int dir, long end) {
    Transaction tx = dir == 0 ? cut0 : cut1;
    if (tx == null) {
      return;
    }
    long bytes = end - (dir == 0 ? cutStart0 : cutStart1);
    if (dir == 0) {
      cut0 = null;
    } else {
      cut1 = null;
    }
    if (dir == requestDir()) {
      tx.requestWireBytes = bytes;
      tx.requestEnded = true;
    } else {
      tx.responseWireBytes = bytes;
      tx.responseEnded = true;
    }
    drain();
  }

  private int requestDir() {
    return reversed ? Direction.SERVER : Direction.CLIENT;
  }

  private void count(String code, long frame, long n) {
    warnings.add(code, frame, n, null);
    if (counts == null) {
      counts = new TreeMap<>();
    }
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
    tx.requestFirstFrame = p.firstFrame; // a start line found after junk moves the start
    tx.requestFirstUs = p.firstUs;
    tx.requestOffset = p.firstOffset;
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
      endCut(p.request ? requestDir() : 1 - requestDir(), p.firstOffset);
      if (!p.request) {
        respTx = null;
        respInterim = false;
        return;
      }
      retireAnswered(feedAck);
      endBodilessOrphan(feedAck);
      Transaction tx = newTransaction(false, p.frame);
      tx.requestFirstFrame = p.firstFrame;
      tx.requestFirstUs = p.firstUs;
      tx.requestOffset = p.firstOffset;
      tx.requestAck = feedAck;
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
      reqTx = tx;
    }

    @Override
    public String headComplete(Http1Parser p) {
      if (p.request) {
        if (reqTx != null) {
          copyRequestHead(reqTx, p);
          maxPipelineDepth = Math.max(maxPipelineDepth, reqTx.pipelineDepth);
        }
        return null;
      }
      // RFC 7231 6.2: 1xx are interim, the final response follows (101 ends HTTP instead)
      boolean interim = p.status >= 100 && p.status < 200 && p.status != 101;
      if (!interim) {
        retireLostBefore(p.firstOffset);
      }
      Transaction tx = pending.peekFirst();
      if (tx != null && tx.requestAck > p.firstOffset && p.firstOffset >= 0) {
        // its sender had received this response's first byte before sending the oldest pending
        // request: it answers an earlier request, which the capture does not hold
        tx = null;
      } else if (tx != null && !interim) {
        pending.pollFirst();
      }
      respHole = -1; // the response stream is in step again
      respGapEnd = -1;

      if (tx == null) {
        tx = newTransaction(true, p.frame);
        if (requestsIncomplete) {
          tx.requestNotCaptured = true;
          tx.addAnomaly(HttpAnomalies.REQUEST_NOT_CAPTURED);
          count(HttpAnomalies.REQUEST_NOT_CAPTURED, p.frame, 1);
        } else {
          tx.addAnomaly(HttpAnomalies.UNMATCHED_RESPONSE);
          count(HttpAnomalies.UNMATCHED_RESPONSE, p.frame, 1);
        }
      }
      if (pairingSuspect && !ackConfirmed(tx, p.firstOffset, interim)) {
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
      tx.responseOffset = p.firstOffset;
      if (pending.isEmpty() && inSync()) {
        pairingSuspect = false;
      }
      if (tx.method == null && bodilessByAck(p)) {
        return "HEAD";
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
        tx.requestEndOffset = p.endOffset;
        merge(tx, p);
        if (!complete && p.gapAffected && p.firstOffset >= 0) {
          startCut(requestDir(), tx, p.firstOffset);
          return;
        }
        tx.requestEnded = true;
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
      if (!complete && p.gapAffected && p.firstOffset >= 0) {
        startCut(1 - requestDir(), tx, p.firstOffset);
        return;
      }
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
