package io.connscope.robustness.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Fuzzes the pcap reader (either byte order, micro or nano) and the pipeline behind it. */
public class CaptureFuzzTest {
  static final byte[] PCAP_MAGIC = {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1};

  public static void fuzzerTestOneInput(byte[] data) {
    // the seeds are whole files; a mutated first byte keeps the fuzzer on pcap most of the time
    CaptureFuzz.run(data.length >= 4 && (data[0] & 0x80) != 0 ? new byte[0] : PCAP_MAGIC, data);
  }

  @FuzzTest(maxDuration = "3s")
  void fuzz(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
