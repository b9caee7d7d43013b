package io.connscope.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * TLS secrets by client random, from the NSS key log format that browsers, curl and OpenSSL write
 * with {@code SSLKEYLOGFILE} (one {@code LABEL CLIENT_RANDOM_HEX SECRET_HEX} per line, {@code #}
 * comments), given with {@code --tls-keylog} or carried in a pcapng Decryption Secrets Block. A
 * line with another label (early traffic, exporter) counts its session, its secret is not kept;
 * malformed lines are counted and skipped. A later line for the same label and client random
 * replaces the earlier one's secret.
 *
 * <p>The key log grows with the capture (one session per TLS connection), so its secrets are kept
 * as bytes in a {@link SecretStore}, about 200 bytes for a TLS 1.3 session and 120 for a TLS 1.2
 * one, not as objects; the copies that shards look keys up in share it.
 *
 * <p>A key log can be followed ({@link #load} with {@code follow}, for live capture): a browser
 * appends to it while the capture runs, often after the connection's first records passed. {@link
 * #refresh} then reads what was appended since (whole lines only), at most once per {@link
 * #REFRESH_INTERVAL_NANOS} and only when the file's size changed; a file that shrank (rewritten) is
 * read again from its start. A TLS connection whose client random has no key yet waits for it
 * (TlsSession, bounded).
 */
public final class TlsKeys {
  /** The least time between two looks at a followed key log's size. */
  static final long REFRESH_INTERVAL_NANOS = 20_000_000L;

  /** The bytes {@link #load} reads at a time (more when one line is longer). */
  static final int LOAD_CHUNK = 1 << 20;

  /** The most a refresh reads at once (a key log line is about 180 bytes). */
  static final int REFRESH_MAX_BYTES = 4 << 20;

  /** The secrets of one session (one client random), as {@link #find} hands them out. */
  public static final class Secrets {
    /** TLS 1.2 and earlier: CLIENT_RANDOM (the 48-byte master secret). */
    byte[] master;

    byte[] clientHandshake;
    byte[] serverHandshake;
    byte[] clientTraffic0;
    byte[] serverTraffic0;
  }

  /** The labels whose secrets are kept, in the order of a session's slots in the store. */
  private static final String[] LABELS = {
    "CLIENT_RANDOM",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0"
  };

  /** The sessions and their secrets; shared with copies until one of them adds. */
  private SecretStore store = new SecretStore(LABELS.length);

  /** True when {@link #store} is also another TlsKeys' (a copy's): copied before an addition. */
  private boolean shared;

  /** A line's client random, decoded. */
  private final byte[] random = new byte[SecretStore.RANDOM];

  private long lines;
  private long malformed;

  /** The followed key log, null when none; the bytes of it read so far (whole lines). */
  private Path followed;

  private long readTo;
  private long lastLook = Long.MIN_VALUE;

  /** Counts the changes to the secrets: a waiting connection looks its key up only after one. */
  private long generation;

  /**
   * Reads the key log {@code file}; with {@code follow} it is kept, and {@link #refresh} reads what
   * is appended to it later.
   */
  public void load(Path file, boolean follow) throws IOException {
    // read in chunks of whole lines: a key log holds a few hundred bytes per TLS session, tens of
    // MB for a capture of many connections, and read whole (then copied into one String) it held
    // twice its size in the heap at once beside the secrets
    long done = 0; // the bytes added: whole lines
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = new byte[LOAD_CHUNK];
      int len = 0;
      for (int n = in.read(b, 0, b.length); n >= 0; n = in.read(b, len, b.length - len)) {
        len += n;
        int end = wholeLines(b, len);
        if (end == 0) {
          if (len == b.length) {
            b = Arrays.copyOf(b, b.length * 2); // a line longer than the buffer
          }
          continue;
        }
        addLines(b, 0, end);
        done += end;
        System.arraycopy(b, end, b, 0, len - end);
        len -= end;
      }
      if (!follow && len > 0) {
        addLines(b, 0, len);
        done += len;
      }
      // followed: the rest is a line being written, read whole later
    }
    if (follow) {
      followed = file;
      readTo = done;
    }
  }

  /** True when secrets were loaded or a key log is followed (that may bring some later). */
  public boolean given() {
    return !isEmpty() || followed != null;
  }

  /** True when a key log is followed ({@link #load} with follow). */
  public boolean following() {
    return followed != null;
  }

  /** A number that changes whenever secrets are added. */
  long generation() {
    return generation;
  }

  /**
   * Reads the lines appended to the followed key log since the last read, when the last look is at
   * least {@link #REFRESH_INTERVAL_NANOS} old (or {@code now}) and its size changed. Returns true
   * when lines were read. A file that cannot be read now is tried again later.
   */
  boolean refresh(boolean now) {
    if (followed == null) {
      return false;
    }
    long t = System.nanoTime();
    if (!now && lastLook != Long.MIN_VALUE && t - lastLook < REFRESH_INTERVAL_NANOS) {
      return false;
    }
    lastLook = t;
    try (FileChannel ch = FileChannel.open(followed, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == readTo) {
        return false;
      }
      if (size < readTo) {
        readTo = 0; // rewritten: read it again from the start
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(REFRESH_MAX_BYTES, size - readTo));
      while (buf.hasRemaining() && ch.read(buf, readTo + buf.position()) > 0) {
        // read on
      }
      byte[] b = buf.array();
      int end = wholeLines(b, buf.position());
      if (end == 0) {
        return false;
      }
      readTo += end;
      addLines(b, 0, end);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The length of {@code b[0, len)} up to and with its last LF: its whole lines (0: none). */
  private static int wholeLines(byte[] b, int len) {
    int end = len;
    while (end > 0 && b[end - 1] != '\n') {
      end--;
    }
    return end;
  }

  /**
   * The secrets loaded so far, to be added to apart from these: for a thread of its own that looks
   * up keys while this one is still added to. Not followed (a followed key log is read by its owner
   * only). Both share one store until either adds to it, which then adds to a copy of its own: the
   * shards of an analysis hold the key log once.
   */
  public TlsKeys copy() {
    TlsKeys k = new TlsKeys();
    k.store = store;
    k.shared = true;
    shared = true;
    k.lines = lines;
    k.malformed = malformed;
    k.generation = generation;
    return k;
  }

  /** True when no secret was loaded. */
  public boolean isEmpty() {
    return store.sessions() == 0;
  }

  /** Sessions (client randoms) with at least one secret. */
  public int sessions() {
    return store.sessions();
  }

  /** Lines that were not a label, a 32-byte client random and a secret. */
  public long malformedLines() {
    return malformed;
  }

  public long lines() {
    return lines;
  }

  /**
   * Adds every line of {@code text} (a key log file, or a Decryption Secrets Block's content). A
   * character beyond ISO-8859-1 is read as {@code ?}: a key log's fields are ASCII, and such a
   * character makes the field it is in unusable, as in the file read as bytes.
   */
  public void add(String text) {
    byte[] b = new byte[text.length()];
    for (int i = 0; i < b.length; i++) {
      char c = text.charAt(i);
      b[i] = c <= 0xFF ? (byte) c : (byte) '?';
    }
    addLines(b, 0, b.length);
  }

  /**
   * Adds the lines of {@code b[from, to)}. Lines end at CR or LF; a line is stripped of the
   * whitespace around it (tab, LF, VT, FF, CR, the separators 0x1C to 0x1F and space); an empty
   * line or one that starts with {@code #} is skipped; the rest are counted, and split into fields
   * at runs of tab, VT, FF and space. A line of three fields, the second 64 hex digits and the
   * third a non-empty even run of them, gives a secret (hex digits are ASCII); any other is
   * malformed.
   */
  private void addLines(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int end = i;
      while (end < to && b[end] != '\n' && b[end] != '\r') {
        end++;
      }
      addLine(b, i, end);
      i = end + 1;
    }
  }

  private void addLine(byte[] b, int from, int to) {
    while (from < to && stripped(b[from])) {
      from++;
    }
    while (to > from && stripped(b[to - 1])) {
      to--;
    }
    if (from == to || b[from] == '#') {
      return;
    }
    lines++;
    // three fields: [from, labelEnd) [randomFrom, randomEnd) [secretFrom, to)
    int labelEnd = fieldEnd(b, from, to);
    int randomFrom = nextField(b, labelEnd, to);
    int randomEnd = fieldEnd(b, randomFrom, to);
    int secretFrom = nextField(b, randomEnd, to);
    int secretEnd = fieldEnd(b, secretFrom, to);
    int secretLen = secretEnd - secretFrom;
    if (secretFrom == to
        || secretEnd != to
        || randomEnd - randomFrom != 2 * SecretStore.RANDOM
        || (secretLen & 1) != 0
        || !hex(b, randomFrom, randomEnd)
        || !hex(b, secretFrom, secretEnd)) {
      malformed++;
      return;
    }
    for (int k = 0; k < SecretStore.RANDOM; k++) {
      random[k] = (byte) (digit(b[randomFrom + 2 * k]) << 4 | digit(b[randomFrom + 2 * k + 1]));
    }
    generation++;
    if (shared) {
      store = store.copy();
      shared = false;
    }
    int session = store.session(random, 0, true);
    int label = label(b, from, labelEnd);
    if (label >= 0) {
      store.put(session, label, b, secretFrom, secretLen / 2);
    }
  }

  /** Whitespace stripped from a line's ends: what {@code String.strip} strips in ISO-8859-1. */
  private static boolean stripped(byte c) {
    return (c >= 9 && c <= 13) || (c >= 28 && c <= 32);
  }

  /** Whitespace between fields: the regular expression {@code \\s} within a line. */
  private static boolean separator(byte c) {
    return c == ' ' || c == '\t' || c == 0x0B || c == '\f';
  }

  private static int fieldEnd(byte[] b, int i, int to) {
    while (i < to && !separator(b[i])) {
      i++;
    }
    return i;
  }

  private static int nextField(byte[] b, int i, int to) {
    while (i < to && separator(b[i])) {
      i++;
    }
    return i;
  }

  private static boolean hex(byte[] b, int from, int to) {
    int any = 0;
    for (int i = from; i < to; i++) {
      any |= DIGITS[b[i] & 0xFF];
    }
    return any >= 0;
  }

  /** The value of each byte as an ASCII hex digit, -1 for any other byte. */
  private static final byte[] DIGITS = new byte[256];

  static {
    Arrays.fill(DIGITS, (byte) -1);
    for (int i = 0; i < 16; i++) {
      DIGITS[Character.forDigit(i, 16)] = (byte) i;
      DIGITS[Character.toUpperCase(Character.forDigit(i, 16))] = (byte) i;
    }
  }

  /** The value of an ASCII hex digit, -1 for any other byte. */
  static int digit(byte c) {
    return DIGITS[c & 0xFF];
  }

  /** The index in {@link #LABELS} of the label {@code b[from, to)}, -1 for one not kept. */
  private static int label(byte[] b, int from, int to) {
    for (int l = 0; l < LABELS.length; l++) {
      String name = LABELS[l];
      if (name.length() == to - from) {
        int i = 0;
        while (i < name.length() && name.charAt(i) == b[from + i]) {
          i++;
        }
        if (i == name.length()) {
          return l;
        }
      }
    }
    return -1;
  }

  /** The secrets of the session whose ClientHello carried {@code random} (32 bytes), or null. */
  Secrets find(byte[] random, int off) {
    int session = store.session(random, off, false);
    if (session == 0) {
      return null;
    }
    Secrets s = new Secrets();
    s.master = store.get(session, 0);
    s.clientHandshake = store.get(session, 1);
    s.serverHandshake = store.get(session, 2);
    s.clientTraffic0 = store.get(session, 3);
    s.serverTraffic0 = store.get(session, 4);
    return s;
  }

  /** {@code s} in hex (ASCII digits, even length) as bytes, or null. */
  static byte[] unhex(String s) {
    if ((s.length() & 1) != 0) {
      return null;
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      char h = s.charAt(2 * i);
      char l = s.charAt(2 * i + 1);
      int hi = h < 128 ? digit((byte) h) : -1;
      int lo = l < 128 ? digit((byte) l) : -1;
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }
}
