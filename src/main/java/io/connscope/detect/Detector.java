package io.connscope.detect;

/**
 * A rule that turns what connections did into findings. Detectors run once per finished connection,
 * in the order connections finish; they read the TCP timeline and the HTTP transactions and never
 * parse bytes. There are two kinds: a {@link ConnectionDetector} judges each connection alone,
 * beside its packets; a {@link CrossDetector} keeps bounded aggregates across connections, reads
 * what stays of finished connections, and reports them in {@link CrossDetector#finish}.
 */
public sealed interface Detector permits ConnectionDetector, CrossDetector {}
