package io.connscope.capture.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.capture.nativeio.NativeBatch;
import io.connscope.cli.Main;
import io.connscope.common.Warnings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end on the loopback interface: a real HTTP server and real clients, captured with {@code
 * connscope capture} while they talk, once with the native batch reader and once with pcap4j's
 * per-packet loop. The live report must hold every transaction and the Nagle / delayed-ACK
 * findings, and {@code analyze} on the {@code -w} file must say the same.
 *
 * <p>Skips when live capture cannot work here (no libpcap, no capture rights, no {@code lo}).
 */
class LoopbackCaptureTest {
  private static final int POSTS = 5;
  private static final int GETS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @BeforeAll
  static void liveCaptureWorksHere() {
    LibpcapTest.assumeLoopbackCapture();
  }

  @ParameterizedTest(name = "native batch reader: {0}")
  @ValueSource(booleans = {true, false})
  void liveReportMatchesServerAndOfflineAnalysis(boolean nativeReader) throws Exception {
    try (HttpServer server = new HttpServer()) {
      Path pcap = tmp.resolve("live.pcap");
      Path report = tmp.resolve("live.json");
      StringBuffer err = new StringBuffer();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "capture",
                  "-i",
                  "lo",
                  "-f",
                  "tcp port " + server.port(),
                  "--duration",
                  "5s",
                  "-w",
                  pcap.toString(),
                  "--format",
                  "json",
                  "-o",
                  report.toString()));
      if (!nativeReader) {
        args.add("--no-native");
      }
      AtomicInteger code = new AtomicInteger(-1);
      Thread capture =
          new Thread(
              () ->
                  code.set(
                      Main.run(
                          args.toArray(new String[0]),
                          out,
                          new PrintWriter(new BufferWriter(err), true))));
      capture.start();
      long until = System.nanoTime() + 10_000_000_000L;
      while (!err.toString().contains("capturing on")
          && capture.isAlive()
          && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertTrue(err.toString().contains("capturing on"), err.toString());
      if (nativeReader && NativeBatch.load() != null) {
        assertTrue(err.toString().contains("native batch reader"), err.toString());
      } else if (!nativeReader) {
        assertTrue(err.toString().contains("pcap4j per-packet reader"), err.toString());
      }

      getClient(server.port());
      nagleClient(server.port());

      capture.join(30_000);
      assertFalse(capture.isAlive(), "capture must stop after --duration");
      assertEquals(0, code.get(), err.toString());
      assertTrue(err.toString().contains("packets dropped by kernel"), err.toString());

      JsonNode live = JSON.readTree(report.toFile());
      assertEquals("live", live.at("/capture/files/0/format").asText());
      assertEquals("lo", live.at("/capture/files/0/name").asText());
      JsonNode conns = live.get("connections");
      assertEquals(2, conns.size(), conns.toString());
      List<String> uris = new ArrayList<>();
      for (JsonNode c : conns) {
        for (JsonNode t : c.get("transactions")) {
          uris.add(
              t.get("method").asText()
                  + " "
                  + t.get("uri").asText()
                  + " "
                  + t.get("status").asInt());
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < GETS; i++) {
        expected.add("GET /get/" + i + " 200");
      }
      for (int i = 0; i < POSTS; i++) {
        expected.add("POST /upload/" + i + " 200");
      }
      assertEquals(new TreeSet<>(expected), new TreeSet<>(uris));
      assertEquals(expected.size(), uris.size());

      // Nagle held each POST body until the server's delayed ACK of the head: every request
      // after the first (Linux acks the first segments of a connection at once: quick-ack)
      String postConn = null;
      for (JsonNode c : conns) {
        if (c.at("/transactions/0/method").asText().equals("POST")) {
          postConn = c.get("id").asText();
        }
      }
      Set<String> types = new TreeSet<>();
      int stalls = 0;
      long occurrences = 0; // a report finding groups the occurrences of a problem on a pair
      for (JsonNode f : live.get("findings")) {
        types.add(f.get("type").asText());
        long n = f.has("occurrences") ? f.get("occurrences").get("count").asLong() : 1;
        occurrences += n;
        if (f.get("connection").asText().equals(postConn)
            && (f.get("type").asText().equals("tcp.nagle_delay")
                || f.get("type").asText().equals("tcp.delayed_ack_stall"))) {
          stalls += (int) n;
        }
      }
      assertTrue(
          types.contains("tcp.nagle_delay") || types.contains("tcp.delayed_ack_stall"),
          live.get("findings").toString());
      assertTrue(stalls >= POSTS - 2, "stalls on the POST connection: " + stalls + " " + types);
      // ...and they were printed as they came: one line per occurrence, before the end
      String printed = out.toString(StandardCharsets.UTF_8);
      assertEquals(occurrences, printed.lines().filter(l -> l.startsWith("[")).count(), printed);

      // the -w file analysed offline gives the same connections, transactions and findings
      Path offline = tmp.resolve("offline.json");
      StringBuffer err2 = new StringBuffer();
      int rc =
          Main.run(
              new String[] {
                "analyze", pcap.toString(), "--format", "json", "-o", offline.toString()
              },
              new ByteArrayOutputStream(),
              new PrintWriter(new BufferWriter(err2), true));
      assertEquals(0, rc, err2.toString());
      JsonNode file = JSON.readTree(offline.toFile());
      assertEquals(live.at("/capture/packets"), file.at("/capture/packets"));
      assertEquals(live.get("connections"), file.get("connections"));
      assertEquals(live.get("findings"), file.get("findings"));
      assertEquals(live.get("summary"), file.get("summary"));
    }
  }

