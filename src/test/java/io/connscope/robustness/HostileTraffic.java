package io.connscope.robustness;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.common.Warnings;
import io.connscope.report.JsonReportWriter;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Hostile traffic generated on the fly and streamed into the real pipeline (Analysis and the JSON
 * report, written to a byte counter), with default options except {@link #config()}. Run in its own
 * JVM with a small heap by {@link HostileTrafficTest}: the process finishing at all proves the heap
 * ceiling. Prints {@code code=count} for every warning, the report size and the peak heap, one per
 * line.
 *
 * <p>Usage: {@code java -Xmx96m -cp TEST_CLASSPATH io.connscope.robustness.HostileTraffic SCENARIO
 * [SCALE]} with SCENARIO one of {@code connections}, {@code ooo}, {@code header-line}, {@code
 * start-line}, {@code pipeline}, {@code chunks}; SCALE multiplies the volume (default 1).
 */
public final class HostileTraffic {
  static final int CLIENT = Synth.ip(10, 0, 0, 1);
  static final int SERVER = Synth.ip(10, 0, 0, 2);

  private final Synth s = new Synth();
  private final Analysis analysis;
  private long ts = 1_700_000_000_000_000_000L;

  HostileTraffic(Analysis analysis) {
    this.analysis = analysis;
  }

  /** Open connections kept in the small-heap runs (default 200,000). */
  static final int MAX_CONNECTIONS = 8_000;

  /** Out-of-order bytes buffered over all connections in the small-heap runs (default 128 MiB). */
  static final long MAX_BUFFERED_TOTAL = 16L << 20;

  /** Timeline entries over all connections in the small-heap runs (default 4,000,000). */
  static final long MAX_TIMELINE_TOTAL = 250_000;

  /** Final transactions kept for the close over all open connections, beyond 16 each. */
  static final long MAX_KEPT_TOTAL = 10_000;

  /**
   * The defaults, except the three limits whose memory is proportional to their value and whose
   * defaults are sized for a default JVM heap, not for 96 MiB (see docs/robustness.md).
   */
  static AnalysisConfig config() {
    AnalysisConfig c = new AnalysisConfig();
    c.tcp.maxConnections = MAX_CONNECTIONS;
    c.tcp.maxBufferedBytesTotal = MAX_BUFFERED_TOTAL;
    c.tcp.maxTimelineEntriesTotal = MAX_TIMELINE_TOTAL;
    c.http.maxTransactionsKeptTotal(MAX_KEPT_TOTAL);
    return c;
  }

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    double scale = args.length > 1 ? Double.parseDouble(args[1]) : 1;
    // optional: "cross-thread" (the cross stage and the sink on a thread of their own, as analyze
    // runs with one analysis thread and two processors) and the open connections kept
    boolean crossThread = args.length > 2 && args[2].equals("cross-thread");
    AnalysisConfig config = config();
    if (args.length > 3) {
      config.tcp.maxConnections = Integer.parseInt(args[3]);
    }
    CountingStream out = new CountingStream();
    Analysis a =
        new Analysis(
            config,
            new io.connscope.analysis.ResultBuilder(new JsonReportWriter(out, "test"), config.http),
            1,
            crossThread);
    HostileTraffic h = new HostileTraffic(a);
    long start = System.nanoTime();
    switch (scenario) {
      case "connections" -> h.connections((int) (1_000_000 * scale));
      case "ooo" -> h.outOfOrder((int) (400 * scale));
      case "header-line" -> h.hugeLine(false, (long) ((1L << 30) * scale));
      case "start-line" -> h.hugeLine(true, (long) ((1L << 30) * scale));
      case "pipeline" -> h.pipeline((int) (2_000_000 * scale));
      case "chunks" -> h.chunks((int) (200_000 * scale));
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    }
    a.finish();
    Warnings w = a.warnings();
    for (Map.Entry<String, Warnings.Entry> e : w.entries().entrySet()) {
      System.out.println(e.getKey() + "=" + e.getValue().count());
    }
    System.out.println("packets=" + a.packets());
    System.out.println("report_bytes=" + out.n);
    System.out.println("max_heap_mib=" + Runtime.getRuntime().maxMemory() / (1 << 20));
    System.out.printf(Locale.ROOT, "seconds=%.1f%n", (System.nanoTime() - start) / 1e9);
  }

  private void send(
      int src, int dst, int sp, int dp, long seq, long ack, int flags, byte[] p, int off, int len) {
    ts += 10_000; // 10 µs apart
    s.tcp(src, dst, sp, dp, seq, ack, flags, p, off, len).feed(analysis, ts);
  }

  /**
   * Handshake of a connection from client port {@code cp}; the client ISN is 1000, the server's
   * 5000.
   */
  private void handshake(int client, int cp) {
    send(client, SERVER, cp, 80, 1000, 0, Synth.SYN, null, 0, 0);
    send(SERVER, client, 80, cp, 5000, 1001, Synth.SYN | Synth.ACK, null, 0, 0);
    send(client, SERVER, cp, 80, 1001, 5001, Synth.ACK, null, 0, 0);
  }

  /**
   * {@code n} connections opened and never closed: a SYN flood from distinct tuples, every tenth
   * one completing its handshake and sending a request that is never answered.
   */
  void connections(int n) {
    byte[] req = Synth.ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < n; i++) {
      int client = Synth.ip(10, 1 + (i >>> 16), (i >>> 8) & 0xFF, i & 0xFF);
      int cp = 1024 + (i % 50_000);
      if (i % 10 == 0) {
        handshake(client, cp);
        send(client, SERVER, cp, 80, 1001, 5001, Synth.ACK | Synth.PSH, req, 0, req.length);
      } else {
        send(client, SERVER, cp, 80, 1000, 0, Synth.SYN, null, 0, 0);
      }
    }
  }

  /**
   * {@code conns} connections, each sending an endless run of segments past a hole that never fills
   * (the byte at 1001 is never sent), 64 MiB per connection.
   */
  void outOfOrder(int conns) {
    byte[] data = new byte[16_384];
    Arrays.fill(data, (byte) 'x');
    for (int c = 0; c < conns; c++) {
      handshake(CLIENT, 2000 + c);
    }
    long perConn = 64L << 20;
    for (long off = 0; off < perConn; off += data.length) {
      for (int c = 0; c < conns; c++) {
        send(CLIENT, SERVER, 2000 + c, 80, 1002 + off, 5001, Synth.ACK, data, 0, data.length);
      }
    }
  }

  /**
   * One request whose start line, or one header line, is {@code bytes} long, in 32 KiB segments.
   */
  void hugeLine(boolean startLine, long bytes) {
    handshake(CLIENT, 3000);
    byte[] head = Synth.ascii(startLine ? "GET /" : "GET / HTTP/1.1\r\nX-Long: ");
    long seq = 1001;
    send(CLIENT, SERVER, 3000, 80, seq, 5001, Synth.ACK, head, 0, head.length);
    seq += head.length;
    byte[] data = new byte[32_768];
    Arrays.fill(data, (byte) 'a');
    for (long sent = 0; sent < bytes; sent += data.length) {
      send(CLIENT, SERVER, 3000, 80, seq, 5001, Synth.ACK, data, 0, data.length);
      seq += data.length;
    }
    byte[] tail = Synth.ascii(" HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
    send(CLIENT, SERVER, 3000, 80, seq, 5001, Synth.ACK, tail, 0, tail.length);
    byte[] resp = Synth.ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    send(SERVER, CLIENT, 80, 3000, 5001, seq + tail.length, Synth.ACK, resp, 0, resp.length);
  }

  /** {@code n} pipelined requests on one connection that never get a response. */
  void pipeline(int n) {
    handshake(CLIENT, 4000);
    byte[] one = Synth.ascii("GET /p HTTP/1.1\r\nHost: x\r\n\r\n");
    int per = 32_768 / one.length;
    byte[] data = new byte[per * one.length];
    for (int i = 0; i < per; i++) {
      System.arraycopy(one, 0, data, i * one.length, one.length);
    }
    long seq = 1001;
    for (int sent = 0; sent < n; sent += per) {
      send(CLIENT, SERVER, 4000, 80, seq, 5001, Synth.ACK, data, 0, data.length);
      seq += data.length;
    }
  }

  /**
   * Responses whose chunk sizes are near or beyond 2^62 and 2^64, and a chunk of 2^62 - 1 bytes
   * followed by 4 GiB of gaps, over {@code n} request/response pairs on one connection.
   */
  void chunks(int n) {
    handshake(CLIENT, 5000);
    String[] sizes = {
      "FFFFFFFFFFFFFFFF",
      "10000000000000000",
      "7FFFFFFFFFFFFFFF",
      "4000000000000001",
      "-1",
      "0x10",
      "1;" + "e".repeat(2000),
      "00000000000000000003"
    };
    byte[] req = Synth.ascii("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
    long cseq = 1001;
    long sseq = 5001;
    for (int i = 0; i < n; i++) {
      send(CLIENT, SERVER, 5000, 80, cseq, sseq, Synth.ACK, req, 0, req.length);
      cseq += req.length;
      byte[] resp =
          Synth.ascii(
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + sizes[i % sizes.length]
                  + "\r\nabc\r\n0\r\n\r\n");
      send(SERVER, CLIENT, 80, 5000, sseq, cseq, Synth.ACK, resp, 0, resp.length);
      sseq += resp.length;
    }
    // a chunk just under the 2^62 limit, then the data skips 4 GiB at a time (gaps inside it)
    byte[] req2 = Synth.ascii("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    send(CLIENT, SERVER, 5000, 80, cseq, sseq, Synth.ACK, req2, 0, req2.length);
    byte[] resp =
        Synth.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3FFFFFFFFFFFFFFF\r\n");
    send(SERVER, CLIENT, 80, 5000, sseq, cseq, Synth.ACK, resp, 0, resp.length);
    sseq += resp.length;
    byte[] data = new byte[1000];
    for (int i = 0; i < 64; i++) {
      sseq += 1L << 31; // wraps modulo 2^32: every segment is far ahead or behind
      send(SERVER, CLIENT, 80, 5000, sseq & 0xFFFFFFFFL, cseq, Synth.ACK, data, 0, data.length);
    }
  }

  /** Discards the report, counting its bytes. */
  static final class CountingStream extends OutputStream {
    long n;

    @Override
    public void write(int b) {
      n++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      n += len;
    }
  }
}
