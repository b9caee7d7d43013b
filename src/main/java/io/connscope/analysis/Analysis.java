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
import io.connscope.detect.Detector;
import io.connscope.detect.Detectors;
import io.connscope.detect.facts.ConnectionFacts;
import io.connscope.http.HttpTracker;
import io.connscope.result.Finding;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionHandler;
import io.connscope.tcp.ConnectionTable;
import io.connscope.tcp.Segment;
import io.connscope.tcp.StreamListener;
import io.connscope.tls.TlsTracker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The pipeline: frames in, connections, transactions and findings out.
 *
 * <pre>
 *   PacketSource -> FrameDecoder -> Segment -> ConnectionTable -> TlsTracker -> HttpTracker
 *                                                     |  closed()     (per connection: raw bytes,
 *                                                     |               or plaintext with TLS keys)
 *                                                     v
 *                     ConnectionFacts (pairs, HTTP links) -> detectors -> AnalysisSink
 *                                                     (transaction, connection, finding, finish)
 * </pre>
 *
 * <p>Use: {@code new Analysis(config, sink)}, then {@link #read(PacketSource)} for each input (or
 * {@link #accept} per frame for a live source), then {@link #finish()} once. Single-threaded;
 * driven by capture timestamps only. The per-frame path reuses one decoder and one segment and
 * allocates nothing for an in-order segment of a known connection.
 */
public final class Analysis {
  private final AnalysisConfig config;
  private final AnalysisSink sink;
  private final Warnings warnings = new Warnings();
  private final FrameDecoder decoder = new FrameDecoder(new IpDefragmenter(warnings));
  private final Segment segment = new Segment();
  private final ConnectionTable table;
  private final List<Detector> detectors;
  private final ConnectionFacts facts;
  private final Map<Connection, HttpTracker> trackers = new IdentityHashMap<>();
  private final Map<Connection, TlsTracker> tlsTrackers = new IdentityHashMap<>();
  private final List<CaptureTotals.FileSummary> files = new ArrayList<>();
  private final TreeSet<String> linkTypes = new TreeSet<>();
  private final boolean[] linkTypeSeen = new boolean[512];

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

  private long connections;
  private boolean finished;

  /** Set for a connections-only pass: told each connection's id, nothing else runs. */
  private final LongConsumer startsOnly;

  public Analysis(AnalysisConfig config, AnalysisSink sink) {
    this(config, sink, null);
  }

  private Analysis(AnalysisConfig config, AnalysisSink sink, LongConsumer startsOnly) {
    this.config = config;
    this.sink = sink;
    this.startsOnly = startsOnly;
    this.table = new ConnectionTable(config.tcp, new Handler(), warnings);
    this.filter = config.filter;
    this.facts = new ConnectionFacts(config.detect, warnings);
    this.detectors = Detectors.all(config.detect, facts);
  }

  /**
   * A pass that runs only the TCP connection table (no TLS, HTTP, detectors or sink): {@code
   * created} is told the id of every connection as the table creates it. With {@link
   * #assignConnectionIds} set to the identity, the ids are the creation frames: what a caller
   * analysing a capture in parts (one host pair at a time) needs to give each connection the id the
   * whole capture would.
   */
  public static Analysis connectionsOnly(AnalysisConfig config, LongConsumer created) {
    return new Analysis(
        config,
        new AnalysisSink() {
          @Override
          public void connection(ConnectionRecord connection) {}

          @Override
          public void finding(Finding finding) {}

          @Override
          public void finish(CaptureTotals capture) {}
        },
        created);
  }

  /**
   * Gives each connection its id from the (global) number of the frame that created it: see {@link
   * ConnectionTable#assignIds}. Set before the first frame.
   */
  public void assignConnectionIds(java.util.function.LongUnaryOperator byCreationFrame) {
    table.assignIds(byCreationFrame);
  }

  /**
   * The capture's start: timestamps are measured from it. By default the first frame's time; a
   * caller that feeds a part of a capture sets the whole capture's start before the first frame.
   */
  public void captureStart(long nanos) {
    firstNanos = nanos;
  }

  /** Warnings counted so far by every layer. */
  public Warnings warnings() {
    return warnings;
  }

  /** Frames accepted so far. */
  /** Frames the capture filter rejected (numbered, not analysed). */
  public long filteredOut() {
    return filteredOut;
  }

  public long packets() {
    return packets;
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
      ng.onTlsKeyLog(config.tlsKeys::add); // Decryption Secrets Blocks precede their packets
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
      table.accept(segment);
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
    decoder.finish();
    table.finish();
    if (startsOnly != null) {
      return;
    }
    for (Detector d : detectors) {
      d.finish(sink::finding);
    }
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
            warnings,
            facts.pairs().pairs(),
            facts.pairs().droppedConnections()));
  }

  private final class Handler implements ConnectionHandler {
    @Override
    public StreamListener open(Connection c) {
      connections++;
      if (startsOnly != null) {
        startsOnly.accept(c.id());
        return null;
      }
      // TLS sits between the streams and HTTP: raw bytes pass through, or plaintext with keys
      TlsTracker tls = new TlsTracker(c, config.tlsKeys);
      HttpTracker tracker = new HttpTracker(tls.control(), config.http, warnings);
      tls.setDownstream(tracker);
      Consumer<Finding> out = findingsOf(c);
      tracker.setListener(
          t -> {
            for (Detector d : detectors) {
              d.transaction(c, tracker, t, out);
            }
            facts.transaction(c, t);
            sink.transaction(c, t);
          });
      trackers.put(c, tracker);
      tlsTrackers.put(c, tls);
      return tls;
    }

    /**
     * Hands findings to the sink, with the packets around the evidence for findings about {@code
     * c}: its timeline is still there (it is released with the connection).
     */
    private Consumer<Finding> findingsOf(Connection c) {
      String id = c.idString();
      return f ->
          sink.finding(
              id.equals(f.connection())
                  ? f.withLadder(Ladder.around(c.timeline(), f.frames()))
                  : f);
    }

    @Override
    public void closed(Connection c) {
      if (startsOnly != null) {
        return;
      }
      HttpTracker tracker = trackers.remove(c);
      TlsTracker tls = tlsTrackers.remove(c);
      long connect =
          c.synTsMicros() >= 0 && c.ackTsMicros() >= 0 ? c.ackTsMicros() - c.synTsMicros() : -1;
      TlsFacts tlsFacts = tls == null ? null : tls.facts(connect);
      facts.connection(c, tracker, tlsFacts == null ? -1 : tlsFacts.timing().setupUs(), tlsFacts);
      Consumer<Finding> out = findingsOf(c);
      if (tlsFacts != null) {
        for (Detector d : detectors) {
          d.tls(c, tlsFacts, out);
        }
      }
      for (Detector d : detectors) {
        d.connection(c, tracker, out);
      }
      sink.connection(new ConnectionRecord(c, tracker, tlsFacts, facts.transfers(c)));
    }
  }
}
