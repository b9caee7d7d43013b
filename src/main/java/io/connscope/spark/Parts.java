package io.connscope.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.Partitioner;
import org.apache.spark.sql.Row;

/**
 * What the job's stages hand each other (plain serializable classes with no-argument constructors,
 * so that both Java serialization and Kryo carry them).
 */
final class Parts {
  private Parts() {}

  /** One input file, as listed and probed. */
  static final class InputFile implements Serializable {
    private static final long serialVersionUID = 1;

    /** Index of the input argument it came from; its place in the analysis order once sorted. */
    int input;

    /** Named as a file (not found in a directory or glob). */
    boolean named;

    int order = -1;
    String path;
    long length;
    String format;
    long firstNanos = Long.MAX_VALUE;

    /** The global header when it is an uncompressed classic pcap file (it can be split). */
    byte[] pcapHeader;

    /** Why it is not analysed (null: it is a capture). */
    String error;
  }

  /** One task of stage 1: a whole file, or the records starting in {@code [start, end)}. */
  static final class Split implements Serializable {
    private static final long serialVersionUID = 1;
    int file;
    int split;
    String path;
    boolean whole;
    long start;
    long end;
    long length;
    byte[] header;
    long firstSec;
  }

  /** A frame of an IP host pair, numbered within its split (from 1). */
  static final class Frame implements Serializable {
    private static final long serialVersionUID = 1;
    int file;
    int split;
    long local;
    long tsNanos;
    int linkType;
    int wireLength;
    int interfaceId;
    byte[] data;
  }

  /** The two IP addresses of a frame, lower first: every frame of a TCP connection has the same. */
  static final class HostPair implements Serializable {
    private static final long serialVersionUID = 1;
    int version;
    long aHi;
    long aLo;
    long bHi;
    long bLo;

    static HostPair of(int version, long sHi, long sLo, long dHi, long dLo) {
      HostPair p = new HostPair();
      p.version = version;
      boolean srcFirst = Long.compareUnsigned(sHi, dHi) < 0 || sHi == dHi && sLo <= dLo;
      p.aHi = srcFirst ? sHi : dHi;
      p.aLo = srcFirst ? sLo : dLo;
      p.bHi = srcFirst ? dHi : sHi;
      p.bLo = srcFirst ? dLo : sLo;
      return p;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HostPair p
          && p.version == version
          && p.aHi == aHi
          && p.aLo == aLo
          && p.bHi == bHi
          && p.bLo == bLo;
    }

    @Override
    public int hashCode() {
      long h = version;
      h = h * 1_000_003 + aHi;
      h = h * 1_000_003 + aLo;
      h = h * 1_000_003 + bHi;
      h = h * 1_000_003 + bLo;
      return Long.hashCode(h ^ (h >>> 29));
    }
  }

  /**
   * Connection groups per host pair: the TCP connections of a host pair are spread over this many
   * groups by their port pair, each analysed by its own connection stage (stage 2); a host pair
   * with IP fragments is one group (a fragment after the first carries no ports).
   */
  static final int GROUPS = 32;

  /**
   * The group of a frame of host pair {@code pair} with port pair {@code ports} (-1: no TCP ports
   * read); {@code fragmented}: the host pair has IP fragments. Group 0 holds what no connection
   * owns (other protocols, damaged frames) and every frame of a fragmented host pair.
   */
  /**
   * The port pair of a TCP segment between ports {@code a} and {@code b}, whichever direction: the
   * lower port in the high bits, never negative (the high bit dropped: it only spreads groups).
   */
  static int ports(int a, int b) {
    return (Math.min(a, b) << 16 | Math.max(a, b)) & 0x7FFFFFFF;
  }

  static int group(int ports, boolean fragmented) {
    if (ports < 0 || fragmented) {
      return 0;
    }
    int h = ports * 0x9E3779B1;
    return 1 + Math.floorMod(h ^ (h >>> 16), GROUPS);
  }

  /**
   * The shuffle key of stage 2: a host pair's frames by connection group, sorted by their global
   * frame number.
   */
  static final class FrameKey implements Serializable {
    private static final long serialVersionUID = 1;
    HostPair pair;
    int group;
    long frame;

    static final Comparator<FrameKey> ORDER = new KeyOrder();

    /** The same host pair and connection group. */
    boolean sameGroup(FrameKey o) {
      return group == o.group && pair.equals(o.pair);
    }
  }

  /**
   * The shuffle key of stage 3: a host pair's stage events in the order one analysis would make
   * them (position, then the group and its order at one position); each group's end after them.
   */
  static final class EventKey implements Serializable {
    private static final long serialVersionUID = 1;
    HostPair pair;
    long pos;
    int group;
    long seq;

