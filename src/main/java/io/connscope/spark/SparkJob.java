package io.connscope.spark;

import io.connscope.analysis.TuningOptions;
import io.connscope.capture.CaptureFiles;
import io.connscope.capture.CaptureFormatException;
import io.connscope.capture.PacketSource;
import io.connscope.common.Warnings;
import io.connscope.report.ReportFormat;
import io.connscope.report.ReportSet;
import io.connscope.report.SavedReport;
import io.connscope.result.CaptureSummary;
import io.connscope.result.PairSummary;
import io.connscope.spark.Parts.EventKey;
import io.connscope.spark.Parts.Frame;
import io.connscope.spark.Parts.FrameKey;
import io.connscope.spark.Parts.HostPair;
import io.connscope.spark.Parts.InputFile;
import io.connscope.spark.Parts.Out;
import io.connscope.spark.Parts.Split;
import io.connscope.spark.Parts.SplitSummary;
import io.connscope.spark.Parts.Stage1Out;
import io.connscope.spark.Parts.StageOut;
import io.connscope.spark.Parts.WarningCount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The distributed analysis (docs/spark.md): inputs listed and ordered as {@code analyze} orders
 * them, stage 1 per file or split ({@link Stage1}), stages 2 and 3 per host pair ({@link
 * PairAnalysis}), then the Parquet tables, the {@code files} table and the report.
 */
public final class SparkJob {
  /** What the job is asked to do. */
  public record Options(
      List<String> inputs,
      String out,
      boolean overwrite,
      List<ReportFormat> reports,
      long splitBytes,
      int partitions,
      long reportMaxConnections,
      String tlsKeyLog,
      String filter,
      TuningOptions tuning) {

    /** The options of {@code analyze}'s defaults: no filter, default thresholds. */
    public Options(
        List<String> inputs,
        String out,
        boolean overwrite,
        List<ReportFormat> reports,
        long splitBytes,
        int partitions,
        long reportMaxConnections,
        String tlsKeyLog) {
      this(
          inputs,
          out,
          overwrite,
          reports,
          splitBytes,
          partitions,
          reportMaxConnections,
          tlsKeyLog,
          null,
          new TuningOptions());
    }
  }

  /** What it did: the figures the driver prints and the tests read. */
  public record Summary(
      long files, long filesFailed, long packets, long connections, boolean reportWritten) {}

  static final String[] TABLES = {"connections", "transactions", "findings", "pairs", "files"};

  private final SparkSession spark;
  private final JavaSparkContext sc;
  private final Options options;
  private final Map<String, String> conf = new HashMap<>();

  public SparkJob(SparkSession spark, Options options) {
    this.spark = spark;
    this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.options = options;
    for (Map.Entry<String, String> e : sc.hadoopConfiguration()) {
      conf.put(e.getKey(), e.getValue());
    }
  }

