/**
 * Detect layer: findings with stable type ids, severity, cost and evidence, computed from the
 * TCP timeline and the HTTP transactions of a connection. Detectors consume {@code tcp} and
 * {@code http} results and never parse bytes; each detector lives in one file that opens with its
 * rule and thresholds, and is documented in docs/findings.md.
 */
package io.connscope.detect;
