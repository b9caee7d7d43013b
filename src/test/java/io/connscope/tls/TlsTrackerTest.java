package io.connscope.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Direction;
import io.connscope.result.TlsFacts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TlsTracker on the real bytes of samples/tls-https.pcap (samples/record-tls.sh: nginx and curl on
 * loopback; the expected values below were read from the packets with tshark, as noted), fed as
 * captured, byte by byte and in other cuts; with the sample's key log, a wrong key, a gap and a
 * damaged record header.
 */
class TlsTrackerTest {
  static final Path PCAP = Paths.get("samples", "tls-https.pcap");
  static final Path KEYLOG = Paths.get("samples", "tls-https.keylog");

  /** The sample's 8 connections, in the order they opened. */
  static List<List<Streams.Chunk>> conns;

  @BeforeAll
  static void read() throws IOException {
    Map<Integer, List<Streams.Chunk>> byPort = Streams.read(PCAP);
    conns = new ArrayList<>(byPort.values());
    conns.sort(Comparator.comparingLong(l -> l.get(0).frame()));
    assertEquals(8, conns.size());
  }

  record Run(TlsFacts facts, Streams.Sink sink) {}

  static Run run(int conn, TlsKeys keys, int piece) {
    TlsTracker t = new TlsTracker(new Streams.Control(), keys);
    Streams.Sink sink = new Streams.Sink();
    t.setDownstream(sink);
    Streams.feed(t, conns.get(conn), piece);
    t.onClose(0);
    return new Run(t.facts(-1), sink);
  }

  static TlsKeys keys() throws IOException {
    TlsKeys k = new TlsKeys();
    k.add(Files.readString(KEYLOG, StandardCharsets.ISO_8859_1));
    return k;
  }

