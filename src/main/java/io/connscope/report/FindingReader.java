package io.connscope.report;

import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads a finding of the JSON report this process has just written straight into its record,
 * without a tree: the inverse of {@link FindingJson}, binding each field as {@link
 * ResultJson#finding} binds it from Jackson's tree (same defaults for a field that is absent, and
 * Jackson's {@code asText} of a null, "null"). Fields are matched by name, in any order; a field it
 * does not know is skipped. A capture with many problems has as many findings, and the passes of
 * Markdown, HTML and HAR over them cost more in trees (a map and a node per field, per ladder row)
 * than in reading. Only for the writer's own file ({@link ReportSource#written}), as {@link
 * TransactionReader}: a value of another type than written is an IOException.
 */
final class FindingReader {
  private static final TreeReader.Names NAMES =
      new TreeReader.Names(
          "type",
          "severity",
          "confidence",
          "connection",
          "transaction",
          "cost_us",
          "evidence",
          "summary",
          "fix",
          "details",
          "occurrences",
          "ladder");

  private static final int TYPE = 0;
  private static final int SEVERITY = 1;
  private static final int CONFIDENCE = 2;
  private static final int CONNECTION = 3;
  private static final int TRANSACTION = 4;
  private static final int COST = 5;
  private static final int EVIDENCE = 6;
  private static final int SUMMARY = 7;
  private static final int FIX = 8;
  private static final int DETAILS = 9;
  private static final int OCCURRENCES = 10;
  private static final int LADDER = 11;

  private static final TreeReader.Names EVIDENCE_NAMES =
      new TreeReader.Names("frames", "display_filter");

  private static final TreeReader.Names LADDER_NAMES =
      new TreeReader.Names("frame", "ts_us", "dir", "flags", "seq", "ack", "len");

  private static final TreeReader.Names OCCURRENCES_NAMES =
      new TreeReader.Names("count", "total_us", "worst_us", "worst", "rows", "rows_omitted");

  private static final TreeReader.Names WORST_NAMES =
      new TreeReader.Names("connection", "transaction", "cost_us", "frames");

  private final TreeReader r;

  FindingReader(TreeReader r) {
    this.r = r;
  }

  /**
   * Reads the finding object that comes next. When its connection ({@code "C12"}, null for none)
   * fails {@code connection} (not null), the rest is read past and null returned. With {@code
   * slim}, its details and ladder are read past: the finding has none.
   */
  Finding read(Predicate<String> connection, boolean slim) throws IOException {
    String type = "";
    String severity = "";
    String confidence = "";
    String conn = null;
    int transaction = -1;
    long cost = 0;
    List<Long> frames = List.of();
    String filter = "";
    String summary = "";
    String fix = "";
    SortedMap<String, Object> details = null;
    Finding.Occurrences occurrences = null;
    List<LadderEntry> ladder = List.of();
    r.beginObject();
    for (int f = r.field(NAMES, 0); f != TreeReader.END; f = r.field(NAMES, f + 1)) {
      switch (f) {
        case TYPE -> type = asText(r.text());
        case SEVERITY -> severity = asText(r.text());
        case CONFIDENCE -> confidence = asText(r.text());
        case CONNECTION -> conn = r.text();
        case TRANSACTION -> transaction = (int) r.longOr(-1);
        case COST -> cost = r.longOr(0);
        case EVIDENCE -> {
          if (r.nullValue()) {
            break;
          }
          r.beginObject();
          for (int e = r.field(EVIDENCE_NAMES, 0);
              e != TreeReader.END;
              e = r.field(EVIDENCE_NAMES, e + 1)) {
            switch (e) {
              case 0 -> frames = longs();
              case 1 -> filter = asText(r.text());
              default -> r.skipValue();
            }
          }
        }
        case SUMMARY -> summary = asText(r.text());
        case FIX -> fix = asText(r.text());
        case DETAILS -> {
          if (slim || r.next() != '{') {
            r.skipValue(); // only an object is bound (ResultJson.finding)
          } else {
            details = ResultJson.details(r.value());
          }
        }
        case OCCURRENCES -> occurrences = occurrences();
        case LADDER -> {
          if (slim) {
            r.skipValue();
          } else {
            ladder = ladder();
          }
        }
        default -> r.skipValue();
      }
      if (connection != null && f == CONNECTION && !connection.test(conn)) {
        while (r.field(NAMES, -1) != TreeReader.END) {
          r.skipValue();
        }
        return null;
      }
    }
    if (connection != null && !connection.test(conn)) { // a finding without one: null
      return null;
    }
    return new Finding(
        type,
        ResultJson.severity(severity),
        ResultJson.confidence(confidence),
        conn,
        transaction,
        cost,
        frames,
        filter,
        summary,
        fix,
        details != null ? details : new TreeMap<>(),
        ladder,
        occurrences);
  }

