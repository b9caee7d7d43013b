#!/usr/bin/env python3
"""tshark-based checks of a recorded sample.

Usage:
  inspect_pcap.py summary FILE             one line: packets, connections, duration
  inspect_pcap.py expected FILE OUT.tsv    transaction list as tshark sees it
  inspect_pcap.py window FILE              one line: tshark's receive-window flags (frames
                                           marked window_full, zero_window, window_update)
  inspect_pcap.py check FILE CONNS TXNS [REQUESTS]
                                           fail unless tshark sees CONNS connections and
                                           TXNS request/response pairs (and REQUESTS
                                           requests in all, default TXNS)

The expected list has one row per request, by connection then capture order, columns
connection (tcp.stream), method, uri, status ("-" when no complete response was seen). Responses are paired with requests in order on each connection (HTTP/1.x
answers in request order, RFC 9112 section 9.3.2); interim 1xx responses belong to the
transaction and are not listed; tshark's own http.request_in is cross-checked.
"""

import subprocess
import sys


def tshark(path, display_filter, fields):
    """Rows of FIELDS; a frame holding several messages (pipelining) yields one row each,
    the first two fields (frame.number, tcp.stream) repeated on each."""
    cmd = ["tshark", "-r", path, "-Y", display_filter, "-T", "fields", "-E", "aggregator=|"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        cols = [c.split("|") for c in line.split("\t")]
        for i in range(max(len(c) for c in cols)):
            rows.append([c[0] if k < 2 else (c[i] if i < len(c) else "") for k, c in enumerate(cols)])
    return rows


def transactions(path):
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
        if not queue:
            print(f"warning: {path}: response frame {frame} without a request", file=sys.stderr)
            continue
        row = queue.pop(0)
        row["status"] = code
        if request_in and request_in != row["frame"]:
            print(f"warning: {path}: tshark pairs response {frame} with request {request_in}, "
                  f"in-order pairing says {row['frame']}", file=sys.stderr)
    rows = [r for rs in by_stream.values() for r in rs]
    rows.sort(key=lambda r: (int(r["stream"]), int(r["frame"])))  # by connection, as reports list them
    return rows


def summary(path):
    rows = tshark(path, "frame", ["tcp.stream", "frame.time_relative", "frame.len"])
    streams = {r[0] for r in rows if r[0]}
    duration = float(rows[-1][1]) if rows else 0.0
    size = sum(int(r[2]) for r in rows)
    txns = transactions(path)
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
    if cmd == "summary":
        summary(path)
    elif cmd == "window":
        window(path)
    elif cmd == "expected":
        with open(sys.argv[3], "w") as out:
            out.write("connection\tmethod\turi\tstatus\n")
            for r in transactions(path):
                out.write(f"{r['stream']}\t{r['method']}\t{r['uri']}\t{r['status']}\n")
    elif cmd == "check":
        want_conns, want_txns = int(sys.argv[3]), int(sys.argv[4])
        want_reqs = int(sys.argv[5]) if len(sys.argv) > 5 else want_txns
        txns = transactions(path)
        conns = {r[0] for r in tshark(path, "tcp.flags.syn == 1 && tcp.flags.ack == 0", ["tcp.stream"])}
        answered = [t for t in txns if t["status"] != "-"]
        if len(conns) != want_conns or len(answered) != want_txns or len(txns) != want_reqs:
            sys.exit(f"{path}: expected {want_conns} connections / {want_txns} transactions, "
                     f"tshark sees {len(conns)} / {len(answered)} answered of {len(txns)}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
