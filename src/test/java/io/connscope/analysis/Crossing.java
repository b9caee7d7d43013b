package io.connscope.analysis;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.http.ClosedHttp;
import io.connscope.http.Transaction;
import io.connscope.result.TlsFacts;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.ConnectionView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Test helper: runs the pipeline on one thread with everything that crosses from the connection
 * stage to the cross stage handed to a {@link Boundary} first, which returns what the cross stage
 * receives instead (a copy that went through a serializer, as a stage in another process would
 * receive it).
 */
public final class Crossing {
  private Crossing() {}

  /** What the boundary does with each crossing object: returns the object the cross stage gets. */
  public interface Boundary {
    /** A final transaction and the findings held with it ({@code held} may be null). */
    Object[] transaction(Transaction t, Held held);

    /**
     * A finished connection's copies and the findings held with it ({@code http}, {@code tls} and
     * {@code held} may be null): returns {c, http, tls, held} as the cross stage gets them.
     */
    Object[] closed(ClosedConnection c, ClosedHttp http, TlsFacts tls, Held held);
  }

  /** Runs {@code files} in order through the pipeline into {@code sink}, through {@code b}. */
  public static void run(AnalysisConfig config, AnalysisSink sink, Boundary b, Path... files)
      throws IOException {
    UnaryOperator<ConnectionStage.Downstream> boundary =
        cross ->
            new ConnectionStage.Downstream() {
              @Override
              public void transaction(ConnectionView c, Transaction t, Held held) {
                Object[] got = b.transaction(t, held);
                cross.transaction(c, (Transaction) got[0], (Held) got[1]);
              }

              @Override
              public void closed(
                  ClosedConnection c,
                  ClosedHttp http,
                  TlsFacts tls,
                  ConnectionRecord record,
                  Held held) {
                Object[] got = b.closed(c, http, tls, held);
                cross.closed(
                    (ClosedConnection) got[0],
                    (ClosedHttp) got[1],
                    (TlsFacts) got[2],
                    record,
                    (Held) got[3]);
              }
            };
    Analysis a = Analysis.crossingThrough(config, sink, boundary);
    for (Path f : files) {
      try (PacketSource src = CaptureFiles.open(f, a.warnings())) {
        a.read(src, CaptureFiles.formatOf(src), null);
      }
    }
    a.finish();
  }
}
