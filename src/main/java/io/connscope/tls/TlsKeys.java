package io.connscope.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * TLS secrets by client random, from the NSS key log format that browsers, curl and OpenSSL write
 * with {@code SSLKEYLOGFILE} (one {@code LABEL CLIENT_RANDOM_HEX SECRET_HEX} per line, {@code #}
 * comments), given with {@code --tls-keylog} or carried in a pcapng Decryption Secrets Block. Lines
 * with other labels (early traffic, exporter) are kept but unused; malformed lines are counted and
 * skipped.
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

  /** What separates a key log line's fields. */
  private static final Pattern FIELDS = Pattern.compile("\\s+");

  /** The most a refresh reads at once (a key log line is about 180 bytes). */
  static final int REFRESH_MAX_BYTES = 4 << 20;

  /** The secrets of one session (one client random). */
  public static final class Secrets {
    /** TLS 1.2 and earlier: CLIENT_RANDOM (the 48-byte master secret). */
    byte[] master;

    byte[] clientHandshake;
    byte[] serverHandshake;
    byte[] clientTraffic0;
    byte[] serverTraffic0;
  }

  private final Map<String, Secrets> byRandom = new HashMap<>();
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
        add(new String(b, 0, end, StandardCharsets.ISO_8859_1));
        done += end;
        System.arraycopy(b, end, b, 0, len - end);
        len -= end;
      }
      if (!follow && len > 0) {
        add(new String(b, 0, len, StandardCharsets.ISO_8859_1));
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
    return !byRandom.isEmpty() || followed != null;
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
      add(new String(b, 0, end, StandardCharsets.ISO_8859_1));
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
   * only).
   */
  public TlsKeys copy() {
    TlsKeys k = new TlsKeys();
    for (Map.Entry<String, Secrets> e : byRandom.entrySet()) {
      Secrets from = e.getValue();
      Secrets s = new Secrets();
      s.master = from.master;
      s.clientHandshake = from.clientHandshake;
      s.serverHandshake = from.serverHandshake;
      s.clientTraffic0 = from.clientTraffic0;
      s.serverTraffic0 = from.serverTraffic0;
      k.byRandom.put(e.getKey(), s);
    }
    k.lines = lines;
    k.malformed = malformed;
    k.generation = generation;
    return k;
  }

  /** True when no secret was loaded. */
  public boolean isEmpty() {
    return byRandom.isEmpty();
  }

  /** Sessions (client randoms) with at least one secret. */
  public int sessions() {
    return byRandom.size();
  }

  /** Lines that were not a label, a 32-byte client random and a secret. */
  public long malformedLines() {
    return malformed;
  }

  public long lines() {
    return lines;
  }

  /** Adds every line of {@code text} (a key log file, or a Decryption Secrets Block's content). */
  public void add(String text) {
    try {
      add(new StringReader(text));
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringReader does not fail
    }
  }

  /** Adds every line read from {@code in}. */
  public void add(Reader in) throws IOException {
    BufferedReader r = new BufferedReader(in);
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      lines++;
      String[] f = FIELDS.split(line); // as line.split("\\s+"), the pattern compiled once
      byte[] random = f.length == 3 ? unhex(f[1]) : null;
      byte[] secret = f.length == 3 ? unhex(f[2]) : null;
      if (random == null || random.length != 32 || secret == null || secret.length == 0) {
        malformed++;
        continue;
      }
      generation++;
      Secrets s =
          byRandom.computeIfAbsent(f[1].toLowerCase(java.util.Locale.ROOT), k -> new Secrets());
      switch (f[0]) {
        case "CLIENT_RANDOM":
          s.master = secret;
          break;
        case "CLIENT_HANDSHAKE_TRAFFIC_SECRET":
          s.clientHandshake = secret;
          break;
        case "SERVER_HANDSHAKE_TRAFFIC_SECRET":
          s.serverHandshake = secret;
          break;
        case "CLIENT_TRAFFIC_SECRET_0":
          s.clientTraffic0 = secret;
          break;
        case "SERVER_TRAFFIC_SECRET_0":
          s.serverTraffic0 = secret;
          break;
        default:
          break; // EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET...: not used
      }
    }
  }

  /** The secrets of the session whose ClientHello carried {@code random} (32 bytes), or null. */
  Secrets find(byte[] random, int off) {
    if (byRandom.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(64);
    for (int i = 0; i < 32; i++) {
      sb.append(Character.forDigit((random[off + i] >> 4) & 15, 16))
          .append(Character.forDigit(random[off + i] & 15, 16));
    }
    return byRandom.get(sb.toString());
  }

  static byte[] unhex(String s) {
    if ((s.length() & 1) != 0) {
      return null;
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(s.charAt(2 * i), 16);
      int lo = Character.digit(s.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }
}
