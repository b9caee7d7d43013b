package io.connscope.capture.live;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.capture.nativeio.BatchBuffer;
import io.connscope.capture.nativeio.NativeBatch;
import io.connscope.common.Warnings;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapHandle.TimestampPrecision;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;

/**
 * Frames captured live on an interface, as a {@link PacketSource}: the capture command feeds them
 * to the same {@code Analysis} a file feeds.
 *
 * <p>pcap4j opens the device (nanosecond timestamps when the platform has them), compiles and
 * installs the BPF filter and reads the statistics. A capture thread reads frames into batch
 * buffers ({@link BatchBuffer}) with one of two readers:
 *
 * <ul>
 *   <li><b>native batch</b> ({@link NativeBatch}): one pcap_dispatch() per call packs every packet
 *       libpcap has ready into a direct buffer: no native call and no allocation per packet.
 *   <li><b>pcap4j per-packet</b>, when the helper is absent or disabled ({@link
 *       LiveOptions#nativeBatch}): one pcap_next_ex() per packet, appended to the batch. pcap4j
 *       allocates a {@code byte[]}, a {@code Timestamp} and an {@code Integer} per packet.
 * </ul>
 *
 * <p>Full batches go through a queue to the analysis thread, the caller of {@link #next()}, which
 * walks them with no native call and no allocation. The capture thread thus keeps draining the
 * kernel's buffer while the analysis catches up with a burst or warms up, and the analysis runs on
 * a second core when there is one. The queue holds at most {@link LiveOptions#backlogBytes} of
 * batches (allocated as needed); when the analysis is that far behind, the capture thread waits,
 * the kernel's buffer fills, and the kernel drops and counts what does not fit (pcap_stats). Those
 * waits are counted too ({@link #backlogWaits()}).
 *
 * <p>{@link #next()} blocks until a frame arrives, and returns false once the capture thread has
 * ended and every frame it read was returned. The capture thread ends when the count is reached,
 * the duration is over (of capture time: what was captured before is still analysed), {@link
 * #requestStop()} was called (from any thread: it calls pcap_breakloop()), or libpcap failed
 * ({@code next()} then throws, after the frames read before). The handle is non-blocking and the
 * readers wait at most {@link LiveOptions#readTimeoutMillis} at a time, so every stop condition is
 * seen within that time even on a silent interface. Each frame is also written to the {@link #tee}
 * file when one is set. Timestamps are the capture timestamps of libpcap, never the time of
 * analysis.
 */
public final class LiveSource implements PacketSource {
  /** Batch buffer size: many kernel blocks' worth of small packets per native call. */
  private static final int BATCH_BYTES = 4 << 20;

  /** Per-packet reader: pause when libpcap has nothing ready (it has no poll() of its own). */
  private static final long IDLE_WAIT_NANOS = 1_000_000;

  /**
   * Nice value asked for the capture thread: it takes little CPU (a copy per packet) but must run
   * promptly when the kernel's buffer fills, whatever else this process or machine does.
   */
  private static final int CAPTURE_NICE = -10;

  /** Longest wait for more packets while a batch already holds some. */
  private static final int APPEND_WAIT_MILLIS = 5;

  private final LiveOptions options;
  private final Warnings warnings;
  private final PcapHandle handle;
  private final int linkType;
  private final int snaplen;
  private final boolean nanos;
  private final long deadline;
  private final CaptureInfo info = new CaptureInfo();
  private final Object lock = new Object();

  private final NativeBatch batch;
  private final long pcap;
  private final String nativeUnavailable;

  /** Batches the capture thread can fill; allocated as needed up to {@link #maxBatches}. */
  private final BlockingQueue<BatchBuffer> free;

  /** Filled batches, in capture order, for the analysis thread. */
  private final BlockingQueue<BatchBuffer> ready;

  private final int maxBatches;
  private final int batchBytes;

  /** Batches the capture thread may allocate: {@link #maxBatches}, less if memory runs out. */
  private volatile int batchLimit;

  /** Batches allocated so far (by the capture thread; read by others once it has ended). */
  private volatile int allocated;

  private final Thread reader;
  private volatile boolean readerDone;
  private volatile boolean priorityRaised;

