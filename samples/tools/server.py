#!/usr/bin/env python3
"""Small HTTP/1.x servers whose writes are precisely controlled, for recording samples.

Usage: server.py MODE HOST PORT [--max-conns N] [--deadline SECONDS]
                 [--body-size N] [--piece N] [--pause SECONDS] [--tls CERT KEY]

Modes:
  mixed       keep-alive HTTP/1.1; GET /chunked -> 200 chunked (5 chunks, one send each,
              TCP_NODELAY on so each chunk is its own segment); HEAD /file -> 200 with
              Content-Length and no body; GET /cached with If-None-Match -> 304;
              DELETE /item/* -> 204; anything else -> 404.
  continue    answers Expect: 100-continue with an interim 100, reads the whole body,
              then answers 200 with the byte count.
  http10      answers HTTP/1.0 without Content-Length and closes: a close-delimited body.
  onewrite    keep-alive; reads the full request (head + Content-Length body) and
              answers 200 in ONE send().
  paths       keep-alive; every response in ONE send(), its first header X-Path echoing
              the target: GET /missing... -> 404 with a short body; GET /size/N -> 200
              with N bytes; anything else -> 200 with 256 bytes.
  dribble     one response of 60 x 1000 bytes, one write (and segment) each.
  silent      reads one request and never answers.
  bulk        answers any GET with 200 and a --body-size body (default 1 MiB) in one
              sendall(), then waits for the client to close.
  paused      answers any GET with 200 and a --body-size body (Content-Length) written in
              --piece pieces (default 64 KiB), sleeping --pause seconds (default 0.06)
              before each piece after the first: an application that produces its body
              slowly while the connection has room.

--tls CERT KEY: every mode over TLS (Python's ssl, the server's defaults: TLS 1.3), each
send() one TLS record.

Every loop is bounded: at most --max-conns connections, 100 requests per connection,
and the process exits after --deadline seconds whatever happens.
"""

import argparse
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpwire import IO_TIMEOUT, Closed, Reader  # noqa: E402

MAX_REQUESTS_PER_CONN = 100
BODY_200 = (b"sample body line for connscope.\n" * 8)  # 256 bytes


def respond(sock, status, reason, headers, body=b""):
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    sock.sendall(head.encode("latin-1") + body)


def read_request(reader):
    """Return (method, target, version, headers) or None when the client closed."""
    got = reader.head()
    if got is None:
        return None
    start, headers = got
    method, target, version = start.split(" ", 2)
    return method, target, version, headers


def read_body(reader, headers):
    n = int(headers.get("content-length", "0"))
    return reader.exactly(n) if n else b""


def serve_mixed(conn, reader):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(MAX_REQUESTS_PER_CONN):
        req = read_request(reader)
        if req is None:
            return
        method, target, _, headers = req
        read_body(reader, headers)
        if method == "GET" and target == "/chunked":
            respond_head = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n")
            conn.sendall(respond_head.encode())
            for i in range(5):
                time.sleep(0.005)  # let each chunk leave as its own segment
                data = (f"chunk {i} " + "x" * (100 * (i + 1)) + "\n").encode()
                conn.sendall(b"%x\r\n%s\r\n" % (len(data), data))
            time.sleep(0.005)
            conn.sendall(b"0\r\n\r\n")
        elif method == "HEAD" and target == "/file":
            respond(conn, 200, "OK", [("Content-Type", "text/plain"),
                                      ("Content-Length", str(len(BODY_200)))])
        elif method == "GET" and target == "/cached" and "if-none-match" in headers:
            respond(conn, 304, "Not Modified", [("ETag", '"v1"')])
        elif method == "DELETE" and target.startswith("/item/"):
            respond(conn, 204, "No Content", [])
        else:
            respond(conn, 404, "Not Found", [("Content-Length", "0")])
        if headers.get("connection", "").lower() == "close":
            return


