package io.connscope.robustness;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureInfo;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.common.Warnings;
import io.connscope.decode.DecodeStatus;
import io.connscope.decode.FrameDecoder;
import io.connscope.decode.IpDefragmenter;
import io.connscope.decode.TcpView;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The damage harness's view of a capture: its frames in memory (read with the project's own
 * readers), the TCP facts of each frame (decoded with the project's {@link FrameDecoder}, sequence
 * numbers unwrapped per direction), and which stream bytes a list of frames actually holds.
 */
final class DamageFrames {
  private DamageFrames() {}

  /**
   * One captured frame; {@code data} may be longer than {@code capLen} (a snaplen cut shares it).
   */
  record Frame(long tsNanos, int capLen, int wireLen, int linkType, int interfaceId, byte[] data) {
    Frame cut(int snaplen) {
      return capLen <= snaplen
          ? this
          : new Frame(tsNanos, snaplen, Math.max(wireLen, capLen), linkType, interfaceId, data);
    }

    Frame at(long ts) {
      return new Frame(ts, capLen, wireLen, linkType, interfaceId, data);
    }
  }

  /** Every frame of {@code file}, copied out of the reader's buffer. */
  static List<Frame> read(Path file) throws IOException {
    List<Frame> out = new ArrayList<>();
    try (PacketSource src = CaptureFiles.open(file, new Warnings())) {
      while (src.next()) {
        CaptureInfo i = src.info();
        byte[] b = new byte[i.capturedLength];
        src.buffer().get(src.frameOffset(), b, 0, b.length);
        out.add(
            new Frame(
                i.timestampNanos, i.capturedLength, i.wireLength, i.linkType, i.interfaceId, b));
      }
    }
    return out;
  }

  /** Writes {@code frames} as a pcap file when they share one link type (for reproduction). */
  static boolean write(List<Frame> frames, Path file) throws IOException {
    if (frames.isEmpty()
        || frames.stream().anyMatch(f -> f.linkType() != frames.get(0).linkType())) {
      return false;
    }
    try (OutputStream os = Files.newOutputStream(file);
        PcapWriter w = new PcapWriter(os, frames.get(0).linkType(), 262144, true)) {
      for (Frame f : frames) {
        w.write(f.tsNanos(), ByteBuffer.wrap(f.data()), 0, f.capLen(), f.wireLen());
      }
    }
    return true;
  }

  /**
   * Directed endpoint pairs (source to destination, as the decoder gives the addresses) interned to
   * small ids: ids come in pairs, {@code id ^ 1} is the reverse direction. Each direction has an
   * anchor, so that 32-bit sequence numbers unwrap to comparable longs.
   */
  static final class Dirs {
    record Key(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort) {
      Key reverse() {
        return new Key(dstHi, dstLo, dstPort, srcHi, srcLo, srcPort);
      }
    }

    private final Map<Key, Integer> ids = new HashMap<>();
    private final List<Key> keys = new ArrayList<>();
    private long[] anchor = new long[16];
    private boolean[] anchored = new boolean[16];

    int id(Key k) {
      Integer i = ids.get(k);
      if (i == null) {
        i = keys.size();
        ids.put(k, i);
        keys.add(k);
        Key r = k.reverse();
        ids.put(r, i + 1);
        keys.add(r);
        if (anchor.length < keys.size()) {
          anchor = Arrays.copyOf(anchor, keys.size() * 2);
          anchored = Arrays.copyOf(anchored, keys.size() * 2);
        }
      }
      return i;
    }

    Key key(int id) {
      return keys.get(id);
    }

    /** {@code seq32} of direction {@code id} as a long comparable with the direction's others. */
    long unwrap(int id, long seq32) {
      seq32 &= 0xFFFF_FFFFL;
      if (!anchored[id]) {
        anchored[id] = true;
        anchor[id] = seq32;
      }
      return anchor[id] + (int) (seq32 - (anchor[id] & 0xFFFF_FFFFL));
    }
  }

  /**
   * TCP facts per frame of a frame list: direction id (-1 when the frame is not a TCP segment, or a
   * fragment that did not complete a datagram), unwrapped data start, payload bytes captured and on
   * the wire, unwrapped acknowledgment number, flags.
   */
  static final class Segs {
    final int[] dir;
    final long[] seq;
    final int[] cap;
    final int[] wire;
    final long[] ack;
    final int[] flags;

    /** The captured payload bytes. */
    final byte[][] payload;

    /** Per direction: frame indices with captured payload, by sequence number; largest payload. */
    private Map<Integer, int[]> bySeq;

    private Map<Integer, Integer> maxCap;

    /** Per direction: frames of the peer carrying an ACK, in capture order, and the running max. */
    private Map<Integer, int[]> ackFrames;

    private Map<Integer, long[]> ackMax;

    Segs(int n) {
      dir = new int[n];
      seq = new long[n];
      cap = new int[n];
      wire = new int[n];
      ack = new long[n];
      flags = new int[n];
      payload = new byte[n][];
    }

