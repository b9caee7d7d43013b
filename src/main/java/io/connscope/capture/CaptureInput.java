package io.connscope.capture;

import io.connscope.common.Warnings;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The byte window the file readers parse from: one heap array, filled in large chunks from a {@link
 * FileChannel} (or a {@link GZIPInputStream}), from which frames are served in place. A large file
 * is read ahead on a thread of its own past its first megabyte ({@link ReadAhead.Plan}), which
 * leaves the parsing thread one copy from memory per byte.
 *
 * <p>Unconsumed bytes live in {@code [pos, lim)}. {@link #ensure(int)} makes at least {@code n} of
 * them available, moving the unconsumed tail to the front when a record straddles the end of the
 * array (the only copy besides the read itself) and growing the array only when one record is
 * bigger than it. Nothing is allocated per record.
 */
final class CaptureInput implements AutoCloseable {
  /** Read chunk: large enough that per-read overhead vanishes, small enough for many files. */
  static final int DEFAULT_CAPACITY = 1 << 20;

  private final String name;
  private final FileChannel channel;
  private final InputStream stream;
  private final CountingStream compressed;
  private final Warnings warnings;

  /** Reads the file ahead, once started; null before and for a file too small. */
  private ReadAhead ahead;

  /** What {@link #ahead} will read, until it starts; null when it will not. */
  private ReadAhead.Source aheadSource;

  private boolean aheadDirect;
  private ReadAhead.Plan plan;

  private byte[] array;
  private ByteBuffer buffer;
  private ByteBuffer fillView;
  private int pos;
  private int lim;

  /** Uncompressed file offset of {@code array[0]}. */
  private long base;

  private boolean eof;

  private CaptureInput(
      String name,
      FileChannel channel,
      InputStream stream,
      CountingStream compressed,
      Warnings warnings,
      int capacity) {
    this.name = name;
    this.channel = channel;
    this.stream = stream;
    this.compressed = compressed;
    this.warnings = warnings;
    allocate(capacity);
  }

  /** Reads {@code file} as is; ahead as {@code plan} says. */
  static CaptureInput plain(Path file, Warnings warnings, ReadAhead.Plan plan) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    CaptureInput in = new CaptureInput(file.toString(), ch, null, null, warnings, DEFAULT_CAPACITY);
    if (ch.size() >= plan.minFileBytes()) {
      in.readAhead(ch::read, true, plan);
    }
    return in;
  }

  private void readAhead(ReadAhead.Source source, boolean direct, ReadAhead.Plan plan) {
    this.aheadSource = source;
    this.aheadDirect = direct;
    this.plan = plan;
  }

  /** Reads the decompressed content of the gzip file {@code file}; ahead as {@code plan} says. */
  static CaptureInput gzip(Path file, Warnings warnings, ReadAhead.Plan plan) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    long size = ch.size();
    CountingStream counting = new CountingStream(java.nio.channels.Channels.newInputStream(ch));
    GZIPInputStream gz;
    try {
      gz = new GZIPInputStream(counting, 1 << 16);
    } catch (IOException e) {
      ch.close();
      throw new CaptureFormatException(file + ": damaged gzip header (" + e.getMessage() + ")");
    }
    CaptureInput in =
        new CaptureInput(file.toString(), null, gz, counting, warnings, DEFAULT_CAPACITY);
    if (size >= plan.minFileBytes()) {
      in.readAhead(in::readStream, false, plan);
    }
    return in;
  }

  /**
   * Reads {@code in} (a stream from any file system), its decompressed content when {@code gzip};
   * {@code name} names it in messages.
   */
  static CaptureInput stream(String name, InputStream in, boolean gzip, Warnings warnings)
      throws IOException {
    if (!gzip) {
      return new CaptureInput(name, null, in, null, warnings, DEFAULT_CAPACITY);
    }
    CountingStream counting = new CountingStream(in);
    GZIPInputStream gz;
    try {
      gz = new GZIPInputStream(counting, 1 << 16);
    } catch (IOException e) {
      in.close();
      throw new CaptureFormatException(name + ": damaged gzip header (" + e.getMessage() + ")");
    }
    return new CaptureInput(name, null, gz, counting, warnings, DEFAULT_CAPACITY);
  }

  private void allocate(int capacity) {
    byte[] a = new byte[capacity];
    if (array != null) {
      System.arraycopy(array, pos, a, 0, lim - pos);
      base += pos;
      lim -= pos;
      pos = 0;
    }
    array = a;
    buffer = ByteBuffer.wrap(a); // big-endian, as PacketSource promises
    fillView = ByteBuffer.wrap(a);
  }

  String name() {
    return name;
  }

  /** The heap buffer over the whole array (absolute reads only). */
  ByteBuffer buffer() {
    return buffer;
  }

  /** The array under {@link #buffer()}, same indices (replaced when the input grows it). */
  byte[] array() {
    return array;
  }

  /** Index in {@link #buffer()} of the first unconsumed byte. */
  int pos() {
    return pos;
  }

  /** Unconsumed bytes currently buffered. */
  int available() {
    return lim - pos;
  }

  /** Uncompressed offset in the file of the first unconsumed byte. */
  long offset() {
    return base + pos;
  }

  /** Marks {@code n} bytes (already made available) as consumed. */
  void consume(int n) {
    pos += n;
  }

  /** Compressed bytes for gzip input, file bytes otherwise. */
  long bytesRead() {
    return compressed != null ? compressed.count : base + lim;
  }

  /**
   * Makes at least {@code n} unconsumed bytes available; false when the input ends first (then
   * {@link #available()} tells how many there are). May move the bytes: re-read {@link #pos()}.
   */
  /** True when the file is gzip-compressed. */
  boolean compressed() {
    return compressed != null;
  }

  boolean ensure(int n) throws IOException {
    if (lim - pos >= n) {
      return true;
    }
    if (pos + n > array.length) {
      if (n > array.length) {
        allocate(Math.max(n, array.length * 2));
      } else {
        System.arraycopy(array, pos, array, 0, lim - pos);
        base += pos;
        lim -= pos;
        pos = 0;
      }
    }
    while (lim - pos < n && !eof) {
      int r = fill();
      if (r < 0) {
        eof = true;
      } else {
        lim += r;
      }
    }
    return lim - pos >= n;
  }

  private int fill() throws IOException {
    if (aheadSource != null && base + lim >= plan.startAfter()) { // the bytes read so far
      ahead = new ReadAhead(aheadSource, aheadDirect, plan.chunkBytes());
      aheadSource = null;
    }
    try {
      if (ahead != null) {
        return ahead.read(array, lim, array.length - lim);
      }
      if (channel != null) {
        fillView.limit(array.length).position(lim);
        return channel.read(fillView);
      }
      return readStream(array, lim, array.length - lim);
    } catch (ReadAhead.Ending e) {
      warnings.add(e.code, 0, 1, e.detail);
      return -1;
    }
  }

  /** One read of the stream into {@code into} (its array), on whichever thread reads the input. */
  private int readStream(java.nio.ByteBuffer into) throws IOException {
    int n = readStream(into.array(), into.arrayOffset() + into.position(), into.remaining());
    if (n > 0) {
      into.position(into.position() + n);
    }
    return n;
  }

  private int readStream(byte[] a, int off, int len) throws IOException {
    try {
      return stream.read(a, off, len);
    } catch (EOFException e) {
      // GZIPInputStream: the compressed stream ends inside a member.
      throw new ReadAhead.Ending(
          "capture.truncated_gzip",
          name + ": compressed data ends early after " + compressed.count + " bytes");
    } catch (ZipException e) {
      throw new ReadAhead.Ending(
          "capture.bad_gzip",
          name + ": corrupt compressed data near byte " + compressed.count + ": " + e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    if (ahead != null) {
      ahead.close(); // before the channel or stream it reads
    }
    if (channel != null) {
      channel.close();
    } else {
      stream.close();
    }
  }

  /** Counts the compressed bytes pulled by the inflater, for progress. */
  private static final class CountingStream extends FilterInputStream {
    /** Written by the thread that reads, read for progress by the parsing one. */
    volatile long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        count += r;
      }
      return r;
    }

    @Override
    public long skip(long n) throws IOException {
      long r = in.skip(n);
      count += r;
      return r;
    }
  }
}
