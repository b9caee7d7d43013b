package io.connscope.decode;

import static org.junit.jupiter.api.Assertions.*;

import io.connscope.capture.CaptureInfo;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The per-packet path allocates nothing: measured with the thread's allocated-bytes counter. */
class AllocationTest {
  @Test
  void decodeAndParseOptionsAllocateNothing() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
    Assumptions.assumeTrue(tmx.isThreadAllocatedMemorySupported());
    tmx.setThreadAllocatedMemoryEnabled(true);

    List<MutationTest.Sample> samples = MutationTest.samples();
    int n = samples.size();
    ByteBuffer[] bufs = new ByteBuffer[n];
    CaptureInfo[] infos = new CaptureInfo[n];
    for (int i = 0; i < n; i++) {
      byte[] f = samples.get(i).frame();
      bufs[i] = Frames.place(f);
      // 3 distinct little-endian buffers in rotation, as merged pcap readers (the decoder keeps
      // big-endian duplicates of up to BIG_ENDIAN_CACHE of them)
      if (i % 4 == 1 && i < 12) {
        bufs[i].order(ByteOrder.LITTLE_ENDIAN);
      }
      infos[i] = Frames.info(samples.get(i).linkType(), f.length, f.length);
    }
    // Without and with a defragmenter: frames that are not fragments take the same path (the
    // samples' lone IPv6 fragment is held, then counted as a duplicate, without allocating).
    for (FrameDecoder d :
        new FrameDecoder[] {
          new FrameDecoder(),
          new FrameDecoder(new IpDefragmenter(new io.connscope.common.Warnings()))
        }) {
      long sink = run(d, bufs, infos, 20_000); // warm up, and create the LE buffers' duplicates
      long tid = Thread.currentThread().getId();
      long before = tmx.getThreadAllocatedBytes(tid);
      sink += run(d, bufs, infos, 200_000);
      long allocated = tmx.getThreadAllocatedBytes(tid) - before;
      assertTrue(sink != 0);
      // 200k decodes; a single allocation per decode would be >= 3 MB. Allow the counter's noise.
      assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
    }
  }

  private static long run(FrameDecoder d, ByteBuffer[] bufs, CaptureInfo[] infos, int rounds) {
    long sink = 0;
    for (int r = 0; r < rounds; r++) {
      int i = r % bufs.length;
      if (d.decode(bufs[i], Frames.PAD, infos[i]) == DecodeStatus.OK) {
        sink += d.payloadLength() + d.tcp().parseOptions().mss() + d.srcLo();
      } else {
        sink += d.ipVersion();
      }
    }
    return sink;
  }
}
