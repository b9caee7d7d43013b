/**
 * TCP layer: rebuilds connections from segments, keyed by 4-tuple and started by SYN, and delivers
 * each direction's bytes in order to a {@link io.connscope.tcp.StreamListener}.
 *
 * <p>Contract: the caller fills one reused {@link io.connscope.tcp.Segment} per TCP frame (the
 * payload is a view into the capture buffer) and calls the table. In-order payload passes through
 * without a copy; only out-of-order bytes are copied, within per-direction and global caps.
 * Sequence arithmetic lives in {@link io.connscope.tcp.Seq}. Time is the capture clock only. Each
 * connection keeps handshake times, RTT estimates, counters and a bounded per-segment timeline for
 * the detectors, and is released after its listener's {@code onClose}. A tuple that has seen only
 * handshake packets is kept as a compact attempt until it carries more (memory follows what the
 * tuples did, not how many there are). Depends only on {@code common} (warnings, directions); never
 * parses application bytes.
 *
 * <p>Parts: {@link io.connscope.tcp.ConnectionTable} finds a segment's entry by 4-tuple (an {@code
 * Attempt} while only handshake packets were seen, then a {@link io.connscope.tcp.Connection}). A
 * connection is its {@code Handshake}, two {@link io.connscope.tcp.HalfConnection}s (sequence
 * state, options, counters) each with its {@code Reassembler} (the out-of-order buffer and
 * delivery), its {@code History} letters and its {@link io.connscope.tcp.SegmentTimeline}; each
 * part owns its state. What connections share (options, warnings, chunk pool, global budgets) is a
 * {@code ConnectionContext}: nothing in a connection reaches back into the table. What stays of a
 * finished connection is a {@link io.connscope.tcp.ConnectionView}; {@link
 * io.connscope.tcp.ClosedConnection} is a copy of it (its values, and the connection's timeline,
 * kept readable after the close where {@code ConnectionTable.keepTimelines} asks it) for the stages
 * that read connections across each other.
 */
package io.connscope.tcp;
