package io.connscope.tcp;

import java.util.BitSet;

/**
 * Limits and heuristics of the {@link ConnectionTable}. Plain mutable configuration: set the fields
 * before constructing the table; the table reads them as it goes.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>field</th><th>default</th><th>beyond the limit</th></tr>
 *   <tr><td>{@link #maxConnections}</td><td>200 000</td>
 *       <td>least recently active connection evicted, {@code tcp.connection_evicted}</td></tr>
 *   <tr><td>{@link #maxBufferedBytesPerDirection}</td><td>1 MiB</td>
 *       <td>oldest hole declared a gap, {@code tcp.ooo_buffer_full}</td></tr>
 *   <tr><td>{@link #maxBufferedBytesTotal}</td><td>128 MiB</td>
 *       <td>oldest hole of the arriving direction declared a gap, {@code tcp.ooo_buffer_total_full}</td></tr>
 *   <tr><td>{@link #timelineCapacity}</td><td>20 000</td>
 *       <td>later segments not recorded, {@code tcp.timeline_truncated}</td></tr>
 *   <tr><td>{@link #maxTimelineEntriesTotal}</td><td>4 000 000</td>
 *       <td>later segments of connections whose timeline would grow not recorded,
 *       {@code tcp.timeline_total_full} (27 bytes per entry, 43 on a timeline made wide); a
 *       timeline longer than 1,024 entries stops at three quarters of it ({@link
 *       #longTimelinesTotal})</td></tr>
 *   <tr><td>{@link #idleTimeoutMicros}</td><td>0 (none)</td>
 *       <td>connection finished with {@code IDLE}</td></tr>
 *   <tr><td>{@link #timeWaitMicros}</td><td>60 s</td>
 *       <td>how long a closed tuple absorbs late packets</td></tr>
 * </table>
 */
public final class TcpOptions {
  /** Open connections kept at once. */
  public int maxConnections = 200_000;

  /** Out-of-order bytes buffered per direction of one connection. */
  public int maxBufferedBytesPerDirection = 1 << 20;

  /** Out-of-order bytes buffered over all connections. */
  public long maxBufferedBytesTotal = 128L << 20;

  /** Segments recorded in each connection's {@link SegmentTimeline}. */
  public int timelineCapacity = 20_000;

  /**
   * Timeline entries allocated over all open connections (27 bytes each, 43 when wide): bounds the
   * memory of many long connections, which {@link #timelineCapacity} alone does not.
   */
  public long maxTimelineEntriesTotal = 4_000_000;

  /**
   * The part of {@link #maxTimelineEntriesTotal} that a timeline longer than one chunk of 1,024
   * entries may grow into: three quarters. The last quarter is kept for the connections with short
   * timelines, so that long transfers filling the total do not leave every later connection without
   * a timeline (and its detectors without segments); until stop 36 they did.
   */
  public long longTimelinesTotal() {
    return maxTimelineEntriesTotal - maxTimelineEntriesTotal / 4;
  }

  /**
   * Sets of timeline arrays kept per size (4 to 64 entries) for the connections that open later
   * ({@link SegmentTimeline.Pool}); 0 keeps none. Not counted in {@link #maxTimelineEntriesTotal}.
   */
  public int timelinePoolSets = 64;

  /** Capture time without a packet after which a connection is finished; 0 disables. */
  public long idleTimeoutMicros = 0;

  /**
   * Capture time a tuple closed by FIN/FIN/ACK or RST is remembered (2MSL-ish): a packet without
   * SYN arriving on it in that time is a late packet of the closed connection ({@code
   * tcp.packet_after_close}), not a new connection. 0 disables the memory.
   */
  public long timeWaitMicros = 60_000_000L;

  /** Ports taken for the server side when no handshake says which side is which. */
  private final BitSet serverPorts = new BitSet(65536);

  /** Creates options with the defaults, including the default server ports. */
  public TcpOptions() {
    for (int p : new int[] {80, 8080, 8000, 8008, 8888, 3128, 443, 8443, 81, 591}) {
      serverPorts.set(p);
    }
  }

  /** Adds a port to the server-port set (e.g. from {@code --server-port}). */
  public TcpOptions addServerPort(int port) {
    if (port >= 0 && port < 65536) {
      serverPorts.set(port);
    }
    return this;
  }

  /** True when {@code port} is in the server-port set. */
  public boolean isServerPort(int port) {
    return port >= 0 && port < 65536 && serverPorts.get(port);
  }
}
