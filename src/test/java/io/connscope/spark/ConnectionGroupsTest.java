package io.connscope.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.analysis.Analysis;
import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.CrossReplay;
import io.connscope.analysis.ResultBuilder;
import io.connscope.analysis.StageEvent;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureInfo;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import io.connscope.decode.DecodeStatus;
import io.connscope.decode.FrameDecoder;
import io.connscope.report.JsonReportWriter;
import io.connscope.report.Reports;
import io.connscope.spark.Parts.HostPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Spark job's split of a capture into connection groups ({@link Parts#group}: a host pair's
 * connections by port pair, a host pair with IP fragments whole), without Spark: every group's
 * frames through its own connection stage ({@link Analysis#connectionStage}, with the ids the job
 * gives: creation ranks from a numbering pass per group), all events in position order into one
 * {@link CrossReplay}. Its connections, transactions, findings, pairs and totals are {@code
 * analyze}'s for every sample and every capture of the public corpus but those listed in {@link
 * #DIFFERENT}, each with its reason. (What runs per host pair in the job's stage 3 is tested with
 * Spark in {@code SparkAnalyzeTest}.)
 */
@Tag("spark")
class ConnectionGroupsTest {
  private static final Path CORPUS = Path.of("../shared/corpus");

  /**
   * Captures whose groups give other answers, by corpus path, each with its reason. All three are
   * tunnels whose frames stage 1 keys by other addresses than their connection's (it reads a frame
   * alone, without IP reassembly), so a connection's frames reach two connection stages; each
   * differs the same way when every frame of a host pair is in one group, as in the job of the last
   * stop (docs/spark.md, "Where the answers can differ").
   */
  private static final Map<String, String> DIFFERENT =
      Map.of(
          "zeek/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap",
          "GTP with fragmented outer packets: the fragments keyed by the tunnel's addresses",
          "zeek/tunnels/gtp/gtp2_different_udp_port.pcap",
          "GTP, one direction from another UDP port: 2 connections for 1",
          "zeek/erspan.pcap",
          "ERSPAN: one direction's frames keyed apart from the other's: 10 connections for 5");

  /** Both ports high (a server on 50051, Linux's ephemeral ports) still spread over the groups. */
  @Test
  void everyPortPairHasAGroupOfItsOwn() {
    Set<Integer> groups = new HashSet<>();
    for (int client = 32768; client < 32768 + 1000; client++) {
      int ports = Parts.ports(50051, client);
      assertEquals(ports, Parts.ports(client, 50051), "either direction");
      assertTrue(ports >= 0, client + ": " + ports);
      groups.add(Parts.group(ports, false));
    }
    assertEquals(Parts.GROUPS, groups.size(), "groups used: " + groups);
    assertTrue(Parts.ports(65535, 65535) >= 0);
    assertEquals(0, Parts.group(Parts.ports(50051, 50052), true), "a fragmented host pair");
  }

