package io.connscope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connscope.http.ClosedHttp;
import io.connscope.http.Headers;
import io.connscope.http.Transaction;
import io.connscope.report.JsonReportWriter;
import io.connscope.report.Reports;
import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.PairSummary;
import io.connscope.result.ResultSink;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import io.connscope.spark.KryoClasses;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.SegmentTimeline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Issue 19, stage 3 in another JVM: everything that crosses from the stage per connection to the
 * stage across connections ({@link ClosedConnection} with its {@link SegmentTimeline}, {@link
 * ClosedHttp}, {@link TlsFacts}, the held findings {@link Held}, and each final {@link Transaction}
 * with its {@link Headers}), caught at the boundary of a real run over every sample (TLS samples
 * with their key logs) and a bounded set of corpus captures, goes through Spark's {@code
 * KryoSerializer} configured as the job configures it ({@link KryoClasses#SPARK_CONF}), comes back
 * equal (every accessor, every record component, at any depth), and the copies, not the originals,
 * are what the cross stage and the result builder then get: the JSON report is byte for byte the
 * normal run's. So is every {@link ConnectionResult}, {@link TransactionResult}, {@link Finding}
 * and {@link CaptureSummary} (with its {@link PairSummary}s) the result builder makes. Every class
 * met is registered (a second serializer with {@code spark.kryo.registrationRequired} writes them
 * all): none is written by name.
 *
 * <p>What crosses is each {@link StageEvent} whole: a transaction's result record with its
 * connection id, or a finished connection's {@link ConnectionRecord} (its copies, TLS facts and
 * result record; the live connection and tracker stay behind), with the findings held for it.
 */
@Tag("spark")
class CrossingKryoTest {
  private static final Path SAMPLES = Path.of("samples");
  private static final Path CORPUS = Path.of("../shared/corpus");

  /** Corpus captures taken: at most this many, spread over the corpus, each at most 4 MB. */
  private static final int CORPUS_CAPTURES = 40;

  private static final long CORPUS_MAX_BYTES = 4L << 20;

  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

  private final SerializerInstance job = serializer(false);
  private final SerializerInstance registered = serializer(true);

  private static SerializerInstance serializer(boolean registrationRequired) {
    SparkConf conf = new SparkConf(false);
    KryoClasses.SPARK_CONF.forEach(conf::set); // as SparkAnalyze.main configures the job
    if (registrationRequired) {
      conf.set("spark.kryo.registrationRequired", "true");
    }
    return new KryoSerializer(conf).newInstance();
  }

  static Stream<Path> samples() throws IOException {
    try (Stream<Path> s = Files.list(SAMPLES)) {
      return s.filter(CrossingKryoTest::isCapture).sorted().toList().stream();
    }
  }

  private static boolean isCapture(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".pcap") || n.endsWith(".pcapng") || n.endsWith(".cap");
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everySampleCrossesKryoUnchanged(Path sample) throws IOException {
    AnalysisConfig config = new AnalysisConfig();
    String name = sample.getFileName().toString();
    Path keylog = SAMPLES.resolve(name.substring(0, name.lastIndexOf('.')) + ".keylog");
    if (Files.exists(keylog)) {
      config.tlsKeys.add(Files.readString(keylog, StandardCharsets.ISO_8859_1));
    }
    Counts n = crossesUnchanged(config, sample);
    assertTrue(n.connections > 0, sample + ": connections crossed");
  }

  @Test
  void theRotatedPiecesCrossKryoUnchanged() throws IOException {
    try (Stream<Path> s = Files.list(SAMPLES.resolve("rotated"))) {
      Path[] pieces =
          s.filter(p -> p.getFileName().toString().startsWith("nagle-post-split-"))
              .sorted()
              .toArray(Path[]::new);
      assertTrue(pieces.length > 1);
      crossesUnchanged(new AnalysisConfig(), pieces);
    }
  }

  @Test
  void corpusCapturesCrossKryoUnchanged() throws IOException {
    assumeTrue(Files.isDirectory(CORPUS), "no ../shared/corpus");
    List<Path> all = io.connscope.CaptureFilesUnder.of(CORPUS, CORPUS_MAX_BYTES);
    assertTrue(all.size() > CORPUS_CAPTURES, "the corpus has its captures: " + all.size());
    int stride = (all.size() + CORPUS_CAPTURES - 1) / CORPUS_CAPTURES;
    Counts total = new Counts();
    for (int i = 0; i < all.size(); i += stride) {
      Counts n = crossesUnchanged(new AnalysisConfig(), all.get(i));
      total.connections += n.connections;
      total.transactions += n.transactions;
      total.timelineEntries += n.timelineEntries;
    }
    assertTrue(total.connections > 100, "connections crossed: " + total.connections);
    assertTrue(total.transactions > 100, "transactions crossed: " + total.transactions);
  }

  /** What crossed in one run. */
  private static final class Counts {
    long connections, transactions, timelineEntries, held, tls;
  }

  /**
   * Runs {@code files} normally and through the Kryo boundary: each crossing object comes back
   * equal, the report is the same bytes, and so is each result record once through Kryo.
   */
  private Counts crossesUnchanged(AnalysisConfig config, Path... files) throws IOException {
    String expected = Reports.json(config, files);
    Counts n = new Counts();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ResultSink json = new JsonReportWriter(out, "test");
    ResultSink results = new RoundTripResults(json);
    Crossing.run(
        config,
        new ResultBuilder(results),
        e -> {
          if (e.closed() == null) {
            n.transactions++;
          } else {
            n.connections++;
            n.timelineEntries += e.closed().closed().timeline().size();
            n.tls += e.closed().tls() == null ? 0 : 1;
          }
          n.held += e.held() == null ? 0 : 1;
          // one graph, as a stage-2 task writes an event
          StageEvent got = (StageEvent) roundTrip(e);
          if (e.closed() != null) {
            assertNotSame(e.closed().closed().timeline(), got.closed().closed().timeline());
          }
          return got;
        },
        files);
    assertEquals(
        expected,
        out.toString(StandardCharsets.UTF_8),
        Arrays.toString(files) + ": the report from the copies is the normal run's");
    return n;
  }

  /** Serialises {@code o} as the job does, reads it back, and checks it is the same value. */
  private Object roundTrip(Object o) {
    registered.serialize(o, ANY); // throws on a class written by name
    ByteBuffer bytes = job.serialize(o, ANY);
    Object back = job.deserialize(bytes, ANY);
    same(o.getClass().getSimpleName(), o, back);
    return back;
  }

  /** Hands every result record through Kryo (checked equal) to the writer. */
  private final class RoundTripResults implements ResultSink {
    private final ResultSink to;

    RoundTripResults(ResultSink to) {
      this.to = to;
    }

    @Override
    public void transaction(TransactionResult t) {
      to.transaction((TransactionResult) roundTrip(t));
    }

    @Override
    public void connection(ConnectionResult c) {
      to.connection((ConnectionResult) roundTrip(c));
    }

    @Override
    public void finding(Finding f) {
      to.finding((Finding) roundTrip(f));
    }

    @Override
    public void finish(CaptureSummary summary) {
      to.finish((CaptureSummary) roundTrip(summary)); // with its pairs
    }
  }

  // ---- the same value: records by component, collections by content, the pipeline's classes by
  // every accessor (or field)

  private static void same(String path, Object a, Object b) {
    if (a == null || b == null) {
      if (a != b) {
        fail(path + ": " + a + " against " + b);
      }
      return;
    }
    try {
      if (a instanceof ClosedConnection || a instanceof Transaction) {
        sameClass(path, a, b);
        accessors(path, a, b);
      } else if (a instanceof SegmentTimeline ta) {
        sameClass(path, a, b);
        timeline(path, ta, (SegmentTimeline) b);
      } else if (a instanceof Headers ha) {
        sameClass(path, a, b);
        Headers hb = (Headers) b;
        assertEquals(ha.count(), hb.count(), path + ".count");
        assertEquals(ha.size(), hb.size(), path + ".size");
        for (int i = 0; i < ha.size(); i++) {
          assertEquals(ha.name(i), hb.name(i), path + ".name(" + i + ")");
          assertEquals(ha.value(i), hb.value(i), path + ".value(" + i + ")");
        }
      } else if (a instanceof Held) {
        sameClass(path, a, b);
        for (Field f : Held.class.getDeclaredFields()) {
          if (!Modifier.isStatic(f.getModifiers())) {
            f.setAccessible(true);
            same(path + "." + f.getName(), f.get(a), f.get(b));
          }
        }
      } else if (a instanceof Record) {
        sameClass(path, a, b);
        for (RecordComponent rc : a.getClass().getRecordComponents()) {
          Method m = rc.getAccessor();
          m.setAccessible(true);
          same(path + "." + rc.getName(), m.invoke(a), m.invoke(b));
        }
        if (a.getClass().getPackageName().equals("io.connscope.result")) {
          assertEquals(a, b, path); // and the record's own equals agrees
        }
      } else if (a.getClass().isArray()) {
        sameClass(path, a, b);
        assertEquals(Array.getLength(a), Array.getLength(b), path + ".length");
        for (int i = 0; i < Array.getLength(a); i++) {
          same(path + "[" + i + "]", Array.get(a, i), Array.get(b, i));
        }
      } else if (a instanceof List<?> la) {
        assertTrue(b instanceof List<?>, path + ": a list");
        sameElements(
            path, la.iterator(), ((List<?>) b).iterator(), la.size(), ((List<?>) b).size());
      } else if (a instanceof Map<?, ?> ma) {
        assertTrue(b instanceof Map<?, ?>, path + ": a map");
        Map<?, ?> mb = (Map<?, ?>) b;
        assertEquals(ma.size(), mb.size(), path + ".size");
        if (a instanceof SortedMap<?, ?>) {
          assertTrue(b instanceof SortedMap<?, ?>, path + ": a sorted map");
          sameElements(path, ma.keySet().iterator(), mb.keySet().iterator(), ma.size(), mb.size());
        }
        for (Map.Entry<?, ?> e : ma.entrySet()) {
          assertTrue(mb.containsKey(e.getKey()), path + ": key " + e.getKey());
          same(path + "[" + e.getKey() + "]", e.getValue(), mb.get(e.getKey()));
        }
      } else {
        assertEquals(a, b, path);
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(path, e);
    }
  }

  private static void sameClass(String path, Object a, Object b) {
    assertEquals(a.getClass(), b.getClass(), path + ": class");
  }

  private static void sameElements(String path, Iterator<?> a, Iterator<?> b, int na, int nb) {
    assertEquals(na, nb, path + ".size");
    for (int i = 0; a.hasNext(); i++) {
      same(path + "[" + i + "]", a.next(), b.next());
    }
  }

  /** Every public method without parameters (those of Object aside), compared. */
  private static void accessors(String path, Object a, Object b)
      throws ReflectiveOperationException {
    Method[] methods = a.getClass().getMethods();
    Arrays.sort(methods, Comparator.comparing(Method::getName));
    int compared = 0;
    for (Method m : methods) {
      if (m.getParameterCount() == 0
          && !Modifier.isStatic(m.getModifiers())
          && m.getDeclaringClass() != Object.class) {
        same(path + "." + m.getName() + "()", m.invoke(a), m.invoke(b));
        compared++;
      } else if (m.getParameterCount() == 1
          && m.getParameterTypes()[0] == int.class
          && m.getName().equals("half")) {
        for (int dir = 0; dir < 2; dir++) {
          same(path + ".half(" + dir + ")", m.invoke(a, dir), m.invoke(b, dir));
        }
      } else if (m.getParameterCount() == 1
          && m.getParameterTypes()[0] == boolean.class
          && m.getName().equals("anomalies")) {
        same(path + ".anomalies(true)", m.invoke(a, true), m.invoke(b, true));
        same(path + ".anomalies(false)", m.invoke(a, false), m.invoke(b, false));
      }
    }
    assertTrue(compared > 10, path + ": accessors compared");
  }

  private static void timeline(String path, SegmentTimeline a, SegmentTimeline b) {
    assertEquals(a.size(), b.size(), path + ".size");
    assertEquals(a.capacity(), b.capacity(), path + ".capacity");
    assertEquals(a.truncated(), b.truncated(), path + ".truncated");
    assertEquals(a.truncatedByTotal(), b.truncatedByTotal(), path + ".truncatedByTotal");
    for (int i = 0; i < a.size(); i++) {
      String at = path + "[" + i + "].";
      assertEquals(a.ts(i), b.ts(i), at + "ts");
      assertEquals(a.frame(i), b.frame(i), at + "frame");
      assertEquals(a.dir(i), b.dir(i), at + "dir");
      assertEquals(a.seq(i), b.seq(i), at + "seq");
      assertEquals(a.ack(i), b.ack(i), at + "ack");
      assertEquals(a.len(i), b.len(i), at + "len");
      assertEquals(a.window(i), b.window(i), at + "window");
      assertEquals(a.flags(i), b.flags(i), at + "flags");
      assertEquals(a.kind(i), b.kind(i), at + "kind");
    }
    assertEquals(a.sackCount(), b.sackCount(), path + ".sackCount");
    for (int k = 0; k < a.sackCount(); k++) {
      String at = path + ".sack[" + k + "].";
      assertEquals(a.sackEntry(k), b.sackEntry(k), at + "entry");
      assertEquals(a.sackLeft(k), b.sackLeft(k), at + "left");
      assertEquals(a.sackRight(k), b.sackRight(k), at + "right");
    }
  }
}