def serve_continue(conn, reader):
    for _ in range(MAX_REQUESTS_PER_CONN):
        req = read_request(reader)
        if req is None:
            return
        method, target, _, headers = req
        if headers.get("expect", "").lower() == "100-continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = read_body(reader, headers)
        msg = f'{{"method":"{method}","target":"{target}","received":{len(body)}}}\n'.encode()
        respond(conn, 200, "OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(msg)))], msg)
        if headers.get("connection", "").lower() == "close":
            return


def serve_http10(conn, reader):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = read_request(reader)
    if req is None:
        return
    read_body(reader, req[3])
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nServer: cs-sample\r\n\r\n")
    for i in range(3):
        time.sleep(0.005)
        conn.sendall((f"part {i} of a close-delimited body\n" * 40).encode())
    # RFC 9112 section 6.3 rule 8: without Content-Length the body ends when we close.
    conn.shutdown(socket.SHUT_WR)


def serve_onewrite(conn, reader):
    for _ in range(MAX_REQUESTS_PER_CONN):
        req = read_request(reader)
        if req is None:
            return
        method, target, _, headers = req
        body = read_body(reader, headers)
        msg = f'{{"method":"{method}","target":"{target}","received":{len(body)}}}\n'.encode()
        respond(conn, 200, "OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(msg)))], msg)  # one send()
        if headers.get("connection", "").lower() == "close":
            return


def serve_paths(conn, reader):
    for _ in range(MAX_REQUESTS_PER_CONN):
        req = read_request(reader)
        if req is None:
            return
        method, target, _, headers = req
        read_body(reader, headers)
        if target.startswith("/missing"):
            status, reason, body = 404, "Not Found", f"no such path: {target}\n".encode("latin-1")
        elif target.startswith("/size/"):
            n = max(0, min(int(target[6:]), 1 << 20))
            body = (b"0123456789abcdef" * (n // 16 + 1))[:n]
            status, reason = 200, "OK"
        else:
            status, reason, body = 200, "OK", BODY_200
        # X-Path first: a capture filter can pick one response by the bytes at a fixed offset
        respond(conn, status, reason, [("X-Path", target), ("Content-Type", "text/plain"),
                                       ("Content-Length", str(len(body)))], body)  # one send()
        if headers.get("connection", "").lower() == "close":
            return


def serve_dribble(conn, reader):
    """One response of 60 x 1000 bytes, each write its own segment (TCP_NODELAY, 1 ms apart)."""
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = read_request(reader)
    if req is None:
        return
    read_body(reader, req[3])
    parts = 60
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {parts * 1000}"
                 "\r\n\r\n".encode())
    for i in range(parts):
        time.sleep(0.001)
        conn.sendall((f"{i:04d}" + "x" * 995 + "\n").encode())


def serve_silent(conn, reader):
    """Reads one request and never answers: the client gives up."""
    req = read_request(reader)
    if req is None:
        return
    while conn.recv(4096):
        pass


BODY = {"size": 1 << 20, "piece": 64 << 10, "pause": 0.06}  # set from the command line


def body_bytes(n):
    """Deterministic body: 64-byte numbered lines."""
    line_count = (n + 63) // 64
    return b"".join(b"%06d" % i + b"." * 57 + b"\n" for i in range(line_count))[:n]


def serve_bulk(conn, reader):
    """One 200 with the whole body in one sendall(); a slow reader makes it wait on the window."""
    req = read_request(reader)
    if req is None:
        return
    read_body(reader, req[3])
    body = body_bytes(BODY["size"])
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    while conn.recv(4096):  # until the client closes (bounded by IO_TIMEOUT)
        pass


def serve_paused(conn, reader):
    """One 200 whose body leaves in pieces with pauses between them (application-limited)."""
    req = read_request(reader)
    if req is None:
        return
    read_body(reader, req[3])
    body = body_bytes(BODY["size"])
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode())
    piece = max(1, BODY["piece"])
    for off in range(0, len(body), piece):
        if off:
            time.sleep(BODY["pause"])
        conn.sendall(body[off:off + piece])
    while conn.recv(4096):
        pass


MODES = {"mixed": serve_mixed, "continue": serve_continue, "http10": serve_http10,
         "onewrite": serve_onewrite, "paths": serve_paths, "dribble": serve_dribble, "silent": serve_silent,
         "bulk": serve_bulk, "paused": serve_paused}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=sorted(MODES))
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--max-conns", type=int, default=1)
    ap.add_argument("--deadline", type=float, default=60.0)
    ap.add_argument("--body-size", type=int, default=1 << 20)
    ap.add_argument("--piece", type=int, default=64 << 10)
    ap.add_argument("--pause", type=float, default=0.06)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve TLS")
    args = ap.parse_args()
    if not 0 <= args.body_size <= 16 << 20 or not 0 <= args.pause <= 1:
        ap.error("--body-size must be at most 16 MiB and --pause at most 1 s")
    BODY.update(size=args.body_size, piece=args.piece, pause=args.pause)

    signal.signal(signal.SIGALRM, lambda *_: sys.exit(3))
    signal.alarm(int(args.deadline))

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(16)
    tls = None
    if args.tls:
        import ssl
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*args.tls)
    print("READY", flush=True)
    for _ in range(args.max_conns):
        conn, _ = lsock.accept()
        conn.settimeout(IO_TIMEOUT)
        try:
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            MODES[args.mode](conn, Reader(conn))
        except (Closed, ConnectionResetError, socket.timeout) as e:
            print(f"server: connection ended: {e!r}", file=sys.stderr)
        finally:
            conn.close()
    lsock.close()


if __name__ == "__main__":
    main()
