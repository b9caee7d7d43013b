package io.connscope.capture.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Java interpreter gives libpcap's own verdict ({@code bpf_filter}) on every frame of every
 * sample and corpus capture, for expressions that exercise every instruction class: absolute,
 * indirect and MSH loads, lengths, scratch memory, arithmetic (multiply, divide, modulo, shifts),
 * every jump.
 */
class BpfProgramTest {
  private static final Path CORPUS = Paths.get("..", "shared", "corpus");

  static final String[] EXPRESSIONS = {
    "tcp",
    "not tcp",
    "tcp port 80 or tcp port 8080",
    "host 127.0.0.1",
    "net 10.0.0.0/8 or net 192.168.0.0/16",
    "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
    "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
    "ip6",
    "ip6 and tcp",
    "greater 200",
    "less 70",
    "vlan",
    "vlan and tcp",
    "udp port 53 or icmp or arp",
    "portrange 1024-2048",
    "ip[6:2] & 0x1fff != 0",
    "len % 3 = 1",
    "ip and ip[8] * 3 / 2 > 90",
    "tcp and tcp[13] << 3 > 100 and tcp[13] >> 1 < 20",
    "ether multicast or ether broadcast",
    "ip and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0",
  };

  @Test
  void verdictsAreLibpcapsOnEverySampleAndCorpusFrame() throws IOException {
    Assumptions.assumeTrue(
        LibpcapCompiler.library() != null, "libpcap not loadable: " + LibpcapCompiler.loadError());
    List<Path> files = new ArrayList<>(captures(Paths.get("samples")));
    if (Files.isDirectory(CORPUS)) {
      files.addAll(captures(CORPUS));
    }
    long compared = 0, accepted = 0;
    List<String> wrong = new ArrayList<>();
    Map<String, LibpcapCompiler.Compiled> natives = new HashMap<>();
    Map<String, BpfProgram> ours = new HashMap<>();
    Pointer mem =
        Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(LibpcapCompiler.library()), 1 << 18);
    try {
      for (Path f : files) {
        try (PacketSource s = CaptureFiles.open(f, new Warnings())) {
          while (s.next()) {
            int lt = s.info().linkType, cap = s.info().capturedLength;
            int wire = Math.max(cap, s.info().wireLength);
            if (cap > (1 << 18)) {
              continue;
            }
            ByteBuffer b = s.buffer();
            for (int i = 0; i < cap; i++) {
              mem.putByte(i, b.get(s.frameOffset() + i));
            }
            for (String e : EXPRESSIONS) {
              String key = lt + "|" + e;
              if (!natives.containsKey(key)) {
                try {
                  LibpcapCompiler.Compiled c = LibpcapCompiler.compileNative(e, lt);
                  natives.put(key, c);
                  ours.put(key, c.program());
                } catch (IllegalArgumentException notForThisLinkType) {
                  natives.put(key, null);
                }
              }
              LibpcapCompiler.Compiled c = natives.get(key);
              if (c == null) {
                continue;
              }
              boolean want = c.run(mem, wire, cap) != 0;
              boolean got = ours.get(key).matches(b, s.frameOffset(), cap, wire);
              compared++;
              accepted += got ? 1 : 0;
              if (want != got && wrong.size() < 20) {
                wrong.add(f + " frame " + s.info().frameNumber + " '" + e + "': libpcap " + want);
              }
            }
          }
        } catch (IOException | RuntimeException unreadable) {
          // damaged corpus files are the readers' tests; frames read before the damage count
        }
      }
    } finally {
      for (LibpcapCompiler.Compiled c : natives.values()) {
        if (c != null) {
          c.close();
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertTrue(compared > 10_000, "compared " + compared);
    assertTrue(
        accepted > compared / 20 && accepted < compared - compared / 20,
        "both verdicts occur: " + accepted + " of " + compared);
  }

  @Test
  void aBadExpressionIsLibpcapsOneLineError() {
    Assumptions.assumeTrue(LibpcapCompiler.library() != null, "libpcap not loadable");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CaptureFilter.of("tcp prot 80"));
    assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
    assertTrue(
        CaptureFilter.of("wlan host 00:11:22:33:44:55") != null,
        "valid for 802.11 is valid, though not for Ethernet");
  }

  private static List<Path> captures(Path dir) throws IOException {
    return io.connscope.CaptureFilesUnder.of(dir);
  }
}