    static final Comparator<EventKey> ORDER = new EventOrder();
  }

  static final class EventOrder implements Comparator<EventKey>, Serializable {
    private static final long serialVersionUID = 1;

    @Override
    public int compare(EventKey x, EventKey y) {
      int c = PAIR_ORDER.compare(x.pair, y.pair);
      if (c == 0) {
        c = Long.compare(x.pos, y.pos);
      }
      if (c == 0) {
        c = Integer.compare(x.group, y.group);
      }
      return c != 0 ? c : Long.compare(x.seq, y.seq);
    }
  }

  /**
   * What stage 2 gives stage 3: a connection stage's event, or (at the end of each group) what the
   * group's stage counted.
   */
  static final class StageOut implements Serializable {
    private static final long serialVersionUID = 1;
    io.connscope.analysis.StageEvent event;
    long tcpPackets;
    long connections;
    io.connscope.common.Warnings warnings;
  }

  /** Host pairs in a fixed order (IP version, then the addresses). */
  static final Comparator<HostPair> PAIR_ORDER = new PairOrder();

  static final class PairOrder implements Comparator<HostPair>, Serializable {
    private static final long serialVersionUID = 1;

    @Override
    public int compare(HostPair a, HostPair b) {
      int c = Integer.compare(a.version, b.version);
      if (c == 0) {
        c = Long.compare(a.aHi, b.aHi);
      }
      if (c == 0) {
        c = Long.compare(a.aLo, b.aLo);
      }
      if (c == 0) {
        c = Long.compare(a.bHi, b.bHi);
      }
      return c != 0 ? c : Long.compare(a.bLo, b.bLo);
    }
  }

  static final class KeyOrder implements Comparator<FrameKey>, Serializable {
    private static final long serialVersionUID = 1;

    @Override
    public int compare(FrameKey x, FrameKey y) {
      int c = PAIR_ORDER.compare(x.pair, y.pair);
      if (c == 0) {
        c = Integer.compare(x.group, y.group);
      }
      return c != 0 ? c : Long.compare(x.frame, y.frame);
    }
  }

  /**
   * Sends every frame of one connection group (stage 2) to the same partition, or every event of
   * one host pair (stage 3).
   */
  static final class HostPartitioner extends Partitioner {
    private static final long serialVersionUID = 1;
    private final int partitions;

    HostPartitioner(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      int h =
          key instanceof FrameKey k
              ? 31 * k.pair.hashCode() + k.group
              : ((EventKey) key).pair.hashCode();
      return Math.floorMod(h, partitions);
    }
  }

  /** A warning counted in stage 1, at a frame numbered within its split. */
  static final class WarningCount implements Serializable {
    private static final long serialVersionUID = 1;
    String code;
    long count;
    long frame;
    String detail;
  }

  /** What stage 1 read from one split. */
  static final class SplitSummary implements Serializable {
    private static final long serialVersionUID = 1;
    int file;
    int split;
    String format;
    long records;
    long bytes;

    /** Records the capture filter rejected (counted in {@code records}, not handed on). */
    long filteredOut;

    long firstNanos = Long.MIN_VALUE;
    long lastNanos = Long.MIN_VALUE;
    TreeSet<String> linkTypes = new TreeSet<>();
    List<WarningCount> warnings = new ArrayList<>();

    /** TLS key log lines from pcapng Decryption Secrets Blocks. */
    List<String> keyLog = new ArrayList<>();

    /** Host pairs with IP fragments in this split. */
    ArrayList<HostPair> fragmented = new ArrayList<>();

    String error;
  }

  /**
   * Stage 1's output: a frame with its host pair and TCP port pair ({@code ports}: {@link
   * Parts#ports}, -1 when the frame is no whole TCP segment), or a split's summary.
   */
  static final class Stage1Out implements Serializable {
    private static final long serialVersionUID = 1;
    HostPair key;
    int ports = -1;
    Frame frame;
    SplitSummary summary;
  }

  /** Stage 3's output: a row of one table, or one host pair's report (JSON). */
  static final class Out implements Serializable {
    private static final long serialVersionUID = 1;
    static final int CONNECTION = 0;
    static final int TRANSACTION = 1;
    static final int FINDING = 2;
    static final int PAIR = 3;
    static final int REPORT = 4;

    int kind;
    Row row;
    String json;

    static Out row(int kind, Row row) {
      Out o = new Out();
      o.kind = kind;
      o.row = row;
      return o;
    }
  }
}
