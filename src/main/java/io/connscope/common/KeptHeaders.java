package io.connscope.common;

import java.util.List;

/**
 * The header fields connscope keeps from each HTTP message (lower case), in the order reports list
 * them: the HTTP layer keeps these and only these, and the result model and the reports show them.
 * One list, so that the parser and the reports cannot disagree.
 */
public final class KeptHeaders {
  /** Lower-case names of the kept header fields. */
  public static final List<String> NAMES =
      List.of(
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "content-length",
          "transfer-encoding",
          "via",
          "expect",
          "upgrade",
          "content-type",
          "server",
          "user-agent");

  private KeptHeaders() {}
}
