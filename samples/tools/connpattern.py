#!/usr/bin/env python3
"""Connection-use patterns for the setup/TIME_WAIT/slow-start samples (stdlib only).

Usage:
  connpattern.py serve HOST PORT [--deadline S]
      Threaded keep-alive HTTP/1.1 server. GET /size/N answers N bytes (one sendall);
      anything else 64 bytes. "Connection: close" in a request: the server answers and
      closes first. Otherwise the connection stays open until the client closes.
  connpattern.py serial HOST PORT --count N         one new connection per request, in turn
  connpattern.py parallel HOST PORT --count N --width W   W connections at once, one request each
  connpattern.py persistent HOST PORT --count N     N requests on one connection
  connpattern.py fixedport HOST PORT --count N --source-port P
      N connections from the same source port (SO_REUSEADDR), each with "Connection: close"
      (the server closes first and holds TIME_WAIT), --pause between them
  connpattern.py cycle HOST PORT --count N          N connections, client closes first; connect()
      failing with EADDRNOTAVAIL (ports held in TIME_WAIT) is retried every 50 ms
  connpattern.py exhaust HOST PORT --count N --pause S
      one request per new connection, client closes first, S apart, until connect() fails
      with EADDRNOTAVAIL (every port of a small range in TIME_WAIT) or N connections; then
      one more try after --idle seconds, and stop
  connpattern.py burst HOST PORT --count N --rate R connect and close N times at about R a second
  connpattern.py refused HOST PORT                  one connect to a closed port (expects RST)
  connpattern.py fetch HOST PORT --path P [--path P...] [--idle S]
      the paths in turn on one connection, sleeping --idle seconds before the last one

Over TLS (Python's ssl, TLS 1.3): serve with --tls-cert CERT KEY; the clients with --tls-ca CA
(server name connscope.test) and --keylog FILE (the NSS key log, as SSLKEYLOGFILE).

Every blocking call is bounded by IO_TIMEOUT; servers exit after --deadline seconds.
"""

import argparse
import errno
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpwire import IO_TIMEOUT, Closed, Reader  # noqa: E402

MAX_COUNT = 2000


TLS_SERVER = None  # ssl.SSLContext with --tls-cert
TLS_CLIENT = None  # (ssl.SSLContext, keylog) with --tls-ca


def serve_conn(conn):
    try:
        if TLS_SERVER is not None:
            conn = TLS_SERVER.wrap_socket(conn, server_side=True)
        reader = Reader(conn)
        for _ in range(100):
            got = reader.head()
            if got is None:
                return
            start, headers = got
            target = start.split(" ")[1]
            n = 64
            if target.startswith("/size/"):
                n = max(0, min(int(target[6:]), 4 << 20))
            close = headers.get("connection", "").lower() == "close"
            head = (f"HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nContent-Type: application/octet-stream\r\n"
                    + ("Connection: close\r\n" if close else "") + "\r\n").encode()
            conn.sendall(head + bytes((i * 7) & 0xFF for i in range(n)))
            if close:
                return
    except (Closed, ConnectionResetError, socket.timeout, BrokenPipeError, OSError):
        pass
    finally:
        conn.close()


def serve(args):
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(int(args.deadline))
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(512)
    print("READY", flush=True)
    while True:
        conn, _ = lsock.accept()
        conn.settimeout(IO_TIMEOUT)
        threading.Thread(target=serve_conn, args=(conn,), daemon=True).start()


def request(sock, host, port, path, close=False):
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                  + ("Connection: close\r\n" if close else "") + "\r\n").encode())
    reader = Reader(sock)
    start, headers = reader.head()
    reader.exactly(int(headers.get("content-length", "0")))
    return start


