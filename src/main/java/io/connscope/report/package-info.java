/**
 * Report layer: renders analysis results for people (terminal text, Markdown, HTML) and machines
 * (the JSON report, a versioned contract described by {@code schema/report-v1.json}; HAR).
 *
 * <p>Contract: the writers render the records of {@link io.connscope.result} and compute nothing
 * about the traffic: the live writers are {@link io.connscope.result.ResultSink}s that receive
 * transactions and finished connections while the analysis runs and write the document at {@code
 * finish}; {@code analyze} renders Markdown and HTML from its JSON report read back, the HAR from
 * the records as they come when it can (else from the JSON report too), with the same bytes. Output
 * is deterministic: same input, same bytes (stable ordering, integer microseconds, no wall clock,
 * no locale). Every string that came from packets is escaped for its medium. Depends on result (and
 * Jackson); never on tcp, http, detect or cli.
 */
package io.connscope.report;
