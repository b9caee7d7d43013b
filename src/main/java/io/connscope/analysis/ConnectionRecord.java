package io.connscope.analysis;

import io.connscope.detect.facts.TransferLimits;
import io.connscope.http.HttpTracker;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.Connection;
import java.util.List;

/**
 * A finished connection as handed to an {@link AnalysisSink}: its TCP side, its HTTP side and, for
 * a TLS connection, its TLS facts (null otherwise). Both are final when handed over; a sink that
 * keeps them keeps their memory, so sinks keep only what they need (a bounded number of them at
 * most). {@code transfers}: what limited each large transfer ({@link TransferLimits}), computed
 * once by the facts stage.
 */
public record ConnectionRecord(
    Connection tcp, HttpTracker http, TlsFacts tls, List<TransferLimits.Transfer> transfers) {}
