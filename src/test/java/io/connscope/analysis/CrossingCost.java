package io.connscope.analysis;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import io.connscope.spark.KryoClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;

/**
 * The cost per connection of sending what crosses to the stage across connections through the Spark
 * job's Kryo (bench/kryo-cost.sh; not a test): every capture given is analysed once, through {@link
 * Crossing}, keeping a copy (through Kryo, at the boundary: a connection's timeline is released
 * once its record is handed over) of each {@link StageEvent}, a finished connection's or a
 * transaction's, and each {@link ConnectionResult} as stage 3 ends it; then each kind, and each
 * part of a finished connection's event alone, is written and read back {@code ROUNDS} times with
 * one Kryo made as Spark's {@code KryoSerializer} makes it ({@link KryoClasses#SPARK_CONF}), and
 * the fastest round is kept. Prints connections, transactions, timeline entries, bytes and
 * microseconds per connection.
 *
 * <pre>java [-Dkryo.references=false] ... io.connscope.analysis.CrossingCost ROUNDS CAPTURE...
 * </pre>
 */
public final class CrossingCost {
  private CrossingCost() {}

  public static void main(String[] args) throws IOException {
    int rounds = Integer.parseInt(args[0]);
    List<Object> closed = new ArrayList<>();
    List<Object> transactions = new ArrayList<>();
    List<Object> results = new ArrayList<>();
    long entries = 0;
    int files = 0;
    for (int i = 1; i < args.length; i++) {
      Path p = Path.of(args[i]);
      if (!Files.isRegularFile(p)) {
        continue;
      }
      AnalysisConfig config = new AnalysisConfig();
      String name = p.getFileName().toString();
      int dot = name.lastIndexOf('.');
      Path keylog = p.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + ".keylog");
      if (Files.exists(keylog)) {
        config.tlsKeys.add(Files.readString(keylog, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      long[] e = {0};
      try {
        Crossing.run(
            config,
            new ResultBuilder(new Keep(results)),
            ev -> {
              if (ev.closed() == null) {
                transactions.add(copy(ev));
              } else {
                e[0] += ev.closed().closed().timeline().size();
                closed.add(copy(ev));
              }
              return ev;
            },
            p);
      } catch (IOException | RuntimeException ex) {
        System.err.println(p + ": skipped: " + ex);
        continue;
      }
      entries += e[0];
      files++;
    }
    Kryo kryo = kryo();
    int n = closed.size();
    System.out.printf(
        Locale.ROOT,
        "%d captures, %d connections, %d transactions, %d timeline entries (%.1f per"
            + " connection), %d rounds%n",
        files,
        n,
        transactions.size(),
        entries,
        entries / (double) n,
        rounds);
    report("finished connections (whole events)", kryo, closed, n, rounds);
    String[] parts = {
      "  of which ClosedConnection + timeline",
      "  of which ClosedHttp",
      "  of which TlsFacts",
      "  of which the result record",
      "  of which Held"
    };
    for (int k = 0; k < parts.length; k++) {
      List<Object> part = new ArrayList<>();
      for (Object g : closed) {
        StageEvent ev = (StageEvent) g;
        ConnectionRecord r = ev.closed();
        Object o =
            switch (k) {
              case 0 -> r.closed();
              case 1 -> r.closedHttp();
              case 2 -> r.tls();
              case 3 -> r.result();
              default -> ev.held();
            };
        if (o != null) {
          part.add(o);
        }
      }
      report(parts[k], kryo, part, n, rounds);
    }
    report("final transactions (whole events)", kryo, transactions, n, rounds);
    report("ConnectionResult", kryo, results, n, rounds);
  }

  private static final Kryo COPIER = kryo();

  private static Kryo kryo() {
    SparkConf conf = new SparkConf(false);
    KryoClasses.SPARK_CONF.forEach(conf::set);
    // Spark's default, true; KRYO_REFERENCES=false in bench/kryo-cost.sh measures without
    conf.set("spark.kryo.referenceTracking", System.getProperty("kryo.references", "true"));
    return new KryoSerializer(conf).newKryo();
  }

  /**
   * A copy taken at the boundary through Kryo: the originals do not stay as they crossed (a
   * connection's timeline is released once its record was handed over).
   */
  private static Object copy(Object o) {
    Output out = new Output(1 << 16, -1);
    COPIER.writeClassAndObject(out, o);
    return COPIER.readClassAndObject(new Input(out.toBytes()));
  }

  private static void report(String what, Kryo kryo, List<Object> objects, int n, int rounds) {
    Output out = new Output(1 << 16, -1);
    Input in = new Input();
    long bytes = 0;
    long bestWrite = Long.MAX_VALUE, bestRead = Long.MAX_VALUE;
    byte[][] written = new byte[objects.size()][];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < objects.size(); i++) {
        out.clear();
        kryo.writeClassAndObject(out, objects.get(i));
        kryo.reset();
        if (r == 0) {
          written[i] = out.toBytes();
        }
      }
      long t1 = System.nanoTime();
      for (byte[] b : written) {
        in.setBuffer(b);
        kryo.readClassAndObject(in);
        kryo.reset();
      }
      long t2 = System.nanoTime();
      bestWrite = Math.min(bestWrite, t1 - t0);
      bestRead = Math.min(bestRead, t2 - t1);
    }
    for (byte[] b : written) {
      bytes += b.length;
    }
    long[] sizes = Arrays.stream(written).mapToLong(b -> b.length).sorted().toArray();
    System.out.printf(
        Locale.ROOT,
        "%-38s %8d objects %10d bytes: %7.1f bytes/connection (median object %d, max %d),"
            + " write %6.2f us, read %6.2f us per connection%n",
        what,
        objects.size(),
        bytes,
        bytes / (double) n,
        sizes.length == 0 ? 0 : sizes[sizes.length / 2],
        sizes.length == 0 ? 0 : sizes[sizes.length - 1],
        bestWrite / 1000.0 / n,
        bestRead / 1000.0 / n);
  }

  /** Keeps every connection result. */
  private record Keep(List<Object> into) implements ResultSink {
    @Override
    public void transaction(TransactionResult t) {}

    @Override
    public void connection(ConnectionResult c) {
      into.add(c);
    }

    @Override
    public void finding(Finding f) {}

    @Override
    public void finish(CaptureSummary capture) {}
  }
}
