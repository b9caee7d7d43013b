/**
 * Coverage-guided fuzz targets (Jazzer). Each class holds one {@code @FuzzTest}, run for a few
 * seconds by the {@code fuzz} surefire execution of {@code mvn verify} (JAZZER_FUZZ=1, one JVM per
 * class), and a static {@code fuzzerTestOneInput} for long standalone runs. Seeds and crash
 * reproducers live in {@code src/test/resources/io/connscope/robustness/fuzz/<Class>Inputs/fuzz/}
 * and are replayed as regression tests. See docs/robustness.md.
 */
package io.connscope.robustness.fuzz;
