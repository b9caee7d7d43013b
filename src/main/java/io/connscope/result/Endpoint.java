package io.connscope.result;

/** An IP address (as text: dotted quad or RFC 5952 IPv6) and a TCP port. */
public record Endpoint(String ip, int port) {}
