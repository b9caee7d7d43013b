/**
 * Report layer: renders analysis results for people (terminal text) and machines (the JSON
 * report, a versioned contract described by {@code schema/report-v1.json}).
 *
 * <p>Contract: writers are {@link io.connscope.analysis.AnalysisSink}s; they receive finished
 * connections while the analysis runs and write the document at {@code finish}. Output is
 * deterministic: same input, same bytes (stable ordering, integer microseconds, no wall clock,
 * no locale). Every string that came from packets is escaped for its medium. Depends on
 * analysis and the layers below it; never on cli.
 */
package io.connscope.report;