  /** True while the analysis waits for a batch: the capture thread then hands over what it has. */
  private volatile boolean hungry;

  private volatile IOException failure;
  private volatile long backlogWaits;

  /** Bytes of the batches handed over and not yet walked through by the analysis. */
  private final AtomicLong queuedBytes = new AtomicLong();

  private volatile long peakQueuedBytes;

  private BatchBuffer current;

  /** The analysis thread was interrupted while waiting: the flag is set again when next() ends. */
  private boolean interrupted;

  private PcapWriter tee;
  private long frames;
  private long bytes;
  private volatile boolean stop;

  /** The capture thread must end (count reached, or the capture is over), without a user's stop. */
  private volatile boolean halt;

  private boolean closed;

  private LiveSource(LiveOptions options, Warnings warnings) throws LiveCaptureException {
    this.options = options;
    this.warnings = warnings;
    this.handle = openHandle(options);
    boolean ok = false;
    try {
      if (options.filter != null && !options.filter.isBlank()) {
        try {
          handle.setFilter(options.filter, BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException e) {
          throw new LiveCaptureException(
              "bad filter '"
                  + options.filter
                  + "': "
                  + String.valueOf(e.getMessage()).replace('\n', ' ').strip());
        }
      }
      this.linkType = handle.getDlt().value();
      this.snaplen = handle.getSnapshot();
      this.nanos = handle.getTimestampPrecision() == TimestampPrecision.NANO;
      // Non-blocking, and we wait ourselves: with TPACKET_V3 (Linux) libpcap's read timeout only
      // retires a kernel block that holds packets, so a blocking read on a quiet interface never
      // returns to look at --duration or at Ctrl-C.
      handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
      NativeBatch nb = null;
      long addr = 0;
      String why = null;
      if (!options.nativeBatch) {
        why = "disabled";
      } else {
        nb = NativeBatch.load();
        addr = nb == null ? 0 : Libpcap.address(handle);
        if (nb == null) {
          why = NativeBatch.unavailableReason();
        } else if (addr == 0) {
          nb = null;
          why = "cannot reach pcap4j's pcap_t";
        }
      }
      this.batch = nb;
      this.pcap = addr;
      this.nativeUnavailable = why;
      // one batch must hold a full-snaplen frame (the helper asks for two)
      this.batchBytes =
          nb == null ? Math.max(BATCH_BYTES, 2 * (snaplen + 64)) : nb.minBuffer(addr, BATCH_BYTES);
      // at most half the JVM's direct memory: NIO takes its temporary buffers from the same limit
      long backlog = Math.min(options.backlogBytes, maxDirectMemory() / 2);
      this.maxBatches = (int) Math.max(2, Math.min(1 << 16, backlog / batchBytes));
      this.batchLimit = maxBatches;
      this.free = new ArrayBlockingQueue<>(maxBatches);
      this.ready = new ArrayBlockingQueue<>(maxBatches);
      ok = true;
    } catch (PcapNativeException e) {
      throw Libpcap.explain(e, options.device);
    } catch (NotOpenException e) {
      throw new LiveCaptureException("cannot capture on " + options.device + ": handle closed");
    } finally {
      if (!ok) {
        handle.close();
      }
    }
    this.deadline = options.durationNanos > 0 ? System.nanoTime() + options.durationNanos : 0;
    this.reader = new Thread(this::capture, "connscope-capture-" + options.device);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Opens {@code options.device} and installs the filter. Counts nothing in {@code warnings} yet;
   * read errors are reported by {@link #next()}.
   */
  public static LiveSource open(LiveOptions options, Warnings warnings)
      throws LiveCaptureException {
    if (options.device == null || options.device.isEmpty()) {
      throw new LiveCaptureException(
          "no interface given (-i); list them with 'connscope interfaces'");
    }
    try {
      return new LiveSource(options, warnings);
    } catch (LinkageError e) {
      throw LiveCaptureException.unavailable(e);
    }
  }

  private static PcapHandle openHandle(LiveOptions o) throws LiveCaptureException {
    try {
      return build(o, TimestampPrecision.NANO);
    } catch (PcapNativeException e) {
      if (e.getReturnCode() == null && String.valueOf(e.getMessage()).contains("precision")) {
        try {
          return build(o, TimestampPrecision.MICRO); // old libpcap or platform: microseconds
        } catch (PcapNativeException e2) {
          throw Libpcap.explain(e2, o.device);
        }
      }
      throw Libpcap.explain(e, o.device);
    }
  }

  private static PcapHandle build(LiveOptions o, TimestampPrecision p) throws PcapNativeException {
    PcapHandle.Builder b =
        new PcapHandle.Builder(o.device)
            .snaplen(o.snaplen)
            .promiscuousMode(
                o.promiscuous ? PromiscuousMode.PROMISCUOUS : PromiscuousMode.NONPROMISCUOUS)
            .timeoutMillis(o.readTimeoutMillis)
            .timestampPrecision(p);
    if (o.bufferBytes > 0) {
      b.bufferSize(o.bufferBytes);
    }
    return b.build();
  }

  /** The JVM's limit on direct buffers (-XX:MaxDirectMemorySize, by default the heap's maximum). */
  private static long maxDirectMemory() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean hs =
          java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class);
      long v = Long.parseLong(hs.getVMOption("MaxDirectMemorySize").getValue());
      if (v > 0) {
        return v;
      }
    } catch (RuntimeException | LinkageError e) {
      // not HotSpot: the heap's maximum, the usual default
    }
    return Runtime.getRuntime().maxMemory();
  }

