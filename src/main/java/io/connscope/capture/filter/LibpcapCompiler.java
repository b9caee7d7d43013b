package io.connscope.capture.filter;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Compiles a filter expression with libpcap itself ({@code pcap_open_dead} + {@code pcap_compile},
 * through jnr-ffi), so an expression means exactly what it means to tcpdump for the capture's link
 * type, and hands the instructions to {@link BpfProgram}. Compiling is the only native work;
 * matching runs in Java.
 */
final class LibpcapCompiler {
  /** The libpcap functions used, as jnr-ffi binds them. */
  public interface Pcap {
    Pointer pcap_open_dead(int linktype, int snaplen);

    int pcap_compile(Pointer p, Pointer program, String expr, int optimize, int netmask);

    String pcap_geterr(Pointer p);

    void pcap_freecode(Pointer program);

    void pcap_close(Pointer p);

    /** Runs a compiled program on one packet: libpcap's own interpreter (tests compare). */
    int bpf_filter(Pointer insns, Pointer packet, int wirelen, int buflen);
  }

  private static Pcap pcap;
  private static String loadError;

  private LibpcapCompiler() {}

  /** libpcap, loaded once; null with {@link #loadError()} when it cannot be. */
  static synchronized Pcap library() {
    if (pcap == null && loadError == null) {
      for (String name : new String[] {"pcap", "libpcap.so.1", "libpcap.so.0.8"}) {
        try {
          pcap = LibraryLoader.create(Pcap.class).failImmediately().load(name);
          break;
        } catch (LinkageError | RuntimeException e) {
          loadError = e.getMessage();
        }
      }
      if (pcap != null) {
        loadError = null;
      }
    }
    return pcap;
  }

  static synchronized String loadError() {
    return loadError;
  }

  /**
   * The program for {@code expr} on frames of {@code linkType}; throws {@link
   * IllegalArgumentException} with libpcap's message for a bad expression or a link type libpcap
   * cannot filter, and {@link IllegalStateException} when libpcap is missing.
   */
  static BpfProgram compile(String expr, int linkType) {
    try (Compiled c = compileNative(expr, linkType)) {
      return c.program();
    }
  }

  /** Compiles with libpcap and keeps its program until closed (tests run libpcap's verdicts). */
  static Compiled compileNative(String expr, int linkType) {
    Pcap lib = library();
    if (lib == null) {
      throw new IllegalStateException(
          "capture filters need libpcap, which could not be loaded"
              + " (install libpcap0.8): "
              + loadError());
    }
    Runtime rt = Runtime.getRuntime(lib);
    Pointer handle = lib.pcap_open_dead(linkType, 262144);
    if (handle == null) {
      throw new IllegalArgumentException("libpcap cannot filter link type " + linkType);
    }
    // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }
    Pointer prog = Memory.allocateDirect(rt, 16, true);
    if (lib.pcap_compile(handle, prog, expr, 1, 0xFFFFFFFF) != 0) {
      String err = lib.pcap_geterr(handle);
      lib.pcap_close(handle);
      throw new IllegalArgumentException(err == null ? "bad filter expression" : err.strip());
    }
    return new Compiled(lib, rt, handle, prog);
  }

  /** A program compiled by libpcap, freed by {@link #close()}. */
  static final class Compiled implements AutoCloseable {
    final Pcap lib;
    final Runtime runtime;
    private final Pointer handle, prog;

    private Compiled(Pcap lib, Runtime rt, Pointer handle, Pointer prog) {
      this.lib = lib;
      this.runtime = rt;
      this.handle = handle;
      this.prog = prog;
    }

    /** The instructions, copied for {@link BpfProgram}. */
    BpfProgram program() {
      int n = prog.getInt(0);
      Pointer insns = insns();
      short[] code = new short[n];
      byte[] jt = new byte[n], jf = new byte[n];
      int[] k = new int[n];
      for (int i = 0; i < n; i++) {
        // struct bpf_insn { u_short code; u_char jt; u_char jf; bpf_u_int32 k; } (host order)
        code[i] = insns.getShort(8L * i);
        jt[i] = insns.getByte(8L * i + 2);
        jf[i] = insns.getByte(8L * i + 3);
        k[i] = insns.getInt(8L * i + 4);
      }
      return new BpfProgram(code, jt, jf, k);
    }

    /** libpcap's own verdict on a packet at {@code packet} (non-zero accepts). */
    int run(Pointer packet, int wirelen, int buflen) {
      return lib.bpf_filter(insns(), packet, wirelen, buflen);
    }

    private Pointer insns() {
      return prog.getPointer(runtime.addressSize());
    }

    @Override
    public void close() {
      lib.pcap_freecode(prog);
      lib.pcap_close(handle);
    }
  }
}
