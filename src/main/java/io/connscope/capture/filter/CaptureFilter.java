package io.connscope.capture.filter;

import java.nio.ByteBuffer;

/**
 * A tcpdump filter expression applied to frames as they are read ({@code analyze -f}): compiled by
 * libpcap for each link type the capture has (pcapng files may mix them), run in Java on each frame
 * in place. Frames it rejects are counted and skipped; frame numbers stay those of the capture, so
 * evidence still points at the frames tshark and Wireshark show.
 */
public final class CaptureFilter {
  private final String expression;

  /** Compiled programs by link type; null entries not compiled yet. */
  private final BpfProgram[] programs = new BpfProgram[512];

  private final java.util.HashMap<Integer, BpfProgram> otherLinkTypes = new java.util.HashMap<>();
  private final java.util.TreeMap<Integer, String> notApplicable = new java.util.TreeMap<>();

  /** Ethernet, Linux cooked, raw IP, 802.11, 802.11 radiotap: valid for one of them is valid. */
  private static final int[] CHECKED_LINK_TYPES = {1, 113, 101, 105, 127};

  /** {@code ret #0}. */
  private static final BpfProgram REJECT_ALL =
      new BpfProgram(new short[] {0x06}, new byte[1], new byte[1], new int[1]);

  private CaptureFilter(String expression) {
    this.expression = expression;
  }

  /**
   * A filter for {@code expression}, checked now (it must compile for one of the common link types)
   * so a bad expression is reported before any file is read; throws {@link
   * IllegalArgumentException} with libpcap's message, or {@link IllegalStateException} when libpcap
   * is missing.
   */
  public static CaptureFilter of(String expression) {
    CaptureFilter f = new CaptureFilter(expression);
    IllegalArgumentException first = null;
    for (int linkType : CHECKED_LINK_TYPES) {
      try {
        LibpcapCompiler.compile(expression, linkType);
        return f;
      } catch (IllegalArgumentException e) {
        first = first == null ? e : first;
      }
    }
    throw first;
  }

  public String expression() {
    return expression;
  }

  /** True when the frame at {@code buf[off, off + caplen)} of {@code linkType} passes. */
  public boolean matches(int linkType, ByteBuffer buf, int off, int caplen, int wirelen) {
    return program(linkType).matches(buf, off, caplen, wirelen);
  }

  /**
   * Link types the expression does not apply to (libpcap refused to compile it for them, e.g.
   * {@code ether host} on raw IP), with libpcap's message: their frames are all rejected.
   */
  public java.util.SortedMap<Integer, String> notApplicable() {
    return java.util.Collections.unmodifiableSortedMap(notApplicable);
  }

  private BpfProgram program(int linkType) {
    if (linkType >= 0 && linkType < programs.length) {
      BpfProgram p = programs[linkType];
      if (p == null) {
        p = programs[linkType] = compile(linkType);
      }
      return p;
    }
    return otherLinkTypes.computeIfAbsent(linkType, this::compile);
  }

  private BpfProgram compile(int linkType) {
    try {
      return LibpcapCompiler.compile(expression, linkType);
    } catch (IllegalArgumentException e) {
      notApplicable.put(linkType, e.getMessage());
      return REJECT_ALL;
    }
  }
}
