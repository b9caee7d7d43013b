#!/usr/bin/env python3
"""Measure write-write-read stalls in a capture with tshark (for the timing samples).

Usage: gaps.py FILE.pcap SERVER_PORT request|response

For every message head segment in the chosen direction (a request head sent to
SERVER_PORT, or a response head sent from it), prints: the frame of the head
segment, the frame and delay of the ACK that covered it, the frame and gap to
the next data segment in the same direction (the body, held back by Nagle until
that ACK arrived), and the connection's handshake RTT (SYN -> SYN/ACK as seen at
the capture point). Times are in milliseconds.
"""

import re
import subprocess
import sys

REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/1\.[01]\r\n")
STATUS_LINE = re.compile(rb"^HTTP/1\.[01] [0-9]{3}")

FIELDS = ["frame.number", "frame.time_relative", "tcp.stream", "tcp.srcport", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.len", "tcp.seq", "tcp.ack", "tcp.payload"]


def segments(path):
    cmd = ["tshark", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = line.split("\t")
        yield {"frame": int(v[0]), "t": float(v[1]) * 1000.0, "stream": int(v[2]),
               "sport": int(v[3]), "syn": v[4] in ("1", "True"), "ackf": v[5] in ("1", "True"),
               "len": int(v[6]), "seq": int(v[7]), "ack": int(v[8] or 0),
               "payload": bytes.fromhex(v[9]) if v[9] else b""}


def main():
    path, port, direction = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    segs = list(segments(path))
    head_re = STATUS_LINE if direction == "response" else REQUEST_LINE
    sender_is_server = direction == "response"

    rtt = {}
    syn_t = {}
    for s in segs:
        if s["syn"] and not s["ackf"]:
            syn_t[s["stream"]] = s["t"]
        elif s["syn"] and s["ackf"] and s["stream"] in syn_t:
            rtt[s["stream"]] = s["t"] - syn_t[s["stream"]]

    print("msg\tstream\thead_frame\thead_len\tack_frame\tack_delay_ms\tnext_frame\tgap_ms\trtt_ms")
    n = 0
    for i, h in enumerate(segs):
        if h["len"] == 0 or (h["sport"] == port) != sender_is_server or not head_re.match(h["payload"]):
            continue
        end = h["seq"] + h["len"]
        ack = nxt = None
        for s in segs[i + 1:]:
            if s["stream"] != h["stream"]:
                continue
            same_dir = (s["sport"] == h["sport"])
            if not same_dir and ack is None and s["ack"] >= end:
                ack = s
            if same_dir and s["len"] > 0 and nxt is None:
                nxt = s
            if ack and nxt:
                break
        r = rtt.get(h["stream"])
        print("\t".join([
            str(n), str(h["stream"]), str(h["frame"]), str(h["len"]),
            str(ack["frame"]) if ack else "-", f"{ack['t'] - h['t']:.1f}" if ack else "-",
            str(nxt["frame"]) if nxt else "-", f"{nxt['t'] - h['t']:.1f}" if nxt else "-",
            f"{r:.1f}" if r is not None else "-"]))
        n += 1


if __name__ == "__main__":
    main()
