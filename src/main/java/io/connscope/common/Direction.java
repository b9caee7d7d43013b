package io.connscope.common;

/**
 * The two directions of a connection's byte streams, as every layer indexes them: the bytes the
 * client sends and the bytes the server sends.
 */
public final class Direction {
  /** Index of the bytes the client sends. */
  public static final int CLIENT = 0;

  /** Index of the bytes the server sends. */
  public static final int SERVER = 1;

  private Direction() {}

  /** "client" or "server". */
  public static String name(int dir) {
    return dir == CLIENT ? "client" : "server";
  }
}
