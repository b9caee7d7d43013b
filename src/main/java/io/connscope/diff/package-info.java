/**
 * {@code connscope diff}: compares two results (before and after a fix) at the level of HTTP
 * connection behaviour. {@link SideStats} is a {@code ResultSink} that keeps, per server and per
 * request pattern (method and path without the query), what the comparison needs, in memory bounded
 * by the number of pairs and patterns, not by the capture; {@link Differ} matches the two sides and
 * builds the {@link DiffResult}; {@link DiffWriters} renders it as text, Markdown, HTML or JSON
 * (schema {@code schema/diff-v1.json}), escaping every string from packets with {@code
 * report.Escape} and {@code report.Text}.
 *
 * <p>Layer: after {@code result} and {@code report} (whose escaping it reuses), before {@code cli}.
 */
package io.connscope.diff;
