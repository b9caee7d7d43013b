package io.connscope.spark;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.ResultBuilder;
import io.connscope.analysis.TuningOptions;
import io.connscope.capture.CaptureInfo;
import io.connscope.report.JsonReportWriter;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.PairSummary;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.spark.Parts.Frame;
import io.connscope.spark.Parts.FrameKey;
import io.connscope.spark.Parts.HostPair;
import io.connscope.spark.Parts.Out;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import scala.Tuple2;

/**
 * Stages 2 and 3 for the host pairs of one partition: each host pair's frames, in global frame
 * order, go through the very pipeline of {@code analyze} ({@link Analysis}: reassembly, TLS, HTTP
 * pairing, the per-connection detectors, then at its end the cross-connection ones for the
 * client/server pairs between the two hosts, and {@link ResultBuilder}'s grouping per pair). Frame
 * numbers, the capture's start and connection ids are those of the whole set, so the records are
 * those {@code analyze} gives for the same connections.
 *
 * <p>Two passes read the same sorted shuffle output: {@link #starts} runs only the TCP connection
 * table, to learn at which frame each connection is created (the driver ranks them into ids), and
 * {@link #results} runs the whole analysis with those ids. Both hand their outputs over host pair
 * by host pair as Spark reads them: memory is that of one host pair's open connections (as in
 * {@code analyze}) and records, whatever the size of the partition.
 */
final class PairAnalysis {
  private PairAnalysis() {}

  /** The creation frames of the connections of every host pair in {@code frames}. */
  static Iterator<Long> starts(
      Iterator<Tuple2<FrameKey, Frame>> frames, long startNanos, TuningOptions tuning) {
    // no TLS keys: the connection table does not depend on decryption (but on the table's options)
    List<Long> out = new ArrayList<>();
    return perPair(
        frames,
        pair -> {
          out.clear();
          Analysis a = Analysis.connectionsOnly(tuning.toConfig(), out::add);
          a.assignConnectionIds(f -> f);
          a.captureStart(startNanos);
          return a;
        },
        (a, pair) -> {
          a.finish();
          return List.copyOf(out);
        });
  }

  /**
   * The result rows of every host pair in {@code frames}, and for each a JSON report of its own
   * records when {@code report}; {@code starts}: every connection's creation frame, sorted.
   */
  static Iterator<Out> results(
      Iterator<Tuple2<FrameKey, Frame>> frames,
      long startNanos,
      TuningOptions tuning,
      long[] starts,
      boolean report,
      String version,
      List<String> keyLog) {
    Collector[] current = new Collector[1];
    return perPair(
        frames,
        pair -> {
          current[0] = new Collector();
          AnalysisConfig config = tuning.toConfig(); // the capture filter ran in stage 1
          for (String text : keyLog) {
            config.tlsKeys.add(text);
          }
          Analysis a = new Analysis(config, new ResultBuilder(current[0]));
          a.assignConnectionIds(
              f -> {
                int i = Arrays.binarySearch(starts, f);
                if (i < 0) {
                  throw new IllegalStateException("no id for the connection created at frame " + f);
                }
                return i + 1;
              });
          a.captureStart(startNanos);
          return a;
        },
        (a, pair) -> {
          a.finish();
          List<Out> out = new ArrayList<>();
          current[0].emit(out, report, version);
          current[0] = null;
          return out;
        });
  }

  /** What a host pair's analysis gives when its last frame has been read. */
  private interface PairEnd<T> {
    List<T> end(Analysis a, HostPair pair);
  }

  /**
   * The outputs of each host pair of {@code frames} (sorted by host pair, then frame), host pair by
   * host pair, as the consumer asks for them: a task holds one host pair's analysis and outputs at
   * a time, never its partition's.
   */
  private static <T> Iterator<T> perPair(
      Iterator<Tuple2<FrameKey, Frame>> frames,
      Function<HostPair, Analysis> start,
      PairEnd<T> end) {
    return new Iterator<T>() {
      private final CaptureInfo info = new CaptureInfo();
      private Iterator<T> outputs = Collections.emptyIterator();
      private Tuple2<FrameKey, Frame> pending; // the first frame of the next host pair

      @Override
      public boolean hasNext() {
        while (!outputs.hasNext()) {
          if (pending == null && !frames.hasNext()) {
            return false;
          }
          outputs = nextPair().iterator();
        }
        return true;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return outputs.next();
      }

      private List<T> nextPair() {
        Tuple2<FrameKey, Frame> t = pending != null ? pending : frames.next();
        pending = null;
        HostPair pair = t._1().pair;
        Analysis a = start.apply(pair);
        while (true) {
          feed(a, t);
          if (!frames.hasNext()) {
            break;
          }
          t = frames.next();
          if (!pair.equals(t._1().pair)) {
            pending = t;
            break;
          }
        }
        return end.end(a, pair);
      }

      private void feed(Analysis a, Tuple2<FrameKey, Frame> t) {
        Frame f = t._2();
        info.frameNumber = t._1().frame;
        info.timestampNanos = f.tsNanos;
        info.capturedLength = f.data.length;
        info.wireLength = f.wireLength;
        info.interfaceId = f.interfaceId;
        info.linkType = f.linkType;
        a.acceptNumbered(info, ByteBuffer.wrap(f.data), 0);
      }
    };
  }

  /**
   * The records handed over by a result builder (one host pair's), or by the replay of several
   * reports (the driver's merge): each summary handed over is kept, the last in {@link #summary}.
   */
  static final class Collector implements ResultSink {
    final List<TransactionResult> transactions = new ArrayList<>();
    final List<ConnectionResult> connections = new ArrayList<>();
    final List<Finding> findings = new ArrayList<>();
    final List<CaptureSummary> summaries = new ArrayList<>();
    CaptureSummary summary;

    @Override
    public void transaction(TransactionResult t) {
      transactions.add(t);
    }

    @Override
    public void connection(ConnectionResult c) {
      connections.add(c);
    }

    @Override
    public void finding(Finding f) {
      findings.add(f);
    }

    @Override
    public void finish(CaptureSummary capture) {
      summaries.add(capture);
      summary = capture;
    }

    void emit(List<Out> out, boolean report, String version) {
      for (ConnectionResult c : connections) {
        out.add(Out.row(Out.CONNECTION, Tables.connection(c)));
      }
      for (TransactionResult t : transactions) {
        out.add(Out.row(Out.TRANSACTION, Tables.transaction(t)));
      }
      for (Finding f : findings) {
        out.add(Out.row(Out.FINDING, Tables.finding(f)));
      }
      for (PairSummary p : summary.pairs()) {
        out.add(Out.row(Out.PAIR, Tables.pair(p)));
      }
      if (report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonReportWriter w = new JsonReportWriter(bytes, version);
        Replay.inReportOrder(this, summary, w);
        Out o = new Out();
        o.kind = Out.REPORT;
        o.json = bytes.toString(StandardCharsets.UTF_8);
        out.add(o);
      }
    }
  }
}
