package io.connscope.tls;

import io.connscope.common.Direction;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.StreamControl;
import io.connscope.tcp.StreamListener;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The TLS state of one connection recognised as TLS ({@link TlsTracker} makes it at the first data
 * byte that is a TLS record): the record parsers of both directions, the handshake's facts and
 * timing, the decryption. See {@link TlsTracker} for the contract.
 */
final class TlsSession implements StreamListener {
  private static final int UNDECIDED = 0;
  private static final int PASS = 1;
  private static final int TLS = 2;
  private static final int MAX_RECORD = (1 << 14) + 2048;
  private static final byte[] NO_BYTES = new byte[0];

  /** Handshake messages longer than this are measured and skipped, not kept. */
  private static final int MAX_KEPT_MESSAGE = 1 << 16;

  /** Alerts and notes kept per connection (hostile traffic can send any number). */
  private static final int MAX_KEPT = 16;

  private static final byte[] HRR_RANDOM =
      TlsKeys.unhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

  private final StreamControl conn;
  private final TlsKeys keys;
  private final StreamListener down;
  private int mode = UNDECIDED;

  // handshake facts
  private final Side[] sides = {new Side(), new Side()};
  private final byte[] clientRandom = new byte[32];
  private final byte[] serverRandom = new byte[32];
  private byte[] clientSessionId;
  private boolean clientHelloSeen;
  private boolean serverHelloSeen;
  private int clientHellos;
  private int version = -1;
  private int legacyServerVersion = -1;
  private int suite = -1;
  private List<String> versionsOffered = List.of();
  private String sni;
  private List<String> alpnOffered = List.of();
  private String alpnChosen;
  private String resumption;
  private boolean sessionIdOffered;
  private boolean ticketOffered;
  private boolean earlyDataOffered;
  private Boolean earlyDataAccepted;
  private boolean earlyDataNoted;
  private boolean hrr;

  /** The ServerHello agreed to encrypt-then-MAC (RFC 7366: CBC suites only). */
  private boolean encryptThenMac;

  private boolean certificateRequested;
  private long certificateBytes = -1;
  private long encryptedFlightBytes = -1;
  private final List<TlsFacts.Alert> alerts = new ArrayList<>(2);
  private final List<String> notes = new ArrayList<>(2);
  private long droppedNotes;
  private long droppedAlerts;
  private boolean midstream;

  /** The client's first record header (for {@link #fallBack}). */
  private byte[] firstClientHeader;

  private boolean handshakeDone;
  private String failure;
  private long failureFrame = -1;
  private long failureUs = -1;

  // timing
  private long chFrame = -1, chUs = -1, shFrame = -1, shUs = -1;
  private long flightEndFrame = -1, flightEndUs = -1;
  private long finFrame = -1, finUs = -1;
  private boolean finInferred;
  private long appFrame = -1, appUs = -1;
  private boolean serverFlightClosed;

  // decryption
  private String decryption;
  private TlsKeys.Secrets secrets;
  private RecordCipher.Suite cipherSuite;

  /** Plaintext is (or will be) given to the HTTP layer instead of the raw bytes. */
  private boolean decrypting;

  /** The HTTP layer was given raw bytes: no decryption from then on. */
  private boolean rawGiven;

  /** Raw events held while the keys for this connection are looked up (keys given only). */
  private Hold hold;

  /**
   * A followed key log (live capture) had no complete key for this session at the ServerHello: the
   * raw events stay held while the key log is read again, until the key arrives ({@link
   * #keyArrived}: the tracker replays them into a new session) or {@link #MAX_KEY_WAIT_MICROS} of
   * capture time or {@link Hold#MAX} bytes pass.
   */
  private boolean awaitingKey;

  private long awaitSinceUs = -1;
  private long awaitGeneration;
  private boolean keyArrived;

  /** How long (capture time) a connection waits for its key in a followed key log. */
  static final long MAX_KEY_WAIT_MICROS = 10_000_000L;

  /** The direction whose onData is being handled (for {@link Control#dataAck()}). */
  private int delivering = -1;

  TlsSession(StreamControl conn, TlsKeys keys, StreamListener down) {
    this.conn = conn;
    this.keys = keys;
    this.down = down;
    this.decryption = keys.given() ? "no_key" : "off";
  }

  // ---- StreamListener --------------------------------------------------------------------

