#!/usr/bin/env python3
"""Connection-per-request HTTPS client for bench/tls-bench.sh gen-close.

  tls-close-client.py HOST PORT SOURCE_IP COUNT SECONDS KEYLOG

Opens up to COUNT connections one after the other from SOURCE_IP (any 127.x address on
loopback: one per client process, so the processes' ports never collide), for at most SECONDS.
Each connection: TLS handshake (SNI bench.test, certificate not checked), one
"GET /N.bin HTTP/1.1" with Connection: close, the response read to the server's close, then
close. The key log (NSS format) goes to KEYLOG. Mix, by connection number i:
  every 4th connection TLS 1.2 (the rest TLS 1.3); the TLS 1.2 ones alternate
    ECDHE-ECDSA-AES128-GCM-SHA256 and ECDHE-ECDSA-CHACHA20-POLY1305
  every 3rd connection resumes the session of the previous connection of the same version
    (TLS 1.3 PSK from a ticket, TLS 1.2 session ticket)
  the file is one of 8 sizes, 128 B to 16 KiB (doubling), by i mod 8
Prints "connections=N resumed=R seconds=S" on stdout.
"""

import socket
import ssl
import sys
import time


def main():
    host, port, source, count, seconds, keylog = sys.argv[1:7]
    port, count, seconds = int(port), int(count), float(seconds)
    contexts = {}
    for v in ("1.3", "1.2a", "1.2c"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.keylog_filename = keylog
        if v == "1.3":
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        else:
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            ctx.set_ciphers(
                "ECDHE-ECDSA-AES128-GCM-SHA256"
                if v == "1.2a"
                else "ECDHE-ECDSA-CHACHA20-POLY1305"
            )
        contexts[v] = ctx
    sessions = {}
    deadline = time.monotonic() + seconds
    t0 = time.monotonic()
    done = resumed = 0
    for i in range(count):
        if time.monotonic() > deadline:
            break
        v = ("1.2a" if (i // 4) % 2 == 0 else "1.2c") if i % 4 == 0 else "1.3"
        session = sessions.get(v) if i % 3 == 0 else None
        raw = socket.create_connection((host, port), timeout=10, source_address=(source, 0))
        try:
            s = contexts[v].wrap_socket(raw, server_hostname="bench.test", session=session)
            s.sendall(
                b"GET /%d.bin HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n"
                % (128 << (i % 8))
            )
            while s.recv(65536):
                pass
            if s.session_reused:
                resumed += 1
            sessions[v] = s.session
            s.close()
        finally:
            raw.close()
        done += 1
    print("connections=%d resumed=%d seconds=%.1f" % (done, resumed, time.monotonic() - t0))


if __name__ == "__main__":
    main()
