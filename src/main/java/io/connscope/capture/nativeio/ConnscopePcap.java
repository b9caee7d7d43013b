package io.connscope.capture.nativeio;

import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.types.intptr_t;

/**
 * The C functions of {@code native/connscope_pcap.c}, as jnr-ffi binds them. Every argument is a
 * primitive, so a call allocates nothing. Handles and buffers are raw addresses.
 */
public interface ConnscopePcap {
  /** Interface version of the library; {@link NativeBatch#VERSION} is the one this code speaks. */
  @IgnoreError
  int cs_version();

  /** Sets the nice value of the calling thread: 0, or -1 when not allowed. */
  @IgnoreError
  int cs_thread_nice(int nice);

  /** Smallest batch buffer accepted for this pcap handle (two full-snaplen records). */
  @IgnoreError
  int cs_min_buffer(@intptr_t long pcap);

  /**
   * Reads the packets the non-blocking handle has ready into the buffer at {@code buffer} ({@code
   * cap} bytes), after a poll() of up to {@code timeoutMillis} when none are, after the batch
   * already there when {@code append} is non-zero: 0 when the batch is in the buffer, -2 when
   * pcap_breakloop() interrupted it, -1 on a libpcap error.
   */
  @IgnoreError
  int cs_dispatch(
      @intptr_t long pcap, @intptr_t long buffer, int cap, int timeoutMillis, int append);
}
