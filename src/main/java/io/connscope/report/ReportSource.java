package io.connscope.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON report read in pieces and bound to the result model ({@link ResultJson}), so that
 * rendering it needs memory bounded by what is drawn, not by the size of the capture: the header
 * (every top-level field but {@code connections} and {@code findings}) is kept; connections and
 * findings are handed over one at a time as records, each time they are asked for (the file is read
 * again). A connection keeps at most {@value #TRANSACTIONS_KEPT} transactions ({@link
 * ConnectionView#transactionsRead} says how many it had); {@link #replay} hands the whole report to
 * a {@link ResultSink}, as the analysis would.
 *
 * <p>{@link #check} reads a whole report and checks every part against the schema ({@link
 * SchemaCheck}): {@code connscope report} runs it before rendering an untrusted file.
 */
final class ReportSource {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Transactions kept per connection (the waterfall draws at most {@value
   * HtmlReportWriter#MAX_ROWS}).
   */
  static final int TRANSACTIONS_KEPT = 100;

  /** The field that holds a connection's transaction count when some were dropped. */
  static final String COUNT = "\u0000transactions";

  /**
   * A connection as the renderers get it: the record, its first transactions (at most {@value
   * #TRANSACTIONS_KEPT}) and how many transactions the report holds for it; and its {@link Head},
   * the few fields that a pass over every connection reads.
   *
   * <p>The digest's pass over a report this process wrote ({@link #connectionsAndTransactions}
   * without a transaction visitor) hands over views that hold their head only: the record and its
   * transactions are bound when first asked for, read again from where the connection starts in the
   * file. The pass keeps a few hundred of many thousand connections (the table's first, the
   * slowest, those with findings), so most are never bound.
   */
  static final class ConnectionView {
    private final Head head;
    private final int transactionsRead;
    private ConnectionResult connection;
    private List<TransactionResult> transactions;

    /** Where to read the connection from until it is bound; null once bound. */
    private Binder binder;

    private final long offset;

    ConnectionView(
        ConnectionResult connection, List<TransactionResult> transactions, int transactionsRead) {
      this.head = Head.of(connection);
      this.transactionsRead = transactionsRead;
      this.connection = connection;
      this.transactions = transactions;
      this.binder = null;
      this.offset = -1;
    }

    private ConnectionView(Head head, int transactionsRead, Binder binder, long offset) {
      this.head = head;
      this.transactionsRead = transactionsRead;
      this.binder = binder;
      this.offset = offset;
    }

    /** The fields every connection's pass reads, without binding the record. */
    Head head() {
      return head;
    }

    /** How many transactions the report holds for the connection. */
    int transactionsRead() {
      return transactionsRead;
    }

    /** The record (bound now when it was not). */
    ConnectionResult connection() {
      bindUnchecked();
      return connection;
    }

    /**
     * The first transactions, at most {@value #TRANSACTIONS_KEPT} (bound now when they were not).
     */
    List<TransactionResult> transactions() {
      bindUnchecked();
      return transactions;
    }

    /** This view, its record and transactions bound: for a view kept beyond the pass. */
    ConnectionView bound() throws IOException {
      if (binder != null) {
        ConnectionView v = binder.bind(offset, transactionsRead);
        if (v.connection.id() != head.id()) {
          throw new IOException(
              "the report file is not as written: "
                  + v.connection.idString()
                  + " where "
                  + head.idString()
                  + " was written");
        }
        connection = v.connection;
        transactions = v.transactions;
        binder = null;
      }
      return this;
    }

    private void bindUnchecked() {
      try {
        bound();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /**
   * What a pass over every connection reads of each (the digest's): the record's values of these
   * fields, read without binding the record.
   */
  record Head(
      long id,
      String clientIp,
      io.connscope.result.Endpoint server,
      boolean rolesInferred,
      long startUs,
      long endUs,
      long gaps,
      Tls tls,
      int maxPipelineDepth,
      String closeReason,
      String closeFirstBy) {
    /** The id as the report writes it ("C12"), as {@link ConnectionResult#idString}. */
    String idString() {
      return io.connscope.result.ConnectionIds.of(id);
    }

    static Head of(ConnectionResult c) {
      return new Head(
          c.id(),
          c.client().ip(),
          c.server(),
          c.rolesInferred(),
          c.startUs(),
          c.endUs(),
          c.clientToServer().gaps() + c.serverToClient().gaps(),
          Tls.of(c.tls()),
          c.http() == null ? 0 : c.http().maxPipelineDepth(),
          c.close().reason(),
          c.close().firstBy());
    }

    /**
     * What the pass reads of a TLS connection's facts: version, handshake, resumption, the
     * ClientHello's time (-1: not seen), the inferred exchanges listed and counted. Null for a
     * connection without TLS.
     */
    record Tls(
        String version,
        String handshake,
        String resumption,
        long clientHelloUs,
        int exchanges,
        int exchangeCount) {
      static Tls of(io.connscope.result.TlsFacts t) {
        return t == null
            ? null
            : new Tls(
                t.version(),
                t.handshake(),
                t.resumption(),
                t.timing().clientHelloUs(),
                t.inferredExchanges().size(),
                t.inferredExchangeCount());
      }
    }
  }

  /** Receives one connection of a report. */
  interface ConnectionVisitor {
    void accept(ConnectionView c) throws IOException;
  }

  /** Receives one finding of a report. */
  interface FindingVisitor {
    void accept(Finding f) throws IOException;
  }

  /** Receives one part of a report as read (a Jackson tree). */
  private interface Visitor {
    void accept(JsonNode n) throws IOException;
  }

  private final Path file;
  private final JsonNode tree;
  private final ObjectNode header;
  private ResultJson.Header bound;

  /**
   * Where the connections and findings arrays start in the file (their '['), when the writer said
   * so ({@link #written}): a pass then reads its array from there instead of reading (and skipping)
   * the document up to it. -1: unknown.
   */
  private final long connectionsAt;

  private final long findingsAt;

  /**
   * The heads of the connections, kept by the writer ({@link JsonReportWriter#keepHeads}): the
   * digest's pass reads them instead of the connections array. Null when not kept.
   */
  private final HeadRows heads;

  /**
   * True for a report this process wrote ({@link #written}): its arrays are read by {@link
   * TreeReader}. A report from elsewhere is read by Jackson, from where its arrays start once
   * {@link #check} found them.
   */
  private final boolean trusted;

  /** Set by {@link #check}: where each array was found, and how many times. */
  private final long[] arrayAt = {-1, -1};

  private final int[] arrays = new int[2];

  private ReportSource(
      Path file,
      JsonNode tree,
      ObjectNode header,
      long connectionsAt,
      long findingsAt,
      HeadRows heads,
      boolean trusted) {
    this.file = file;
    this.tree = tree;
    this.header = header;
    this.connectionsAt = connectionsAt;
    this.findingsAt = findingsAt;
    this.heads = heads;
    this.trusted = trusted;
  }

  /** A report already in memory (tests, small reports). */
  static ReportSource of(JsonNode tree) {
    ObjectNode h = JsonNodeFactory.instance.objectNode();
    Iterator<Map.Entry<String, JsonNode>> it = tree.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      boolean array = "connections".equals(e.getKey()) || "findings".equals(e.getKey());
      h.set(e.getKey(), array ? JsonNodeFactory.instance.arrayNode() : e.getValue());
    }
    return new ReportSource(null, tree, h, -1, -1, null, false);
  }

  /** A report file, read again for each pass; its header is read now. */
  static ReportSource open(Path file) throws IOException {
    return new ReportSource(file, null, readHeader(file, false), -1, -1, null, false);
  }

  /**
   * A report file this process has just written with {@link JsonReportWriter}, which gave where its
   * connections and findings arrays start ({@link JsonReportWriter#connectionsOffset}, {@link
   * JsonReportWriter#findingsOffset}): they are its last fields, so the header is read up to the
   * connections, and each pass reads its array from where it starts. With the heads the writer kept
   * ({@link JsonReportWriter#keepHeads}; null: none), the digest's pass reads them instead of the
   * connections array.
   */
  static ReportSource written(Path file, long connectionsAt, long findingsAt, HeadRows heads)
      throws IOException {
    return new ReportSource(
        file, null, readHeader(file, true), connectionsAt, findingsAt, heads, true);
  }

  /**
   * The top-level fields but connections and findings (those as empty arrays); with {@code
   * lastArrays}, the reading stops at the connections (the writer puts both arrays last).
   */
  private static ObjectNode readHeader(Path file, boolean lastArrays) throws IOException {
    ObjectNode h = JsonNodeFactory.instance.objectNode();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        JsonParser p = MAPPER.getFactory().createParser(in)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, "a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("connections".equals(name) || "findings".equals(name)) {
          h.set(name, JsonNodeFactory.instance.arrayNode());
          if (lastArrays) {
            h.set("findings", JsonNodeFactory.instance.arrayNode());
            break;
          }
          p.skipChildren();
        } else {
          h.set(name, p.readValueAsTree());
        }
        if (t == null) {
          break;
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("not a JSON document (" + e.getOriginalMessage() + ")");
    }
    return h;
  }

  /**
   * A {@link TreeReader} in the array of {@code field} ("connections" or "findings") of a report
   * this process wrote, read from where it starts (its '[' consumed); null when the start is not
   * known.
   */
  private TreeReader reader(String field) throws IOException {
    java.io.InputStream in = trusted ? from(field) : null;
    if (in == null) {
      return null;
    }
    TreeReader r = new TreeReader(in);
    try {
      r.beginArray();
      return r;
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /**
   * The report file from where the array of {@code field} ("connections" or "findings") starts, as
   * the writer recorded it; null when the start is not known.
   */
  private java.io.InputStream from(String field) throws IOException {
    long at = "connections".equals(field) ? connectionsAt : findingsAt;
    return at < 0 ? null : from(at);
  }

  /** The report file from byte {@code at} on; closing the stream closes its channel. */
  private java.io.InputStream from(long at) throws IOException {
    java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file);
    try {
      ch.position(at);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return java.nio.channels.Channels.newInputStream(ch);
  }

  /**
   * A parser on the array of {@code field} ("connections" or "findings") read from where it starts,
   * its current token the array's start; null when the start is not known (the caller reads the
   * document from its beginning).
   */
  private JsonParser at(String field) throws IOException {
    java.io.InputStream in = from(field);
    if (in == null) {
      return null;
    }
    JsonParser p;
    try {
      p = MAPPER.getFactory().createParser(new BufferedInputStream(in, 1 << 16));
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
    if (p.nextToken() != JsonToken.START_ARRAY) {
      p.close();
      throw new IOException("the report file changed while it was read (no " + field + " array)");
    }
    return p;
  }

  private static void expect(JsonParser p, JsonToken got, JsonToken want, String what)
      throws IOException {
    if (got != want) {
      throw new IOException("not a connscope JSON report (the document is not " + what + ")");
    }
  }

  /** The schema and tool versions and the capture summary (totals and pairs included). */
  ResultJson.Header header() {
    if (bound == null) {
      bound = ResultJson.header(header);
    }
    return bound;
  }

  /**
   * Hands every connection over, in report order, each with at most {@link #TRANSACTIONS_KEPT}
   * transactions.
   */
  void connections(ConnectionVisitor v) throws IOException {
    each("connections", n -> v.accept(view(n)), null);
  }

  /**
   * For a report this process has just written ({@link #written}): hands every connection over as
   * {@link #connections} does and, in the same pass, every transaction as {@link #transactions}
   * does, each read and bound once (the writer puts a connection's transactions last); with {@code
   * tv} null, only the transactions a connection view keeps are bound, the rest counted and
   * skipped. False, and nothing read, for any other report: the caller makes the two passes.
   */
  boolean connectionsAndTransactions(ConnectionVisitor cv, TransactionVisitor tv)
      throws IOException {
    if (connectionsAt < 0 || !trusted) {
      return false;
    }
    if (tv == null && heads != null) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
        Binder b = new Binder(ch);
        try {
          // the first connection after "[\n"
          if (heads.read(
              connectionsAt + 2,
              (h, offset, n) -> cv.accept(new ConnectionView(h, n, b, offset)))) {
            return true;
          }
        } finally {
          b.channel = null; // closed here: a view bound later opens the file again
        }
      }
    }
    try (TreeReader r = reader("connections")) {
      TransactionReader txs = new TransactionReader(r);
      while (r.nextItem()) {
        cv.accept(readView(r, txs, tv, -1));
      }
    }
    return true;
  }

  /**
   * The connection at {@code r} (its '{' next) as a view with its record and first transactions
   * bound, each transaction handed to {@code tv} when not null. With {@code count} -1, every
   * transaction is read (counted; beyond the kept ones, bound only for {@code tv}); else the count
   * is known and the reading stops after the kept ones.
   */
  private static ConnectionView readView(
      TreeReader r, TransactionReader txs, TransactionVisitor tv, int count) throws IOException {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    ConnectionResult cr = null;
    List<TransactionResult> kept = new ArrayList<>();
    int read = 0;
    r.beginObject();
    for (String f = r.nextField(); f != null; f = r.nextField()) {
      if (cr == null && "transactions".equals(f) && r.next() == '[') {
        cr = ResultJson.connection(c);
        r.beginArray();
        while ((count < 0 || read < Math.min(count, TRANSACTIONS_KEPT)) && r.nextItem()) {
          if (tv == null && read >= TRANSACTIONS_KEPT) {
            r.skipValue(); // counted, not built
            read++;
            continue;
          }
          TransactionResult t = txs.read(cr.id()); // no tree: they are many
          if (tv != null) {
            tv.accept(cr, t);
          }
          if (read++ < TRANSACTIONS_KEPT) {
            kept.add(t);
          }
        }
        if (count >= 0) {
          return new ConnectionView(cr, List.copyOf(kept), count); // the rest is not read
        }
      } else if (cr != null) {
        throw new IOException("the report file is not as written: a field after transactions");
      } else {
        c.set(f, r.value());
      }
    }
    return new ConnectionView(cr != null ? cr : ResultJson.connection(c), List.copyOf(kept), read);
  }

  /**
   * Binds the views of the heads' pass: reads a connection again from where its row says it starts
   * in the file, through the pass's channel while it is open (one bind at a time), else from the
   * file opened again.
   */
  private final class Binder {
    java.nio.channels.FileChannel channel;

    Binder(java.nio.channels.FileChannel channel) {
      this.channel = channel;
    }

    ConnectionView bind(long offset, int count) throws IOException {
      java.io.InputStream in =
          channel != null
              ? java.nio.channels.Channels.newInputStream(channel.position(offset))
              : from(offset);
      try {
        TreeReader r = new TreeReader(in, 1 << 13);
        if (r.next() != '{') {
          throw new IOException("the report file is not as written: no connection at " + offset);
        }
        return readView(r, new TransactionReader(r), null, count);
      } finally {
        if (channel == null) {
          in.close(); // the pass's channel is closed by the pass
        }
      }
    }
  }

  private static ConnectionView view(JsonNode c) {
    ConnectionResult cr = ResultJson.connection(c);
    List<TransactionResult> txs = new ArrayList<>(c.path("transactions").size());
    for (JsonNode t : c.path("transactions")) {
      txs.add(ResultJson.transaction(cr.id(), t));
    }
    return new ConnectionView(cr, List.copyOf(txs), transactionCount(c));
  }

  /** Receives each transaction with its connection (the connection without its transactions). */
  interface TransactionVisitor {
    void accept(ConnectionResult connection, TransactionResult transaction) throws IOException;
  }

  /** Transactions buffered per connection when they come before the connection's other fields. */
  static final int TRANSACTIONS_BUFFERED = 100_000;

  /**
   * Hands every transaction of every connection over, in report order, without keeping a
   * connection's transactions: connscope writes them as the connection's last field, so each is
   * handed over as it is read (in another order, at most {@value #TRANSACTIONS_BUFFERED} are held).
   */
  void transactions(TransactionVisitor v) throws IOException {
    if (tree != null) {
      for (JsonNode c : tree.path("connections")) {
        ConnectionResult cr = ResultJson.connection(c);
        for (JsonNode t : c.path("transactions")) {
          v.accept(cr, ResultJson.transaction(cr.id(), t));
        }
      }
      return;
    }
    if (connectionsAndTransactions(c -> {}, v)) {
      return;
    }
    eachConnectionsArray(p -> walkConnections(p, false, v, null));
  }

  /**
   * The findings of one transaction after another, read alongside {@link #transactions}: connscope
   * orders findings by connection number and transaction, as it orders connections and their
   * transactions, so one forward pass finds them all.
   */
  final class FindingCursor implements AutoCloseable {
    private final JsonParser parser;
    private final Iterator<JsonNode> it;
    private final TreeReader reader;

    /** Binds the findings of a report this process wrote, without their details and ladder. */
    private final FindingReader findings;

    private boolean done;
    private Finding next;
    private long nextKey;
    private boolean started;
    private boolean primed;

    private FindingCursor() throws IOException {
      if (tree != null) {
        it = tree.path("findings").elements();
        parser = null;
        reader = null;
        findings = null;
        return;
      }
      it = null;
      reader = reader("findings");
      findings = reader == null ? null : new FindingReader(reader);
      if (reader != null) {
        parser = null;
        return;
      }
      JsonParser at = at("findings"); // a report checked: from where its array starts
      started = at != null;
      parser =
          at != null
              ? at
              : MAPPER
                  .getFactory()
                  .createParser(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    private Finding read() throws IOException {
      if (it != null) {
        return it.hasNext() ? ResultJson.finding(it.next()) : null;
      }
      if (reader != null) {
        done = done || !reader.nextItem();
        return done ? null : findings.read(null, true); // the HAR shows neither
      }
      if (!started) {
        started = true;
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken t = parser.nextToken();
          if ("findings".equals(name) && t == JsonToken.START_ARRAY) {
            break;
          }
          parser.skipChildren();
        }
        if (parser.currentToken() != JsonToken.START_ARRAY) {
          return null;
        }
      }
      JsonToken t = parser.nextToken();
      return t == null || t == JsonToken.END_ARRAY
          ? null
          : ResultJson.finding(parser.readValueAsTree());
    }

    /**
     * The findings naming transaction {@code index} of connection {@code id}, in report order
     * (without their details and ladder when read from a report this process wrote: the HAR's).
     */
    java.util.List<Finding> take(String id, long index) throws IOException {
      long want = findingKey(id, index);
      java.util.List<Finding> out = List.of();
      try {
        if (!primed) {
          primed = true;
          advance();
        }
        while (next != null && nextKey <= want) { // the next one's key once, not per transaction
          if (nextKey == want && id.equals(next.connection()) && next.transaction() >= 0) {
            if (out.isEmpty()) {
              out = new java.util.ArrayList<>(1);
            }
            out.add(next);
          }
          advance();
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IOException("not a JSON document (" + e.getOriginalMessage() + ")");
      }
      return out;
    }

    private void advance() throws IOException {
      next = read();
      nextKey = next == null ? Long.MAX_VALUE : findingKey(next.connection(), next.transaction());
    }

    @Override
    public void close() throws IOException {
      if (parser != null) {
        parser.close();
      }
      if (reader != null) {
        reader.close();
      }
    }
  }

  /**
   * The order of findings by connection number, then transaction (none first), as connscope writes
   * them: a key of both (transactions from 16,777,215 on share one).
   */
  static long findingKey(String connection, long tx) {
    long conn =
        Math.min(
            Math.max(io.connscope.result.ConnectionIds.number(connection) + 1, 0), (1L << 38) - 1);
    return (conn << 24) + Math.min(Math.max(tx + 1, 0), (1 << 24) - 1);
  }

  FindingCursor findingCursor() throws IOException {
    return new FindingCursor();
  }

  /** Hands every finding over, in report order. */
  void findings(FindingVisitor v) throws IOException {
    findings(v, null);
  }

  /**
   * Hands over the findings whose connection ({@code "C12"}; null for a capture-wide one) passes
   * {@code connection} (every one when null), in report order, and may hand over others too (from a
   * report read by Jackson): the visitor still looks at each. From a report this process wrote they
   * are bound without a tree ({@link FindingReader}), the others read past.
   */
  void findings(FindingVisitor v, java.util.function.Predicate<String> connection)
      throws IOException {
    if (tree == null) {
      try (TreeReader r = reader("findings")) {
        if (r != null) {
          FindingReader findings = new FindingReader(r);
          while (r.nextItem()) {
            Finding f = findings.read(connection, false);
            if (f != null) {
              v.accept(f);
            }
          }
          return;
        }
      }
    }
    each("findings", n -> v.accept(ResultJson.finding(n)), null);
  }

  /**
   * Hands the whole report to {@code sink} as the analysis would: each connection's transactions,
   * then the connection, in report order; then every finding; then the capture summary. Memory: one
   * connection's fields at a time (and its transactions only when they come before its other
   * fields, at most {@value #TRANSACTIONS_BUFFERED}).
   */
  void replay(ResultSink sink) throws IOException {
    if (tree != null) {
      for (JsonNode c : tree.path("connections")) {
        ConnectionResult cr = ResultJson.connection(c);
        for (JsonNode t : c.path("transactions")) {
          sink.transaction(ResultJson.transaction(cr.id(), t));
        }
        sink.connection(cr);
      }
    } else {
      eachConnectionsArray(
          p -> walkConnections(p, true, (c, t) -> sink.transaction(t), sink::connection));
    }
    findings(sink::finding);
    sink.finish(header().capture());
  }

  /** What is done with a connections array, given a parser at its start. */
  private interface ArrayWalk {
    void walk(JsonParser p) throws IOException;
  }

  /**
   * Hands {@code walk} the connections array of the report file: from where the writer recorded it,
   * else every "connections" array of the document read from its beginning.
   */
  private void eachConnectionsArray(ArrayWalk walk) throws IOException {
    try {
      try (JsonParser p = at("connections")) {
        if (p != null) {
          walk.walk(p);
          return;
        }
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
          JsonParser p = MAPPER.getFactory().createParser(in)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          if (!"connections".equals(name) || t != JsonToken.START_ARRAY) {
            p.skipChildren();
            continue;
          }
          walk.walk(p);
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("not a JSON document (" + e.getOriginalMessage() + ")");
    }
  }

  /**
   * Walks the connections array {@code p} is at the start of, one connection's fields at a time:
   * each transaction goes to {@code tv} as it is read once the fields before it say enough (its
   * connection's id when {@code byId}, with a null connection; else the id, client, server and
   * start, with the connection bound from them), otherwise it waits (at most {@value
   * #TRANSACTIONS_BUFFERED}) for the connection's end; then {@code end}, when not null, gets the
   * connection.
   */
  private static void walkConnections(
      JsonParser p,
      boolean byId,
      TransactionVisitor tv,
      java.util.function.Consumer<ConnectionResult> end)
      throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      ObjectNode c = JsonNodeFactory.instance.objectNode();
      List<JsonNode> early = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken ft = p.nextToken();
        if ("transactions".equals(f) && ft == JsonToken.START_ARRAY) {
          ConnectionResult cr = null;
          long id = -1;
          if (byId) {
            id =
                c.has("id")
                    ? io.connscope.result.ConnectionIds.number(ResultJson.str(c, "id"))
                    : -1;
          } else if (c.has("id") && c.has("client") && c.has("server") && c.has("start_us")) {
            cr = ResultJson.connection(c);
            id = cr.id();
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            JsonNode tx = p.readValueAsTree();
            if (id >= 0) {
              tv.accept(cr, ResultJson.transaction(id, tx));
            } else if (early.size() < TRANSACTIONS_BUFFERED) {
              early.add(tx);
            }
          }
        } else {
          c.set(f, p.readValueAsTree());
        }
      }
      if (end != null || !early.isEmpty()) {
        ConnectionResult cr = ResultJson.connection(c);
        for (JsonNode tx : early) {
          tv.accept(cr, ResultJson.transaction(cr.id(), tx));
        }
        if (end != null) {
          end.accept(cr);
        }
      }
    }
  }

  /** The number of transactions of a connection handed over (some may have been dropped). */
  static int transactionCount(JsonNode c) {
    JsonNode n = c.get(COUNT);
    return n != null ? n.asInt() : c.path("transactions").size();
  }

  private void each(String field, Visitor v, Check check) throws IOException {
    if (tree != null) {
      for (JsonNode n : tree.path(field)) {
        v.accept("connections".equals(field) ? capped(n) : n);
      }
      return;
    }
    try {
      if (check == null) {
        try (TreeReader r = reader(field)) {
          if (r != null) {
            while (r.nextItem()) {
              v.accept("connections".equals(field) ? readConnection(r) : r.value());
            }
            return;
          }
        }
        try (JsonParser p = at(field)) { // a report checked, from where its array starts
          if (p != null) {
            items(p, field, v, null);
            return;
          }
        }
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
          JsonParser p = MAPPER.getFactory().createParser(in)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          if (!field.equals(name)) {
            if (check != null && !"connections".equals(name) && !"findings".equals(name)) {
              check.top(name, p.readValueAsTree());
            } else {
              p.skipChildren();
            }
            continue;
          }
          if (t != JsonToken.START_ARRAY) {
            if (check != null) {
              throw new SchemaCheck.Invalid(
                  "$." + field + " should be array, not " + SchemaCheck.kind(p.readValueAsTree()));
            }
            p.skipChildren();
            continue;
          }
          if (check != null) {
            found(field, p);
          }
          items(p, field, v, check);
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("not a JSON document (" + e.getOriginalMessage() + ")");
    }
  }

  /** Hands over the items of the array {@code p} is at the start of, up to its end. */
  private static void items(JsonParser p, String field, Visitor v, Check check) throws IOException {
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String at = check == null ? null : "$." + field + "[" + i + "]";
      i++;
      JsonNode n = "connections".equals(field) ? readConnection(p, check, at) : p.readValueAsTree();
      if (check != null && !"connections".equals(field)) {
        SchemaCheck.check(n, SchemaCheck.item(field), at);
      }
      v.accept(n);
    }
  }

  /**
   * A connection of a report this process wrote with at most TRANSACTIONS_KEPT transactions (those
   * beyond are counted, not built), as {@link #readConnection(JsonParser, Check, String)} reads it.
   */
  private static JsonNode readConnection(TreeReader r) throws IOException {
    if (r.next() != '{') {
      return r.value();
    }
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    int count = -1;
    r.beginObject();
    for (String name = r.nextField(); name != null; name = r.nextField()) {
      if ("transactions".equals(name) && r.next() == '[') {
        ArrayNode txs = JsonNodeFactory.instance.arrayNode();
        count = 0;
        r.beginArray();
        while (r.nextItem()) {
          if (count++ < TRANSACTIONS_KEPT) {
            txs.add(r.value());
          } else {
            r.skipValue();
          }
        }
        c.set(name, txs);
      } else {
        c.set(name, r.value());
      }
    }
    if (count > TRANSACTIONS_KEPT) {
      c.put(COUNT, count);
    }
    return c;
  }

  /**
   * A connection with at most TRANSACTIONS_KEPT transactions, each checked when {@code check} is
   * given.
   */
  private static JsonNode readConnection(JsonParser p, Check check, String at) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      JsonNode n = p.readValueAsTree();
      if (check != null) {
        SchemaCheck.check(n, SchemaCheck.item("connections"), at);
      }
      return n;
    }
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    int count = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if ("transactions".equals(name) && t == JsonToken.START_ARRAY) {
        ArrayNode txs = JsonNodeFactory.instance.arrayNode();
        count = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (check == null && count >= TRANSACTIONS_KEPT) {
            // counted only: not built, not kept
            p.skipChildren();
            count++;
            continue;
          }
          JsonNode tx = p.readValueAsTree();
          if (check != null) {
            SchemaCheck.check(tx, SchemaCheck.transaction(), at + ".transactions[" + count + "]");
          }
          if (count++ < TRANSACTIONS_KEPT) {
            txs.add(tx);
          }
        }
        c.set(name, txs);
      } else {
        c.set(name, p.readValueAsTree());
      }
    }
    if (check != null) {
      SchemaCheck.check(c, SchemaCheck.item("connections"), at);
    }
    if (count > TRANSACTIONS_KEPT) {
      c.put(COUNT, count);
    }
    return c;
  }

