package io.connscope.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.robustness.SmallHeap;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsKeys#load} reads a key log in chunks of whole lines: the same secrets, line counts and
 * followed position as the whole file read at once, and a key log larger than the heap loads (a
 * capture of many TLS connections has a key log of tens of MB: read whole, then copied into one
 * String, it took three times its size in the heap).
 */
class KeyLogLoadTest {
  @TempDir Path tmp;

  /** {@code bytes} bytes in hex: {@code seed}'s four, then a pattern of it. */
  private static String hex(int seed, int bytes) {
    StringBuilder sb = new StringBuilder(String.format("%08x", seed));
    for (int i = 4; i < bytes; i++) {
      sb.append(String.format("%02x", (seed * 31 + i * 7) & 0xff));
    }
    return sb.toString();
  }

  private static byte[] random(int seed) {
    return TlsKeys.unhex(hex(seed, 32));
  }

  /**
   * Lines of every kind, the separators \n, \r\n and \r, fields apart by tabs and spaces, a line
   * longer than a chunk, and enough lines that many cross a chunk's end.
   */
  private static String keylog(String lastLine) {
    StringBuilder sb = new StringBuilder("# a comment\r\n\n");
    for (int i = 0; i < 30_000; i++) {
      String sep = i % 3 == 0 ? "\r\n" : i % 7 == 0 ? "\r" : "\n";
      if (i % 5 == 0) {
        sb.append("CLIENT_RANDOM ").append(hex(i, 32)).append(' ').append(hex(i + 1, 48));
      } else {
        sb.append("CLIENT_TRAFFIC_SECRET_0\t")
            .append(hex(i, 32))
            .append("  ")
            .append(hex(i + 2, 48));
      }
      sb.append(sep);
      if (i == 12_345) {
        sb.append("EXPORTER_SECRET ")
            .append(hex(i, 32))
            .append(' ')
            .append("ab".repeat(TlsKeys.LOAD_CHUNK))
            .append('\n');
        sb.append("malformed line\n");
      }
    }
    return sb.append(lastLine).toString();
  }

  private static void assertSame(TlsKeys expected, TlsKeys actual) {
    assertEquals(expected.sessions(), actual.sessions());
    assertEquals(expected.lines(), actual.lines());
    assertEquals(expected.malformedLines(), actual.malformedLines());
    assertEquals(expected.generation(), actual.generation());
    for (int i = 0; i < 30_001; i++) {
      TlsKeys.Secrets e = expected.find(random(i), 0);
      TlsKeys.Secrets a = actual.find(random(i), 0);
      if (e == null) {
        assertNull(a);
        continue;
      }
      assertArrayEquals(e.master, a.master, "master " + i);
      assertArrayEquals(e.clientTraffic0, a.clientTraffic0, "traffic " + i);
    }
  }

  @Test
  void loadsWhatTheWholeFileHolds() throws IOException {
    for (String last :
        new String[] {"", "CLIENT_RANDOM " + hex(30_000, 32) + " " + hex(1, 48), "\r", "x"}) {
      String text = keylog(last);
      Path file = tmp.resolve("k.log");
      Files.writeString(file, text, StandardCharsets.ISO_8859_1);
      TlsKeys whole = new TlsKeys();
      whole.add(text);
      TlsKeys loaded = new TlsKeys();
      loaded.load(file, false);
      assertSame(whole, loaded);
      assertTrue(loaded.find(random(12_345), 0) != null);
    }
  }

  @Test
  void aFollowedKeyLogLeavesTheLineBeingWritten() throws IOException {
    String partial = "CLIENT_RANDOM " + hex(30_000, 32) + " " + hex(1, 24);
    String text = keylog(partial);
    Path file = tmp.resolve("k.log");
    Files.writeString(file, text, StandardCharsets.ISO_8859_1);
    TlsKeys followed = new TlsKeys();
    followed.load(file, true);
    TlsKeys whole = new TlsKeys();
    whole.add(text.substring(0, text.length() - partial.length()));
    assertSame(whole, followed);
    assertNull(followed.find(random(30_000), 0));
    // the rest of the line comes: a refresh reads it whole
    Files.writeString(
        file, hex(2, 24) + "\n", StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
    assertTrue(followed.refresh(true));
    assertArrayEquals(
        TlsKeys.unhex(hex(1, 24) + hex(2, 24)), followed.find(random(30_000), 0).master);
  }

  /** Child JVM: loads the key log {@code args[0]}, prints what it holds. */
  public static void main(String[] args) throws IOException {
    TlsKeys k = new TlsKeys();
    k.load(Path.of(args[0]), false);
    System.out.println("sessions=" + k.sessions() + " lines=" + k.lines());
  }

  /**
   * A 48 MB key log (one session, its secrets repeated) loads within a 32 MiB heap: it is read in
   * chunks, never whole.
   */
  @Test
  void aKeyLogLargerThanTheHeapLoads() throws Exception {
    Path file = tmp.resolve("big.log");
    String line = "CLIENT_TRAFFIC_SECRET_0 " + hex(7, 32) + " " + hex(8, 48) + "\n"; // 186 bytes
    int lines = 48_000_000 / line.length();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.ISO_8859_1)) {
      for (int i = 0; i < lines; i++) {
        w.write(line);
      }
    }
    SmallHeap.Run r = SmallHeap.run("-Xmx32m", 2, KeyLogLoadTest.class, file.toString());
    String out = r.output();
    assertTrue(r.finished(), "did not finish");
    assertEquals(0, r.exit(), out);
    assertEquals("sessions=1 lines=" + lines, out.strip());
  }
}
