package io.connscope.result;

/**
 * What is final of a connection while it is still open, once its first transaction is handed over:
 * its id and its endpoints in their roles (the {@code id}, {@code client} and {@code server} of the
 * {@link ConnectionResult} that comes at its close). A writer renders the connection's transactions
 * as they come with it, instead of keeping them until the connection.
 */
public record ConnectionStart(long id, Endpoint client, Endpoint server) {
  /** "C" followed by the id. */
  public String idString() {
    return ConnectionIds.of(id);
  }
}
