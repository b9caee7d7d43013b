package io.connscope.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Differential test against tshark: every capture of the shared corpus ({@code ../shared/corpus},
 * skipped when absent) and every sample ({@code samples/*.pcap}, {@code *.pcapng}) is read by
 * tshark and by connscope's pipeline ({@link Observed}), and the HTTP transactions are compared one
 * by one (HTTPS samples decrypted by both, with the key log beside them or the pcapng's Decryption
 * Secrets Blocks): method, request target, final status and the request's frame. See
 * docs/conformance.md.
 *
 * <p>Every difference must be listed, with a reason, in {@value #EXPECTATIONS_NAME}. The test fails
 * on a difference that is not listed or whose reason is {@code UNEXPLAINED}, on a listed difference
 * that no longer occurs (stale), on a reason id without an explanation or without a difference
 * (checked when the corpus was read), and when tshark does not finish a capture within {@link
 * #TIMEOUT_SECONDS}. {@code -Dtshark.diff.write=true} rewrites the file from the current
 * differences, keeping the reason of each row that is unchanged and dropping unused reasons.
 * Skipped when tshark is not installed.
 */
class TsharkDifferentialTest {
  private static final Path CORPUS = Paths.get("..", "shared", "corpus");
  private static final Path SAMPLES = Paths.get("samples");
  static final String EXPECTATIONS_NAME = "src/test/resources/conformance/tshark-differences.tsv";
  private static final Path EXPECTATIONS = Paths.get(EXPECTATIONS_NAME);
  private static final String REGENERATE =
      "mvn -q -B -o test -Dtest=TsharkDifferentialTest "
          + "-Dsurefire.failIfNoSpecifiedTests=false -Dtshark.diff.write=true";
  static final String UNEXPLAINED = "UNEXPLAINED";

  /** tshark processes at once (the machines this runs on have 2 cores). */
  private static final int PARALLEL = 2;

  /** Per capture; the slowest one takes about 3 s. */
  static final long TIMEOUT_SECONDS = 120;

  /** Separates the occurrences of a field; never in a URI tshark prints ('|' is). */
  private static final String AGG = "\u001f";

  /**
   * The tshark invocation. Preferences are pinned (and the user's own are not read, see {@link
   * #tshark}) so the result depends on the tshark version only:
   *
   * <ul>
   *   <li>HTTP heads and bodies are desegmented (tshark's defaults): a message is reported in the
   *       frame where tshark has all of it, so its boundaries, and those of the message after it on
   *       the connection, are right. Without body desegmentation tshark loses every message that
   *       starts inside the segment that ends a body (keep-alive, pipelining). The price: a message
   *       whose body never completes (a gap, the capture's end) is not reported at all ({@code
   *       tshark-body-gap}).
   *   <li>Out-of-order segments are not reassembled ({@code tcp.reassemble_out_of_order}, off by
   *       default in tshark 4.0). Turned on, tshark waits for a lost segment for good: on
   *       zeek/http/1000-requests-one-dropped-response it reported 1 of 1,000 responses (1,145
   *       differences in all against 132 with it off, measured while this test was written). Off, a
   *       message whose segments arrive out of order is lost on tshark's side ({@code
   *       tshark-out-of-order}).
   *   <li>The heuristic HTTP-over-TCP dissector stays on (the default), so HTTP on any port is
   *       seen, as connscope recognises it by content. {@code -n}: no name resolution.
   * </ul>
   */
  static final List<String> TSHARK_ARGS =
      List.of(
          "-n",
          "-o",
          "tcp.desegment_tcp_streams:TRUE",
          "-o",
          "tcp.reassemble_out_of_order:FALSE",
          "-o",
          "http.desegment_headers:TRUE",
          "-o",
          "http.desegment_body:TRUE",
          "-o",
          "http.dechunk_body:TRUE",
          "-Y",
          "http.request or http.response",
          "-T",
          "fields",
          "-E",
          "separator=/t",
          "-E",
          "occurrence=a",
          "-E",
          "aggregator=" + AGG,
          "-e",
          "frame.number",
          "-e",
          "tcp.stream",
          "-e",
          "_ws.col.Source",
          "-e",
          "_ws.col.Destination",
          "-e",
          "tcp.srcport",
          "-e",
          "tcp.dstport",
          "-e",
          "http.request.method",
          "-e",
          "http.request.uri",
          "-e",
          "http.response.code",
          "-e",
          "http.request_in");

  record Capture(String name, Path file) {}

  /** tshark's output for one capture. */
  record TsharkRun(List<String> lines, int exit, String stderr, boolean timedOut, long millis) {}

  /** One transaction as tshark sees it; {@code method} null for a response without request. */
  static final class TsTx {
    final long frame;
    final String method;
    final String uri;
    String status = "-";

    /** Frame of the final response, -1 when none. */
    long responseFrame = -1;

    TsTx(long frame, String method, String uri) {
      this.frame = frame;
      this.method = method;
      this.uri = uri;
    }
  }

  /** A difference; {@link #key} is everything but the reason. */
  record Diff(
      String capture, long frame, String kind, String tshark, String connscope, String reason) {
    String key() {
      return capture + "\t" + frame + "\t" + kind + "\t" + tshark + "\t" + connscope;
    }

    String place() {
      return capture + "\t" + frame + "\t" + kind;
    }

    String row() {
      return "diff\t" + key() + "\t" + reason;
    }
  }

  /** Tallies over all captures. */
  static final class Totals {
    int captures;
    int tsharkTx;
    int connscopeTx;
    int compared;
    int agree;
    long tsharkMillis;
    final TreeMap<Long, String> slowest = new TreeMap<>();
  }

  @Test
  void transactionsMatchTsharkOrAreExplained() throws Exception {
    String version = tsharkVersion();
    Assumptions.assumeTrue(version != null, "tshark is not installed");
    boolean corpus = Files.isDirectory(CORPUS);
    List<Capture> captures = captures(corpus);
    // -Dtshark.diff.only=PREFIX: only the captures whose name starts so (to debug one)
    String only = System.getProperty("tshark.diff.only", "");
    captures.removeIf(c -> !c.name().startsWith(only));
    java.util.Set<String> examined = new java.util.HashSet<>();
    captures.forEach(c -> examined.add(c.name()));
    Assumptions.assumeFalse(captures.isEmpty(), "no captures (samples/ and ../shared/corpus)");

    Path config = Files.createTempDirectory("tshark-conf");
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    List<Diff> diffs = new ArrayList<>();
    Totals totals = new Totals();
    List<String> failures = new ArrayList<>();
    try {
      List<Future<TsharkRun>> runs = new ArrayList<>();
      for (Capture c : captures) {
        runs.add(pool.submit(() -> tshark(c.file(), config)));
      }
      for (int i = 0; i < captures.size(); i++) {
        Capture c = captures.get(i);
        Observed o = Observed.of(c.file());
        TsharkRun run = runs.get(i).get();
        totals.tsharkMillis += run.millis();
        totals.slowest.put(run.millis() * 10000 + i, c.name());
        if (run.timedOut()) {
          failures.add(c.name() + ": tshark did not finish in " + TIMEOUT_SECONDS + " s");
          continue;
        }
        if (o.crash != null) {
          failures.add(c.name() + ": connscope crashed: " + o.crash);
          continue;
        }
        totals.captures++;
        Map<Integer, TsStream> streams = parse(run.lines());
        if (c.name().equals(System.getProperty("tshark.diff.detail"))) {
          detail(c.name(), streams, o);
        }
        compare(c.name(), streams, o, diffs, totals);
      }
    } finally {
      pool.shutdownNow();
      try (Stream<Path> s = Files.walk(config)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }

    Expectations want = Expectations.read(EXPECTATIONS);
    for (int i = 0; i < diffs.size(); i++) {
      Diff d = diffs.get(i);
      diffs.set(
          i,
          new Diff(d.capture(), d.frame(), d.kind(), d.tshark(), d.connscope(), want.reasonFor(d)));
    }
    // rows of captures not examined (corpus absent, tshark.diff.only) are neither stale nor
    // dropped on rewrite
    List<Diff> notExamined = new ArrayList<>();
    for (Diff d : want.rows) {
      if (!examined.contains(d.capture())) {
        notExamined.add(d);
      }
    }
    // a reason no row uses any more must leave the table (checked when every capture was read;
    // the rewrite drops it)
    List<String> unused = new ArrayList<>();
    if (corpus && only.isEmpty()) {
      java.util.Set<String> used = new java.util.HashSet<>();
      diffs.forEach(d -> used.add(d.reason()));
      want.reasons.keySet().stream().filter(r -> !used.contains(r)).forEach(unused::add);
    }
    boolean write = Boolean.getBoolean("tshark.diff.write");
    if (write) {
      unused.forEach(want.reasons::remove);
      unused.clear();
      List<Diff> all = new ArrayList<>(diffs);
      all.addAll(notExamined);
      want.write(EXPECTATIONS, all, version);
      System.out.println("wrote " + all.size() + " rows to " + EXPECTATIONS_NAME);
    }

    Map<String, Diff> current = new LinkedHashMap<>();
    for (Diff d : diffs) {
      current.put(d.key(), d);
    }
    List<String> stale = new ArrayList<>();
    for (Diff d : want.rows) {
      if (!current.containsKey(d.key()) && !notExamined.contains(d)) {
        stale.add(d.row());
      }
    }
    List<String> unexplained = new ArrayList<>();
    for (Diff d : diffs) {
      if (!want.reasons.containsKey(d.reason())) {
        unexplained.add(d.row());
      }
    }
    print(version, totals, diffs, want.reasons);
    if (write && !stale.isEmpty()) {
      System.out.println(
          "dropped " + stale.size() + " row(s) that no longer occur:\n" + first(stale, 40));
      stale.clear();
    }

    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertTrue(
        unused.isEmpty(),
        "reason ids no difference uses any more; remove them from "
            + EXPECTATIONS_NAME
            + ": "
            + unused);
    if (!unexplained.isEmpty() || !stale.isEmpty()) {
      fail(
          unexplained.size()
              + " difference(s) from tshark not explained in "
              + EXPECTATIONS_NAME
              + ", "
              + stale.size()
              + " listed difference(s) that no longer occur (stale).\n"
              + "Read the packets of each new row (tshark -V -r FILE -Y frame.number==N), then "
              + "regenerate the file with\n  "
              + REGENERATE
              + "\nand give each UNEXPLAINED row a "
              + "reason id from the file's reason table.\n"
              + (unexplained.isEmpty() ? "" : "unexplained:\n" + first(unexplained, 40))
              + (stale.isEmpty() ? "" : "stale:\n" + first(stale, 40)));
    }
  }

  // ---------------------------------------------------------------- captures and tshark

  static List<Capture> captures(boolean corpus) throws IOException {
    List<Capture> out = new ArrayList<>();
    if (Files.isDirectory(SAMPLES)) {
      try (Stream<Path> s = Files.list(SAMPLES)) {
        s.filter(
                p ->
                    p.getFileName().toString().endsWith(".pcap")
                        || p.getFileName().toString().endsWith(".pcapng"))
            .sorted()
            .forEach(p -> out.add(new Capture("samples/" + p.getFileName(), p)));
      }
    }
    if (corpus) {
      try (Stream<Path> s = Files.walk(CORPUS)) {
        s.filter(Files::isRegularFile)
            .filter(TsharkDifferentialTest::isCapture)
            .map(p -> CORPUS.relativize(p).toString().replace('\\', '/'))
            .sorted()
            .forEach(n -> out.add(new Capture("corpus/" + n, CORPUS.resolve(n))));
      }
    }
    return out;
  }

  private static boolean isCapture(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    return n.endsWith(".pcap") || n.endsWith(".pcapng") || n.endsWith(".cap");
  }

  /** tshark's first version line, or null when it cannot be run. */
  static String tsharkVersion() {
    try {
      Process p =
          new ProcessBuilder("tshark", "--version")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      return out.lines().findFirst().orElse("tshark");
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Runs tshark over one capture with an empty configuration directory (no user preferences, no
   * profile), output to temporary files so that a timeout can be enforced.
   */
  static TsharkRun tshark(Path file, Path config) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-r", file.toString()));
    Path keylog = Observed.keylogOf(file);
    if (keylog != null) {
      // an HTTPS sample: both sides decrypt with its key log (a pcapng's Decryption Secrets
      // Blocks are read by both without it)
      cmd.addAll(List.of("-o", "tls.keylog_file:" + keylog.toAbsolutePath()));
    }
    cmd.addAll(TSHARK_ARGS);
    Path out = Files.createTempFile("tshark", ".out");
    Path err = Files.createTempFile("tshark", ".err");
    long start = System.nanoTime();
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("WIRESHARK_CONFIG_DIR", config.toString());
      Process p = pb.start();
      try {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          return new TsharkRun(List.of(), -1, "", true, (System.nanoTime() - start) / 1_000_000);
        }
      } finally {
        if (p.isAlive()) { // timed out, or this thread was interrupted: stop our tshark
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
      return new TsharkRun(
          Files.readAllLines(out, StandardCharsets.UTF_8),
          p.exitValue(),
          Files.readString(err, StandardCharsets.UTF_8),
          false,
          (System.nanoTime() - start) / 1_000_000);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** One tshark stream: its endpoints and its transactions, requests paired in order. */
  static final class TsStream {
    final String a;
    final String b;
    final long firstFrame;
    final List<TsTx> txs = new ArrayList<>();

    /** Requests still waiting for their final response, oldest first. */
    final List<TsTx> pending = new ArrayList<>();

    TsStream(String a, String b, long firstFrame) {
      this.a = a;
      this.b = b;
      this.firstFrame = firstFrame;
    }
  }

  /**
   * tshark's transactions by stream, in frame order. A final response (1xx other than 101 are
   * interim) answers the request tshark pairs it with ({@code http.request_in}, given for the first
   * response of a frame only), else the oldest request seen before it that has no final response
   * yet (HTTP/1.x answers in order); a response with no such request stands alone. Messages that
   * tshark found outside TCP (HTTP over UDP or SCTP) have no stream and are kept under stream -1,
   * where no connscope connection matches them.
   */
  static Map<Integer, TsStream> parse(List<String> lines) {
    Map<Integer, TsStream> streams = new TreeMap<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f.length < 9 || f[0].isEmpty()) {
        continue;
      }
      long frame = Long.parseLong(f[0]);
      int stream = f[1].isEmpty() ? -1 : Integer.parseInt(last(f[1]));
      String src = endpoint(f[2], f[4]);
      String dst = endpoint(f[3], f[5]);
      TsStream s =
          streams.computeIfAbsent(stream, k -> new TsStream(min(src, dst), max(src, dst), frame));
      String[] methods = f[6].isEmpty() ? new String[0] : f[6].split(AGG, -1);
      String[] uris = f[7].isEmpty() ? new String[0] : f[7].split(AGG, -1);
      for (int i = 0; i < methods.length; i++) {
        TsTx t = new TsTx(frame, methods[i], i < uris.length ? uris[i] : "");
        s.txs.add(t);
        s.pending.add(t);
      }
      String[] codes = f[8].isEmpty() ? new String[0] : f[8].split(AGG, -1);
      // tshark gives the request frame of the first response in a frame only
      long requestIn = f.length > 9 && !f[9].isEmpty() ? Long.parseLong(f[9].split(AGG)[0]) : -1;
      for (String code : codes) {
        int c = code.isEmpty() ? 0 : Integer.parseInt(code);
        if (c >= 100 && c < 200 && c != 101) {
          continue;
        }
        TsTx t = null;
        for (int pass = requestIn >= 0 ? 0 : 1; pass < 2 && t == null; pass++) {
          for (int i = 0; i < s.pending.size(); i++) {
            long rf = s.pending.get(i).frame;
            if (pass == 0 ? rf == requestIn : rf < frame) {
              t = s.pending.remove(i);
              break;
            }
          }
        }
        requestIn = -1;
        if (t == null) {
          t = new TsTx(frame, null, null);
          s.txs.add(t);
        }
        t.status = code;
        t.responseFrame = frame;
      }
    }
    return streams;
  }

  private static String endpoint(String addr, String port) {
    return address(last(addr)) + ":" + last(port);
  }

  /**
   * An address literal in one spelling: IPv6 compressed, an IPv4-mapped IPv6 address as IPv4
   * (tshark writes {@code ::ffff:1.2.3.4}). Only literals are parsed, so nothing is looked up.
   */
  static String address(String a) {
    if (!a.matches("[0-9A-Fa-f:.]+") || !a.contains(":") && !a.matches("[0-9.]+")) {
      return a;
    }
    try {
      return java.net.InetAddress.getByName(a).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return a;
    }
  }

  private static String last(String field) {
    int i = field.lastIndexOf(AGG);
    return i < 0 ? field : field.substring(i + AGG.length());
  }

  private static String min(String a, String b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String max(String a, String b) {
    return a.compareTo(b) <= 0 ? b : a;
  }

  // ---------------------------------------------------------------- comparison

  /**
   * Compares one capture. Each tshark stream goes to the connscope connection with the same two
   * endpoints whose frames contain the stream's first HTTP frame; then the transactions of a
   * connection are aligned in order, a tshark transaction matching a connscope one when its frame
   * lies within the frames of connscope's message (the request; for a response without request, the
   * response): tshark reports a message in the frame where its reassembly completed, which is the
   * frame of the message's last byte, between connscope's first and last frame of it. When the
   * frame rule fails but method and target are equal and neither neighbour matches by frame, the
   * two are the same transaction with a different frame.
   */
  static void compare(
      String capture, Map<Integer, TsStream> streams, Observed o, List<Diff> out, Totals totals) {
    List<Observed.Conn> conns = new ArrayList<>();
    for (Observed.Conn c : o.conns) {
      if (!c.txs().isEmpty()) {
        conns.add(c);
        totals.connscopeTx += c.txs().size();
      }
    }
    Map<Integer, List<TsTx>> byConn = new HashMap<>();
    for (Map.Entry<Integer, TsStream> e : streams.entrySet()) {
      TsStream s = e.getValue();
      totals.tsharkTx += s.txs.size();
      int match = -1;
      for (int i = 0; i < conns.size() && e.getKey() >= 0; i++) {
        Observed.Conn c = conns.get(i);
        String ca = address(c.clientIp()) + ":" + c.clientPort();
        String cb = address(c.serverIp()) + ":" + c.serverPort();
        if (min(ca, cb).equals(s.a)
            && max(ca, cb).equals(s.b)
            && c.firstFrame() <= s.firstFrame
            && s.firstFrame <= c.lastFrame()) {
          match = i;
          break;
        }
      }
      if (match < 0) {
        for (TsTx t : s.txs) {
          out.add(new Diff(capture, t.frame, "missing-in-connscope", describe(t), "-", null));
        }
        continue;
      }
      byConn.computeIfAbsent(match, k -> new ArrayList<>()).addAll(s.txs);
    }
    for (int i = 0; i < conns.size(); i++) {
      List<TsTx> ts = byConn.getOrDefault(i, new ArrayList<>());
      ts.sort(Comparator.comparingLong(t -> t.frame));
      align(capture, ts, conns.get(i).txs(), out, totals);
    }
  }

  /**
   * Pairs the transactions of one connection: first by request frame, then the rest by the final
   * response's frame, then, in order, what has the same method and target; what is left is missing
   * on the other side.
   */
  private static void align(
      String capture, List<TsTx> ts, List<Observed.Tx> cs, List<Diff> out, Totals totals) {
    Observed.Tx[] match = new Observed.Tx[ts.size()];
    boolean[] used = new boolean[cs.size()];
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < ts.size(); i++) {
        for (int j = 0; j < cs.size() && match[i] == null; j++) {
          if (!used[j]
              && (pass == 0
                  ? requestFrameWithin(ts.get(i), cs.get(j))
                  : responseFrameWithin(ts.get(i), cs.get(j)))) {
            match[i] = cs.get(j);
            used[j] = true;
          }
        }
      }
    }
    int j = 0;
    for (int i = 0; i < ts.size(); i++) {
      TsTx t = ts.get(i);
      if (match[i] != null || t.method == null) {
        continue;
      }
      for (int k = j; k < cs.size(); k++) {
        Observed.Tx c = cs.get(k);
        if (!used[k] && t.method.equals(c.method()) && uri(t.uri).equals(uri(c.uri()))) {
          match[i] = c;
          used[k] = true;
          j = k + 1;
          break;
        }
      }
    }
    for (int i = 0; i < ts.size(); i++) {
      TsTx t = ts.get(i);
      if (match[i] != null) {
        pair(capture, t, match[i], out, totals);
      } else {
        out.add(new Diff(capture, t.frame, "missing-in-connscope", describe(t), "-", null));
      }
    }
    for (int k = 0; k < cs.size(); k++) {
      if (!used[k]) {
        missingInTshark(capture, cs.get(k), out);
      }
    }
  }

  private static void pair(String capture, TsTx t, Observed.Tx c, List<Diff> out, Totals totals) {
    totals.compared++;
    int before = out.size();
    if (t.method == null && c.method() != null) {
      out.add(
          new Diff(
              capture,
              t.frame,
              "request-missing-in-tshark",
              "-",
              text(c.method()) + " " + text(c.uri()) + " @" + frames(c),
              null));
    } else if (t.method != null && c.method() == null) {
      out.add(
          new Diff(
              capture,
              t.frame,
              "request-missing-in-connscope",
              text(t.method) + " " + text(t.uri),
              "-",
              null));
    } else if (t.method != null) {
      if (!requestFrameWithin(t, c)) {
        out.add(
            new Diff(capture, t.frame, "frame-differs", Long.toString(t.frame), frames(c), null));
      }
      if (!t.method.equals(c.method())) {
        out.add(
            new Diff(capture, t.frame, "method-differs", text(t.method), text(c.method()), null));
      }
      if (!uri(t.uri).equals(uri(c.uri()))) {
        out.add(new Diff(capture, t.frame, "uri-differs", text(t.uri), text(c.uri()), null));
      }
    }
    if (!t.status.equals(status(c))) {
      out.add(new Diff(capture, t.frame, "status-differs", t.status, status(c), null));
    }
    if (t.responseFrame >= 0 && c.responseFirstFrame() >= 0 && !responseFrameWithin(t, c)) {
      // both answered, by different responses: the pairing differs
      out.add(
          new Diff(
              capture,
              t.frame,
              "response-differs",
              t.status + " @" + t.responseFrame,
              status(c) + " @" + responseFrames(c),
              null));
    }
    if (out.size() == before) {
      totals.agree++;
    }
  }

  private static void missingInTshark(String capture, Observed.Tx c, List<Diff> out) {
    out.add(new Diff(capture, first(c), "missing-in-tshark", "-", describe(c), null));
  }

  /** tshark's frame of the final response lies within connscope's frames of it. */
  private static boolean responseFrameWithin(TsTx t, Observed.Tx c) {
    long last = c.responseLastFrame() < 0 ? c.responseFirstFrame() : c.responseLastFrame();
    return t.responseFrame >= 0
        && c.responseFirstFrame() >= 0
        && c.responseFirstFrame() <= t.responseFrame
        && t.responseFrame <= last;
  }

  private static String responseFrames(Observed.Tx c) {
    long last = c.responseLastFrame() < 0 ? c.responseFirstFrame() : c.responseLastFrame();
    return c.responseFirstFrame() == last
        ? Long.toString(last)
        : c.responseFirstFrame() + "-" + last;
  }

  /** tshark's frame of the request lies within connscope's frames of it. */
  private static boolean requestFrameWithin(TsTx t, Observed.Tx c) {
    if (t.method == null || c.method() == null) {
      return false;
    }
    long last = c.requestLastFrame() < 0 ? c.requestFirstFrame() : c.requestLastFrame();
    return c.requestFirstFrame() <= t.frame && t.frame <= last;
  }

  /** connscope's first frame of the transaction: of its request if any was seen. */
  private static long first(Observed.Tx c) {
    return c.requestFirstFrame() >= 0 ? c.requestFirstFrame() : c.responseFirstFrame();
  }

  private static long lastOf(Observed.Tx c) {
    long last = c.requestFirstFrame() >= 0 ? c.requestLastFrame() : c.responseLastFrame();
    return last < 0 ? first(c) : last;
  }

  private static String frames(Observed.Tx c) {
    return first(c) == lastOf(c) ? Long.toString(first(c)) : first(c) + "-" + lastOf(c);
  }

  /** connscope's final status; "0" for an HTTP/0.9 reply (no status line), "-" for none. */
  private static String status(Observed.Tx c) {
    if (c.status() > 0) {
      return Integer.toString(c.status());
    }
    return c.responseFirstFrame() >= 0 ? "0" : "-";
  }

  /**
   * The target as compared. tshark prints a string field's bytes as UTF-8 where valid and anything
   * else as {@code \xNN}; connscope keeps the raw bytes as Latin-1 characters.
   */
  static String uri(String u) {
    return u == null ? "" : u;
  }

  private static String describe(TsTx t) {
    return (t.method == null ? "(response)" : text(t.method) + " " + text(t.uri))
        + " -> "
        + t.status;
  }

  private static String describe(Observed.Tx c) {
    String request =
        c.method() != null
            ? text(c.method()) + " " + text(c.uri())
            : c.requestFirstFrame() >= 0 ? "(request bytes, no request line)" : "(response)";
    return request + " -> " + status(c) + " @" + frames(c);
  }

  /** A field as written to the TSV: control characters and backslashes escaped, cut at 200. */
  static String text(String s) {
    if (s == null) {
      return "(none)";
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < s.length() && sb.length() < 200; k++) {
      char ch = s.charAt(k);
      if (ch == '\\') {
        sb.append("\\\\");
      } else if (ch < 0x20 || ch == 0x7f) {
        sb.append(String.format("\\x%02x", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    if (sb.length() >= 200) {
      sb.setLength(200);
      sb.append("...");
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- expectations file

  /** The checked-in expectations: the reason table and the difference rows. */
  static final class Expectations {
    final Map<String, String> reasons = new LinkedHashMap<>();
    final List<Diff> rows = new ArrayList<>();
    private final Map<String, String> byKey = new HashMap<>();
    private final Map<String, String> byPlace = new HashMap<>();

    static Expectations read(Path file) throws IOException {
      Expectations e = new Expectations();
      if (!Files.isRegularFile(file)) {
        return e;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f[0].equals("reason") && f.length == 3) {
          e.reasons.put(f[1], f[2]);
        } else if (f[0].equals("diff") && f.length == 7) {
          Diff d = new Diff(f[1], Long.parseLong(f[2]), f[3], f[4], f[5], f[6]);
          e.rows.add(d);
          e.byKey.put(d.key(), d.reason());
          e.byPlace.put(d.place(), d.reason());
        } else {
          throw new IOException(file + ": bad line: " + line);
        }
      }
      return e;
    }

    /**
     * The listed reason of an unchanged row; {@code UNEXPLAINED} for a new one, with the former
     * reason when only the values changed at the same place (it must be checked again).
     */
    String reasonFor(Diff d) {
      String r = byKey.get(d.key());
      if (r != null) {
        return r;
      }
      String was = byPlace.get(d.place());
      return was == null || was.startsWith(UNEXPLAINED)
          ? UNEXPLAINED
          : UNEXPLAINED + "(was:" + was + ")";
    }

    void write(Path file, List<Diff> diffs, String version) throws IOException {
      List<Diff> sorted = new ArrayList<>(diffs);
      sorted.sort(
          Comparator.comparing(Diff::capture)
              .thenComparingLong(Diff::frame)
              .thenComparing(Diff::kind)
              .thenComparing(Diff::connscope));
      StringBuilder sb = new StringBuilder();
      sb.append("# Differences between tshark and connscope, per HTTP transaction, over every\n")
          .append("# sample and every capture of ../shared/corpus: TsharkDifferentialTest.\n")
          .append("# Each is checked against the packets; see docs/conformance.md.\n")
          .append("# tshark: ")
          .append(version)
          .append("\n# Regenerate with\n#   ")
          .append(REGENERATE)
          .append("\n# which keeps the reason of every unchanged row; new rows get ")
          .append(UNEXPLAINED)
          .append(" (the test fails until each has a reason).\n#\n")
          .append("# reason <TAB> id <TAB> explanation\n");
      for (Map.Entry<String, String> r : reasons.entrySet()) {
        sb.append("reason\t").append(r.getKey()).append('\t').append(r.getValue()).append('\n');
      }
      sb.append("#\n# diff <TAB> capture <TAB> frame (tshark's; connscope's first for ")
          .append("missing-in-tshark) <TAB> kind <TAB> tshark <TAB> connscope <TAB> reason\n");
      for (Diff d : sorted) {
        sb.append(d.row()).append('\n');
      }
      Files.createDirectories(file.getParent());
      Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }
  }

  // ---------------------------------------------------------------- output

  private static void print(
      String version, Totals t, List<Diff> diffs, Map<String, String> reasons) {
    Map<String, Integer> byReason = new TreeMap<>();
    Map<String, Integer> byKind = new TreeMap<>();
    for (Diff d : diffs) {
      byReason.merge(reasons.containsKey(d.reason()) ? d.reason() : UNEXPLAINED, 1, Integer::sum);
      byKind.merge(d.kind(), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "TsharkDifferentialTest (%s): %d captures, tshark %d transactions, "
                + "connscope %d; %d compared, %d agree; %d differences; tshark ran %.1f s in all%n",
            version,
            t.captures,
            t.tsharkTx,
            t.connscopeTx,
            t.compared,
            t.agree,
            diffs.size(),
            t.tsharkMillis / 1000.0));
    sb.append("  by kind:");
    byKind.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    sb.append("\n  slowest tshark runs:");
    t.slowest.descendingMap().entrySet().stream()
        .limit(5)
        .forEach(
            e ->
                sb.append(' ')
                    .append(e.getValue())
                    .append('=')
                    .append(e.getKey() / 10000)
                    .append("ms"));
    sb.append("\n  by reason:");
    byReason.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    System.out.println(sb);
  }

  /** -Dtshark.diff.detail=CAPTURE (its name as in the file) prints both sides' transactions. */
  private static void detail(String capture, Map<Integer, TsStream> streams, Observed o) {
    StringBuilder sb = new StringBuilder("DETAIL " + capture + "\n");
    streams.forEach(
        (k, s) -> {
          sb.append("  tshark stream ")
              .append(k)
              .append(' ')
              .append(s.a)
              .append(' ')
              .append(s.b)
              .append('\n');
          for (TsTx t : s.txs) {
            sb.append("    ")
                .append(t.frame)
                .append(' ')
                .append(describe(t))
                .append(" (response @")
                .append(t.responseFrame)
                .append(")\n");
          }
        });
    for (Observed.Conn c : o.conns) {
      if (c.txs().isEmpty()) {
        continue;
      }
      sb.append("  connscope ")
          .append(c.client())
          .append(' ')
          .append(c.server())
          .append(" frames ")
          .append(c.firstFrame())
          .append('-')
          .append(c.lastFrame())
          .append('\n');
      for (Observed.Tx t : c.txs()) {
        sb.append("    ")
            .append(describe(t))
            .append(" (response @")
            .append(t.responseFirstFrame())
            .append('-')
            .append(t.responseLastFrame())
            .append(")\n");
      }
    }
    System.out.println(sb);
  }

  private static String first(List<String> rows, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows.size() && i < n; i++) {
      sb.append("  ").append(rows.get(i)).append('\n');
    }
    if (rows.size() > n) {
      sb.append("  ... ").append(rows.size() - n).append(" more\n");
    }
    return sb.toString();
  }
}
