"""Tiny HTTP/1.x framing helpers shared by server.py and client.py (stdlib only).

They exist so the sample traffic is byte-for-byte under our control: every
send() the scripts make is one visible write in the capture. Nothing here is
a general HTTP implementation; it handles exactly what the samples produce.
"""

import socket
import time

IO_TIMEOUT = 10.0  # seconds; every blocking call is bounded


class Closed(Exception):
    """The peer closed the connection before a complete message arrived."""


class Reader:
    """Buffered reader over a socket (keeps bytes that belong to the next message)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed()
        self.buf += data

    def head(self):
        """Return (start_line, headers dict with lower-case names) or None on clean EOF."""
        while b"\r\n\r\n" not in self.buf:
            try:
                self._fill()
            except Closed:
                if self.buf:
                    raise
                return None
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return lines[0], headers

    def exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out

    def until_close(self):
        while True:
            try:
                self._fill()
            except Closed:
                out, self.buf = self.buf, b""
                return out

    def chunked(self):
        body = b""
        while True:
            size = int(self.line().split(b";")[0], 16)
            if size == 0:
                while self.line():  # trailer section ends with an empty line
                    pass
                return body
            body += self.exactly(size)
            self.line()


def read_response(reader, method):
    """Read one response (skipping 1xx). Return (status, headers, body)."""
    while True:
        got = reader.head()
        if got is None:
            raise Closed()
        start, headers = got
        status = int(start.split()[1])
        if 100 <= status < 200:
            continue
        break
    # RFC 9112 section 6.3: HEAD, 1xx, 204 and 304 responses have no body.
    if method == "HEAD" or status in (204, 304):
        return status, headers, b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return status, headers, reader.chunked()
    if "content-length" in headers:
        return status, headers, reader.exactly(int(headers["content-length"]))
    return status, headers, reader.until_close()


def connect(host, port, nodelay, rcvbuf=0, tls=None):
    """A connected socket; with tls=(cafile, server_name, keylog) a TLS client socket over it
    (each send() is one SSL_write: one TLS record), the key log written to keylog if set."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if rcvbuf:
        # before connect: the SYN's window (and window scale) come from it; Linux doubles it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if nodelay else 0)
    sock.settimeout(IO_TIMEOUT)
    sock.connect((host, port))
    if tls is not None:
        import ssl
        cafile, server_name, keylog = tls
        ctx = ssl.create_default_context(cafile=cafile)
        if keylog:
            ctx.keylog_filename = keylog
        sock = ctx.wrap_socket(sock, server_hostname=server_name)
    return sock


def now_ms(t0):
    return (time.monotonic() - t0) * 1000.0
