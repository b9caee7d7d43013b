package io.connscope.http;

/** How a message body is delimited (RFC 7230 3.3.3). */
public enum Framing {
  /** No body (request without Content-Length/Transfer-Encoding, HEAD, 1xx, 204, 304). */
  NONE,
  /** Content-Length. */
  LENGTH,
  /** Transfer-Encoding ending in chunked. */
  CHUNKED,
  /** Response body delimited by the connection close. */
  CLOSE,
  /** CONNECT 2xx or 101 Switching Protocols: the rest of the connection is not HTTP. */
  TUNNEL
}
