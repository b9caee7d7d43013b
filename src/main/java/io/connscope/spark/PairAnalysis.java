package io.connscope.spark;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.CrossReplay;
import io.connscope.analysis.ResultBuilder;
import io.connscope.analysis.StageEvent;
import io.connscope.analysis.TuningOptions;
import io.connscope.capture.CaptureInfo;
import io.connscope.report.JsonReportWriter;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.PairSummary;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.spark.Parts.EventKey;
import io.connscope.spark.Parts.Frame;
import io.connscope.spark.Parts.FrameKey;
import io.connscope.spark.Parts.HostPair;
import io.connscope.spark.Parts.Out;
import io.connscope.spark.Parts.StageOut;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import scala.Tuple2;

/**
 * Stages 2 and 3 of the analysis, each over the partitions Spark gives it.
 *
 * <p>Stage 2, per connection group (a host pair's TCP connections spread over {@link Parts#GROUPS}
 * groups by their port pair; {@link Parts#group}): each group's frames, in global frame order, go
 * through the connection stage of {@code analyze} ({@link Analysis#connectionStage}: reassembly,
 * TLS, HTTP pairing, the detectors that judge a connection alone, the result records of its
 * connections and transactions), which gives its events ({@link StageEvent}) at their positions.
 * Two passes read the same sorted shuffle output: {@link #starts} runs only the TCP connection
 * table, to learn at which frame each connection is created (the driver ranks them into ids), and
 * {@link #events} runs the connection stage with those ids.
 *
 * <p>Stage 3, per host pair: its groups' events, sorted by position, go through the stage across
 * connections ({@link CrossReplay}: pair aggregates, HTTP links, the detectors across connections)
 * and {@link ResultBuilder}, as in {@code analyze}. Frame numbers, the capture's start and
 * connection ids are those of the whole set, so the records are those {@code analyze} gives for the
 * same connections. Every pass hands its outputs over group by group (host pair by host pair) as
 * Spark reads them: memory is that of one group's open connections, or one host pair's records.
 */
final class PairAnalysis {
  private PairAnalysis() {}

  /** The creation frames of the connections of every group in {@code frames}. */
  static Iterator<Long> starts(
      Iterator<Tuple2<FrameKey, Frame>> frames, long startNanos, TuningOptions tuning) {
    // no TLS keys: the connection table does not depend on decryption (but on the table's options)
    List<Long> out = new ArrayList<>();
    return perGroup(
        frames,
        key -> {
          out.clear();
          Analysis a = Analysis.connectionsOnly(tuning.toConfig(), out::add);
          a.assignConnectionIds(f -> f);
          a.captureStart(startNanos);
          return a;
        },
        (a, key) -> {
          a.finish();
          return List.copyOf(out);
        },
        null);
  }

