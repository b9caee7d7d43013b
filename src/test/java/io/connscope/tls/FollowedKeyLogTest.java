package io.connscope.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Direction;
import io.connscope.result.TlsFacts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A followed key log (live capture): the keys of samples/tls-https.pcap's connections are written
 * to the file only after their first records were read, as a browser writes SSLKEYLOGFILE while the
 * capture runs. The connection waits (holding its raw records) and, once the key is there, is
 * decrypted from its start: the HTTP layer gets exactly what it gets when the key log was complete
 * from the beginning.
 */
class FollowedKeyLogTest {
  @TempDir Path tmp;

  @BeforeAll
  static void read() throws IOException {
    TlsTrackerTest.read();
  }

  private static String keylog() throws IOException {
    return Files.readString(TlsTrackerTest.KEYLOG, StandardCharsets.ISO_8859_1);
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
  }

  /**
   * Feeds connection {@code conn}; {@code afterServerChunk[k]} runs after its k-th server chunk.
   */
  private static TlsTrackerTest.Run feed(int conn, TlsKeys keys, List<IoStep> afterServerChunk)
      throws IOException {
    TlsTracker t = new TlsTracker(new Streams.Control(), keys);
    Streams.Sink sink = new Streams.Sink();
    t.setDownstream(sink);
    int server = 0;
    for (Streams.Chunk c : TlsTrackerTest.conns.get(conn)) {
      Streams.feed(t, List.of(c), 333);
      if (c.dir() == Direction.SERVER && server < afterServerChunk.size()) {
        afterServerChunk.get(server++).run();
      }
    }
    t.onClose(0);
    return new TlsTrackerTest.Run(t.facts(-1), sink);
  }

  @FunctionalInterface
  interface IoStep {
    void run() throws IOException;
  }

  private static void sleepPastTheRefreshInterval() {
    try {
      Thread.sleep(TlsKeys.REFRESH_INTERVAL_NANOS / 1_000_000 + 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void assertSameAsWithTheWholeKeyLog(int conn, TlsTrackerTest.Run got)
      throws IOException {
    TlsTrackerTest.Run want = TlsTrackerTest.run(conn, TlsTrackerTest.keys(), 333);
    assertEquals("decrypted", got.facts().decryption(), got.facts().notes().toString());
    assertEquals(want.sink().text(0), got.sink().text(0));
    assertEquals(want.sink().text(1), got.sink().text(1));
    assertEquals(want.sink().events, got.sink().events);
    assertEquals(want.facts(), got.facts());
  }

  @Test
  void keysWrittenAfterTheServerHelloAreUsed() throws IOException {
    for (int conn : new int[] {0, 3}) { // TLS 1.3, TLS 1.2
      Path file = tmp.resolve("keys-" + conn + ".log");
      Files.writeString(file, "# written by the browser as it goes\n");
      TlsKeys keys = new TlsKeys();
      keys.load(file, true);
      assertTrue(keys.isEmpty() && keys.given());
      String log = keylog();
      TlsTrackerTest.Run got =
          feed(
              conn,
              keys,
              List.of(
                  () -> {
                    append(file, log);
                    sleepPastTheRefreshInterval();
                  }));
      assertSameAsWithTheWholeKeyLog(conn, got);
    }
  }

  @Test
  void tls13SecretsArrivingInTwoStepsAndALineCutInTheMiddle() throws IOException {
    String log = keylog();
    String handshake =
        log.lines()
            .filter(l -> l.contains("HANDSHAKE"))
            .collect(Collectors.joining("\n", "", "\n"));
    String traffic =
        log.lines()
            .filter(l -> !l.contains("HANDSHAKE"))
            .collect(Collectors.joining("\n", "", "\n"));
    int cut = traffic.length() / 2;
    Path file = tmp.resolve("keys.log");
    Files.writeString(file, "");
    TlsKeys keys = new TlsKeys();
    keys.load(file, true);
    TlsTrackerTest.Run got =
        feed(
            0,
            keys,
            List.of(
                () -> {
                  append(file, handshake); // the handshake secrets only: still waiting
                  sleepPastTheRefreshInterval();
                },
                () -> {
                  append(file, traffic.substring(0, cut)); // half a line: not read yet
                  sleepPastTheRefreshInterval();
                },
                () -> {
                  append(file, traffic.substring(cut));
                  sleepPastTheRefreshInterval();
                }));
    assertSameAsWithTheWholeKeyLog(0, got);
  }

  @Test
  void aKeyWrittenJustBeforeTheCloseIsStillUsed() throws IOException {
    Path file = tmp.resolve("late.log");
    Files.writeString(file, "");
    TlsKeys keys = new TlsKeys();
    keys.load(file, true);
    String log = keylog();
    int servers = (int) TlsTrackerTest.conns.get(3).stream().filter(c -> c.dir() == 1).count();
    IoStep nothing = () -> {};
    List<IoStep> steps = new java.util.ArrayList<>();
    for (int i = 0; i < servers - 1; i++) {
      steps.add(nothing);
    }
    steps.add(() -> append(file, log)); // after the last server chunk; read at the close
    assertSameAsWithTheWholeKeyLog(3, feed(3, keys, steps));
  }

  @Test
  void aKeyThatNeverArrivesGivesTheKeylessView() throws IOException {
    Path file = tmp.resolve("never.log");
    Files.writeString(file, "");
    TlsKeys keys = new TlsKeys();
    keys.load(file, true);
    TlsTrackerTest.Run got = feed(0, keys, List.of());
    TlsFacts f = got.facts();
    assertEquals("no_key", f.decryption());
    assertTrue(
        f.notes().stream().anyMatch(n -> n.contains("arrived in the followed key log")),
        f.notes().toString());
    TlsTrackerTest.Run keyless = TlsTrackerTest.run(0, new TlsKeys(), 333);
    assertEquals(keyless.sink().text(0), got.sink().text(0), "the raw bytes, in order");
    assertEquals(keyless.sink().text(1), got.sink().text(1));
  }
}
