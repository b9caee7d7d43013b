package io.connscope.spark;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureInfo;
import io.connscope.capture.LinkType;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapNgReader;
import io.connscope.capture.filter.CaptureFilter;
import io.connscope.common.Warnings;
import io.connscope.decode.DecodeStatus;
import io.connscope.decode.FrameDecoder;
import io.connscope.spark.Parts.Frame;
import io.connscope.spark.Parts.HostPair;
import io.connscope.spark.Parts.Split;
import io.connscope.spark.Parts.SplitSummary;
import io.connscope.spark.Parts.Stage1Out;
import io.connscope.spark.Parts.WarningCount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Stage 1: reads one split, applies the capture filter ({@code -f}) and keys each IP frame by its
 * host pair (the frames of a TCP connection, and the fragments of its datagrams, all have the
 * same), numbered within the split. Frames that are not IP are counted and dropped here, with the
 * decode warnings {@code analyze} would count for them; IP frames are decoded again, with the
 * analysis, in stage 2. The split's summary comes last; a damaged or unreadable file ends its split
 * with the error in the summary (the frames read before it are kept, as {@code analyze} keeps
 * them), never with an exception.
 */
final class Stage1 implements Iterator<Stage1Out> {
  private final Split split;
  private final SplitSummary summary = new SplitSummary();
  private final Warnings warnings = new Warnings();
  private final FrameDecoder decoder = new FrameDecoder();
  private final CaptureFilter filter;
  private PacketSource source;
  private Stage1Out next;
  private boolean done;

  /**
   * {@code filter}: the capture filter's expression (null: none), compiled here, outside the
   * per-file error handling: a task that cannot compile it (no libpcap on the executor) fails the
   * job.
   */
  Stage1(Split split, Map<String, String> conf, String filter) {
    this.split = split;
    this.filter = filter == null ? null : CaptureFilter.of(filter);
    summary.file = split.file;
    summary.split = split.split;
    try {
      source = open(split, conf);
      if (source instanceof PcapNgReader ng) {
        ng.onTlsKeyLog(summary.keyLog::add); // as analyze takes them, for every connection
      }
      summary.format = source == null ? null : CaptureFiles.formatOf(source);
    } catch (IOException | RuntimeException e) {
      summary.error = message(e);
    }
  }

  static Configuration hadoop(Map<String, String> conf) {
    Configuration c = new Configuration();
    conf.forEach(c::set);
    return c;
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }

  private PacketSource open(Split s, Map<String, String> conf) throws IOException {
    Path path = new Path(s.path);
    FileSystem fs = path.getFileSystem(hadoop(conf));
    FSDataInputStream in = fs.open(path);
    if (s.whole) {
      return CaptureFiles.open(s.path, in, warnings, 0);
    }
    CaptureSplits.PcapHeader h = CaptureSplits.PcapHeader.of(s.header);
    long boundary = s.split == 0 ? CaptureSplits.GLOBAL_HEADER : boundary(in, s, h);
    if (boundary < 0) {
      in.close();
      summary.format = "pcap";
      return null; // no record starts in this split
    }
    in.seek(boundary);
    InputStream body = new CaptureSplits.SplitStream(in, h.order(), boundary, s.end);
    return CaptureFiles.open(
        s.path, new SequenceInputStream(new ByteArrayInputStream(s.header), body), warnings, 0);
  }

  private static long boundary(FSDataInputStream in, Split s, CaptureSplits.PcapHeader h)
      throws IOException {
    in.seek(s.start);
    int want = (int) Math.min(CaptureSplits.SCAN_WINDOW, s.length - s.start);
    byte[] data = in.readNBytes(want);
    boolean atEof = s.start + data.length >= s.length;
    int limit = (int) Math.min(data.length, s.end - s.start);
    int p = CaptureSplits.firstBoundary(data, data.length, limit, atEof, h, s.firstSec);
    return p < 0 ? -1 : s.start + p;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      next = advance();
    }
    return next != null;
  }

  @Override
  public Stage1Out next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Stage1Out o = next;
    next = null;
    return o;
  }

  private Stage1Out advance() {
    try {
      while (source != null && source.next()) {
        CaptureInfo info = source.info();
        ByteBuffer buf = source.buffer();
        int off = source.frameOffset();
        summary.records++;
        summary.bytes += info.capturedLength;
        if (summary.firstNanos == Long.MIN_VALUE) {
          summary.firstNanos = info.timestampNanos;
        }
        summary.lastNanos = Math.max(summary.lastNanos, info.timestampNanos);
        summary.linkTypes.add(LinkType.name(info.linkType));
        // as analyze: a rejected frame keeps its number and counts, and is neither decoded nor
        // warned about
        if (filter != null
            && !filter.matches(info.linkType, buf, off, info.capturedLength, info.wireLength)) {
          summary.filteredOut++;
          continue;
        }
        DecodeStatus status = decoder.decode(buf, off, info);
        if (decoder.ipVersion() != 0) {
          return frame(info, buf, off, status);
        }
        if (status != DecodeStatus.NOT_IP
            && status != DecodeStatus.NOT_TCP
            && status != DecodeStatus.IP_FRAGMENT) {
          warnings.add(status.warningCode(), info.frameNumber, 1, decoder.reason());
        }
      }
    } catch (IOException | RuntimeException e) {
      summary.error = message(e);
    }
    return finish();
  }

  /** The host pair a decoded IP frame is keyed by. */
  static HostPair hostPair(FrameDecoder d) {
    return HostPair.of(d.ipVersion(), d.srcHi(), d.srcLo(), d.dstHi(), d.dstLo());
  }

  /** The port pair of a decoded frame ({@link Parts#ports}), -1 when it is no whole TCP segment. */
  static int ports(FrameDecoder d, DecodeStatus status) {
    return status == DecodeStatus.OK ? Parts.ports(d.tcp().srcPort(), d.tcp().dstPort()) : -1;
  }

  private Stage1Out frame(CaptureInfo info, ByteBuffer buf, int off, DecodeStatus status) {
    Frame f = new Frame();
    f.file = split.file;
    f.split = split.split;
    f.local = info.frameNumber;
    f.tsNanos = info.timestampNanos;
    f.linkType = info.linkType;
    f.wireLength = info.wireLength;
    f.interfaceId = info.interfaceId;
    f.data = new byte[info.capturedLength];
    buf.get(off, f.data, 0, info.capturedLength);
    Stage1Out o = new Stage1Out();
    o.key = hostPair(decoder);
    o.frame = f;
    o.ports = ports(decoder, status);
    if (status == DecodeStatus.IP_FRAGMENT && fragmented.add(o.key)) {
      summary.fragmented.add(o.key);
    }
    return o;
  }

  /** Host pairs seen with IP fragments. */
  private final java.util.HashSet<HostPair> fragmented = new java.util.HashSet<>();

  private Stage1Out finish() {
    done = true;
    if (source != null) {
      try {
        source.close();
      } catch (IOException e) {
        summary.error = summary.error == null ? message(e) : summary.error;
      }
      source = null;
    }
    List<WarningCount> list = new ArrayList<>();
    for (Map.Entry<String, Warnings.Entry> e : warnings.entries().entrySet()) {
      WarningCount w = new WarningCount();
      w.code = e.getKey();
      w.count = e.getValue().count();
      w.frame = e.getValue().firstFrame();
      w.detail = e.getValue().detail();
      list.add(w);
    }
    summary.warnings = list;
    Stage1Out o = new Stage1Out();
    o.summary = summary;
    return o;
  }
}