  /**
   * Stage 2: the events of every group in {@code frames}, keyed for stage 3, each group's followed
   * by what its stage counted; {@code starts}: every connection's creation frame, sorted.
   */
  static Iterator<Tuple2<EventKey, StageOut>> events(
      Iterator<Tuple2<FrameKey, Frame>> frames,
      long startNanos,
      TuningOptions tuning,
      long[] starts,
      List<String> keyLog) {
    ArrayDeque<Tuple2<EventKey, StageOut>> ready = new ArrayDeque<>();
    FrameKey[] group = new FrameKey[1];
    return perGroup(
        frames,
        key -> {
          group[0] = key;
          AnalysisConfig config = tuning.toConfig(); // the capture filter ran in stage 1
          for (String text : keyLog) {
            config.tlsKeys.add(text);
          }
          Analysis a =
              Analysis.connectionStage(
                  config,
                  e -> {
                    StageOut o = new StageOut();
                    o.event = e;
                    ready.add(new Tuple2<>(eventKey(group[0], e.pos(), e.seq()), o));
                  });
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
        (a, key) -> {
          a.finish();
          StageOut end = new StageOut();
          end.tcpPackets = a.tcpPackets();
          end.connections = a.connections();
          end.warnings = a.warnings();
          List<Tuple2<EventKey, StageOut>> out = new ArrayList<>(ready);
          ready.clear();
          out.add(new Tuple2<>(eventKey(key, Long.MAX_VALUE, 0), end));
          return out;
        },
        ready);
  }

  private static EventKey eventKey(FrameKey group, long pos, long seq) {
    EventKey k = new EventKey();
    k.pair = group.pair;
    k.group = group.group;
    k.pos = pos;
    k.seq = seq;
    return k;
  }

  /**
   * Stage 3: the result rows of every host pair in {@code events} (sorted by host pair, then
   * position), and for each a JSON report of its own records when {@code report}.
   */
  static Iterator<Out> results(
      Iterator<Tuple2<EventKey, StageOut>> events,
      long startNanos,
      TuningOptions tuning,
      boolean report,
      String version) {
    return new Iterator<Out>() {
      private Iterator<Out> outputs = Collections.emptyIterator();
      private Tuple2<EventKey, StageOut> pending; // the first event of the next host pair

      @Override
      public boolean hasNext() {
        while (!outputs.hasNext()) {
          if (pending == null && !events.hasNext()) {
            return false;
          }
          outputs = nextPair().iterator();
        }
        return true;
      }

      @Override
      public Out next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return outputs.next();
      }

      private List<Out> nextPair() {
        Tuple2<EventKey, StageOut> t = pending != null ? pending : events.next();
        pending = null;
        HostPair pair = t._1().pair;
        Collector collector = new Collector();
        AnalysisConfig config = tuning.toConfig();
        CrossReplay replay = new CrossReplay(config, new ResultBuilder(collector, config.http));
        while (true) {
          StageOut o = t._2();
          if (o.event != null) {
            replay.accept(o.event);
          } else {
            replay.stage(o.tcpPackets, o.connections, o.warnings);
          }
          if (!events.hasNext()) {
            break;
          }
          t = events.next();
          if (!pair.equals(t._1().pair)) {
            pending = t;
            break;
          }
        }
        replay.finish(startNanos / 1000);
        List<Out> out = new ArrayList<>();
        collector.emit(out, report, version);
        return out;
      }
    };
  }

  /** What a group's analysis gives when its last frame has been read. */
  private interface GroupEnd<T> {
    List<T> end(Analysis a, FrameKey group);
  }

  /**
   * The outputs of each group of {@code frames} (sorted by host pair, group, then frame), group by
   * group, as the consumer asks for them: a task holds one group's analysis and outputs at a time,
   * never its partition's. {@code ready}, when not null, is what the analysis has already given:
   * handed over as soon as it is there, before the group ends.
   */
  private static <T> Iterator<T> perGroup(
      Iterator<Tuple2<FrameKey, Frame>> frames,
      Function<FrameKey, Analysis> start,
      GroupEnd<T> end,
      ArrayDeque<T> ready) {
    return new Iterator<T>() {
      private final CaptureInfo info = new CaptureInfo();
      private Iterator<T> outputs = Collections.emptyIterator();
      private Tuple2<FrameKey, Frame> pending; // the first frame of the next group
      private Analysis current;
      private FrameKey currentKey;

      @Override
      public boolean hasNext() {
        while (!outputs.hasNext() && (ready == null || ready.isEmpty())) {
          if (current == null) {
            if (pending == null && !frames.hasNext()) {
              return false;
            }
            Tuple2<FrameKey, Frame> t = pending != null ? pending : frames.next();
            pending = null;
            currentKey = t._1();
            current = start.apply(currentKey);
            feed(current, t);
          } else if (frames.hasNext()) {
            Tuple2<FrameKey, Frame> t = frames.next();
            if (currentKey.sameGroup(t._1())) {
              feed(current, t);
            } else {
              pending = t;
              outputs = end.end(current, currentKey).iterator();
              current = null;
            }
          } else {
            outputs = end.end(current, currentKey).iterator();
            current = null;
          }
        }
        return true;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready != null && !ready.isEmpty() && !outputs.hasNext()
            ? ready.poll()
            : outputs.next();
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
