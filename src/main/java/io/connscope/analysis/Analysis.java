package io.connscope.analysis;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import io.connscope.capture.PacketSource;
import io.connscope.capture.filter.CaptureFilter;
import io.connscope.common.Warnings;
import io.connscope.decode.DecodeStatus;
import io.connscope.decode.FrameDecoder;
import io.connscope.decode.IpDefragmenter;
import io.connscope.decode.TcpView;
import io.connscope.http.Transaction;
import io.connscope.result.Finding;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.ConnectionId;
import io.connscope.tcp.ConnectionTable;
import io.connscope.tcp.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The pipeline: frames in, connections, transactions and findings out.
 *
 * <pre>
 *   PacketSource -> FrameDecoder -> Segment -> ConnectionStage: ConnectionTable -> TlsTracker ->
 *                                              HttpTracker -> per-connection detectors
 *                                                     |  transactions, finished connections
 *                                                     v
 *                     CrossStage: ConnectionFacts (pairs, HTTP links) -> detectors across
 *                                 connections -> AnalysisSink (transaction, connection, finding,
 *                                 finish)
 * </pre>
 *
 * <p>Use: {@code new Analysis(config, sink)}, then {@link #read(PacketSource)} for each input (or
 * {@link #accept} per frame for a live source), then {@link #finish()} once. Driven by capture
 * timestamps only. The per-frame path reuses one decoder and one segment and allocates nothing for
 * an in-order segment of a known connection. With {@link #Analysis(AnalysisConfig, AnalysisSink,
 * int) threads} above 1, connections are sharded over that many threads ({@link Shards}) and the
 * sink is called on another thread than the caller's (one at a time, in the same order and with the
 * same values as with one thread); {@link #read} and {@link #finish} may then throw {@link
 * ShardsDiverged}. With one thread and {@link #Analysis(AnalysisConfig, AnalysisSink, int, boolean)
 * crossThread}, the sink is called on another thread too (the stage across connections runs there).
 */
public final class Analysis {
  private final AnalysisConfig config;
  private final AnalysisSink sink;
  private final Warnings warnings = new Warnings();
  private final FrameDecoder decoder = new FrameDecoder(new IpDefragmenter(warnings));
  private final Segment segment = new Segment();
  private final ConnectionStage stage;
  private final ConnectionTable table;
  private final CrossStage cross;
  private final List<CaptureTotals.FileSummary> files = new ArrayList<>();
  private final TreeSet<String> linkTypes = new TreeSet<>();
  private final boolean[] linkTypeSeen = new boolean[512];

  /** Connections sharded over threads; null: one stage on the caller's thread. */
  private final Shards shards;

  /** Warnings of the cross stage when it runs on a thread of its own. */
  private final Warnings crossWarnings;

  /** With more threads, after {@link #finish}: the warnings of all of them. */
  private Warnings merged;

  private long frameNumber;
  private final CaptureFilter filter;
  private long filteredOut;
  private long packets;
  private long bytes;
  private long tcpPackets;
  private long firstNanos = Long.MIN_VALUE;
  private long lastNanos;

  /** Timestamp of the last frame accepted (of the file being read). */
  private long frameNanos;

  /** The sink is not told what happens up to this frame ({@link #muteThrough}). */
  private long muteThrough;

  private boolean finished;

  /** Set for a connections-only pass: told each connection's id, nothing else runs. */
  private final LongConsumer startsOnly;

  /** The sink of the passes that tell nobody anything (a connections-only pass, a stage alone). */
  private static final AnalysisSink NO_SINK =
      new AnalysisSink() {
        @Override
        public void connection(ConnectionRecord connection) {}

        @Override
        public void finding(Finding finding) {}

        @Override
        public void finish(CaptureTotals capture) {}
      };

  /** Set for a connection stage alone ({@link #connectionStage}): its events go there. */
  private final Emit emit;

  public Analysis(AnalysisConfig config, AnalysisSink sink) {
    this(config, sink, null, 1, false, null);
  }

