package io.connscope.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts the records of one direction in one key epoch, with the JDK's own crypto: AES-GCM and
 * ChaCha20-Poly1305 (TLS 1.3, RFC 8446 section 5.2; TLS 1.2, RFC 5288 and RFC 7905), and for TLS
 * 1.0 to 1.2 AES-CBC with HMAC-SHA1/256/384, MAC-then-encrypt or encrypt-then-MAC (RFC 7366): TLS
 * 1.1 and 1.2 carry each record's IV in the record (RFC 4346 section 6.2.3.2), TLS 1.0 chains them
 * (the first from the key block, then each record's last ciphertext block; RFC 2246 section
 * 6.2.3.2). Keys come from the key log: TLS 1.3 traffic secrets expanded with HKDF-Expand-Label
 * (section 7.3), the TLS 1.2 master secret expanded with the PRF (RFC 5246 section 6.3), that of
 * TLS 1.0 and 1.1 with their PRF (P_MD5 xor P_SHA1, RFC 2246 section 5), all on {@link Mac}.
 */
final class RecordCipher {
  /**
   * What a suite needs: the AEAD (or AES-CBC), its key length, the PRF/HKDF hash; for CBC the
   * record MAC and its length.
   */
  record Suite(String aead, int keyLen, String mac, int hashLen, String recordMac, int macLen) {
    Suite(String aead, int keyLen, String mac, int hashLen) {
      this(aead, keyLen, mac, hashLen, null, 0);
    }

    boolean chacha() {
      return aead.startsWith("ChaCha");
    }

    boolean cbc() {
      return aead.equals("AES-CBC");
    }
  }

  static final int TAG = 16;

  private final Suite suite;
  private final boolean tls13;
  private final String transformation;

  /**
   * The cipher this one last took from its thread's {@link Ciphers} ({@link #cipher()}), its slot
   * there, and the thread.
   */
  private Cipher cipher;

  private Ciphers ciphers;
  private int slot;
  private Thread cipherThread;

  private final SecretKeySpec key;

  /**
   * Ciphers ({@link Ciphers}) and MACs by algorithm, per thread: every record and every key
   * derivation initialises the one it uses afresh, so all connections on a thread share them
   * ({@code getInstance} looks the provider up and builds one each time: on 50,000 TLS connections,
   * a twentieth of the analysis). None is shared between threads.
   */
  private static final ThreadLocal<java.util.HashMap<String, Object>> INSTANCES =
      ThreadLocal.withInitial(java.util.HashMap::new);

  /** How an instance is made for an algorithm ({@code Cipher::getInstance}, {@code Mac::...}). */
  private interface Maker {
    Object make(String algorithm) throws GeneralSecurityException;
  }

  /** This thread's instance for {@code algorithm}, made by {@code maker} the first time. */
  private static Object perThread(String algorithm, Maker maker) throws GeneralSecurityException {
    java.util.HashMap<String, Object> m = INSTANCES.get();
    Object o = m.get(algorithm);
    if (o == null) {
      o = maker.make(algorithm);
      m.put(algorithm, o);
    }
    return o;
  }

  /** This thread's MAC for {@code algorithm}: the caller initialises it with its key. */
  private static Mac macFor(String algorithm) throws GeneralSecurityException {
    return (Mac) perThread(algorithm, Mac::getInstance);
  }

  /**
   * A thread's ciphers of one transformation, and the record cipher each was last initialised for.
   * Initialising a cipher with the key it had last skips the key schedule (the JDK's AES keeps the
   * last key's round keys): with one cipher per thread the key changed at nearly every record, the
   * records of the two directions and of several connections alternating, and on keep-alive HTTPS
   * the key schedule was 5% of the analysis thread. A record cipher keeps its slot until {@value
   * #CIPHERS} others took one after it on its thread.
   */
  static final class Ciphers {
    static final int CIPHERS = 16;
    private final String transformation;
    private final Cipher[] ciphers = new Cipher[CIPHERS];
    private final RecordCipher[] keyedFor = new RecordCipher[CIPHERS];

    /** The slot given out next: the one given out longest ago. */
    private int next;

