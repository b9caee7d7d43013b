#!/usr/bin/env python3
"""Rewrites the client address of every IPv4 TCP packet of a loopback capture so that the
capture looks like traffic from many clients: the client (the side whose port is not SERVER_PORT)
becomes 127.1.0.N, N = 1 + client port mod CLIENTS (a client port keeps one address, so port reuse
stays port reuse). The IPv4 header checksum is recomputed; the TCP checksum is left as it was
(connscope does not check checksums; loopback captures carry offloaded ones anyway).

  bench/spread-clients.py IN.pcap OUT.pcap SERVER_PORT [CLIENTS=64]

Used by bench/spark-bench.sh: the Spark job analyses each host pair in one task, so a set from one
loopback client is one task in stage 2; real sets come from many clients.
"""
import struct
import sys


def checksum(header):
    s = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    clients = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    with open(src, "rb") as f, open(dst, "wb") as o:
        g = f.read(24)
        magic = struct.unpack("<I", g[:4])[0]
        end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        link = struct.unpack(end + "I", g[20:24])[0]
        if link != 1:
            sys.exit("spread-clients: only Ethernet captures (link type 1), not %d" % link)
        o.write(g)
        rec = struct.Struct(end + "IIII")
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            cap = rec.unpack(h)[2]
            data = bytearray(f.read(cap))
            if len(data) >= 14 + 20 + 4 and data[12:14] == b"\x08\x00" and data[23] == 6:
                ihl = (data[14] & 0x0F) * 4
                sport, dport = struct.unpack("!HH", data[14 + ihl:14 + ihl + 4])
                client = dport if sport == port else sport
                addr = bytes([127, 1, 0, 1 + client % clients])
                at = 14 + 12 if dport == port else 14 + 16  # the client's address field
                data[at:at + 4] = addr
                data[24:26] = b"\x00\x00"
                data[24:26] = struct.pack("!H", checksum(bytes(data[14:14 + ihl])))
            o.write(h)
            o.write(data)


if __name__ == "__main__":
    main()
