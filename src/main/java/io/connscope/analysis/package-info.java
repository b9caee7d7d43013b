/**
 * Analysis layer: the single pipeline object that drives one analysis from frames to results.
 *
 * <p>Contract: {@link io.connscope.analysis.Analysis} takes frames from any {@link
 * io.connscope.capture.PacketSource} (file or live), decodes them, feeds TCP reassembly and HTTP
 * pairing, runs the detectors, and hands every finished connection, every finding and finally the
 * capture summary to an {@link io.connscope.analysis.AnalysisSink}. It is single-threaded and
 * driven by capture timestamps only, so the same input always gives the same results. Finished
 * connections are summarised into immutable records and released: memory is bounded by the
 * connections still open. Depends on capture, decode, tcp, http and detect; never on report or
 * cli.
 */
package io.connscope.analysis;
