/**
 * The jnr-ffi binding of the native batch reader ({@code native/connscope_pcap.c}): one native call
 * reads a whole batch of packets from a libpcap handle into a direct buffer shared with the JVM.
 *
 * <p>Contract: {@link io.connscope.capture.nativeio.NativeBatch#load()} finds the helper library
 * shipped in the jar (or returns why it cannot), and {@link
 * io.connscope.capture.nativeio.NativeBatch#dispatch} fills a {@link
 * io.connscope.capture.nativeio.BatchBuffer} (or adds to the batch in it); {@code BatchBuffer} also
 * takes records appended from Java, in the same layout, for the per-packet reader. Nothing here
 * opens or configures a capture: the handle comes from pcap4j. Loaded only by live capture, never
 * on the offline analysis path.
 */
package io.connscope.capture.nativeio;
