package io.connscope.analysis;

import io.connscope.capture.filter.CaptureFilter;
import io.connscope.detect.facts.DetectOptions;
import io.connscope.http.HttpOptions;
import io.connscope.tcp.TcpOptions;
import io.connscope.tls.TlsKeys;

/**
 * Everything an analysis can be tuned with, injected once (no globals). Each layer's limits live in
 * its own options object; this class only groups them.
 */
public final class AnalysisConfig {
  public final TcpOptions tcp = new TcpOptions();
  public final HttpOptions http = new HttpOptions();
  public final DetectOptions detect = new DetectOptions();

  /** Frames it rejects are numbered and counted, not analysed; null analyses every frame. */
  public CaptureFilter filter;

  /** TLS secrets (--tls-keylog, pcapng Decryption Secrets Blocks); empty: no decryption. */
  public final TlsKeys tlsKeys = new TlsKeys();
}