  @Override
  public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long tsMicros) {
    if (mode == PASS) {
      down.onData(dir, buf, off, len, frame, tsMicros);
      return;
    }
    if (len <= 0) {
      return;
    }
    if (mode == UNDECIDED && !recognise(dir, buf, off)) { // never: TlsTracker checked the signature
      mode = PASS;
      down.onData(dir, buf, off, len, frame, tsMicros);
      return;
    }
    if (!clientHelloSeen
        && dir == Direction.SERVER
        && conn.rolesInferred()
        && sides[0].offset == 0
        && sides[1].offset == 0
        && looksLikeClientHello(buf, off, len)) {
      conn.swapRoles(); // the ClientHello names the client
      dir = Direction.CLIENT;
    }
    delivering = dir;
    records(dir, buf, off, len, frame, tsMicros);
    delivering = -1;
    if (hold != null && hold.len + len > Hold.MAX) {
      if (!awaitingKey) {
        note("no ServerHello in the first " + Hold.MAX + " bytes: not decrypted");
      }
      release(false);
    }
    if (hold != null) {
      hold.data(dir, buf, off, len, frame, tsMicros);
      if (awaitingKey) {
        awaitKey(tsMicros, false);
      }
    } else if (!decrypting) {
      down.onData(dir, buf, off, len, frame, tsMicros);
    }
  }

  /**
   * Looks for this session's key in the followed key log (read again when it changed); gives up
   * when it waited too long. {@code now}: read the key log whatever the time since the last look
   * (the connection is ending).
   */
  private void awaitKey(long tsMicros, boolean now) {
    if (awaitSinceUs < 0) {
      awaitSinceUs = tsMicros;
    }
    keys.refresh(now);
    if (keys.generation() != awaitGeneration) {
      awaitGeneration = keys.generation();
      if (complete(keys.find(clientRandom, 0), version == 0x0304)) {
        awaitingKey = false;
        keyArrived = true;
        return;
      }
    }
    if (tsMicros - awaitSinceUs > MAX_KEY_WAIT_MICROS) {
      release(false);
    }
  }

  /** True when {@code s} holds every secret the session's version needs. */
  private static boolean complete(TlsKeys.Secrets s, boolean tls13) {
    if (s == null) {
      return false;
    }
    return tls13
        ? s.clientHandshake != null
            && s.serverHandshake != null
            && s.clientTraffic0 != null
            && s.serverTraffic0 != null
        : s.master != null;
  }

  /** True while the session waits for its key in a followed key log. */
  boolean awaitingKey() {
    return awaitingKey;
  }

  /**
   * The connection is ending (or a gap came) while the session waits for its key: one last look at
   * the key log. True when the key is there ({@link #keyArrived}).
   */
  boolean lastLookForKey(long tsMicros) {
    if (awaitingKey) {
      awaitKey(tsMicros, true);
    }
    return keyArrived;
  }

  /**
   * True when the key this session waited for arrived: the tracker replays {@link #heldEvents} into
   * a new session, which decrypts from the start.
   */
  boolean keyArrived() {
    return keyArrived;
  }

  /** Replays every raw event held so far into {@code to}. */
  void replayHeld(StreamListener to) {
    ByteBuffer b = ByteBuffer.wrap(hold.data);
    for (long[] e : hold.events) {
      to.onData((int) e[0], b, (int) e[1], (int) e[2], e[3], e[4]);
    }
  }

  @Override
  public void onGap(int dir, long len, long frame, long tsMicros) {
    if (mode != TLS) {
      down.onGap(dir, len, frame, tsMicros);
      return;
    }
    Side s = sides[dir];
    if (!s.stopped
        && hold == null
        && !s.resync
        && !s.candidate
        && s.hdrLen == 5
        && len <= s.recLen - s.recGot
        && !(s.type == 22 && !s.ccs)) {
      // inside a record whose header was read: only that record is lost, the next one starts
      // where its length says
      if (s.lostRecords++ == 0) {
        note(
            side(dir)
                + ": "
                + len
                + " bytes missing at offset "
                + s.offset
                + " (frame "
                + frame
                + ") inside a record: the record is lost, reading goes on after it");
      }
      s.recLost = true;
      s.recGot += (int) len;
      s.offset += len;
      if (!decrypting) {
        down.onGap(dir, len, frame, tsMicros);
      }
      if (s.recGot == s.recLen) {
        s.hdrLen = 0;
        lostRecord(dir, s, s.offset, frame, tsMicros);
      }
      return;
    }
    boolean after =
        decrypting
            ? s.cipher != null && !s.failed && (s.cipher.tls13() ? s.trafficSecret != null : s.ccs)
            : handshakeDone && (version == 0x0304 || s.ccs);
    if (!s.stopped && hold == null && after && s.version2 != 0 && s.resyncs < MAX_RESYNCS) {
      // a header was lost: look for the next one after the gap
      long lost = len + (s.resync ? 0 : s.hdrLen == 5 ? 5 + s.recGot : s.hdrLen);
      if (s.resyncs++ == 0) {
        note(
            side(dir)
                + ": "
                + len
                + " bytes missing at offset "
                + s.offset
                + " (frame "
                + frame
                + ") across a record header: reading resumes at the next record header found");
      }
      s.resync = true;
      s.candidate = false;
      s.recLost = false;
      s.hdrLen = 0;
      s.lostBytes = lost;
      s.offset += len;
      if (decrypting) {
        decryption = "partial";
        s.plain += lost; // the HTTP layer counts the gap: an upper bound of the plaintext lost
        down.onGap(dir, lost, frame, tsMicros);
      } else {
        down.onGap(dir, len, frame, tsMicros);
      }
      return;
    }
    if (!s.stopped) {
      stop(dir, len + " bytes missing at offset " + s.offset + " (frame " + frame + ")");
    }
    s.offset += len;
    if (hold != null) {
      release(false);
    }
    down.onGap(dir, len, frame, tsMicros);
  }

  /** Gaps across a header after which reading resumes, per direction. */
  private static final int MAX_RESYNCS = 64;

  /**
   * A candidate record after a lost header (decrypting): tries the sequence numbers the lost
   * records can have used (TLS 1.2 GCM: the explicit nonce first, which OpenSSL sets to the
   * sequence number). Returns the plaintext length with the record decrypted in place, or -1.
   */
  private int resynced(int dir, Side s, long frame) {
    s.cipher.gap(); // TLS 1.0 CBC: the IV chain went with the lost records
    byte[] copy = Arrays.copyOf(s.rec, s.recLen);
    long base = s.cipher.seq;
    long most = Math.min(1024, s.lostBytes / 22 + 2); // a record is at least 22 bytes
    if (!s.cipher.tls13() && !cipherSuite.chacha() && !cipherSuite.cbc() && s.recLen >= 8) {
      long explicit = 0;
      for (int i = 0; i < 8; i++) {
        explicit = explicit << 8 | (copy[i] & 0xFF);
      }
      if (explicit >= base && explicit - base <= most) {
        s.cipher.seq = explicit;
        int n = s.cipher.decrypt(s.hdr, s.rec, s.recLen);
        if (n >= 0) {
          return n;
        }
        System.arraycopy(copy, 0, s.rec, 0, copy.length);
      }
    }
    for (long k = 0; k <= most; k++) {
      s.cipher.seq = base + k;
      int n = s.cipher.decrypt(s.hdr, s.rec, s.recLen);
      if (n >= 0) {
        return n;
      }
      System.arraycopy(copy, 0, s.rec, 0, copy.length);
    }
    s.cipher.seq = base;
    return -1;
  }

  /**
   * A record of {@code s} completed with bytes missing: it cannot be read (or authenticated), but
   * it is counted, its sequence number used, and with decryption the HTTP layer is told of the
   * plaintext it held (its length less the cipher's overhead; TLS 1.3 padding, rare, is counted as
   * plaintext).
   */
  private void lostRecord(int dir, Side s, long endOffset, long frame, long ts) {
    s.recLost = false;
    if (decrypting && !"failed".equals(decryption)) {
      decryption = "partial";
    }
    boolean encrypted = (s.type == 23 && version == 0x0304) || (s.ccs && version != 0x0304);
    if (s.type == 23) {
      appData(dir, s, s.recLen, frame, ts);
    }
    if (decrypting && encrypted && s.cipher != null && !s.failed) {
      s.cipher.lost();
      if (s.cipher.chained() && s.type == 23) {
        note(
            "TLS 1.0 CBC: a record of the "
                + (dir == Direction.CLIENT ? "client" : "server")
                + " was lost (frame "
                + frame
                + ") and held the next record's IV: its later records are not decrypted");
      }
      int overhead =
          s.cipher.tls13()
              ? RecordCipher.TAG + 1
              : cipherSuite.cbc()
                  ? (s.cipher.chained() ? 0 : 16) // IV (TLS 1.1+)
                      + cipherSuite.macLen()
                      + 1 // MAC, padding length (padding unknown)
                  : RecordCipher.TAG + (cipherSuite.chacha() ? 0 : 8);
      long plain = Math.max(0, s.recLen - overhead);
      if (plain > 0 && (s.type == 23 || s.cipher.tls13())) {
        s.plain += plain;
        ackEntry(s, endOffset, s.plain);
        down.onGap(dir, plain, frame, ts);
      }
    }
  }

  @Override
  public void onFin(int dir, long frame, long tsMicros) {
    if (mode == TLS) {
      sides[dir].ended = true;
      if (!handshakeDone && failure == null && clientHelloSeen) {
        fail(
            "closed by the "
                + side(dir)
                + " (FIN, frame "
                + frame
                + ") before the handshake completed",
            frame,
            tsMicros);
      }
      if (hold != null) {
        release(false);
      }
    }
    down.onFin(dir, frame, tsMicros);
  }

  @Override
  public void onRst(int dir, long frame, long tsMicros) {
    if (mode == TLS) {
      if (!handshakeDone && failure == null && clientHelloSeen) {
        fail(
            "reset by the " + side(dir) + " (frame " + frame + ") before the handshake completed",
            frame,
            tsMicros);
      }
      if (hold != null) {
        release(false);
      }
    }
    down.onRst(dir, frame, tsMicros);
  }

  @Override
  public void onClose(long tsMicros) {
    if (hold != null) {
      release(false);
    }
    down.onClose(tsMicros);
  }

  // ---- recognition -----------------------------------------------------------------------

  /**
   * True when a direction's first bytes at {@code buf[off]} ({@code len} of them) begin a TLS
   * record: a handshake record, or any of types 20-23 with major version 3 (the signature the HTTP
   * layer knows too).
   */
  static boolean signature(ByteBuffer buf, int off, int len) {
    int b0 = buf.get(off) & 0xFF;
    int b1 = len > 1 ? buf.get(off + 1) & 0xFF : 3;
    return b0 == 0x16 || (b0 >= 0x14 && b0 <= 0x17 && b1 == 3);
  }

  private boolean recognise(int dir, ByteBuffer buf, int off) {
    int b0 = buf.get(off) & 0xFF;
    mode = TLS;
    midstream = !(b0 == 0x16 && conn.startSeen(dir));
    if (keys.given()) {
      hold = new Hold(); // until the ClientHello names the session (and its keys)
    }
    return true;
  }

  private static boolean looksLikeClientHello(ByteBuffer buf, int off, int len) {
    return len >= 6 && buf.get(off) == 0x16 && buf.get(off + 5) == 1;
  }

  // ---- record layer ----------------------------------------------------------------------

  /** One direction's record parser. */
  private static final class Side {
    long offset;
    final byte[] hdr = new byte[5];
    int hdrLen;
    int type;
    int recLen;
    int recGot;
    boolean keep;
    byte[] rec = NO_BYTES;
    long recStart;
    boolean stopped;
    boolean ended;

    /** TLS 1.2: a ChangeCipherSpec was sent, later records are encrypted. */
    boolean ccs;

    boolean finishedSent;
    boolean keyUpdate;

    /** Frame and time of the segment that completed the current record's header. */
    long recFrame;

    long recUs;

    /** Looking for a record header after a gap that swallowed one. */
    boolean resync;

    /** The current record starts at a header found by that search: not yet confirmed. */
    boolean candidate;

    int resyncs;
    int badCandidates;

    /** Raw bytes lost in the last gap across a header. */
    long lostBytes;

    /** Minor version byte of the record headers (3 for TLS 1.2 and 1.3), 0 before the first. */
    byte version2;

    /** The current record lost bytes in a gap. */
    boolean recLost;

    long lostRecords;
    // handshake message reassembly
    byte[] hs = NO_BYTES;
    int hsLen;
    int skipType = -1;
    long skipLeft;
    // counters
    long appRecords;
    long appBytes;
    // decryption
    RecordCipher cipher;
    byte[] trafficSecret;
    boolean decryptedOne;

    /** A record did not decrypt: the rest of the direction is read without keys. */
    boolean failed;

    // offsets map for acknowledgments: raw record end -> plaintext delivered by then
    long plain;
    long[] ackRaw = new long[8];
    long[] ackPlain = new long[8];
    int ackHead;
    int ackTail;
    long ackFloor;
  }

  private void records(int dir, ByteBuffer buf, int off, int len, long frame, long ts) {
    Side s = sides[dir];
    int p = off;
    int end = off + len;
    while (p < end && !s.stopped) {
      if (s.resync) {
        // after a gap that swallowed a header: slide over the bytes until a plausible
        // application data header (the version of the records before the gap, a length the
        // cipher allows); the record it starts is then checked (decrypted, or followed by
        // another plausible header)
        while (p < end) {
          if (s.hdrLen == 5) {
            System.arraycopy(s.hdr, 1, s.hdr, 0, 4);
            s.hdrLen = 4;
          }
          s.hdr[s.hdrLen++] = buf.get(p++);
          int n = (s.hdr[3] & 0xFF) << 8 | (s.hdr[4] & 0xFF);
          if (s.hdrLen == 5
              && s.hdr[0] == 23
              && s.hdr[1] == 3
              && s.hdr[2] == s.version2
              && n >= 17
              && n <= MAX_RECORD) {
            s.resync = false;
            s.candidate = true;
            break;
          }
        }
        if (s.resync) {
          break;
        }
        s.hdrLen = 4; // re-read the last header byte below, as the normal path does
        p--;
      }
      if (s.hdrLen < 5) {
        int n = Math.min(5 - s.hdrLen, end - p);
        for (int i = 0; i < n; i++) {
          s.hdr[s.hdrLen++] = buf.get(p++);
        }
        if (s.hdrLen < 5) {
          break;
        }
        s.type = s.hdr[0] & 0xFF;
        s.recLen = (s.hdr[3] & 0xFF) << 8 | (s.hdr[4] & 0xFF);
        s.recStart = s.offset + (p - off) - 5;
        if (s.type < 20 || s.type > 24 || s.hdr[1] != 3 || s.recLen > MAX_RECORD) {
          stop(dir, "no TLS record header at offset " + s.recStart + " (frame " + frame + ")");
          break;
        }
        s.recGot = 0;
        s.recFrame = frame;
        s.recUs = ts;
        if (!s.candidate) {
          s.version2 = s.hdr[2];
        }
        if (dir == Direction.CLIENT && firstClientHeader == null) {
          firstClientHeader = s.hdr.clone();
        }
        s.keep = decrypting || s.type == 21 || s.type == 20 || (s.type == 22 && !s.ccs);
        if (s.keep && s.rec.length < s.recLen) {
          s.rec = Arrays.copyOf(s.rec, Math.max(Math.max(s.recLen, 512), 2 * s.rec.length));
        }
      }
      int n = Math.min(s.recLen - s.recGot, end - p);
      if (s.keep) {
        buf.get(p, s.rec, s.recGot, n);
      }
      s.recGot += n;
      p += n;
      if (s.recGot == s.recLen) {
        s.hdrLen = 0;
        if (s.recLost) {
          lostRecord(dir, s, s.offset + (p - off), frame, ts);
        } else {
          record(dir, s, s.offset + (p - off), frame, ts);
        }
      }
    }
    s.offset += len;
  }

  /** A whole record of {@code s} ended at raw offset {@code endOffset}, in {@code frame}. */
  private void record(int dir, Side s, long endOffset, long frame, long ts) {
    if (s.candidate && !(decrypting && s.cipher != null && !s.failed)) {
      s.candidate = false; // without keys: the next header confirms it (or stops the direction)
    }
    int type = s.type;
    int len = s.recLen;
    boolean encrypted13 = type == 23 && version == 0x0304 && !midstream;
    boolean encrypted12 = s.ccs && version != 0x0304;
    if (dir == Direction.CLIENT && serverHelloSeen && !serverFlightClosed && type != 20) {
      serverFlightClosed = true; // the client's next flight: the server's flight ended before it
    }
    if (dir == Direction.SERVER && serverHelloSeen && !serverFlightClosed) {
      flightEndFrame = frame;
      flightEndUs = ts;
      if (type == 23 && version == 0x0304) {
        encryptedFlightBytes = Math.max(0, encryptedFlightBytes) + len + 5;
      }
    }
    if (type == 20) {
      if (version != 0x0304) {
        s.ccs = true;
        if (decrypting && s.cipher == null) {
          s.cipher = cipher12(dir);
        }
      }
      return;
    }
    if ((encrypted13 || encrypted12) && decrypting && s.cipher != null && !s.failed) {
      if (decrypted(dir, s, endOffset, frame, ts)) {
        return;
      }
      // not decrypted: read as without keys (the HTTP layer was told)
    } else if (s.failed && type == 23 && handshakeDone) {
      down.onGap(dir, len, frame, ts); // plaintext lost with this record (at most its length)
    }
    switch (type) {
      case 21:
        if (!encrypted12 && len == 2) {
          alert(dir, s.rec[0] & 0xFF, s.rec[1] & 0xFF, frame, ts);
        } else {
          alert(new TlsFacts.Alert(side(dir), frame, ts, null, null, true));
        }
        break;
      case 22:
        if (encrypted12) {
          finished(dir, frame, ts, false); // TLS 1.2: the encrypted handshake record is Finished
        } else {
          handshakeBytes(dir, s, s.rec, 0, len, frame, ts);
        }
        break;
      case 23:
        if (encrypted13 && !handshakeDone) {
          if (dir == Direction.CLIENT && serverHelloSeen) {
            finished(dir, frame, ts, true); // the client's first encrypted record
          }
          // the server's encrypted flight: counted above
          break;
        }
        appData(dir, s, len, frame, ts);
        break;
      default:
        break; // heartbeat
    }
  }

  private void appData(int dir, Side s, int len, long frame, long ts) {
    s.appRecords++;
    s.appBytes += len + 5;
    // TLS 1.3 without keys: the server's first records after the handshake may be session
    // tickets, so only the client's records count as its first application data
    if (appFrame < 0
        && handshakeDone
        && (dir == Direction.CLIENT || version != 0x0304 || s.decryptedOne)) {
      appFrame = frame;
      appUs = ts;
    }
    boolean afterHandshake = handshakeDone || (midstream && !clientHelloSeen);
    if (afterHandshake && (!decrypting || "h2".equals(alpnChosen))) {
      exchange(dir, len + 5, frame, ts, s.recFrame, s.recUs);
    }
  }

  // ---- inferred exchanges ----------------------------------------------------------------

  /** Exchanges kept per connection (all are counted). */
  static final int MAX_EXCHANGES = 1000;

  private List<TlsFacts.Exchange> exchanges;
  private int exchangeCount;

  /** The exchange being built: request and response records so far. */
  private long[] cur;

  private static final int RQ_RECORDS = 0,
      RQ_BYTES = 1,
      RQ_FIRST_FRAME = 2,
      RQ_START = 3,
      RQ_LAST_FRAME = 4,
      RQ_END = 5,
      RS_RECORDS = 6,
      RS_BYTES = 7,
      RS_FIRST_FRAME = 8,
      RS_START = 9,
      RS_LAST_FRAME = 10,
      RS_END = 11;

  /**
   * An application data record without keys (or on an h2 connection): a client record after a
   * server burst starts an exchange; server records answer the open one. Server records with no
   * exchange open (TLS 1.3 session tickets, a server speaking first) belong to none.
   */
  private void exchange(int dir, long bytes, long frame, long ts, long firstFrame, long firstUs) {
    if (dir == Direction.CLIENT) {
      if (cur == null || cur[RS_RECORDS] > 0) {
        closeExchange();
        cur = new long[12];
        cur[RQ_FIRST_FRAME] = firstFrame;
        cur[RQ_START] = firstUs;
        cur[RS_FIRST_FRAME] = -1;
        cur[RS_START] = -1;
        cur[RS_LAST_FRAME] = -1;
        cur[RS_END] = -1;
      }
      cur[RQ_RECORDS]++;
      cur[RQ_BYTES] += bytes;
      cur[RQ_LAST_FRAME] = frame;
      cur[RQ_END] = ts;
    } else if (cur != null) {
      if (cur[RS_RECORDS]++ == 0) {
        cur[RS_FIRST_FRAME] = firstFrame;
        cur[RS_START] = firstUs;
      }
      cur[RS_BYTES] += bytes;
      cur[RS_LAST_FRAME] = frame;
      cur[RS_END] = ts;
    }
  }

  private void closeExchange() {
    if (cur == null) {
      return;
    }
    long[] c = cur;
    cur = null;
    int index = exchangeCount++;
    if (exchanges == null) {
      exchanges = new ArrayList<>(4);
    }
    if (exchanges.size() < MAX_EXCHANGES) {
      exchanges.add(
          new TlsFacts.Exchange(
              index,
              c[RQ_RECORDS],
              c[RQ_BYTES],
              c[RQ_FIRST_FRAME],
              c[RQ_START],
              c[RQ_LAST_FRAME],
              c[RQ_END],
              c[RS_RECORDS],
              c[RS_BYTES],
              c[RS_FIRST_FRAME],
              c[RS_START],
              c[RS_LAST_FRAME],
              c[RS_END]));
    }
  }

  private void finished(int dir, long frame, long ts, boolean inferred) {
    Side s = sides[dir];
    if (s.finishedSent) {
      return;
    }
    s.finishedSent = true;
    if (dir == Direction.CLIENT) {
      finFrame = frame;
      finUs = ts;
      finInferred = inferred;
    }
    // TLS 1.3: the client's Finished ends it; TLS 1.2: both Finished (the server's comes first
    // when the session is resumed, last otherwise)
    if (version == 0x0304 ? dir == Direction.CLIENT : sides[1 - dir].finishedSent) {
      handshakeDone = true;
    }
  }

  private void fail(String why, long frame, long ts) {
    failure = why;
    failureFrame = frame;
    failureUs = ts;
  }

  private void note(String n) {
    if (notes.size() < MAX_KEPT) {
      notes.add(n);
    } else {
      droppedNotes++;
    }
  }

  private void alert(TlsFacts.Alert a) {
    if (alerts.size() < MAX_KEPT) {
      alerts.add(a);
    } else {
      droppedAlerts++;
    }
  }

  private void alert(int dir, int level, int desc, long frame, long ts) {
    alert(
        new TlsFacts.Alert(
            side(dir), frame, ts, TlsNames.alertLevel(level), TlsNames.alert(desc), false));
    if (level == 2 && !handshakeDone && failure == null) {
      fail(
          "fatal alert "
              + TlsNames.alert(desc)
              + " from the "
              + side(dir)
              + " (frame "
              + frame
              + ")",
          frame,
          ts);
    }
  }

  private void stop(int dir, String why) {
    Side s = sides[dir];
    s.stopped = true;
    note(side(dir) + " records not read from here on: " + why);
    if (decrypting && !"failed".equals(decryption)) {
      decryption = "partial";
    }
  }

  // ---- handshake messages ----------------------------------------------------------------

  /** Plaintext handshake bytes (from a record, or a decrypted record). */
  private void handshakeBytes(int dir, Side s, byte[] b, int off, int len, long frame, long ts) {
    int p = off;
    int end = off + len;
    while (p < end) {
      if (s.skipLeft > 0) {
        int n = (int) Math.min(s.skipLeft, end - p);
        s.skipLeft -= n;
        p += n;
        if (s.skipLeft == 0) {
          s.skipType = -1;
        }
        continue;
      }
      int n = end - p;
      if (s.hsLen + n > s.hs.length) {
        s.hs = Arrays.copyOf(s.hs, Math.max(Math.max(s.hsLen + n, 512), 2 * s.hs.length));
      }
      System.arraycopy(b, p, s.hs, s.hsLen, n);
      s.hsLen += n;
      p = end;
      int q = 0;
      while (s.hsLen - q >= 4) {
        int t = s.hs[q] & 0xFF;
        int mlen = (s.hs[q + 1] & 0xFF) << 16 | (s.hs[q + 2] & 0xFF) << 8 | (s.hs[q + 3] & 0xFF);
        if (mlen > MAX_KEPT_MESSAGE) {
          message(dir, t, null, 0, mlen, frame, ts); // measured, not kept
          int have = s.hsLen - q - 4;
          s.skipLeft = mlen - Math.min(have, mlen);
          q += 4 + Math.min(have, mlen);
          continue;
        }
        if (s.hsLen - q - 4 < mlen) {
          break;
        }
        message(dir, t, s.hs, q + 4, mlen, frame, ts);
        q += 4 + mlen;
      }
      System.arraycopy(s.hs, q, s.hs, 0, s.hsLen - q);
      s.hsLen -= q;
    }
  }

  private void message(int dir, int type, byte[] b, int off, int len, long frame, long ts) {
    try {
      switch (type) {
        case 1:
          if (dir == Direction.CLIENT) {
            clientHello(b, off, len, frame, ts);
          }
          break;
        case 2:
          if (dir == Direction.SERVER) {
            serverHello(b, off, len, frame, ts);
          }
          break;
        case 8:
          if (dir == Direction.SERVER && b != null) {
            encryptedExtensions(b, off, len);
          }
          break;
        case 11:
          if (dir == Direction.SERVER) {
            certificateBytes = len + 4L;
          }
          break;
        case 13:
          certificateRequested = true;
          break;
        case 20:
          finished(dir, frame, ts, false);
          break;
        case 24:
          sides[dir].keyUpdate = true;
          break;
        default:
          break;
      }
    } catch (IllegalArgumentException e) {
      note(
          side(dir) + " handshake message of type " + type + " is malformed (frame " + frame + ")");
    }
  }

  private void clientHello(byte[] b, int off, int len, long frame, long ts) {
    Reader r = new Reader(b, off, len);
    clientHellos++;
    if (clientHellos == 1) {
      chFrame = frame;
      chUs = ts;
    }
    int legacy = r.u16();
    r.bytes(clientRandom, 32);
    int sidLen = r.u8();
    clientSessionId = r.take(sidLen);
    r.skip(r.u16()); // cipher suites
    r.skip(r.u8()); // compression
    List<String> versions = new ArrayList<>();
    List<String> alpn = new ArrayList<>();
    boolean psk = false;
    boolean ticket = false;
    if (r.left() >= 2) {
      int extEnd = r.pos + r.u16();
      while (r.pos + 4 <= extEnd) {
        int et = r.u16();
        int el = r.u16();
        int next = r.pos + el;
        switch (et) {
          case 0: // server_name
            r.u16();
            if (r.u8() == 0) {
              sni = new String(r.take(r.u16()), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            break;
          case 16:
            { // ALPN
              int end = r.pos + r.u16();
              while (r.pos < end) {
                alpn.add(new String(r.take(r.u8()), java.nio.charset.StandardCharsets.ISO_8859_1));
              }
              break;
            }
          case 35:
            ticket = el > 0;
            break;
          case 41:
            psk = true;
            break;
          case 42:
            earlyDataOffered = true;
            break;
          case 43:
            {
              int n = r.u8();
              for (int i = 0; i + 2 <= n; i += 2) {
                int v = r.u16();
                if ((v & 0x0f0f) != 0x0a0a) { // GREASE values are not versions
                  versions.add(TlsNames.version(v));
                }
              }
              break;
            }
          default:
            break;
        }
        r.pos = next;
      }
    }
    if (versions.isEmpty()) {
      versions.add(TlsNames.version(legacy));
    }
    versionsOffered = versions;
    alpnOffered = alpn;
    ticketOffered = ticket || psk;
    sessionIdOffered = sidLen > 0 && !versions.contains("TLS 1.3");
    if (clientHellos == 1) {
      clientHelloSeen = true;
      secrets = keys.find(clientRandom, 0);
      if (!keys.isEmpty() && secrets == null && !keys.following()) {
        note("no key in the key log for this connection's client random");
      }
    }
  }

  private void serverHello(byte[] b, int off, int len, long frame, long ts) {
    Reader r = new Reader(b, off, len);
    legacyServerVersion = r.u16();
    r.bytes(serverRandom, 32);
    byte[] sid = r.take(r.u8());
    int cs = r.u16();
    r.u8();
    int selected = -1;
    boolean pskAccepted = false;
    String alpn = null;
    if (r.left() >= 2) {
      int extEnd = r.pos + r.u16();
      while (r.pos + 4 <= extEnd) {
        int et = r.u16();
        int el = r.u16();
        int next = r.pos + el;
        switch (et) {
          case 43:
            selected = r.u16();
            break;
          case 22:
            encryptThenMac = true;
            break;
          case 41:
            pskAccepted = true;
            break;
          case 16:
            r.u16();
            alpn = new String(r.take(r.u8()), java.nio.charset.StandardCharsets.ISO_8859_1);
            break;
          default:
            break;
        }
        r.pos = next;
      }
    }
    if (Arrays.equals(serverRandom, HRR_RANDOM)) {
      hrr = true; // the client sends a second ClientHello; the ServerHello that counts follows
      suite = cs;
      version = selected > 0 ? selected : legacyServerVersion;
      return;
    }
    serverHelloSeen = true;
    shFrame = frame;
    shUs = ts;
    suite = cs;
    version = selected > 0 ? selected : legacyServerVersion;
    if (version == 0x0304) {
      resumption = pskAccepted ? "psk" : "none";
    } else {
      alpnChosen = alpn;
      boolean echoed =
          sid.length > 0 && clientSessionId != null && Arrays.equals(sid, clientSessionId);
      resumption = echoed ? (ticketOffered ? "ticket" : "session_id") : "none";
    }
    startDecryption(frame);
  }

  private void encryptedExtensions(byte[] b, int off, int len) {
    Reader r = new Reader(b, off, len);
    int extEnd = r.pos + r.u16();
    earlyDataAccepted = earlyDataOffered ? Boolean.FALSE : null;
    while (r.pos + 4 <= extEnd) {
      int et = r.u16();
      int el = r.u16();
      int next = r.pos + el;
      if (et == 16) {
        r.u16();
        alpnChosen = new String(r.take(r.u8()), java.nio.charset.StandardCharsets.ISO_8859_1);
      } else if (et == 42) {
        earlyDataAccepted = Boolean.TRUE;
      }
      r.pos = next;
    }
  }

  // ---- decryption ------------------------------------------------------------------------

  /** At the ServerHello: keys for this session and a suite connscope decrypts? */
  private void startDecryption(long frame) {
    if (rawGiven) {
      // a gap, a close or a limit before the ServerHello already gave the HTTP layer the raw
      // bytes: plaintext now would mix with them
      if (secrets != null) {
        note(
            "not decrypted: the raw bytes went to the HTTP layer before the ServerHello (a gap or a close came first)");
      }
      return;
    }
    if (!keys.given() || midstream) {
      if (hold != null) {
        release(false);
      }
      return;
    }
    boolean tls13 = version == 0x0304;
    cipherSuite = RecordCipher.suite(suite, tls13);
    if (keys.following() && !complete(secrets, tls13)) {
      keys.refresh(true); // the key may have been written since the ClientHello
      secrets = keys.find(clientRandom, 0);
      if (!complete(secrets, tls13) && hold != null) {
        awaitingKey = true; // hold on: the browser writes the key log as the handshake goes
        awaitGeneration = keys.generation();
        return;
      }
    }
    if (secrets == null) {
      release(false);
      return;
    }
    if (cipherSuite != null
        && !tls13
        && (version < 0x0301 || (!cipherSuite.cbc() && version < 0x0303))) {
      cipherSuite = null; // SSL 3 (its own MAC and key derivation); AEAD suites are TLS 1.2's
    }
    if (cipherSuite == null) {
      decryption = "unsupported";
      note("cipher suite " + TlsNames.cipherSuite(suite) + " is not one connscope decrypts");
      release(false);
      return;
    }
    try {
      if (tls13) {
        if (secrets.clientHandshake == null
            || secrets.serverHandshake == null
            || secrets.clientTraffic0 == null
            || secrets.serverTraffic0 == null) {
          note("the key log lacks a TLS 1.3 traffic secret for this connection");
          release(false);
          return;
        }
        sides[0].cipher = RecordCipher.tls13(cipherSuite, secrets.clientHandshake);
        sides[1].cipher = RecordCipher.tls13(cipherSuite, secrets.serverHandshake);
      } else if (secrets.master == null) {
        note("the key log lacks the master secret (CLIENT_RANDOM) for this connection");
        release(false);
        return;
      }
    } catch (GeneralSecurityException e) {
      note("cannot decrypt: " + e.getMessage());
      release(false);
      return;
    }
    decrypting = true;
    decryption = "decrypted";
    release(true);
  }

  private RecordCipher cipher12(int dir) {
    try {
      return RecordCipher.tls12(
          cipherSuite,
          version,
          secrets.master,
          clientRandom,
          serverRandom,
          dir == Direction.CLIENT,
          encryptThenMac);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  /** An encrypted record of {@code s}, with its cipher: decrypt and dispatch its content. */
  private boolean decrypted(int dir, Side s, long endOffset, long frame, long ts) {
    int n;
    if (s.candidate) {
      s.candidate = false;
      n = resynced(dir, s, frame);
      if (n < 0) {
        // not a record (or not one these keys open): look further
        if (++s.badCandidates > 8) {
          stop(dir, "no record after the gap decrypts (frame " + frame + ")");
        } else {
          s.resync = true;
          s.hdrLen = 0;
        }
        return true;
      }
    } else {
      n = s.cipher.decrypt(s.hdr, s.rec, s.recLen);
    }
    boolean tls13 = s.cipher.tls13();
    int type = s.type;
    if (n >= 0 && tls13) {
      while (n > 0 && s.rec[n - 1] == 0) {
        n--; // padding
      }
      type = n > 0 ? s.rec[--n] & 0xFF : -1;
    }
    if ((n < 0 || type < 0)
        && dir == Direction.CLIENT
        && tls13
        && Boolean.TRUE.equals(earlyDataAccepted)
        && s.trafficSecret == null
        && !s.finishedSent) {
      // accepted 0-RTT data and EndOfEarlyData use the early traffic secret: not decrypted
      if (!earlyDataNoted) {
        earlyDataNoted = true;
        note(
            "0-RTT data accepted by the server is not decrypted (client records before its Finished)");
      }
      return true;
    }
    if (n < 0 || type < 0) {
      boolean first = !s.decryptedOne && !sides[1 - dir].decryptedOne;
      s.failed = true;
      if (first) {
        note(
            side(dir)
                + "'s first encrypted record (frame "
                + frame
                + ") does not decrypt with the key log's secret: wrong key; the connection is read without keys");
        fallBack();
      } else {
        note(
            side(dir)
                + " record ending at frame "
                + frame
                + " does not decrypt: no more plaintext from the "
                + side(dir)
                + " (each later record is a gap)");
        decryption = "partial";
        down.onGap(dir, s.recLen, frame, ts);
      }
      return false;
    }
    s.decryptedOne = true;
    switch (type) {
      case 21:
        if (n >= 2) {
          alert(dir, s.rec[0] & 0xFF, s.rec[1] & 0xFF, frame, ts);
        }
        break;
      case 22:
        handshakeBytes(dir, s, s.rec, 0, n, frame, ts);
        break;
      case 23:
        if (!handshakeDone && tls13 && dir == Direction.CLIENT) {
          handshakeDone = true; // 0-RTT is not decrypted; data after Finished
        }
        appData(dir, s, s.recLen, frame, ts);
        if (decrypting && n > 0) {
          s.plain += n;
          ackEntry(s, endOffset, s.plain);
          down.onData(dir, ByteBuffer.wrap(s.rec, 0, n), 0, n, frame, ts);
        }
        break;
      default:
        break;
    }
    if (tls13 && type == 22) {
      keyChanges13(dir, s);
    }
    return true;
  }

  /**
   * TLS 1.3: Finished switches the sender to its application traffic secret; KeyUpdate to the next.
   */
  private void keyChanges13(int dir, Side s) {
    try {
      if (s.trafficSecret == null && s.finishedSent) {
        s.trafficSecret = dir == Direction.CLIENT ? secrets.clientTraffic0 : secrets.serverTraffic0;
        s.cipher = RecordCipher.tls13(cipherSuite, s.trafficSecret);
      } else if (s.trafficSecret != null && s.keyUpdate) {
        s.keyUpdate = false;
        s.trafficSecret = RecordCipher.nextSecret(cipherSuite, s.trafficSecret);
        s.cipher = RecordCipher.tls13(cipherSuite, s.trafficSecret);
      }
    } catch (GeneralSecurityException e) {
      stop(dir, "key derivation failed: " + e.getMessage());
    }
  }

  /**
   * Records that the plaintext up to {@code plain} was delivered once raw offset {@code raw} ended.
   */
  private static void ackEntry(Side s, long raw, long plain) {
    if (s.ackTail == s.ackRaw.length) {
      if (s.ackHead > 0) {
        int n = s.ackTail - s.ackHead;
        System.arraycopy(s.ackRaw, s.ackHead, s.ackRaw, 0, n);
        System.arraycopy(s.ackPlain, s.ackHead, s.ackPlain, 0, n);
        s.ackHead = 0;
        s.ackTail = n;
      } else {
        s.ackRaw = Arrays.copyOf(s.ackRaw, 2 * s.ackRaw.length);
        s.ackPlain = Arrays.copyOf(s.ackPlain, 2 * s.ackPlain.length);
      }
    }
    s.ackRaw[s.ackTail] = raw;
    s.ackPlain[s.ackTail++] = plain;
  }

  /**
   * The plaintext offset an acknowledgment of raw offset {@code raw} covers: the plaintext of every
   * record that ended at or before it. Acknowledgments move forward: entries behind one are
   * dropped.
   */
  private static long plainAt(Side s, long raw) {
    while (s.ackHead < s.ackTail && s.ackRaw[s.ackHead] <= raw) {
      s.ackFloor = s.ackPlain[s.ackHead++];
    }
    return s.ackFloor;
  }

  /**
   * Decryption stopped before any record decrypted: the HTTP layer is shown the client's first
   * record header, so it reports a TLS connection (never garbage), and gets the raw bytes from here
   * on.
   */
  private void fallBack() {
    decrypting = false;
    decryption = "failed";
    if (firstClientHeader != null) {
      down.onData(Direction.CLIENT, ByteBuffer.wrap(firstClientHeader), 0, 5, chFrame, chUs);
    }
  }

  /** Raw events held until the ServerHello decides between raw bytes and plaintext. */
  private static final class Hold {
    static final int MAX = 1 << 18;
    byte[] data = new byte[1024];
    int len;
    final List<long[]> events = new ArrayList<>(4); // dir, offset, length, frame, ts

    void data(int dir, ByteBuffer buf, int off, int n, long frame, long ts) {
      if (len + n > data.length) {
        data = Arrays.copyOf(data, Math.max(len + n, 2 * data.length));
      }
      buf.get(off, data, len, n);
      events.add(new long[] {dir, len, n, frame, ts});
      len += n;
    }
  }

  /** Ends the hold: the held bytes go to the HTTP layer unless it will get plaintext. */
  private void release(boolean decrypt) {
    Hold h = hold;
    if (h == null) {
      return;
    }
    hold = null;
    if (awaitingKey) {
      awaitingKey = false;
      note(
          "no key for this connection's client random arrived in the followed key log (waited"
              + " up to "
              + MAX_KEY_WAIT_MICROS / 1_000_000
              + " s of capture time, "
              + Hold.MAX
              + " bytes, or until a gap or the close)");
    }
    if (decrypt) {
      return; // handshake bytes: no plaintext for the HTTP layer
    }
    rawGiven = true;
    ByteBuffer b = ByteBuffer.wrap(h.data);
    for (long[] e : h.events) {
      down.onData((int) e[0], b, (int) e[1], (int) e[2], e[3], e[4]);
    }
  }

  private static String side(int dir) {
    return dir == Direction.CLIENT ? "client" : "server";
  }

  /**
   * The TLS facts of the connection, null when it is not TLS. Call after {@link #onClose}; {@code
   * tcpConnectUs} is the TCP handshake's time (SYN to ACK), -1 when not seen.
   */
  TlsFacts facts(long tcpConnectUs) {
    if (mode != TLS) {
      return null;
    }
    // (version unknown: picked up mid-stream; a TLS 1.2 AEAD record of 19 bytes is too short
    // to carry data, so this size is a TLS 1.3 alert)
    if (cur != null
        && (version == 0x0304 || version < 0)
        && cur[RQ_RECORDS] == 1
        && cur[RQ_BYTES] == 5 + 19
        && cur[RS_RECORDS] == 0) {
      cur =
          null; // a last, unanswered record of an encrypted alert's size: close_notify, no exchange
    }
    closeExchange();
    long connect = tcpConnectUs;
    int rtts =
        !handshakeDone
            ? -1
            : version == 0x0304 ? 1 + (hrr ? 1 : 0) : "none".equals(resumption) ? 2 : 1;
    TlsFacts.Timing t =
        new TlsFacts.Timing(
            connect,
            chFrame,
            chUs,
            shFrame,
            shUs,
            flightEndFrame,
            flightEndUs,
            finFrame,
            finUs,
            finInferred && finFrame >= 0,
            appFrame,
            appUs,
            diff(chUs, shUs),
            diff(shUs, flightEndUs),
            diff(finUs, appUs),
            diff(chUs, appUs),
            rtts);
    String state =
        handshakeDone
            ? "complete"
            : failure != null
                ? "failed"
                : midstream && !clientHelloSeen ? "not_seen" : "incomplete";
    List<String> n = new ArrayList<>(notes);
    if (droppedAlerts > 0) {
      n.add(droppedAlerts + " more alert records not listed");
    }
    if (droppedNotes > 0) {
      n.add(droppedNotes + " more notes not listed");
    }
    if (midstream && !clientHelloSeen) {
      n.add(
          0, "the capture holds no ClientHello: the connection was picked up after its handshake");
    }
    if (version == 0x0304 && alpnChosen == null && !alpnOffered.isEmpty() && !decrypting) {
      n.add("TLS 1.3 sends the chosen ALPN protocol encrypted: not visible without keys");
    }
    boolean failed = !handshakeDone && failure != null;
    return new TlsFacts(
        state,
        failed ? failure : null,
        failed ? failureFrame : -1,
        failed ? failureUs : -1,
        version < 0 ? null : TlsNames.version(version),
        versionsOffered,
        suite < 0 || !serverHelloSeen ? null : TlsNames.cipherSuite(suite),
        sni,
        alpnOffered,
        alpnChosen,
        serverHelloSeen ? resumption : null,
        sessionIdOffered,
        ticketOffered,
        earlyDataOffered,
        earlyDataAccepted,
        hrr,
        version == 0x0304 && !decrypting ? -1 : certificateBytes,
        version == 0x0304 ? encryptedFlightBytes : -1,
        t,
        alerts,
        new TlsFacts.Counts(sides[0].appRecords, sides[0].appBytes),
        new TlsFacts.Counts(sides[1].appRecords, sides[1].appBytes),
        exchanges == null ? List.of() : exchanges,
        exchangeCount,
        decryption,
        n);
  }

  private static long diff(long a, long b) {
    return a >= 0 && b >= 0 ? b - a : -1;
  }

  /** A bounds-checked reader over one handshake message. */
  private static final class Reader {
    final byte[] b;
    int pos;
    final int end;

    Reader(byte[] b, int off, int len) {
      if (b == null) {
        throw new IllegalArgumentException("not kept");
      }
      this.b = b;
      this.pos = off;
      this.end = off + len;
    }

    int left() {
      return end - pos;
    }

    private void need(int n) {
      if (n < 0 || pos + n > end) {
        throw new IllegalArgumentException("short");
      }
    }

    int u8() {
      need(1);
      return b[pos++] & 0xFF;
    }

    int u16() {
      need(2);
      int v = (b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    void skip(int n) {
      need(n);
      pos += n;
    }

    void bytes(byte[] out, int n) {
      need(n);
      System.arraycopy(b, pos, out, 0, n);
      pos += n;
    }

    byte[] take(int n) {
      need(n);
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }
  }

  /**
   * {@link StreamControl#dataAck()} as the HTTP layer sees it: plaintext offsets while decrypting.
   */
  long dataAck() {
    long raw = conn.dataAck();
    if (!decrypting || raw < 0 || delivering < 0) {
      return raw;
    }
    return plainAt(sides[1 - delivering], raw);
  }
}
