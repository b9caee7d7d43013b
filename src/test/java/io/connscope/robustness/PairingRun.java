package io.connscope.robustness;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.capture.CaptureInfo;
import io.connscope.common.Addresses;
import io.connscope.common.Direction;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.robustness.DamageFrames.Dirs;
import io.connscope.robustness.DamageFrames.Frame;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * connscope's whole pipeline ({@link Analysis}, as {@code analyze} runs it) over a frame list held
 * in memory, reduced to what pairing is judged on: every transaction of every connection (those
 * streamed through {@link AnalysisSink#transaction} and those still held at the close), each
 * message identified by its direction and the unwrapped sequence number of its first byte, so that
 * a message is the same in a clean and a damaged capture whatever the damage did to stream offsets.
 */
final class PairingRun {
  /** A message: direction id ({@link Dirs}) and unwrapped sequence number of its first byte. */
  record Msg(int dir, long seq) {}

  /** One transaction as connscope reported it. */
  record Tx(int conn, Transaction t, Msg req, Msg resp) {
    /** A request paired with a final response. */
    boolean paired() {
      return req != null && resp != null && !t.orphanResponse();
    }
  }

  final List<Tx> txs = new ArrayList<>();

  /** Direction ids from client to server of every connection (current roles at the close). */
  final List<Integer> clientDirs = new ArrayList<>();

  /** The exception the pipeline threw, with its stack trace, or null. */
  String crash;

  static PairingRun of(List<Frame> frames, Dirs dirs) {
    PairingRun run = new PairingRun();
    Map<ConnectionId, List<Transaction>> streamed = new IdentityHashMap<>();
    AnalysisSink sink =
        new AnalysisSink() {
          @Override
          public void transaction(ConnectionId c, Transaction t, TransactionResult result) {
            streamed.computeIfAbsent(c, k -> new ArrayList<>()).add(t);
          }

          @Override
          public void connection(ConnectionRecord r) {
            run.add(r, streamed.remove(r.tcp()), dirs);
          }

          @Override
          public void finding(Finding finding) {}

          @Override
          public void finish(CaptureTotals capture) {}
        };
    try {
      Analysis a = new Analysis(new AnalysisConfig(), sink);
      CaptureInfo info = new CaptureInfo();
      for (Frame f : frames) {
        info.timestampNanos = f.tsNanos();
        info.capturedLength = f.capLen();
        info.wireLength = f.wireLen();
        info.interfaceId = f.interfaceId();
        info.linkType = f.linkType();
        a.accept(info, ByteBuffer.wrap(f.data()), 0);
      }
      a.finish();
    } catch (Throwable t) {
      StringWriter sw = new StringWriter();
      t.printStackTrace(new PrintWriter(sw));
      run.crash = sw.toString();
    }
    return run;
  }

  private void add(ConnectionRecord r, List<Transaction> streamedTxs, Dirs dirs) {
    Connection c = r.tcp();
    int conn = clientDirs.size();
    int c2s =
        dirs.id(
            new Dirs.Key(
                c.clientAddrHi(),
                c.clientAddrLo(),
                c.clientPort(),
                c.serverAddrHi(),
                c.serverAddrLo(),
                c.serverPort()));
    clientDirs.add(c2s);
    List<Transaction> all = new ArrayList<>();
    Set<Transaction> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    if (streamedTxs != null) {
      for (Transaction t : streamedTxs) {
        if (seen.add(t)) {
          all.add(t);
        }
      }
    }
    if (r.http() != null) {
      for (Transaction t : r.http().transactions()) {
        if (seen.add(t)) {
          all.add(t);
        }
      }
    }
    all.sort(Comparator.comparingInt(Transaction::index));
    // stream offset 0 is ISN + 1 of each direction (the ISN a mid-stream start assumed, too)
    long clientBase = c.half(Direction.CLIENT).isn() + 1;
    long serverBase = c.half(Direction.SERVER).isn() + 1;
    for (Transaction t : all) {
      Msg req =
          t.requestOffset() >= 0
              ? new Msg(c2s, dirs.unwrap(c2s, clientBase + t.requestOffset()))
              : null;
      Msg resp =
          t.responseOffset() >= 0
              ? new Msg(c2s ^ 1, dirs.unwrap(c2s ^ 1, serverBase + t.responseOffset()))
              : null;
      txs.add(new Tx(conn, t, req, resp));
    }
  }

  /** "client > server" of direction {@code dir}, for messages. */
  static String endpoints(Dirs dirs, int dir) {
    Dirs.Key k = dirs.key(dir);
    return Addresses.format(k.srcHi(), k.srcLo())
        + ":"
        + k.srcPort()
        + " > "
        + Addresses.format(k.dstHi(), k.dstLo())
        + ":"
        + k.dstPort();
  }
}
