/**
 * Analysis layer: the single pipeline object that drives one analysis from frames to results.
 *
 * <p>Contract: {@link io.connscope.analysis.Analysis} takes frames from any {@link
 * io.connscope.capture.PacketSource} (file or live), decodes them, feeds TCP reassembly and HTTP
 * pairing, runs the detectors, and hands every final transaction, every finished connection, every
 * finding (with the packets around its evidence) and finally the capture summary, with the
 * client/server pair aggregates, to an {@link io.connscope.analysis.AnalysisSink}. It is single-threaded and
 * driven by capture timestamps only, so the same input always gives the same results. Finished
 * transactions and connections are handed over and released: memory is bounded by the
 * connections still open and by documented caps. Depends on capture, decode, tcp, http and detect; never on report or
 * cli.
 */
package io.connscope.analysis;
