package io.connscope.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.robustness.SmallHeap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsKeys} keeps its secrets as bytes in a {@link SecretStore}: on any ISO-8859-1 key log it
 * finds the secrets, and counts the lines, sessions and malformed lines, that the map of strings to
 * objects it replaced did (kept here as the oracle, as it was); copies share the store until one
 * adds; and 250,000 TLS 1.3 sessions fit a heap the map ran out of.
 */
class SecretStoreTest {
  /** The key log's parsing and map as they were before the store: the oracle. */
  static final class Oracle {
    private static final Pattern FIELDS = Pattern.compile("\\s+");
    final Map<String, byte[][]> byRandom = new HashMap<>();
    long lines;
    long malformed;
    long generation;

    void add(String text) throws IOException {
      BufferedReader r = new BufferedReader(new StringReader(text));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        lines++;
        String[] f = FIELDS.split(line);
        byte[] random = f.length == 3 ? unhex(f[1]) : null;
        byte[] secret = f.length == 3 ? unhex(f[2]) : null;
        if (random == null || random.length != 32 || secret == null || secret.length == 0) {
          malformed++;
          continue;
        }
        generation++;
        byte[][] s = byRandom.computeIfAbsent(f[1].toLowerCase(Locale.ROOT), k -> new byte[5][]);
        switch (f[0]) {
          case "CLIENT_RANDOM" -> s[0] = secret;
          case "CLIENT_HANDSHAKE_TRAFFIC_SECRET" -> s[1] = secret;
          case "SERVER_HANDSHAKE_TRAFFIC_SECRET" -> s[2] = secret;
          case "CLIENT_TRAFFIC_SECRET_0" -> s[3] = secret;
          case "SERVER_TRAFFIC_SECRET_0" -> s[4] = secret;
          default -> {}
        }
      }
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

  private static void assertSame(Oracle expected, TlsKeys actual, List<byte[]> randoms) {
    assertEquals(expected.byRandom.size(), actual.sessions(), "sessions");
    assertEquals(expected.lines, actual.lines(), "lines");
    assertEquals(expected.malformed, actual.malformedLines(), "malformed");
    assertEquals(expected.generation, actual.generation(), "generation");
    for (byte[] r : randoms) {
      byte[][] e = expected.byRandom.get(hex(r));
      TlsKeys.Secrets a = actual.find(r, 0);
      if (e == null) {
        assertNull(a, hex(r));
        continue;
      }
      assertNotNull(a, hex(r));
      assertArrayEquals(e[0], a.master);
      assertArrayEquals(e[1], a.clientHandshake);
      assertArrayEquals(e[2], a.serverHandshake);
      assertArrayEquals(e[3], a.clientTraffic0);
      assertArrayEquals(e[4], a.serverTraffic0);
    }
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder(2 * b.length);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
    }
    return sb.toString();
  }

  private static final String[] LABELS = {
    "CLIENT_RANDOM",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
    "EXPORTER_SECRET",
    "CLIENT_EARLY_TRAFFIC_SECRET",
    "client_random",
    "CLIENT_RANDOMX",
    ""
  };

  /** Whitespace of every kind the two could treat apart, and bytes next to it. */
  private static final char[] SPACES = {
    ' ', '\t', '\u000B', '\f', '\u001C', '\u001F', '\u0085', '\u00A0', '\r', '\n'
  };

  private static String space(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(10) == 0 ? 2 + rnd.nextInt(2) : 1;
    for (int i = 0; i < n; i++) {
      sb.append(rnd.nextInt(3) == 0 ? SPACES[rnd.nextInt(SPACES.length)] : ' ');
    }
    return sb.toString();
  }

  /** A hex field of {@code bytes}, now and then spoiled, upper case or of an odd length. */
  private static String field(Random rnd, byte[] value) {
    String h = hex(value);
    switch (h.length() < 8 ? 5 : rnd.nextInt(30)) {
      case 0:
        return h.toUpperCase(Locale.ROOT);
      case 1:
        return h.substring(1);
      case 2:
        return h.substring(0, 5) + "g" + h.substring(6);
      case 3:
        return h.substring(0, 7) + "\u00e9" + h.substring(8);
      case 4:
        return "";
      default:
        return h;
    }
  }

  /** A key log of {@code sessions} sessions' lines in a random order, with noise between. */
  private static String keylog(Random rnd, List<byte[]> randoms, int sessions) {
    StringBuilder sb = new StringBuilder();
    for (int s = 0; s < sessions; s++) {
      byte[] r = new byte[32];
      rnd.nextBytes(r);
      randoms.add(r);
    }
    int lineCount = sessions * 4;
    for (int i = 0; i < lineCount; i++) {
      byte[] r = randoms.get(rnd.nextInt(randoms.size()));
      switch (rnd.nextInt(40)) {
        case 0 -> sb.append("# ").append(hex(r));
        case 1 -> sb.append(space(rnd));
        case 2 -> sb.append("CLIENT_RANDOM ").append(hex(r));
        case 3 -> sb.append("CLIENT_RANDOM ").append(hex(r)).append(" 00 11");
        default -> {
          if (rnd.nextInt(4) == 0) {
            sb.append(space(rnd));
          }
          byte[] secret =
              new byte[rnd.nextInt(50) == 0 ? 1 + rnd.nextInt(400) : 32 + 16 * rnd.nextInt(2)];
          rnd.nextBytes(secret);
          sb.append(LABELS[rnd.nextInt(LABELS.length)])
              .append(space(rnd))
              .append(field(rnd, r))
              .append(space(rnd))
              .append(field(rnd, secret));
          if (rnd.nextInt(4) == 0) {
            sb.append(space(rnd));
          }
        }
      }
      sb.append(rnd.nextInt(5) == 0 ? "\r\n" : rnd.nextInt(5) == 0 ? "\r" : "\n");
    }
    return sb.toString();
  }

