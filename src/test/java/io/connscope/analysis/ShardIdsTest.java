package io.connscope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.result.Finding;
import io.connscope.robustness.Synth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sharded connection ids are ranks of creation frames over all shards; the shards keep the creation
 * frames an id may still be asked of, not those of the whole capture.
 */
class ShardIdsTest {
  private static final int SERVER = Synth.ip(10, 0, 0, 2);

  @Test
  void creationFramesFollowTheRecentConnectionsNotTheCapture() {
    int n = 60_000;
    List<Long> ids = new ArrayList<>();
    Analysis a =
        new Analysis(
            new AnalysisConfig(),
            new AnalysisSink() {
              @Override
              public void connection(ConnectionRecord r) {
                ids.add(r.closed().id());
              }

              @Override
              public void finding(Finding f) {}

              @Override
              public void finish(CaptureTotals capture) {}
            },
            3);
    Synth s = new Synth();
    long ts = 1_700_000_000_000_000_000L;
    for (int i = 0; i < n; i++) { // one short connection after another, each from its own client
      int client = Synth.ip(10, 1 + (i >>> 16), (i >>> 8) & 0xFF, i & 0xFF);
      int cp = 1024 + (i % 50_000);
      s.tcp(client, SERVER, cp, 80, 1000, 0, Synth.SYN).feed(a, ts += 10_000);
      s.tcp(SERVER, client, 80, cp, 5000, 1001, Synth.SYN | Synth.ACK).feed(a, ts += 10_000);
      s.tcp(client, SERVER, cp, 80, 1001, 5001, Synth.ACK | Synth.FIN).feed(a, ts += 10_000);
      s.tcp(SERVER, client, 80, cp, 5001, 1002, Synth.ACK | Synth.FIN).feed(a, ts += 10_000);
      s.tcp(client, SERVER, cp, 80, 1002, 5002, Synth.ACK).feed(a, ts += 10_000);
    }
    a.finish();
    assertEquals(n, ids.size());
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1, ids.get(i), "ids are creation ranks, handed over in order");
    }
    // 5 frames a connection: a batch of 1,024 frames creates about 205 of them
    int kept = a.creationFramesKept();
    assertTrue(kept < 5_000, "creation frames kept: " + kept + " of " + n);
    // asked after the drop (as the merger's thread may be, having found no id just before), the
    // shards tell that the id was given rather than count the dropped frames past it; a frame
    // still kept gets its rank
    assertEquals(0, a.shardedIdOf(1), "the first connection's creation frame was dropped");
    assertEquals(n, a.shardedIdOf(5L * (n - 1) + 1), "the last connection's rank");
  }
}
