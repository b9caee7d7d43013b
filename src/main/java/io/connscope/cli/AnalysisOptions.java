package io.connscope.cli;

import io.connscope.analysis.AnalysisConfig;
import io.connscope.analysis.TuningOptions;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The analysis options of {@code analyze}, {@code capture} and {@code diff}: the shared ones
 * ({@link TuningOptions}: server ports, thresholds, the connection table's limits, also the Spark
 * job's) and the TLS key log, read from a local file (and followed while capturing).
 */
final class AnalysisOptions {
  @Mixin TuningOptions tuning = new TuningOptions();

  @Option(
      names = "--tls-keylog",
      paramLabel = "FILE",
      description =
          "TLS key log (NSS format, as SSLKEYLOGFILE writes it): decrypt the TLS 1.0-1.3"
              + " connections (AEAD and AES-CBC suites) whose secrets it holds and analyse the HTTP"
              + " inside (pcapng Decryption Secrets Blocks are used without this option). With"
              + " capture the file is followed: keys appended while capturing are used, and it may"
              + " be empty at the start.")
  java.nio.file.Path tlsKeylog;

  /**
   * Follow the key log: read what is appended to it while the analysis runs (live capture, where a
   * browser writes SSLKEYLOGFILE as its connections start); it may then be empty at the start.
   */
  boolean followKeylog;

  /**
   * The configuration these options describe; a bad value is a usage error, an unreadable key log
   * an input error.
   */
  AnalysisConfig toConfig(CommandLine.Model.CommandSpec spec) {
    AnalysisConfig config;
    try {
      config = tuning.toConfig();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (tlsKeylog != null) {
      try {
        config.tlsKeys.load(tlsKeylog, followKeylog);
      } catch (java.io.IOException | RuntimeException e) {
        throw new UserError(
            ExitCodes.INPUT,
            tlsKeylog
                + ": cannot read the TLS key log ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + ")");
      }
      if (config.tlsKeys.isEmpty() && !followKeylog) {
        throw new UserError(
            ExitCodes.INPUT,
            tlsKeylog
                + ": no TLS secret in this key log ("
                + config.tlsKeys.malformedLines()
                + " malformed lines)");
      }
    }
    return config;
  }
}
