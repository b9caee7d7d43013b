/**
 * TLS layer, between {@code tcp} and {@code http}: a {@link io.connscope.tls.TlsTracker} per
 * connection reads the TLS record layer of both reassembled streams on any port and keeps the
 * handshake's facts and timing ({@link io.connscope.result.TlsFacts}, a record of the result
 * model); with the session's secrets ({@link io.connscope.tls.TlsKeys}: an NSS key log, from {@code
 * --tls-keylog} or a pcapng Decryption Secrets Block) it decrypts TLS 1.2 and 1.3 AEAD records with
 * the JDK's crypto and hands the plaintext to the HTTP layer, mapping stream offsets and
 * acknowledgments to plaintext offsets. A connection that is not TLS passes through unchanged. A
 * gap, a damaged record or a record that does not decrypt ends the reading of its direction with a
 * note, never garbage. Depends on {@code tcp}, {@code common}, and {@code result} for the {@code
 * TlsFacts} record it builds.
 */
package io.connscope.tls;
