/**
 * Live capture on a network interface, through libpcap.
 *
 * <p>Contract: {@link io.connscope.capture.live.LiveSource} is a {@link
 * io.connscope.capture.PacketSource} over an interface, so a live capture feeds the very pipeline a
 * capture file feeds. pcap4j finds devices, opens the handle, compiles the BPF filter and reads the
 * statistics; the packets themselves come either from the native batch reader ({@link
 * io.connscope.capture.nativeio}, one native call per batch, no allocation) or, when it is absent
 * or disabled, from pcap4j's per-packet loop. A capture thread of its own reads them into batches
 * queued for the analysis thread (bounded: {@link
 * io.connscope.capture.live.LiveOptions#backlogBytes}), so the kernel's buffer is drained while the
 * analysis is busy. Raw frame bytes go straight to the decoder: pcap4j's packet objects are never
 * built. What cannot work (no libpcap, no permission, no such interface, a bad filter) is a {@link
 * io.connscope.capture.live.LiveCaptureException} with one line saying what is missing and how to
 * fix it. Nothing outside the {@code capture} and {@code interfaces} commands loads this package,
 * so offline analysis runs without libpcap.
 */
package io.connscope.capture.live;