    Ciphers(String transformation) throws GeneralSecurityException {
      this.transformation = transformation;
      ciphers[0] = Cipher.getInstance(transformation); // an unknown one fails here
    }

    /** A slot of its own for {@code c}: the one given out longest ago. */
    int take(RecordCipher c) throws GeneralSecurityException {
      int s = next;
      next = (s + 1) % CIPHERS;
      if (ciphers[s] == null) {
        ciphers[s] = Cipher.getInstance(transformation);
      }
      keyedFor[s] = c;
      return s;
    }
  }

  /**
   * The cipher of this record cipher on this thread, initialised by the caller for each record:
   * while no other took its slot, the one it initialised last, with this key.
   */
  private Cipher cipher() throws GeneralSecurityException {
    Thread t = Thread.currentThread();
    if (cipherThread != t || ciphers.keyedFor[slot] != this) {
      ciphers = (Ciphers) perThread(transformation, Ciphers::new);
      slot = ciphers.take(this);
      cipher = ciphers.ciphers[slot];
      cipherThread = t;
    }
    return cipher;
  }

  /** TLS 1.3 and 1.2 ChaCha: the 12-byte IV; TLS 1.2 GCM: the 4-byte salt. */
  private final byte[] iv;

  private final byte[] nonce = new byte[12];
  private final byte[] aad = new byte[13];

  /** Sequence number of the next record. */
  long seq;

  private RecordCipher(Suite suite, boolean tls13, byte[] key, byte[] iv)
      throws GeneralSecurityException {
    this.suite = suite;
    this.tls13 = tls13;
    this.transformation =
        suite.chacha()
            ? "ChaCha20-Poly1305"
            : suite.cbc() ? "AES/CBC/NoPadding" : "AES/GCM/NoPadding";
    perThread(transformation, Ciphers::new); // an unknown transformation fails here
    this.key = new SecretKeySpec(key, suite.chacha() ? "ChaCha20" : "AES");
    this.iv = iv;
  }

  /** CBC: the record MAC (its key) and whether encrypt-then-MAC (RFC 7366) was negotiated. */
  private Mac recordMac;

  private boolean encryptThenMac;
  private final byte[] macOut = new byte[64];

  /**
   * TLS 1.0 CBC: the IV of the next record (the key block's, then the previous record's last
   * ciphertext block); null when each record carries its IV (TLS 1.1 and 1.2).
   */
  private byte[] chainIv;

  private final byte[] nextChainIv = new byte[16];

  /** TLS 1.0 CBC: a record was lost, so the next record's IV (its last block) is unknown. */
  private boolean chainBroken;

  /**
   * A record of this direction was lost (not decrypted): its sequence number is used up. In TLS 1.0
   * CBC the next record's IV was the lost record's last ciphertext block: no later record of this
   * direction can be decrypted (with encrypt-then-MAC the MAC would even pass, over a first block
   * decrypted wrong), so every later one fails.
   */
  void lost() {
    seq++;
    chainBroken |= chainIv != null;
  }

  /**
   * A gap of unknown records (a lost record header): in TLS 1.0 CBC the IV chain is broken as by
   * {@link #lost}.
   */
  void gap() {
    chainBroken |= chainIv != null;
  }

  /** TLS 1.0 CBC: each record's IV is the previous record's last ciphertext block. */
  boolean chained() {
    return chainIv != null;
  }

