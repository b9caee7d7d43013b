package io.connscope.report;

import io.connscope.result.Finding;
import io.connscope.result.LadderEntry;
import java.util.Map;

/**
 * A finding of the JSON report (one object of its {@code findings} array, compact) written without
 * a {@code JsonGenerator} ({@link JsonBytes}): the bytes a Jackson generator writes for the same
 * calls (FindingJsonTest keeps that writer to compare with). A capture with a problem on every
 * connection has as many findings as connections, each with its ladder, and a generator per finding
 * cost more than the rest of the report's writing.
 */
final class FindingJson extends JsonBytes {
  private static final byte[] CONNECTION = name("connection");
  private static final byte[] TRANSACTION = name("transaction");
  private static final byte[] COST_US = name("cost_us");
  private static final byte[] EVIDENCE = name("evidence");
  private static final byte[] FRAMES = name("frames");
  private static final byte[] DISPLAY_FILTER = name("display_filter");
  private static final byte[] DETAILS = name("details");
  private static final byte[] OCCURRENCES = name("occurrences");
  private static final byte[] COUNT = name("count");
  private static final byte[] TOTAL_US = name("total_us");
  private static final byte[] WORST_US = name("worst_us");
  private static final byte[] WORST = name("worst");
  private static final byte[] ROWS = name("rows");
  private static final byte[] ROWS_OMITTED = name("rows_omitted");
  private static final byte[] LADDER = name("ladder");
  private static final byte[] FRAME = name("frame");
  private static final byte[] TS_US = name("ts_us");
  private static final byte[] SEQ = name("seq");
  private static final byte[] ACK = name("ack");
  private static final byte[] LEN = name("len");

  /**
   * Fields whose strings repeat from finding to finding (a type's fix, most summaries, the ladder's
   * directions and flags): written from the bytes kept in a slot ({@link JsonBytes#put(int, byte[],
   * String)}), each as its fragment: the first member of its object, or a comma and the member.
   */
  private static final int S_TYPE = 0;

  private static final int S_SEVERITY = 1;
  private static final int S_CONFIDENCE = 2;
  private static final int S_SUMMARY = 3;
  private static final int S_FIX = 4;
  private static final int S_DIR = 5;
  private static final int S_FLAGS = 6;
  private static final byte[] F_TYPE = ascii(member("type"));
  private static final byte[] F_SEVERITY = ascii("," + member("severity"));
  private static final byte[] F_CONFIDENCE = ascii("," + member("confidence"));
  private static final byte[] F_SUMMARY = ascii("," + member("summary"));
  private static final byte[] F_FIX = ascii("," + member("fix"));
  private static final byte[] F_DIR = ascii("," + member("dir"));
  private static final byte[] F_FLAGS = ascii("," + member("flags"));

  FindingJson() {
    super(7);
  }

  /** Writes {@code f} (after a {@link #reset}). */
  void write(Finding f) {
    startObject();
    separator(); // the object's first member: no comma, and the next ones know it has one
    put(S_TYPE, F_TYPE, f.type());
    put(S_SEVERITY, F_SEVERITY, f.severity().id());
    put(S_CONFIDENCE, F_CONFIDENCE, f.confidence().id());
    str(CONNECTION, f.connection());
    if (f.transaction() >= 0) {
      num(TRANSACTION, f.transaction());
    }
    num(COST_US, f.costUs());
    startObject(EVIDENCE);
    startArray(FRAMES);
    for (long fr : f.frames()) {
      element(fr);
    }
    endArray();
    str(DISPLAY_FILTER, f.displayFilter());
    endObject();
    put(S_SUMMARY, F_SUMMARY, f.summary());
    put(S_FIX, F_FIX, f.fix());
    if (f.details() != null && !f.details().isEmpty()) {
      name(DETAILS);
      value(f.details());
    }
    Finding.Occurrences o = f.occurrences();
    if (o != null) {
      startObject(OCCURRENCES);
      num(COUNT, o.count());
      num(TOTAL_US, o.totalUs());
      num(WORST_US, o.worstUs());
      startArray(WORST);
      for (Finding.Occurrence w : o.worst()) {
        startObjectElement();
        str(CONNECTION, w.connection());
        if (w.transaction() >= 0) {
          num(TRANSACTION, w.transaction());
        }
        num(COST_US, w.costUs());
        startArray(FRAMES);
        for (long fr : w.frames()) {
          element(fr);
        }
        endArray();
        endObject();
      }
      endArray();
      startArray(ROWS);
      for (Finding.Occurrence r : o.rows()) {
        startArrayElement();
        element(r.connection());
        if (r.transaction() >= 0) {
          element(r.transaction());
        } else {
          separator();
          raw(NULL);
        }
        element(r.costUs());
        endArray();
      }
      endArray();
      if (o.rowsOmitted() > 0) {
        num(ROWS_OMITTED, o.rowsOmitted());
      }
      endObject();
    }
    if (!f.ladder().isEmpty()) {
      startArray(LADDER);
      for (LadderEntry e : f.ladder()) {
        startObjectElement();
        num(FRAME, e.frame());
        num(TS_US, e.tsUs());
        put(S_DIR, F_DIR, e.dir());
        put(S_FLAGS, F_FLAGS, e.flags());
        num(SEQ, e.seq());
        opt(ACK, e.ack());
        num(LEN, e.len());
        endObject();
      }
      endArray();
    }
    endObject();
  }

  /**
   * A details value, as {@code JsonReportWriter.writeValue} writes it: numbers, strings, booleans,
   * lists and maps (their keys in order) of them.
   */
  private void value(Object v) {
    if (v == null) {
      raw(NULL);
    } else if (v instanceof Long || v instanceof Integer) {
      number(((Number) v).longValue());
    } else if (v instanceof Number n) {
      number(n.doubleValue());
    } else if (v instanceof Boolean b) {
      bool(b);
    } else if (v instanceof Map<?, ?> m) {
      startObject();
      for (Map.Entry<?, ?> e : new java.util.TreeMap<>(m).entrySet()) {
        dataName(String.valueOf(e.getKey()));
        value(e.getValue());
      }
      endObject();
    } else if (v instanceof Iterable<?> it) {
      startArray();
      for (Object o : it) {
        separator();
        value(o);
      }
      endArray();
    } else {
      string(String.valueOf(v));
    }
  }
}