  /** Writes every frame {@link #next()} returns to {@code writer} too (null: stop writing). */
  public void tee(PcapWriter writer) {
    this.tee = writer;
  }

  @Override
  public boolean next() throws IOException {
    while (true) {
      BatchBuffer b = current;
      if (b != null) {
        if (options.count <= 0 || frames < options.count) {
          if (b.next()) {
            frames++;
            bytes += b.capturedLength();
            info.timestampNanos = b.timestampNanos();
            info.capturedLength = b.capturedLength();
            info.wireLength = b.wireLength();
            info.linkType = linkType;
            info.interfaceId = 0;
            if (tee != null) {
              tee.write(
                  info.timestampNanos,
                  b.frames(),
                  b.frameOffset(),
                  info.capturedLength,
                  info.wireLength);
            }
            return true;
          }
        }
        current = null;
        queuedBytes.addAndGet(-b.used());
        free.add(b);
      }
      if (options.count > 0 && frames >= options.count) {
        halt = true;
        breakLoop();
        awaitReader();
        return false;
      }
      boolean done = readerDone; // read before polling: the last batch is queued before it is set
      b = ready.poll();
      if (b == null) {
        hungry = true;
        try {
          b =
              interrupted
                  ? ready.poll()
                  : ready.poll(options.readTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          // stop, drain what was captured, and leave the flag set for the caller on return
          interrupted = true;
          requestStop();
          b = ready.poll();
        } finally {
          hungry = false;
        }
        if (b == null && interrupted && !done) {
          LockSupport.parkNanos(IDLE_WAIT_NANOS); // the capture thread ends within its timeout
        }
      }
      if (b != null) {
        b.reset();
        if (b.skipped() > 0) {
          warnings.add(
              "capture.batch_skipped",
              frames,
              b.skipped(),
              "frames larger than the native batch buffer");
        }
        current = b;
      } else if (done) {
        awaitReader();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        IOException e = failure;
        if (e != null) {
          failure = null;
          throw e;
        }
        return false;
      }
    }
  }

  /**
   * The capture thread: reads batches until a stop condition and hands them to {@link #next()}. A
   * batch is handed over as soon as the analysis waits for one, or the interface went quiet; while
   * the analysis is busy, reads add to the batch until it is full. So batches are small (low
   * latency) when the analysis keeps up, and full (the backlog's memory well used) when it does
   * not.
   */
  private void capture() {
    long captured = 0;
    BatchBuffer filling = null;
    try {
      if (batch != null) {
        // ahead of the analysis and the JIT on a busy machine; fine if not allowed
        priorityRaised = batch.setThreadNice(CAPTURE_NICE);
      }
      while (!stop
          && !halt
          && (deadline == 0 || System.nanoTime() - deadline < 0)
          && (options.count <= 0 || captured < options.count)) {
        if (filling == null) {
          filling = freeBatch();
          if (filling == null) {
            continue; // the analysis is behind: look at the stop conditions again
          }
          filling.clear();
        }
        int before = filling.count();
        // a batch that holds packets waits little for more: the analysis may want it soon
        int wait =
            before > 0
                ? Math.min(APPEND_WAIT_MILLIS, options.readTimeoutMillis)
                : options.readTimeoutMillis;
        boolean more =
            batch != null ? readNative(filling, before > 0, wait) : readPcap4j(filling, wait);
        int added = filling.count() - before;
        captured += added;
        if (filling.count() > 0 && (!more || added == 0 || hungry || !filling.fits(snaplen))) {
          handOver(filling);
          filling = null;
        }
        if (!more) {
          break;
        }
      }
      if (filling != null && filling.count() > 0) {
        handOver(filling);
        filling = null;
      }
    } catch (RuntimeException | Error e) {
      failure = new IOException(options.device + ": capture thread failed: " + e);
    } finally {
      if (filling != null) {
        free.add(filling);
      }
      readerDone = true;
    }
  }

  /** Queues a filled batch for the analysis, counting how far behind that leaves it. */
  private void handOver(BatchBuffer b) {
    long queued = queuedBytes.addAndGet(b.used());
    if (queued > peakQueuedBytes) {
      peakQueuedBytes = queued;
    }
    ready.add(b);
  }

  /** A batch to fill: a free one, a new one while under the backlog limit, or null after a wait. */
  private BatchBuffer freeBatch() {
    BatchBuffer b = free.poll();
    if (b != null) {
      return b;
    }
    if (allocated < batchLimit) {
      try {
        b = new BatchBuffer(batchBytes);
        allocated++;
        return b;
      } catch (OutOfMemoryError e) {
        if (allocated == 0) {
          throw e;
        }
        // the JVM's direct memory limit (-XX:MaxDirectMemorySize, by default the heap's) is below
        // --backlog: the backlog is as large as it can be
        batchLimit = allocated;
      }
    }
    backlogWaits++;
    try {
      return free.poll(options.readTimeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      stop = true;
      return null;
    }
  }

  /** One native read into {@code b} (after its records when {@code append}); false to end. */
  private boolean readNative(BatchBuffer b, boolean append, int waitMillis) {
    NativeBatch.Status s = batch.dispatch(pcap, b, waitMillis, append);
    if (s == NativeBatch.Status.ERROR) {
      failure = new IOException(options.device + ": " + error());
      return false;
    }
    // BROKEN: only requestStop() breaks the loop, and it set the flag first
    return s != NativeBatch.Status.BROKEN;
  }

  /**
   * Packets from pcap4j's per-packet loop into {@code b}, until it has no room for one more
   * full-snaplen frame, nothing is ready, or the read timeout has passed; false when the capture
   * must end.
   */
  private boolean readPcap4j(BatchBuffer b, int waitMillis) {
    int before = b.count();
    long until = System.nanoTime() + waitMillis * 1_000_000L;
    try {
      while (!stop && b.fits(snaplen)) {
        byte[] p;
        try {
          p = handle.getNextRawPacketEx();
        } catch (TimeoutException e) {
          // nothing ready (non-blocking handle): hand over what we have, or wait a little
          if (b.count() > before || System.nanoTime() - until >= 0) {
            break;
          }
          LockSupport.parkNanos(IDLE_WAIT_NANOS);
          continue;
        }
        Timestamp ts = handle.getTimestamp();
        Integer wire = handle.getOriginalLength();
        long t = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
        b.append(t, p, Math.min(p.length, snaplen), wire == null ? p.length : wire);
      }
      return true;
    } catch (EOFException e) {
      return false; // pcap_breakloop(): requestStop()
    } catch (NotOpenException e) {
      return false;
    } catch (PcapNativeException e) {
      failure = new IOException(options.device + ": " + e.getMessage());
      return false;
    }
  }

  private String error() {
    try {
      return handle.getError();
    } catch (NotOpenException e) {
      return "capture closed";
    }
  }

  /**
   * Ends the capture within the read timeout: safe from any thread (a shutdown hook). {@link
   * #next()} still returns the frames already captured (the backlog: at the analysis's speed), then
   * false.
   */
  public void requestStop() {
    stop = true;
    breakLoop();
  }

  private void breakLoop() {
    synchronized (lock) {
      if (!closed) {
        try {
          handle.breakLoop();
        } catch (NotOpenException e) {
          // closed meanwhile: nothing to wake
        }
      }
    }
  }

  /** True once {@link #requestStop()} was called. */
  public boolean stopRequested() {
    return stop;
  }

  /**
   * libpcap's counters at the end: stops the capture thread first if it still runs (call once the
   * analysis is done, before {@link #close()}).
   */
  public CaptureStats stats() throws IOException {
    if (reader.isAlive()) {
      breakLoop();
      halt = true; // not a user's stop: the reader just has to end
      awaitReader();
    }
    try {
      PcapStat s = handle.getStats();
      return new CaptureStats(
          s.getNumPacketsReceived(),
          s.getNumPacketsDropped(),
          s.getNumPacketsDroppedByIf(),
          backlogWaits);
    } catch (PcapNativeException | NotOpenException e) {
      throw new IOException(options.device + ": cannot read capture statistics: " + e.getMessage());
    }
  }

  /** Link-layer type of the interface ({@link io.connscope.capture.LinkType}). */
  public int linkType() {
    return linkType;
  }

  /** The snapshot length libpcap applies. */
  public int snaplen() {
    return snaplen;
  }

  /** True when timestamps have nanosecond resolution (else microseconds). */
  public boolean nanosecondTimestamps() {
    return nanos;
  }

  /** True when frames come from the native batch reader. */
  public boolean nativeBatch() {
    return batch != null;
  }

  /** Why the native batch reader is not used (null when it is). */
  public String nativeUnavailableReason() {
    return nativeUnavailable;
  }

  /** Frames returned by {@link #next()} so far. */
  public long frames() {
    return frames;
  }

  /**
   * Times the capture thread found the backlog full ({@link LiveOptions#backlogBytes}) and waited
   * for the analysis: while it waits, the kernel's buffer takes the packets, and drops what does
   * not fit.
   */
  public long backlogWaits() {
    return backlogWaits;
  }

  /** Bytes of captured packets waiting for the analysis now (safe from any thread). */
  public long backlogQueuedBytes() {
    return queuedBytes.get();
  }

  /**
   * How far the analysis fell behind the capture at worst: the most bytes of captured packets (with
   * their record headers) that waited for it at once.
   */
  public long backlogPeakBytes() {
    return peakQueuedBytes;
  }

  /**
   * Memory the backlog's batch buffers take: allocated as needed and kept, so this is also the most
   * they took. At least the peak above: a batch handed over early is not full.
   */
  public long backlogMemoryBytes() {
    return (long) allocated * batchBytes;
  }

  /** True when the capture thread runs at a raised priority (native helper, CAP_SYS_NICE). */
  public boolean capturePriorityRaised() {
    return priorityRaised;
  }

  /**
   * The largest backlog allowed between capture and analysis, in bytes: {@link
   * LiveOptions#backlogBytes} in whole batches, less when the JVM's direct memory ran out first.
   */
  public long backlogBytes() {
    return (long) batchLimit * batchBytes;
  }

  @Override
  public ByteBuffer buffer() {
    return current.frames();
  }

  @Override
  public int frameOffset() {
    return current.frameOffset();
  }

  /** Waits for the capture thread to end (it was told to, or is about to). */
  private void awaitReader() {
    boolean interrupted = false;
    while (reader.isAlive()) {
      try {
        reader.join();
      } catch (InterruptedException e) {
        interrupted = true;
        requestStop();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public CaptureInfo info() {
    return info;
  }

  @Override
  public String name() {
    return options.device;
  }

  @Override
  public long bytesRead() {
    return bytes;
  }

  @Override
  public void close() {
    requestStop();
    awaitReader();
    // the batches' direct memory goes back as soon as the collector finds them unreachable
    ready.clear();
    free.clear();
    current = null;
    synchronized (lock) {
      if (!closed) {
        closed = true;
        handle.close();
      }
    }
  }
}
