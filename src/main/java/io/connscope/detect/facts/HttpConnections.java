package io.connscope.detect.facts;

import io.connscope.common.Warnings;
import io.connscope.http.Headers;
import io.connscope.http.HttpView;
import io.connscope.http.Transaction;
import io.connscope.tcp.ConnectionView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A bounded index of the finished HTTP connections, for the detectors that link connections: the
 * retry of a lost request on a new connection, the upstream leg of a proxy, the extra connections a
 * refusal forced. It is not a detector: it is part of the {@link ConnectionFacts} stage, which
 * indexes every finished connection before any detector sees it. Keeps at most {@link
 * DetectOptions#maxIndexedConnections} connections (later ones are not linked: counted in the
 * capture warnings as {@value #INDEX_FULL}) and at most {@value #MAX_TX} transactions of each.
 */
public final class HttpConnections {
  static final int MAX_TX = 64;

  /** Warning code: connections past the index's cap, not linked to others. */
  public static final String INDEX_FULL = "detect.link_index_full";

  /** One request as the linking rules need it. */
  public record Tx(
      int index,
      String method,
      String path,
      String uri,
      long requestFrame,
      long requestUs,
      long responseFrame,
      long responseUs,
      long responseEndUs,
      int status,
      long requestHeadBytes,
      Headers requestHeaders,
      Headers responseHeaders) {}

  /** One connection: endpoints, start, handshake time (SYN to ACK, -1 unknown), requests. */
  public record Conn(
      String id,
      long clientHi,
      long clientLo,
      long serverHi,
      long serverLo,
      int serverPort,
      long startUs,
      long handshakeUs,
      List<Tx> txs) {

    /** Same client address and same server address and port as {@code o}. */
    public boolean samePair(Conn o) {
      return clientHi == o.clientHi
          && clientLo == o.clientLo
          && serverHi == o.serverHi
          && serverLo == o.serverLo
          && serverPort == o.serverPort;
    }
  }

  /**
   * A client address with a server address and port. hashCode and equals are written out (the same
   * values as a record's generated ones): they run for every connection, and the generated ones go
   * through method handles, slow until the JIT has compiled them.
   */
  public record Pair(long clientHi, long clientLo, long serverHi, long serverLo, int serverPort) {
    /** The pair of {@code c}. */
    public static Pair of(ConnectionView c) {
      return new Pair(
          c.clientAddrHi(), c.clientAddrLo(), c.serverAddrHi(), c.serverAddrLo(), c.serverPort());
    }

    /** Whether {@code c} is of this pair: {@link #of} would make a pair equal to this one. */
    public boolean matches(ConnectionView c) {
      return serverPort == c.serverPort()
          && clientLo == c.clientAddrLo()
          && serverLo == c.serverAddrLo()
          && clientHi == c.clientAddrHi()
          && serverHi == c.serverAddrHi();
    }

    @Override
    public int hashCode() {
      int h = Long.hashCode(clientHi);
      h = 31 * h + Long.hashCode(clientLo);
      h = 31 * h + Long.hashCode(serverHi);
      h = 31 * h + Long.hashCode(serverLo);
      return 31 * h + serverPort;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Pair p
          && clientHi == p.clientHi
          && clientLo == p.clientLo
          && serverHi == p.serverHi
          && serverLo == p.serverLo
          && serverPort == p.serverPort;
    }
  }

  /** Requests by who sent them (client address), method and path: how a forwarded copy is found. */
  record RequestKey(long clientHi, long clientLo, String method, String path) {
    // written out, the values a record generates (see Pair)
    @Override
    public int hashCode() {
      int h = Long.hashCode(clientHi);
      h = 31 * h + Long.hashCode(clientLo);
      h = 31 * h + Objects.hashCode(method);
      return 31 * h + Objects.hashCode(path);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RequestKey k
          && clientHi == k.clientHi
          && clientLo == k.clientLo
          && Objects.equals(method, k.method)
          && Objects.equals(path, k.path);
    }
  }

  /** The requests of one {@link RequestKey}, sorted by request time when first searched. */
  private static final class Requests {
    final List<Link> links = new ArrayList<>();
    boolean sorted;

    /** Links with a request time in [fromUs, toUs], in time order. */
    List<Link> between(long fromUs, long toUs) {
      if (!sorted) {
        links.sort((x, y) -> Long.compare(x.tx().requestUs(), y.tx().requestUs()));
        sorted = true;
      }
      int lo = 0;
      int hi = links.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (links.get(mid).tx().requestUs() < fromUs) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      int end = lo;
      while (end < links.size() && links.get(end).tx().requestUs() <= toUs) {
        end++;
      }
      return links.subList(lo, end);
    }
  }

  private final int cap;
  private final Warnings warnings;
  private String fullDetail;
  private int indexed;
  private final Map<String, Conn> byId = new HashMap<>();
  private final Map<Pair, List<Conn>> byPair = new HashMap<>();
  private final Map<RequestKey, Requests> byRequest = new HashMap<>();

  HttpConnections(DetectOptions options, Warnings warnings) {
    this.cap = options.maxIndexedConnections;
    this.warnings = warnings;
  }

  /** Indexes finished connection {@code c} ({@code http} may be null: not indexed). */
  void add(ConnectionView c, HttpView http) {
    if (http == null || !http.isHttp()) {
      return;
    }
    if (indexed >= cap) {
      if (fullDetail == null) { // once: every connection after the cap comes here
        fullDetail =
            "HTTP connections after the first "
                + cap
                + " were not indexed for linking: a retry, proxy leg, refusal or stale reuse"
                + " involving them is not reported";
      }
      warnings.add(INDEX_FULL, c.firstFrame(), 1, fullDetail);
      return;
    }
    List<Tx> txs = new ArrayList<>();
    for (int ti = 0, tn = http.transactions().size(); ti < tn; ti++) {
      Transaction t = http.transactions().get(ti);
      if (t.method() == null) {
        continue;
      }
      if (txs.size() == MAX_TX) {
        break;
      }
      txs.add(
          new Tx(
              t.index(),
              t.method(),
              KeepAlive.path(t.uri()),
              t.uri(),
              t.requestFirstFrame(),
              t.requestFirstUs(),
              t.responseFirstFrame(),
              t.responseFirstUs(),
              t.responseLastUs(),
              t.status(),
              t.requestHeaderBytes(),
              t.requestHeaders(),
              t.responseHeaders()));
    }
    long hs = c.synTsMicros() >= 0 && c.ackTsMicros() >= 0 ? c.ackTsMicros() - c.synTsMicros() : -1;
    Conn k =
        new Conn(
            c.idString(),
            c.clientAddrHi(),
            c.clientAddrLo(),
            c.serverAddrHi(),
            c.serverAddrLo(),
            c.serverPort(),
            c.firstTsMicros(),
            hs,
            List.copyOf(txs));
    indexed++;
    byId.put(k.id, k);
    byPair.computeIfAbsent(pair(k), x -> new ArrayList<>()).add(k);
    for (Tx t : k.txs) {
      if (t.path() != null) {
        Requests r =
            byRequest.computeIfAbsent(
                new RequestKey(k.clientHi, k.clientLo, t.method(), t.path()), x -> new Requests());
        r.links.add(new Link(k, t));
        r.sorted = false;
      }
    }
  }

  /** Requests with {@code t}'s method and path sent from address (hi, lo) in [fromUs, toUs]. */
  private List<Link> requestsFrom(long hi, long lo, Tx t, long fromUs, long toUs) {
    if (t.path() == null) {
      return List.of();
    }
    Requests r = byRequest.get(new RequestKey(hi, lo, t.method(), t.path()));
    return r == null ? List.of() : r.between(fromUs, toUs);
  }

  private static Pair pair(Conn c) {
    return new Pair(c.clientHi, c.clientLo, c.serverHi, c.serverLo, c.serverPort);
  }

  /**
   * The connections a client opened to the same server after a moment (a refusal, a first request
   * without keep-alive): how many, and their handshakes summed (SYN to the handshake ACK at the
   * capture point; unknown handshakes count 0).
   */
  public record Setups(int count, long handshakeUs) {}

  /** The connections of {@code pair} that started after {@code afterUs}. */
  public static Setups setupsAfter(List<Conn> pair, long afterUs) {
    int n = 0;
    long us = 0;
    for (Conn o : pair) {
      if (o.startUs() > afterUs) {
        n++;
        us += Math.max(0, o.handshakeUs());
      }
    }
    return new Setups(n, us);
  }

  /** The indexed connection {@code id}, or null. */
  public Conn get(String id) {
    return byId.get(id);
  }

  /** Connections of the same client and server as {@code c} (itself included), by start. */
  public List<Conn> samePair(Conn c) {
    List<Conn> out = new ArrayList<>(byPair.getOrDefault(pair(c), List.of()));
    out.sort((a, b) -> Long.compare(a.startUs, b.startUs));
    return out;
  }

  /** Connections of the same client and server as connection {@code id}; empty when not indexed. */
  public List<Conn> pairOf(String id) {
    Conn c = byId.get(id);
    return c == null ? List.of() : samePair(c);
  }

  /**
   * {@code items} grouped by the client and server of their connection ({@code connOf} gives its
   * id), the groups in the order of their first items; the items of a connection that is not
   * indexed form a group of their own.
   */
  public <T> Collection<List<T>> byPair(List<T> items, Function<T, String> connOf) {
    Map<Object, List<T>> groups = new LinkedHashMap<>();
    for (T item : items) {
      String id = connOf.apply(item);
      Conn c = byId.get(id);
      groups.computeIfAbsent(c == null ? id : pair(c), k -> new ArrayList<>()).add(item);
    }
    return groups.values();
  }

  /** A link to a request on another connection. */
  public record Link(Conn conn, Tx tx) {}

  /**
   * The first request with the same method and path as {@code t} that the same client sent to the
   * same server on another connection, within {@code windowUs} after {@code afterUs}.
   */
  public Link retry(Conn from, Tx t, long afterUs, long windowUs) {
    Link best = null;
    for (Conn o : byPair.getOrDefault(pair(from), List.of())) {
      if (o == from) {
        continue;
      }
      for (Tx x : o.txs) {
        if (x.method.equals(t.method)
            && x.path != null
            && x.path.equals(t.path)
            && x.requestUs >= afterUs
            && x.requestUs - afterUs <= windowUs
            && (best == null || x.requestUs < best.tx.requestUs)) {
          best = new Link(o, x);
        }
      }
    }
    return best;
  }

  /**
   * The same request forwarded upstream by a proxy: on a connection whose client address is the
   * server address of {@code a} and whose server is another endpoint, the same method and path,
   * sent after {@code t} started and (when {@code t} was answered) answered before it; within
   * {@code windowUs} of {@code t}.
   */
  public Link upstream(Conn a, Tx t, long windowUs) {
    // candidates are searched by time: after t started, within the window and, when t was
    // answered, no later than its answer (a forwarded copy is nested inside the original)
    long to = t.requestUs() + windowUs;
    if (t.responseUs() >= 0) {
      to = Math.min(to, t.responseUs());
    }
    for (Link l : requestsFrom(a.serverHi, a.serverLo, t, t.requestUs(), to)) {
      Conn b = l.conn();
      Tx x = l.tx();
      if (b == a
          || (b.serverHi == a.serverHi
              && b.serverLo == a.serverLo
              && b.serverPort == a.serverPort)) {
        continue;
      }
      if (t.responseUs >= 0 && (x.responseUs < 0 || x.responseUs > t.responseUs)) {
        continue;
      }
      return l; // the earliest request that fits
    }
    return null;
  }

  /**
   * True when some connection from the server address of {@code a} to {@code upstream}'s server
   * carried a request with the method and path of {@code t} between {@code fromUs} and {@code
   * toUs}.
   */
  public boolean forwardedBetween(Conn a, Conn upstream, Tx t, long fromUs, long toUs) {
    for (Link l : requestsFrom(a.serverHi, a.serverLo, t, fromUs, toUs)) {
      Conn b = l.conn();
      if (b.serverHi == upstream.serverHi
          && b.serverLo == upstream.serverLo
          && b.serverPort == upstream.serverPort) {
        return true;
      }
    }
    return false;
  }
}
