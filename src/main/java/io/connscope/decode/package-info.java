/**
 * Decode layer: flyweight views over frame bytes (link layer, IPv4, IPv6, TCP) that allocate
 * nothing per packet.
 *
 * <p>Contract: one {@link io.connscope.decode.FrameDecoder} owns one instance of each view and
 * rewraps them for every frame; views and decoded values are valid only until the next frame. A
 * decode returns a {@link io.connscope.decode.DecodeStatus} that tells snaplen truncation (bytes
 * missing from the capture) apart from malformation (bytes that cannot be a valid packet). Reads
 * are absolute and big-endian, with unsigned widening inside the accessors, through {@link
 * io.connscope.decode.BigEndianBytes}: from the buffer's array when it has one (a capture file's),
 * through the buffer otherwise (a live capture's direct memory), the buffer's limit bounding both.
 * Depends only on {@code capture} and {@code common}.
 *
 * <p>The one stateful part is the optional {@link io.connscope.decode.IpDefragmenter}: it keeps IP
 * fragments (bounded, by capture time) until their datagram is complete, and the decoder then
 * decodes the frame that completed it from the reassembled copy.
 */
package io.connscope.decode;