  /**
   * An analysis whose connections are sharded over {@code threads} threads (1: all on the caller's
   * thread). More than one needs a file input: no idle timeout ({@code tcp.idleTimeoutMicros}) and
   * no followed key log; otherwise one thread is used.
   */
  public Analysis(AnalysisConfig config, AnalysisSink sink, int threads) {
    this(config, sink, null, threads, false, null);
  }

  /**
   * As {@link #Analysis(AnalysisConfig, AnalysisSink, int)}; with one thread and {@code
   * crossThread}, the connections are analysed on the caller's thread and the stage across
   * connections and the sink run on a thread of their own ({@link Shards#inline}): the same calls
   * in the same order, a second processor for them. Same conditions as for more threads (a file
   * input), and not with {@link #muteThrough}.
   */
  public Analysis(AnalysisConfig config, AnalysisSink sink, int threads, boolean crossThread) {
    this(config, sink, null, threads, crossThread, null);
  }

  private Analysis(
      AnalysisConfig config,
      AnalysisSink sink,
      LongConsumer startsOnly,
      int threads,
      boolean crossThread,
      Consumer<StageEvent> events) {
    this.config = config;
    this.sink = sink;
    this.startsOnly = startsOnly;
    this.filter = config.filter;
    this.emit = events == null ? null : new Emit(events);
    boolean sharded =
        (threads > 1 || crossThread)
            && startsOnly == null
            && events == null
            && config.tcp.idleTimeoutMicros <= 0
            && !config.tlsKeys.following();
    AnalysisSink gated = new Gated();
    if (sharded) {
      this.crossWarnings = new Warnings();
      this.cross = new CrossStage(config, gated, crossWarnings);
      this.shards = threads > 1 ? new Shards(threads, config, cross) : Shards.inline(config, cross);
      this.stage = null;
      this.table = null;
    } else {
      this.crossWarnings = null;
      this.cross = emit != null ? null : new CrossStage(config, gated, warnings);
      this.shards = null;
      ConnectionStage.Downstream down = emit != null ? emit : new Cross();
      this.stage = new ConnectionStage(config, config.tlsKeys, warnings, down, startsOnly);
      this.table = stage.table();
      if (emit != null) {
        table.keepTimelines(); // the events carry them away
      }
    }
  }

  /**
   * The connection stage alone, for an analysis run in parts (the Spark job's stage 2): the table,
   * TLS, HTTP, the detectors that judge a connection alone and the result records of its
   * connections and transactions, on the frames it is given; every final transaction and finished
   * connection goes to {@code events} as a {@link StageEvent}, which {@link CrossReplay} takes on.
   * No sink is told anything; after {@link #finish}, {@link #tcpPackets}, {@link #connections} and
   * {@link #warnings} are what the part counted.
   */
  public static Analysis connectionStage(AnalysisConfig config, Consumer<StageEvent> events) {
    return new Analysis(config, NO_SINK, null, 1, false, events);
  }

  /**
   * A pass that runs only the TCP connection table (no TLS, HTTP, detectors or sink): {@code
   * created} is told the id of every connection as the table creates it. With {@link
   * #assignConnectionIds} set to the identity, the ids are the creation frames: what a caller
   * analysing a capture in parts (one host pair at a time) needs to give each connection the id the
   * whole capture would.
   */
  public static Analysis connectionsOnly(AnalysisConfig config, LongConsumer created) {
    return new Analysis(config, NO_SINK, created, 1, false, null);
  }

  /**
   * Gives each connection its id from the (global) number of the frame that created it: see {@link
   * ConnectionTable#assignIds}. Set before the first frame; single-threaded analyses only.
   */
  public void assignConnectionIds(java.util.function.LongUnaryOperator byCreationFrame) {
    table.assignIds(byCreationFrame);
  }

