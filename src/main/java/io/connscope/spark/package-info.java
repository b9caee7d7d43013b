/**
 * The analysis on Apache Spark (docs/spark.md): the same pipeline as {@code analyze}, run per host
 * pair over any number of capture files on any Hadoop file system, giving the same records as
 * Parquet tables and the usual report. A layer on top: it uses capture (reading), decode (the key
 * of a frame), tcp and http (the Kryo serializers of what crosses between the analysis' stages),
 * analysis, result and report; nothing uses it. Spark is a provided dependency: this package is in
 * target/connscope.jar, Spark is not.
 */
package io.connscope.spark;
