package io.connscope.capture;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a capture file ahead of its parser, on a thread of its own: the copy from the kernel's page
 * cache (and for a gzip file the inflating) leaves the analysis thread, which then only copies
 * chunks already in memory. On a 1 GB capture that copy was a fifth of the analysis thread's time.
 *
 * <p>{@value #CHUNKS} chunks of {@value #CHUNK_BYTES} bytes go round: the reading thread fills a
 * free one and queues it, {@link #read} takes them in order and frees each once it is copied out.
 * What the source said when it ended, an {@link IOException} or a warning about a damaged gzip
 * stream (told by {@link Source#read} as an {@link Ending}), rides with the last chunk, so the
 * parser meets it after every byte read before it, as it would reading on its own thread. Neither
 * the bytes nor their order depend on the thread.
 */
final class ReadAhead implements AutoCloseable {
  static final int CHUNKS = 4;
  static final int CHUNK_BYTES = 1 << 20;

  /**
   * When a capture input reads ahead: files of at least {@code minFileBytes} (compressed size for
   * gzip), once {@code startAfter} bytes were read on the parsing thread (opening a file to check
   * it or to read its first packet starts no thread), in chunks of {@code chunkBytes}.
   */
  record Plan(long minFileBytes, long startAfter, int chunkBytes) {
    /** From 8 MiB, after the first MiB, 1 MiB chunks. */
    static final Plan DEFAULT = new Plan(8L << 20, 1 << 20, CHUNK_BYTES);
  }

  /** Direct chunks of closed inputs, for the next: a directory of captures is read one by one. */
  private static final ConcurrentLinkedQueue<ByteBuffer> SPARE = new ConcurrentLinkedQueue<>();

  /** Where the bytes come from; called on the reading thread only. */
  interface Source {
    /**
     * Reads into {@code into} (from its position up to its limit): the bytes read, -1 at the end;
     * throws {@link Ending} for an end that is worth a warning.
     */
    int read(ByteBuffer into) throws IOException;
  }

  /** An end of the input with a warning for the capture's warnings (added by the parser). */
  static final class Ending extends IOException {
    final String code;
    final String detail;

    Ending(String code, String detail) {
      super(detail, null);
      this.code = code;
      this.detail = detail;
    }
  }

  private static final class Chunk {
    final ByteBuffer buf;

    /** The input ended after this chunk's bytes: at its end, or with this failure. */
    boolean last;

    IOException failure;

    Chunk(ByteBuffer buf) {
      this.buf = buf;
    }
  }

  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(CHUNKS);
  private final Chunk[] chunks = new Chunk[CHUNKS];
  private final boolean direct;
  private final Thread thread;

  /** The chunk being copied out (read mode), null between chunks. */
  private Chunk current;

  private boolean ended;

  /**
   * Starts reading {@code source} ahead in chunks of {@code chunkBytes}, direct ones ({@code
   * direct}: a file channel reads into them without a copy of its own) or heap ones (a stream).
   */
  ReadAhead(Source source, boolean direct, int chunkBytes) {
    this.direct = direct;
    for (int i = 0; i < CHUNKS; i++) {
      chunks[i] = new Chunk(direct ? direct(chunkBytes) : ByteBuffer.allocate(chunkBytes));
      free.add(chunks[i]);
    }
    thread = new Thread(() -> run(source), "connscope-read");
    thread.setDaemon(true); // never keeps the JVM up; close() ends it
    thread.start();
  }

  private void run(Source source) {
    try {
      while (true) {
        Chunk c = free.take();
        c.buf.clear();
        try {
          while (c.buf.hasRemaining()) {
            if (source.read(c.buf) < 0) {
              c.last = true;
              break;
            }
          }
        } catch (IOException e) {
          c.last = true;
          c.failure = e;
        }
        c.buf.flip();
        full.put(c);
        if (c.last) {
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /**
   * Copies up to {@code len} bytes into {@code dst} at {@code off}, waiting for the reading thread
   * when it is behind: the count copied (at least 1 when {@code len > 0}), or -1 at the end. Throws
   * what the source threw, once every byte before it was copied.
   */
  int read(byte[] dst, int off, int len) throws IOException {
    while (true) {
      if (current == null) {
        if (ended) {
          return -1;
        }
        current = take();
      }
      int n = Math.min(len, current.buf.remaining());
      if (n > 0 || len == 0) {
        current.buf.get(dst, off, n);
        return n;
      }
      Chunk done = current;
      current = null;
      if (done.last) {
        ended = true;
        if (done.failure != null) {
          throw done.failure;
        }
        return -1;
      }
      free.add(done); // room for it: it came from there
    }
  }

  private Chunk take() throws IOException {
    try {
      return full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading the capture");
    }
  }

  private static ByteBuffer direct(int bytes) {
    ByteBuffer b = SPARE.poll();
    return b != null && b.capacity() == bytes ? b : ByteBuffer.allocateDirect(bytes);
  }

  /** Stops the reading thread (the source is closed by its owner after this). */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (direct && !thread.isAlive()) {
      for (Chunk c : chunks) {
        if (SPARE.size() < CHUNKS) { // a race may keep one more: harmless
          SPARE.add(c.buf);
        }
      }
    }
  }
}
