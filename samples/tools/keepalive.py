#!/usr/bin/env python3
"""Keep-alive failure scenarios for recording samples (stdlib only).

Usage:
  keepalive.py relay LISTEN_PORT UPSTREAM_PORT [--deadline S]
      A blind-relay HTTP proxy ("dumb proxy"): per client connection it reads ONE request
      head, connects to 127.0.0.1:UPSTREAM_PORT, forwards the head verbatim (hop-by-hop
      headers included), then copies the server's bytes back until the server closes, and
      only then closes the client connection. Anything else the client sends is never read.
  keepalive.py server MODE PORT [--deadline S] [--max-conns N]
      refuse10   HTTP/1.0 responses with Content-Length and no keep-alive; closes after each.
      closedelim HTTP/1.1 200 without Content-Length or chunked; the close ends the body.
      lying      1st connection: Content-Length 100 with 120 body bytes, then a correct
                 response; 2nd connection: Content-Length 300 with 200 bytes, then waits.
      idleclose  keep-alive, closes a connection idle for 0.3 s.
      kamax      keep-alive with "Keep-Alive: timeout=1, max=N" (Apache style: N requests
                 left); closes after 2 requests or 1 s idle.
      lenient    reads a request head, waits 0.1 s for any body, answers a correct
                 "200, Content-Length: 3, Connection: close" whatever the request's framing,
                 then closes (a server that does not check request framing).
      badframing connection N answers its request with malformed framing, then closes:
                 0 Content-Length: -1; 1 Content-Length 3 and 5; 2 chunked with Content-Length;
                 3 chunk size "zz"; 4 a chunk not followed by CRLF.
  keepalive.py client MODE PORT [--timeout S]
      proxy10    two HTTP/1.0 Connection: Keep-Alive GETs (absolute-form) on one connection;
                 when the 2nd gets no answer within --timeout it closes and retries it on a
                 new connection.
      proxyconn  the same with Proxy-Connection: Keep-Alive instead of Connection; opens a new
                 connection when the server closes.
      ka10       3 HTTP/1.0 Connection: Keep-Alive GETs, a new connection whenever the server
                 closes (origin-form).
      lying      conn 1: GET, GET (reads what arrives for 0.5 s); conn 2: GET, gives up after
                 --timeout.
      stale      GET, then 0.5 s idle, then POST on the same connection; on a reset or close
                 it retries the POST on a new connection.
      kamax      GET, GET (server closes), new connection: GET, idle until the server closes
                 (at most 1.5 s), then a new connection: GET.
      badrequests  six connections, one malformed request each, reading the answer:
                 POST /neg "Content-Length: -1"; POST /conflict Content-Length 3 and 5;
                 POST /te-cl chunked with Content-Length; POST /bad-te "Transfer-Encoding: gzip";
                 POST /bad-chunk chunk size "zz"; POST /bad-delim a chunk not followed by CRLF.
      plainget   --count N connections, each one GET /case/I, reading what comes for 0.3 s.

Every blocking call is bounded; the processes exit after --deadline seconds.
"""

import argparse
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpwire import Closed, Reader, read_response  # noqa: E402

BODY = b"sample body line for connscope.\n" * 8  # 256 bytes


# ---- relay -------------------------------------------------------------------------------

def relay_one(csock, upstream_port):
    """Blind relay: one request head forwarded verbatim, then server bytes copied back."""
    csock.settimeout(10)
    reader = Reader(csock)
    got = b""
    while b"\r\n\r\n" not in got:
        data = csock.recv(65536)
        if not data:
            csock.close()
            return
        got += data
    head = got[: got.index(b"\r\n\r\n") + 4]  # anything after the head is never forwarded
    del reader
    up = socket.create_connection(("127.0.0.1", upstream_port), timeout=10)
    up.sendall(head)
    while True:
        try:
            data = up.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        try:
            csock.sendall(data)
        except OSError:
            break
    up.close()
    csock.close()


def run_relay(args):
    lsock = listen(args.port)
    while True:
        c, _ = lsock.accept()
        threading.Thread(target=relay_one, args=(c, args.upstream), daemon=True).start()


# ---- servers -----------------------------------------------------------------------------

