// The JVM's floor for reading a capture (issue 18): what a minimal Java program needs to read a
// capture file and decode every packet's headers, against which bench/bench.sh sets connscope.
//
//   javac -d target/bench bench/Floor.java && java -cp target/bench Floor FILE...
//
// It does, per capture file: FileChannel reads into one 4 MiB direct buffer; every pcap record
// (both byte orders, micro- and nanosecond) or pcapng Enhanced/Simple Packet Block (any number of
// sections and interfaces, each with its link type); every Ethernet (with 802.1Q/QinQ tags),
// Linux SLL, BSD loopback or raw IP header; every IPv4 (options skipped) and IPv6 (hop-by-hop,
// routing, destination options and fragment headers skipped) header; every TCP header; and one
// flow table update per TCP packet (open addressing on primitive arrays: per flow and direction
// the packets, payload bytes, highest sequence end and the flags seen). It allocates nothing per
// packet. It does no reassembly, no HTTP and no report: it is the floor, not a competitor.
//
// Output: one line of counts (records, TCP packets, flows, payload bytes, a checksum over the flow
// table so that no work can be skipped), which bench.sh checks against tcpdump's packet count.
// Bad input: one line on stderr and exit 3.
//
// Not part of the product (not under src/, not in the jar): bench.sh compiles it with plain javac.
//
// Subclasses (bench/FloorHttp.java) see every TCP packet through segment(), which Floor leaves
// empty, and may ask for the current record's frame number (records) and time (micros()) and for
// a flow's dense number (flowId(), 0, 1, 2... in order of first sight, stable when the table
// grows). What Floor does per packet is the same with or without them.

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

public class Floor {
  private static final int BUFFER = 4 << 20;
  private static final int LINK_NULL = 0;
  private static final int LINK_ETHERNET = 1;
  private static final int LINK_RAW = 101;
  private static final int LINK_LOOP = 108;
  private static final int LINK_SLL = 113;
  private static final int LINK_IPV4 = 228;
  private static final int LINK_IPV6 = 229;

  protected final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
  private FileChannel ch;
  private boolean eof;
  /** File structures in the other byte order than the buffer's (big-endian, the network's). */
  private boolean swap;
  /** Where the current record's header starts in buf, and the time fields' meaning there. */
  private int recordAt;
  private boolean pcapng;
  private boolean nanos;
  private long[] ticks = new long[64];
  private int iface;

  long records;
  long tcpPackets;
  long payloadBytes;

  // Flow table: key = 4 longs of addresses (IPv4 in the low word of the first two) + 1 long of
  // ports and version, canonical order (lower endpoint first); value columns per direction.
  private int capacity = 1 << 16;
  private long[] keys = new long[capacity * 5];
  private boolean[] used = new boolean[capacity];
  private long[] packets = new long[capacity * 2];
  private long[] bytes = new long[capacity * 2];
  private int[] seqEnd = new int[capacity * 2];
  private int[] flags = new int[capacity * 2];
  private int[] ids = new int[capacity];
  int flows;

