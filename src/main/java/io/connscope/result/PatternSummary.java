package io.connscope.result;

/**
 * One request pattern of a client/server pair: method and path without the query string ({@code (no
 * request)} for responses without a request, {@code (other)} for the patterns beyond the caps of
 * {@link PatternStats}).
 *
 * @param transactions transactions of the pattern
 * @param connections connections they used (a connection counted once per run of the pattern)
 * @param bytes request and response bytes, headers and bodies
 * @param timeUs the sum of their total times (those known), the order of the reports' tables
 * @param waitTime nearest-rank percentiles of the wait (request end to the first response byte),
 *     null when none is known
 * @param total likewise of the total time (request start to response end)
 */
public record PatternSummary(
    String pattern,
    long transactions,
    long connections,
    long bytes,
    long timeUs,
    Percentiles waitTime,
    Percentiles total) {}
