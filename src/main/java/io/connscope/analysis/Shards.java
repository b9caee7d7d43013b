package io.connscope.analysis;

import io.connscope.common.Warnings;
import io.connscope.http.Transaction;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ConnectionId;
import io.connscope.tcp.ConnectionTable;
import io.connscope.tcp.Segment;
import io.connscope.tcp.SegmentTimeline;
import io.connscope.tcp.TcpOptions;
import io.connscope.tls.TlsKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Connections sharded over threads, with the same results as one {@link ConnectionStage}.
 *
 * <pre>
 *   reader (Analysis) --segments by flow hash--> shard 1..N: ConnectionStage (table, TLS, HTTP,
 *        batches of frames            |                        per-connection detectors)
 *                                     v  events (transaction, close) at their frame, per batch
 *                              merger: events of all shards in frame order -> CrossStage -> sink
 * </pre>
 *
 * <p>Why the results are the same bytes whatever the number of shards:
 *
 * <ul>
 *   <li>A connection's packets all go to one shard (a hash of its unordered address and port
 *       pairs), in frame order, and a shard's {@link ConnectionStage} does for them exactly what
 *       one stage over all connections would: its table, TLS, HTTP and the detectors that judge a
 *       connection alone see nothing of other connections.
 *   <li>Connection ids are creation ranks across all shards ({@link #idOf}): the creations of every
 *       shard up to the connection's creation frame, counted once every shard has processed its
 *       frames before it. A thread waits only on shards behind it, so none waits forever. Ids are
 *       given when first needed, and at the start of each batch to every connection created before
 *       all shards' positions (no wait then), so that the creation frames no id will be asked of
 *       any more can be dropped ({@link #giveIds}). Another thread (the merger's) that found no id
 *       and asks after such a drop is told the id was given, and reads it.
 *   <li>Each batch ends at a frame number common to all shards. The merger takes each shard's
 *       events of a batch and hands them to the {@link CrossStage} in frame order (a frame belongs
 *       to one shard; at the end of the capture, in id order, as the table finishes connections):
 *       the order one stage would produce them in.
 *   <li>The table's limits are shared by all connections (open connections, closed tuples
 *       remembered, out-of-order bytes, timeline entries), and so is the HTTP trackers' total of
 *       kept transactions ({@link io.connscope.http.HttpOptions#maxTransactionsKeptTotal()}). Each
 *       shard reports per batch the most it asked of each; while their sums stay within the limits
 *       (for timeline entries, the part a long timeline may take: {@link
 *       io.connscope.tcp.TcpOptions#longTimelinesTotal()}), no table met a limit and neither would
 *       one table. When a sum reaches a limit, the batch is not merged: the analysis stops with
 *       {@link ShardsDiverged}, and the caller analyses again on one thread, the sink muted through
 *       the last batch merged ({@link Analysis#muteThrough}).
 *   <li>Warnings are counted per shard with their position and merged in position order ({@link
 *       Warnings#merge}).
 * </ul>
 *
 * <p><b>Inline</b> ({@link #inline}): one shard, run by the reading thread itself as it dispatches
 * each segment (no batch copy), its events merged by the merger thread as above. That is the one
 * stage of a single-threaded analysis with the cross stage and the sink on a thread of their own:
 * the same calls in the same order, so the same bytes; its table gives ids as one table does and
 * meets its limits itself (nothing to diverge from).
 *
 * <p>A finished connection's timeline goes back to its shard's pool ({@link Shard#recycled}) once
 * the cross stage is done with the connection: as with one thread, where the table puts it back
 * after the cross stage returns, nothing reads it after that call (the sink builds plain records
 * during it).
 */
final class Shards {
  /**
   * A batch ends after this many frames, or earlier when a shard's buffer is full. Small batches
   * and queues keep few finished connections waiting for the merger: with 4,096 frames and 4
   * batches queued, the young collections of close.pcap (1 GB, 98,000 connections, 2 shards) copied
   * them to the old generation and the collector's CPU went from 0.4 s to 1.4 s; with these, 0.5 s.
   */
  private static final int BATCH_FRAMES = 1024;

  /**
   * An inline shard's batch: its events are the live objects of its connections, which stay
   * reachable until merged. With 1,024 frames, unanswered.pcap (300,000 connections, one request
   * each) spent 0.74 to 0.96 s in young collections, copying them (0.58 s with everything on one
   * thread); with 256, 0.44 s (docs/performance.md, "The cross stage on a thread of its own").
   */
  private static final int INLINE_BATCH_FRAMES = 256;

  private static final int BUFFER_BYTES = 1 << 20;

  /** Batches waiting per shard, in and out. */
  private static final int QUEUE = 2;

  /**
   * The connections finished at the end of the capture go to the merger in chunks of this many
   * events: the open connections left (up to the table's limit, 200,000 by default) never wait all
   * at once (with one chunk, 1,000,000 half-open connections reached 865 MB).
   */
  private static final int FINISH_EVENTS = 1024;

  /**
   * Timelines waiting to go back to a shard's pool (beyond: left to the collector). Without it,
   * half-open.pcap (1,000,000 SYN-only connections) spent 8.6 s in the collector with the cross
   * thread against 7.0 s on one thread; with it, 7.7 s.
   */
  private static final int RECYCLED = 512;

  /** Positions at the end of the capture: after every frame's, in connection id order. */
  static final long FINISH = Long.MAX_VALUE / 2;

  private static final byte SEGMENT = 0, KEYS = 1;

  /** The most a segment record takes besides its payload. */
  private static final int RECORD_BYTES = 160;

  private final Shard[] shards;

  /** The one shard run by the reading thread; null when every shard has a thread. */
  private final Shard inline;

  private final CrossStage cross;
  private final TcpOptions limits;

  /** {@link io.connscope.http.HttpOptions#maxTransactionsKeptTotal()}. */
  private final long keptLimit;

  private final Thread merger;
  private final AtomicLongArray passed;

  /** Per shard: no id will be asked of a creation frame up to this one ({@link #giveIds}). */
  private final AtomicLongArray idsClear;

  private volatile Throwable failure;

  /** The end frame of the last batch merged; set with {@link #diverged}. */
  private volatile long mergedThrough;

  private volatile boolean diverged;
  private int batchFrames;
  private long lastFrame;
  private boolean finished;

  Shards(int n, AnalysisConfig config, CrossStage cross) {
    this(n, config, cross, false);
  }

  private Shards(int n, AnalysisConfig config, CrossStage cross, boolean inline) {
    this.cross = cross;
    this.limits = config.tcp;
    this.keptLimit = config.http.maxTransactionsKeptTotal();
    this.shards = new Shard[n];
    this.passed = new AtomicLongArray(n);
    this.idsClear = new AtomicLongArray(n);
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard(i, config, !inline);
    }
    this.inline = inline ? shards[0] : null;
    if (inline) {
      this.inline.chunk = new Chunk();
    } else {
      for (Shard s : shards) {
        s.thread.start();
      }
    }
    this.merger = new Thread(this::merge, "connscope-merge");
    merger.setDaemon(true);
    merger.start();
  }

  /**
   * One shard run by the caller's thread, the cross stage on the merger's: a single-threaded
   * analysis whose cross stage and sink take a second processor.
   */
  static Shards inline(AnalysisConfig config, CrossStage cross) {
    return new Shards(1, config, cross, true);
  }

  /** Hands segment {@code s} to its shard. */
  void dispatch(Segment s) {
    if (inline != null) {
      inline.accept(s);
      lastFrame = s.frame;
      if (++batchFrames >= INLINE_BATCH_FRAMES) {
        endBatch(s.frame);
      }
      return;
    }
    Shard sh = shards[shardOf(s, shards.length)];
    int need = RECORD_BYTES + 16 * s.sackBlocks + s.payloadLength;
    if (sh.fill.remaining() < need) {
      endBatch(s.frame - 1);
      if (sh.fill.remaining() < need) {
        sh.oversized(need); // one oversized record: a buffer of its own
      }
    }
    write(sh.fill, s);
    lastFrame = s.frame;
    if (++batchFrames >= BATCH_FRAMES) {
      endBatch(s.frame);
    }
  }

  /** Notes that the reader is at frame {@code frame} (handed to a shard or not). */
  void reached(long frame) {
    lastFrame = frame;
  }

  /** TLS secrets read from the input at this point: every shard adds them when it gets here. */
  void keys(String text) {
    if (inline != null) {
      inline.keys.add(text); // its segments so far are analysed: this is its point
      return;
    }
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    for (Shard sh : shards) {
      if (sh.fill.remaining() < 5 + b.length) {
        endBatch(lastFrame);
        if (sh.fill.remaining() < 5 + b.length) {
          sh.oversized(5 + b.length);
        }
      }
      sh.fill.put(KEYS).putInt(b.length).put(b);
    }
  }

  /**
   * Ends the input: the shards finish their connections and the merger hands everything to the
   * cross stage. Returns the connections opened, over all shards; the shards' warnings are added to
   * {@code into} (with the cross stage's, merged in position order).
   */
  long finish(List<Warnings> into) {
    if (!finished) {
      finished = true;
      endBatch(lastFrame);
      if (inline != null) {
        inline.finishConnections();
        put(inline.out, inline.chunk);
      } else {
        for (Shard sh : shards) {
          put(sh.in, new Batch(null, lastFrame, true));
        }
      }
    }
    try {
      while (merger.isAlive()) {
        merger.join(100);
        check();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new IllegalStateException("interrupted");
    }
    check();
    long connections = 0;
    for (Shard sh : shards) {
      into.add(sh.warnings);
      connections += sh.stage.connections();
    }
    return connections;
  }

  /** The creation frames the shards keep, over all of them (after {@link #finish}). */
  int creationFramesKept() {
    int n = 0;
    for (Shard sh : shards) {
      n += sh.createdKept();
    }
    return n;
  }

  /** Stops every thread (after a failure, or when the caller gives up). */
  void stop() {
    for (Shard sh : shards) {
      if (sh.thread != null) {
        sh.thread.interrupt();
      }
    }
    merger.interrupt();
  }

  private void check() {
    Throwable f = failure;
    if (f != null) {
      stop();
      if (f instanceof RuntimeException r) {
        throw r;
      }
      if (f instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(f);
    }
    if (diverged) {
      stop();
      throw new ShardsDiverged(mergedThrough);
    }
  }

  private void endBatch(long end) {
    check();
    if (inline != null) {
      inline.chunk.end = end;
      put(inline.out, inline.chunk);
      inline.chunk = new Chunk();
      inline.recycle();
      batchFrames = 0;
      return;
    }
    for (Shard sh : shards) {
      sh.fill.flip();
      put(sh.in, new Batch(sh.fill, end, false));
      sh.fill = take(sh.free);
      sh.fill.clear();
    }
    batchFrames = 0;
  }

  private <T> void put(BlockingQueue<T> q, T x) {
    try {
      while (!q.offer(x, 50, TimeUnit.MILLISECONDS)) {
        check();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new IllegalStateException("interrupted");
    }
  }

  private <T> T take(BlockingQueue<T> q) {
    try {
      T x;
      while ((x = q.poll(50, TimeUnit.MILLISECONDS)) == null) {
        check();
      }
      return x;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new IllegalStateException("interrupted");
    }
  }

  /** The shard of a segment: the same for both directions of a connection. */
  static int shardOf(Segment s, int n) {
    long a = endpoint(s.srcHi, s.srcLo, s.srcPort);
    long b = endpoint(s.dstHi, s.dstLo, s.dstPort);
    long h = (a ^ b) * 0x9E3779B97F4A7C15L;
    return (int) ((h >>> 32) % n);
  }

  private static long endpoint(long hi, long lo, int port) {
    long h = hi * 0xC2B2AE3D27D4EB4FL + lo;
    h = (h ^ (h >>> 29)) * 0xBF58476D1CE4E5B9L + port;
    return h ^ (h >>> 32);
  }

  /**
   * A batch buffer: in the machine's byte order, so that the records' numbers are written and read
   * without swapping their bytes (they never leave the process); payloads are handed on through a
   * big-endian view ({@link Shard#run}), as the capture's buffers are.
   */
  private static ByteBuffer batchBuffer(int bytes) {
    return ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.nativeOrder());
  }

  private static void write(ByteBuffer b, Segment s) {
    b.put(SEGMENT);
    b.putLong(s.frame).putLong(s.tsMicros).put((byte) s.ipVersion);
    b.putLong(s.srcHi).putLong(s.srcLo).putLong(s.dstHi).putLong(s.dstLo);
    b.putInt(s.srcPort).putInt(s.dstPort).putLong(s.seq).putLong(s.ack);
    b.putInt(s.flags).putInt(s.window).putInt(s.mss).putInt(s.windowScale);
    b.put((byte) ((s.sackPermitted ? 1 : 0) | (s.hasTimestamps ? 2 : 0)));
    b.putLong(s.tsVal).putLong(s.tsEcr).put((byte) s.sackBlocks);
    for (int i = 0; i < 2 * s.sackBlocks; i++) {
      b.putLong(s.sackEdges[i]);
    }
    b.putInt(s.payloadWireLength).putInt(s.payloadLength);
    if (s.payloadLength > 0) {
      b.put(b.position(), s.payload, s.payloadOffset, s.payloadLength);
      b.position(b.position() + s.payloadLength);
    }
  }

  /** Reads the record at {@code b}'s position; the payload is handed on as {@code payloads}. */
  private static void read(ByteBuffer b, ByteBuffer payloads, Segment s) {
    s.frame = b.getLong();
    s.tsMicros = b.getLong();
    s.ipVersion = b.get();
    s.srcHi = b.getLong();
    s.srcLo = b.getLong();
    s.dstHi = b.getLong();
    s.dstLo = b.getLong();
    s.srcPort = b.getInt();
    s.dstPort = b.getInt();
    s.seq = b.getLong();
    s.ack = b.getLong();
    s.flags = b.getInt();
    s.window = b.getInt();
    s.mss = b.getInt();
    s.windowScale = b.getInt();
    int bits = b.get();
    s.sackPermitted = (bits & 1) != 0;
    s.hasTimestamps = (bits & 2) != 0;
    s.tsVal = b.getLong();
    s.tsEcr = b.getLong();
    s.sackBlocks = b.get();
    for (int i = 0; i < 2 * s.sackBlocks; i++) {
      s.sackEdges[i] = b.getLong();
    }
    s.payloadWireLength = b.getInt();
    s.payloadLength = b.getInt();
    s.payload = payloads;
    s.payloadOffset = b.position();
    b.position(b.position() + s.payloadLength);
  }

  /**
   * The id of the connection created at {@code frame}: its rank among the creations of all shards,
   * once every shard has processed its frames before it (asked when the id is first needed, which
   * is mostly long after: waiting is rare). 0 when a shard has dropped creation frames after {@code
   * frame}: its id was given before that ({@link #giveIds}), on its shard's thread, while another
   * thread (the merger's) had found none yet; that shard's drop, read here, makes the write visible
   * to that thread ({@link io.connscope.tcp.Connection#id} reads it then).
   */
  long idOf(long frame) {
    for (int j = 0; j < shards.length; j++) {
      int spins = 0;
      while (passed.get(j) < frame - 1) {
        if (failure != null || Thread.currentThread().isInterrupted()) {
          throw new IllegalStateException("stopped");
        }
        if (++spins < 100) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(50_000);
        }
      }
    }
    long rank = 0;
    for (Shard sh : shards) {
      Created cr = sh.created; // read after passed: holds every creation up to frame
      if (cr.lastDropped > frame) {
        return 0; // the dropped ones are not all before frame: the id was given
      }
      rank += cr.dropped + upTo(cr.frames, cr.frames.length, frame);
    }
    return rank;
  }

  /**
   * A shard's creation frames kept for {@link #idOf}: those after the ones dropped (counted in
   * {@code dropped}, the last of them {@code lastDropped}, 0 for none), in order, Long.MAX_VALUE
   * past the last. The shard appends in place and publishes a new one when it grows the array or
   * drops frames.
   */
  private record Created(long dropped, long lastDropped, long[] frames) {}

  /** How many of the first {@code n} of the ordered {@code frames} are at most {@code frame}. */
  private static int upTo(long[] frames, int n, long frame) {
    int lo = 0, hi = n;
    while (lo < hi) { // the first creation after frame
      int mid = (lo + hi) >>> 1;
      if (frames[mid] <= frame) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * The ids of every shard's connections created up to {@code minPassed} + 1 given now (asking does
   * not wait: every shard is past the frame before), then the frames no id will be asked of any
   * more dropped from {@code sh}'s creation frames: memory follows the connections created in the
   * last batches, not the capture. On {@code sh}'s thread, at the start of each batch.
   */
  private void giveIds(Shard sh) {
    long minPassed = Long.MAX_VALUE;
    for (int j = 0; j < shards.length; j++) {
      minPassed = Math.min(minPassed, passed.get(j));
    }
    long earliest = sh.stage.table().giveIds(minPassed + 1);
    // no id will be asked of a frame up to this one: every entry created by then has its id, and
    // the entries created later are past what this shard has passed
    long clear = Math.min(earliest - 1, passed.get(sh.index));
    if (clear > idsClear.get(sh.index)) {
      idsClear.set(sh.index, clear);
    }
    long everywhere = Long.MAX_VALUE;
    for (int j = 0; j < shards.length; j++) {
      everywhere = Math.min(everywhere, idsClear.get(j));
    }
    sh.dropThrough(everywhere);
  }

  private void merge() {
    try {
      long[] sums = new long[5];
      Chunk[] chunks = new Chunk[shards.length];
      int[] at = new int[shards.length];
      while (true) {
        for (int i = 0; i < shards.length; i++) {
          chunks[i] = shards[i].out.take();
          at[i] = 0;
        }
        // an inline shard's table meets its limits itself; the chunks of the last batch (the
        // connections finished at the end) carry no peaks
        if (!chunks[0].last && inline == null) {
          java.util.Arrays.fill(sums, 0);
          for (Chunk c : chunks) {
            for (int k = 0; k < sums.length; k++) {
              sums[k] += c.peaks[k];
            }
          }
          long maxConnections = Math.max(1, limits.maxConnections);
          if (sums[0] >= maxConnections
              || sums[1] >= maxConnections
              || sums[2] > limits.maxBufferedBytesTotal
              || sums[3] > limits.longTimelinesTotal()
              || sums[4] > keptLimit) {
            diverged = true;
            return;
          }
        }
        while (true) { // the shards' events in position order (each shard's are in order)
          int best = -1;
          for (int i = 0; i < chunks.length; i++) {
            while (at[i] == chunks[i].events.size() && chunks[i].more) { // the batch goes on
              chunks[i] = shards[i].out.take();
              at[i] = 0;
            }
            if (at[i] < chunks[i].events.size()
                && (best < 0
                    || chunks[i].events.get(at[i]).pos < chunks[best].events.get(at[best]).pos)) {
              best = i;
            }
          }
          if (best < 0) {
            break;
          }
          Event e = chunks[best].events.get(at[best]++);
          cross.at(e.pos);
          if (e.record == null) {
            cross.transaction(e.c, e.t, e.result, e.held);
          } else {
            cross.closed(e.record, e.held);
            // nothing reads a connection's timeline after the cross stage (one thread puts its
            // arrays back into the pool there too): back to its shard's pool, when there is room
            SegmentTimeline t = e.record.closed().timeline();
            if (t != null) {
              shards[best].recycled.offer(t);
            }
          }
        }
        if (chunks[0].last) {
          return;
        }
        mergedThrough = chunks[0].end;
      }
    } catch (InterruptedException e) {
      // stopped
    } catch (Throwable t) {
      failure = t;
    }
  }

  /** One shard's part of a batch: its segments, and the frame the batch ends at. */
  private record Batch(ByteBuffer buf, long end, boolean last) {}

  /** What a shard produced for a batch. */
  private static final class Chunk {
    final List<Event> events = new ArrayList<>();

    /** The table's peaks ({@link ConnectionTable#peaks}), then the HTTP trackers' kept ones. */
    final long[] peaks = new long[5];

    long end;
    boolean last;

    /** More chunks of the same batch follow (at the end of the capture: {@link #FINISH_EVENTS}). */
    boolean more;
  }

  /** A transaction ({@code record} null) or a finished connection, at its position. */
  private record Event(
      long pos,
      ConnectionId c,
      Transaction t,
      TransactionResult result,
      ConnectionRecord record,
      Held held) {}

  private final class Shard implements ConnectionStage.Downstream, Runnable {
    final int index;
    final Warnings warnings = new Warnings();
    final ConnectionStage stage;
    final BlockingQueue<Batch> in = new ArrayBlockingQueue<>(QUEUE);
    final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(QUEUE + 2);
    final BlockingQueue<Chunk> out = new ArrayBlockingQueue<>(QUEUE);

    /** Finished connections' timelines the merger is done with, for the table's pool. */
    final BlockingQueue<SegmentTimeline> recycled = new ArrayBlockingQueue<>(RECYCLED);

    final Thread thread;
    final TlsKeys keys;
    ByteBuffer fill = batchBuffer(BUFFER_BYTES);
    Chunk chunk;
    private long pos;

    /**
     * The frames that created this shard's connections and that an id may still be asked of.
     * Written by the shard only; other threads read it after {@link #passed}.
     */
    volatile Created created = new Created(0, 0, filled(new long[1024], 0));

    private int createdCount;

    void created(long frame) {
      Created c = created;
      if (createdCount == c.frames.length) {
        c =
            new Created(
                c.dropped,
                c.lastDropped,
                filled(java.util.Arrays.copyOf(c.frames, 2 * createdCount), createdCount));
      }
      c.frames[createdCount++] = frame;
      created = c;
    }

    /**
     * Drops the creation frames up to {@code frame} (counted instead), when they are at least half
     * of those kept: a shard's {@link #idOf} reads the old or the new, which count alike for every
     * frame a shard may still ask of; a thread asking of an earlier frame (one that found no id
     * before the drop) is told the id was given.
     */
    void dropThrough(long frame) {
      Created c = created;
      int lo = upTo(c.frames, createdCount, frame);
      if (lo < 1024 || lo < createdCount / 2) {
        return;
      }
      int keep = createdCount - lo;
      long[] a = filled(new long[Math.max(1024, 2 * keep)], keep);
      System.arraycopy(c.frames, lo, a, 0, keep);
      createdCount = keep;
      created = new Created(c.dropped + lo, c.frames[lo - 1], a);
    }

    /** Creation frames kept now (for tests). */
    int createdKept() {
      return createdCount;
    }

    private static long[] filled(long[] a, int from) {
      java.util.Arrays.fill(a, from, a.length, Long.MAX_VALUE);
      return a;
    }

    /** {@code threaded} false: run by the reading thread ({@link Shards#inline}). */
    Shard(int index, AnalysisConfig config, boolean threaded) {
      this.index = index;
      this.keys = config.tlsKeys.copy();
      this.stage = new ConnectionStage(config, keys, warnings, this, null);
      ConnectionTable table = stage.table();
      table.keepTimelines(); // the merger reads them after the close
      if (!threaded) { // no batches; ids 1, 2, 3... as one table gives them
        this.thread = null;
        return;
      }
      table.assignIds(Shards.this::idOf, this::created);
      for (int i = 0; i < QUEUE + 1; i++) {
        free.add(batchBuffer(BUFFER_BYTES));
      }
      this.thread = new Thread(this, "connscope-shard-" + (index + 1));
      thread.setDaemon(true);
    }

    /** Puts the timelines the merger is done with into the table's pool (on the shard's thread). */
    void recycle() {
      ConnectionTable table = stage.table();
      for (SegmentTimeline t; (t = recycled.poll()) != null; ) {
        table.recycle(t);
      }
    }

    /** Inline: analyses {@code s} now, its events going into the chunk being filled. */
    void accept(Segment s) {
      pos = 2 * s.frame;
      warnings.at(pos);
      stage.table().accept(s);
    }

    /**
     * Finishes the connections left open, in creation order (the id order), into chunks of at most
     * {@link #FINISH_EVENTS} events, the last one left to send.
     */
    void finishConnections() {
      stage
          .table()
          .finish(
              createdAt -> {
                if (chunk.events.size() >= FINISH_EVENTS) {
                  chunk.more = true;
                  send(chunk);
                  chunk = new Chunk();
                }
                pos = FINISH + createdAt;
                warnings.at(pos);
              });
      chunk.last = true;
    }

    /** Hands {@code c} to the merger, waiting for room. */
    private void send(Chunk c) {
      if (thread == null) {
        put(out, c); // inline: the reading thread, which checks for failures while it waits
        return;
      }
      try {
        out.put(c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("stopped");
      }
    }

    /** Replaces the (empty) buffer being filled with one of {@code bytes}, not kept after use. */
    void oversized(int bytes) {
      if (fill.capacity() == BUFFER_BYTES) {
        free.add(fill);
      }
      fill = batchBuffer(bytes);
    }

    @Override
    public void transaction(ConnectionId c, Transaction t, TransactionResult result, Held held) {
      chunk.events.add(new Event(pos, c, t, result, null, held));
    }

    @Override
    public void closed(ConnectionRecord record, Held held) {
      chunk.events.add(new Event(pos, null, null, null, record, held));
    }

    @Override
    public void run() {
      try {
        Segment seg = new Segment();
        ConnectionTable table = stage.table();
        while (true) {
          Batch b = in.take();
          recycle();
          giveIds(this);
          chunk = new Chunk();
          chunk.end = b.end;
          if (b.last) {
            finishConnections(); // in creation order: the id order over all shards
            out.put(chunk);
            return;
          }
          ByteBuffer buf = b.buf;
          ByteBuffer payloads = buf.duplicate(); // big-endian, as the capture's buffers
          while (buf.hasRemaining()) {
            if (buf.get() == KEYS) {
              byte[] text = new byte[buf.getInt()];
              buf.get(text);
              keys.add(new String(text, StandardCharsets.ISO_8859_1));
              continue;
            }
            read(buf, payloads, seg);
            passed.lazySet(index, seg.frame - 1);
            pos = 2 * seg.frame;
            warnings.at(pos);
            table.accept(seg);
          }
          passed.lazySet(index, b.end);
          table.peaks(chunk.peaks);
          chunk.peaks[4] = stage.keptPeak();
          if (buf.capacity() == BUFFER_BYTES) {
            free.put(buf);
          }
          out.put(chunk);
        }
      } catch (InterruptedException e) {
        // stopped
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        }
      }
    }
  }
}
