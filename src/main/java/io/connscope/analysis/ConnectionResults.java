package io.connscope.analysis;

import io.connscope.common.Addresses;
import io.connscope.common.Direction;
import io.connscope.detect.facts.KeepAlive;
import io.connscope.detect.facts.TransferLimits;
import io.connscope.http.Framing;
import io.connscope.http.Headers;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.HeaderMap;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import io.connscope.tcp.Connection;
import io.connscope.tcp.ConnectionView;
import io.connscope.tcp.HalfConnection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result records of one connection and its transactions, built beside the connection's packets
 * (in the connection stage, on the connection's own thread) from the live connection and tracker:
 * every number of them but what depends on findings, which {@link ResultBuilder} adds with the
 * connection id ({@link ConnectionResult#of}, {@link TransactionResult#of}). One instance per
 * connection stage (it keeps the text of the addresses last formatted).
 */
final class ConnectionResults {
  private static final String[] HEADERS = TransactionResult.KEPT_HEADERS.toArray(new String[0]);

  /** Per kept name, the first value of the message being copied, and the others joined to it. */
  private final String[] first = new String[HEADERS.length];

  private final StringBuilder[] more = new StringBuilder[HEADERS.length];

  /**
   * Transaction {@code t} of {@code c}, with {@code c}'s handshake as it is now, and {@code c}'s id
   * as this stage knows it; the final id and the stalls are given by the stage that sees every
   * finding ({@link TransactionResult#of}, which copies the record only when either differs).
   */
  TransactionResult transaction(ConnectionView c, Transaction t) {
    long synTs = c.synTsMicros();
    long ackTs = c.ackTsMicros();
    long rtt = c.rttToServerMicros();
    long wait = span(t.requestLastUs(), t.responseFirstUs());
    // the id, when given already (one thread: at creation); a shard does not wait for it here,
    // and TransactionResult.of copies the record with the id the merge knows
    return transaction(
        c.idIfGiven(),
        t,
        t.index() == 0 && synTs >= 0 && ackTs >= 0 ? span(synTs, ackTs) : -1,
        wait < 0 || rtt < 0 ? -1 : Math.max(0, wait - rtt));
  }

  /**
   * Transaction {@code t} of connection {@code id}, with the two timings that depend on its
   * connection ({@code connectUs}, {@code serverUs}) as {@link #transaction(ConnectionView,
   * Transaction)} computed them: the same record again from a final transaction, which does not
   * change ({@link io.connscope.http.TransactionListener}).
   */
  TransactionResult transaction(long id, Transaction t, long connectUs, long serverUs) {
    TransactionResult.Timings timings =
        new TransactionResult.Timings(
            connectUs,
            span(t.requestFirstUs(), t.requestLastUs()),
            span(t.requestLastUs(), t.responseFirstUs()),
            span(t.responseFirstUs(), t.responseLastUs()),
            serverUs,
            List.of());
    return new TransactionResult(
        id,
        t.index(),
        t.depth(),
        t.pipelineDepth(),
        t.method(),
        t.uri(),
        t.requestVersion(),
        t.status() > 0 ? t.status() : null,
        t.reason(),
        t.responseVersion(),
        t.interimStatuses(),
        headers(t.requestHeaders()),
        headers(t.responseHeaders()),
        t.requestHeaderBytes(),
        t.requestBodyBytes(),
        t.requestBodyGapBytes(),
        lower(t.requestFraming()),
        t.responseHeaderBytes(),
        t.responseBodyBytes(),
        t.responseBodyGapBytes(),
        lower(t.responseFraming()),
        t.requestFirstFrame(),
        t.requestLastFrame(),
        t.responseFirstFrame(),
        t.responseLastFrame(),
        t.requestFirstUs(),
        t.requestLastUs(),
        t.responseFirstUs(),
        t.responseLastUs(),
        timings,
        t.unanswered(),
        t.responseNotCaptured()
            ? new TransactionResult.ResponseNotCaptured(
                t.responseBytesNotCaptured(), t.responseAckedFrame(), t.responseAckedUs())
            : null,
        t.requestWireBytes(),
        t.responseWireBytes(),
        t.orphanResponse(),
        t.requestNotCaptured(),
        t.requestComplete(),
        t.responseComplete(),
        t.gapAffected(),
        t.closeDelimited(),
        t.anomalies(),
        negotiation(KeepAlive.negotiation(t)));
  }

  private static TransactionResult.KeepAliveNegotiation negotiation(KeepAlive.Negotiation n) {
    return new TransactionResult.KeepAliveNegotiation(
        n.clientAsked(),
        n.proxyConnection(),
        n.serverAnswered(),
        n.keepAliveMax(),
        n.keepAliveTimeoutSeconds(),
        n.persistent());
  }

  /**
   * The kept headers of {@code h}, repeated ones joined with ", ", in {@link
   * TransactionResult#KEPT_HEADERS} order.
   */
  private Map<String, String> headers(Headers h) {
    int n = h == null ? 0 : h.size();
    if (n == 0) {
      return Map.of();
    }
    // one pass over the fields, each put at its name's place (the values of a repeated name
    // joined in a builder, linear in their length); both arrays are all null between calls
    String[] v = first;
    StringBuilder[] m = more;
    int kinds = 0;
    for (int i = 0; i < n; i++) {
      int k = h.keptPlace(i); // Headers.KEPT and HEADERS are both KeptHeaders.NAMES
      if (k < 0) {
        continue;
      }
      if (v[k] == null) {
        v[k] = h.value(i);
        kinds++;
      } else {
        (m[k] == null ? m[k] = new StringBuilder(v[k]) : m[k]).append(", ").append(h.value(i));
      }
    }
    if (kinds == 0) {
      return Map.of();
    }
    String[] pairs = new String[2 * kinds];
    int size = 0;
    for (int k = 0; k < HEADERS.length; k++) {
      if (v[k] != null) {
        pairs[2 * size] = HEADERS[k];
        pairs[2 * size + 1] = m[k] == null ? v[k] : m[k].toString();
        size++;
        v[k] = null; // all null again for the next call
        m[k] = null;
      }
    }
    return HeaderMap.own(pairs, size);
  }

  /**
   * The text of the address last formatted for each side (client, server), by its two halves:
   * connections of one capture mostly repeat their addresses.
   */
  private final long[] lastHi = {-1, -1};

  private final long[] lastLo = {-1, -1};
  private final String[] lastText = new String[2];

  private String address(int side, long hi, long lo) {
    if (lastText[side] == null || lastHi[side] != hi || lastLo[side] != lo) {
      lastHi[side] = hi;
      lastLo[side] = lo;
      lastText[side] = Addresses.format(hi, lo);
    }
    return lastText[side];
  }

  /** The result records of the facts stage's transfers. */
  private static List<ConnectionResult.Transfer> transfers(
      List<TransferLimits.Transfer> from, SegmentTimeline t) {
    List<ConnectionResult.Transfer> out = new ArrayList<>(from.size());
    for (TransferLimits.Transfer x : from) {
      out.add(
          new ConnectionResult.Transfer(
              x.sender() == Direction.CLIENT ? "client" : "server",
              x.transaction(),
              t.frame(x.firstIndex()),
              t.frame(x.lastIndex()),
              x.segments(),
              x.bytes(),
              x.micros(),
              x.windowMicros(),
              x.zeroWindowMicros(),
              x.applicationMicros(),
              x.slowStartMicros(),
              x.recoveryMicros(),
              x.avoidanceMicros(),
              x.lostSegments(),
              x.goodputBps(),
              x.pathRateBps(),
              x.pathRateLowerBound(),
              x.rttMicros(),
              x.bdpBytes(),
              x.limit(),
              x.costMicros()));
    }
    return List.copyOf(out);
  }

  /**
   * Finished connection {@code c} with its HTTP tracker ({@code http}, null when none was
   * attached), TLS facts and transfers; its id, stall summary and time-sequence graph are given by
   * the stage that sees every finding ({@link ConnectionResult#of}).
   */
  ConnectionResult connection(
      Connection c, HttpTracker http, TlsFacts tls, List<TransferLimits.Transfer> transfers) {
    ConnectionResult.Handshake handshake =
        new ConnectionResult.Handshake(
            c.synFrame(),
            c.synTsMicros(),
            c.synAckFrame(),
            c.synAckTsMicros(),
            c.ackFrame(),
            c.ackTsMicros(),
            c.synCount(),
            c.synAckCount(),
            c.rttToServerMicros(),
            c.rttToClientMicros());
    boolean isHttp = http != null && http.isHttp();
    ConnectionResult.Http h =
        http == null
            ? null
            : new ConnectionResult.Http(
                isHttp,
                isHttp ? null : http.notHttpReason(),
                http.maxPipelineDepth(),
                http.httpReversed(),
                http.tunnel(),
                Collections.unmodifiableMap(http.anomalies()));
    return new ConnectionResult(
        0,
        new Endpoint(address(0, c.clientAddrHi(), c.clientAddrLo()), c.clientPort()),
        new Endpoint(address(1, c.serverAddrHi(), c.serverAddrLo()), c.serverPort()),
        c.ipVersion(),
        lower(c.roleSource()),
        c.rolesInferred(),
        c.firstFrame(),
        c.lastFrame(),
        c.firstTsMicros(),
        c.lastTsMicros(),
        handshake,
        lower(c.vantage()),
        coverage(c),
        new ConnectionResult.Close(lower(c.closeReason()), side(c.closedFirstBy())),
        c.history(),
        half(c.half(Direction.CLIENT)),
        half(c.half(Direction.SERVER)),
        h,
        tls,
        isHttp ? KeepAlive.ending(c, http) : null,
        Collections.emptySortedMap(),
        http == null ? 0 : http.transactionCount(),
        transfers(transfers, c.timeline()),
        null);
  }

  private static ConnectionResult.Half half(HalfConnection h) {
    return new ConnectionResult.Half(
        h.packets(),
        h.payloadBytes(),
        h.dataSegments(),
        h.retransmissions(),
        h.retransmittedBytes(),
        h.outOfOrder(),
        h.overlapConflicts(),
        h.gaps(),
        h.gapBytes(),
        h.mss(),
        h.windowScale(),
        h.sackPermitted(),
        h.maxWindow(),
        h.zeroWindows(),
        h.finFrame(),
        h.rstFrame());
  }

  /**
   * {@code client_only} or {@code server_only} when the other side sent packets the capture does
   * not hold at all (a tap on one direction, asymmetric routing), else null.
   */
  private static String coverage(Connection c) {
    boolean client = c.half(Direction.CLIENT).packets() > 0;
    boolean server = c.half(Direction.SERVER).packets() > 0;
    return client == server ? null : client ? "client_only" : "server_only";
  }

  private static long span(long from, long to) {
    return from >= 0 && to >= 0 ? Math.max(0, to - from) : -1;
  }

  private static String side(int dir) {
    return dir == Direction.CLIENT ? "client" : dir == Direction.SERVER ? "server" : null;
  }

  /**
   * Lower-case constant names of the enums the records carry as text, computed once (they are
   * written for every connection and transaction): one array lookup each.
   */
  private static final String[] FRAMING = lowerNames(Framing.values());

  private static final String[] ROLE_SOURCE = lowerNames(Connection.RoleSource.values());
  private static final String[] VANTAGE = lowerNames(Connection.Vantage.values());
  private static final String[] CLOSE_REASON = lowerNames(Connection.CloseReason.values());

  private static String[] lowerNames(Enum<?>[] constants) {
    String[] names = new String[constants.length];
    for (int i = 0; i < constants.length; i++) {
      names[i] = constants[i].name().toLowerCase(Locale.ROOT);
    }
    return names;
  }

  private static String lower(Framing e) {
    return e == null ? null : FRAMING[e.ordinal()];
  }

  private static String lower(Connection.RoleSource e) {
    return e == null ? null : ROLE_SOURCE[e.ordinal()];
  }

  private static String lower(Connection.Vantage e) {
    return e == null ? null : VANTAGE[e.ordinal()];
  }

  private static String lower(Connection.CloseReason e) {
    return e == null ? null : CLOSE_REASON[e.ordinal()];
  }
}
