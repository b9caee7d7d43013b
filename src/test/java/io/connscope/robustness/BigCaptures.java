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
    if (args.length != 3) {
      System.err.println("usage: BigCaptures half-open|unanswered N OUT.pcap");
      System.exit(2);
    }
    int n = Integer.parseInt(args[1]);
    try (OutputStream out =
            new BufferedOutputStream(Files.newOutputStream(Path.of(args[2])), 1 << 20);
        PcapWriter pw = new PcapWriter(out, LinkType.ETHERNET, 65535, false)) {
      BigCaptures g = new BigCaptures(pw);
      switch (args[0]) {
        case "half-open" -> g.halfOpen(n);
        case "unanswered" -> g.unanswered(n);
        default -> throw new IllegalArgumentException("unknown capture " + args[0]);
      }
    }
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