  @Test
  void samplesGiveWhatAnalyzeGives() throws IOException {
    int groups = 0;
    try (Stream<Path> s = Files.list(Path.of("samples"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".pcap")).sorted().toList()) {
        groups = Math.max(groups, same(p));
      }
    }
    assertTrue(groups > 10, "a sample's host pair spread over groups: " + groups);
  }

  @Test
  void corpusCapturesGiveWhatAnalyzeGives() throws IOException {
    assumeTrue(Files.isDirectory(CORPUS), "no ../shared/corpus");
    List<Path> captures = io.connscope.CaptureFilesUnder.of(CORPUS);
    assertTrue(captures.size() > 100, "the corpus has its captures: " + captures.size());
    List<String> differ = new ArrayList<>();
    for (Path p : captures) {
      String rel = CORPUS.relativize(p).toString();
      try {
        same(p);
      } catch (AssertionError e) {
        differ.add(rel);
      }
    }
    assertEquals(List.copyOf(new java.util.TreeSet<>(DIFFERENT.keySet())), differ);
  }

  /** Asserts the grouped run gives {@code analyze}'s answers; returns the number of groups. */
  private static int same(Path capture) throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    JsonNode expected = new ObjectMapper().readTree(Reports.json(config, capture));

    // stage 1: each IP frame keyed by host pair and group, numbered as analyze numbers it
    Set<HostPair> fragmented = new HashSet<>();
    List<Frame> frames = new ArrayList<>();
    long first = Long.MIN_VALUE;
    FrameDecoder decoder = new FrameDecoder();
    try (PacketSource src = CaptureFiles.open(capture, new Warnings())) {
      long n = 0;
      while (src.next()) {
        CaptureInfo info = src.info();
        n++;
        if (first == Long.MIN_VALUE) {
          first = info.timestampNanos;
        }
        DecodeStatus status = decoder.decode(src.buffer(), src.frameOffset(), info);
        if (decoder.ipVersion() == 0) {
          continue;
        }
        Frame f = new Frame();
        f.pair = Stage1.hostPair(decoder); // stage 1's own keying
        f.ports = Stage1.ports(decoder, status);
        if (status == DecodeStatus.IP_FRAGMENT) {
          fragmented.add(f.pair);
        }
        f.number = n;
        f.ts = info.timestampNanos;
        f.linkType = info.linkType;
        f.wireLength = info.wireLength;
        f.interfaceId = info.interfaceId;
        f.data = new byte[info.capturedLength];
        src.buffer().get(src.frameOffset(), f.data, 0, info.capturedLength);
        frames.add(f);
      }
    }
    TreeMap<String, List<Frame>> groups = new TreeMap<>();
    for (Frame f : frames) {
      int g = Parts.group(f.ports, fragmented.contains(f.pair));
      String key =
          f.pair.version
              + ":"
              + f.pair.aHi
              + ":"
              + f.pair.aLo
              + ":"
              + f.pair.bHi
              + ":"
              + f.pair.bLo
              + "/"
              + g;
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
    }

    // the numbering pass, per group: ids are creation ranks over the whole capture
    List<Long> created = new ArrayList<>();
    for (List<Frame> g : groups.values()) {
      Analysis a = Analysis.connectionsOnly(config, created::add);
      a.assignConnectionIds(f -> f);
      a.captureStart(first);
      feed(a, g);
      a.finish();
    }
    long[] starts = created.stream().mapToLong(Long::longValue).sorted().toArray();

    // stage 2 per group, then every event in position order (the group's order at one position)
    record At(long pos, int group, long seq, StageEvent e) {}
    List<At> events = new ArrayList<>();
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    CrossReplay replay =
        new CrossReplay(config, new ResultBuilder(new JsonReportWriter(json, "t")));
    int index = 0;
    for (List<Frame> g : groups.values()) {
      int group = index++;
      Analysis a =
          Analysis.connectionStage(config, e -> events.add(new At(e.pos(), group, e.seq(), e)));
      a.assignConnectionIds(f -> Arrays.binarySearch(starts, f) + 1);
      a.captureStart(first);
      feed(a, g);
      a.finish();
      replay.stage(a.tcpPackets(), a.connections(), a.warnings());
    }
    events.sort(
        Comparator.comparingLong(At::pos).thenComparingInt(At::group).thenComparingLong(At::seq));
    for (At at : events) {
      replay.accept(at.e());
    }
    replay.finish((first == Long.MIN_VALUE ? 0 : first) / 1000);

    JsonNode got = new ObjectMapper().readTree(json.toString(StandardCharsets.UTF_8));
    for (String section : List.of("summary", "pairs", "connections", "findings")) {
      assertEquals(expected.path(section), got.path(section), capture + ": " + section);
    }
    return groups.size();
  }

  private static void feed(Analysis a, List<Frame> frames) {
    CaptureInfo info = new CaptureInfo();
    for (Frame f : frames) {
      info.frameNumber = f.number;
      info.timestampNanos = f.ts;
      info.capturedLength = f.data.length;
      info.wireLength = f.wireLength;
      info.interfaceId = f.interfaceId;
      info.linkType = f.linkType;
      a.acceptNumbered(info, ByteBuffer.wrap(f.data), 0);
    }
  }

  /** A frame as stage 1 hands it on. */
  private static final class Frame {
    HostPair pair;
    int ports = -1;
    long number;
    long ts;
    int linkType;
    int wireLength;
    int interfaceId;
    byte[] data;
  }
}