  // current packet's key (scratch, reused)
  private long a0, a1, b0, b1;
  private int version;

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: java Floor FILE...");
      System.exit(2);
    }
    Floor f = new Floor();
    try {
      for (String a : args) {
        f.read(Path.of(a));
      }
    } catch (java.nio.file.NoSuchFileException e) {
      System.err.println("floor: no such file: " + e.getFile());
      System.exit(3);
    } catch (IllegalStateException e) {
      System.err.println("floor: " + e.getMessage());
      System.exit(3);
    } catch (IOException e) {
      System.err.println("floor: " + String.join(" ", args) + ": " + e.getMessage());
      System.exit(3);
    }
    long check = 0;
    for (int i = 0; i < f.capacity; i++) {
      if (f.used[i]) {
        check = check * 31 + f.packets[2 * i] + 7 * f.packets[2 * i + 1] + f.seqEnd[2 * i]
            + f.seqEnd[2 * i + 1] + f.flags[2 * i] + f.flags[2 * i + 1];
      }
    }
    System.out.println("floor: " + f.records + " records, " + f.tcpPackets + " TCP packets, "
        + f.flows + " flows, " + f.payloadBytes + " payload bytes, check " + Long.toHexString(check));
  }

  void read(Path p) throws IOException {
    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
      ch = c;
      eof = false;
      buf.clear().limit(0);
      if (!ensure(4)) {
        throw new IllegalStateException(p + ": not a capture (" + buf.remaining() + " bytes)");
      }
      int magic = buf.getInt(buf.position());
      if (magic == 0x0A0D0D0A) {
        pcapng(p);
      } else {
        pcap(p);
      }
    }
  }

  /** Makes at least n bytes available from the buffer's position; false at the end of file. */
  private boolean ensure(int n) throws IOException {
    if (buf.remaining() >= n) {
      return true;
    }
    buf.compact();
    while (buf.position() < n && !eof) {
      if (ch.read(buf) < 0) {
        eof = true;
      }
    }
    buf.flip();
    return buf.remaining() >= n;
  }

  private void pcap(Path p) throws IOException {
    if (!ensure(24)) {
      throw new IllegalStateException(p + ": pcap header cut short");
    }
    int m = buf.getInt(buf.position());
    swap = m == 0xd4c3b2a1 || m == 0x4d3cb2a1;
    nanos = m == 0x4d3cb2a1 || m == 0xa1b23c4d;
    pcapng = false;
    if (!swap && m != 0xa1b2c3d4 && m != 0xa1b23c4d) {
      throw new IllegalStateException(p + ": not a pcap or pcapng file");
    }
    int link = i32(buf.position() + 20) & 0x03FFFFFF;
    buf.position(buf.position() + 24);
    long guard = Long.MAX_VALUE;
    while (guard-- > 0 && ensure(16)) {
      int pos = buf.position();
      int cap = i32(pos + 8);
      if (cap < 0 || cap > BUFFER - 16) {
        throw new IllegalStateException(p + ": bad record length " + cap);
      }
      if (!ensure(16 + cap)) {
        break; // cut short at the end
      }
      pos = buf.position();
      records++;
      recordAt = pos;
      frame(link, pos + 16, cap);
      buf.position(pos + 16 + cap);
    }
  }

  private void pcapng(Path p) throws IOException {
    int[] links = new int[64];
    int interfaces = 0;
    pcapng = true;
    long guard = Long.MAX_VALUE;
    while (guard-- > 0 && ensure(12)) {
      int pos = buf.position();
      int type = buf.getInt(pos); // the same in both byte orders for a section header
      if (type == 0x0A0D0D0A) {
        int bom = buf.getInt(pos + 8);
        if (bom == 0x1A2B3C4D || bom == 0x4D3C2B1A) {
          swap = bom == 0x4D3C2B1A;
        } else {
          throw new IllegalStateException(p + ": bad pcapng byte-order magic");
        }
        interfaces = 0;
      }
      int len = i32(pos + 4);
      if (len < 12 || (len & 3) != 0 || len > BUFFER) {
        throw new IllegalStateException(p + ": bad pcapng block length " + len);
      }
      if (!ensure(len)) {
        break;
      }
      pos = buf.position();
      type = i32(pos);
      if (type == 1) { // Interface Description Block
        if (interfaces == links.length) {
          int[] more = new int[links.length * 2];
          System.arraycopy(links, 0, more, 0, links.length);
          links = more;
          long[] t = new long[links.length];
          System.arraycopy(ticks, 0, t, 0, ticks.length);
          ticks = t;
        }
        ticks[interfaces] = tsresol(pos, len);
        int lt = buf.getShort(pos + 8) & 0xFFFF;
        links[interfaces++] = swap ? Short.reverseBytes((short) lt) & 0xFFFF : lt;
      } else if (type == 6) { // Enhanced Packet Block
        int ifc = i32(pos + 8);
        int cap = i32(pos + 20);
        if (ifc >= 0 && ifc < interfaces && cap >= 0 && cap <= len - 32) {
          records++;
          recordAt = pos;
          iface = ifc;
          frame(links[ifc], pos + 28, cap);
        }
      } else if (type == 3 && interfaces > 0) { // Simple Packet Block
        records++;
        recordAt = -1; // a Simple Packet Block has no time
        frame(links[0], pos + 12, Math.min(i32(pos + 8), len - 16));
      }
      buf.position(pos + len);
    }
  }

  /** Decodes one frame of the given link type at [off, off + len) of the buffer. */
  private void frame(int link, int off, int len) {
    int end = off + len;
    int etherType;
    switch (link) {
      case LINK_ETHERNET -> {
        if (len < 14) {
          return;
        }
        etherType = u16(off + 12);
        off += 14;
        for (int tags = 0; tags < 2 && (etherType == 0x8100 || etherType == 0x88a8) && off + 4 <= end; tags++) {
          etherType = u16(off + 2);
          off += 4;
        }
      }
      case LINK_SLL -> {
        if (len < 16) {
          return;
        }
        etherType = u16(off + 14);
        off += 16;
      }
      case LINK_NULL, LINK_LOOP -> {
        if (len < 4) {
          return;
        }
        int family = buf.get(off) != 0 ? buf.get(off) : buf.get(off + 3);
        etherType = family == 2 ? 0x0800 : (family == 24 || family == 28 || family == 30) ? 0x86dd : 0;
        off += 4;
      }
      case LINK_RAW, LINK_IPV4, LINK_IPV6 -> {
        if (len < 1) {
          return;
        }
        etherType = (buf.get(off) & 0xF0) == 0x60 ? 0x86dd : 0x0800;
      }
      default -> {
        return;
      }
    }
    if (etherType == 0x0800) {
      ipv4(off, end);
    } else if (etherType == 0x86dd) {
      ipv6(off, end);
    }
  }

  private void ipv4(int off, int end) {
    if (off + 20 > end || (buf.get(off) & 0xF0) != 0x40) {
      return;
    }
    int ihl = (buf.get(off) & 0x0F) * 4;
    int total = u16(off + 2);
    int fragment = u16(off + 6) & 0x3FFF;
    if (ihl < 20 || fragment != 0 || buf.get(off + 9) != 6) {
      return;
    }
    int ipEnd = Math.min(end, off + Math.max(total, ihl));
    version = 4;
    a0 = buf.getInt(off + 12) & 0xFFFFFFFFL;
    a1 = 0;
    b0 = buf.getInt(off + 16) & 0xFFFFFFFFL;
    b1 = 0;
    tcp(off + ihl, ipEnd);
  }

  private void ipv6(int off, int end) {
    if (off + 40 > end || (buf.get(off) & 0xF0) != 0x60) {
      return;
    }
    int next = buf.get(off + 6) & 0xFF;
    int ipEnd = Math.min(end, off + 40 + u16(off + 4));
    version = 6;
    a0 = buf.getLong(off + 8);
    a1 = buf.getLong(off + 16);
    b0 = buf.getLong(off + 24);
    b1 = buf.getLong(off + 32);
    int p = off + 40;
    for (int i = 0; i < 8 && next != 6; i++) {
      if (p + 8 > ipEnd) {
        return;
      }
      if (next == 0 || next == 43 || next == 60) {
        int n = buf.get(p) & 0xFF;
        p += 8 + (buf.get(p + 1) & 0xFF) * 8;
        next = n;
      } else if (next == 44) {
        if ((u16(p + 2) & 0xFFF9) != 0) {
          return; // a fragment other than a whole datagram
        }
        next = buf.get(p) & 0xFF;
        p += 8;
      } else {
        return;
      }
    }
    if (next == 6) {
      tcp(p, ipEnd);
    }
  }

  private void tcp(int off, int end) {
    if (off + 20 > end) {
      return;
    }
    int sport = u16(off);
    int dport = u16(off + 2);
    int seq = buf.getInt(off + 4);
    int dataOffset = ((buf.get(off + 12) & 0xF0) >>> 4) * 4;
    int fl = buf.get(off + 13) & 0xFF;
    if (dataOffset < 20 || off + dataOffset > end) {
      return;
    }
    int payload = end - off - dataOffset;
    tcpPackets++;
    payloadBytes += payload;
    // canonical order: the lower (address, port) first; dir 0 when this packet goes that way
    int dir;
    long x0 = a0, x1 = a1, y0 = b0, y1 = b1;
    int xp = sport, yp = dport;
    int cmp = Long.compareUnsigned(a0, b0);
    if (cmp == 0) {
      cmp = Long.compareUnsigned(a1, b1);
    }
    if (cmp == 0) {
      cmp = Integer.compare(sport, dport);
    }
    if (cmp <= 0) {
      dir = 0;
    } else {
      dir = 1;
      x0 = b0; x1 = b1; y0 = a0; y1 = a1; xp = dport; yp = sport;
    }
    long ports = ((long) version << 32) | ((long) xp << 16) | yp;
    int slot = find(x0, x1, y0, y1, ports);
    int d = 2 * slot + dir;
    packets[d]++;
    bytes[d] += payload;
    int segEnd = seq + payload + ((fl & 0x03) != 0 ? 1 : 0); // SYN or FIN take a number
    if (packets[d] == 1 || segEnd - seqEnd[d] > 0) {
      seqEnd[d] = segEnd;
    }
    flags[d] |= fl;
    segment(slot, dir, seq, fl, off + dataOffset, payload);
  }

  /**
   * Called once per TCP packet after the flow table update, for subclasses: the flow's slot (see
   * flowId), the direction (0: from the canonical lower endpoint), the sequence number, the TCP
   * flags and where the payload is in buf (valid until this call returns). Floor does nothing.
   */
  protected void segment(int slot, int dir, int seq, int tcpFlags, int payloadAt, int payloadLength) {
  }

  /** The flow in the given slot, numbered densely in order of first sight. */
  protected final int flowId(int slot) {
    return ids[slot];
  }

  /** The current record's time in microseconds since the epoch (0 when the record has none). */
  protected final long micros() {
    int at = recordAt;
    if (at < 0) {
      return 0;
    }
    if (!pcapng) {
      long frac = i32(at + 4) & 0xFFFFFFFFL;
      return (i32(at) & 0xFFFFFFFFL) * 1_000_000L + (nanos ? frac / 1000 : frac);
    }
    long t = ((i32(at + 12) & 0xFFFFFFFFL) << 32) | (i32(at + 16) & 0xFFFFFFFFL);
    long perSecond = ticks[iface];
    return perSecond == 1_000_000L ? t : perSecond > 1_000_000L
        ? t / (perSecond / 1_000_000L) : t * (1_000_000L / perSecond);
  }

  /** An Interface Description Block's if_tsresol as ticks per second (default: microseconds). */
  private long tsresol(int pos, int len) {
    int p = pos + 16;
    int end = pos + len - 4;
    while (p + 4 <= end) {
      int code = u16x(p);
      int n = u16x(p + 2);
      if (code == 0) {
        break;
      }
      if (code == 9 && n >= 1 && p + 5 <= end) {
        int r = buf.get(p + 4) & 0xFF;
        long v = 1;
        for (int i = 0; i < (r & 0x7F) && v < Long.MAX_VALUE / 10; i++) {
          v *= (r & 0x80) != 0 ? 2 : 10;
        }
        return Math.min(v, 1_000_000_000_000L); // coarser than a picosecond is all we handle
      }
      p += 4 + ((n + 3) & ~3);
    }
    return 1_000_000L;
  }

  private int find(long x0, long x1, long y0, long y1, long ports) {
    long h = x0 * 0x9E3779B97F4A7C15L ^ x1 * 0xC2B2AE3D27D4EB4FL ^ y0 * 0x165667B19E3779F9L
        ^ y1 * 0x27D4EB2F165667C5L ^ ports * 0x94D049BB133111EBL;
    int mask = capacity - 1;
    int i = (int) (h ^ (h >>> 29)) & mask;
    for (int probes = 0; probes < capacity; probes++, i = (i + 1) & mask) {
      if (!used[i]) {
        if (2 * (flows + 1) > capacity) {
          grow();
          return find(x0, x1, y0, y1, ports);
        }
        used[i] = true;
        int k = 5 * i;
        keys[k] = x0; keys[k + 1] = x1; keys[k + 2] = y0; keys[k + 3] = y1; keys[k + 4] = ports;
        ids[i] = flows;
        flows++;
        return i;
      }
      int k = 5 * i;
      if (keys[k] == x0 && keys[k + 1] == x1 && keys[k + 2] == y0 && keys[k + 3] == y1
          && keys[k + 4] == ports) {
        return i;
      }
    }
    throw new IllegalStateException("flow table full");
  }

  private void grow() {
    long[] oldKeys = keys;
    boolean[] oldUsed = used;
    long[] oldPackets = packets, oldBytes = bytes;
    int[] oldSeq = seqEnd, oldFlags = flags, oldIds = ids;
    int oldCapacity = capacity;
    capacity *= 2;
    keys = new long[capacity * 5];
    used = new boolean[capacity];
    packets = new long[capacity * 2];
    bytes = new long[capacity * 2];
    seqEnd = new int[capacity * 2];
    flags = new int[capacity * 2];
    ids = new int[capacity];
    int count = flows;
    flows = 0;
    for (int j = 0; j < oldCapacity; j++) {
      if (oldUsed[j]) {
        int k = 5 * j;
        int i = find(oldKeys[k], oldKeys[k + 1], oldKeys[k + 2], oldKeys[k + 3], oldKeys[k + 4]);
        ids[i] = oldIds[j];
        for (int dir = 0; dir < 2; dir++) {
          packets[2 * i + dir] = oldPackets[2 * j + dir];
          bytes[2 * i + dir] = oldBytes[2 * j + dir];
          seqEnd[2 * i + dir] = oldSeq[2 * j + dir];
          flags[2 * i + dir] = oldFlags[2 * j + dir];
        }
      }
    }
    flows = count;
  }

  /** A 32-bit field of the file's own structures (record and block headers). */
  private int i32(int index) {
    int v = buf.getInt(index);
    return swap ? Integer.reverseBytes(v) : v;
  }

  private int u16(int index) {
    return buf.getShort(index) & 0xFFFF;
  }

  /** A 16-bit field of the file's own structures. */
  private int u16x(int index) {
    int v = buf.getShort(index) & 0xFFFF;
    return swap ? Short.reverseBytes((short) v) & 0xFFFF : v;
  }
}
