package io.connscope.capture.live;

/** How to open a live capture: the {@code capture} command's options, checked by it. */
public final class LiveOptions {
  /** tcpdump's default snapshot length: whole frames. */
  public static final int DEFAULT_SNAPLEN = 262144;

  /** Interface name (as {@code connscope interfaces} lists it); required. */
  public String device;

  /** BPF filter expression (pcap-filter(7) syntax), or null for every packet. */
  public String filter;

  /** Bytes kept of each frame. */
  public int snaplen = DEFAULT_SNAPLEN;

  /**
   * Kernel capture buffer (bytes). Larger than libpcap's 2 MiB default (tcpdump's): connscope
   * analyses every packet as it comes, and needs the slack to ride out bursts and the JIT's warm-up
   * without drops (docs/performance.md, "Live capture").
   */
  public static final int DEFAULT_BUFFER_BYTES = 32 << 20;

  /** Kernel capture buffer in bytes; 0 keeps libpcap's default (2 MiB on Linux). */
  public int bufferBytes = DEFAULT_BUFFER_BYTES;

  /**
   * Default of {@link #backlogBytes}: enough for a cold start under replays at 190,000 to 320,000
   * packets/s of 1.2 KB, where the analysis (JIT warming up, JSON report) fell up to 189 MiB behind
   * (236 MiB of buffers) before catching up (docs/performance.md, "Live capture").
   */
  public static final long DEFAULT_BACKLOG_BYTES = 256L << 20;

  /**
   * Most bytes of captured packets held between the capture thread and the analysis (allocated as
   * needed, outside the Java heap); when the analysis is that far behind, the kernel's buffer takes
   * the rest.
   */
  public long backlogBytes = DEFAULT_BACKLOG_BYTES;

  /** Put the interface in promiscuous mode (as tcpdump does unless -p). */
  public boolean promiscuous = true;

  /**
   * Longest wait for packets before the loop looks at its stop conditions (libpcap's read timeout),
   * so that duration, count and Ctrl-C are honoured within this time.
   */
  public int readTimeoutMillis = 100;

  /** Stop after this many frames; 0 for no limit. */
  public long count;

  /** Stop after this long, in nanoseconds of wall-clock time; 0 for no limit. */
  public long durationNanos;

  /** Use the native batch reader when it is available (false forces pcap4j's per-packet loop). */
  public boolean nativeBatch = !"false".equals(System.getProperty("connscope.native"));
}
