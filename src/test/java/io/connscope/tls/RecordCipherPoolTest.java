package io.connscope.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Record ciphers take their JDK cipher from a per-thread pool ({@link RecordCipher.Ciphers}), so
 * that one keeps its key schedule between its records: however many record ciphers decrypt in turn
 * (fewer than the pool's slots, as many, more, on two threads), with AES-GCM and with
 * ChaCha20-Poly1305, each record decrypts to what was encrypted; a record that does not
 * authenticate under one key does not under another cipher's key left in the slot; and a record
 * tried again right after it failed decrypts (the JDK's ChaCha20 refuses the key and nonce it was
 * last initialised with).
 */
class RecordCipherPoolTest {
  private static final RecordCipher.Suite AES = RecordCipher.suite(0x1302, true); // AES-256
  private static final RecordCipher.Suite CHACHA = RecordCipher.suite(0x1303, true);

  /**
   * A TLS 1.3 record of {@code plain} encrypted in {@code suite} with {@code secret}'s key at
   * sequence {@code seq}.
   */
  private static byte[][] record(RecordCipher.Suite suite, byte[] secret, long seq, byte[] plain)
      throws Exception {
    byte[] key = RecordCipher.expandLabel(suite.mac(), secret, "key", suite.keyLen());
    byte[] iv = RecordCipher.expandLabel(suite.mac(), secret, "iv", 12);
    for (int i = 0; i < 8; i++) {
      iv[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
    }
    int len = plain.length + RecordCipher.TAG;
    byte[] hdr = {23, 3, 3, (byte) (len >>> 8), (byte) len};
    Cipher c;
    if (suite.chacha()) {
      c = Cipher.getInstance("ChaCha20-Poly1305");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
    } else {
      c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    }
    c.updateAAD(hdr);
    return new byte[][] {hdr, c.doFinal(plain)};
  }

  /** {@code ciphers} record ciphers decrypting 5 records each, in turn, in both suites. */
  private static void decryptInTurn(int ciphers, long seed) throws Exception {
    decryptInTurn(AES, ciphers, seed);
    decryptInTurn(CHACHA, ciphers, seed);
  }

  private static void decryptInTurn(RecordCipher.Suite suite, int ciphers, long seed)
      throws Exception {
    Random rnd = new Random(seed);
    byte[][] secrets = new byte[ciphers][48];
    RecordCipher[] rc = new RecordCipher[ciphers];
    for (int i = 0; i < ciphers; i++) {
      rnd.nextBytes(secrets[i]);
      rc[i] = RecordCipher.tls13(suite, secrets[i]);
    }
    for (int seq = 0; seq < 5; seq++) {
      for (int i = 0; i < ciphers; i++) {
        byte[] plain = new byte[1 + rnd.nextInt(300)];
        rnd.nextBytes(plain);
        byte[][] r = record(suite, secrets[i], seq, plain);
        byte[] body = r[1].clone();
        if (seq == 2) { // damaged first: it fails, then the record itself is tried
          body[0] ^= 1;
          assertEquals(-1, rc[i].decrypt(r[0], body, body.length));
          body = r[1].clone();
        }
        int n = rc[i].decrypt(r[0], body, body.length);
        assertEquals(plain.length, n, "cipher " + i + " record " + seq);
        assertArrayEquals(plain, Arrays.copyOf(body, n));
        // the next cipher's record, given to this one: not its key, whatever the slot holds
        if (ciphers > 1) {
          byte[][] other = record(suite, secrets[(i + 1) % ciphers], seq + 1, plain);
          byte[] b = other[1].clone();
          assertEquals(-1, rc[i].decrypt(other[0], b, b.length));
        }
      }
    }
  }

  @Test
  void eachRecordDecryptsWithItsOwnKeyHoweverManyTakeTurns() throws Exception {
    int slots = RecordCipher.Ciphers.CIPHERS;
    for (int n : new int[] {1, 2, slots - 1, slots, slots + 1, 3 * slots + 5}) {
      decryptInTurn(n, n);
    }
  }

  @Test
  void onTwoThreads() throws Exception {
    Throwable[] failed = new Throwable[2];
    Thread[] ts = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int k = t;
      ts[t] =
          new Thread(
              () -> {
                try {
                  decryptInTurn(RecordCipher.Ciphers.CIPHERS + 3, 100 + k);
                } catch (Throwable e) {
                  failed[k] = e;
                }
              });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    for (Throwable f : failed) {
      if (f != null) {
        throw new AssertionError(f);
      }
    }
  }
}
