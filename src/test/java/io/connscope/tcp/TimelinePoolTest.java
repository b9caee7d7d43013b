package io.connscope.tcp;

import static io.connscope.tcp.TcpHarness.A;
import static io.connscope.tcp.TcpHarness.F;
import static io.connscope.tcp.TcpHarness.P;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.AnalysisSink;
import io.connscope.analysis.CaptureTotals;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.report.Reports;
import io.connscope.result.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Timeline arrays reused from connection to connection ({@link SegmentTimeline.Pool}) hold what
 * fresh arrays held: every entry of every connection of every recorded sample is the same with no
 * pool, a pool of one set per size and the default pool, and with the cross stage on a thread of
 * its own (the merger hands finished connections' timelines back to the table's pool).
 */
class TimelinePoolTest {
  @Test
  void everyTimelineIsTheSameWithAndWithoutReuse() throws IOException {
    List<Path> samples;
    try (Stream<Path> s = Files.list(Paths.get("samples"))) {
      samples = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
    }
    assertTrue(samples.size() > 40, "samples: " + samples.size());
    List<String> none = timelines(samples, 0);
    assertTrue(none.size() > 400, "connections: " + none.size());
    assertEquals(none, timelines(samples, 1));
    assertEquals(none, timelines(samples, new TcpOptions().timelinePoolSets));
    assertEquals(none, timelines(samples, 1, true));
    assertEquals(none, timelines(samples, new TcpOptions().timelinePoolSets, true));
  }

  private static List<String> timelines(List<Path> samples, int poolSets) throws IOException {
    return timelines(samples, poolSets, false);
  }

  /** Every entry of every connection as it closes, one line per connection. */
  private static List<String> timelines(List<Path> samples, int poolSets, boolean crossThread)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (Path p : samples) {
      AnalysisConfig config = new AnalysisConfig();
      config.tcp.timelinePoolSets = poolSets;
      run(
          config,
          crossThread,
          new AnalysisSink() {
            @Override
            public void connection(ConnectionRecord r) {
              SegmentTimeline t = r.tcp().timeline();
              StringBuilder sb = new StringBuilder(p.getFileName() + " " + r.tcp().idString());
              for (int i = 0; i < t.size(); i++) {
                sb.append(' ')
                    .append(t.ts(i))
                    .append(',')
                    .append(t.frame(i))
                    .append(',')
                    .append(t.dir(i))
                    .append(',')
                    .append(t.seq(i))
                    .append(',')
                    .append(t.ack(i))
                    .append(',')
                    .append(t.len(i))
                    .append(',')
                    .append(t.window(i))
                    .append(',')
                    .append(t.flags(i))
                    .append(',')
                    .append(t.kind(i));
              }
              out.add(sb.toString());
            }

            @Override
            public void finding(Finding finding) {}

            @Override
            public void finish(CaptureTotals capture) {}
          },
          p);
    }
    return out;
  }

  /** {@link Reports#run}, on the caller's thread or with the cross stage on its own. */
  private static void run(AnalysisConfig config, boolean crossThread, AnalysisSink sink, Path p)
      throws IOException {
    if (!crossThread) {
      Reports.run(config, sink, p);
      return;
    }
    io.connscope.analysis.Analysis a = new io.connscope.analysis.Analysis(config, sink, 1, true);
    try (io.connscope.capture.PacketSource src =
        io.connscope.capture.CaptureFiles.open(p, a.warnings())) {
      a.read(src, io.connscope.capture.CaptureFiles.formatOf(src), null);
    }
    a.finish();
  }

  /** A closed connection's arrays are kept, and the next connection's timeline takes them. */
  @Test
  void aClosedConnectionsArraysServeTheNext() {
    TcpHarness h = new TcpHarness().ports(40000, 80);
    h.handshake(0, 100, 500, 10, 10);
    for (int i = 0; i < 6; i++) {
      h.c(100 + i, A | P, 101 + 10 * i, 501, "0123456789");
    }
    h.s(200, A | F, 501, 161, null);
    h.c(210, A | F, 161, 502, null);
    h.s(220, A, 502, 162, null); // 12 entries: grown 4, 8, 16; closed
    SegmentTimeline.Pool pool = h.table.context.timelines;
    assertEquals(1, pool.kept(4));
    assertEquals(1, pool.kept(8));
    assertEquals(1, pool.kept(16));
    h.ports(40001, 80).handshake(1000, 900, 700, 10, 10);
    h.c(1100, A | P, 901, 701, "abc");
    assertEquals(0, pool.kept(4)); // taken by the second connection's first growth
    Connection second = h.conn(2);
    SegmentTimeline t = second.timeline();
    assertEquals(4, t.size());
    assertEquals(
        List.of(13L, 14L, 15L, 16L), List.of(t.frame(0), t.frame(1), t.frame(2), t.frame(3)));
    assertEquals(3, t.len(3));
  }
}
