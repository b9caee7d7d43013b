package io.connscope.http;

/**
 * Recognises a SOCKS handshake at the start of a connection, so that the HTTP it carries can be
 * parsed after it (a client talking to a web server through a SOCKS proxy, seen between the two).
 *
 * <p>Client side: SOCKS4 (a CONNECT or BIND request: version 4, command, port, IPv4 address,
 * NUL-terminated user id), SOCKS4a (address 0.0.0.x, x non-zero: a NUL-terminated host name
 * follows), or SOCKS5 (RFC 1928 §3-4: method greeting, an optional RFC 1929 username/password
 * exchange, then the request). Server side: the SOCKS4 reply (8 bytes), or the SOCKS5 method
 * choice, optional authentication status and reply (RFC 1928 §6). Each side's messages describe
 * their own lengths, so each direction is measured on its own.
 *
 * <p>Lengths are returned as a byte count, {@link #NONE} (0) when the bytes are not such a
 * handshake, or {@link #PENDING} when more bytes are needed and may still come.
 */
final class SocksPreamble {
  private SocksPreamble() {}

  static final int NONE = 0;
  static final int PENDING = -1;

  /** SOCKS5 address types (RFC 1928 §4). */
  private static final int ATYP_IPV4 = 1, ATYP_DOMAIN = 3, ATYP_IPV6 = 4;

  /** Length of the client's SOCKS handshake at the start of {@code b[0, len)}. */
  static int clientLength(byte[] b, int len, boolean full) {
    if (len < 2) {
      return full ? NONE : PENDING;
    }
    if (b[0] == 4 && (b[1] == 1 || b[1] == 2)) {
      // SOCKS4: VN CD DSTPORT(2) DSTIP(4) USERID NUL [SOCKS4a: HOST NUL]
      if (len < 9) {
        return full ? NONE : PENDING;
      }
      int end = nul(b, 8, len);
      if (end >= 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] != 0) {
        end = nul(b, end, len);
      }
      return end >= 0 ? end : full || len > 600 ? NONE : PENDING;
    }
    if (b[0] == 5 && b[1] >= 1) {
      int p = 2 + (b[1] & 0xFF); // greeting: VER NMETHODS METHODS
      if (p + 2 > len) {
        return full ? NONE : PENDING;
      }
      if (b[p] == 1) { // RFC 1929: VER ULEN UNAME PLEN PASSWD
        int plen = p + 2 + (b[p + 1] & 0xFF);
        if (plen >= len) {
          return full ? NONE : PENDING;
        }
        p = plen + 1 + (b[plen] & 0xFF);
      }
      return request5(b, p, len, full);
    }
    return NONE;
  }

  /** Length of the server's SOCKS replies at the start of {@code b[0, len)}. */
  static int serverLength(byte[] b, int len, boolean full) {
    if (len < 2) {
      return full ? NONE : PENDING;
    }
    if ((b[0] == 0 || b[0] == 4) && (b[1] & 0xFF) >= 90 && (b[1] & 0xFF) <= 93) {
      return len >= 8 ? 8 : full ? NONE : PENDING; // SOCKS4 reply: VN CD DSTPORT DSTIP
    }
    if (b[0] == 5) {
      int p = 2; // method choice: VER METHOD
      if (b[1] == 2) { // username/password status: VER STATUS
        if (p + 2 > len) {
          return full ? NONE : PENDING;
        }
        p += 2;
      }
      return request5(b, p, len, full);
    }
    return NONE;
  }

  /** A SOCKS5 request or reply at {@code p}: VER CMD/REP RSV ATYP ADDR PORT(2). */
  private static int request5(byte[] b, int p, int len, boolean full) {
    if (p + 5 > len) {
      return full ? NONE : PENDING;
    }
    if (b[p] != 5 || b[p + 2] != 0) {
      return NONE;
    }
    int end;
    switch (b[p + 3]) {
      case ATYP_IPV4:
        end = p + 4 + 4 + 2;
        break;
      case ATYP_DOMAIN:
        end = p + 5 + (b[p + 4] & 0xFF) + 2;
        break;
      case ATYP_IPV6:
        end = p + 4 + 16 + 2;
        break;
      default:
        return NONE;
    }
    return end <= len ? end : full ? NONE : PENDING;
  }

  /** Index after the NUL at or after {@code from}, or -1 when there is none before {@code len}. */
  private static int nul(byte[] b, int from, int len) {
    for (int i = from; i < len; i++) {
      if (b[i] == 0) {
        return i + 1;
      }
    }
    return -1;
  }
}
