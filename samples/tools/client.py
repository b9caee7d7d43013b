#!/usr/bin/env python3
"""Small HTTP/1.x clients whose writes are precisely controlled, for recording samples.

Usage: client.py MODE HOST PORT [options]

Modes:
  pipelined  sends N GET requests (--path, repeatable) in ONE send() on one connection,
             then reads all N responses and closes.
  mixed      one keep-alive connection, one request at a time: GET /chunked, HEAD /file,
             GET /cached with If-None-Match, DELETE /item/7; then closes.
  nagle      one keep-alive connection, --count POSTs; each writes the head in one send()
             and the --body-size body in a second send() right after; TCP_NODELAY is off
             unless --nodelay; reads each response before the next request.
  get        one keep-alive connection, --count sequential GETs of --path.
  slowread   one GET of --path on a socket whose SO_RCVBUF is --rcvbuf (set before connect,
             so the SYN announces the small window), then reads the body --read-size bytes
             at a time, sleeping --read-pause seconds between reads: a slow reader.
  paths      --conns keep-alive connections one after the other; each GETs every --path
             in turn (each request after the previous response), then closes.
  midstream  connections that are open and idle when a capture starts: A and B (TCP
             keep-alive on: SO_KEEPALIVE, TCP_KEEPIDLE=1, TCP_KEEPINTVL=1) make requests,
             print IDLE and wait for the file --go to exist (at most 15 s); then A makes two
             more requests and a new connection C makes one and closes; all idle for --idle
             seconds (the kernel probes A and B every second); then B makes three requests
             (its first captured packet is a probe) and A one more. GETs of nginx's sample
             files and of /missing/N (404).

Prints one line per request on stdout: index, method, target, status, milliseconds from
the first byte written to the last byte of the response read.
"""

import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpwire import Reader, connect, now_ms, read_response  # noqa: E402


AGENT = "connscope-sample/1"


def request_head(method, target, host, extra=()):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"User-Agent: {AGENT}"]
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def report(i, method, target, status, ms):
    print(f"{i}\t{method}\t{target}\t{status}\t{ms:.1f}ms", flush=True)


def run_pipelined(args, sock, host):
    paths = args.path or ["/a.txt", "/b.html", "/c.bin"]
    t0 = time.monotonic()
    sock.sendall(b"".join(request_head("GET", p, host) for p in paths))  # one send()
    reader = Reader(sock)
    for i, p in enumerate(paths):
        status, _, _ = read_response(reader, "GET")
        report(i, "GET", p, status, now_ms(t0))


def run_mixed(args, sock, host):
    plan = [("GET", "/chunked", ()),
            ("HEAD", "/file", ()),
            ("GET", "/cached", ('If-None-Match: "v1"',)),
            ("DELETE", "/item/7", ())]
    reader = Reader(sock)
    for i, (method, target, extra) in enumerate(plan):
        t0 = time.monotonic()
        sock.sendall(request_head(method, target, host, extra))
        status, _, _ = read_response(reader, method)
        report(i, method, target, status, now_ms(t0))
        time.sleep(0.01)


