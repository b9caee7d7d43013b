#!/usr/bin/env python3
"""tshark-based checks of a recorded sample.

Usage:
  inspect_pcap.py summary FILE [--pair-by-ack]
                                           one line: packets, connections, duration
  inspect_pcap.py expected FILE OUT.tsv [--pair-by-ack]
                                           transaction list as tshark sees it
  inspect_pcap.py window FILE              one line: tshark's receive-window flags (frames
                                           marked window_full, zero_window, window_update)
  inspect_pcap.py check FILE CONNS TXNS [REQUESTS] [--pair-by-ack] [--responses N]
                        [--streams N] [--handshakes syn|synack]
                                           fail unless tshark sees CONNS connections and
                                           TXNS request/response pairs (and REQUESTS
                                           requests in all, default TXNS); --responses: N
                                           final responses in all (paired or not);
                                           --streams: N TCP connections in all, handshake
                                           or not; --handshakes synack: count CONNS by the
                                           server's SYN/ACK (the client's SYN not captured)
  inspect_pcap.py probes FILE MIN          fail unless tshark flags at least MIN TCP
                                           keep-alive probes and one connection's first
                                           captured packet is a probe

TSHARK_OPTS (space-separated NAME:VALUE) passes preferences to every tshark run, e.g.
TSHARK_OPTS=tls.keylog_file:KEYLOG for HTTPS samples.

The expected list has one row per request, by connection then capture order, columns
connection (tcp.stream), method, uri, status ("-" when no complete response was seen).
Responses are paired with requests in order on each connection (HTTP/1.x answers in
request order, RFC 9112 section 9.3.2), each with a request captured before it; interim 1xx
responses belong to the transaction and are not listed; tshark's own http.request_in is
cross-checked. A final response with no request left to pair (a capture without the
client's direction) gets a row of its own with method and uri "-".

--pair-by-ack pairs by sequence numbers instead of by order, for serial keep-alive
connections (each request sent after the previous response had arrived) on which the
capture lost a response: the response to a request is the one whose first byte is the
byte the request's segment acknowledges (tcp.ack). A request with no response starting
there gets "-"; a response that starts elsewhere, or requests sharing an ACK number
(pipelining), is an error.
"""

import os
import subprocess
import sys


def tshark(path, display_filter, fields):
    """Rows of FIELDS; a frame holding several messages (pipelining) yields one row each,
    the first two fields (frame.number, tcp.stream) repeated on each."""
    cmd = ["tshark", "-r", path, "-Y", display_filter, "-T", "fields", "-E", "aggregator=|"]
    for pref in os.environ.get("TSHARK_OPTS", "").split():
        cmd += ["-o", pref]  # e.g. tls.keylog_file:FILE (record-tls.sh)
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        cols = [c.split("|") for c in line.split("\t")]
        for i in range(max(len(c) for c in cols)):
            rows.append([c[0] if k < 2 else (c[i] if i < len(c) else "") for k, c in enumerate(cols)])
    return rows


def transactions(path, by_ack=False):
    if by_ack:
        return transactions_by_ack(path)
    reqs = tshark(path, "http.request", ["frame.number", "tcp.stream", "http.request.method",
                                         "http.request.uri"])
    resps = tshark(path, "http.response", ["frame.number", "tcp.stream", "http.response.code",
                                           "http.request_in"])
    by_stream = {}
    for frame, stream, method, uri in reqs:
        by_stream.setdefault(stream, []).append({"frame": frame, "stream": stream, "method": method,
                                                 "uri": uri, "status": "-"})
    pending = {s: list(rows) for s, rows in by_stream.items()}
    for frame, stream, code, request_in in resps:
        if code.startswith("1"):
            continue
        queue = pending.get(stream)
        if not queue or int(queue[0]["frame"]) > int(frame):
            # no request captured before it: the capture lacks the client's direction (or
            # started after the request was sent)
            by_stream.setdefault(stream, []).append({"frame": frame, "stream": stream, "method": "-",
                                                     "uri": "-", "status": code})
            continue
        row = queue.pop(0)
        row["status"] = code
        if request_in and request_in != row["frame"]:
            print(f"warning: {path}: tshark pairs response {frame} with request {request_in}, "
                  f"in-order pairing says {row['frame']}", file=sys.stderr)
    rows = [r for rs in by_stream.values() for r in rs]
    rows.sort(key=lambda r: (int(r["stream"]), int(r["frame"])))  # by connection, as reports list them
    return rows


def transactions_by_ack(path):
    """--pair-by-ack (see the module doc)."""
    seq = {f: int(s) for f, s in
           (r[:2] for r in tshark(path, "tcp", ["frame.number", "tcp.seq"]))}
    reqs = tshark(path, "http.request", ["frame.number", "tcp.stream", "http.request.method",
                                         "http.request.uri", "tcp.ack"])
    resps = tshark(path, "http.response", ["frame.number", "tcp.stream", "http.response.code",
                                           "tcp.segment"])
    starts = {}   # (stream, first byte of the response) -> status
    seen_frames = set()
    for frame, stream, code, first_segment in resps:
        if not code or code.startswith("1"):  # "": a further tcp.segment of the row above
            continue
        if frame in seen_frames:
            sys.exit(f"{path}: frame {frame} ends several responses, --pair-by-ack does not apply")
        seen_frames.add(frame)
        starts[(stream, seq[first_segment or frame])] = (frame, code)
    rows, acks = [], set()
    for frame, stream, method, uri, ack in reqs:
        if not ack or (stream, ack) in acks:   # "": a further request in the same frame
            sys.exit(f"{path}: requests sharing ACK {ack} on stream {stream} (pipelining), "
                     "--pair-by-ack does not apply")
        acks.add((stream, ack))
        hit = starts.pop((stream, int(ack)), None)
        rows.append({"frame": frame, "stream": stream, "method": method, "uri": uri,
                     "status": hit[1] if hit else "-"})
    if starts:
        sys.exit(f"{path}: responses not starting at a request's ACK number: "
                 + ", ".join(f"frame {f}" for f, _ in starts.values()))
    rows.sort(key=lambda r: (int(r["stream"]), int(r["frame"])))
    return rows


