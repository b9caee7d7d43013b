package io.connscope.capture;

import io.connscope.common.Warnings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a capture file as a {@link PacketSource}, choosing the reader from the magic number: pcap
 * (microsecond or nanosecond, either byte order), pcapng, or either of them gzip-compressed. The
 * file name does not matter.
 */
public final class CaptureFiles {
  private CaptureFiles() {}

  /** Opens {@code file}; frames are numbered from 1. */
  public static PacketSource open(Path file, Warnings warnings) throws IOException {
    return open(file, warnings, 0);
  }

  /**
   * Opens {@code file}, numbering its frames from {@code frameNumberBase + 1} (frame numbers run
   * across all files of one analysis).
   *
   * @throws java.nio.file.NoSuchFileException when the file does not exist
   * @throws CaptureFormatException when it is empty or not a capture (one-line message)
   * @throws IOException when it cannot be read
   */
  public static PacketSource open(Path file, Warnings warnings, long frameNumberBase)
      throws IOException {
    return open(file, warnings, frameNumberBase, ReadAhead.Plan.DEFAULT);
  }

  /** As {@link #open(Path, Warnings, long)}, the file read ahead as {@code plan} says. */
  static PacketSource open(Path file, Warnings warnings, long frameNumberBase, ReadAhead.Plan plan)
      throws IOException {
    byte[] head = new byte[4];
    int n;
    try (InputStream s = Files.newInputStream(file)) {
      n = s.readNBytes(head, 0, 4);
    }
    if (n == 0) {
      throw new CaptureFormatException(file + ": empty file");
    }
    boolean gzip = n >= 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b;
    CaptureInput in =
        gzip ? CaptureInput.gzip(file, warnings, plan) : CaptureInput.plain(file, warnings, plan);
    try {
      PacketSource source = detect(in, gzip, warnings, frameNumberBase, file.toString());
      in = null; // owned by the source now
      return source;
    } finally {
      if (in != null) {
        in.close();
      }
    }
  }

  /**
   * Opens the capture read from {@code in} (plain or gzip, told by its first bytes), numbering its
   * frames from {@code frameNumberBase + 1}; {@code name} names it in messages. For files on other
   * file systems (the Spark job reads through Hadoop's). The source owns {@code in}.
   *
   * @throws CaptureFormatException when it is empty or not a capture (one-line message)
   */
  public static PacketSource open(
      String name, InputStream in, Warnings warnings, long frameNumberBase) throws IOException {
    java.io.BufferedInputStream b = new java.io.BufferedInputStream(in, 1 << 16);
    boolean gzip;
    try {
      b.mark(2);
      int b0 = b.read();
      int b1 = b.read();
      b.reset();
      if (b0 < 0) {
        throw new CaptureFormatException(name + ": empty file");
      }
      gzip = b0 == 0x1f && b1 == 0x8b;
    } catch (IOException e) {
      b.close();
      throw e;
    }
    CaptureInput input = CaptureInput.stream(name, b, gzip, warnings);
    try {
      PacketSource source = detect(input, gzip, warnings, frameNumberBase, name);
      input = null; // owned by the source now
      return source;
    } finally {
      if (input != null) {
        input.close();
      }
    }
  }

  /** The format of a source opened here: "pcap", "pcapng", with ".gz" when compressed. */
  public static String formatOf(PacketSource source) {
    if (source instanceof CaptureFileReader r) {
      return r.format();
    }
    return "live";
  }

  private static PacketSource detect(
      CaptureInput in, boolean gzip, Warnings warnings, long frameNumberBase, String name)
      throws IOException {
    in.ensure(4);
    int have = Math.min(in.available(), 4);
    if (have == 0) {
      throw new CaptureFormatException(name + ": empty file" + (gzip ? " inside gzip" : ""));
    }
    ByteBuffer b = in.buffer();
    int p = in.pos();
    if (have == 4) {
      int magic = b.getInt(p);
      if (PcapReader.isMagic(magic) || PcapReader.isMagic(Integer.reverseBytes(magic))) {
        return new PcapReader(in, warnings, frameNumberBase);
      }
      if (magic == PcapNgReader.SHB) {
        return new PcapNgReader(in, warnings, frameNumberBase);
      }
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < have; i++) {
      hex.append(i == 0 ? "" : " ").append(String.format("%02x", b.get(p + i) & 0xFF));
    }
    String what =
        have < 4
            ? "too short to be a capture (" + have + " bytes: " + hex + ")"
            : "not a pcap or pcapng file"
                + (gzip ? " inside gzip" : "")
                + " (starts with "
                + hex
                + ")";
    throw new CaptureFormatException(name + ": " + what);
  }
}
