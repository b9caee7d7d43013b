package io.connscope.robustness.fuzz;

import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureFormatException;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import io.connscope.result.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared body of the capture-file targets: open the bytes as a file and analyse every frame. */
final class CaptureFuzz {
  private static Path file;

  private CaptureFuzz() {}

  static final AnalysisSink SINK =
      new AnalysisSink() {
        @Override
        public void connection(ConnectionRecord connection) {}

        @Override
        public void finding(Finding finding) {}

        @Override
        public void finish(CaptureTotals capture) {}
      };

  /**
   * Writes {@code head + data} to a scratch file and runs the reader and the whole pipeline on it.
   * A file that is not a capture may be refused with a {@link CaptureFormatException}; any other
   * exception, or more frames than the bytes can hold, is a bug.
   */
  static void run(byte[] head, byte[] data) {
    try {
      if (file == null) {
        file = Files.createTempFile("connscope-fuzz-", ".cap");
        file.toFile().deleteOnExit();
      }
      byte[] all = new byte[head.length + data.length];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(data, 0, all, head.length, data.length);
      Files.write(file, all);
      Warnings w = new Warnings();
      PacketSource src;
      try {
        src = CaptureFiles.open(file, w);
      } catch (CaptureFormatException e) {
        return;
      }
      Analysis a = new Analysis(new AnalysisConfig(), SINK);
      try (src) {
        a.read(src, CaptureFiles.formatOf(src), null);
      } catch (CaptureFormatException e) {
        // damage found after the header: also a clean refusal
      }
      a.finish();
      // every frame costs at least 8 bytes of record header (pcap: 16, pcapng EPB: 32)
      if (a.packets() > all.length / 8) {
        throw new IllegalStateException(a.packets() + " frames from " + all.length + " bytes");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