def listen(port):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(16)
    print("READY", flush=True)
    return lsock


def head(status_line, headers):
    return (status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode()


def nodelay(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def serve_refuse10(conn, reader, n):
    if reader.head() is None:
        return
    conn.sendall(head("HTTP/1.0 200 OK", [("Content-Type", "text/plain"),
                                          ("Content-Length", len(BODY))]) + BODY)


def serve_closedelim(conn, reader, n):
    nodelay(conn)
    if reader.head() is None:
        return
    conn.sendall(head("HTTP/1.1 200 OK", [("Content-Type", "text/plain")]))
    time.sleep(0.005)
    conn.sendall(BODY)
    conn.shutdown(socket.SHUT_WR)
    time.sleep(0.05)


def serve_lying(conn, reader, n):
    nodelay(conn)
    if n == 0:
        if reader.head() is None:
            return
        # Content-Length says 100, the body has 120 bytes: 20 bytes are left over.
        conn.sendall(head("HTTP/1.1 200 OK", [("Content-Type", "text/plain"),
                                              ("Content-Length", 100)]) + BODY[:120])
        if reader.head() is None:
            return
        conn.sendall(head("HTTP/1.1 200 OK", [("Content-Type", "text/plain"),
                                              ("Content-Length", 64)]) + BODY[:64])
        reader.head()  # until the client closes
    else:
        if reader.head() is None:
            return
        # Content-Length says 300, only 200 bytes follow; the server then waits.
        conn.sendall(head("HTTP/1.1 200 OK", [("Content-Type", "text/plain"),
                                              ("Content-Length", 300)]) + BODY[:200])
        reader.head()  # until the client gives up and closes


def serve_idleclose(conn, reader, n):
    while True:
        conn.settimeout(0.3)
        try:
            got = reader.head()
        except socket.timeout:
            return  # idle: close (the client may be sending right now)
        conn.settimeout(10)
        if got is None:
            return
        start, headers = got
        if "content-length" in headers:
            reader.exactly(int(headers["content-length"]))
        conn.sendall(head("HTTP/1.1 200 OK", [("Content-Type", "text/plain"),
                                              ("Content-Length", len(BODY))]) + BODY)


def serve_kamax(conn, reader, n):
    limit = 2
    for i in range(limit):
        conn.settimeout(1.0)
        try:
            got = reader.head()
        except socket.timeout:
            return  # the announced timeout=1
        conn.settimeout(10)
        if got is None:
            return
        left = limit - i - 1
        hs = [("Content-Type", "text/plain"), ("Content-Length", len(BODY))]
        hs += [("Keep-Alive", f"timeout=1, max={left}")] if left else [("Connection", "close")]
        conn.sendall(head("HTTP/1.1 200 OK", hs) + BODY)


def serve_lenient(conn, reader, n):
    nodelay(conn)
    if reader.head() is None:
        return
    time.sleep(0.1)  # let any body arrive; it is never parsed
    conn.sendall(head("HTTP/1.1 200 OK", [("Content-Type", "text/plain"), ("Content-Length", 3),
                                          ("Connection", "close")]) + b"ok\n")
    time.sleep(0.05)


BAD_RESPONSES = [
    head("HTTP/1.1 200 OK", [("Content-Length", "-1")]) + b"abc",
    head("HTTP/1.1 200 OK", [("Content-Length", 3), ("Content-Length", 5)]) + b"abc",
    head("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked"), ("Content-Length", 3)]) + b"3\r\nabc\r\n0\r\n\r\n",
    head("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked")]) + b"zz\r\nabc\r\n0\r\n\r\n",
    head("HTTP/1.1 200 OK", [("Transfer-Encoding", "chunked")]) + b"3\r\nabcXY0\r\n\r\n",
]


def serve_badframing(conn, reader, n):
    nodelay(conn)
    if reader.head() is None:
        return
    conn.sendall(BAD_RESPONSES[n % len(BAD_RESPONSES)])
    time.sleep(0.05)


SERVERS = {"refuse10": serve_refuse10, "closedelim": serve_closedelim, "lying": serve_lying,
           "lenient": serve_lenient, "badframing": serve_badframing,
           "idleclose": serve_idleclose, "kamax": serve_kamax}


