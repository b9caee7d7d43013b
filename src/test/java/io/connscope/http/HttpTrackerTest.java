package io.connscope.http;

import static io.connscope.http.Harness.A;
import static io.connscope.http.Harness.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.http.Harness.Script;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpTrackerTest {

  private static final String GET = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  private static final String OK0 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

  private static Harness run(Script s) {
    return Harness.run(s);
  }

  private static Harness run(Script s, HttpOptions o) {
    return Harness.run(s, Harness.WHOLE, o, false);
  }

  private static long anomaly(Harness h, String code) {
    Long n = h.tracker.anomalies().get(code);
    assertEquals(n == null ? 0 : n, h.warnings.get(code), "global and per connection " + code);
    return n == null ? 0 : n;
  }

  @Test
  void framesAndTimesAreThoseOfTheFirstAndLastChunk() {
    Harness h =
        run(
            new Script()
                .a("GET /a HTTP/1.1\r\nHo")
                .a("st: h\r\n\r\n")
                .b("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab")
                .b("cd")
                .b("ef"));
    Transaction t = h.tx(0);
    assertEquals(1, t.requestFirstFrame());
    assertEquals(2, t.requestLastFrame());
    assertEquals(1000, t.requestFirstUs());
    assertEquals(2000, t.requestLastUs());
    assertEquals(3, t.responseFirstFrame());
    assertEquals(5, t.responseLastFrame());
    assertEquals(5000, t.responseLastUs());
    assertEquals(6, t.responseBodyBytes());
    assertEquals(0, t.index());
    assertEquals(1, t.depth());
    assertEquals("h", t.requestHeaders().get("host"));
    assertEquals("6", t.responseHeaders().get("content-length"));
    assertEquals(List.of(), t.anomalies());
  }

  @Test
  void gapInsideBodyOfKnownLengthIsSkipped() {
    Harness h =
        run(
            new Script()
                .a(GET + GET)
                .b("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100))
                .gap(B, 800)
                .b("y".repeat(100) + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nzz"));
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(2, txs.size());
    Transaction t = txs.get(0);
    assertEquals(200, t.responseBodyBytes());
    assertEquals(800, t.responseBodyGapBytes());
    assertTrue(t.responseComplete());
    assertFalse(t.gapAffected());
    assertEquals(List.of(HttpAnomalies.BODY_GAP_BYTES), t.anomalies());
    assertEquals(4, t.responseLastFrame());
    assertEquals(4, txs.get(1).responseFirstFrame());
    assertEquals(2, txs.get(1).responseBodyBytes());
    assertTrue(txs.get(1).responseComplete());
    assertEquals(800, anomaly(h, HttpAnomalies.BODY_GAP_BYTES));
    assertEquals(0, anomaly(h, HttpAnomalies.DESYNC));
  }

  @Test
  void gapInChunkDataWithinTheChunkIsSkipped() {
    Harness h =
        run(
            new Script()
                .a(GET)
                .b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabcd")
                .gap(B, 8)
                .b("efgh\r\n0\r\n\r\n"));
    Transaction t = h.tx(0);
    assertTrue(t.responseComplete());
    assertEquals(8, t.responseBodyBytes());
    assertEquals(8, t.responseBodyGapBytes());
    assertFalse(t.gapAffected());
  }

  @Test
  void gapInHeadersDesyncsAndResyncsAtNextRequestLine() {
    Harness h =
        run(
            new Script()
                .a("GET /a HTTP/1.1\r\nHost: x\r\n")
                .gap(A, 50)
                .a("ost: y\r\nAccept: */*\r\n\r\nGET /b HTTP/1.1\r\nHost: z\r\n\r\n")
                .b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(2, txs.size());
    Transaction a = txs.get(0);
    assertEquals("/a", a.uri());
    assertTrue(a.gapAffected());
    assertFalse(a.requestComplete());
    Transaction b = txs.get(1);
    assertEquals("/b", b.uri());
    assertEquals("z", b.requestHeaders().get("host"));
    assertTrue(b.requestComplete());
    assertEquals(3, b.requestFirstFrame());
    assertEquals(1, anomaly(h, HttpAnomalies.DESYNC));
    // the response pairs with /a (the oldest pending) but pairing is marked uncertain
    assertEquals(200, a.status());
    assertTrue(b.unanswered());
  }

  @Test
  void requestGapWhileResponsesPendingFlagsThem() {
    Harness h =
        run(new Script().a(GET + GET).gap(A, 100).a("GET /c HTTP/1.1\r\n\r\n").b(OK0 + OK0 + OK0));
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(3, txs.size());
    assertTrue(txs.get(0).gapAffected());
    assertTrue(txs.get(1).gapAffected());
    assertTrue(txs.get(2).gapAffected(), "paired while pairing was uncertain");
    assertTrue(txs.stream().allMatch(t -> t.status() == 200));
  }

  @Test
  void pairingIsTrustedAgainOnceEverythingDrained() {
    Harness h =
        run(new Script().a(GET).gap(A, 10).a(GET).b(OK0 + OK0).a("GET /z HTTP/1.1\r\n\r\n").b(OK0));
    Transaction last = h.tx(h.tracker.transactions().size() - 1);
    assertEquals("/z", last.uri());
    assertFalse(last.gapAffected());
  }

  @Test
  void orphanResponse() {
    Harness h = run(new Script().a(GET).b(OK0 + "HTTP/1.1 408 Request Timeout\r\n\r\n"));
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(2, txs.size());
    Transaction o = txs.get(1);
    assertTrue(o.orphanResponse());
    assertNull(o.method());
    assertEquals(408, o.status());
    assertEquals(1, o.index());
    assertEquals(List.of(HttpAnomalies.UNMATCHED_RESPONSE), o.anomalies());
    assertEquals(1, anomaly(h, HttpAnomalies.UNMATCHED_RESPONSE));
  }

  @Test
  void responseWithoutAnyRequestIsHttpWithAnOrphan() {
    Harness h = run(new Script().b("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"));
    assertTrue(h.tracker.isHttp());
    assertEquals(1, h.tracker.transactions().size());
    assertTrue(h.tx(0).orphanResponse());
  }

  @Test
  void unansweredRequestAtClose() {
    Harness h = run(new Script().a(GET + "POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nab").b(OK0));
    Transaction t = h.tx(1);
    assertTrue(t.unanswered());
    assertEquals(0, t.status());
    assertFalse(t.requestComplete());
    assertEquals(2, t.requestBodyBytes());
    assertEquals(List.of(HttpAnomalies.INCOMPLETE_MESSAGE), t.anomalies());
    assertFalse(h.tx(0).unanswered());
  }

  @Test
  void messageCutShortByFin() {
    Harness h =
        run(new Script().a(GET).b("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc").fin(B));
    Transaction t = h.tx(0);
    assertFalse(t.responseComplete());
    assertEquals(3, t.responseBodyBytes());
    assertEquals(1, anomaly(h, HttpAnomalies.INCOMPLETE_MESSAGE));
  }

  @Test
  void teAndClConflictTeWins() {
    Harness h =
        run(
            new Script()
                .a(
                    "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n"
                        + GET)
                .b(OK0 + OK0));
    assertEquals(2, h.tracker.transactions().size());
    Transaction t = h.tx(0);
    assertEquals(Framing.CHUNKED, t.requestFraming());
    assertEquals(5, t.requestBodyBytes());
    assertEquals(List.of(HttpAnomalies.TE_CL_CONFLICT), t.anomalies());
    assertEquals(1, anomaly(h, HttpAnomalies.TE_CL_CONFLICT));
    assertEquals("/a", h.tx(1).uri());
  }

  @Test
  void requestTransferEncodingNotEndingInChunkedIsAFramingError() {
    Harness h = run(new Script().a("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxx"));
    assertEquals(1, anomaly(h, HttpAnomalies.BAD_TRANSFER_ENCODING));
    assertFalse(h.tx(0).requestComplete());
  }

  @Test
  void differingContentLengthsDesync() {
    Harness h =
        run(
            new Script()
                .a(GET + GET)
                .b(
                    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
                        + OK0));
    Transaction t = h.tx(0);
    assertFalse(t.responseComplete());
    assertTrue(t.anomalies().contains(HttpAnomalies.CONFLICTING_CONTENT_LENGTH));
    assertEquals(1, anomaly(h, HttpAnomalies.CONFLICTING_CONTENT_LENGTH));
    assertEquals(1, anomaly(h, HttpAnomalies.DESYNC));
    // resynchronised at the next status line
    assertEquals(200, h.tx(1).status());
    assertTrue(h.tx(1).gapAffected());
  }

  @Test
  void identicalDuplicateContentLengthsAreAccepted() {
    Harness h =
        run(
            new Script()
                .a(GET)
                .b("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"));
    assertTrue(h.tx(0).responseComplete());
    assertEquals(3, h.tx(0).responseBodyBytes());
    assertTrue(h.tracker.anomalies().isEmpty(), h.tracker.anomalies().toString());
  }

  @Test
  void badContentLength() {
    Harness h = run(new Script().a(GET).b("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"));
    assertEquals(1, anomaly(h, HttpAnomalies.BAD_CONTENT_LENGTH));
  }

  @Test
  void chunkSizeOverflow() {
    Harness h =
        run(
            new Script()
                .a(GET + GET)
                .b(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n"
                        + OK0));
    assertEquals(1, anomaly(h, HttpAnomalies.BAD_CHUNK_SIZE));
    assertEquals(1, anomaly(h, HttpAnomalies.DESYNC));
    assertFalse(h.tx(0).responseComplete());
    assertTrue(h.tx(0).anomalies().contains(HttpAnomalies.BAD_CHUNK_SIZE));
    assertEquals(200, h.tx(1).status());
  }

  @Test
  void chunkSizeJustAbove2To62IsRejectedAndBelowAccepted() {
    Harness h =
        run(
            new Script()
                .a(GET)
                .b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000000000000001\r\n"));
    assertEquals(1, anomaly(h, HttpAnomalies.BAD_CHUNK_SIZE));
    h =
        run(
            new Script()
                .a(GET)
                .b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000000000000000\r\nabc"));
    assertEquals(0, anomaly(h, HttpAnomalies.BAD_CHUNK_SIZE));
    assertEquals(3, h.tx(0).responseBodyBytes());
  }

  @Test
  void obsFoldIsJoinedAndCounted() {
    Harness h = run(new Script().a("GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n").b(OK0));
    assertEquals("a b", h.tx(0).requestHeaders().get("host"));
    assertEquals(1, anomaly(h, HttpAnomalies.OBS_FOLD));
    assertEquals(List.of(HttpAnomalies.OBS_FOLD), h.tx(0).anomalies());
  }

  @Test
  void nulInHeader() {
    Harness h = run(new Script().a("GET / HTTP/1.1\r\nHost: a\u0000b\r\nX: \u0000\r\n\r\n").b(OK0));
    assertEquals(1, anomaly(h, HttpAnomalies.NUL_IN_HEADER));
    assertEquals("a\u0000b", h.tx(0).requestHeaders().get("host"));
    assertTrue(h.tx(0).requestComplete());
  }

  @Test
  void badHeaderLinesAreIgnored() {
    Harness h =
        run(
            new Script()
                .a("GET / HTTP/1.1\r\n Lead: x\r\nNoColon\r\nBad Name: x\r\n" + "Host: ok\r\n\r\n")
                .b(OK0));
    assertEquals(3, anomaly(h, HttpAnomalies.BAD_HEADER_LINE));
    assertEquals("ok", h.tx(0).requestHeaders().get("host"));
    assertEquals(1, h.tx(0).requestHeaders().count());
  }

  @Test
  void tooLongStartLineDesyncsThenResyncs() {
    HttpOptions o = new HttpOptions().maxStartLineBytes(100);
    Harness h =
        run(
            new Script()
                .a("GET /" + "x".repeat(200) + " HTTP/1.1\r\nHost: h\r\n\r\n" + GET)
                .b("HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\n\r\n" + OK0),
            o);
    assertEquals(1, anomaly(h, HttpAnomalies.START_LINE_TOO_LONG));
    assertEquals(1, anomaly(h, HttpAnomalies.DESYNC));
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(2, txs.size());
    assertNull(txs.get(0).method());
    assertFalse(txs.get(0).requestComplete());
    assertEquals(414, txs.get(0).status());
    assertEquals("/a", txs.get(1).uri());
  }

  @Test
  void tooManyAndTooLargeHeaders() {
    HttpOptions o = new HttpOptions().maxHeaders(3).maxHeaderBytes(200);
    Harness h = run(new Script().a("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"), o);
    assertEquals(1, anomaly(h, HttpAnomalies.TOO_MANY_HEADERS));
    h = run(new Script().a("GET / HTTP/1.1\r\nA: " + "1".repeat(300) + "\r\n\r\n"), o);
    assertEquals(1, anomaly(h, HttpAnomalies.HEADERS_TOO_LARGE));
    assertTrue(h.tx(0).anomalies().contains(HttpAnomalies.HEADERS_TOO_LARGE));
  }

  @Test
  void resyncFindsARequestGluedToTheEndOfABody() {
    Harness h =
        run(
            new Script()
                .a("POST /f HTTP/1.1\r\nContent-Length: 9\r\n\r\na=1")
                .gap(A, 20)
                .a("x&more=2GET /next HTTP/1.1\r\nHost: h\r\n\r\n"));
    assertEquals(2, h.tracker.transactions().size());
    assertEquals("/next", h.tx(1).uri());
    assertEquals("GET", h.tx(1).method());
    assertEquals(1, anomaly(h, HttpAnomalies.DESYNC));
  }

  @Test
  void badStartLineAfterAMessage() {
    Harness h = run(new Script().a(GET + "HELLO\r\n" + GET).b(OK0 + OK0 + OK0));
    assertEquals(1, anomaly(h, HttpAnomalies.BAD_START_LINE));
    assertEquals(3, h.tracker.transactions().size());
    assertEquals("/a", h.tx(2).uri());
  }

  @Test
  void tlsIsNotHttp() {
    byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1};
    Harness h =
        Harness.run(
            new Script().bytes(A, hello).bytes(B, new byte[] {0x16, 0x03, 0x03}).a(GET),
            Harness.WHOLE,
            new HttpOptions(),
            false);
    assertFalse(h.tracker.isHttp());
    assertEquals("tls", h.tracker.notHttpReason());
    assertTrue(h.tracker.transactions().isEmpty());
    assertTrue(h.warnings.isEmpty());
  }

  @Test
  void otherProtocolsAreNotHttp() {
    Harness h = run(new Script().b("SSH-2.0-OpenSSH_9.6\r\n").a("SSH-2.0-OpenSSH_9.6\r\n"));
    assertEquals("ssh", h.tracker.notHttpReason());
    h = run(new Script().a("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    assertEquals("http2", h.tracker.notHttpReason());
    h = run(new Script().b("220 mail.example.com ESMTP\r\n").a("EHLO client\r\n"));
    assertEquals("unrecognised", h.tracker.notHttpReason());
    h = run(new Script());
    assertEquals("no_data", h.tracker.notHttpReason());
    assertFalse(h.tracker.isHttp());
  }

  @Test
  void roleSwapWhenPresumedClientSendsAStatusLine() {
    // the roles were guessed (no handshake) and the presumed client answers first: the capture
    // began after the request of that first response, which cannot answer a later request
    Script s =
        new Script()
            .a("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
            .b("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            .a(OK0)
            .b("GET /y HTTP/1.1\r\n\r\n");
    Harness h = Harness.run(s, Harness.WHOLE, new HttpOptions(), true);
    assertEquals(1, h.swaps);
    assertEquals(Harness.SERVER, h.dir(A));
    assertEquals(3, h.tracker.transactions().size());
    assertTrue(h.tx(0).orphanResponse());
    assertEquals(2, h.tx(0).responseBodyBytes());
    assertEquals("/x", h.tx(1).uri());
    assertEquals(200, h.tx(1).status());
    assertEquals("/y", h.tx(2).uri());
    assertTrue(h.tx(2).unanswered());
  }

  @Test
  void roleSwapWhenOnlyTheServerSideSpeaks() {
    Harness h =
        Harness.run(
            new Script().a("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
            Harness.WHOLE,
            new HttpOptions(),
            true);
    assertEquals(1, h.swaps);
    assertTrue(h.tx(0).orphanResponse());
  }

  @Test
  void midStreamCaptureResyncsOnTheClientSide() {
    Harness h = run(new Script().a("rest of a body\r\nmore\r\n" + GET).b(OK0));
    assertTrue(h.tracker.isHttp());
    assertEquals(1, h.tracker.transactions().size());
    assertEquals("/a", h.tx(0).uri());
    assertTrue(h.tx(0).gapAffected());
  }

  @Test
  void connectTunnelBytesBeforeThe200AreNotABadRequest() {
    Harness h =
        run(
            new Script()
                .a("CONNECT h:443 HTTP/1.1\r\n\r\n")
                .a("\u0016\u0003\u0001binary")
                .b("HTTP/1.1 200 OK\r\n\r\n\u0016\u0003\u0003"));
    assertTrue(h.tracker.tunnel());
    assertTrue(h.tracker.anomalies().isEmpty(), h.tracker.anomalies().toString());
    assertEquals(Framing.TUNNEL, h.tx(0).responseFraming());
  }

  @Test
  void connectRefusedKeepsParsing() {
    Harness h =
        run(
            new Script()
                .a("CONNECT h:443 HTTP/1.1\r\n\r\n")
                .b("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                .a("CONNECT h:443 HTTP/1.1\r\nProxy-Authorization: x\r\n\r\n")
                .b("HTTP/1.1 200 OK\r\n\r\n"));
    assertEquals(2, h.tracker.transactions().size());
    assertEquals(407, h.tx(0).status());
    assertEquals(200, h.tx(1).status());
    assertTrue(h.tracker.tunnel());
  }

  @Test
  void excessivePipeliningDropsTheOldest() {
    HttpOptions o = new HttpOptions().maxPendingRequests(2);
    Harness h = run(new Script().a(GET + GET + GET).b(OK0 + OK0), o);
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(3, txs.size());
    assertTrue(txs.get(0).unanswered());
    assertEquals(List.of(HttpAnomalies.EXCESSIVE_PIPELINING), txs.get(0).anomalies());
    assertEquals(200, txs.get(1).status());
    assertEquals(200, txs.get(2).status());
    assertEquals(1, anomaly(h, HttpAnomalies.EXCESSIVE_PIPELINING));
    assertEquals(2, h.tracker.maxPipelineDepth());
  }

  @Test
  void transactionsBeyondTheCapAreCountedNotKept() {
    HttpOptions o = new HttpOptions().maxTransactionsKept(2);
    Harness h = run(new Script().a(GET + GET + GET).b(OK0 + OK0 + OK0), o);
    assertEquals(2, h.tracker.transactions().size());
    assertEquals(1, anomaly(h, HttpAnomalies.TRANSACTIONS_DROPPED));
    assertEquals(0, anomaly(h, HttpAnomalies.UNMATCHED_RESPONSE));
  }

  @Test
  void perConnectionAnomaliesAreSorted() {
    Harness h = run(new Script().a("GET / HTTP/1.1\nHost: a\n b\n\n").b(OK0 + OK0));
    Map<String, Long> a = h.tracker.anomalies();
    assertEquals(
        List.of(HttpAnomalies.BARE_LF, HttpAnomalies.OBS_FOLD, HttpAnomalies.UNMATCHED_RESPONSE),
        List.copyOf(a.keySet()));
  }

  @Test
  void pipelineDepthCountsOutstandingRequests() {
    Harness h = run(new Script().a(GET + GET + GET).b(OK0).a(GET).b(OK0 + OK0 + OK0).a(GET).b(OK0));
    List<Transaction> txs = h.tracker.transactions();
    assertEquals(List.of(1, 2, 3, 3, 1), txs.stream().map(Transaction::pipelineDepth).toList());
    assertEquals(List.of(1, 2, 3, 4, 5), txs.stream().map(Transaction::depth).toList());
    assertEquals(3, h.tracker.maxPipelineDepth());
    assertTrue(txs.stream().allMatch(t -> t.status() == 200 && !t.unanswered()));
  }

  @Test
  void severalInterimResponsesBeforeTheFinalOne() {
    Harness h =
        run(
            new Script()
                .a("GET / HTTP/1.1\r\n\r\n")
                .b(
                    "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n")
                .b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    Transaction t = h.tx(0);
    assertEquals(List.of(103, 100), t.interimStatuses());
    assertEquals(200, t.status());
    assertEquals(3, t.responseFirstFrame(), "times are those of the final response");
    assertEquals(1, h.tracker.transactions().size());
  }

  @Test
  void resetEndsACloseDelimitedBodyAndCutsOthers() {
    Harness h = run(new Script().a(GET).b("HTTP/1.0 200 OK\r\n\r\nsome").rst(B));
    assertTrue(h.tx(0).responseComplete());
    assertTrue(h.tx(0).closeDelimited());
    assertEquals(4, h.tx(0).responseBodyBytes());
    assertEquals(3, h.tx(0).responseLastFrame());
    h = run(new Script().a("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345").rst(A));
    assertFalse(h.tx(0).requestComplete());
    assertTrue(h.tx(0).unanswered());
    assertEquals(1, anomaly(h, HttpAnomalies.INCOMPLETE_MESSAGE));
  }

  @Test
  void finBeforeTheDecisionIsReplayed() {
    // the handshake's client answers (a reverse connection): the tracker waits for the other
    // side's request, and the FIN that came meanwhile ends the body
    Harness h =
        Harness.run(
            new Script().a("HTTP/1.0 200 OK\r\n\r\nbody").fin(A).b("GET / HTTP/1.0\r\n\r\n"),
            Harness.WHOLE,
            new HttpOptions(),
            false);
    assertTrue(h.tracker.httpReversed());
    Transaction t = h.tx(0);
    assertEquals("GET", t.method());
    assertTrue(t.responseComplete());
    assertEquals(2, t.responseLastFrame(), "ended by the FIN of frame 2");
    assertEquals(java.util.Map.of(HttpAnomalies.REVERSED_ROLES, 1L), h.tracker.anomalies());
  }
}
