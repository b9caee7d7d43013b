package io.connscope.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Keyed byte records that may be too many for memory: kept in memory up to a budget, then in a
 * temporary file (deleted on close). Records come back ordered by key, whatever the order they
 * were added in, so a report can list connections by id while they finish in any order.
 */
final class SpoolFile implements AutoCloseable {
  private static final int MEMORY_BUDGET = 16 << 20;

  private long[] keys = new long[64];
  private long[] offsets = new long[64];
  private int[] lengths = new int[64];
  private int count;
  private byte[] memory = new byte[8192];
  private long size;
  private Path path;
  private FileChannel channel;

  void add(long key, byte[] data, int len) {
    if (count == keys.length) {
      keys = Arrays.copyOf(keys, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
    }
    keys[count] = key;
    offsets[count] = size;
    lengths[count] = len;
    count++;
    try {
      if (channel == null && size + len <= MEMORY_BUDGET) {
        if (size + len > memory.length) {
          memory = Arrays.copyOf(memory, (int) Math.min(MEMORY_BUDGET, Math.max(size + len, memory.length * 2L)));
        }
        System.arraycopy(data, 0, memory, (int) size, len);
      } else {
        if (channel == null) {
          path = Files.createTempFile("connscope-", ".spool");
          path.toFile().deleteOnExit();
          channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
          channel.write(ByteBuffer.wrap(memory, 0, (int) size), 0);
          memory = null;
        }
        channel.write(ByteBuffer.wrap(data, 0, len), size);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    size += len;
  }

  int count() {
    return count;
  }

  /**
   * Writes every record, ordered by key (ties in insertion order). {@code sep} is written between
   * two records whose keys differ in their bits above {@code groupShift} (records of one group
   * are written back to back).
   */
  void writeSorted(OutputStream out, byte[] sep, int groupShift) throws IOException {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> a.equals(b) ? 0
        : keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : Integer.compare(a, b));
    byte[] tmp = new byte[8192];
    for (int k = 0; k < count; k++) {
      int i = order[k];
      if (channel == null) {
        out.write(memory, (int) offsets[i], lengths[i]);
      } else {
        if (tmp.length < lengths[i]) {
          tmp = new byte[lengths[i]];
        }
        ByteBuffer bb = ByteBuffer.wrap(tmp, 0, lengths[i]);
        long pos = offsets[i];
        while (bb.hasRemaining()) {
          int n = channel.read(bb, pos);
          if (n < 0) {
            throw new IOException("spool file shrank");
          }
          pos += n;
        }
        out.write(tmp, 0, lengths[i]);
      }
      if (k + 1 < count && (keys[order[k + 1]] >>> groupShift) != (keys[i] >>> groupShift)) {
        out.write(sep);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      Files.deleteIfExists(path);
      channel = null;
    }
  }
}