  /**
   * The sink is not told the transactions, connections and findings of frames up to {@code frame}
   * (inclusive): for analysing again, on one thread, a capture whose sharded analysis stopped with
   * {@link ShardsDiverged} after the sink had been told everything up to that frame. Set before the
   * first frame.
   */
  public void muteThrough(long frame) {
    if (frame > 0 && shards != null) {
      throw new IllegalStateException("muting is for an analysis on one thread");
    }
    this.muteThrough = frame;
  }

  /**
   * The capture's start: timestamps are measured from it. By default the first frame's time; a
   * caller that feeds a part of a capture sets the whole capture's start before the first frame.
   */
  public void captureStart(long nanos) {
    firstNanos = nanos;
  }

  /**
   * Warnings counted so far by every layer (with more threads: by the reading side, and after
   * {@link #finish} by every thread).
   */
  public Warnings warnings() {
    return merged != null ? merged : warnings;
  }

  /** Frames the capture filter rejected (numbered, not analysed). */
  public long filteredOut() {
    return filteredOut;
  }

  /** Frames accepted so far. */
  public long packets() {
    return packets;
  }

  /**
   * What reading counted (files, frames, bytes, link types, the capture's start and duration, the
   * filter), for a {@link CrossReplay} of this part's connection stage ({@link #connectionStage}):
   * no warnings, connections or pairs.
   */
  public CaptureTotals readTotals() {
    long start = firstNanos == Long.MIN_VALUE ? 0 : firstNanos;
    return new CaptureTotals(
        List.copyOf(files),
        packets,
        bytes,
        tcpPackets,
        java.util.Collections.unmodifiableSortedSet(new TreeSet<>(linkTypes)),
        start / 1000,
        firstNanos == Long.MIN_VALUE ? 0 : (lastNanos - firstNanos) / 1000,
        filter == null ? null : filter.expression(),
        filteredOut,
        0,
        new Warnings(),
        List.of(),
        0);
  }

  /** TCP segments decoded so far. */
  public long tcpPackets() {
    return tcpPackets;
  }

  /** Connections opened so far, by a single-threaded analysis (a sharded one counts at its end). */
  public long connections() {
    if (stage == null) {
      throw new IllegalStateException("a sharded analysis counts its connections in finish()");
    }
    return stage.connections();
  }

  /**
   * Reads every frame of {@code source} into the analysis. Damage in the input has been counted as
   * warnings by the source; an I/O error propagates after the frames read so far were analysed.
   * {@code progress}, when not null, is told the bytes read from the input every 65,536 frames.
   */
  public void read(PacketSource source, String format, LongConsumer progress) throws IOException {
    long before = packets;
    long bytesBefore = bytes;
    long firstFrame = frameNumber + 1;
    long fileFirstNanos = Long.MIN_VALUE;
    if (source instanceof io.connscope.capture.PcapNgReader ng) {
      // Decryption Secrets Blocks precede their packets
      ng.onTlsKeyLog(
          text -> {
            if (shards != null) {
              shards.keys(text); // each shard adds them to its own copy, at this point
            } else {
              config.tlsKeys.add(text);
            }
          });
    }
    try {
      while (source.next()) {
        accept(source.info(), source.buffer(), source.frameOffset());
        if (fileFirstNanos == Long.MIN_VALUE) {
          fileFirstNanos = frameNanos;
        }
        if ((packets & 0xFFFF) == 0 && progress != null) {
          progress.accept(source.bytesRead());
        }
      }
    } finally {
      files.add(
          new CaptureTotals.FileSummary(
              source.name(),
              format,
              packets - before,
              bytes - bytesBefore,
              firstFrame,
              fileFirstNanos,
              fileFirstNanos == Long.MIN_VALUE ? Long.MIN_VALUE : frameNanos));
    }
  }

  /**
   * Analyses one frame. {@code info.frameNumber} is replaced by the analysis-wide frame number
   * (frames are numbered across all inputs, from 1).
   */
  public void accept(CaptureInfo info, ByteBuffer buf, int off) {
    info.frameNumber = ++frameNumber;
    process(info, buf, off);
  }

