package io.connscope.spark;

import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.PairSummary;
import io.connscope.result.TransactionResult;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet tables the job writes, one row per result record: the record's scalar fields under
 * the JSON report's names (docs/spark.md lists them). Times are microseconds from the capture's
 * start, as in the report; frames are the analysis-wide frame numbers.
 */
final class Tables {
  private Tables() {}

  static final StructType CONNECTIONS =
      schema(
          "id:long client_ip:string client_port:int server_ip:string server_port:int"
              + " ip_version:int first_frame:long last_frame:long start_us:long end_us:long"
              + " setup_us:long vantage:string coverage:string close_reason:string"
              + " close_first_by:string history:string is_http:boolean is_tls:boolean"
              + " transactions:long c2s_payload_bytes:long s2c_payload_bytes:long"
              + " c2s_retransmissions:long s2c_retransmissions:long");

  static final StructType TRANSACTIONS =
      schema(
          "connection:long index:int method:string uri:string status:int"
              + " request_frame:long response_frame:long request_start_us:long"
              + " response_end_us:long connect_us:long send_us:long wait_us:long receive_us:long"
              + " request_body_bytes:long response_body_bytes:long unanswered:boolean"
              + " stalls:int");

  static final StructType FINDINGS =
      schema(
          "type:string severity:string confidence:string connection:string transaction:int"
              + " cost_us:long occurrences:long first_frame:long display_filter:string"
              + " summary:string fix:string");

  static final StructType PAIRS =
      schema(
          "client:string server_ip:string server_port:int first_connection:string"
              + " connections:long http_connections:long transactions:long reused_connections:long"
              + " peak_concurrent:int pattern:string setups:long setup_us:long"
              + " transaction_us:long start_us:long end_us:long");

  static final StructType FILES =
      schema(
          "order:int path:string format:string status:string packets:long bytes:long"
              + " splits:int first_frame:long message:string");

  static Row connection(ConnectionResult c) {
    return RowFactory.create(
        c.id(),
        c.client().ip(),
        c.client().port(),
        c.server().ip(),
        c.server().port(),
        c.ipVersion(),
        c.firstFrame(),
        c.lastFrame(),
        c.startUs(),
        c.endUs(),
        c.handshake().setupUs(),
        c.vantage(),
        c.coverage(),
        c.close() == null ? null : c.close().reason(),
        c.close() == null ? null : c.close().firstBy(),
        c.history(),
        c.isHttp(),
        c.tls() != null,
        c.transactionCount(),
        c.clientToServer().payloadBytes(),
        c.serverToClient().payloadBytes(),
        c.clientToServer().retransmissions(),
        c.serverToClient().retransmissions());
  }

  static Row transaction(TransactionResult t) {
    TransactionResult.Timings tm = t.timings();
    return RowFactory.create(
        t.connection(),
        t.index(),
        t.method(),
        t.uri(),
        t.status(),
        t.requestFrame(),
        t.responseFrame(),
        t.requestStartUs(),
        t.responseEndUs(),
        tm == null ? null : tm.connectUs(),
        tm == null ? null : tm.sendUs(),
        tm == null ? null : tm.waitUs(),
        tm == null ? null : tm.receiveUs(),
        t.requestBodyBytes(),
        t.responseBodyBytes(),
        t.unanswered(),
        tm == null ? 0 : tm.stalls().size());
  }

  static Row finding(Finding f) {
    return RowFactory.create(
        f.type(),
        f.severity().name().toLowerCase(java.util.Locale.ROOT),
        f.confidence().name().toLowerCase(java.util.Locale.ROOT),
        f.connection(),
        f.transaction(),
        f.costUs(),
        f.occurrences() == null ? 1L : f.occurrences().count(),
        f.frames().isEmpty() ? null : f.frames().get(0),
        f.displayFilter(),
        f.summary(),
        f.fix());
  }

  static Row pair(PairSummary p) {
    return RowFactory.create(
        p.client(),
        p.server().ip(),
        p.server().port(),
        p.firstConnection(),
        p.connections(),
        p.httpConnections(),
        p.transactions(),
        p.reusedConnections(),
        p.peakConcurrent(),
        p.pattern(),
        p.setups(),
        p.setupUs(),
        p.transactionUs(),
        p.startUs(),
        p.endUs());
  }

  /** A schema from "name:type ..." (types: long, int, string, boolean; every column nullable). */
  private static StructType schema(String spec) {
    String[] cols = spec.trim().split("\\s+");
    StructField[] fields = new StructField[cols.length];
    for (int i = 0; i < cols.length; i++) {
      String[] nt = cols[i].split(":");
      DataType type =
          switch (nt[1]) {
            case "long" -> DataTypes.LongType;
            case "int" -> DataTypes.IntegerType;
            case "boolean" -> DataTypes.BooleanType;
            default -> DataTypes.StringType;
          };
      fields[i] = DataTypes.createStructField(nt[0], type, true);
    }
    return DataTypes.createStructType(fields);
  }
}
