package io.connscope.detect;

import static io.connscope.detect.SampleFindings.detail;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureInfo;
import io.connscope.capture.PacketSource;
import io.connscope.capture.PcapWriter;
import io.connscope.common.Warnings;
import io.connscope.result.Finding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * capture.loss and capture.truncated on a real sample rewritten the way a lossy capture or a short
 * snap length would have recorded it (setup-persistent-delay: 8 GETs, each answered by one 592-byte
 * segment; frame 9 is the second response, acknowledged by frame 10).
 */
class CaptureLossDetectorTest {
  @TempDir Path dir;

  /** Copies {@code in} keeping the frames {@code keep} accepts, each cut to {@code snap} bytes. */
  private Path rewrite(Path in, LongPredicate keep, int snap) throws IOException {
    Path out = dir.resolve("rewritten.pcap");
    try (PacketSource src = CaptureFiles.open(in, new Warnings());
        OutputStream os = Files.newOutputStream(out);
        PcapWriter w = new PcapWriter(os, 1, 262_144, false)) {
      long n = 0;
      while (src.next()) {
        CaptureInfo info = src.info();
        if (keep.test(++n)) {
          w.write(
              info.timestampNanos,
              src.buffer(),
              src.frameOffset(),
              Math.min(snap, info.capturedLength),
              info.wireLength);
        }
      }
    }
    return out;
  }

  @Test
  void acknowledgedButUncapturedSegmentIsCaptureLoss() throws IOException {
    Path p = rewrite(SampleFindings.sample("setup-persistent-delay"), n -> n != 9, 262_144);
    List<Finding> fs = SampleFindings.of(p);
    List<Finding> loss =
        fs.stream().filter(f -> f.type().equals(CaptureLossDetector.LOSS)).toList();
    assertEquals(1, loss.size(), fs.toString());
    Finding f = loss.get(0);
    assertEquals("C1", f.connection());
    assertEquals("server", f.details().get("sender"));
    assertEquals(592L, detail(f, "lost_bytes"));
    assertEquals(1L, detail(f, "ranges"));
    assertEquals(
        List.of(10L), f.frames(), "the first server segment after the hole (was frame 11)");
    assertEquals(0, f.costUs());
    assertEquals(
        List.of(),
        fs.stream().filter(x -> x.type().equals(CaptureLossDetector.TRUNCATED)).toList());
  }

  @Test
  void snaplenCutFramesAreTruncatedNotLost() throws IOException {
    // 80 bytes: Ethernet 14 + IPv4 20 + TCP 32 leaves 14 payload bytes per frame
    Path p = rewrite(SampleFindings.sample("setup-persistent-delay"), n -> true, 80);
    List<Finding> fs = SampleFindings.of(p);
    assertEquals(
        List.of(), fs.stream().filter(f -> f.type().equals(CaptureLossDetector.LOSS)).toList());
    List<Finding> cut =
        fs.stream().filter(f -> f.type().equals(CaptureLossDetector.TRUNCATED)).toList();
    assertEquals(2, cut.size(), fs.toString());
    assertEquals("client", cut.get(0).details().get("sender"));
    assertEquals(8L * (49 - 14), detail(cut.get(0), "truncated_bytes"));
    assertEquals("server", cut.get(1).details().get("sender"));
    assertEquals(8L * (592 - 14), detail(cut.get(1), "truncated_bytes"));
  }
}