  /** Jackson's {@code asText} of a string or null node. */
  private static String asText(String s) {
    return s == null ? "null" : s;
  }

  /** An array of integers (null: none), each as Jackson's {@code asLong}. */
  private List<Long> longs() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<Long> out = new ArrayList<>(4);
    do {
      out.add(r.longOr(0));
    } while (r.nextItem());
    return List.copyOf(out);
  }

  private List<LadderEntry> ladder() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<LadderEntry> out = new ArrayList<>(8);
    do {
      long frame = 0;
      long ts = 0;
      String dir = "";
      String flags = "";
      long seq = 0;
      long ack = -1;
      long len = 0;
      r.beginObject();
      for (int f = r.field(LADDER_NAMES, 0);
          f != TreeReader.END;
          f = r.field(LADDER_NAMES, f + 1)) {
        switch (f) {
          case 0 -> frame = r.longOr(0);
          case 1 -> ts = r.longOr(0);
          case 2 -> dir = asText(r.text());
          case 3 -> flags = asText(r.text());
          case 4 -> seq = r.longOr(0);
          case 5 -> ack = r.longOr(-1);
          case 6 -> len = r.longOr(0);
          default -> r.skipValue();
        }
      }
      out.add(new LadderEntry(frame, ts, dir, flags, seq, ack, (int) len));
    } while (r.nextItem());
    return List.copyOf(out);
  }

  private Finding.Occurrences occurrences() throws IOException {
    if (r.next() != '{') {
      r.skipValue(); // null: a finding that stands alone
      return null;
    }
    long count = 0;
    long total = 0;
    long worstUs = 0;
    long omitted = 0;
    List<Finding.Occurrence> worst = List.of();
    List<Finding.Occurrence> rows = List.of();
    r.beginObject();
    for (int f = r.field(OCCURRENCES_NAMES, 0);
        f != TreeReader.END;
        f = r.field(OCCURRENCES_NAMES, f + 1)) {
      switch (f) {
        case 0 -> count = r.longOr(0);
        case 1 -> total = r.longOr(0);
        case 2 -> worstUs = r.longOr(0);
        case 3 -> worst = worst();
        case 4 -> rows = rows();
        case 5 -> omitted = r.longOr(0);
        default -> r.skipValue();
      }
    }
    return new Finding.Occurrences(count, total, worstUs, worst, rows, omitted);
  }

  private List<Finding.Occurrence> worst() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<Finding.Occurrence> out = new ArrayList<>(4);
    do {
      String conn = null;
      long tx = -1;
      long cost = 0;
      List<Long> frames = List.of();
      r.beginObject();
      for (int f = r.field(WORST_NAMES, 0); f != TreeReader.END; f = r.field(WORST_NAMES, f + 1)) {
        switch (f) {
          case 0 -> conn = r.text();
          case 1 -> tx = r.longOr(-1);
          case 2 -> cost = r.longOr(0);
          case 3 -> frames = longs();
          default -> r.skipValue();
        }
      }
      out.add(new Finding.Occurrence(conn, (int) tx, cost, frames));
    } while (r.nextItem());
    return List.copyOf(out);
  }

  /** Rows {@code [connection, transaction or null, cost_us]}. */
  private List<Finding.Occurrence> rows() throws IOException {
    if (r.nullValue()) {
      return List.of();
    }
    r.beginArray();
    if (!r.nextItem()) {
      return List.of();
    }
    List<Finding.Occurrence> out = new ArrayList<>(8);
    do {
      String conn = "";
      long tx = -1;
      long cost = 0;
      r.beginArray();
      for (int i = 0; r.nextItem(); i++) {
        switch (i) {
          case 0 -> conn = r.text();
          case 1 -> tx = r.longOr(-1);
          case 2 -> cost = r.longOr(0);
          default -> r.skipValue();
        }
      }
      out.add(new Finding.Occurrence(conn, (int) tx, cost, List.of()));
    } while (r.nextItem());
    return List.copyOf(out);
  }
}
