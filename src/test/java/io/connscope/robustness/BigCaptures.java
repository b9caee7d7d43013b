package io.connscope.robustness;

import io.connscope.capture.LinkType;
import io.connscope.capture.PcapWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the large synthetic captures the report-size measurements of docs/robustness.md use
 * ("Reports sized by problems"), so that they can be given to the launcher like any capture:
 *
 * <pre>
 * java -cp target/test-classes:target/classes io.connscope.robustness.BigCaptures half-open 1000000 /tmp/half-open.pcap
 * java -cp target/test-classes:target/classes io.connscope.robustness.BigCaptures unanswered 300000 /tmp/unanswered.pcap
 * </pre>
 *
 * <ul>
 *   <li>{@code half-open}: {@code n} connections from distinct tuples, each a SYN answered by a
 *       SYN-ACK and nothing more (never completed, never closed).
 *   <li>{@code unanswered}: {@code n} connections, each a full handshake, one {@code GET} the
 *       server acknowledges and never answers, then the client's FIN 30 s later, acknowledged.
 *   <li>{@code patterns}: {@code n} keep-alive connections from 500 client addresses (500
 *       client/server pairs), each with 3 answered {@code GET}s to distinct long paths made of
 *       Markdown and HTML syntax (an id in every path: 3n request patterns), the server answering
 *       after 0.05 to 400 ms; then both sides close.
 *   <li>{@code nagle}: 100 keep-alive connections with {@code n} transactions in all, each a POST
 *       whose head goes alone, the server's delayed ACK of it 40 ms later, the 16-byte body just
 *       after that ACK (Nagle held it) and the answer: {@code n} delayed-ACK stall occurrences.
 * </ul>
 *
 * Frames are 10 µs apart; clients are 10.x.y.z, the server 10.0.0.2:80.
 */
public final class BigCaptures {
  private static final int SERVER = Synth.ip(10, 0, 0, 2);

  private final Synth s = new Synth();
  private final PcapWriter w;
  private long ts = 1_700_000_000_000_000_000L;

