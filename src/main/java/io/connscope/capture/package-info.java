/**
 * Capture layer: turns a capture file (pcap, pcapng, gzip-compressed or not) or, later, a live
 * interface into a stream of frames with their {@link io.connscope.capture.CaptureInfo}.
 *
 * <p>Contract: a {@link io.connscope.capture.PacketSource} owns one reused buffer and one
 * CaptureInfo; each frame is valid only until the next call to {@code next()}. Readers never
 * allocate per frame, never throw on damaged input (they count a {@link
 * io.connscope.common.Warnings} code and stop or skip), and need no native library. A file large
 * enough is read ahead by a thread of its own ({@code ReadAhead}); the frames, their order and the
 * warnings are those of reading it on the caller's thread. This package depends only on {@code
 * common}; every other layer may use it.
 */
package io.connscope.capture;
