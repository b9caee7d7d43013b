package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Records come back by key, ties in insertion order, whether the index stayed in memory or not. */
class SpoolFileTest {
  private static String spool(int n, int keyRange, long seed) throws IOException {
    Random r = new Random(seed);
    List<long[]> expected = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SpoolFile s = new SpoolFile()) {
      for (int i = 0; i < n; i++) {
        long key = r.nextInt(keyRange);
        byte[] rec = (key + ":" + i + ";").getBytes(StandardCharsets.US_ASCII);
        s.add(key, rec, rec.length);
        expected.add(new long[] {key, i});
      }
      assertEquals(n, s.count());
      s.writeSorted(out, "|".getBytes(StandardCharsets.US_ASCII), 4);
    }
    expected.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < expected.size(); i++) {
      if (i > 0 && (expected.get(i)[0] >>> 4) != (expected.get(i - 1)[0] >>> 4)) {
        b.append('|');
      }
      b.append(expected.get(i)[0]).append(':').append(expected.get(i)[1]).append(';');
    }
    assertEquals(b.toString(), out.toString(StandardCharsets.US_ASCII));
    return out.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void fewRecordsSortInMemory() throws IOException {
    spool(1000, 50, 1);
  }

  @Test
  void manyRecordsSpillTheIndexInRunsAndMergeStably() throws IOException {
    // several runs, equal keys spread across runs: the merge must keep insertion order
    spool(SpoolFile.RUN * 3 + 17, 5000, 2);
  }

  /**
   * Past the memory budget the records go to a file through a write buffer and come back through a
   * read window; records bigger than either go around them.
   */
  @Test
  void recordsInTheFileComeBackWholeAndInOrder() throws IOException {
    Random r = new Random(7);
    List<byte[]> records = new ArrayList<>();
    List<long[]> order = new ArrayList<>();
    // compared by digest: the 40 MiB twice over, as byte arrays, brushed the test heap's limit
    MessageDigest got = sha256();
    CountingDigestStream out = new CountingDigestStream(got);
    long total = 0;
    try (SpoolFile s = new SpoolFile()) {
      for (int i = 0; total < (40L << 20); i++) {
        int len = i % 50 == 7 ? SpoolFile.IO_BUFFER + r.nextInt(1000) : 1 + r.nextInt(40_000);
        byte[] rec = new byte[len];
        r.nextBytes(rec);
        long key = r.nextInt(300);
        s.add(key, rec, len);
        records.add(rec);
        order.add(new long[] {key, i});
        total += len;
      }
      s.writeSorted(out, new byte[0], -1);
    }
    order.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
    byte[] expected = digest(records, order);
    assertEquals(total, out.count);
    assertEquals(true, MessageDigest.isEqual(expected, got.digest()));
  }

  /**
   * A HAR's entries: each connection's records written whole, one connection after another, keys
   * (start times) rising within each, read back in key order, so the reads take the connections in
   * turn. Each connection is read ahead through a window of its own: far fewer reads than records
   * (one per record before the windows), and the same bytes.
   */
  @Test
  void recordsTakenFromSeveralPlacesInTurnAreReadAhead() throws IOException {
    int streams = 12;
    int perStream = 2_000;
    Random r = new Random(11);
    List<byte[]> records = new ArrayList<>();
    List<long[]> order = new ArrayList<>();
    MessageDigest got = sha256();
    CountingDigestStream out = new CountingDigestStream(got);
    long total = 0;
    long reads;
    try (SpoolFile s = new SpoolFile(1 << 20)) {
      for (int c = 0; c < streams; c++) {
        long key = c;
        for (int i = 0; i < perStream; i++) {
          key += streams + r.nextInt(3) * streams; // distinct, rising, interleaved across streams
          byte[] rec = new byte[1_000 + r.nextInt(2_000)];
          r.nextBytes(rec);
          s.add(key, rec, rec.length);
          order.add(new long[] {key, records.size()});
          records.add(rec);
          total += rec.length;
        }
      }
      s.writeSorted(out, new byte[0], -1);
      reads = s.reads();
    }
    order.sort(Comparator.comparingLong(a -> a[0]));
    byte[] expected = digest(records, order);
    assertEquals(total, out.count);
    assertEquals(true, MessageDigest.isEqual(expected, got.digest()));
    int n = streams * perStream;
    assertTrue(reads * 20 < n, reads + " reads for " + n + " records");
  }

  /**
   * A record added in three parts is the three parts back to back, as one record: in memory and in
   * the file, through the write buffer and around it (parts bigger than it), parts empty or not.
   */
  @Test
  void aRecordAddedInPartsComesBackAsOneRecord() throws IOException {
    Random r = new Random(5);
    List<byte[]> records = new ArrayList<>();
    List<long[]> order = new ArrayList<>();
    MessageDigest got = sha256();
    CountingDigestStream out = new CountingDigestStream(got);
    long total = 0;
    int n = 0;
    try (SpoolFile s = new SpoolFile(1 << 20)) {
      for (; total < (12L << 20); n++) {
        int len = n % 40 == 3 ? SpoolFile.IO_BUFFER + r.nextInt(1000) : r.nextInt(9_000);
        byte[] rec = new byte[len];
        r.nextBytes(rec);
        int a = n % 7 == 0 ? 0 : r.nextInt(len + 1);
        int b = n % 5 == 0 ? 0 : r.nextInt(len - a + 1);
        byte[] pa = java.util.Arrays.copyOfRange(rec, 0, a + 3); // longer than the part given
        byte[] pb = java.util.Arrays.copyOfRange(rec, a, a + b);
        byte[] pc = java.util.Arrays.copyOfRange(rec, a + b, len);
        long key = r.nextInt(200);
        s.add(key, pa, a, pb, b, pc, pc.length);
        records.add(rec);
        order.add(new long[] {key, n});
        total += len;
      }
      assertEquals(n, s.count(), "one record per add");
      s.writeSorted(out, new byte[0], -1);
    }
    order.sort(Comparator.<long[]>comparingLong(o -> o[0]).thenComparingLong(o -> o[1]));
    byte[] expected = digest(records, order);
    assertEquals(total, out.count);
    assertTrue(MessageDigest.isEqual(expected, got.digest()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Digests and counts what is written. */
  private static final class CountingDigestStream extends java.io.OutputStream {
    private final MessageDigest d;
    long count;

    CountingDigestStream(MessageDigest d) {
      this.d = d;
    }

    @Override
    public void write(int b) {
      d.update((byte) b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      d.update(b, off, len);
      count += len;
    }
  }

  /**
   * Records added nearly in key order, each few a little out of it (the HAR's entries as the
   * analysis hands them over: the last of a few handed over together may have started first): read
   * back in key order with read ahead, not one system call per out-of-place record.
   */
  @Test
  void recordsNearlyInOrderAreReadAhead() throws IOException {
    int n = 20_000;
    Random r = new Random(5);
    List<byte[]> records = new ArrayList<>();
    List<long[]> order = new ArrayList<>();
    MessageDigest got = sha256();
    CountingDigestStream out = new CountingDigestStream(got);
    long reads;
    try (SpoolFile s = new SpoolFile(1 << 20)) {
      for (int i = 0; i < n; i++) {
        // in groups of four the last added has the smallest key
        long key = (i / 4) * 4 + (i % 4 == 3 ? 0 : i % 4 + 1);
        byte[] rec = new byte[1_500 + r.nextInt(500)];
        r.nextBytes(rec);
        s.add(key, rec, rec.length);
        order.add(new long[] {key, records.size()});
        records.add(rec);
      }
      s.writeSorted(out, new byte[0], -1);
      reads = s.reads();
    }
    order.sort(Comparator.comparingLong(a -> a[0]));
    byte[] expected = digest(records, order);
    assertEquals(true, MessageDigest.isEqual(expected, got.digest()));
    assertTrue(reads * 20 < n, reads + " reads for " + n + " records");
  }

  /** Equal keys are ordered by the second key, then as added, in memory and across spilled runs. */
  @Test
  void equalKeysComeInTheOrderOfTheSecondKey() throws IOException {
    for (int n : new int[] {100, SpoolFile.RUN * 2 + 17}) {
      Random r = new Random(n);
      List<long[]> added = new ArrayList<>();
      try (SpoolFile s = new SpoolFile(1 << 16)) {
        for (int i = 0; i < n; i++) {
          long key = r.nextInt(50);
          long key2 = r.nextInt(20);
          byte[] rec = (key + "/" + key2 + "/" + i + ";").getBytes(StandardCharsets.US_ASCII);
          s.add(key, key2, rec, rec.length);
          added.add(new long[] {key, key2, i});
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        s.writeSorted(b, new byte[0], -1);
        added.sort(
            Comparator.<long[]>comparingLong(a -> a[0])
                .thenComparingLong(a -> a[1])
                .thenComparingLong(a -> a[2]));
        StringBuilder want = new StringBuilder();
        for (long[] a : added) {
          want.append(a[0]).append('/').append(a[1]).append('/').append(a[2]).append(';');
        }
        assertEquals(want.toString(), b.toString(StandardCharsets.US_ASCII), n + " records");
      }
    }
  }

  /** The digest of {@code records} taken in {@code order} (per entry: key, index in records). */
  private static byte[] digest(List<byte[]> records, List<long[]> order) {
    MessageDigest d = sha256();
    for (long[] o : order) {
      d.update(records.get((int) o[1]));
    }
    return d.digest();
  }
}
