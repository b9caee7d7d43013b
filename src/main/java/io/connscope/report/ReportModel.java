package io.connscope.report;

import io.connscope.result.CaptureSummary;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.FrameFiles;
import io.connscope.result.TransactionResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pieces shared by the Markdown and HTML renderers (gathered by {@link ReportDigest}): the verdict
 * of a finding type, a client/server pair and its connection use as drawn, and the formatting of
 * result records (endpoints, frames, times with a fixed locale). Everything is ordered
 * deterministically.
 */
final class ReportModel {
  private ReportModel() {}

  /** Readable names of the finding types connscope knows; other types show their id. */
  private static final Map<String, String> TITLES =
      Map.of(
          "tcp.nagle_delay", "Nagle delay",
          "tcp.delayed_ack_stall", "Delayed-ACK stall");

  static String title(String type) {
    return TITLES.getOrDefault(type, type);
  }

  /** One finding type across the capture. */
  record Verdict(
      String type,
      int count,
      long costMicros,
      List<String> connections,
      Finding costliest,
      long moreConnections) {
    /** "C1, C2" or "the capture", with "and N more connections" beyond the ones listed. */
    String where() {
      String s = String.join(", ", connections.isEmpty() ? List.of("the capture") : connections);
      return moreConnections > 0 ? s + " and " + moreConnections + " more connections" : s;
    }
  }

  /** The connections of one client address talking to one server address and port. */
  record Pair(
      String client,
      String server,
      List<ReportSource.ConnectionView> connections,
      int connectionCount,
      long transactions,
      int maxPerConnection,
      int maxParallel,
      int maxPipeline,
      long inferredExchanges,
      long inferredMaxPerConnection,
      String pattern,
      String closes) {

    /**
     * The transaction count, then "+ ~N inferred" when exchanges were inferred from TLS records.
     */
    String transactionsText() {
      return transactions + (inferredExchanges > 0 ? " + ~" + inferredExchanges + " inferred" : "");
    }

    /** Most transactions on one connection, then "/ ~N inferred" for the inferred exchanges. */
    String maxPerConnectionText() {
      return maxPerConnection
          + (inferredExchanges > 0 ? " / ~" + inferredMaxPerConnection + " inferred" : "");
    }
  }

  static String endpoint(Endpoint ep) {
    String ip = ep.ip();
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + ep.port();
  }

  /** Microseconds as milliseconds with one decimal, "-" when negative (unknown). */
  static String msOrDash(long us) {
    return us < 0 ? "-" : Text.ms(us);
  }

  static String ms(long us) {
    return Text.ms(us);
  }

  /** Microseconds as milliseconds with three decimals (for ladders). */
  static String ms3(long us) {
    return String.format(Locale.ROOT, "%.3f ms", us / 1000.0);
  }

  /**
   * Evidence frames as "10, 11, 12", each with its file and frame there when the report has several
   * input files: "10 (a.pcap #10), 11 (b.pcap #1)" (unescaped: the writer escapes it).
   */
  static String frames(Finding f, FrameFiles ff) {
    return ff.citeAll(f.frames(), "-");
  }

  /** Evidence frames as "10, 11, 12" (a key: findings with the same frames share a ladder). */
  static String frames(Finding f) {
    StringBuilder b = new StringBuilder();
    for (long n : f.frames()) {
      b.append(b.length() == 0 ? "" : ", ").append(n);
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  /**
   * "C3 #2", "C3 ~2" (an inferred exchange), "C3" or "capture"; "(worst of N)" after it for a
   * finding that groups N occurrences.
   */
  static String where(Finding f) {
    String c = f.connection() != null ? f.connection() : "capture";
    c = f.transaction() >= 0 ? c + " #" + f.transaction() : c;
    c = f.inferredExchange() >= 0 ? c + " ~" + f.inferredExchange() : c;
    return f.count() > 1 ? c + " (worst of " + f.count() + ")" : c;
  }

  /** "METHOD URI" of a transaction ("-" for missing parts). */
  static String request(TransactionResult t) {
    return (t.method() == null ? "-" : t.method()) + " " + (t.uri() == null ? "-" : t.uri());
  }

  /**
   * {@code s} cut to {@code max} characters with "..." (never inside a surrogate pair), for table
   * cells; null stays null. Escape after cutting.
   */
  static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int n = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, n) + "...";
  }

  /** Input file names, comma separated. */
  static String files(CaptureSummary c) {
    StringBuilder b = new StringBuilder();
    for (CaptureSummary.FileSummary f : c.files()) {
      b.append(b.length() == 0 ? "" : ", ").append(f.name());
    }
    return b.toString();
  }

  /**
   * With several input files, how the report numbers their frames: "frames are numbered across the
   * files: a.pcap 1-40, b.pcap 41-80"; empty with one file (its numbers are the report's).
   * Unescaped: the writer escapes it.
   */
  static String fileFrames(CaptureSummary c) {
    if (c.files().size() < 2) {
      return "";
    }
    StringBuilder b = new StringBuilder("frames are numbered across the files:");
    String sep = " ";
    for (CaptureSummary.FileSummary f : c.files()) {
      b.append(sep).append(f.name()).append(' ');
      b.append(
          f.packets() == 0 ? "none" : f.firstFrame() + "-" + (f.firstFrame() + f.packets() - 1));
      sep = ", ";
    }
    return b.toString();
  }

  /** The status code, or "-" when there is none. */
  static String statusOrDash(TransactionResult t) {
    return t.status() != null ? t.status().toString() : "-";
  }

  /** The status code, 0 when there is none (as hover texts have always shown it). */
  static int statusOrZero(TransactionResult t) {
    return t.status() != null ? t.status() : 0;
  }

  /**
   * The status of a transaction in words: its code, "response not captured" (the client
   * acknowledged a response the capture lost), or "no response".
   */
  static String outcome(TransactionResult t) {
    if (t.status() != null) {
      return t.status().toString();
    }
    return t.responseNotCaptured() != null ? "response not captured" : "no response";
  }

  /** A close reason as the tables show it ("null" when unknown, as they always have). */
  static String closeReason(io.connscope.result.ConnectionResult c) {
    return String.valueOf(c.close().reason());
  }
}