def run_server(args):
    lsock = listen(args.port)
    for n in range(args.max_conns):
        conn, _ = lsock.accept()
        conn.settimeout(10)
        try:
            SERVERS[args.mode](conn, Reader(conn), n)
        except (Closed, OSError) as e:
            print(f"server: connection ended: {e!r}", file=sys.stderr)
        finally:
            conn.close()
    lsock.close()


# ---- clients -----------------------------------------------------------------------------

def req(method, target, version, host, extra=(), body=b""):
    lines = [f"{method} {target} {version}", f"Host: {host}", "User-Agent: connscope-sample/1"]
    lines += list(extra)
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def connect(port, timeout):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def log(*a):
    print(*a, flush=True)


def client_proxy(args, hop):
    origin = f"127.0.0.1:{args.origin}"
    url = f"http://{origin}"
    s = connect(args.port, args.timeout)
    r = Reader(s)
    paths = ["/a.txt", "/b.html"]
    for i, p in enumerate(paths):
        try:
            s.sendall(req("GET", url + p, "HTTP/1.0", origin, (f"{hop}: Keep-Alive",)))
            status, hs, _ = read_response(r, "GET")
            log(i, p, status, hs.get("connection"))
            if hs.get("connection", "").lower() != "keep-alive" and i + 1 < len(paths):
                s.close()
                s = connect(args.port, args.timeout)
                r = Reader(s)
        except (socket.timeout, Closed, OSError) as e:
            log(i, p, "no answer:", repr(e))
            s.close()
            # retry on a new connection, as browsers do for an idempotent request
            s = connect(args.port, args.timeout)
            r = Reader(s)
            s.sendall(req("GET", url + p, "HTTP/1.0", origin, (f"{hop}: Keep-Alive",)))
            status, hs, _ = read_response(r, "GET")
            log(i, p, "retry", status)
    s.close()


def client_ka10(args):
    host = f"127.0.0.1:{args.port}"
    s = None
    for i, p in enumerate(["/a.txt", "/b.html", "/small.txt"]):
        if s is None:
            s = connect(args.port, args.timeout)
            r = Reader(s)
        s.sendall(req("GET", p, "HTTP/1.0", host, ("Connection: Keep-Alive",)))
        status, hs, _ = read_response(r, "GET")
        log(i, p, status, hs.get("connection"))
        if hs.get("connection", "").lower() != "keep-alive":
            s.close()
            s = None
    if s:
        s.close()


def client_lying(args):
    host = f"127.0.0.1:{args.port}"
    s = connect(args.port, args.timeout)
    r = Reader(s)
    s.sendall(req("GET", "/long", "HTTP/1.1", host))
    log(0, read_response(r, "GET")[0])  # reads 100 bytes; 20 stay in the buffer
    time.sleep(0.05)
    s.sendall(req("GET", "/next", "HTTP/1.1", host))
    s.settimeout(0.5)
    try:
        while s.recv(65536):
            pass
    except socket.timeout:
        pass
    s.close()
    s = connect(args.port, args.timeout)
    r = Reader(s)
    s.sendall(req("GET", "/short", "HTTP/1.1", host))
    try:
        read_response(r, "GET")
    except socket.timeout:
        log(2, "gave up waiting for the rest of the body")
    s.close()


def client_stale(args):
    host = f"127.0.0.1:{args.port}"
    s = connect(args.port, args.timeout)
    r = Reader(s)
    s.sendall(req("GET", "/a.txt", "HTTP/1.1", host))
    log(0, read_response(r, "GET")[0])
    time.sleep(0.5)  # the server closes after 0.3 s idle; the client does not notice
    form = b"name=connscope&n=1"
    try:
        s.sendall(req("POST", "/form", "HTTP/1.1", host, ("Content-Type: text/plain",), form))
        log(1, read_response(r, "POST")[0])
    except (Closed, OSError) as e:
        log(1, "lost:", repr(e))
        s.close()
        s = connect(args.port, args.timeout)  # retries a POST: not idempotent
        r = Reader(s)
        s.sendall(req("POST", "/form", "HTTP/1.1", host, ("Content-Type: text/plain",), form))
        log(1, "retry", read_response(r, "POST")[0])
    s.close()


