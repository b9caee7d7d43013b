package io.connscope.analysis;

import io.connscope.common.Warnings;
import io.connscope.tcp.ConnectionId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * The stage across connections of an analysis run in parts: told, in position order, the events of
 * every connection stage over a part of the capture ({@link Analysis#connectionStage}, one per set
 * of connections), it does what {@link Analysis} does after its connection stage (the pair
 * aggregates, HTTP links, the detectors across connections) and tells the sink the same things in
 * the same order. The connection stages may have run in other processes: it reads only what the
 * events carry. A transaction reaches the sink without its {@code http.Transaction} (null).
 */
public final class CrossReplay {
  private final Warnings warnings = new Warnings();
  private final List<Warnings> stages = new ArrayList<>();
  private final CrossStage cross;
  private final AnalysisSink sink;
  private long tcpPackets;
  private long connections;
  private boolean finished;

  public CrossReplay(AnalysisConfig config, AnalysisSink sink) {
    this.sink = sink;
    this.cross = new CrossStage(config, sink, warnings);
  }

  /** The next event, in ({@code pos}, then each stage's {@code seq}) order. */
  public void accept(StageEvent e) {
    cross.at(e.pos());
    if (e.closed() == null) {
      cross.transaction(ConnectionId.of(e.connection()), null, e.transaction(), e.held());
    } else {
      cross.closed(e.closed(), e.held());
    }
  }

  /**
   * What one connection stage counted over its part: TCP packets, connections and its warnings
   * (with their positions).
   */
  public void stage(long tcpPackets, long connections, Warnings warnings) {
    this.tcpPackets += tcpPackets;
    this.connections += connections;
    stages.add(warnings);
  }

  /**
   * The end of the capture: the capture-wide findings, then the totals of the parts, without files
   * or frames (the caller counts those where it reads them; the capture started at {@code
   * startEpochMicros}).
   */
  public void finish(long startEpochMicros) {
    finish(
        new CaptureTotals(
            List.of(),
            0,
            0,
            0,
            Collections.unmodifiableSortedSet(new TreeSet<>()),
            startEpochMicros,
            0,
            null,
            0,
            0,
            new Warnings(),
            List.of(),
            0));
  }

  /**
   * The end of the capture: the capture-wide findings, then the totals: what reading counted
   * ({@code read}: files, frames, bytes, link types, start, duration, filter) with the parts' TCP
   * packets, connections and warnings and the pair aggregates.
   */
  public void finish(CaptureTotals read) {
    if (finished) {
      return;
    }
    finished = true;
    cross.at(Shards.FINISH * 2);
    cross.finish();
    List<Warnings> parts = new ArrayList<>(stages);
    parts.add(warnings);
    sink.finish(
        new CaptureTotals(
            read.files(),
            read.packets(),
            read.bytes(),
            tcpPackets,
            read.linkTypes(),
            read.startEpochMicros(),
            read.durationMicros(),
            read.filter(),
            read.filteredOut(),
            connections,
            Warnings.merge(parts),
            cross.facts().pairs().pairs(),
            cross.facts().pairs().droppedConnections()));
  }
}
