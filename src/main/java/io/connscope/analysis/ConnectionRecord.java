package io.connscope.analysis;

import io.connscope.http.ClosedHttp;
import io.connscope.http.HttpTracker;
import io.connscope.result.ConnectionResult;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.Connection;

/**
 * A finished connection as handed to an {@link AnalysisSink}. What the stages after the connection
 * read: the copies taken when it finished ({@code closed}, and {@code closedHttp}, null when no
 * HTTP tracker was attached), its TLS facts ({@code tls}, null when not TLS) and its result record
 * as built beside its packets ({@code result}: everything but its id, stall summary and
 * time-sequence graph, which {@link ResultBuilder} adds). What an in-process sink may also read:
 * the live {@code tcp} connection and its {@code http} tracker (null when none was attached), final
 * when handed over. A sink that keeps them keeps their memory, so sinks keep only what they need (a
 * bounded number of them at most).
 */
public record ConnectionRecord(
    ClosedConnection closed,
    ClosedHttp closedHttp,
    TlsFacts tls,
    ConnectionResult result,
    Connection tcp,
    HttpTracker http) {}
