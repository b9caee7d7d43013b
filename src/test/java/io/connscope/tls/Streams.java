package io.connscope.tls;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Direction;
import io.connscope.common.Warnings;
import io.connscope.decode.DecodeStatus;
import io.connscope.decode.FrameDecoder;
import io.connscope.tcp.StreamControl;
import io.connscope.tcp.StreamListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test input: the TCP payloads of each connection of a loss-free loopback sample, in capture order,
 * with their frame numbers and times, read with connscope's own decoder (no TCP reassembly: every
 * payload of these samples is new and in order, which the reader checks by sequence number). A
 * connection is keyed by its client port (the SYN's source port).
 */
final class Streams {
  record Chunk(int dir, byte[] data, long frame, long us) {}

  /** Every connection's chunks, by client port, in order. */
  static Map<Integer, List<Chunk>> read(Path pcap) throws IOException {
    Map<Integer, List<Chunk>> out = new HashMap<>();
    Map<Integer, Integer> serverPortOf = new HashMap<>();
    Map<Long, Long> nextSeq = new HashMap<>();
    FrameDecoder d = new FrameDecoder();
    long first = Long.MIN_VALUE;
    try (PacketSource src = CaptureFiles.open(pcap, new Warnings())) {
      long frame = 0;
      while (src.next()) {
        frame++;
        if (first == Long.MIN_VALUE) {
          first = src.info().timestampNanos;
        }
        long us = (src.info().timestampNanos - first) / 1000;
        if (d.decode(src.buffer(), src.frameOffset(), src.info()) != DecodeStatus.OK) {
          continue;
        }
        int sp = d.tcp().srcPort();
        int dp = d.tcp().dstPort();
        boolean syn = (d.tcp().flags() & 0x02) != 0;
        boolean ack = (d.tcp().flags() & 0x10) != 0;
        if (syn && !ack) {
          serverPortOf.put(sp, dp);
          out.put(sp, new ArrayList<>());
        }
        int n = d.payloadLength();
        if (n == 0) {
          continue;
        }
        int dir;
        int client;
        if (dp == serverPortOf.getOrDefault(sp, -1)) {
          dir = Direction.CLIENT;
          client = sp;
        } else {
          dir = Direction.SERVER;
          client = dp;
        }
        long key = (long) sp << 16 | dp;
        long seq = d.tcp().seq() & 0xFFFFFFFFL;
        Long want = nextSeq.get(key);
        if (want != null && want != seq) {
          throw new IllegalStateException(
              "frame " + frame + ": not in order (a sample with loss?)");
        }
        nextSeq.put(key, (seq + n) & 0xFFFFFFFFL);
        byte[] b = new byte[n];
        d.buffer().get(d.payloadOffset(), b);
        out.get(client).add(new Chunk(dir, b, frame, us));
      }
    }
    return out;
  }

  /**
   * A connection whose roles are known from its handshake and whose streams start in the capture.
   */
  static final class Control implements StreamControl {
    @Override
    public boolean rolesInferred() {
      return false;
    }

    @Override
    public void swapRoles() {
      throw new IllegalStateException("roles are known");
    }
  }

  /** Feeds {@code chunks} to {@code l}, each cut into pieces of at most {@code piece} bytes. */
  static void feed(StreamListener l, List<Chunk> chunks, int piece) {
    for (Chunk c : chunks) {
      for (int i = 0; i < c.data().length; i += piece) {
        int n = Math.min(piece, c.data().length - i);
        // a buffer larger than the piece, to catch reads past the given range
        ByteBuffer b = ByteBuffer.allocate(n + 16);
        b.position(3);
        b.put(c.data(), i, n);
        l.onData(c.dir(), b, 3, n, c.frame(), c.us());
      }
    }
  }

  /** Records what a TlsTracker hands the HTTP layer. */
  static final class Sink implements StreamListener {
    final java.io.ByteArrayOutputStream[] bytes = {
      new java.io.ByteArrayOutputStream(), new java.io.ByteArrayOutputStream()
    };
    final List<String> events = new ArrayList<>();
    boolean closed;

    @Override
    public void onData(int dir, ByteBuffer buf, int off, int len, long frame, long ts) {
      byte[] b = new byte[len];
      buf.get(off, b);
      bytes[dir].writeBytes(b);
    }

    @Override
    public void onGap(int dir, long len, long frame, long ts) {
      events.add("gap " + dir + " " + len);
    }

    @Override
    public void onFin(int dir, long frame, long ts) {
      events.add("fin " + dir);
    }

    @Override
    public void onRst(int dir, long frame, long ts) {
      events.add("rst " + dir);
    }

    @Override
    public void onClose(long ts) {
      closed = true;
    }

    String text(int dir) {
      return bytes[dir].toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }
}
