package io.connscope.result;

import java.util.List;

/**
 * What one connection's TLS showed, final when the connection closed. Times are microseconds since
 * the capture's first frame, durations microseconds; -1 (or null) means not seen. Every value is
 * read from the records, except those whose name says {@code inferred} (see docs/tls.md for each
 * definition).
 *
 * @param handshake {@code complete}, {@code failed}, {@code incomplete} (the connection ended or
 *     the capture stopped first) or {@code not_seen} (picked up after the handshake)
 * @param failure why the handshake failed (an alert, a reset, a close), null otherwise
 * @param failureFrame the frame of that alert, reset or close, -1 otherwise
 * @param failureUs its time, -1 otherwise
 * @param version the negotiated version ("TLS 1.3"...), null when no ServerHello was seen
 * @param versionsOffered the versions the ClientHello offered, highest first
 * @param cipherSuite the suite the server chose (IANA name, or 0xNNNN)
 * @param sni the ClientHello's server_name (raw, escape when rendering)
 * @param alpnOffered the ClientHello's ALPN list
 * @param alpnChosen the server's choice: seen in the ServerHello (TLS 1.2) or the decrypted
 *     EncryptedExtensions (TLS 1.3); null when none or not visible
 * @param resumption {@code none}, {@code session_id}, {@code ticket} or {@code psk}; null when no
 *     ServerHello was seen
 * @param sessionIdOffered a TLS 1.2 ClientHello carried a session ID (TLS 1.3 clients send a random
 *     one for compatibility: not counted)
 * @param ticketOffered the ClientHello carried a session ticket or a pre-shared key
 * @param earlyDataOffered the ClientHello offered 0-RTT data
 * @param earlyDataAccepted the server accepted it (decrypted EncryptedExtensions); null when not
 *     visible
 * @param helloRetryRequest the server answered the first ClientHello with a HelloRetryRequest
 * @param certificateChainBytes size of the server's Certificate message (TLS 1.2, or 1.3
 *     decrypted), -1 when not seen
 * @param encryptedFlightBytes TLS 1.3: bytes of the server's encrypted records between its
 *     ServerHello and the client's Finished (EncryptedExtensions, Certificate, CertificateVerify,
 *     Finished), record headers included; -1 otherwise
 * @param timing the handshake's phases
 * @param alerts every alert record, in order
 * @param clientAppData application data records and their bytes (record headers included) the
 *     client sent
 * @param serverAppData the same for the server
 * @param inferredExchanges without decryption: exchanges inferred from the application data records
 *     (the first 1,000); see {@link Exchange}
 * @param inferredExchangeCount all of them
 * @param decryption {@code off} (no keys given), {@code no_key} (none for this connection), {@code
 *     decrypted}, {@code partial} (some plaintext lost: a record in a gap, a gap that stopped a
 *     direction, a record that did not decrypt), {@code failed} (the key did not decrypt the first
 *     record), {@code unsupported} (cipher suite)
 * @param notes one line each: what could not be read, and why
 */
public record TlsFacts(
    String handshake,
    String failure,
    long failureFrame,
    long failureUs,
    String version,
    List<String> versionsOffered,
    String cipherSuite,
    String sni,
    List<String> alpnOffered,
    String alpnChosen,
    String resumption,
    boolean sessionIdOffered,
    boolean ticketOffered,
    boolean earlyDataOffered,
    Boolean earlyDataAccepted,
    boolean helloRetryRequest,
    long certificateChainBytes,
    long encryptedFlightBytes,
    Timing timing,
    List<Alert> alerts,
    Counts clientAppData,
    Counts serverAppData,
    List<Exchange> inferredExchanges,
    int inferredExchangeCount,
    String decryption,
    List<String> notes) {

  public TlsFacts {
    versionsOffered = List.copyOf(versionsOffered);
    alpnOffered = List.copyOf(alpnOffered);
    alerts = List.copyOf(alerts);
    inferredExchanges = List.copyOf(inferredExchanges);
    notes = List.copyOf(notes);
  }

  /**
   * The handshake's phases. {@code tcpConnectUs}: SYN to the handshake's ACK; {@code
   * helloToServerHelloUs}: first byte of the (first) ClientHello to the end of the ServerHello;
   * {@code serverFlightUs}: end of the ServerHello to the server's last handshake record before the
   * client's next flight; {@code finishedToAppDataUs}: client Finished to the first application
   * data record; {@code setupUs}: ClientHello to the first application data record (the time TLS
   * added before a request could leave). {@code roundTrips}: round trips the client waited for
   * before it could send application data (1 for TLS 1.3 and resumed 1.2, 2 for a full 1.2
   * handshake, +1 for a HelloRetryRequest), -1 when the handshake did not complete. {@code
   * clientFinishedInferred}: TLS 1.3 without keys, the client's Finished is taken to be its first
   * encrypted record (true unless the server asked for a client certificate).
   */
  public record Timing(
      long tcpConnectUs,
      long clientHelloFrame,
      long clientHelloUs,
      long serverHelloFrame,
      long serverHelloUs,
      long serverFlightEndFrame,
      long serverFlightEndUs,
      long clientFinishedFrame,
      long clientFinishedUs,
      boolean clientFinishedInferred,
      long firstAppDataFrame,
      long firstAppDataUs,
      long helloToServerHelloUs,
      long serverFlightUs,
      long finishedToAppDataUs,
      long setupUs,
      int roundTrips) {}

  /**
   * One alert record. {@code from}: client or server; {@code level} and {@code description}
   * decoded, or null when the alert was encrypted and not decrypted.
   */
  public record Alert(
      String from, long frame, long tsUs, String level, String description, boolean encrypted) {}

  /**
   * An exchange inferred, without decryption, from the application data records after the
   * handshake: a burst of client records followed by a burst of server records (the next client
   * record starts the next exchange). Inferred, not seen: a request sent while the previous
   * response was still arriving joins that exchange's response, an HTTP/2 connection's multiplexed
   * streams are merged, and TLS 1.3 session tickets or alerts sent after the request count as
   * response records (in TLS 1.3 a last client record of 19 bytes, an encrypted close_notify's
   * size, with no answer is not counted as an exchange). Bytes are record bytes (headers and AEAD
   * overhead included). Times: a record's start is the segment that completed its header, its end
   * the segment that completed it; -1 when there is no response.
   */
  public record Exchange(
      int index,
      long requestRecords,
      long requestBytes,
      long requestFirstFrame,
      long requestStartUs,
      long requestLastFrame,
      long requestEndUs,
      long responseRecords,
      long responseBytes,
      long responseFirstFrame,
      long responseStartUs,
      long responseLastFrame,
      long responseEndUs) {
    /** Request end to the first response record, -1 without response. */
    public long waitUs() {
      return responseStartUs < 0 ? -1 : Math.max(0, responseStartUs - requestEndUs);
    }
  }

  /** Application data records and their bytes in one direction. */
  public record Counts(long records, long bytes) {}
}