  private static JsonNode capped(JsonNode c) {
    JsonNode txs = c.path("transactions");
    if (txs.size() <= TRANSACTIONS_KEPT || !c.isObject()) {
      return c;
    }
    ObjectNode copy = ((ObjectNode) c).deepCopy();
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < TRANSACTIONS_KEPT; i++) {
      kept.add(txs.get(i));
    }
    copy.set("transactions", kept);
    copy.put(COUNT, txs.size());
    return copy;
  }

  /** Checks the top-level fields against the schema as they are read. */
  private static final class Check {
    void top(String name, JsonNode v) throws IOException {
      JsonNode s = SchemaCheck.top(name);
      if (s == null) {
        if (!SchemaCheck.additionalTopFields()) {
          throw new SchemaCheck.Invalid(
              "$ has a field the schema does not know: \"" + Text.safe(name, 60) + "\"");
        }
        return;
      }
      SchemaCheck.check(v, s, "$." + Text.safe(name, 60));
    }
  }

  /**
   * Where the check found the array {@code field} (the parser at its '['), counted: a report with
   * one of each is then read from there ({@link #check}).
   */
  private void found(String field, JsonParser p) {
    int i = "connections".equals(field) ? 0 : 1;
    arrays[i]++;
    arrayAt[i] = p.currentTokenLocation().getByteOffset();
  }

  /**
   * Reads the whole report and checks it: a JSON object, a connscope report of a 1.x schema
   * version, then every part against the schema. Throws an IOException with a one-line message.
   * Returns the source to render it from: one that reads each array from where the check found it,
   * when the document has one of each, else this one.
   */
  ReportSource check() throws IOException {
    ObjectNode h = header;
    if (!JsonReportWriter.SCHEMA.equals(h.path("schema").asText(null))) {
      throw new IOException(
          "not a connscope JSON report (no \"schema\":\"" + JsonReportWriter.SCHEMA + "\")");
    }
    JsonNode version = h.path("schema_version");
    if (!version.isTextual() || !version.asText().matches("1\\.[0-9]+\\.[0-9]+")) {
      throw new IOException(
          "report schema version "
              + SchemaCheck.shortly(version)
              + " is not supported (this connscope reads 1.x.y)");
    }
    for (Iterator<JsonNode> it = SchemaCheck.required(); it.hasNext(); ) {
      String f = it.next().asText();
      if (!h.has(f)) {
        throw new SchemaCheck.Invalid("$ lacks the required field \"" + f + "\"");
      }
    }
    Check check = new Check();
    if (tree != null) {
      Iterator<Map.Entry<String, JsonNode>> it = h.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!"connections".equals(e.getKey()) && !"findings".equals(e.getKey())) {
          check.top(e.getKey(), e.getValue());
        }
      }
      for (String f : new String[] {"connections", "findings"}) {
        SchemaCheck.check(tree.path(f), SchemaCheck.top(f), "$." + f);
      }
      return this;
    }
    // the header fields are checked during the first pass, connections and findings during both
    each("connections", n -> {}, check);
    checkFindings();
    // one array of each (a document may repeat a field): the passes that render it start there,
    // read by Jackson as before, instead of reading the whole document to reach their array
    return arrays[0] == 1 && arrays[1] == 1 && arrayAt[0] >= 0 && arrayAt[1] >= 0
        ? new ReportSource(file, null, header, arrayAt[0], arrayAt[1], null, false)
        : this;
  }

  private void checkFindings() throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        JsonParser p = MAPPER.getFactory().createParser(in)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (!"findings".equals(name)) {
          p.skipChildren();
          continue;
        }
        if (t != JsonToken.START_ARRAY) {
          throw new SchemaCheck.Invalid(
              "$.findings should be array, not " + SchemaCheck.kind(p.readValueAsTree()));
        }
        found("findings", p);
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          SchemaCheck.check(
              p.readValueAsTree(), SchemaCheck.item("findings"), "$.findings[" + i++ + "]");
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("not a JSON document (it does not end after the report)");
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("not a JSON document (" + e.getOriginalMessage() + ")");
    }
  }
}