def client_kamax(args):
    host = f"127.0.0.1:{args.port}"
    s = connect(args.port, args.timeout)
    r = Reader(s)
    for i, p in enumerate(["/a.txt", "/b.html", "/c.bin"]):
        s.sendall(req("GET", p, "HTTP/1.1", host))
        status, hs, _ = read_response(r, "GET")
        log(i, p, status, hs.get("keep-alive"), hs.get("connection"))
        if hs.get("connection", "").lower() == "close":
            s.close()
            s = connect(args.port, args.timeout)
            r = Reader(s)
    s.settimeout(1.5)
    try:
        while s.recv(65536):
            pass  # returns b"" when the server closes at its timeout
    except socket.timeout:
        pass
    s.close()
    s = connect(args.port, args.timeout)  # comes back: a new connection (handshake) is needed
    r = Reader(s)
    s.sendall(req("GET", "/a.txt", "HTTP/1.1", host))
    log(3, "/a.txt", read_response(r, "GET")[0], "on a new connection")
    s.close()


BAD_REQUESTS = [
    ("/neg", ["Content-Length: -1"], b"abc"),
    ("/conflict", ["Content-Length: 3", "Content-Length: 5"], b"abc"),
    ("/te-cl", ["Transfer-Encoding: chunked", "Content-Length: 3"], b"3\r\nabc\r\n0\r\n\r\n"),
    ("/bad-te", ["Transfer-Encoding: gzip"], b"abc"),
    ("/bad-chunk", ["Transfer-Encoding: chunked"], b"zz\r\nabc\r\n0\r\n\r\n"),
    ("/bad-delim", ["Transfer-Encoding: chunked"], b"3\r\nabcXY0\r\n\r\n"),
]


def read_for(s, secs):
    """Reads whatever arrives until the peer closes or nothing comes for SECS."""
    s.settimeout(secs)
    got = b""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            got += data
    except socket.timeout:
        pass
    return got


def client_badrequests(args):
    host = f"127.0.0.1:{args.port}"
    for i, (path, headers, body) in enumerate(BAD_REQUESTS):
        s = connect(args.port, args.timeout)
        s.sendall(req("POST", path, "HTTP/1.1", host, headers) + body)
        got = read_for(s, args.timeout)
        log(i, got.split(b"\r\n", 1)[0].decode("latin-1"))
        s.close()
        time.sleep(0.05)


def client_plainget(args):
    host = f"127.0.0.1:{args.port}"
    for i in range(args.count):
        s = connect(args.port, args.timeout)
        s.sendall(req("GET", f"/case/{i}", "HTTP/1.1", host))
        got = read_for(s, 0.3)
        log(i, got.split(b"\r\n", 1)[0].decode("latin-1"))
        s.close()
        time.sleep(0.05)


def run_client(args):
    if args.mode == "proxy10":
        client_proxy(args, "Connection")
    elif args.mode == "proxyconn":
        client_proxy(args, "Proxy-Connection")
    else:
        {"ka10": client_ka10, "lying": client_lying, "stale": client_stale,
         "kamax": client_kamax, "badrequests": client_badrequests,
         "plainget": client_plainget}[args.mode](args)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("relay")
    a.add_argument("port", type=int)
    a.add_argument("upstream", type=int)
    a.add_argument("--deadline", type=float, default=60)
    a = sub.add_parser("server")
    a.add_argument("mode", choices=sorted(SERVERS))
    a.add_argument("port", type=int)
    a.add_argument("--max-conns", type=int, default=4)
    a.add_argument("--deadline", type=float, default=60)
    a = sub.add_parser("client")
    a.add_argument("mode", choices=["proxy10", "proxyconn", "ka10", "lying", "stale", "kamax",
                                    "badrequests", "plainget"])
    a.add_argument("port", type=int)
    a.add_argument("--count", type=int, default=5)
    a.add_argument("--origin", type=int, default=0)
    a.add_argument("--timeout", type=float, default=1.5)
    a.add_argument("--deadline", type=float, default=60)
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.alarm(int(args.deadline))
    {"relay": run_relay, "server": run_server, "client": run_client}[args.cmd](args)


if __name__ == "__main__":
    main()
