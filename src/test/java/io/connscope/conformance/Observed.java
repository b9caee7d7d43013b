package io.connscope.conformance;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Addresses;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.tcp.Connection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What connscope's pipeline makes of one capture, reduced to what peers can be compared on: per
 * connection the client and server endpoints and the transactions (method, uri, status, depth).
 */
final class Observed {
  /**
   * One transaction as the peers see it. {@code method} is null for an orphan response. Frames are
   * those of the first and last byte of each message, -1 when the message was not seen.
   */
  record Tx(
      String method,
      String uri,
      int status,
      List<Integer> interim,
      int depth,
      String host,
      String version,
      String userAgent,
      long responseBodyBytes,
      String responseVersion,
      long requestFirstFrame,
      long requestLastFrame,
      long responseFirstFrame,
      long responseLastFrame) {}

  /**
   * One TCP connection. Endpoints are {@code ip:port} (IPv6 addresses unbracketed); frames are the
   * connection's first and last.
   */
  record Conn(
      String clientIp,
      int clientPort,
      String serverIp,
      int serverPort,
      boolean http,
      List<Tx> txs,
      long firstFrame,
      long lastFrame) {
    String client() {
      return clientIp + ":" + clientPort;
    }

    String server() {
      return serverIp + ":" + serverPort;
    }
  }

  final List<Conn> conns = new ArrayList<>();

  /** The exception (with stack trace) the pipeline threw, or null. */
  String crash;

  /** Whatever the pipeline wrote to System.err (a stack trace printed and swallowed, say). */
  String stderr = "";

  List<Tx> allTxs() {
    List<Tx> out = new ArrayList<>();
    for (Conn c : conns) {
      out.addAll(c.txs);
    }
    return out;
  }

  /**
   * The TLS key log that goes with a capture: NAME.keylog beside NAME.pcap (the HTTPS samples of
   * samples/record-tls.sh), or null. Both tshark and connscope decrypt with it.
   */
  static Path keylogOf(Path capture) {
    String n = capture.getFileName().toString();
    int dot = n.lastIndexOf('.');
    Path k = capture.resolveSibling((dot < 0 ? n : n.substring(0, dot)) + ".keylog");
    return java.nio.file.Files.isRegularFile(k) ? k : null;
  }

  /** Runs the whole pipeline over {@code file}; never throws. */
  static Observed of(Path file) {
    Observed o = new Observed();
    AnalysisSink sink =
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord r) {
            o.conns.add(reduce(r));
          }

          @Override
          public void finding(Finding finding) {}

          @Override
          public void finish(CaptureTotals capture) {}
        };
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      AnalysisConfig config = new AnalysisConfig();
      Path keylog = keylogOf(file);
      if (keylog != null) {
        config.tlsKeys.add(java.nio.file.Files.readString(keylog, StandardCharsets.ISO_8859_1));
      }
      Analysis a = new Analysis(config, sink);
      try (PacketSource src = CaptureFiles.open(file, a.warnings())) {
        a.read(src, CaptureFiles.formatOf(src), null);
      }
      a.finish();
    } catch (Throwable t) {
      StringWriter sw = new StringWriter();
      t.printStackTrace(new PrintWriter(sw));
      o.crash = sw.toString();
    } finally {
      System.setErr(oldErr);
    }
    o.stderr = err.toString(StandardCharsets.UTF_8);
    return o;
  }

  private static Conn reduce(ConnectionRecord r) {
    Connection c = r.tcp();
    List<Tx> txs = new ArrayList<>();
    boolean http = r.http() != null && r.http().isHttp();
    if (r.http() != null) {
      for (Transaction t : r.http().transactions()) {
        txs.add(
            new Tx(
                t.method(),
                t.uri(),
                t.status(),
                t.interimStatuses(),
                t.depth(),
                t.requestHeaders().get("host"),
                t.requestVersion(),
                t.requestHeaders().get("user-agent"),
                t.responseBodyBytes(),
                t.responseVersion(),
                t.requestFirstFrame(),
                t.requestLastFrame(),
                t.responseFirstFrame(),
                t.responseLastFrame()));
      }
    }
    return new Conn(
        Addresses.format(c.clientAddrHi(), c.clientAddrLo()),
        c.clientPort(),
        Addresses.format(c.serverAddrHi(), c.serverAddrLo()),
        c.serverPort(),
        http,
        List.copyOf(txs),
        c.firstFrame(),
        c.lastFrame());
  }
}