def probes(path, minimum):
    """Keep-alive probes: tshark's count, and a connection whose first captured packet is one
    (a zero-length segment one below the sender's next data byte; tshark cannot flag that one,
    it has not seen the sequence space yet)."""
    flagged = tshark(path, "tcp.analysis.keep_alive", ["frame.number", "tcp.stream"])
    answered = tshark(path, "tcp.analysis.keep_alive_ack", ["frame.number", "tcp.stream"])
    rows = tshark(path, "tcp", ["frame.number", "tcp.stream", "tcp.srcport", "tcp.seq_raw",
                                "tcp.len", "tcp.flags.syn"])
    first, first_probe = {}, []
    for frame, stream, sport, raw, length, syn in rows:
        first.setdefault(stream, (frame, sport, int(raw), int(length), syn))
    for stream, (frame, sport, raw, length, syn) in sorted(first.items(), key=lambda kv: int(kv[0])):
        if length or syn in ("1", "True"):
            continue
        data = [int(r[3]) for r in rows if r[1] == stream and r[2] == sport and int(r[4]) > 0]
        if data and data[0] == (raw + 1) % (1 << 32):
            first_probe.append((stream, frame))
    print(f"{path.rsplit('/', 1)[-1]}: {len(flagged)} keep-alive probes flagged by tshark "
          f"(frames {','.join(r[0] for r in flagged)}), {len(answered)} answers flagged; "
          "first packet a probe: "
          + (", ".join(f"connection {s} frame {f}" for s, f in first_probe) or "none"))
    if len(flagged) < minimum or not first_probe:
        sys.exit(f"{path}: expected at least {minimum} keep-alive probes and a connection whose "
                 "first captured packet is a probe")


def summary(path, by_ack=False):
    rows = tshark(path, "frame", ["tcp.stream", "frame.time_relative", "frame.len"])
    streams = {r[0] for r in rows if r[0]}
    duration = float(rows[-1][1]) if rows else 0.0
    size = sum(int(r[2]) for r in rows)
    txns = transactions(path, by_ack)
    name = path.rsplit("/", 1)[-1]
    print(f"{name:28s} packets={len(rows):4d} connections={len(streams)} "
          f"transactions={len(txns)} duration={duration:.3f}s bytes={size}")


def window(path):
    counts = {}
    for flag in ("window_full", "zero_window", "window_update"):
        counts[flag] = len(tshark(path, f"tcp.analysis.{flag}", ["frame.number", "tcp.stream"]))
    name = path.rsplit("/", 1)[-1]
    print(f"{name:28s} tshark: " + " ".join(f"{k}={v}" for k, v in counts.items()))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    args, opts, rest = [], {}, iter(sys.argv[3:])
    for a in rest:
        if a == "--pair-by-ack":
            opts[a] = True
        elif a.startswith("--"):
            opts[a] = next(rest)
        else:
            args.append(a)
    by_ack = opts.pop("--pair-by-ack", False)
    if cmd == "summary":
        summary(path, by_ack)
    elif cmd == "window":
        window(path)
    elif cmd == "expected":
        with open(args[0], "w") as out:
            out.write("connection\tmethod\turi\tstatus\n")
            for r in transactions(path, by_ack):
                out.write(f"{r['stream']}\t{r['method']}\t{r['uri']}\t{r['status']}\n")
    elif cmd == "check":
        want_conns, want_txns = int(args[0]), int(args[1])
        want_reqs = int(args[2]) if len(args) > 2 else want_txns
        txns = transactions(path, by_ack)
        handshake = ("tcp.flags.syn == 1 && tcp.flags.ack == 1"
                     if opts.pop("--handshakes", "syn") == "synack"
                     else "tcp.flags.syn == 1 && tcp.flags.ack == 0")
        conns = {r[0] for r in tshark(path, handshake, ["tcp.stream"])}
        requests = [t for t in txns if t["method"] != "-"]
        answered = [t for t in requests if t["status"] != "-"]
        responses = [t for t in txns if t["status"] != "-"]
        streams = {r[0] for r in tshark(path, "tcp", ["tcp.stream"])}
        want_resps, want_streams = opts.pop("--responses", None), opts.pop("--streams", None)
        if opts:
            sys.exit(f"unknown options {sorted(opts)}")
        problems = []
        if len(conns) != want_conns or len(answered) != want_txns or len(requests) != want_reqs:
            problems.append(f"expected {want_conns} connections / {want_txns} transactions of "
                            f"{want_reqs} requests, tshark sees {len(conns)} / {len(answered)} "
                            f"answered of {len(requests)}")
        if want_resps is not None and len(responses) != int(want_resps):
            problems.append(f"expected {want_resps} final responses, tshark sees {len(responses)}")
        if want_streams is not None and len(streams) != int(want_streams):
            problems.append(f"expected {want_streams} TCP connections, tshark sees {len(streams)}")
        if problems:
            sys.exit(f"{path}: " + "; ".join(problems))
    elif cmd == "probes":
        probes(path, int(args[0]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