  /** Runs the job; a bad output directory is an {@link IllegalArgumentException}. */
  public Summary run() throws IOException {
    Configuration hadoop = sc.hadoopConfiguration();
    Path out = new Path(options.out());
    FileSystem outFs = out.getFileSystem(hadoop);
    List<InputFile> listed = list(hadoop);
    if (outFs.exists(out)) {
      if (!options.overwrite()) {
        throw new IllegalArgumentException(
            options.out() + ": exists (use --overwrite to replace it)");
      }
      String replaced = outFs.makeQualified(out).toString();
      List<String> inputs = new ArrayList<>();
      for (InputFile f : listed) {
        inputs.add(f.path);
      }
      if (options.tlsKeyLog() != null) {
        Path k = new Path(options.tlsKeyLog());
        inputs.add(k.getFileSystem(hadoop).makeQualified(k).toString());
      }
      for (String in : inputs) { // --overwrite deletes the directory: never an input in it
        if (in.equals(replaced) || in.startsWith(replaced + "/")) {
          throw new IllegalArgumentException(
              options.out() + ": holds the input " + in + " (choose another --out)");
        }
      }
      outFs.delete(out, true);
    }

    List<InputFile> files = order(probe(listed));
    List<Split> splits = splits(files);
    Map<String, String> conf = new HashMap<>(this.conf); // closures capture no job
    String filter = options.filter();
    TuningOptions tuning = options.tuning();
    tuning.toConfig(); // a bad value fails here, on the driver, not in every task
    JavaRDD<Stage1Out> stage1 =
        sc.parallelize(splits, Math.max(1, splits.size()))
            .mapPartitions(
                it -> {
                  List<Iterable<Stage1Out>> parts = new ArrayList<>();
                  while (it.hasNext()) {
                    Split s = it.next();
                    parts.add(() -> new Stage1(s, conf, filter));
                  }
                  return concat(parts);
                })
            .persist(StorageLevel.DISK_ONLY());
    // stage 1's frames are kept on disk only (memory: a split at a time), read again by stage 2
    List<SplitSummary> summaries =
        new ArrayList<>(stage1.filter(o -> o.summary != null).map(o -> o.summary).collect());
    summaries.sort(
        Comparator.<SplitSummary>comparingInt(s -> s.file).thenComparingInt(s -> s.split));

    // global frame numbers: files in analysis order, splits in file order
    long[][] bases = new long[files.size()][];
    Map<Integer, Integer> splitCount = new HashMap<>();
    for (Split s : splits) {
      splitCount.merge(s.file, 1, Integer::sum);
    }
    for (int f = 0; f < files.size(); f++) {
      bases[f] = new long[splitCount.getOrDefault(f, 0)];
    }
    long frames = 0;
    long startNanos = Long.MIN_VALUE;
    long lastNanos = Long.MIN_VALUE;
    for (SplitSummary s : summaries) {
      bases[s.file][s.split] = frames;
      frames += s.records;
      if (startNanos == Long.MIN_VALUE && s.records > 0) {
        startNanos = s.firstNanos;
      }
      lastNanos = Math.max(lastNanos, s.lastNanos);
    }
    Broadcast<long[][]> base = sc.broadcast(bases);
    long start = startNanos == Long.MIN_VALUE ? 0 : startNanos;
    HashSet<HostPair> fragmentedPairs = new HashSet<>();
    for (SplitSummary s : summaries) {
      fragmentedPairs.addAll(s.fragmented);
    }
    Broadcast<HashSet<HostPair>> fragmented = sc.broadcast(fragmentedPairs);

    JavaPairRDD<FrameKey, Frame> sorted =
        stage1
            .filter(o -> o.frame != null)
            .mapToPair(
                o -> {
                  FrameKey k = new FrameKey();
                  k.pair = o.key;
                  k.group = Parts.group(o.ports, fragmented.value().contains(o.key));
                  k.frame = base.value()[o.frame.file][o.frame.split] + o.frame.local;
                  return new Tuple2<>(k, o.frame);
                })
            .repartitionAndSortWithinPartitions(
                new Parts.HostPartitioner(partitions()), FrameKey.ORDER);

    long[] starts =
        sorted.mapPartitions(it -> PairAnalysis.starts(it, start, tuning)).collect().stream()
            .mapToLong(Long::longValue)
            .sorted()
            .toArray();
    Broadcast<long[]> ids = sc.broadcast(starts);
    List<String> keyLog = new ArrayList<>();
    if (options.tlsKeyLog() != null) {
      Path k = new Path(options.tlsKeyLog());
      try (InputStream in = k.getFileSystem(hadoop).open(k)) {
        keyLog.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    for (SplitSummary s : summaries) {
      keyLog.addAll(s.keyLog);
    }
    Broadcast<List<String>> keys = sc.broadcast(keyLog);
    boolean report =
        !options.reports().isEmpty() && starts.length <= options.reportMaxConnections();
    String version = version();
    // stage 2, per connection group: the connection stages; stage 3, per host pair: the rest
    JavaPairRDD<EventKey, StageOut> events =
        sorted
            .mapPartitionsToPair(
                it -> PairAnalysis.events(it, start, tuning, ids.value(), keys.value()))
            .repartitionAndSortWithinPartitions(
                new Parts.HostPartitioner(partitions()), EventKey.ORDER);
    JavaRDD<Out> results =
        events
            .mapPartitions(it -> PairAnalysis.results(it, start, tuning, report, version))
            .persist(StorageLevel.DISK_ONLY());

    write(results, Out.CONNECTION, Tables.CONNECTIONS, "connections");
    write(results, Out.TRANSACTION, Tables.TRANSACTIONS, "transactions");
    write(results, Out.FINDING, Tables.FINDINGS, "findings");
    write(results, Out.PAIR, Tables.PAIRS, "pairs");
    List<Row> fileRows = fileRows(files, summaries, bases);
    spark
        .createDataFrame(fileRows, Tables.FILES)
        .coalesce(1)
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(options.out() + "/files");

    if (report) {
      List<String> parts = results.filter(o -> o.kind == Out.REPORT).map(o -> o.json).collect();
      writeReport(parts, files, summaries, bases, start, lastNanos, frames, outFs, out, version);
    }
    results.unpersist(false);
    stage1.unpersist(false);
    long failed = files.stream().filter(f -> f.error != null).count();
    failed += summaries.stream().filter(s -> s.error != null).map(s -> s.file).distinct().count();
    return new Summary(files.size(), failed, frames, starts.length, report);
  }

  private int partitions() {
    return options.partitions() > 0 ? options.partitions() : sc.defaultParallelism();
  }

  private static <T> java.util.Iterator<T> concat(List<Iterable<T>> parts) {
    return parts.stream()
        .flatMap(p -> java.util.stream.StreamSupport.stream(p.spliterator(), false))
        .iterator();
  }

  private void write(JavaRDD<Out> results, int kind, StructType schema, String name) {
    JavaRDD<Row> rows = results.filter(o -> o.kind == kind).map(o -> o.row);
    spark
        .createDataFrame(rows, schema)
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(options.out() + "/" + name);
  }

  // ---- inputs ------------------------------------------------------------------------------

  /**
   * Every file the inputs stand for: a file itself, a directory's files (recursively), a glob's.
   */
  private List<InputFile> list(Configuration hadoop) throws IOException {
    List<InputFile> files = new ArrayList<>();
    for (int i = 0; i < options.inputs().size(); i++) {
      String spec = options.inputs().get(i);
      Path p = new Path(spec);
      FileSystem fs = p.getFileSystem(hadoop);
      FileStatus[] matched = fs.globStatus(p);
      if (matched == null || matched.length == 0) {
        throw new IllegalArgumentException(spec + ": no such file or directory");
      }
      boolean glob =
          !spec.equals(matched[0].getPath().toString()) && matched.length > 1
              || spec.matches(".*[*?\\[{].*");
      for (FileStatus st : matched) {
        if (st.isDirectory()) {
          RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
          while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            String name = f.getPath().getName();
            if (f.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
              files.add(file(i, false, f));
            }
          }
        } else {
          files.add(file(i, !glob, st));
        }
      }
    }
    return files;
  }

  private static InputFile file(int input, boolean named, FileStatus st) {
    InputFile f = new InputFile();
    f.input = input;
    f.named = named;
    f.path = st.getPath().toString();
    f.length = st.getLen();
    return f;
  }

  /** Reads each file's first packet (in parallel): its format and time, or why it is no capture. */
  private List<InputFile> probe(List<InputFile> files) {
    if (files.isEmpty()) {
      return files;
    }
    Map<String, String> conf = new HashMap<>(this.conf);
    return sc.parallelize(files, Math.min(files.size(), Math.max(1, sc.defaultParallelism() * 4)))
        .map(
            f -> {
              Path p = new Path(f.path);
              FileSystem fs = p.getFileSystem(Stage1.hadoop(conf));
              try (InputStream in = fs.open(p)) {
                byte[] head = in.readNBytes(CaptureSplits.GLOBAL_HEADER);
                f.pcapHeader = CaptureSplits.PcapHeader.of(head) == null ? null : head;
              } catch (IOException e) {
                f.error = Stage1.message(e);
                return f;
              }
              try (PacketSource s = CaptureFiles.open(f.path, fs.open(p), new Warnings(), 0)) {
                f.format = CaptureFiles.formatOf(s);
                if (s.next()) {
                  f.firstNanos = s.info().timestampNanos;
                }
                if (f.format.endsWith(".gz")) {
                  f.pcapHeader = null; // never split
                }
              } catch (CaptureFormatException e) {
                f.error = "not a capture file: " + Stage1.message(e);
              } catch (IOException | RuntimeException e) {
                // damaged after its first packet: analysed up to the damage, as analyze does
                if (f.format == null) {
                  f.error = Stage1.message(e);
                }
              }
              return f;
            })
        .collect();
  }

  /**
   * The analysis order of {@code analyze} (cli.InputFiles): the inputs in the order given; a file
   * named as such stands for itself; the files of a directory or glob are ordered by the time of
   * their first packet, ties by name. Files that are not captures are listed, not analysed.
   */
  static List<InputFile> order(List<InputFile> probed) {
    List<InputFile> all = new ArrayList<>(probed);
    all.sort(
        Comparator.<InputFile>comparingInt(f -> f.input)
            .thenComparingLong(f -> f.named ? 0 : f.firstNanos)
            .thenComparing(f -> new Path(f.path).getName())
            .thenComparing(f -> f.path));
    List<InputFile> out = new ArrayList<>();
    for (InputFile f : all) {
      if (f.error == null) {
        f.order = out.size();
        out.add(f);
      }
    }
    for (InputFile f : all) {
      if (f.error != null) {
        out.add(f); // after the captures, never read again
      }
    }
    return out;
  }

  private List<Split> splits(List<InputFile> files) {
    List<Split> out = new ArrayList<>();
    long size = Math.max(1 << 16, options.splitBytes());
    for (InputFile f : files) {
      if (f.error != null) {
        continue;
      }
      boolean split = f.pcapHeader != null && f.length > CaptureSplits.GLOBAL_HEADER + size;
      long from = CaptureSplits.GLOBAL_HEADER;
      int n = 0;
      do {
        Split s = new Split();
        s.file = f.order;
        s.split = n++;
        s.path = f.path;
        s.whole = !split;
        s.start = from;
        s.end = split ? Math.min(f.length, from + size) : f.length;
        s.length = f.length;
        s.header = f.pcapHeader;
        s.firstSec = f.firstNanos == Long.MAX_VALUE ? 0 : f.firstNanos / 1_000_000_000L;
        out.add(s);
        from = s.end;
      } while (split && from < f.length);
    }
    return out;
  }

  // ---- files table and report --------------------------------------------------------------

  private static List<Row> fileRows(
      List<InputFile> files, List<SplitSummary> summaries, long[][] bases) {
    List<Row> rows = new ArrayList<>();
    for (InputFile f : files) {
      long packets = 0;
      long bytes = 0;
      int splits = 0;
      List<String> notes = new ArrayList<>();
      String format = f.format;
      for (SplitSummary s : summaries) {
        if (f.error == null && s.file == f.order) {
          packets += s.records;
          bytes += s.bytes;
          splits++;
          if (s.error != null) {
            notes.add(s.error);
          }
          for (WarningCount w : s.warnings) {
            if (w.code.startsWith("capture.")) {
              notes.add(w.code + " x" + w.count);
            }
          }
        }
      }
      // damaged: read up to an I/O error or around damage the reader counted (capture.*)
      String status =
          f.error != null ? (f.named ? "error" : "skipped") : notes.isEmpty() ? "ok" : "damaged";
      String message =
          f.error != null ? f.error : notes.isEmpty() ? null : String.join("; ", notes);
      rows.add(
          RowFactory.create(
              f.error == null ? f.order : null,
              f.path,
              format,
              status,
              packets,
              bytes,
              splits,
              f.error == null && bases[f.order].length > 0 ? bases[f.order][0] + 1 : null,
              message));
    }
    return rows;
  }

  private void writeReport(
      List<String> parts,
      List<InputFile> files,
      List<SplitSummary> summaries,
      long[][] bases,
      long startNanos,
      long lastNanos,
      long packets,
      FileSystem fs,
      Path out,
      String version)
      throws IOException {
    PairAnalysis.Collector gather = new PairAnalysis.Collector();
    for (String part : parts) {
      try (InputStream in = new ByteArrayInputStream(part.getBytes(StandardCharsets.UTF_8))) {
        SavedReport.replay(SavedReport.read(in), gather);
      }
    }
    CaptureSummary summary =
        merge(
            gather.summaries,
            files,
            summaries,
            bases,
            startNanos,
            lastNanos,
            packets,
            options.filter());
    Map<ReportFormat, OutputStream> outs = new LinkedHashMap<>();
    ReportSet set = new ReportSet(version);
    set.severalInputs(files.size() > 1); // its HAR then names frames by file as it renders
    try {
      for (ReportFormat format : options.reports()) {
        OutputStream o = fs.create(new Path(out, "report." + extension(format)), false);
        outs.put(format, o);
        set.add(format, o);
      }
      Replay.inReportOrder(gather, summary, set);
    } finally {
      for (OutputStream o : outs.values()) {
        o.close();
      }
    }
  }

  private static String extension(ReportFormat f) {
    return switch (f) {
      case JSON -> "json";
      case HTML -> "html";
      case MARKDOWN -> "md";
      case HAR -> "har";
      case TEXT -> "txt";
    };
  }

  /** The capture summary of the whole set from the host pairs' ones and stage 1's counts. */
  static CaptureSummary merge(
      List<CaptureSummary> pieces,
      List<InputFile> files,
      List<SplitSummary> summaries,
      long[][] bases,
      long startNanos,
      long lastNanos,
      long packets,
      String filter) {
    List<CaptureSummary.FileSummary> fileSummaries = new ArrayList<>();
    long bytes = 0;
    TreeSet<String> linkTypes = new TreeSet<>();
    List<WarningAt> warnings = new ArrayList<>();
    long frameBefore = 0; // frames of the files before, in the set's order
    long filteredOut = 0;
    for (InputFile f : files) {
      if (f.error != null) {
        continue;
      }
      long p = 0;
      long b = 0;
      long fileFirstNanos = Long.MIN_VALUE; // of the file's first and last frames, as analyze keeps
      long fileLastNanos = Long.MIN_VALUE;
      int firstSplit = Integer.MAX_VALUE;
      int lastSplit = -1;
      for (SplitSummary s : summaries) {
        if (s.file == f.order) {
          p += s.records;
          b += s.bytes;
          filteredOut += s.filteredOut;
          if (s.records > 0 && s.split < firstSplit) {
            firstSplit = s.split;
            fileFirstNanos = s.firstNanos;
          }
          if (s.records > 0 && s.split > lastSplit) {
            lastSplit = s.split;
            fileLastNanos = s.lastNanos;
          }
          linkTypes.addAll(s.linkTypes);
          for (WarningCount w : s.warnings) {
            warnings.add(
                new WarningAt(w.code, bases[s.file][s.split] + w.frame, w.count, w.detail));
          }
        }
      }
      bytes += b;
      fileSummaries.add(
          new CaptureSummary.FileSummary(
              f.path,
              f.format,
              p,
              b,
              frameBefore + 1,
              fileFirstNanos == Long.MIN_VALUE ? -1 : fileFirstNanos / 1000,
              fileLastNanos == Long.MIN_VALUE ? -1 : fileLastNanos / 1000));
      frameBefore += p;
    }
    long tcp = 0;
    long[] totals = new long[9];
    List<PairSummary> pairs = new ArrayList<>();
    for (CaptureSummary c : pieces) {
      tcp += c.tcpPackets();
      for (CaptureSummary.Warning w : c.warnings()) {
        warnings.add(new WarningAt(w.code(), w.firstFrame(), w.count(), w.detail()));
      }
      CaptureSummary.Totals t = c.totals();
      long[] v = {
        t.connections(),
        t.httpConnections(),
        t.transactions(),
        t.unansweredRequests(),
        t.orphanResponses(),
        t.findings(),
        t.connectionsOutsidePairs(),
        t.handshakes(),
        t.handshakeUs()
      };
      for (int i = 0; i < v.length; i++) {
        totals[i] += v[i];
      }
      pairs.addAll(c.pairs());
    }
    warnings.sort(Comparator.comparingLong(WarningAt::frame));
    Warnings merged = new Warnings();
    for (WarningAt w : warnings) {
      merged.add(w.code(), w.frame(), w.count(), w.detail());
    }
    List<CaptureSummary.Warning> ws = new ArrayList<>();
    merged
        .entries()
        .forEach(
            (code, e) ->
                ws.add(new CaptureSummary.Warning(code, e.count(), e.firstFrame(), e.detail())));
    pairs.sort(
        Comparator.comparingLong(
            p -> io.connscope.result.ConnectionIds.number(p.firstConnection())));
    return new CaptureSummary(
        List.copyOf(fileSummaries),
        packets,
        bytes,
        tcp,
        List.copyOf(linkTypes),
        startNanos / 1000,
        lastNanos == Long.MIN_VALUE ? 0 : (lastNanos - startNanos) / 1000,
        filter,
        filteredOut,
        Collections.unmodifiableList(ws),
        new CaptureSummary.Totals(
            totals[0], totals[1], totals[2], totals[3], totals[4], totals[5], totals[6], totals[7],
            totals[8]),
        Collections.unmodifiableList(pairs));
  }

  private record WarningAt(String code, long frame, long count, String detail) {}

  /** The version from the build, as the command line reports it. */
  static String version() {
    try (InputStream in = SparkJob.class.getResourceAsStream("/connscope-version.txt")) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