  /**
   * Analyses one frame that keeps its {@code info.frameNumber}: for a caller that feeds a part of a
   * capture (the frames of one host pair, in increasing frame number), numbered as in the whole.
   */
  public void acceptNumbered(CaptureInfo info, ByteBuffer buf, int off) {
    frameNumber = info.frameNumber;
    process(info, buf, off);
  }

  private void process(CaptureInfo info, ByteBuffer buf, int off) {
    warnings.at(2 * frameNumber);
    if (shards != null) {
      shards.reached(frameNumber);
    }
    packets++;
    frameNanos = info.timestampNanos;
    bytes += info.capturedLength;
    if (firstNanos == Long.MIN_VALUE) {
      firstNanos = info.timestampNanos;
    }
    if (info.timestampNanos > lastNanos) {
      lastNanos = info.timestampNanos;
    }
    noteLinkType(info.linkType);
    if (filter != null
        && !filter.matches(info.linkType, buf, off, info.capturedLength, info.wireLength)) {
      filteredOut++;
      return;
    }
    DecodeStatus status = decoder.decode(buf, off, info);
    if (status == DecodeStatus.OK) {
      tcpPackets++;
      fillSegment(info);
      if (emit != null) {
        emit.pos = 2 * frameNumber;
      }
      if (shards != null) {
        shards.dispatch(segment);
      } else {
        table.accept(segment);
      }
    } else if (status != DecodeStatus.NOT_IP
        && status != DecodeStatus.NOT_TCP
        && status != DecodeStatus.IP_FRAGMENT) {
      // damaged or unsupported frames are counted, with the decoder's finer reason as detail;
      // fragments wait for their datagram (the defragmenter counts those it drops)
      warnings.add(status.warningCode(), frameNumber, 1, decoder.reason());
    }
  }

  private void noteLinkType(int linkType) {
    if (linkType >= 0 && linkType < linkTypeSeen.length) {
      if (linkTypeSeen[linkType]) {
        return;
      }
      linkTypeSeen[linkType] = true;
    }
    linkTypes.add(LinkType.name(linkType));
  }

  private void fillSegment(CaptureInfo info) {
    Segment s = segment;
    TcpView tcp = decoder.tcp();
    s.frame = info.frameNumber;
    s.tsMicros = Math.max(0, (info.timestampNanos - firstNanos) / 1000);
    s.ipVersion = decoder.ipVersion();
    s.srcHi = decoder.srcHi();
    s.srcLo = decoder.srcLo();
    s.dstHi = decoder.dstHi();
    s.dstLo = decoder.dstLo();
    s.srcPort = tcp.srcPort();
    s.dstPort = tcp.dstPort();
    s.seq = tcp.seq();
    s.ack = tcp.ack();
    s.flags = tcp.flags();
    s.window = tcp.window();
    s.clearOptions();
    if (tcp.headerLength() > 20) {
      tcp.parseOptions();
      s.mss = tcp.mss();
      s.windowScale = tcp.windowScale();
      s.sackPermitted = tcp.sackPermitted();
      s.hasTimestamps = tcp.hasTimestamps();
      s.tsVal = tcp.tsVal();
      s.tsEcr = tcp.tsEcr();
      int n = Math.min(tcp.sackBlockCount(), s.sackEdges.length / 2);
      for (int i = 0; i < n; i++) {
        s.sackEdges[2 * i] = tcp.sackLeft(i);
        s.sackEdges[2 * i + 1] = tcp.sackRight(i);
      }
      s.sackBlocks = n;
    }
    s.payload = decoder.buffer(); // the frame's bytes, or a reassembled datagram's
    s.payloadOffset = decoder.payloadOffset();
    s.payloadLength = decoder.payloadLength();
    s.payloadWireLength = decoder.payloadWireLength();
  }

