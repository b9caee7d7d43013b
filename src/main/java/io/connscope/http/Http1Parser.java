package io.connscope.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental HTTP/1.x parser for one direction (requests or responses): an explicit state machine
 * fed with arbitrary splits of the byte stream.
 *
 * <p>Only lines (start line, header fields, chunk-size lines) are accumulated, in one bounded
 * buffer; body bytes are counted, never copied. Strings are made once per message (start line parts
 * and the kept {@link Headers}), never per byte or per chunk: feeding body bytes allocates nothing.
 * Problems are reported to the {@link Listener} as {@link HttpAnomalies} ids; framing errors and
 * gaps outside a known body move the parser to {@link State#DESYNC}, where it waits for a line that
 * looks like a start line.
 *
 * <p>Message fields ({@link #method}, {@link #status}, {@link #bodyBytes}...) describe the current
 * (or just finished) message and are read by the listener in its callbacks.
 */
final class Http1Parser {
  /** Parser states. */
  enum State {
    START_LINE,
    HEADERS,
    BODY_FIXED,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_CRLF,
    TRAILERS,
    BODY_TO_CLOSE,
    TUNNEL,
    TUNNEL_PROBE,
    DESYNC,
    NOT_HTTP
  }

  /** Callbacks to the tracker, in stream order. */
  interface Listener {
    /** The first byte of a message's start line arrived. */
    void messageBegin(Http1Parser p);

    /**
     * The head (start line and headers) is complete. For a response, returns the method of the
     * request it answers (null when unknown), which decides the body framing.
     */
    String headComplete(Http1Parser p);

    /** The message ended: complete, or cut by a gap, an error or the end of the stream. */
    void messageEnd(Http1Parser p, boolean complete);

    /** Anomaly {@code code} occurred {@code n} times (bytes for body gaps) at {@link #frame}. */
    void anomaly(Http1Parser p, String code, long n);

    /** The direction lost message boundaries; {@code gap} when a gap caused it. */
    void desync(Http1Parser p, boolean gap);

    /**
     * Response side, before a message's first byte: true when the request it answers is an HTTP/0.9
     * simple request, whose response is the bare body up to the close.
     */
    default boolean simpleResponseExpected(Http1Parser p) {
      return false;
    }
  }

  /** Version string given to HTTP/0.9 simple requests and their responses. */
  static final String HTTP_09 = "HTTP/0.9";

  /** Longest method token accepted (RFC 7230 3.1.1 sets no limit; real methods are short). */
  static final int MAX_METHOD = 32;

  private static final long MAX_CHUNK_SIZE = 1L << 62;
  private static final int MAX_CHUNK_DIGITS = 16;

  final boolean request;
  private final HttpOptions opts;
  private final Listener listener;
  private State state;

  // Line accumulation: line[0, lineLen) without the LF; lineRaw counts every byte consumed.
  private byte[] line = new byte[64]; // grows with the longest line (most are short)
  private final int lineCap;

  /** Strings of the message heads, shared with the thread's other parsers. */
  private final Latin1Strings strings = Latin1Strings.ofThread();

  private int lineLen;
  private int lineRaw;
  private boolean lineDone;
  private boolean lineTooLong;
  private boolean lineBareLf;
  private boolean lineNul;
  private long lineFrame;
  private long lineUs;

  /** Frame and time of the chunk being fed. */
  long frame;

  long us;

  // Stream offsets (bytes fed and gaps, from the offset the parser was made at).
  /** Offset of the first byte of the next feed (or gap). */
  private long consumed;

  /**
   * {@code consumed - off} of the current feed: the offset of {@code buf[i]} is {@code base + i}.
   */
  private long base;

  /** Offset just past the last byte consumed by the state machine. */
  private long cursor;

  // The current message.
  boolean inMessage;

  /** Stream offset of the current message's first byte, and just past its last one. */
  long firstOffset = -1;

  long endOffset = -1;
  long firstFrame;
  long firstUs;
  long lastFrame;
  long lastUs;
  String method;
  String uri;
  String version;
  int status;
  String reason;
  Headers headers = Headers.EMPTY;
  long headBytes;
  long fieldBytes;
  long bodyBytes;
  long bodyGapBytes;
  Framing framing = Framing.NONE;
  boolean gapAffected;
  List<String> anomalies;
  private boolean bareLfCounted;
  private boolean nulCounted;
  private boolean lastFieldKept;
  private long remaining;

  /** Request side: the start line just parsed was an HTTP/0.9 Simple-Request. */
  private boolean simpleRequest;

  /** In DESYNC at an unknown stream start, nothing skipped yet ({@link #startUnknown}). */
  private boolean quietDesync;

  /** Request side: the last request was CONNECT or asked to Upgrade. */
  private boolean maybeTunnel;

  Http1Parser(boolean request, HttpOptions opts, Listener listener, State initial) {
    this(request, opts, listener, initial, 0);
  }

  /** A parser whose first byte is at stream offset {@code offset}. */
  Http1Parser(boolean request, HttpOptions opts, Listener listener, State initial, long offset) {
    this.consumed = offset;
    this.cursor = offset;
    this.request = request;
    this.opts = opts;
    this.listener = listener;
    this.state = initial;
    this.lineCap =
        Math.max(
                Math.max(opts.maxStartLineBytes(), opts.maxHeaderBytes()), opts.maxChunkLineBytes())
            + 2;
  }

  State state() {
    return state;
  }

  /** Stream offset of the next byte this parser will be fed. */
  long offset() {
    return consumed;
  }

  /** Feeds {@code len} bytes at {@code buf[off..]}, the last of which arrived in {@code frame}. */
  void feed(ByteBuffer buf, int off, int len, long frame, long us) {
    this.frame = frame;
    this.us = us;
    base = consumed - off;
    int pos = off;
    int end = off + len;
    while (pos < end) {
      switch (state) {
        case START_LINE:
          pos = startLine(buf, pos, end);
          break;
        case HEADERS:
        case TRAILERS:
          pos = headerLine(buf, pos, end);
          break;
        case BODY_FIXED:
        case CHUNK_DATA:
          {
            int n = (int) Math.min(remaining, end - pos);
            bodyBytes += n;
            remaining -= n;
            pos += n;
            cursor = base + pos;
            if (remaining == 0) {
              bodyDone();
            }
            break;
          }
        case CHUNK_SIZE:
        case CHUNK_CRLF:
          pos = chunkLine(buf, pos, end);
          break;
        case BODY_TO_CLOSE:
          bodyBytes += end - pos;
          pos = end;
          cursor = base + pos;
          break;
        case DESYNC:
          pos = desync(buf, pos, end);
          break;
        case TUNNEL_PROBE:
          pos = tunnelProbe(buf, pos, end);
          break;
        default: // TUNNEL, NOT_HTTP: ignored
          pos = end;
      }
      cursor = base + pos;
    }
    consumed += len;
    cursor = consumed;
    if (inMessage) {
      lastFrame = frame;
      lastUs = us;
    }
  }

  /** {@code len} bytes of the stream are missing here. */
  void gap(long len, long frame, long us) {
    this.frame = frame;
    this.us = us;
    consumed += len;
    cursor = consumed;
    switch (state) {
      case BODY_FIXED:
      case CHUNK_DATA:
        if (len <= remaining) { // entirely inside a body of known length: skip it
          bodyGapBytes += len;
          remaining -= len;
          anomaly(HttpAnomalies.BODY_GAP_BYTES, len);
          lastFrame = frame;
          lastUs = us;
          if (remaining == 0) {
            bodyDone();
          }
          return;
        }
        break;
      case BODY_TO_CLOSE:
        bodyGapBytes += len;
        anomaly(HttpAnomalies.BODY_GAP_BYTES, len);
        lastFrame = frame;
        lastUs = us;
        return;
      case TUNNEL:
      case NOT_HTTP:
        return;
      case TUNNEL_PROBE:
        resetLine();
        state = State.TUNNEL;
        return;
      case DESYNC: // the bytes after a gap may start a message
        resetLine();
        skipped(true);
        return;
      default:
        break;
    }
    // Between messages or inside a head or chunk line: boundaries are lost.
    if (inMessage) {
      gapAffected = true;
      if (state == State.HEADERS) {
        // the start line is complete, the rest of the head is missing (typically a small
        // snaplen): what it says is still known, so the message is reported and paired with
        // the headers seen so far, then parsing resynchronises at the next start line
        listener.headComplete(this);
      }
      endMessage(false);
    }
    toDesync(true);
  }

  /** End of this direction's bytes (FIN, RST or close). */
  void finish(long frame, long us) {
    this.frame = frame;
    this.us = us;
    if (state == State.BODY_TO_CLOSE) {
      complete(); // RFC 7230 3.3.3 item 7: the close ends the body
      return;
    }
    if (inMessage) {
      anomaly(HttpAnomalies.INCOMPLETE_MESSAGE, 1);
      endMessage(false);
      if (state != State.TUNNEL) {
        state = State.START_LINE;
      }
    }
    resetLine();
  }

  /**
   * The connection became a tunnel: a 101 ({@code connect} false) stops parsing; a 2xx to CONNECT
   * lets the tunnel's first line decide ({@link #tunnelProbe}). A request the client already sent
   * into a CONNECT tunnel before the 2xx arrived is being parsed and is kept.
   */
  void enterTunnel(boolean connect) {
    if (connect && inMessage) {
      return;
    }
    if (inMessage) {
      endMessage(false);
    }
    state = connect && state == State.START_LINE ? State.TUNNEL_PROBE : State.TUNNEL;
  }

  /**
   * The first bytes inside a CONNECT tunnel. Its content is the client's business (RFC 9110
   * §9.3.6): usually TLS, but a proxy also carries plain HTTP to the origin that way. When the
   * first line is a start line of this direction, parsing goes on (the proxy's view, as Suricata
   * and Zeek do); anything else makes the rest of the direction an opaque tunnel, silently.
   */
  private int tunnelProbe(ByteBuffer buf, int pos, int end) {
    if (lineRaw == 0) {
      while (pos < end && isCrLf(buf.get(pos))) {
        pos++;
      }
      if (pos == end) {
        return pos;
      }
      byte b = buf.get(pos);
      if (request ? !isTchar(b) : (b | 0x20) != 'h') {
        state = State.TUNNEL;
        return end;
      }
    }
    pos = readLine(buf, pos, end, opts.maxStartLineBytes());
    if (lineTooLong || (lineDone && (request ? requestLineEnd(0) < 0 : !statusLineValid(0)))) {
      resetLine();
      state = State.TUNNEL;
      return end;
    }
    if (!lineDone) {
      return pos;
    }
    boolean bareLf = lineBareLf;
    boolean nul = lineNul;
    beginMessage(lineFrame, lineUs, base + pos - lineRaw);
    listener.messageBegin(this);
    lineBareLf = bareLf;
    lineNul = nul;
    lineFlags();
    headBytes = lineRaw;
    parseStartLine();
    resetLine();
    state = State.HEADERS;
    return pos;
  }

  // ---- start line -------------------------------------------------------------------------

  private int startLine(ByteBuffer buf, int pos, int end) {
    int before = lineRaw == 0 ? 0 : lineLen; // bytes of this line from earlier chunks
    if (lineRaw == 0 && !request && listener.simpleResponseExpected(this)) {
      // RFC 1945 §6: a Simple-Response is the entity body alone, ended by the close
      beginMessage(frame, us, base + pos);
      listener.messageBegin(this);
      version = HTTP_09;
      reason = "";
      listener.headComplete(this); // pairs it; even after HEAD the body runs to the close
      startCloseDelimited();
      return pos;
    }
    if (lineRaw == 0) {
      // RFC 7230 3.5: ignore at least one empty line received before the request-line
      while (pos < end && isCrLf(buf.get(pos))) {
        pos++;
      }
      if (pos == end) {
        return pos;
      }
      if (request && maybeTunnel && !isTchar(buf.get(pos))) {
        // The client started its tunnel before we saw the 2xx/101: not a request.
        state = State.TUNNEL;
        return end;
      }
      if (request && !isTchar(buf.get(pos))) {
        // no request line starts with this byte (padding, junk after a message): not a request
        toDesync(false);
        return pos;
      }
      beginMessage(frame, us, base + pos);
      listener.messageBegin(this);
    }
    pos = readLine(buf, pos, end, opts.maxStartLineBytes());
    if (lineTooLong) {
      anomaly(HttpAnomalies.START_LINE_TOO_LONG, 1);
      abort();
      return pos;
    }
    if (!lineDone) {
      return pos;
    }
    lineFlags();
    headBytes = lineRaw;
    if (!parseStartLine()) {
      int at = startLineIn(line, 1, lineLen, request, !request);
      if (at < 0) {
        anomaly(HttpAnomalies.BAD_START_LINE, 1);
        abort();
        return pos;
      }
      // junk glued before a start line (a body longer than its Content-Length said): the
      // message starts there, and the junk is a desynchronisation
      anomaly(HttpAnomalies.DESYNC, 1);
      System.arraycopy(line, at, line, 0, lineLen - at);
      lineLen -= at;
      firstOffset += at;
      headBytes = lineRaw - at;
      if (at >= before) { // the start line came in this chunk
        firstFrame = frame;
        firstUs = us;
      }
      parseStartLine();
    }
    resetLine();
    state = State.HEADERS;
    if (simpleRequest) {
      headDone(); // a Simple-Request has no header section and no body
      // RFC 1945 §6: the server answers and closes; nothing more from the client is a request
      // (typically the header lines of a botched "GET /x HTTP/1.1"), so the rest is ignored
      state = State.NOT_HTTP;
    }
    return pos;
  }

  /**
   * DESYNC: accumulates each line (keeping only the tail of long ones) and resumes at the first
   * start line found in it, at its beginning or glued after the end of a body.
   */
  private int desync(ByteBuffer buf, int pos, int end) {
    if (quietDesync
        && lineRaw == 0
        && pos < end
        && !isCrLf(buf.get(pos))
        && (request ? !isTchar(buf.get(pos)) : (buf.get(pos) | 0x20) != 'h')) {
      skipped(false); // cannot start a start line of this direction: bytes of an unseen message
    }
    if (lineRaw == 0) {
      while (pos < end && isCrLf(buf.get(pos))) {
        pos++;
      }
      if (pos == end) {
        return pos;
      }
    }
    int before = lineRaw == 0 ? 0 : lineLen; // bytes of this line from earlier chunks
    int limit = opts.maxStartLineBytes();
    pos = readLine(buf, pos, end, limit);
    if (lineTooLong) {
      skipped(false);
      // keep the last half: a start line may begin near the end of a long junk line
      int keep = limit / 2;
      System.arraycopy(line, lineLen - keep, line, 0, keep);
      lineLen = keep;
      lineBareLf = false;
      lineNul = false;
      return pos;
    }
    if (!lineDone) {
      return pos;
    }
    int at = startLineAt();
    if (at != 0) {
      skipped(false);
    }
    if (at < 0) {
      resetLine();
      return pos;
    }
    boolean bareLf = lineBareLf;
    boolean nul = lineNul;
    System.arraycopy(line, at, line, 0, lineLen - at);
    lineLen -= at;
    beginMessage(
        at >= before ? frame : lineFrame,
        at >= before ? us : lineUs,
        base + pos - lineLen - (bareLf ? 1 : 2));
    listener.messageBegin(this);
    lineBareLf = bareLf;
    lineNul = nul;
    lineFlags();
    headBytes = lineLen + (bareLf ? 1 : 2);
    parseStartLine();
    resetLine();
    state = State.HEADERS;
    return pos;
  }

  /**
   * Ends the message being read here, at the end of its head, when its body of known length has not
   * begun: the body its Content-Length announced is not coming (it answered a HEAD).
   */
  boolean endBodyNotBegun() {
    if (state != State.BODY_FIXED || bodyBytes > 0 || bodyGapBytes > 0) {
      return false;
    }
    remaining = 0;
    framing = Framing.NONE;
    complete();
    return true;
  }

  /**
   * The parser starts where the stream's start is not known (picked up mid-stream): it waits for a
   * start line like {@link State#DESYNC}, and reports the desynchronisation only when it skips
   * bytes that are no start line.
   */
  void startUnknown() {
    quietDesync = true;
  }

  /** At an unknown stream start, bytes were skipped ({@code gap}: lost): report the desync once. */
  private void skipped(boolean gap) {
    if (quietDesync) {
      quietDesync = false;
      anomaly(HttpAnomalies.DESYNC, 1);
      listener.desync(this, gap);
    }
  }

  /** Methods recognised in the middle of a line when resynchronising. */
  private static final byte[][] KNOWN_METHODS = {
    {'G', 'E', 'T'},
    {'P', 'O', 'S', 'T'},
    {'H', 'E', 'A', 'D'},
    {'P', 'U', 'T'},
    {'D', 'E', 'L', 'E', 'T', 'E'},
    {'O', 'P', 'T', 'I', 'O', 'N', 'S'},
    {'P', 'A', 'T', 'C', 'H'},
    {'C', 'O', 'N', 'N', 'E', 'C', 'T'},
    {'T', 'R', 'A', 'C', 'E'}
  };

  /** Where a start line begins in line[] (running to its end), or -1. */
  private int startLineAt() {
    return startLineIn(line, 0, lineLen, request, !request);
  }

  /**
   * Where a request line or a status line begins in {@code b[from, end)} (running to end), or -1.
   */
  static int startLineIn(byte[] b, int from, int end) {
    return startLineIn(b, from, end, true, true);
  }

  /**
   * Where a start line of the kinds asked for begins in {@code b[from, end)}, running to its end: a
   * request line at its beginning, or after junk when its method is a known one; a status line
   * anywhere. -1 when there is none.
   */
  private static int startLineIn(byte[] b, int from, int end, boolean requests, boolean statuses) {
    if (requests && plausibleRequestLine(b, from, end)) {
      return from;
    }
    for (int p = from; p + 12 <= end; p++) {
      if (statuses && (b[p] | 0x20) == 'h' && isStatusLine(b, p, end)) {
        return p;
      }
      if (requests && p > from && p + 14 <= end) {
        for (byte[] m : KNOWN_METHODS) {
          if (p + m.length < end
              && b[p + m.length] == ' '
              && startsWith(b, p, m)
              && requestLineEnd(b, p, end) >= 0) {
            return p;
          }
        }
      }
    }
    return -1;
  }

  /**
   * A request line where the stream's start is not known (after a gap or junk, or picked up
   * mid-stream): as {@link #requestLineEnd}, and the method 3 or more upper-case letters, '_' or
   * '-' (every registered method; CCM_POST, M-SEARCH) and the target not empty, so that the tail of
   * a request line ("T / HTTP/1.1") or a line of a body ("d3d4d5 HTTP/1.1") is not taken for one.
   */
  static boolean plausibleRequestLine(byte[] b, int from, int end) {
    int sp = requestLineEnd(b, from, end);
    if (sp < 0) {
      return false;
    }
    int m = from;
    while (m < end && ((b[m] >= 'A' && b[m] <= 'Z') || b[m] == '_' || b[m] == '-')) {
      m++;
    }
    if (m - from < 3 || m >= end || b[m] != ' ') {
      return false;
    }
    if (m + 1 < sp) {
      return true; // a target
    }
    for (byte[] k : KNOWN_METHODS) { // an empty target only after a method of the standard
      if (k.length == m - from && startsWith(b, from, k)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] b, int p, byte[] m) {
    for (int i = 0; i < m.length; i++) {
      if (b[p + i] != m[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where the bytes that no paired message owns begin, seen from here: the start of a message whose
   * head is not complete, the next byte between messages, the end of a body of known length; -1
   * inside a message whose extent is unknown (chunked, trailers) or out of step.
   */
  long unpairedFrom() {
    switch (state) {
      case START_LINE:
      case HEADERS:
        return inMessage ? firstOffset : consumed;
      case BODY_FIXED:
        return consumed + remaining;
      default:
        return -1;
    }
  }

  /** True when a gap of {@code len} bytes here costs no message boundary (inside a known body). */
  boolean absorbs(long len) {
    switch (state) {
      case BODY_FIXED:
      case CHUNK_DATA:
        return len <= remaining;
      case BODY_TO_CLOSE:
      case TUNNEL:
      case NOT_HTTP:
        return true;
      default:
        return false;
    }
  }

  /** Index of the SP before the version when line[o..] is a request line, else -1. */
  private int requestLineEnd(int o) {
    return requestLineEnd(line, o, lineLen);
  }

  /**
   * Index of the SP before the version when {@code b[o, end)} is a request line (method SP target
   * SP version), else -1. Liberal where Zeek and Wireshark are and the line is still unambiguous:
   * the target may be empty ("GET HTTP/1.1", "OPTIONS HTTP/1.1": the SP before the version is then
   * the one after the method), and the version may lack its minor digit ("HTTP/1.") or carry more
   * ("HTTP/1.0.8", a weather station's firmware).
   */
  static int requestLineEnd(byte[] b, int o, int end) {
    int m = o;
    while (m < end && m - o <= MAX_METHOD && isTchar(b[m])) {
      m++;
    }
    if (m == o || m - o > MAX_METHOD || m >= end || b[m] != ' ') {
      return -1;
    }
    int sp = end - 1;
    while (sp > m && b[sp] != ' ') {
      sp--;
    }
    return versionLength(b, sp + 1, end) > 0 ? sp : -1;
  }

  /**
   * Length of the HTTP-version token {@code b[v, end)} when valid: "HTTP/d.d" (8), "HTTP/d." (7) or
   * "HTTP/d.d" followed by digits and dots; 0 otherwise.
   */
  private static int versionLength(byte[] b, int v, int end) {
    int n = end - v;
    if (n < 7
        || (b[v] | 0x20) != 'h'
        || (b[v + 1] | 0x20) != 't'
        || (b[v + 2] | 0x20) != 't'
        || (b[v + 3] | 0x20) != 'p'
        || b[v + 4] != '/'
        || !isDigit(b[v + 5])
        || b[v + 6] != '.') {
      return 0;
    }
    if (n == 7) {
      return 7;
    }
    if (!isDigit(b[v + 7])) {
      return 0;
    }
    for (int i = v + 8; i < end; i++) {
      if (!isDigit(b[i]) && b[i] != '.') {
        return 0;
      }
    }
    return n;
  }

  /**
   * A request line in {@code b[from, end)} (without its line end) that starts a message: HTTP/1.x
   * ({@link #requestLineEnd(byte[], int, int)}) or an HTTP/0.9 Simple-Request.
   */
  static boolean isRequestLine(byte[] b, int from, int end) {
    return requestLineEnd(b, from, end) >= 0 || isSimpleRequest(b, from, end);
  }

  /** HTTP-version SP status-code [SP reason-phrase] at line[o..] (reason may be missing). */
  private boolean statusLineValid(int o) {
    return isStatusLine(line, o, lineLen);
  }

  /** {@code b[o, end)} is a status line: HTTP-version SP 3DIGIT, then SP or the end. */
  static boolean isStatusLine(byte[] b, int o, int end) {
    return end - o >= 12
        && isVersion(b, o)
        && b[o + 8] == ' '
        && isDigit(b[o + 9])
        && isDigit(b[o + 10])
        && isDigit(b[o + 11])
        && (end - o == 12 || b[o + 12] == ' ');
  }

  /**
   * An HTTP/0.9 Simple-Request line in {@code b[from, end)} (RFC 1945 §4.1: method SP Request-URI,
   * no version; Zeek, libhtp and Wireshark accept other methods than GET there). To tell it from
   * junk, the method must be 3 or more upper-case letters, '_' or '-' (CCM_POST, M-SEARCH) and the
   * target an origin-form or http(s) absolute URI without spaces.
   */
  static boolean isSimpleRequest(byte[] b, int from, int end) {
    int m = from;
    while (m < end
        && m - from <= MAX_METHOD
        && ((b[m] >= 'A' && b[m] <= 'Z') || b[m] == '_' || b[m] == '-')) {
      m++;
    }
    if (m - from < 3 || m - from > MAX_METHOD || m + 1 >= end || b[m] != ' ') {
      return false;
    }
    int u = m + 1;
    if (b[u] != '/' && !isHttpUri(b, u, end)) {
      return false;
    }
    for (int i = u; i < end; i++) {
      if (b[i] <= ' ' || b[i] == 0x7F) {
        return false;
      }
    }
    return true;
  }

  /** "http://" or "https://" (any case) at {@code b[u, end)}. */
  private static boolean isHttpUri(byte[] b, int u, int end) {
    if (end - u < 8
        || (b[u] | 0x20) != 'h'
        || (b[u + 1] | 0x20) != 't'
        || (b[u + 2] | 0x20) != 't'
        || (b[u + 3] | 0x20) != 'p') {
      return false;
    }
    int c = (b[u + 4] | 0x20) == 's' ? u + 5 : u + 4;
    return c + 3 <= end && b[c] == ':' && b[c + 1] == '/' && b[c + 2] == '/';
  }

  /** True when the first line in {@code b[from, len)} (after empty lines) is a Simple-Request. */
  static boolean startsWithSimpleRequest(byte[] b, int from, int len) {
    int i = from;
    while (i < len && (b[i] == '\r' || b[i] == '\n')) {
      i++;
    }
    int lf = i;
    while (lf < len && b[lf] != '\n') {
      lf++;
    }
    if (lf == len) {
      return false;
    }
    return isSimpleRequest(b, i, lf > i && b[lf - 1] == '\r' ? lf - 1 : lf);
  }

  /** Validates the start line first, then makes its strings. */
  private boolean parseStartLine() {
    simpleRequest = false;
    if (request) {
      int sp = requestLineEnd(0);
      if (sp < 0) {
        if (!isSimpleRequest(line, 0, lineLen)) {
          return false;
        }
        int m = 0;
        while (line[m] != ' ') {
          m++;
        }
        method = Headers.latin1(line, 0, m);
        uri = Headers.latin1(line, m + 1, lineLen - m - 1);
        version = HTTP_09;
        maybeTunnel = false;
        simpleRequest = true;
        return true;
      }
      int m = 0;
      while (line[m] != ' ') {
        m++;
      }
      int ub = m + 1;
      int ue = sp;
      while (ub < ue && line[ub] == ' ') {
        ub++;
      }
      while (ue > ub && line[ue - 1] == ' ') {
        ue--;
      }
      method = strings.get(line, 0, m);
      uri = ue > ub ? strings.get(line, ub, ue - ub) : ""; // an empty target, as Zeek logs it
      version =
          lineLen - sp - 1 == 8
              ? versionString(line, sp + 1)
              : "HTTP" + Headers.latin1(line, sp + 5, lineLen - sp - 5); // as sent, "HTTP" upper
      maybeTunnel = method.equals("CONNECT");
      return true;
    }
    if (!statusLineValid(0)) {
      return false;
    }
    version = versionString(line, 0);
    status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    reason = lineLen > 13 ? strings.get(line, 13, lineLen - 13) : "";
    return true;
  }

  // ---- headers and trailers ---------------------------------------------------------------

  private int headerLine(ByteBuffer buf, int pos, int end) {
    int room = (int) Math.max(0, opts.maxHeaderBytes() - fieldBytes - 1);
    pos = readLine(buf, pos, end, room);
    if (lineTooLong) {
      anomaly(HttpAnomalies.HEADERS_TOO_LARGE, 1);
      abort();
      return pos;
    }
    if (!lineDone) {
      return pos;
    }
    lineFlags();
    fieldBytes += lineRaw;
    if (state == State.HEADERS) {
      headBytes += lineRaw;
    }
    if (lineLen == 0) {
      resetLine();
      if (state == State.HEADERS) {
        headDone();
      } else {
        complete(); // end of trailers
      }
      return pos;
    }
    boolean ok = field(state == State.HEADERS);
    resetLine();
    if (!ok) {
      anomaly(HttpAnomalies.TOO_MANY_HEADERS, 1);
      abort();
    }
    return pos;
  }

  /** One field line; false when there are too many fields. Trailers are counted, not kept. */
  private boolean field(boolean keep) {
    if (line[0] == ' ' || line[0] == '\t') {
      // RFC 7230 3.2.4: obs-fold; a recipient may replace it with SP before interpreting
      if (headers.count() == 0 && keep) {
        // RFC 7230 3: whitespace between start line and first field: ignore the line
        anomaly(HttpAnomalies.BAD_HEADER_LINE, 1);
        return true;
      }
      anomaly(HttpAnomalies.OBS_FOLD, 1);
      if (keep && lastFieldKept) {
        int s = skipWs(1);
        int e = trimEnd(s);
        if (e > s) {
          headers.appendToLast(Headers.latin1(line, s, e - s));
        }
      }
      return true;
    }
    int colon = 0;
    while (colon < lineLen && isTchar(line[colon])) {
      colon++;
    }
    if (colon == 0 || colon == lineLen || line[colon] != ':') {
      // no colon, or whitespace/invalid byte in the name (RFC 7230 3.2.4: reject; we ignore)
      anomaly(HttpAnomalies.BAD_HEADER_LINE, 1);
      lastFieldKept = false;
      return true;
    }
    if (!keep) {
      return true;
    }
    headers.countField();
    if (headers.count() > opts.maxHeaders()) {
      return false;
    }
    int place = Headers.keptPlace(line, 0, colon);
    lastFieldKept = place >= 0;
    if (place >= 0) {
      int s = skipWs(colon + 1);
      int e = trimEnd(s);
      headers.addKept(place, strings.get(line, s, e - s));
    }
    return true;
  }

  private int skipWs(int i) {
    while (i < lineLen && (line[i] == ' ' || line[i] == '\t')) {
      i++;
    }
    return i;
  }

  private int trimEnd(int start) {
    int e = lineLen;
    while (e > start && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
      e--;
    }
    return e;
  }

  // ---- body framing (RFC 7230 3.3.3) ------------------------------------------------------

  private void headDone() {
    String reqMethod = listener.headComplete(this);
    if (request) {
      if (headers.get("upgrade") != null) {
        maybeTunnel = true;
      }
    } else {
      // 3.3.3 item 1: HEAD, 1xx, 204 and 304 responses end at the head
      if (status == 101) {
        finishHead(Framing.TUNNEL);
        return;
      }
      if ((status >= 100 && status < 200)
          || status == 204
          || status == 304
          || "HEAD".equals(reqMethod)) {
        finishHead(Framing.NONE);
        return;
      }
      // 3.3.3 item 2: a 2xx to CONNECT switches to tunnel mode
      if ("CONNECT".equals(reqMethod) && status >= 200 && status < 300) {
        finishHead(Framing.TUNNEL);
        state = State.TUNNEL_PROBE;
        return;
      }
    }
    // indexed scans of the kept fields: no list per message
    String lastTe = null; // the last Transfer-Encoding value
    boolean hasCl = false;
    for (int i = 0; i < headers.size(); i++) {
      if (headers.nameIs(i, "transfer-encoding")) {
        lastTe = headers.value(i);
      } else if (headers.nameIs(i, "content-length")) {
        hasCl = true;
      }
    }
    if (lastTe != null) {
      if (hasCl) {
        // 3.3.3 item 3: TE overrides CL; both present is a smuggling sign
        anomaly(HttpAnomalies.TE_CL_CONFLICT, 1);
      }
      if (lastCodingChunked(lastTe)) {
        framing = Framing.CHUNKED;
        state = State.CHUNK_SIZE;
        return;
      }
      if (request) {
        // 3.3.3 item 3: request length cannot be determined reliably
        anomaly(HttpAnomalies.BAD_TRANSFER_ENCODING, 1);
        abort();
        return;
      }
      startCloseDelimited();
      return;
    }
    if (hasCl) {
      long cl = contentLength();
      if (cl < 0) {
        abort(); // 3.3.3 item 4: invalid Content-Length is unrecoverable
        return;
      }
      framing = Framing.LENGTH;
      remaining = cl;
      if (cl == 0) {
        complete();
      } else {
        state = State.BODY_FIXED;
      }
      return;
    }
    if (request) {
      finishHead(Framing.NONE); // 3.3.3 item 6
    } else {
      startCloseDelimited(); // 3.3.3 item 7
    }
  }

  private void finishHead(Framing f) {
    framing = f;
    complete();
  }

  private void startCloseDelimited() {
    framing = Framing.CLOSE;
    state = State.BODY_TO_CLOSE;
  }

  private static boolean lastCodingChunked(String last) {
    int comma = last.lastIndexOf(',');
    String coding = (comma < 0 ? last : last.substring(comma + 1)).trim();
    return coding.equalsIgnoreCase("chunked");
  }

  /** The Content-Length, or -1 after counting a bad or conflicting value. */
  private long contentLength() {
    long cl = -1;
    for (int h = 0; h < headers.size(); h++) {
      if (!headers.nameIs(h, "content-length")) {
        continue;
      }
      String v = headers.value(h);
      int i = 0;
      while (i <= v.length()) {
        int comma = v.indexOf(',', i);
        int e = comma < 0 ? v.length() : comma;
        long n = parseDecimal(v, i, e);
        if (n < 0) {
          anomaly(HttpAnomalies.BAD_CONTENT_LENGTH, 1);
          return -1;
        }
        if (cl >= 0 && n != cl) {
          // 3.3.2/3.3.3 item 4: identical duplicates may be accepted, differing ones not
          anomaly(HttpAnomalies.CONFLICTING_CONTENT_LENGTH, 1);
          return -1;
        }
        cl = n;
        i = e + 1;
      }
    }
    return cl;
  }

  private static long parseDecimal(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    if (to == from || to - from > 18) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private int chunkLine(ByteBuffer buf, int pos, int end) {
    pos = readLine(buf, pos, end, opts.maxChunkLineBytes());
    if (lineTooLong) {
      anomaly(HttpAnomalies.BAD_CHUNK_SIZE, 1);
      abort();
      return pos;
    }
    if (!lineDone) {
      return pos;
    }
    lineFlags();
    if (state == State.CHUNK_CRLF) {
      boolean empty = lineLen == 0;
      resetLine();
      if (!empty) {
        anomaly(HttpAnomalies.BAD_CHUNK_DELIMITER, 1);
        abort();
      } else {
        state = State.CHUNK_SIZE;
      }
      return pos;
    }
    long size = chunkSize();
    resetLine();
    if (size < 0) {
      anomaly(HttpAnomalies.BAD_CHUNK_SIZE, 1);
      abort();
    } else if (size == 0) {
      state = State.TRAILERS; // last-chunk, then trailer-part (RFC 7230 4.1.2)
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
    return pos;
  }

  /** chunk-size [ chunk-ext ] (RFC 7230 4.1); -1 when not hex, too many digits or too large. */
  private long chunkSize() {
    int i = skipWs(0);
    int start = i;
    long n = 0;
    while (i < lineLen) {
      int d = hexValue(line[i]);
      if (d < 0) {
        break;
      }
      if (i - start >= MAX_CHUNK_DIGITS) {
        return -1;
      }
      n = (n << 4) | d;
      i++;
    }
    if (i == start || n > MAX_CHUNK_SIZE) {
      return -1;
    }
    i = skipWs(i);
    if (i < lineLen && line[i] != ';') {
      return -1;
    }
    return n;
  }

  private void bodyDone() {
    if (state == State.BODY_FIXED) {
      complete();
    } else {
      state = State.CHUNK_CRLF;
    }
  }

  // ---- message life cycle -----------------------------------------------------------------

  private void beginMessage(long frame, long us, long offset) {
    inMessage = true;
    firstOffset = offset;
    endOffset = -1;
    firstFrame = frame;
    firstUs = us;
    lastFrame = frame;
    lastUs = us;
    method = null;
    uri = null;
    version = null;
    status = 0;
    reason = null;
    headers = new Headers();
    headBytes = 0;
    fieldBytes = 0;
    bodyBytes = 0;
    bodyGapBytes = 0;
    framing = Framing.NONE;
    gapAffected = false;
    anomalies = null;
    bareLfCounted = false;
    nulCounted = false;
    lastFieldKept = false;
    remaining = 0;
  }

  private void complete() {
    lastFrame = frame;
    lastUs = us;
    inMessage = false;
    endOffset = cursor;
    state = framing == Framing.TUNNEL ? State.TUNNEL : State.START_LINE;
    listener.messageEnd(this, true);
  }

  private void endMessage(boolean complete) {
    inMessage = false;
    endOffset = cursor;
    listener.messageEnd(this, complete);
  }

  /** Abandons the current message after a framing error and waits for the next start line. */
  private void abort() {
    if (inMessage) {
      endMessage(false);
    }
    toDesync(false);
  }

  private void toDesync(boolean gap) {
    state = State.DESYNC;
    resetLine();
    anomaly(HttpAnomalies.DESYNC, 1);
    listener.desync(this, gap);
  }

  private void anomaly(String code, long n) {
    listener.anomaly(this, code, n);
    if (inMessage) {
      if (anomalies == null) {
        anomalies = new ArrayList<>(2);
      }
      if (!anomalies.contains(code)) {
        anomalies.add(code);
      }
    }
  }

  // ---- lines ------------------------------------------------------------------------------

  /**
   * Appends bytes up to and including the next LF to line[]; sets {@link #lineDone} when the LF was
   * consumed, {@link #lineTooLong} when the content would exceed {@code limit} (plus a CR).
   */
  private int readLine(ByteBuffer buf, int pos, int end, int limit) {
    lineDone = false;
    lineTooLong = false;
    if (lineRaw == 0) {
      lineFrame = frame;
      lineUs = us;
    }
    // the bytes up to the next LF are copied in one go; the byte-by-byte rules hold: an LF ends
    // the line whatever its length, any other byte past the limit leaves the line too long
    int room = Math.max(0, limit + 1 - lineLen);
    // no need to look further than one byte past the room
    int nl = scanLine(buf, pos, (int) Math.min(end, (long) pos + room + 1));
    int take = Math.min(nl - pos, room);
    if (take > 0) {
      if (lineLen + take > line.length) {
        int n = line.length;
        while (n < lineLen + take) {
          n = Math.min(n * 2, lineCap);
        }
        line = java.util.Arrays.copyOf(line, n);
      }
      if (buf.hasArray()) { // not buf.get's checks and calls: this runs for every line
        System.arraycopy(buf.array(), buf.arrayOffset() + pos, line, lineLen, take);
      } else {
        buf.get(pos, line, lineLen, take);
      }
      if (nulAt >= 0 && nulAt < pos + take) {
        lineNul = true; // a NUL among the bytes taken (scanLine found it)
      }
      lineLen += take;
      lineRaw += take;
      pos += take;
    }
    cursor = base + pos;
    if (pos == end) {
      return pos;
    }
    if (pos < nl || buf.get(pos) != '\n') {
      lineTooLong = true; // the byte at pos is left unconsumed
      return pos;
    }
    cursor++;
    lineRaw++;
    if (lineLen > 0 && line[lineLen - 1] == '\r') {
      lineLen--;
    } else {
      lineBareLf = true;
    }
    lineDone = true;
    return pos + 1;
  }

  /** Index of the first NUL before the LF {@link #scanLine} found, -1 when none. */
  private int nulAt;

  /**
   * Index of the first LF in {@code buf[pos, end)}, {@code end} when none; notes the first NUL
   * before it in {@link #nulAt} (one pass over the line's bytes for both).
   */
  private int scanLine(ByteBuffer buf, int pos, int end) {
    nulAt = -1;
    if (buf.hasArray()) {
      byte[] a = buf.array();
      int base = buf.arrayOffset();
      for (int i = pos; i < end; i++) {
        byte c = a[base + i];
        if (c == '\n') {
          return i;
        }
        if (c == 0 && nulAt < 0) {
          nulAt = i;
        }
      }
      return end;
    }
    for (int i = pos; i < end; i++) {
      byte c = buf.get(i);
      if (c == '\n') {
        return i;
      }
      if (c == 0 && nulAt < 0) {
        nulAt = i;
      }
    }
    return end;
  }

  /** Counts bare LF and NUL once per message for the completed line. */
  private void lineFlags() {
    if (lineBareLf && !bareLfCounted && inMessage) {
      bareLfCounted = true;
      anomaly(HttpAnomalies.BARE_LF, 1);
    }
    if (lineNul
        && !nulCounted
        && inMessage
        && (state == State.START_LINE
            || state == State.HEADERS
            || state == State.TRAILERS
            || state == State.DESYNC)) {
      nulCounted = true;
      anomaly(HttpAnomalies.NUL_IN_HEADER, 1);
    }
  }

  private void resetLine() {
    lineLen = 0;
    lineRaw = 0;
    lineBareLf = false;
    lineNul = false;
  }

  // ---- byte classes -----------------------------------------------------------------------

  private static boolean isCrLf(byte b) {
    return b == '\r' || b == '\n';
  }

  static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  /**
   * "HTTP/" DIGIT "." DIGIT at {@code b[i..i+8)} (RFC 7230 2.6). HTTP-name is case-sensitive, but
   * servers that send {@code http/1.1} exist and every peer (Zeek, Netty, tshark) accepts it, so
   * the letters are matched in either case.
   */
  static boolean isVersion(byte[] b, int i) {
    return (b[i] | 0x20) == 'h'
        && (b[i + 1] | 0x20) == 't'
        && (b[i + 2] | 0x20) == 't'
        && (b[i + 3] | 0x20) == 'p'
        && b[i + 4] == '/'
        && isDigit(b[i + 5])
        && b[i + 6] == '.'
        && isDigit(b[i + 7]);
  }

  /** The version at {@code b[i..i+8)}, known valid, with "HTTP" in upper case. */
  static String versionString(byte[] b, int i) {
    if (b[i + 5] == '1' && (b[i + 7] == '1' || b[i + 7] == '0')) {
      return b[i + 7] == '1' ? "HTTP/1.1" : "HTTP/1.0"; // nearly every message: no new string
    }
    return "HTTP/" + (char) b[i + 5] + '.' + (char) b[i + 7];
  }

  private static int hexValue(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  /** RFC 7230 3.2.6 tchar, by byte value (bytes from 128 on are none). */
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      TCHAR[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }

  /** RFC 7230 3.2.6 tchar: one table lookup (this runs for every byte of every field name). */
  static boolean isTchar(byte b) {
    return b >= 0 && TCHAR[b];
  }
}