  private BigCaptures(PcapWriter w) {
    this.w = w;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 3 && !(args.length == 4 && args[0].equals("nagle"))) {
      System.err.println(
          "usage: BigCaptures half-open|unanswered|patterns|nagle N OUT.pcap"
              + " (nagle: then the connections, 100 by default)");
      System.exit(2);
    }
    int n = Integer.parseInt(args[1]);
    int conns = args.length == 4 ? Integer.parseInt(args[3]) : 100;
    write(
        Path.of(args[2]),
        g -> {
          switch (args[0]) {
            case "half-open" -> g.halfOpen(n);
            case "unanswered" -> g.unanswered(n);
            case "patterns" -> g.patterns(n, 0);
            case "nagle" -> g.nagle(n, conns);
            default -> throw new IllegalArgumentException("unknown capture " + args[0]);
          }
        });
  }

  private void send(int src, int dst, int sp, int dp, long seq, long ack, int flags, byte[] p)
      throws IOException {
    ts += 10_000;
    s.tcp(src, dst, sp, dp, seq, ack, flags, p, 0, p == null ? 0 : p.length).write(w, ts);
  }

  private static int client(int i) {
    return Synth.ip(10, 1 + (i >>> 16), (i >>> 8) & 0xFF, i & 0xFF);
  }

  void halfOpen(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      int c = client(i);
      int cp = 1024 + (i % 50_000);
      send(c, SERVER, cp, 80, 1000, 0, Synth.SYN, null);
      send(SERVER, c, 80, cp, 5000, 1001, Synth.SYN | Synth.ACK, null);
    }
  }

  /**
   * Writes the {@code patterns} capture of {@code n} connections to {@code out}; {@code slower}
   * microseconds are added to every server delay (two captures that differ only there make a before
   * and after).
   */
  public static void patterns(int n, long slower, Path out) throws IOException {
    write(out, g -> g.patterns(n, slower));
  }

  void patterns(int n, long slower) throws IOException {
    String hostile = "/<script>x</script>|**b**|_u_|[l](j:a)|`c`|&amp;".repeat(4);
    byte[] resp = Synth.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    for (int i = 0; i < n; i++) {
      int c = client(i % 500);
      int cp = 1024 + (i % 50_000);
      send(c, SERVER, cp, 80, 1000, 0, Synth.SYN, null);
      send(SERVER, c, 80, cp, 5000, 1001, Synth.SYN | Synth.ACK, null);
      send(c, SERVER, cp, 80, 1001, 5001, Synth.ACK, null);
      long cs = 1001;
      long ss = 5001;
      for (int k = 0; k < 3; k++) {
        byte[] req =
            Synth.ascii(
                "GET /item/" + (3 * i + k) + hostile + "?q=" + k + " HTTP/1.1\r\nHost: x\r\n\r\n");
        send(c, SERVER, cp, 80, cs, ss, Synth.ACK | Synth.PSH, req);
        cs += req.length;
        ts += 50_000L + (i * 7919L + k * 104_729L) % 400_000_000L + slower * 1000; // server time
        send(SERVER, c, 80, cp, ss, cs, Synth.ACK | Synth.PSH, resp);
        ss += resp.length;
        send(c, SERVER, cp, 80, cs, ss, Synth.ACK, null);
      }
      send(c, SERVER, cp, 80, cs, ss, Synth.ACK | Synth.FIN, null);
      send(SERVER, c, 80, cp, ss, cs + 1, Synth.ACK | Synth.FIN, null);
      send(c, SERVER, cp, 80, cs + 1, ss + 1, Synth.ACK, null);
    }
  }

  /** Writes the {@code nagle} capture of {@code n} transactions to {@code out}. */
  public static void nagle(int n, Path out) throws IOException {
    nagle(n, 100, out);
  }

  /** As above, on {@code conns} connections instead of 100. */
  public static void nagle(int n, int conns, Path out) throws IOException {
    write(out, g -> g.nagle(n, conns));
  }

  void nagle(int n, int conns) throws IOException {
    Nagle g = new Nagle(conns);
    for (int t = 0; t < n; t++) {
      g.exchange(t % conns);
    }
  }

  /**
   * Writes a capture of {@code longConns} connections of {@code longEach} transactions each, taken
   * in turn, then {@code shortConns} of {@code shortEach}: {@link #nagle}'s exchanges, every
   * connection open to the end.
   */
  public static void staggered(int longConns, int longEach, int shortConns, int shortEach, Path out)
      throws IOException {
    write(
        out,
        g -> {
          Nagle n = g.new Nagle(longConns + shortConns);
          for (int t = 0; t < longConns * longEach; t++) {
            n.exchange(t % longConns);
          }
          for (int t = 0; t < shortConns * shortEach; t++) {
            n.exchange(longConns + t % shortConns);
          }
        });
  }

  /**
   * Connections opened together (client port 1024 + i), each exchange a request whose body waits 40
   * ms for the server's delayed ACK, then its response.
   */
  private final class Nagle {
    final byte[] head =
        Synth.ascii("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n");
    final byte[] body = Synth.ascii("0123456789abcdef");
    final byte[] resp = Synth.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    final long[] cs;
    final long[] ss;

    Nagle(int conns) throws IOException {
      cs = new long[conns];
      ss = new long[conns];
      for (int i = 0; i < conns; i++) {
        int c = client(i);
        send(c, SERVER, 1024 + i, 80, 1000, 0, Synth.SYN, null);
        send(SERVER, c, 80, 1024 + i, 5000, 1001, Synth.SYN | Synth.ACK, null);
        send(c, SERVER, 1024 + i, 80, 1001, 5001, Synth.ACK, null);
        cs[i] = 1001;
        ss[i] = 5001;
      }
    }

    void exchange(int i) throws IOException {
      int c = client(i);
      int cp = 1024 + i;
      send(c, SERVER, cp, 80, cs[i], ss[i], Synth.ACK | Synth.PSH, head);
      cs[i] += head.length;
      ts += 40_000_000L; // the server's delayed ACK
      send(SERVER, c, 80, cp, ss[i], cs[i], Synth.ACK, null);
      send(c, SERVER, cp, 80, cs[i], ss[i], Synth.ACK | Synth.PSH, body);
      cs[i] += body.length;
      send(SERVER, c, 80, cp, ss[i], cs[i], Synth.ACK | Synth.PSH, resp);
      ss[i] += resp.length;
      send(c, SERVER, cp, 80, cs[i], ss[i], Synth.ACK, null);
    }
  }

  /** Writes the {@code unanswered} capture of {@code n} connections to {@code out}. */
  public static void unanswered(int n, Path out) throws IOException {
    write(out, g -> g.unanswered(n));
  }

  /** What writes one capture's frames. */
  private interface Frames {
    void to(BigCaptures g) throws IOException;
  }

  /** A pcap file {@code out} of the frames {@code frames} writes. */
  private static void write(Path out, Frames frames) throws IOException {
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
        PcapWriter pw = new PcapWriter(o, LinkType.ETHERNET, 65535, false)) {
      frames.to(new BigCaptures(pw));
    }
  }

  void unanswered(int n) throws IOException {
    byte[] req = Synth.ascii("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
    // connections overlap in groups of 1,000: open, request, acknowledged, then closed 30 s later
    int group = 1000;
    for (int base = 0; base < n; base += group) {
      int end = Math.min(n, base + group);
      for (int i = base; i < end; i++) {
        int c = client(i);
        int cp = 1024 + (i % 50_000);
        send(c, SERVER, cp, 80, 1000, 0, Synth.SYN, null);
        send(SERVER, c, 80, cp, 5000, 1001, Synth.SYN | Synth.ACK, null);
        send(c, SERVER, cp, 80, 1001, 5001, Synth.ACK, null);
        send(c, SERVER, cp, 80, 1001, 5001, Synth.ACK | Synth.PSH, req);
        send(SERVER, c, 80, cp, 5001, 1001 + req.length, Synth.ACK, null);
      }
      ts += 30_000_000_000L;
      for (int i = base; i < end; i++) {
        int c = client(i);
        int cp = 1024 + (i % 50_000);
        long fin = 1001 + req.length;
        send(c, SERVER, cp, 80, fin, 5001, Synth.ACK | Synth.FIN, null);
        send(SERVER, c, 80, cp, 5001, fin + 1, Synth.ACK | Synth.FIN, null);
        send(c, SERVER, cp, 80, fin + 1, 5002, Synth.ACK, null);
      }
    }
  }
}
