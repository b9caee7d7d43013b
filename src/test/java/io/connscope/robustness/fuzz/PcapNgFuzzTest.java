package io.connscope.robustness.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the pcapng reader (and the pipeline behind it): every input starts a section header block.
 */
public class PcapNgFuzzTest {
  static final byte[] SHB_TYPE = {0x0a, 0x0d, 0x0d, 0x0a};

  public static void fuzzerTestOneInput(byte[] data) {
    CaptureFuzz.run(SHB_TYPE, data);
  }

  @FuzzTest(maxDuration = "3s")
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