    /**
     * Bytes [from, to) of direction {@code d} as a reassembler keeping the first copy of each byte
     * (in capture order) has them, or null when a byte of the range is in no frame captured before
     * the receiver acknowledged it (a copy captured only after that is a late retransmission: the
     * capture missed the byte when it was delivered).
     */
    byte[] bytes(int d, long from, long to) {
      if (bySeq == null) {
        index();
      }
      int[] order = bySeq.get(d);
      if (order == null || to <= from || to - from > 1 << 20) {
        return null;
      }
      long lowest = from - maxCap.get(d);
      int lo = 0, hi = order.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (seq[order[mid]] < lowest) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      List<Integer> hits = new ArrayList<>();
      for (int k = lo; k < order.length && seq[order[k]] < to; k++) {
        int i = order[k];
        if (seq[i] + cap[i] > from) {
          hits.add(i);
        }
      }
      hits.sort(null); // capture order: the first copy wins
      int n = (int) (to - from);
      byte[] out = new byte[n];
      boolean[] have = new boolean[n];
      int filled = 0;
      for (int i : hits) {
        int a = (int) Math.max(0, seq[i] - from);
        int b = (int) Math.min(n, seq[i] + cap[i] - from);
        for (int x = a; x < b; x++) {
          if (!have[x] && i < firstAck(d, from + x)) {
            have[x] = true;
            out[x] = payload[i][(int) (from + x - seq[i])];
            filled++;
          }
        }
      }
      return filled == n ? out : null;
    }

    /** Index of the first frame acknowledging byte {@code s} of direction {@code d}. */
    private int firstAck(int d, long s) {
      int[] idx = ackFrames.get(d);
      if (idx == null) {
        return Integer.MAX_VALUE;
      }
      long[] max = ackMax.get(d);
      int lo = 0, hi = idx.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (max[mid] > s) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo < idx.length ? idx[lo] : Integer.MAX_VALUE;
    }

    private void index() {
      Map<Integer, List<Integer>> acks = new HashMap<>();
      for (int i = 0; i < dir.length; i++) {
        if (hasAck(i)) {
          acks.computeIfAbsent(dir[i] ^ 1, k -> new ArrayList<>()).add(i);
        }
      }
      ackFrames = new HashMap<>();
      ackMax = new HashMap<>();
      for (Map.Entry<Integer, List<Integer>> e : acks.entrySet()) {
        int[] idx = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        long[] max = new long[idx.length];
        long m = Long.MIN_VALUE;
        for (int k = 0; k < idx.length; k++) {
          m = Math.max(m, ack[idx[k]]);
          max[k] = m;
        }
        ackFrames.put(e.getKey(), idx);
        ackMax.put(e.getKey(), max);
      }
      Map<Integer, List<Integer>> raw = new HashMap<>();
      maxCap = new HashMap<>();
      for (int i = 0; i < dir.length; i++) {
        if (dir[i] >= 0 && cap[i] > 0) {
          raw.computeIfAbsent(dir[i], k -> new ArrayList<>()).add(i);
          maxCap.merge(dir[i], cap[i], Math::max);
        }
      }
      bySeq = new HashMap<>();
      for (Map.Entry<Integer, List<Integer>> e : raw.entrySet()) {
        int[] a =
            e.getValue().stream()
                .sorted((x, y) -> Long.compare(seq[x], seq[y]))
                .mapToInt(Integer::intValue)
                .toArray();
        bySeq.put(e.getKey(), a);
      }
    }

    boolean hasAck(int i) {
      return dir[i] >= 0 && (flags[i] & TcpView.ACK) != 0 && (flags[i] & TcpView.RST) == 0;
    }
  }

  static Segs decode(List<Frame> frames, Dirs dirs) {
    Segs s = new Segs(frames.size());
    FrameDecoder dec = new FrameDecoder(new IpDefragmenter(new Warnings()));
    CaptureInfo info = new CaptureInfo();
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      info.frameNumber = i + 1;
      info.timestampNanos = f.tsNanos();
      info.capturedLength = f.capLen();
      info.wireLength = f.wireLen();
      info.interfaceId = f.interfaceId();
      info.linkType = f.linkType();
      s.dir[i] = -1;
      if (dec.decode(ByteBuffer.wrap(f.data()), 0, info) != DecodeStatus.OK) {
        continue;
      }
      TcpView t = dec.tcp();
      int d =
          dirs.id(
              new Dirs.Key(
                  dec.srcHi(), dec.srcLo(), t.srcPort(), dec.dstHi(), dec.dstLo(), t.dstPort()));
      s.dir[i] = d;
      s.flags[i] = t.flags();
      long seq = t.seq();
      s.seq[i] = dirs.unwrap(d, t.syn() ? seq + 1 : seq);
      s.cap[i] = Math.max(0, dec.payloadLength());
      s.wire[i] = Math.max(s.cap[i], dec.payloadWireLength());
      s.ack[i] = (t.flags() & TcpView.ACK) != 0 ? dirs.unwrap(d ^ 1, t.ack()) : Long.MIN_VALUE;
      if (s.cap[i] > 0) {
        s.payload[i] = new byte[s.cap[i]];
        dec.buffer().get(dec.payloadOffset(), s.payload[i], 0, s.cap[i]);
      }
    }
    dec.finish();
    return s;
  }
}
