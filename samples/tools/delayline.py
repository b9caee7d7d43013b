#!/usr/bin/env python3
"""User-space Ethernet delay line between two interfaces (stdlib only, Linux, root).

Usage: delayline.py IFACE_A IFACE_B --delay-ms 25 --deadline SECONDS
                   [--drop-syn N] [--drop-data SPORT:K]

Every frame received on one interface is sent, unchanged, out of the other one
--delay-ms later (per direction), in arrival order. It works at the frame level
(AF_PACKET), so TCP stays end to end between the hosts on either side: the
kernels on both ends run their own TCP stacks over a link with a real RTT of
2 x delay. It is the stand-in for `tc qdisc ... netem delay` on kernels without
sch_netem. --drop-syn N drops the first N SYNs (without ACK), so the client retransmits them;
--drop-data SPORT:K drops the K-th IPv4 TCP frame carrying payload from source port
SPORT (once: its retransmission goes through), to cause a retransmission. A frame the out
interface's qdisc refuses (e.g. a full tc tbf queue) is dropped and counted. Run it in a namespace that holds only the two inner veth ends, with
no addresses, so no other stack answers the frames.
"""

import argparse
import heapq
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
MAX_QUEUED = 10000  # frames; a bound, far above what a sample produces


def tcp_info(frame):
    """(source port, flags, payload length) of an untagged Ethernet IPv4 TCP frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    total = int.from_bytes(frame[16:18], "big")
    t = 14 + ihl
    if len(frame) < t + 20:
        return None
    doff = (frame[t + 12] >> 4) * 4
    return int.from_bytes(frame[t:t + 2], "big"), frame[t + 13], total - ihl - doff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface_a")
    ap.add_argument("iface_b")
    ap.add_argument("--delay-ms", type=float, default=25.0)
    ap.add_argument("--deadline", type=float, default=120.0)
    ap.add_argument("--drop-syn", type=int, default=0)
    ap.add_argument("--drop-data", default=None, help="SPORT:K")
    args = ap.parse_args()
    drop_port, drop_k = (int(x) for x in args.drop_data.split(":")) if args.drop_data else (-1, 0)
    syns_dropped = 0
    data_seen = 0

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.monotonic() + args.deadline
    delay = args.delay_ms / 1000.0

    socks = {}
    for name in (args.iface_a, args.iface_b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        socks[name] = s
    peer = {socks[args.iface_a]: socks[args.iface_b], socks[args.iface_b]: socks[args.iface_a]}
    queue = []  # heap of (release_time, sequence, out_socket, frame)
    seq = 0
    forwarded = 0
    qdisc_dropped = 0
    print("READY", flush=True)

    while not stop and time.monotonic() < end:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
                forwarded += 1
            except OSError:  # ENOBUFS: a qdisc on the out interface (tc tbf) dropped it
                qdisc_dropped += 1
        timeout = max(0.0, queue[0][0] - now) if queue else 0.1
        readable, _, _ = select.select(list(peer), [], [], min(timeout, 0.1))
        arrived = time.monotonic()
        for s in readable:
            for _ in range(64):  # drain a bounded batch per wake-up
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:  # our own transmission, seen on the way out
                    continue
                tcp = tcp_info(frame)
                if tcp is not None:
                    sport, flags, payload = tcp
                    if flags & 0x12 == 0x02 and syns_dropped < args.drop_syn:
                        syns_dropped += 1
                        continue
                    if sport == drop_port and payload > 0:
                        data_seen += 1
                        if data_seen == drop_k:
                            continue
                if len(queue) < MAX_QUEUED:
                    seq += 1
                    heapq.heappush(queue, (arrived + delay, seq, peer[s], frame))
    print(f"delayline: forwarded {forwarded} frames, {qdisc_dropped} dropped by the out"
          " interface's qdisc", file=sys.stderr)


if __name__ == "__main__":
    main()