def run_nagle(args, sock, host):
    reader = Reader(sock)
    body = (b"k=v&" * ((args.body_size + 3) // 4))[: args.body_size]
    for i in range(args.count):
        target = f"{(args.path or ['/upload'])[0]}/{i}"
        head = request_head("POST", target, host, ("Content-Type: application/x-www-form-urlencoded",
                                                   f"Content-Length: {len(body)}"))
        t0 = time.monotonic()
        sock.send(head)   # write 1: the head
        sock.send(body)   # write 2: the body, right after (Nagle holds it without TCP_NODELAY)
        status, _, _ = read_response(reader, "POST")
        report(i, "POST", target, status, now_ms(t0))
        time.sleep(args.pause)


def run_get(args, sock, host):
    reader = Reader(sock)
    target = (args.path or ["/"])[0]
    for i in range(args.count):
        t0 = time.monotonic()
        sock.sendall(request_head("GET", target, host))
        status, _, _ = read_response(reader, "GET")
        report(i, "GET", target, status, now_ms(t0))
        time.sleep(args.pause)


def run_slowread(args, sock, host):
    target = (args.path or ["/"])[0]
    t0 = time.monotonic()
    sock.sendall(request_head("GET", target, host))
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        data = sock.recv(args.read_size)
        if not data:
            raise SystemExit("client: closed before the response head")
        head += data
    raw, _, rest = head.partition(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    length = next(int(v) for k, _, v in (l.partition(":") for l in lines[1:])
                  if k.strip().lower() == "content-length")
    got = len(rest)
    for _ in range(length // max(1, args.read_size) + 2):  # bounded: one read per piece at least
        if got >= length:
            break
        time.sleep(args.read_pause)
        data = sock.recv(args.read_size)
        if not data:
            raise SystemExit(f"client: closed after {got} of {length} body bytes")
        got += len(data)
    while got < length:  # recv() may return less than --read-size: finish without pauses
        data = sock.recv(args.read_size)
        if not data:
            raise SystemExit(f"client: closed after {got} of {length} body bytes")
        got += len(data)
    report(0, "GET", target, int(lines[0].split()[1]), now_ms(t0))



def run_paths(args, host):
    for c in range(args.conns):
        sock = connect(args.host, args.port, args.nodelay)
        try:
            reader = Reader(sock)
            for i, target in enumerate(args.path or ["/"]):
                t0 = time.monotonic()
                sock.sendall(request_head("GET", target, host))
                status, _, _ = read_response(reader, "GET")
                report(f"{c}.{i}", "GET", target, status, now_ms(t0))
                time.sleep(args.pause)
        finally:
            sock.close()


def keepalive_connect(args):
    sock = connect(args.host, args.port, args.nodelay)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 5)
    return sock


def run_midstream(args, host):
    def get(name, sock, reader, target):
        t0 = time.monotonic()
        sock.sendall(request_head("GET", target, host))
        status, _, _ = read_response(reader, "GET")
        report(name, "GET", target, status, now_ms(t0))

    a, b = keepalive_connect(args), keepalive_connect(args)
    try:
        ra, rb = Reader(a), Reader(b)
        get("A", a, ra, "/a.txt")              # before the capture
        get("B", b, rb, "/b.html")
        get("B", b, rb, "/small.txt")
        print("IDLE", flush=True)
        for _ in range(300):                   # at most 15 s
            if os.path.exists(args.go):
                break
            time.sleep(0.05)
        else:
            sys.exit("midstream: no --go file after 15 s")
        get("A", a, ra, "/c.bin")               # in the capture: A at once
        get("A", a, ra, "/missing/1")
        c = connect(args.host, args.port, args.nodelay)
        try:
            get("C", c, Reader(c), "/small.txt")
        finally:
            c.close()
        time.sleep(args.idle)                   # A and B idle: keep-alive probes
        get("B", b, rb, "/a.txt")
        get("B", b, rb, "/missing/2")
        get("B", b, rb, "/c.bin")
        get("A", a, ra, "/b.html")
    finally:
        a.close()
        b.close()


MODES = {"pipelined": run_pipelined, "mixed": run_mixed, "nagle": run_nagle, "get": run_get,
         "slowread": run_slowread}
OWN_CONNECTIONS = {"paths": run_paths, "midstream": run_midstream}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=sorted(MODES) + sorted(OWN_CONNECTIONS))
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--path", action="append")
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--body-size", type=int, default=200)
    ap.add_argument("--pause", type=float, default=0.05, help="seconds between requests")
    ap.add_argument("--nodelay", action="store_true")
    ap.add_argument("--agent", help="User-Agent value (\\e is ESC)")
    ap.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF before connect (slowread)")
    ap.add_argument("--read-size", type=int, default=4096)
    ap.add_argument("--read-pause", type=float, default=0.01)
    ap.add_argument("--conns", type=int, default=1, help="paths: connections, one after the other")
    ap.add_argument("--go", help="midstream: go on once this file exists")
    ap.add_argument("--tls-ca", help="speak TLS, trusting this CA file (one connection modes)")
    ap.add_argument("--tls-name", default="connscope.test", help="TLS server name (SNI)")
    ap.add_argument("--keylog", help="TLS: append the session keys to this file (NSS key log)")
    ap.add_argument("--idle", type=float, default=2.5, help="midstream: idle seconds in the capture")
    args = ap.parse_args()
    if args.agent is not None:
        global AGENT
        AGENT = args.agent.replace("\\e", "\x1b")
    if not 0 < args.count <= 100:
        ap.error("--count must be in 1..100")
    if not 0 < args.conns <= 10:
        ap.error("--conns must be in 1..10")
    if args.mode == "midstream" and not args.go:
        ap.error("midstream needs --go FILE")

    host_header = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    if args.mode in OWN_CONNECTIONS:
        OWN_CONNECTIONS[args.mode](args, host_header)
        return
    tls = (args.tls_ca, args.tls_name, args.keylog) if args.tls_ca else None
    sock = connect(args.host, args.port, args.nodelay, args.rcvbuf, tls)
    try:
        MODES[args.mode](args, sock, host_header)
    finally:
        sock.close()


if __name__ == "__main__":
    main()