  /** The suite's parameters, or null when it is not one connscope decrypts. */
  static Suite suite(int cs, boolean tls13) {
    if (tls13) {
      switch (cs) {
        case 0x1301:
          return new Suite("AES-GCM", 16, "HmacSHA256", 32);
        case 0x1302:
          return new Suite("AES-GCM", 32, "HmacSHA384", 48);
        case 0x1303:
          return new Suite("ChaCha20-Poly1305", 32, "HmacSHA256", 32);
        default:
          return null;
      }
    }
    switch (cs) {
      case 0xc02b:
      case 0xc02f:
      case 0x009e:
      case 0x009c:
        return new Suite("AES-GCM", 16, "HmacSHA256", 32);
      case 0xc02c:
      case 0xc030:
      case 0x009f:
      case 0x009d:
        return new Suite("AES-GCM", 32, "HmacSHA384", 48);
      case 0xcca8:
      case 0xcca9:
      case 0xccaa:
        return new Suite("ChaCha20-Poly1305", 32, "HmacSHA256", 32);
      // CBC with HMAC (TLS 1.1+: explicit IV per record), MAC-then-encrypt or encrypt-then-MAC
      case 0xc009:
      case 0xc013:
      case 0x002f:
      case 0x0033:
        return new Suite("AES-CBC", 16, "HmacSHA256", 32, "HmacSHA1", 20);
      case 0xc00a:
      case 0xc014:
      case 0x0035:
      case 0x0039:
        return new Suite("AES-CBC", 32, "HmacSHA256", 32, "HmacSHA1", 20);
      case 0xc023:
      case 0xc027:
      case 0x003c:
      case 0x0067:
        return new Suite("AES-CBC", 16, "HmacSHA256", 32, "HmacSHA256", 32);
      case 0x003d:
      case 0x006b:
        return new Suite("AES-CBC", 32, "HmacSHA256", 32, "HmacSHA256", 32);
      case 0xc024:
      case 0xc028:
        return new Suite("AES-CBC", 32, "HmacSHA384", 48, "HmacSHA384", 48);
      default:
        return null;
    }
  }

  /** TLS 1.3: the cipher of a traffic secret. */
  static RecordCipher tls13(Suite s, byte[] secret) throws GeneralSecurityException {
    byte[] key = expandLabel(s.mac(), secret, "key", s.keyLen());
    byte[] iv = expandLabel(s.mac(), secret, "iv", 12);
    return new RecordCipher(s, true, key, iv);
  }

  /** TLS 1.3: the next traffic secret after a KeyUpdate. */
  static byte[] nextSecret(Suite s, byte[] secret) throws GeneralSecurityException {
    return expandLabel(s.mac(), secret, "traffic upd", s.hashLen());
  }

  /**
   * TLS 1.0 to 1.2 ({@code version} 0x0301 to 0x0303): the client's (or server's) cipher from the
   * master secret and both randoms.
   */
  static RecordCipher tls12(
      Suite s,
      int version,
      byte[] master,
      byte[] clientRandom,
      byte[] serverRandom,
      boolean client,
      boolean encryptThenMac)
      throws GeneralSecurityException {
    // key block (RFC 5246 section 6.3): MAC keys, write keys, then IVs (AEAD implicit parts; the
    // CBC IVs only in TLS 1.0, where they chain)
    boolean tls10 = version < 0x0302;
    int ivLen = s.cbc() ? (tls10 ? 16 : 0) : s.chacha() ? 12 : 4;
    int macLen = s.macLen();
    byte[] seed = new byte[64];
    System.arraycopy(serverRandom, 0, seed, 0, 32);
    System.arraycopy(clientRandom, 0, seed, 32, 32);
    int blockLen = 2 * macLen + 2 * s.keyLen() + 2 * ivLen;
    byte[] block =
        version < 0x0303
            ? prf10(master, "key expansion", seed, blockLen)
            : prf(s.mac(), master, "key expansion", seed, blockLen);
    int macAt = client ? 0 : macLen;
    int keyAt = 2 * macLen + (client ? 0 : s.keyLen());
    int ivAt = 2 * macLen + 2 * s.keyLen() + (client ? 0 : ivLen);
    byte[] key = java.util.Arrays.copyOfRange(block, keyAt, keyAt + s.keyLen());
    byte[] iv = java.util.Arrays.copyOfRange(block, ivAt, ivAt + ivLen);
    RecordCipher c = new RecordCipher(s, false, key, iv);
    if (s.cbc()) {
      c.recordMac = Mac.getInstance(s.recordMac());
      c.recordMac.init(
          new SecretKeySpec(
              java.util.Arrays.copyOfRange(block, macAt, macAt + macLen), s.recordMac()));
      c.encryptThenMac = encryptThenMac;
      c.chainIv = tls10 ? iv : null;
    }
    return c;
  }