  @org.junit.jupiter.api.Test
  void countStopsTheCaptureAndTheFileHoldsExactlyThosePackets() throws Exception {
    try (HttpServer server = new HttpServer()) {
      Path pcap = tmp.resolve("count.pcap");
      Path report = tmp.resolve("count.json");
      StringBuffer err = new StringBuffer();
      AtomicInteger code = new AtomicInteger(-1);
      Thread capture =
          new Thread(
              () ->
                  code.set(
                      Main.run(
                          new String[] {
                            "capture",
                            "-i",
                            "lo",
                            "-c",
                            "5",
                            "--duration",
                            "20s",
                            "-w",
                            pcap.toString(),
                            "--format",
                            "json",
                            "-o",
                            report.toString(),
                            "tcp",
                            "port",
                            String.valueOf(server.port())
                          },
                          new ByteArrayOutputStream(),
                          new PrintWriter(new BufferWriter(err), true))));
      capture.start();
      long until = System.nanoTime() + 10_000_000_000L;
      while (!err.toString().contains("capturing on")
          && capture.isAlive()
          && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      getClient(server.port()); // handshake, 3 requests, 3 responses, acks: well over 5 packets
      capture.join(15_000);
      assertFalse(capture.isAlive(), "capture must stop after 5 packets, long before 20 s");
      assertEquals(0, code.get(), err.toString());
      assertTrue(err.toString().contains("5 packets captured"), err.toString());
      assertEquals(5, JSON.readTree(report.toFile()).at("/capture/packets").asInt());
      try (io.connscope.capture.PacketSource f =
          io.connscope.capture.CaptureFiles.open(pcap, new Warnings())) {
        int n = 0;
        while (f.next()) {
          n++;
        }
        assertEquals(5, n);
      }
    }
  }

  /** GETs on one keep-alive connection with TCP_NODELAY: no finding expected. */
  private static void getClient(int port) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(5000);
      for (int i = 0; i < GETS; i++) {
        s.getOutputStream()
            .write(
                ("GET /get/" + i + " HTTP/1.1\r\nHost: lo\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        readResponse(s.getInputStream());
      }
    }
  }

  /**
   * POSTs on one keep-alive connection, TCP_NODELAY off, each written as head then body in two
   * writes (as samples/tools/client.py nagle does): Nagle holds the body until the head is acked.
   */
  private static void nagleClient(int port) throws IOException, InterruptedException {
    byte[] body = "k=v&".repeat(50).getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setTcpNoDelay(false);
      s.setSoTimeout(5000);
      OutputStream o = s.getOutputStream();
      for (int i = 0; i < POSTS; i++) {
        o.write(
            ("POST /upload/"
                    + i
                    + " HTTP/1.1\r\nHost: lo\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        o.write(body);
        readResponse(s.getInputStream());
        Thread.sleep(50);
      }
    }
  }

  /** Reads one response with a Content-Length body. */
  private static void readResponse(InputStream in) throws IOException {
    int len = HttpServer.readHead(in);
    in.readNBytes(len);
  }

  /** A small HTTP/1.1 server: answers each request, after reading all of it, in one write. */
  static final class HttpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<Socket> open = new ArrayList<>();

    HttpServer() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(this::acceptLoop, "test-http-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket c = socket.accept();
          synchronized (open) {
            open.add(c);
          }
          Thread t = new Thread(() -> serve(c), "test-http-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private static void serve(Socket c) {
      try (c) {
        InputStream in = c.getInputStream();
        while (true) {
          int len = readHead(in);
          if (len < 0) {
            return;
          }
          in.readNBytes(len);
          c.getOutputStream()
              .write(
                  ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                          + "Content-Length: 2\r\n\r\nok")
                      .getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException e) {
        // client went away
      }
    }

    /** Reads a message head; returns its Content-Length (0 when absent), -1 at end of stream. */
    static int readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return -1;
        }
        head.append((char) b);
      }
      for (String line : head.toString().split("\r\n")) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring(15).trim());
        }
      }
      return 0;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (open) {
        for (Socket s : open) {
          s.close();
        }
      }
    }
  }

  /** A Writer into a thread-safe buffer, to watch the capture's stderr from the test thread. */
  static final class BufferWriter extends Writer {
    private final StringBuffer buf;

    BufferWriter(StringBuffer buf) {
      this.buf = buf;
    }

    @Override
    public void write(char[] c, int off, int len) {
      buf.append(c, off, len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
