/**
 * Detect layer: findings ({@link io.connscope.result.Finding}: stable type id, severity and
 * confidence enums, cost and evidence), computed from the TCP timeline and the HTTP transactions of
 * a connection. Detectors consume {@code tcp} and {@code http} results and never parse bytes; each
 * detector lives in one file that opens with its rule and thresholds, and is documented in
 * docs/findings.md.
 *
 * <p>This package holds the detectors ({@code *Detector}, and the abstract bases {@code
 * ReleaseDetector} and {@code TransferGapDetector}), {@link io.connscope.detect.Detector} with its
 * two kinds ({@link io.connscope.detect.ConnectionDetector}: one live connection alone; {@link
 * io.connscope.detect.CrossDetector}: state across connections, reading finished connections only
 * through {@link io.connscope.tcp.ConnectionView} and {@link io.connscope.http.HttpView}), {@link
 * io.connscope.detect.Detectors} and their thresholds {@link
 * io.connscope.detect.facts.DetectOptions}. What several detectors share is in {@link
 * io.connscope.detect.facts}, which never uses a detector.
 *
 * <p>Pipeline: the facts several detectors read are a stage before them, {@link
 * io.connscope.detect.facts.ConnectionFacts} (client/server pair aggregates, the index of finished
 * HTTP connections), fed by the analysis before any detector sees a connection; then every detector
 * of {@link io.connscope.detect.Detectors#all} runs. No detector uses another (checked by {@code
 * LayersTest}); rules two detectors share are facts ({@code ReuseFailures}, {@code KeepAlive},
 * {@code AckGatedReleases}, {@code TransferGaps}, ...).
 */
package io.connscope.detect;
