package io.connscope.capture.live;

import io.connscope.capture.CaptureInfo;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.capture.Warnings;
import io.connscope.capture.nativeio.BatchBuffer;
import io.connscope.capture.nativeio.NativeBatch;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.util.concurrent.TimeoutException;
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
 * installs the BPF filter and reads the statistics. Frames come from one of two readers:
 *
 * <ul>
 *   <li><b>native batch</b> ({@link NativeBatch}): one pcap_dispatch() per call packs every
 *       packet libpcap has ready into a direct buffer; {@link #next()} then walks it with no
 *       native call and no allocation. The buffer is direct, not heap: the pipeline reads frames
 *       with absolute gets only, which works on both.
 *   <li><b>pcap4j per-packet</b>, when the helper is absent or disabled ({@link
 *       LiveOptions#nativeBatch}): one pcap_next_ex() per packet, copied into a reused array.
 *       pcap4j allocates a {@code byte[]}, a {@code Timestamp} and an {@code Integer} per packet.
 * </ul>
 *
 * <p>{@link #next()} blocks until a frame arrives, and returns false once the count or the
 * duration is reached or {@link #requestStop()} was called (from any thread: it calls
 * pcap_breakloop()). The handle is non-blocking and the readers wait at most {@link
 * LiveOptions#readTimeoutMillis} at a time, so every stop condition is seen within that time
 * even on a silent interface. Each frame is also written to the {@link #tee} file when one is
 * set. Timestamps are the capture timestamps of libpcap, never the time of analysis.
 */
public final class LiveSource implements PacketSource {
  /** Batch buffer size: many kernel blocks' worth of small packets per native call. */
  private static final int BATCH_BYTES = 4 << 20;
  /** Per-packet reader: pause when libpcap has nothing ready (it has no poll() of its own). */
  private static final long IDLE_WAIT_NANOS = 1_000_000;

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
  private final BatchBuffer batchBuffer;
  private final String nativeUnavailable;

  private byte[] frame = new byte[2048];
  private ByteBuffer frameView = ByteBuffer.wrap(frame);
  private boolean pending;

  private ByteBuffer current;
  private int currentOffset;
  private PcapWriter tee;
  private long frames;
  private long bytes;
  private volatile boolean stop;
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
          throw new LiveCaptureException("bad filter '" + options.filter + "': "
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
      this.batchBuffer = nb == null ? null : nb.newBuffer(addr, BATCH_BYTES);
      this.nativeUnavailable = why;
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
  }

  /**
   * Opens {@code options.device} and installs the filter. Counts nothing in {@code warnings}
   * yet; read errors are reported by {@link #next()}.
   */
  public static LiveSource open(LiveOptions options, Warnings warnings) throws LiveCaptureException {
    if (options.device == null || options.device.isEmpty()) {
      throw new LiveCaptureException("no interface given (-i); list them with 'connscope interfaces'");
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
    PcapHandle.Builder b = new PcapHandle.Builder(o.device)
        .snaplen(o.snaplen)
        .promiscuousMode(o.promiscuous ? PromiscuousMode.PROMISCUOUS : PromiscuousMode.NONPROMISCUOUS)
        .timeoutMillis(o.readTimeoutMillis)
        .timestampPrecision(p);
    if (o.bufferBytes > 0) {
      b.bufferSize(o.bufferBytes);
    }
    return b.build();
  }

  /** Writes every frame {@link #next()} returns to {@code writer} too (null: stop writing). */
  public void tee(PcapWriter writer) {
    this.tee = writer;
  }

  @Override
  public boolean next() throws IOException {
    while (true) {
      if (options.count > 0 && frames >= options.count) {
        return false;
      }
      if (batch != null) {
        BatchBuffer b = batchBuffer;
        if (b.next()) {
          current = b.frames();
          currentOffset = b.frameOffset();
          info.timestampNanos = b.timestampNanos();
          info.capturedLength = b.capturedLength();
          info.wireLength = b.wireLength();
          break;
        }
      } else if (pending) {
        pending = false;
        break;
      }
      if (stop || (deadline != 0 && System.nanoTime() - deadline >= 0)) {
        return false;
      }
      if (!read()) {
        return false;
      }
    }
    frames++;
    bytes += info.capturedLength;
    info.linkType = linkType;
    info.interfaceId = 0;
    if (tee != null) {
      tee.write(info.timestampNanos, current, currentOffset, info.capturedLength, info.wireLength);
    }
    return true;
  }

  /** Reads from libpcap, blocking at most the read timeout; false when the capture must stop. */
  private boolean read() throws IOException {
    if (batch != null) {
      NativeBatch.Status s = batch.dispatch(pcap, batchBuffer, options.readTimeoutMillis);
      if (batchBuffer.skipped() > 0) {
        warnings.add("capture.batch_skipped", frames, batchBuffer.skipped(),
            "frames larger than the native batch buffer");
      }
      if (s == NativeBatch.Status.ERROR) {
        if (batchBuffer.remaining() > 0) {
          // the frames read before the error first; the error comes back on the next read
          return true;
        }
        throw new IOException(options.device + ": " + error());
      }
      // BROKEN: only requestStop() breaks the loop, and it set the flag first
      return s != NativeBatch.Status.BROKEN || batchBuffer.remaining() > 0 || !stop;
    }
    try {
      byte[] p = handle.getNextRawPacketEx();
      Timestamp ts = handle.getTimestamp();
      Integer wire = handle.getOriginalLength();
      if (p.length > frame.length) {
        frame = new byte[Math.max(p.length, frame.length * 2)];
        frameView = ByteBuffer.wrap(frame);
      }
      System.arraycopy(p, 0, frame, 0, p.length);
      current = frameView;
      currentOffset = 0;
      info.timestampNanos = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
      info.capturedLength = p.length;
      info.wireLength = wire == null ? p.length : wire;
      pending = true;
      return true;
    } catch (TimeoutException e) {
      // nothing ready (non-blocking handle): wait a little, then look at the stop conditions
      java.util.concurrent.locks.LockSupport.parkNanos(IDLE_WAIT_NANOS);
      return true;
    } catch (EOFException e) {
      return false; // pcap_breakloop(): requestStop()
    } catch (NotOpenException e) {
      return false;
    } catch (PcapNativeException e) {
      throw new IOException(options.device + ": " + e.getMessage());
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
   * Makes {@link #next()} return false within the read timeout: safe from any thread (a shutdown
   * hook). Frames already read are still returned first.
   */
  public void requestStop() {
    stop = true;
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

  /** libpcap's counters so far (call before {@link #close()}). */
  public CaptureStats stats() throws IOException {
    try {
      PcapStat s = handle.getStats();
      return new CaptureStats(s.getNumPacketsReceived(), s.getNumPacketsDropped(),
          s.getNumPacketsDroppedByIf());
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

  @Override
  public ByteBuffer buffer() {
    return current;
  }

  @Override
  public int frameOffset() {
    return currentOffset;
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
    synchronized (lock) {
      if (!closed) {
        closed = true;
        handle.close();
      }
    }
  }
}