  @Test
  void findsWhatTheMapFound() throws IOException {
    for (int seed = 0; seed < 40; seed++) {
      Random rnd = new Random(seed);
      List<byte[]> randoms = new ArrayList<>();
      int sessions = seed < 30 ? 1 + rnd.nextInt(200) : 20_000; // many pages and table growths
      String text = keylog(rnd, randoms, sessions);
      Oracle oracle = new Oracle();
      TlsKeys keys = new TlsKeys();
      // in pieces at line ends, as a key log is read
      int from = 0;
      while (from < text.length()) {
        int to = text.indexOf('\n', from + rnd.nextInt(Math.max(1, text.length() / 3)));
        to = to < 0 ? text.length() : to + 1;
        oracle.add(text.substring(from, to));
        keys.add(text.substring(from, to));
        from = to;
      }
      byte[] absent = new byte[32];
      rnd.nextBytes(absent);
      randoms.add(absent);
      assertSame(oracle, keys, randoms);
    }
  }

  @Test
  void beyondIso88591ACharacterIsNoHexDigitNorSpace() {
    String random = "ab".repeat(32);
    TlsKeys keys = new TlsKeys();
    // a fullwidth digit (a digit to Character.digit), an em space at the end (stripped by
    // String.strip): neither is in a key log's alphabet
    keys.add("CLIENT_RANDOM " + random + " " + "01".repeat(23) + "0\uff11\n");
    keys.add("CLIENT_RANDOM " + random + " " + "01".repeat(24) + "\u2003\n");
    assertEquals(2, keys.malformedLines());
    assertEquals(0, keys.sessions());
    keys.add("CLIENT_RANDOM\u2003" + random + " " + "01".repeat(24) + "\n");
    assertEquals(3, keys.malformedLines(), "an em space does not part fields");
    keys.add("CLIENT_RANDOM " + random + " " + "01".repeat(24) + "\n");
    assertArrayEquals(Oracle.unhex("01".repeat(24)), keys.find(Oracle.unhex(random), 0).master);
  }

  @Test
  void copiesShareTheStoreUntilOneAdds() {
    String a = "11".repeat(32);
    String b = "22".repeat(32);
    TlsKeys keys = new TlsKeys();
    keys.add("CLIENT_RANDOM " + a + " " + "aa".repeat(48) + "\n");
    TlsKeys copy = keys.copy();
    TlsKeys second = keys.copy();
    copy.add("CLIENT_RANDOM " + b + " " + "bb".repeat(48) + "\n");
    keys.add("CLIENT_RANDOM " + a + " " + "cc".repeat(48) + "\n");
    assertEquals(2, copy.sessions());
    assertEquals(1, keys.sessions());
    assertEquals(1, second.sessions());
    assertArrayEquals(Oracle.unhex("aa".repeat(48)), copy.find(Oracle.unhex(a), 0).master);
    assertArrayEquals(Oracle.unhex("cc".repeat(48)), keys.find(Oracle.unhex(a), 0).master);
    assertArrayEquals(Oracle.unhex("aa".repeat(48)), second.find(Oracle.unhex(a), 0).master);
    assertNull(keys.find(Oracle.unhex(b), 0));
    assertNull(second.find(Oracle.unhex(b), 0));
    assertEquals(2, copy.generation());
    assertEquals(2, keys.generation());
    assertEquals(1, second.generation());
  }

  /** Child JVM: adds {@code args[0]} TLS 1.3 sessions, four secrets each, then finds them all. */
  public static void main(String[] args) {
    int sessions = Integer.parseInt(args[0]);
    TlsKeys keys = new TlsKeys();
    Random rnd = new Random(1);
    byte[] r = new byte[32];
    byte[] s = new byte[32];
    for (int done = 0; done < sessions; ) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 1000 && done < sessions; i++, done++) {
        rnd.nextBytes(r);
        for (int l = 1; l < 5; l++) {
          rnd.nextBytes(s);
          sb.append(LABELS[l]).append(' ').append(hex(r)).append(' ').append(hex(s)).append('\n');
        }
      }
      keys.add(sb.toString());
    }
    rnd = new Random(1);
    int found = 0;
    for (int i = 0; i < sessions; i++) {
      rnd.nextBytes(r);
      for (int l = 1; l < 5; l++) {
        rnd.nextBytes(s);
      }
      TlsKeys.Secrets x = keys.find(r, 0);
      if (x != null && java.util.Arrays.equals(x.serverTraffic0, s)) {
        found++;
      }
    }
    System.out.println("sessions=" + keys.sessions() + " found=" + found);
  }

  /**
   * 250,000 TLS 1.3 sessions (a key log of 190 MB) in a 72 MiB heap: about 200 bytes a session. The
   * map of strings took about 380 a session and ran out of it.
   */
  @Test
  void aQuarterMillionSessionsFitSeventyTwoMegabytes() throws Exception {
    SmallHeap.Run r = SmallHeap.run("-Xmx72m", 3, SecretStoreTest.class, "250000");
    assertTrue(r.finished(), "did not finish");
    assertEquals(0, r.exit(), r.output());
    assertEquals("sessions=250000 found=250000", r.output().strip());
  }
}
