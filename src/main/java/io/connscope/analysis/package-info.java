/**
 * Analysis layer: the single pipeline object that drives one analysis from frames to results, and
 * the builder of the result model.
 *
 * <p>Contract: {@link io.connscope.analysis.Analysis} takes frames from any {@link
 * io.connscope.capture.PacketSource} (file or live), decodes them, feeds TCP reassembly and HTTP
 * pairing, runs the detectors, and hands every final transaction, every finished connection, every
 * finding (with the packets around its evidence) and finally the capture totals, with the
 * client/server pair aggregates, to an {@link io.connscope.analysis.AnalysisSink}, in the
 * pipeline's own types. {@link io.connscope.analysis.ResultBuilder} is the sink that turns them
 * into the immutable records of {@link io.connscope.result} (computing every number a report shows,
 * once) for a {@link io.connscope.result.ResultSink}: the reports (a connection whose transactions
 * it hands over before the connection's close is announced first, with its id and endpoints). It is
 * driven by capture timestamps only, so the same input always gives the same results. The pipeline
 * is two halves: a {@code ConnectionStage} (table, TLS, HTTP, the detectors that judge a connection
 * alone) and a {@code CrossStage} (pair aggregates, HTTP links, the detectors across connections,
 * the sink), which is handed each finished connection as copies of what stays of it ({@link
 * io.connscope.tcp.ClosedConnection}, {@link io.connscope.http.ClosedHttp}) and reads no live
 * connection but for a transaction's connection id. On one thread the first calls the second
 * directly; with {@code threads} above 1, {@code Shards} runs one connection stage per thread over
 * connections sharded by flow hash and merges their transactions and finished connections, in frame
 * order, into the one cross stage; with one thread and a cross thread ({@code Shards.inline}), the
 * connection stage runs on the reading thread and its events go, in order, to the cross stage on
 * the merger thread. The sink is told the same things in the same order, so the reports are the
 * same bytes whatever the thread count. Finished transactions and connections are handed over and
 * released: memory is bounded by the connections still open and by documented caps. Depends on
 * capture, decode, tcp, http, detect and result; never on report or cli.
 */
package io.connscope.analysis;
