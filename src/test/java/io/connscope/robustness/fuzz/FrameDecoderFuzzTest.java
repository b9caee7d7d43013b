package io.connscope.robustness.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.connscope.capture.CaptureInfo;
import io.connscope.decode.DecodeStatus;
import io.connscope.decode.FrameDecoder;
import java.nio.ByteBuffer;

/**
 * Fuzzes the frame decoder over every link type it knows: it must return a status, never throw, and
 * point the payload inside the captured bytes.
 */
public class FrameDecoderFuzzTest {
  static final int[] LINK_TYPES = {1, 0, 101, 113, 276, 12, 14, 108, 228, 229, 127, 105, 9999};
  private static final FrameDecoder DECODER = new FrameDecoder();
  private static final CaptureInfo INFO = new CaptureInfo();

  public static void fuzzerTestOneInput(FuzzedDataProvider in) {
    INFO.linkType = LINK_TYPES[in.consumeInt(0, LINK_TYPES.length - 1)];
    int pad = in.consumeInt(0, 16);
    boolean cut = in.consumeBoolean();
    byte[] frame = in.consumeRemainingAsBytes();
    byte[] buf = new byte[pad + frame.length];
    System.arraycopy(frame, 0, buf, pad, frame.length);
    INFO.capturedLength = frame.length;
    INFO.wireLength = cut ? frame.length + 100 : frame.length;
    DecodeStatus s = DECODER.decode(ByteBuffer.wrap(buf), pad, INFO);
    if (s == DecodeStatus.OK) {
      int off = DECODER.payloadOffset();
      int len = DECODER.payloadLength();
      if (off < pad
          || len < 0
          || off + len > pad + frame.length
          || DECODER.payloadWireLength() < len) {
        throw new IllegalStateException(
            "payload " + off + "+" + len + " outside " + pad + "+" + frame.length);
      }
    }
  }

  @FuzzTest(maxDuration = "3s")
  void fuzz(FuzzedDataProvider in) {
    fuzzerTestOneInput(in);
  }
}