def connect(host, port, source_port=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(IO_TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if source_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", source_port))
    s.connect((host, port))
    if TLS_CLIENT is not None:
        s = TLS_CLIENT.wrap_socket(s, server_hostname="connscope.test")
    return s


def one(args, i, close=False, source_port=None):
    s = connect(args.host, args.port, source_port)
    try:
        print(i, request(s, args.host, args.port, args.path[0], close), flush=True)
        if close:
            s.recv(1)  # wait for the server's FIN
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--width", type=int, default=4)
    ap.add_argument("--rate", type=float, default=300.0)
    ap.add_argument("--pause", type=float, default=0.05)
    ap.add_argument("--idle", type=float, default=0.0)
    ap.add_argument("--source-port", type=int, default=0)
    ap.add_argument("--path", action="append")
    ap.add_argument("--deadline", type=float, default=60.0)
    ap.add_argument("--tls-cert", nargs=2, metavar=("CERT", "KEY"), help="serve: over TLS")
    ap.add_argument("--tls-ca", help="clients: over TLS, trusting this CA (name connscope.test)")
    ap.add_argument("--keylog", help="clients over TLS: append the session keys here (NSS key log)")
    args = ap.parse_args()
    global TLS_SERVER, TLS_CLIENT
    if args.tls_cert:
        import ssl
        TLS_SERVER = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        TLS_SERVER.load_cert_chain(*args.tls_cert)
    if args.tls_ca:
        import ssl
        TLS_CLIENT = ssl.create_default_context(cafile=args.tls_ca)
        if args.keylog:
            TLS_CLIENT.keylog_filename = args.keylog
    args.path = args.path or ["/size/512"]
    if not 0 < args.count <= MAX_COUNT:
        ap.error(f"--count must be in 1..{MAX_COUNT}")
    if args.mode == "serve":
        serve(args)
    elif args.mode == "serial":
        for i in range(args.count):
            one(args, i)
            time.sleep(args.pause)
    elif args.mode == "parallel":
        for wave in range(0, args.count, args.width):
            ts = [threading.Thread(target=one, args=(args, i)) for i in range(wave, min(args.count, wave + args.width))]
            for t in ts:
                t.start()
            for t in ts:
                t.join(IO_TIMEOUT)
            time.sleep(args.pause)
    elif args.mode == "persistent":
        s = connect(args.host, args.port)
        try:
            for i in range(args.count):
                print(i, request(s, args.host, args.port, args.path[0]), flush=True)
                time.sleep(args.pause)
        finally:
            s.close()
    elif args.mode == "fixedport":
        for i in range(args.count):
            one(args, i, close=True, source_port=args.source_port)
            time.sleep(args.pause)
    elif args.mode == "cycle":
        done, failures, end = 0, 0, time.monotonic() + args.deadline
        while done < args.count and time.monotonic() < end:
            try:
                one(args, done)
                done += 1
            except OSError as e:
                if e.errno != errno.EADDRNOTAVAIL:
                    raise
                failures += 1
                time.sleep(0.05)
        print(f"cycle: {done} connections, {failures} connect failures (EADDRNOTAVAIL)", flush=True)
    elif args.mode == "exhaust":
        done = 0
        while done < args.count:
            try:
                one(args, done)
            except OSError as e:
                if e.errno != errno.EADDRNOTAVAIL:
                    raise
                print(f"exhaust: connect() failed with EADDRNOTAVAIL after {done} connections", flush=True)
                break
            done += 1
            time.sleep(args.pause)
        if done < args.count and args.idle > 0:
            time.sleep(args.idle)
            try:
                one(args, done)
                print("exhaust: the retry got a port", flush=True)
            except OSError as e:
                if e.errno != errno.EADDRNOTAVAIL:
                    raise
                print("exhaust: the retry failed too (EADDRNOTAVAIL)", flush=True)
    elif args.mode == "burst":
        gap = 1.0 / args.rate
        t0 = time.monotonic()
        for i in range(args.count):
            s = connect(args.host, args.port)
            s.close()
            delay = t0 + (i + 1) * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    elif args.mode == "refused":
        try:
            connect(args.host, args.port).close()
            sys.exit("refused: the connect succeeded")
        except ConnectionRefusedError:
            print("refused: connection refused", flush=True)
    elif args.mode == "fetch":
        s = connect(args.host, args.port)
        try:
            for i, path in enumerate(args.path):
                if i == len(args.path) - 1 and args.idle > 0:
                    time.sleep(args.idle)
                print(i, path, request(s, args.host, args.port, path), flush=True)
                time.sleep(args.pause)
        finally:
            s.close()
    else:
        ap.error("unknown mode " + args.mode)


if __name__ == "__main__":
    main()