  /**
   * CBC record: MAC check and decryption in place; the plaintext length, or -1. The record is the
   * IV (TLS 1.1+; TLS 1.0: none, the chained one is used) and the ciphertext, then with
   * encrypt-then-MAC the MAC over both; with MAC-then-encrypt the MAC is inside the ciphertext,
   * over the plaintext.
   */
  private int decryptCbc(byte[] hdr, byte[] body, int len) throws GeneralSecurityException {
    if (chainBroken) {
      return -1;
    }
    int macLen = suite.macLen();
    int explicit = chainIv == null ? 16 : 0;
    int ctLen = encryptThenMac ? len - macLen : len; // IV and ciphertext
    if (ctLen < explicit + 16 || ((ctLen - explicit) & 15) != 0) {
      return -1;
    }
    if (encryptThenMac) {
      mac(hdr[0], hdr[1], hdr[2], ctLen, body, 0, ctLen);
      if (!java.security.MessageDigest.isEqual(
          java.util.Arrays.copyOf(macOut, macLen),
          java.util.Arrays.copyOfRange(body, ctLen, len))) {
        return -1;
      }
    }
    if (chainIv != null) {
      System.arraycopy(body, ctLen - 16, nextChainIv, 0, 16); // decryption overwrites it
      cipher().init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(chainIv));
    } else {
      cipher().init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(body, 0, 16));
    }
    int n = cipher.doFinal(body, explicit, ctLen - explicit, body, 0);
    int pad = body[n - 1] & 0xFF;
    int ptLen = n - pad - 1 - (encryptThenMac ? 0 : macLen);
    if (ptLen < 0) {
      return -1;
    }
    if (!encryptThenMac) {
      mac(hdr[0], hdr[1], hdr[2], ptLen, body, 0, ptLen);
      if (!java.security.MessageDigest.isEqual(
          java.util.Arrays.copyOf(macOut, macLen),
          java.util.Arrays.copyOfRange(body, ptLen, ptLen + macLen))) {
        return -1;
      }
    }
    if (chainIv != null) {
      System.arraycopy(nextChainIv, 0, chainIv, 0, 16);
    }
    seq++;
    return ptLen;
  }

  /** HMAC(seq || type || version || length || data) into {@link #macOut}. */
  private void mac(byte type, byte v0, byte v1, int length, byte[] b, int off, int len)
      throws GeneralSecurityException {
    for (int i = 0; i < 8; i++) {
      aad[i] = (byte) (seq >>> (56 - 8 * i));
    }
    aad[8] = type;
    aad[9] = v0;
    aad[10] = v1;
    aad[11] = (byte) (length >>> 8);
    aad[12] = (byte) length;
    recordMac.update(aad, 0, 13);
    recordMac.update(b, off, len);
    recordMac.doFinal(macOut, 0);
  }

  /**
   * Decrypts the record whose 5-byte header is {@code hdr} and whose body is {@code body[0, len)},
   * in place. Returns the plaintext length (TLS 1.3: content and inner type, padding removed; the
   * type is {@code body[returned - 1]}... see {@link #innerType}), or -1 when the record does not
   * authenticate. The sequence number advances only on success.
   */
  int decrypt(byte[] hdr, byte[] body, int len) {
    if (suite.cbc()) {
      try {
        return decryptCbc(hdr, body, len);
      } catch (GeneralSecurityException | RuntimeException e) {
        return -1;
      }
    }
    int explicit = !tls13 && !suite.chacha() ? 8 : 0;
    int ctLen = len - explicit;
    if (ctLen < TAG) {
      return -1;
    }
    int ptLen = ctLen - TAG;
    try {
      if (tls13 || suite.chacha()) {
        System.arraycopy(iv, 0, nonce, 0, 12);
        for (int i = 0; i < 8; i++) {
          nonce[4 + i] ^= (byte) (seq >>> (56 - 8 * i));
        }
      } else {
        System.arraycopy(iv, 0, nonce, 0, 4);
        System.arraycopy(body, 0, nonce, 4, 8);
      }
      if (tls13) {
        System.arraycopy(hdr, 0, aad, 0, 5);
      } else {
        for (int i = 0; i < 8; i++) {
          aad[i] = (byte) (seq >>> (56 - 8 * i));
        }
        aad[8] = hdr[0];
        aad[9] = hdr[1];
        aad[10] = hdr[2];
        aad[11] = (byte) (ptLen >>> 8);
        aad[12] = (byte) ptLen;
      }
      Cipher cipher = cipher();
      if (suite.chacha()) {
        initChaCha(cipher);
      } else {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
      }
      cipher.updateAAD(aad, 0, tls13 ? 5 : 13);
      int n = cipher.doFinal(body, explicit, ctLen, body, 0);
      seq++;
      return n;
    } catch (GeneralSecurityException e) {
      return -1;
    }
  }

  /**
   * Initialises {@code c} (ChaCha20-Poly1305) for the record whose nonce is {@link #nonce}. The JDK
   * refuses the key and nonce a cipher was last initialised with, in either mode; a record tried
   * again (one that did not authenticate leaves the sequence number as it was) meets that on the
   * cipher this one keeps ({@link #cipher()}), so another nonce goes first. Reusing a nonce to
   * decrypt reveals nothing.
   */
  private void initChaCha(Cipher c) throws GeneralSecurityException {
    try {
      c.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
    } catch (java.security.InvalidKeyException e) {
      byte[] other = nonce.clone();
      other[0] ^= 1;
      c.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(other));
      c.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
    }
  }

  boolean tls13() {
    return tls13;
  }

  // ---- key derivation --------------------------------------------------------------------

  static byte[] expandLabel(String mac, byte[] secret, String label, int len)
      throws GeneralSecurityException {
    byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[2 + 1 + l.length + 1];
    info[0] = (byte) (len >>> 8);
    info[1] = (byte) len;
    info[2] = (byte) l.length;
    System.arraycopy(l, 0, info, 3, l.length);
    info[3 + l.length] = 0; // empty context
    return hkdfExpand(mac, secret, info, len);
  }

  /** HKDF-Expand (RFC 5869 section 2.3). */
  static byte[] hkdfExpand(String mac, byte[] prk, byte[] info, int len)
      throws GeneralSecurityException {
    Mac m = macFor(mac);
    m.init(new SecretKeySpec(prk, mac));
    byte[] out = new byte[len];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < len; i++) {
      m.update(t);
      m.update(info);
      m.update((byte) i);
      t = m.doFinal();
      int n = Math.min(t.length, len - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    return out;
  }

  /** The TLS 1.2 PRF: P_hash(secret, label + seed) (RFC 5246 section 5). */
  static byte[] prf(String mac, byte[] secret, String label, byte[] seed, int len)
      throws GeneralSecurityException {
    return pHash(mac, secret, labelSeed(label, seed), len);
  }

  /**
   * The TLS 1.0 and 1.1 PRF (RFC 2246 section 5): P_MD5 over the secret's first half xor P_SHA1
   * over its second half (the halves share a byte when the length is odd).
   */
  static byte[] prf10(byte[] secret, String label, byte[] seed, int len)
      throws GeneralSecurityException {
    int half = (secret.length + 1) / 2;
    byte[] ls = labelSeed(label, seed);
    byte[] md5 = pHash("HmacMD5", java.util.Arrays.copyOfRange(secret, 0, half), ls, len);
    byte[] sha1 =
        pHash(
            "HmacSHA1",
            java.util.Arrays.copyOfRange(secret, secret.length - half, secret.length),
            ls,
            len);
    for (int i = 0; i < len; i++) {
      md5[i] ^= sha1[i];
    }
    return md5;
  }

  private static byte[] labelSeed(String label, byte[] seed) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] ls = new byte[l.length + seed.length];
    System.arraycopy(l, 0, ls, 0, l.length);
    System.arraycopy(seed, 0, ls, l.length, seed.length);
    return ls;
  }

  /** P_hash(secret, seed) (RFC 5246 section 5), {@code len} bytes. */
  private static byte[] pHash(String mac, byte[] secret, byte[] ls, int len)
      throws GeneralSecurityException {
    Mac m = macFor(mac);
    m.init(new SecretKeySpec(secret, mac));
    byte[] out = new byte[len];
    byte[] a = ls;
    int done = 0;
    while (done < len) {
      a = m.doFinal(a);
      m.update(a);
      m.update(ls);
      byte[] p = m.doFinal();
      int n = Math.min(p.length, len - done);
      System.arraycopy(p, 0, out, done, n);
      done += n;
    }
    return out;
  }
}
