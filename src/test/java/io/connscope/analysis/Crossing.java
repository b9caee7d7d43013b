package io.connscope.analysis;

import io.connscope.capture.CaptureFiles;
import io.connscope.capture.PacketSource;
import io.connscope.http.Transaction;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.ConnectionId;
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

  /** What the boundary does with each crossing object: returns what the cross stage gets. */
  public interface Boundary {
    /**
     * A final transaction of open connection {@code c} (live), its result record and the findings
     * held with it ({@code held} may be null): returns {id, transaction, result, held} as the cross
     * stage gets them.
     */
    Object[] transaction(ConnectionId c, Transaction t, TransactionResult result, Held held);

    /**
     * A finished connection's record and the findings held with it ({@code held} may be null):
     * returns {record, held} as the cross stage gets them.
     */
    Object[] closed(ConnectionRecord record, Held held);
  }

  /** Runs {@code files} in order through the pipeline into {@code sink}, through {@code b}. */
  public static void run(AnalysisConfig config, AnalysisSink sink, Boundary b, Path... files)
      throws IOException {
    UnaryOperator<ConnectionStage.Downstream> boundary =
        cross ->
            new ConnectionStage.Downstream() {
              @Override
              public void transaction(
                  ConnectionId c, Transaction t, TransactionResult result, Held held) {
                Object[] got = b.transaction(c, t, result, held);
                cross.transaction(
                    (ConnectionId) got[0],
                    (Transaction) got[1],
                    (TransactionResult) got[2],
                    (Held) got[3]);
              }

              @Override
              public void closed(ConnectionRecord record, Held held) {
                Object[] got = b.closed(record, held);
                cross.closed((ConnectionRecord) got[0], (Held) got[1]);
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
