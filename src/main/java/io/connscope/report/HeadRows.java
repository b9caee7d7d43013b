package io.connscope.report;

import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@link ReportSource.Head} of every connection of a JSON report, with the bytes of the
 * connection in the report and its transaction count, kept by {@link JsonReportWriter} as it writes
 * each connection and read back once, in report order: the digest's pass over every connection
 * (Markdown, HTML) reads these small rows instead of the report, and reads a connection from the
 * report only for the few it keeps ({@link ReportSource.ConnectionView}).
 *
 * <p>Rows are spooled ({@link SpoolFile}: a few MB in memory, the rest in a temporary file), so
 * memory does not follow the number of connections. A row: id, record bytes, transaction count,
 * start, end, gaps, maximum pipeline depth, flags, then client address, server address and port,
 * close reason and who closed first, and for a TLS connection its {@link ReportSource.Head.Tls}.
 */
final class HeadRows implements AutoCloseable {
  /** Rows kept in memory before the spool goes to a temporary file. */
  private static final int MEMORY_BUDGET = 4 << 20;

  private final SpoolFile spool = new SpoolFile(MEMORY_BUDGET);
  private byte[] row = new byte[128];
  private int len;
  private boolean read;

  /** Receives each row: the head, where the connection starts in the file, its transactions. */
  interface Visitor {
    void accept(ReportSource.Head head, long offset, int transactions) throws IOException;
  }

  /**
   * Adds the row of {@code c}, whose record in the report (object and transactions) is {@code
   * recordBytes} long and holds {@code transactions} transactions.
   */
  void add(ConnectionResult c, long recordBytes, long transactions) {
    len = 0;
    putLong(c.id());
    putLong(recordBytes);
    putLong(Math.min(Integer.MAX_VALUE, transactions));
    putLong(c.startUs());
    putLong(c.endUs());
    putLong(c.clientToServer().gaps() + c.serverToClient().gaps());
    putLong(c.http() == null ? 0 : c.http().maxPipelineDepth());
    putLong((c.rolesInferred() ? 1 : 0) | (c.tls() != null ? 2 : 0));
    putString(c.client().ip());
    putString(c.server().ip());
    putLong(c.server().port());
    putString(c.close().reason());
    putString(c.close().firstBy());
    ReportSource.Head.Tls tls = ReportSource.Head.Tls.of(c.tls());
    if (tls != null) {
      putString(tls.version());
      putString(tls.handshake());
      putString(tls.resumption());
      putLong(tls.clientHelloUs());
      putLong(tls.exchanges());
      putLong(tls.exchangeCount());
    }
    spool.add(c.id(), row, len);
  }

  /**
   * Hands every row over in report order (by connection number), with where its connection starts
   * in the report: the first at {@code firstOffset}, each next one after the previous record and
   * the two bytes (",\n") between records. Once only: false, and nothing handed over, when the rows
   * were read already.
   */
  boolean read(long firstOffset, Visitor v) throws IOException {
    if (read) {
      return false;
    }
    read = true;
    long[] at = {firstOffset};
    Decoder d = new Decoder();
    spool.writeSorted(
        OutputStream.nullOutputStream(),
        new byte[0],
        -1,
        (out, b, off, n) -> {
          d.reset(b, off, n);
          long id = d.getLong();
          long record = d.getLong();
          int transactions = (int) d.getLong();
          long start = d.getLong();
          long end = d.getLong();
          long gaps = d.getLong();
          int pipeline = (int) d.getLong();
          long flags = d.getLong();
          String client = d.getString(0);
          String serverIp = d.getString(1);
          int port = (int) d.getLong();
          String reason = d.getString(2);
          String firstBy = d.getString(3);
          ReportSource.Head.Tls tls =
              (flags & 2) == 0
                  ? null
                  : new ReportSource.Head.Tls(
                      d.getString(4),
                      d.getString(5),
                      d.getString(6),
                      d.getLong(),
                      (int) d.getLong(),
                      (int) d.getLong());
          v.accept(
              new ReportSource.Head(
                  id,
                  client,
                  new Endpoint(serverIp, port),
                  (flags & 1) != 0,
                  start,
                  end,
                  gaps,
                  tls,
                  pipeline,
                  reason,
                  firstBy),
              at[0],
              transactions);
          at[0] += record + 2;
        });
    return true;
  }

  @Override
  public void close() throws IOException {
    spool.close();
  }

  private void room(int n) {
    if (len + n > row.length) {
      row = Arrays.copyOf(row, Math.max(row.length * 2, len + n));
    }
  }

  /** A long in 7-bit groups, low first, zigzag for the sign (most values are small). */
  private void putLong(long v) {
    room(10);
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      row[len++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    row[len++] = (byte) z;
  }

  /** Its length + 1 (0 for null), then its UTF-8 bytes. */
  private void putString(String s) {
    if (s == null) {
      putLong(0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    putLong(b.length + 1L);
    room(b.length);
    System.arraycopy(b, 0, row, len, b.length);
    len += b.length;
  }

  /** Reads a row; each string field reuses its previous instance when its bytes repeat. */
  private static final class Decoder {
    private byte[] b;
    private int pos;
    private final String[] last = new String[7];
    private final byte[][] lastBytes = new byte[7][];

    void reset(byte[] b, int off, int n) {
      this.b = b;
      this.pos = off;
    }

    long getLong() {
      long z = 0;
      for (int shift = 0; ; shift += 7) {
        byte x = b[pos++];
        z |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          break;
        }
      }
      return (z >>> 1) ^ -(z & 1);
    }

    String getString(int field) {
      long n = getLong();
      if (n == 0) {
        return null;
      }
      int length = (int) (n - 1);
      byte[] known = lastBytes[field];
      String s = last[field];
      if (s == null || !Arrays.equals(known, 0, known.length, b, pos, pos + length)) {
        s = new String(b, pos, length, StandardCharsets.UTF_8);
        last[field] = s;
        lastBytes[field] = Arrays.copyOfRange(b, pos, pos + length);
      }
      pos += length;
      return s;
    }
  }
}