  @Test
  void handshakeFactsWithoutKeys() {
    TlsFacts c0 = run(0, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals("complete", c0.handshake());
    assertEquals("TLS 1.3", c0.version());
    assertEquals("TLS_AES_256_GCM_SHA384", c0.cipherSuite()); // tshark: 0x1302
    assertEquals("connscope.test", c0.sni());
    assertEquals(List.of("http/1.1"), c0.alpnOffered());
    assertNull(c0.alpnChosen(), "TLS 1.3 ALPN is encrypted");
    assertEquals("none", c0.resumption());
    assertEquals("off", c0.decryption());
    assertEquals(1, c0.timing().roundTrips());
    assertEquals(4, c0.timing().clientHelloFrame());
    assertEquals(6, c0.timing().serverHelloFrame());
    assertTrue(c0.timing().clientFinishedInferred());
    assertTrue(c0.encryptedFlightBytes() > 400, "the encrypted flight holds the certificate");
    assertEquals(-1, c0.certificateChainBytes());

    TlsFacts c2 = run(2, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals("psk", c2.resumption()); // tshark: ServerHello extension 41
    assertTrue(c2.ticketOffered());
    assertTrue(
        c2.encryptedFlightBytes() < c0.encryptedFlightBytes(), "no certificate when resumed");

    TlsFacts c3 = run(3, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals("TLS 1.2", c3.version());
    assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", c3.cipherSuite()); // tshark: 0xc02c
    assertEquals("http/1.1", c3.alpnChosen());
    assertEquals("none", c3.resumption());
    assertEquals(431, c3.certificateChainBytes()); // tshark: tls.handshake.length 427 + 4
    assertEquals(2, c3.timing().roundTrips());
    assertFalse(c3.timing().clientFinishedInferred());
    assertEquals("complete", c3.handshake());

    TlsFacts c4 = run(4, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals("session_id", c4.resumption()); // tshark: ServerHello alone, no Certificate
    assertEquals(1, c4.timing().roundTrips());
    assertEquals(-1, c4.certificateChainBytes());

    TlsFacts c6 = run(5, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertTrue(c6.helloRetryRequest()); // tshark: the special ServerHello random
    assertEquals(2, c6.timing().roundTrips());
    assertEquals("complete", c6.handshake());

    TlsFacts c7 = run(6, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals("failed", c7.handshake());
    assertEquals(1, c7.alerts().size());
    assertEquals("protocol_version", c7.alerts().get(0).description()); // tshark: desc 70
    assertEquals("fatal", c7.alerts().get(0).level());
    assertEquals(108, c7.alerts().get(0).frame());
    assertTrue(c7.failure().contains("protocol_version"), c7.failure());
    assertNull(c7.version());
  }

  @Test
  void sameFactsWhateverTheCuts() throws IOException {
    for (int conn = 0; conn < conns.size(); conn++) {
      Run whole = run(conn, keys(), Integer.MAX_VALUE);
      for (int piece : new int[] {1, 2, 5, 7, 333}) {
        Run cut = run(conn, keys(), piece);
        assertEquals(whole.facts(), cut.facts(), "connection " + conn + " in pieces of " + piece);
        assertEquals(whole.sink().text(0), cut.sink().text(0));
        assertEquals(whole.sink().text(1), cut.sink().text(1));
      }
      Run keyless = run(conn, new TlsKeys(), 3);
      assertEquals(run(conn, new TlsKeys(), Integer.MAX_VALUE).facts(), keyless.facts());
    }
  }

  @Test
  void keylessViewPassesTheRawBytes() {
    Run r = run(0, new TlsKeys(), Integer.MAX_VALUE);
    int n = 0;
    for (Streams.Chunk c : conns.get(0)) {
      n += c.dir() == Direction.CLIENT ? c.data().length : 0;
    }
    assertEquals(n, r.sink().bytes[0].size());
    assertEquals(0x16, r.sink().bytes[0].toByteArray()[0]);
  }

  @Test
  void decryptsTls13AndTls12() throws IOException {
    Run c0 = run(0, keys(), Integer.MAX_VALUE);
    assertEquals("decrypted", c0.facts().decryption());
    assertEquals("http/1.1", c0.facts().alpnChosen()); // from the decrypted EncryptedExtensions
    assertEquals(434, c0.facts().certificateChainBytes()); // tshark with the key log: 430 + 4
    String req = c0.sink().text(0);
    assertTrue(req.startsWith("GET /a.txt HTTP/1.1\r\nHost: connscope.test:18160\r\n"), req);
    assertTrue(req.contains("GET /b.html HTTP/1.1\r\n"), req);
    String resp = c0.sink().text(1);
    assertTrue(resp.startsWith("HTTP/1.1 200 OK\r\n"), resp);
    assertTrue(resp.contains("line 0023 of a.txt, a small static file\n"), "the body of a.txt");

    Run c3 = run(3, keys(), Integer.MAX_VALUE); // TLS 1.2, ECDHE, AES-256-GCM
    assertEquals("decrypted", c3.facts().decryption());
    assertTrue(c3.sink().text(0).startsWith("GET /a.txt HTTP/1.1\r\n"));
    assertTrue(c3.sink().text(1).startsWith("HTTP/1.1 200 OK\r\n"));

    Run c4 =
        run(4, keys(), Integer.MAX_VALUE); // TLS 1.2 resumed: keys from the same master secret line
    assertTrue(c4.sink().text(0).startsWith("GET /c.bin HTTP/1.1\r\n"));
    String body = c4.sink().text(1);
    int at = body.indexOf("\r\n\r\n") + 4;
    byte[] bin = body.substring(at).getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(16384, bin.length);
    for (int i = 0; i < bin.length; i++) {
      assertEquals((byte) i, bin[i], "c.bin byte " + i);
    }

    Run h2 = run(7, keys(), Integer.MAX_VALUE);
    assertEquals("h2", h2.facts().alpnChosen());
    assertTrue(h2.sink().text(0).startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));

    Run hrr = run(5, keys(), Integer.MAX_VALUE);
    assertTrue(hrr.sink().text(0).startsWith("GET /a.txt HTTP/1.1\r\n"));
  }

  @Test
  void wrongKeyFallsBackToTheKeylessView() throws IOException {
    String log = Files.readString(KEYLOG, StandardCharsets.ISO_8859_1);
    // every secret changed in its last hex digit: right session, wrong key
    StringBuilder wrong = new StringBuilder();
    for (String line : log.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      char last = line.charAt(line.length() - 1);
      wrong.append(line, 0, line.length() - 1).append(last == '0' ? '1' : '0').append('\n');
    }
    TlsKeys k = new TlsKeys();
    k.add(wrong.toString());
    for (int conn : new int[] {0, 3}) {
      Run r = run(conn, k, Integer.MAX_VALUE);
      assertEquals("failed", r.facts().decryption(), "connection " + conn);
      assertTrue(
          r.facts().notes().stream().anyMatch(n -> n.contains("wrong key")),
          r.facts().notes().toString());
      byte[] got = r.sink().bytes[0].toByteArray();
      // the HTTP layer saw the client's first record header (a TLS signature), then raw
      // records, never plaintext
      assertArrayEquals(
          java.util.Arrays.copyOf(conns.get(conn).get(0).data(), 5),
          java.util.Arrays.copyOf(got, 5));
      assertFalse(r.sink().text(0).contains("HTTP/1.1"));
      assertFalse(r.sink().text(1).contains("HTTP/1.1"));
      assertEquals("complete", r.facts().handshake(), "the handshake facts stay");
    }
  }

  @Test
  void noKeyForTheConnection() throws IOException {
    TlsKeys other = new TlsKeys();
    other.add("CLIENT_RANDOM " + "00".repeat(32) + " " + "11".repeat(48) + "\n");
    Run r = run(0, other, Integer.MAX_VALUE);
    assertEquals("no_key", r.facts().decryption());
    assertEquals(0x16, r.sink().bytes[0].toByteArray()[0], "raw bytes pass");
  }

  @Test
  void aGapAcrossWholeRecordsResumesAfterThem() throws IOException {
    // the server's 1.3 keep-alive connection: drop its 4th chunk (the a.txt response record)
    List<Streams.Chunk> chunks = new ArrayList<>(conns.get(0));
    int drop = -1;
    int seen = 0;
    for (int i = 0; i < chunks.size(); i++) {
      if (chunks.get(i).dir() == Direction.SERVER && ++seen == 4) {
        drop = i;
        break;
      }
    }
    Streams.Chunk lost = chunks.get(drop);
    Run full = run(0, keys(), Integer.MAX_VALUE);
    TlsTracker t = new TlsTracker(new Streams.Control(), keys());
    Streams.Sink sink = new Streams.Sink();
    t.setDownstream(sink);
    for (int i = 0; i < chunks.size(); i++) {
      Streams.Chunk c = chunks.get(i);
      if (i == drop) {
        t.onGap(c.dir(), c.data().length, c.frame(), c.us());
        continue;
      }
      t.onData(c.dir(), ByteBuffer.wrap(c.data()), 0, c.data().length, c.frame(), c.us());
    }
    t.onClose(0);
    TlsFacts f = t.facts(-1);
    assertEquals("partial", f.decryption());
    // the chunk held whole records: their headers went with it, reading resumes at the next one
    assertTrue(
        f.notes().stream()
            .anyMatch(
                n ->
                    n.contains(lost.data().length + " bytes missing")
                        && n.contains("reading resumes at the next record header")),
        f.notes().toString());
    assertTrue(sink.events.contains("gap 1 " + lost.data().length));
    // what was delivered is the server's plaintext before the gap and after it: no garbage
    String whole = full.sink().text(1);
    String got = sink.text(1);
    int cut = commonPrefix(whole, got);
    assertTrue(got.length() > cut, "plaintext after the gap");
    assertTrue(whole.endsWith(got.substring(cut)), "the rest is the true plaintext's end");
    assertEquals(full.sink().text(0), sink.text(0), "the client's direction is whole");
  }

  @Test
  void aDamagedRecordHeaderStopsTheDirection() {
    List<Streams.Chunk> chunks = new ArrayList<>(conns.get(3));
    // the server's first chunk starts with the ServerHello record: make its type 0x63
    int at = -1;
    for (int i = 0; i < chunks.size(); i++) {
      if (chunks.get(i).dir() == Direction.SERVER) {
        at = i;
        break;
      }
    }
    Streams.Chunk c = chunks.get(at);
    byte[] bad = c.data().clone();
    bad[0] = 0x63;
    chunks.set(at, new Streams.Chunk(c.dir(), bad, c.frame(), c.us()));
    TlsTracker t = new TlsTracker(new Streams.Control(), new TlsKeys());
    Streams.Sink sink = new Streams.Sink();
    t.setDownstream(sink);
    Streams.feed(t, chunks, Integer.MAX_VALUE);
    t.onClose(0);
    TlsFacts f = t.facts(-1);
    assertNull(f.version(), "no ServerHello read");
    assertTrue(
        f.notes().stream().anyMatch(n -> n.contains("no TLS record header at offset 0")),
        f.notes().toString());
    assertEquals("incomplete", f.handshake());
  }

  @Test
  void otherProtocolsPassThrough() {
    TlsTracker t = new TlsTracker(new Streams.Control(), new TlsKeys());
    Streams.Sink sink = new Streams.Sink();
    t.setDownstream(sink);
    byte[] req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    t.onData(0, ByteBuffer.wrap(req), 0, req.length, 1, 1);
    t.onData(0, ByteBuffer.wrap(new byte[] {0x16, 3, 1}), 0, 3, 2, 2);
    t.onClose(3);
    assertNull(t.facts(-1));
    assertFalse(t.isTls());
    assertEquals(req.length + 3, sink.bytes[0].size());
  }

  @Test
  void decryptsEverySuiteOfTheSuitesSample() throws IOException {
    Map<Integer, List<Streams.Chunk>> byPort =
        Streams.read(Paths.get("samples", "tls-suites.pcap"));
    List<List<Streams.Chunk>> suites = new ArrayList<>(byPort.values());
    suites.sort(Comparator.comparingLong(l -> l.get(0).frame()));
    TlsKeys k = new TlsKeys();
    k.add(Files.readString(Paths.get("samples", "tls-suites.keylog"), StandardCharsets.ISO_8859_1));
    // tshark: the ServerHellos choose 0x1301 0x1303 0xc02b 0xcca9 0xc02f 0xcca8 0x009c 0x009d
    // 0xc009 0xc028 (both with the encrypt_then_mac extension) 0x003c (without)
    List<String> want =
        List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_RSA_WITH_AES_128_CBC_SHA256");
    assertEquals(want.size(), suites.size());
    for (int i = 0; i < suites.size(); i++) {
      TlsTracker t = new TlsTracker(new Streams.Control(), k);
      Streams.Sink sink = new Streams.Sink();
      t.setDownstream(sink);
      Streams.feed(t, suites.get(i), 11);
      t.onClose(0);
      TlsFacts f = t.facts(-1);
      assertEquals(want.get(i), f.cipherSuite());
      assertEquals("decrypted", f.decryption(), want.get(i));
      assertTrue(sink.text(0).startsWith("GET /a.txt HTTP/1.1\r\n"), want.get(i));
      assertTrue(sink.text(1).startsWith("HTTP/1.1 200 OK\r\n"), want.get(i));
      assertTrue(sink.text(1).endsWith("line 0023 of a.txt, a small static file\n"), want.get(i));
    }
  }

  /** samples/tls-legacy.pcap's 4 connections (TLS 1.1 and 1.0 CBC), in the order they opened. */
  private static List<List<Streams.Chunk>> legacy() throws IOException {
    Path pcap = Paths.get("samples", "tls-legacy.pcap");
    Map<Integer, List<Streams.Chunk>> byPort = Streams.read(pcap);
    List<List<Streams.Chunk>> l = new ArrayList<>(byPort.values());
    l.sort(Comparator.comparingLong(x -> x.get(0).frame()));
    return l;
  }

  private static TlsKeys legacyKeys(boolean wrong) throws IOException {
    String log =
        Files.readString(Paths.get("samples", "tls-legacy.keylog"), StandardCharsets.ISO_8859_1);
    TlsKeys k = new TlsKeys();
    if (wrong) { // the master secrets' last hex digit changed: right session, wrong key
      StringBuilder b = new StringBuilder();
      for (String line : log.split("\n")) {
        char last = line.charAt(line.length() - 1);
        b.append(line, 0, line.length() - 1).append(last == '0' ? '1' : '0').append('\n');
      }
      log = b.toString();
    }
    k.add(log);
    return k;
  }

  /**
   * TLS 1.1 (explicit IVs) and TLS 1.0 (IVs chained across records), AES-CBC with HMAC-SHA1, with
   * and without encrypt-then-MAC; keys from the TLS 1.0/1.1 PRF. tshark decrypts the same 8 GETs
   * (samples/expected/tls-legacy.tsv).
   */
  @Test
  void decryptsTls10And11Cbc() throws IOException {
    List<List<Streams.Chunk>> conns = legacy();
    List<String> want =
        List.of(
            "TLS 1.1 TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS 1.0 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS 1.1 TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS 1.0 TLS_RSA_WITH_AES_128_CBC_SHA");
    assertEquals(want.size(), conns.size());
    for (int piece : new int[] {7, 333, Integer.MAX_VALUE}) {
      for (int i = 0; i < conns.size(); i++) {
        TlsTracker t = new TlsTracker(new Streams.Control(), legacyKeys(false));
        Streams.Sink sink = new Streams.Sink();
        t.setDownstream(sink);
        Streams.feed(t, conns.get(i), piece);
        t.onClose(0);
        TlsFacts f = t.facts(-1);
        assertEquals(want.get(i), f.version() + " " + f.cipherSuite());
        assertEquals("decrypted", f.decryption(), want.get(i));
        String req = sink.text(0);
        String resp = sink.text(1);
        assertTrue(req.startsWith("GET /a.txt HTTP/1.1\r\n"), want.get(i));
        assertEquals(2, req.split("GET /a.txt HTTP/1.1\r\n", -1).length - 1, want.get(i));
        assertEquals(2, resp.split("HTTP/1.1 200 OK\r\n", -1).length - 1, want.get(i));
        assertTrue(resp.endsWith("line 0023 of a.txt, a small static file\n"), want.get(i));
      }
    }
  }

  @Test
  void aWrongKeyOnCbcFallsBackToTheKeylessView() throws IOException {
    for (List<Streams.Chunk> conn : legacy()) {
      TlsTracker t = new TlsTracker(new Streams.Control(), legacyKeys(true));
      Streams.Sink sink = new Streams.Sink();
      t.setDownstream(sink);
      Streams.feed(t, conn, Integer.MAX_VALUE);
      t.onClose(0);
      TlsFacts f = t.facts(-1);
      assertEquals("failed", f.decryption(), f.version());
      assertTrue(f.notes().stream().anyMatch(n -> n.contains("wrong key")), f.notes().toString());
      assertFalse(sink.text(0).contains("HTTP/1.1"));
      assertFalse(sink.text(1).contains("HTTP/1.1"));
    }
  }

  /**
   * A gap inside the first response record: TLS 1.1 loses that record only (the next carries its
   * IV); TLS 1.0 cannot decrypt the next (its IV was the lost record's last block), so the
   * direction stops, and no garbage reaches the HTTP layer either way.
   */
  @Test
  void aGapInsideACbcRecord() throws IOException {
    List<List<Streams.Chunk>> conns = legacy();
    for (int conn = 0; conn < conns.size(); conn++) {
      List<Streams.Chunk> chunks = conns.get(conn);
      int best = -1;
      int recAt = -1;
      int recLen = -1;
      for (int i = 0; i < chunks.size() && best < 0; i++) {
        Streams.Chunk c = chunks.get(i);
        byte[] b = c.data();
        for (int p = 0; c.dir() == Direction.SERVER && p + 5 <= b.length; ) {
          int n = (b[p + 3] & 0xFF) << 8 | (b[p + 4] & 0xFF);
          if (b[p] == 23 && n > 600 && p + 5 + n <= b.length) {
            best = i;
            recAt = p;
            recLen = n;
            break;
          }
          p += 5 + n;
        }
      }
      assertTrue(best >= 0, "connection " + conn + ": a response record");
      TlsTracker whole = new TlsTracker(new Streams.Control(), legacyKeys(false));
      Streams.Sink wholeSink = new Streams.Sink();
      whole.setDownstream(wholeSink);
      Streams.feed(whole, chunks, Integer.MAX_VALUE);
      whole.onClose(0);
      TlsTracker t = new TlsTracker(new Streams.Control(), legacyKeys(false));
      Streams.Sink sink = new Streams.Sink();
      t.setDownstream(sink);
      int from = recAt + 5 + 100;
      int to = recAt + 5 + recLen - 100;
      for (int i = 0; i < chunks.size(); i++) {
        Streams.Chunk x = chunks.get(i);
        if (i != best) {
          t.onData(x.dir(), ByteBuffer.wrap(x.data()), 0, x.data().length, x.frame(), x.us());
          continue;
        }
        t.onData(x.dir(), ByteBuffer.wrap(x.data()), 0, from, x.frame(), x.us());
        t.onGap(x.dir(), to - from, x.frame(), x.us());
        t.onData(x.dir(), ByteBuffer.wrap(x.data()), to, x.data().length - to, x.frame(), x.us());
      }
      t.onClose(0);
      TlsFacts f = t.facts(-1);
      assertEquals("partial", f.decryption(), "connection " + conn);
      String all = wholeSink.text(1);
      String got = sink.text(1);
      String second = all.substring(all.lastIndexOf("HTTP/1.1 200 OK\r\n"));
      if (f.version().equals("TLS 1.1")) {
        assertTrue(got.endsWith(second), "TLS 1.1: the next response decrypts");
      } else {
        assertFalse(got.contains("HTTP/1.1 200 OK"), "TLS 1.0: nothing after the lost record");
        assertEquals("", got);
      }
      assertEquals(wholeSink.text(0), sink.text(0), "the client's direction is whole");
    }
  }

  @Test
  void aGapInsideARecordLosesThatRecordOnly() throws IOException {
    for (int conn : new int[] {0, 4}) { // TLS 1.3 (a.txt then b.html), TLS 1.2 (c.bin: 2 records)
      List<Streams.Chunk> chunks = new ArrayList<>(conns.get(conn));
      // the server's application data records (loopback: chunks start on record boundaries):
      // the first one over 600 bytes that another application data record follows
      List<int[]> recs = new ArrayList<>(); // chunk, offset, length
      for (int i = 0; i < chunks.size(); i++) {
        Streams.Chunk c = chunks.get(i);
        if (c.dir() != Direction.SERVER) {
          continue;
        }
        byte[] b = c.data();
        for (int p = 0; p + 5 <= b.length; ) {
          assertEquals(3, b[p + 1], "chunk " + i + " has a record header at " + p);
          int n = (b[p + 3] & 0xFF) << 8 | (b[p + 4] & 0xFF);
          if (b[p] == 23 && p + 5 + n <= b.length) {
            recs.add(new int[] {i, p, n});
          }
          p += 5 + n;
        }
      }
      int pick = -1;
      for (int r = 0; r < recs.size() - 1 && pick < 0; r++) {
        if (recs.get(r)[2] > 600 && recs.get(r + 1)[2] > 100) {
          pick = r;
        }
      }
      assertTrue(pick >= 0, "connection " + conn + ": a record with another one after it");
      int best = recs.get(pick)[0];
      int recAt = recs.get(pick)[1];
      int recLen = recs.get(pick)[2];
      Streams.Chunk c = chunks.get(best);
      int from = recAt + 5 + 100;
      int to = Math.min(from + 1448, recAt + 5 + recLen - 50); // inside the record
      Run full = run(conn, keys(), Integer.MAX_VALUE);
      TlsTracker t = new TlsTracker(new Streams.Control(), keys());
      Streams.Sink sink = new Streams.Sink();
      t.setDownstream(sink);
      for (int i = 0; i < chunks.size(); i++) {
        Streams.Chunk x = chunks.get(i);
        if (i != best) {
          t.onData(x.dir(), ByteBuffer.wrap(x.data()), 0, x.data().length, x.frame(), x.us());
          continue;
        }
        t.onData(x.dir(), ByteBuffer.wrap(x.data()), 0, from, x.frame(), x.us());
        t.onGap(x.dir(), to - from, x.frame(), x.us());
        t.onData(x.dir(), ByteBuffer.wrap(x.data()), to, x.data().length - to, x.frame(), x.us());
      }
      t.onClose(0);
      TlsFacts f = t.facts(-1);
      assertEquals("partial", f.decryption(), "connection " + conn);
      assertTrue(
          f.notes().stream().anyMatch(n -> n.contains("inside a record: the record is lost")),
          f.notes().toString());
      assertEquals(full.facts().serverAppData(), f.serverAppData(), "every record still counted");
      // the HTTP layer got the plaintext before and after the lost record, and a gap of exactly
      // the lost record's plaintext in between
      String whole = full.sink().text(1);
      String got = sink.text(1);
      int plain = recLen - (f.version().equals("TLS 1.3") ? 17 : 24);
      assertEquals(whole.length() - plain, got.length(), "connection " + conn);
      assertTrue(sink.events.contains("gap 1 " + plain), sink.events.toString());
      int cut = commonPrefix(whole, got);
      assertTrue(got.length() - cut > 100, "plaintext after the lost record");
      assertEquals(
          whole.substring(cut + plain), got.substring(cut), "the records after it decrypt");
      assertEquals(full.sink().text(0), sink.text(0));
    }
  }

  private static int commonPrefix(String a, String b) {
    int i = 0;
    while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  @Test
  void exchangesInferredWithoutKeysMatchTheDecryptedTransactions() throws IOException {
    // connection 0: two GETs on one keep-alive connection; decrypted, tshark puts the requests
    // in frames 11 and 13 and the responses in 12 and 14
    TlsFacts keyless = run(0, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals(2, keyless.inferredExchangeCount());
    TlsFacts.Exchange a = keyless.inferredExchanges().get(0);
    TlsFacts.Exchange b = keyless.inferredExchanges().get(1);
    assertEquals(
        List.of(11L, 12L, 13L, 14L),
        List.of(
            a.requestFirstFrame(),
            a.responseFirstFrame(),
            b.requestFirstFrame(),
            b.responseFirstFrame()));
    assertEquals(1, a.requestRecords());
    assertTrue(a.waitUs() >= 0);
    // the decrypted request and response fit in those records: plaintext + 5 + 17 bytes each
    Run dec = run(0, keys(), Integer.MAX_VALUE);
    String req = dec.sink().text(0);
    int second = req.indexOf("GET /b.html");
    assertEquals(a.requestBytes(), second + 5 + 17);
    assertEquals(b.requestBytes(), req.length() - second + 5 + 17);
    assertTrue(
        dec.facts().inferredExchanges().isEmpty(), "decrypted HTTP/1.x: real transactions instead");
    // h2 with keys: still inferred (HTTP/2 is not parsed)
    assertTrue(run(7, keys(), Integer.MAX_VALUE).facts().inferredExchangeCount() >= 2);
  }

  @Test
  void damagedBytesNeverThrowNorBecomePlaintext() throws IOException {
    // every connection of the sample, with and without keys, with a few random bytes changed,
    // cut at random, with random gaps: no exception, facts always made, and the plaintext given
    // to the HTTP layer (with keys) is always a piece of the true plaintext or nothing
    java.util.Random rnd = new java.util.Random(16);
    TlsKeys keys = keys();
    for (int round = 0; round < Integer.getInteger("tls.damage.rounds", 400); round++) {
      int conn = rnd.nextInt(conns.size());
      boolean withKeys = rnd.nextBoolean();
      TlsTracker t = new TlsTracker(new Streams.Control(), withKeys ? keys : new TlsKeys());
      Streams.Sink sink = new Streams.Sink();
      t.setDownstream(sink);
      for (Streams.Chunk c : conns.get(conn)) {
        byte[] b = c.data().clone();
        if (rnd.nextInt(4) == 0) {
          for (int k = rnd.nextInt(3) + 1; k > 0; k--) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
          }
        }
        int p = 0;
        while (p < b.length) {
          int n = Math.min(b.length - p, 1 + rnd.nextInt(b.length));
          if (rnd.nextInt(20) == 0) {
            t.onGap(c.dir(), n, c.frame(), c.us());
          } else {
            t.onData(c.dir(), ByteBuffer.wrap(b), p, n, c.frame(), c.us());
          }
          p += n;
        }
      }
      t.onClose(0);
      TlsFacts f = t.facts(-1);
      assertTrue(f != null || !t.isTls(), "round " + round);
      if (withKeys && f != null && t.isTls()) {
        Run whole = run(conn, keys, Integer.MAX_VALUE);
        for (int dir = 0; dir < 2; dir++) {
          String got = sink.text(dir);
          boolean plaintext =
              "decrypted".equals(f.decryption()) || "partial".equals(f.decryption());
          if (plaintext && got.length() > 0) {
            // what was decrypted is authenticated: a piece of the true plaintext (pieces may
            // be missing where records were lost)
            String want = whole.sink().text(dir);
            String head = got.substring(0, Math.min(got.length(), 16));
            assertTrue(
                want.contains(head),
                "round "
                    + round
                    + " dir "
                    + dir
                    + " ("
                    + f.decryption()
                    + " "
                    + f.notes()
                    + "): "
                    + head);
          }
        }
      }
    }
  }

  @Test
  void aGapAcrossAHeaderResumesAtTheNextRecord() throws IOException {
    // connection 0 (TLS 1.3): lose the end of the server's third-last record, the whole header
    // and the start of the second-last: reading resumes with the last record (the b.html
    // response), found by its header and, with keys, by the sequence number that opens it
    List<Streams.Chunk> chunks = new ArrayList<>(conns.get(0));
    List<long[]> recs = new ArrayList<>(); // stream offset, length
    long offset = 0;
    for (Streams.Chunk c : chunks) {
      if (c.dir() != Direction.SERVER) {
        continue;
      }
      byte[] b = c.data();
      for (int p = 0; p + 5 <= b.length; ) {
        int n = (b[p + 3] & 0xFF) << 8 | (b[p + 4] & 0xFF);
        recs.add(new long[] {offset + p, n, b[p]});
        p += 5 + n;
      }
      offset += b.length;
    }
    long[] last = recs.get(recs.size() - 1);
    long[] before = recs.get(recs.size() - 2);
    long[] third = recs.get(recs.size() - 3);
    assertEquals(23, last[2]);
    long from = third[0] + 5 + third[1] / 2;
    long to = before[0] + 5 + before[1] / 2;
    for (boolean withKeys : new boolean[] {true, false}) {
      Run full = run(0, withKeys ? keys() : new TlsKeys(), Integer.MAX_VALUE);
      TlsTracker t = new TlsTracker(new Streams.Control(), withKeys ? keys() : new TlsKeys());
      Streams.Sink sink = new Streams.Sink();
      t.setDownstream(sink);
      long at = 0;
      for (Streams.Chunk c : chunks) {
        byte[] b = c.data();
        if (c.dir() != Direction.SERVER) {
          t.onData(c.dir(), ByteBuffer.wrap(b), 0, b.length, c.frame(), c.us());
          continue;
        }
        // this chunk's part before, inside and after [from, to)
        int a = (int) Math.max(0, Math.min(b.length, from - at));
        int z = (int) Math.max(0, Math.min(b.length, to - at));
        if (a > 0) {
          t.onData(c.dir(), ByteBuffer.wrap(b), 0, a, c.frame(), c.us());
        }
        if (z > a) {
          t.onGap(c.dir(), z - a, c.frame(), c.us());
        }
        if (b.length > z) {
          t.onData(c.dir(), ByteBuffer.wrap(b), z, b.length - z, c.frame(), c.us());
        }
        at += b.length;
      }
      t.onClose(0);
      TlsFacts f = t.facts(-1);
      assertTrue(
          f.notes().stream().anyMatch(n -> n.contains("reading resumes at the next record header")),
          f.notes().toString());
      if (!withKeys) {
        // the record cut at its end is counted (lostRecord), the one whose header was lost is not
        assertEquals(full.facts().serverAppData().records() - 1, f.serverAppData().records());
      } else {
        assertEquals("partial", f.decryption());
        String whole = full.sink().text(1);
        String tail = whole.substring(whole.lastIndexOf("HTTP/1.1 200 OK"));
        assertTrue(sink.text(1).endsWith(tail), "the b.html response decrypts after the gap");
      }
    }
  }

  @Test
  void pickedUpAfterTheHandshake() {
    // connection 0 from its first request on (frame 11): no handshake, records read, exchanges
    // inferred as with the handshake
    List<Streams.Chunk> late = conns.get(0).stream().filter(c -> c.frame() >= 11).toList();
    TlsTracker t = new TlsTracker(new Streams.Control(), new TlsKeys());
    Streams.Sink sink = new Streams.Sink();
    t.setDownstream(sink);
    Streams.feed(t, late, Integer.MAX_VALUE);
    t.onClose(0);
    TlsFacts f = t.facts(-1);
    assertEquals("not_seen", f.handshake());
    assertNull(f.version());
    assertEquals(2, f.inferredExchangeCount());
    TlsFacts whole = run(0, new TlsKeys(), Integer.MAX_VALUE).facts();
    assertEquals(whole.inferredExchanges(), f.inferredExchanges());
  }
}
