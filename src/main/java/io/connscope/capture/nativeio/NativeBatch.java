package io.connscope.capture.nativeio;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The native batch reader: loads {@code libconnscope_pcap.so} (built by {@code native/build.sh}
 * into the jar under {@code native/OS-ARCH/}) and reads batches of packets with it.
 *
 * <p>Why: pcap4j's per-packet loop costs, for every packet, a JNA call, a {@code byte[]}, a {@code
 * Timestamp} and an {@code Integer}. One {@link #dispatch} here costs one native call for up to a
 * whole kernel block of packets, and no allocation at all.
 */
public final class NativeBatch {
  /** The interface version of {@code connscope_pcap.c} this class speaks. */
  public static final int VERSION = 5;

  /** The library's file name. */
  public static final String LIBRARY_FILE = "libconnscope_pcap.so";

  /** The outcome of {@link #dispatch}. */
  public enum Status {
    /** The batch is in the buffer (possibly empty: the read timeout expired). */
    OK,
    /** pcap_breakloop() interrupted the read: the caller asked to stop. */
    BROKEN,
    /** libpcap reported an error (pcap_geterr() tells which). */
    ERROR
  }

  private static final Object LOCK = new Object();
  private static NativeBatch loaded;
  private static String unavailable;

  private final ConnscopePcap lib;
  private final Runtime runtime;

  private NativeBatch(ConnscopePcap lib) {
    this.lib = lib;
    this.runtime = Runtime.getRuntime(lib);
  }

  /**
   * The helper, loaded once per JVM; null when it is not available, and then {@link
   * #unavailableReason()} says why.
   */
  public static NativeBatch load() {
    synchronized (LOCK) {
      if (loaded == null && unavailable == null) {
        try {
          loaded = loadLibrary();
        } catch (IOException | LinkageError | RuntimeException e) {
          // jnr-ffi reports a missing or broken library as an UnsatisfiedLinkError or a
          // RuntimeException: either way, live capture falls back to pcap4j's loop.
          unavailable = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
      }
      return loaded;
    }
  }

  /** Why {@link #load()} returned null (null when it did not). */
  public static String unavailableReason() {
    synchronized (LOCK) {
      return unavailable;
    }
  }

  private static NativeBatch loadLibrary() throws IOException {
    String resource =
        "/native/"
            + System.getProperty("os.name")
            + "-"
            + System.getProperty("os.arch")
            + "/"
            + LIBRARY_FILE;
    URL url = NativeBatch.class.getResource(resource);
    if (url == null) {
      throw new IOException(
          "this build has no native helper for "
              + System.getProperty("os.name")
              + "-"
              + System.getProperty("os.arch")
              + " (it is built when gcc and the libpcap headers are present)");
    }
    Path dir;
    if ("file".equals(url.getProtocol())) {
      try {
        dir = Paths.get(url.toURI()).getParent();
      } catch (URISyntaxException e) {
        throw new IOException("bad native helper location " + url, e);
      }
    } else {
      // inside the jar: copy it out, since the dynamic loader needs a file
      dir = Files.createTempDirectory("connscope-native");
      Path file = dir.resolve(LIBRARY_FILE);
      try (InputStream in = url.openStream()) {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
    }
    ConnscopePcap lib =
        LibraryLoader.create(ConnscopePcap.class)
            .search(dir.toString())
            .failImmediately()
            .load("connscope_pcap");
    int v = lib.cs_version();
    if (v != VERSION) {
      throw new IOException("native helper version " + v + ", expected " + VERSION);
    }
    return new NativeBatch(lib);
  }

  /**
   * The size of a batch buffer fit for the pcap handle at address {@code pcap}: at least {@code
   * wanted}.
   */
  public int minBuffer(long pcap, int wanted) {
    return Math.max(wanted, lib.cs_min_buffer(pcap));
  }

  /**
   * Reads one batch from the non-blocking pcap handle at address {@code pcap} into {@code buffer}:
   * waits up to {@code timeoutMillis} for packets, then packs what libpcap delivered. Walk it with
   * {@link BatchBuffer#next()}, which {@code dispatch} has reset.
   */
  public Status dispatch(long pcap, BatchBuffer buffer, int timeoutMillis) {
    return dispatch(pcap, buffer, timeoutMillis, false);
  }

  /**
   * As {@link #dispatch(long, BatchBuffer, int)}, adding the packets after the batch already in
   * {@code buffer} when {@code append} is true.
   */
  public Status dispatch(long pcap, BatchBuffer buffer, int timeoutMillis, boolean append) {
    long address = buffer.address(runtime);
    int rc = lib.cs_dispatch(pcap, address, buffer.capacity(), timeoutMillis, append ? 1 : 0);
    buffer.reset();
    return rc == 0 ? Status.OK : rc == -2 ? Status.BROKEN : Status.ERROR;
  }

  /**
   * Sets the calling thread's nice value (Linux; a negative one needs CAP_SYS_NICE): true when it
   * was set.
   */
  public boolean setThreadNice(int nice) {
    return lib.cs_thread_nice(nice) == 0;
  }

  /** Address of a direct buffer, through jnr-ffi (the JDK keeps it private). */
  static long addressOf(Runtime runtime, java.nio.ByteBuffer direct) {
    return Pointer.wrap(runtime, direct).address();
  }
}
