package io.connscope.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;

/**
 * TLS secrets by client random, from the NSS key log format that browsers, curl and OpenSSL write
 * with {@code SSLKEYLOGFILE} (one {@code LABEL CLIENT_RANDOM_HEX SECRET_HEX} per line, {@code #}
 * comments), given with {@code --tls-keylog} or carried in a pcapng Decryption Secrets Block. Lines
 * with other labels (early traffic, exporter) are kept but unused; malformed lines are counted and
 * skipped.
 */
public final class TlsKeys {
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
      String[] f = line.split("\\s+");
      byte[] random = f.length == 3 ? unhex(f[1]) : null;
      byte[] secret = f.length == 3 ? unhex(f[2]) : null;
      if (random == null || random.length != 32 || secret == null || secret.length == 0) {
        malformed++;
        continue;
      }
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