  /** Ends the analysis: flushes every open connection and hands the capture summary over. */
  public void finish() {
    if (finished) {
      return;
    }
    finished = true;
    warnings.at(2 * frameNumber + 1);
    decoder.finish();
    long connections;
    Warnings all = warnings;
    if (shards != null) {
      List<Warnings> parts = new ArrayList<>();
      parts.add(warnings);
      connections = shards.finish(parts);
      parts.add(crossWarnings);
      cross.at(Shards.FINISH * 2);
      all = Warnings.merge(parts);
      merged = all;
    } else {
      frameNumber = Long.MAX_VALUE; // the connections left open finish after every frame
      if (emit != null) {
        table.finish( // in creation order, each at its position
            createdAt -> {
              emit.pos = Shards.FINISH + createdAt;
              warnings.at(emit.pos);
            });
        return;
      }
      table.finish();
      connections = stage.connections();
      if (startsOnly != null) {
        return;
      }
    }
    frameNumber = Long.MAX_VALUE; // nothing is muted from here on
    cross.finish();
    long start = firstNanos == Long.MIN_VALUE ? 0 : firstNanos;
    sink.finish(
        new CaptureTotals(
            List.copyOf(files),
            packets,
            bytes,
            tcpPackets,
            java.util.Collections.unmodifiableSortedSet(linkTypes),
            start / 1000,
            firstNanos == Long.MIN_VALUE ? 0 : (lastNanos - firstNanos) / 1000,
            filter == null ? null : filter.expression(),
            filteredOut,
            connections,
            all,
            cross.facts().pairs().pairs(),
            cross.facts().pairs().droppedConnections()));
  }

  /** The creation frames its shards keep for connection ids, after {@link #finish} (tests). */
  int creationFramesKept() {
    return shards == null ? 0 : shards.creationFramesKept();
  }

  /**
   * What the shards answer, after {@link #finish}, when asked the id of the connection created at
   * {@code frame} (tests): its rank, or 0 when its creation frame was dropped (the id was given).
   */
  long shardedIdOf(long frame) {
    return shards.idOf(frame);
  }

  /** Stops the threads of a sharded analysis that will not be finished (after an error). */
  public void abandon() {
    if (shards != null) {
      shards.stop();
    }
  }

  /** The single-threaded path: the connection stage calls the cross stage directly. */
  private final class Cross implements ConnectionStage.Downstream {
    @Override
    public void transaction(ConnectionId c, Transaction t, TransactionResult result, Held held) {
      cross.transaction(c, t, result, held);
    }

    @Override
    public void closed(ConnectionRecord record, Held held) {
      cross.closed(record, held);
    }
  }

  /**
   * A connection stage's events, at their position (as the shards place theirs): the live
   * connection and tracker stay here.
   */
  private static final class Emit implements ConnectionStage.Downstream {
    private final Consumer<StageEvent> out;
    long pos;
    private long seq;

    Emit(Consumer<StageEvent> out) {
      this.out = out;
    }

    @Override
    public void transaction(ConnectionId c, Transaction t, TransactionResult result, Held held) {
      out.accept(new StageEvent(pos, seq++, c.id(), result, null, held));
    }

    @Override
    public void closed(ConnectionRecord r, Held held) {
      ClosedConnection c = r.closed();
      out.accept(
          new StageEvent(
              pos,
              seq++,
              c.id(), // read now: the copy lets go of the live connection
              null,
              new ConnectionRecord(c, r.closedHttp(), r.tls(), r.result(), null, null),
              held));
    }
  }

  /** The sink, silent through {@link #muteThrough}. */
  private final class Gated implements AnalysisSink {
    private boolean muted() {
      return muteThrough > 0 && frameNumber <= muteThrough;
    }

    @Override
    public void transaction(ConnectionId c, Transaction t, TransactionResult result) {
      if (!muted()) {
        sink.transaction(c, t, result);
      }
    }

    @Override
    public void connection(ConnectionRecord connection) {
      if (!muted()) {
        sink.connection(connection);
      }
    }

    @Override
    public void finding(Finding finding) {
      if (!muted()) {
        sink.finding(finding);
      }
    }

    @Override
    public void finish(CaptureTotals capture) {
      sink.finish(capture);
    }
  }
}
