package io.connscope.tcp;

import static io.connscope.common.Direction.CLIENT;
import static io.connscope.common.Direction.SERVER;
import static io.connscope.tcp.TcpHarness.A;
import static io.connscope.tcp.TcpHarness.CLI;
import static io.connscope.tcp.TcpHarness.F;
import static io.connscope.tcp.TcpHarness.P;
import static io.connscope.tcp.TcpHarness.R;
import static io.connscope.tcp.TcpHarness.S;
import static io.connscope.tcp.TcpHarness.SRV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.tcp.Connection.CloseReason;
import io.connscope.tcp.Connection.RoleSource;
import io.connscope.tcp.Connection.Vantage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {

  @Test
  void inOrderDataIsPassedWithoutCopy() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 100, 100);
    h.c(300, P | A, 1001, 5001, "GET / HTTP/1.1\r\n\r\n");
    assertEquals(1, h.dataBuffers.size());
    assertSame(h.capture, h.dataBuffers.get(0), "in-order bytes come straight from the capture");
    Connection c = h.conn(1);
    assertEquals(18, c.half(CLIENT).deliveredBytes());
    assertEquals(1, c.half(CLIENT).dataSegments());
  }

  @Test
  void anIdIfGivenIsTheIdWithoutAskingForIt() {
    TcpHarness counted = new TcpHarness().handshake(0, 1000, 5000, 100, 100);
    counted.c(300, P | A, 1001, 5001, "GET / HTTP/1.1\r\n\r\n");
    assertEquals(1, counted.opened.get(0).idIfGiven(), "counted ids are given at creation");

    List<Long> asked = new ArrayList<>();
    TcpHarness lazy = lazyIds(asked, 40).handshake(0, 1000, 5000, 100, 100);
    lazy.c(300, P | A, 1001, 5001, "GET / HTTP/1.1\r\n\r\n");
    Connection c = lazy.opened.get(0);
    assertEquals(0, c.idIfGiven(), "a lazy id not asked for yet is not known");
    assertEquals(List.of(), asked, "idIfGiven never asks for it (a shard would wait)");
    assertEquals(41, c.id());
    assertEquals(List.of(1L), asked, "asked once, from the creation frame");
    assertEquals(41, c.idIfGiven());
    assertEquals(41, c.id());
    assertEquals(List.of(1L), asked);
  }

  /** A harness whose ids are {@code base} + the creation frame, each frame asked noted. */
  private static TcpHarness lazyIds(List<Long> asked, long base) {
    return new TcpHarness()
        .lazyIds(
            frame -> {
              asked.add(frame);
              return base + frame;
            });
  }

  /**
   * {@code giveIds} gives their ids to the entries created up to a frame, says from which frame ids
   * may still be asked, and lists entries only for a caller told of creations (a table given ids
   * from creation frames alone, as the Spark job's, lists none: nobody would empty the list).
   */
  @Test
  void idsGivenUpToAFrameAndTheEarliestStillAsked() {
    List<Long> asked = new ArrayList<>();
    TcpHarness lazy = lazyIds(asked, 100).handshake(0, 1000, 5000, 100, 100); // 1-3: an attempt
    lazy.c(300, P | A, 1001, 5001, "GET / HTTP/1.1\r\n\r\n"); // 4: its connection
    lazy.ports(40001, 80).handshake(1000, 1000, 5000, 100, 100); // 5 to 7, created at 5
    lazy.c(1300, P | A, 1001, 5001, "GET / HTTP/1.1\r\n\r\n"); // 8
    assertEquals(1, lazy.table.giveIds(0), "nothing given: the earliest still asked is frame 1");
    assertEquals(List.of(), asked);
    assertEquals(5, lazy.table.giveIds(4));
    assertEquals(List.of(1L), asked, "asked once: for the connection, not its attempt");
    assertEquals(Long.MAX_VALUE, lazy.table.giveIds(10));
    assertEquals(List.of(1L, 5L), asked);
    assertEquals(101, lazy.opened.get(0).id());
    assertEquals(105, lazy.opened.get(1).id());
    assertEquals(List.of(1L, 5L), asked, "given, not asked again");
    assertEquals(0, lazy.table.idless());

    TcpHarness byFrame = new TcpHarness();
    byFrame.table.assignIds(frame -> frame);
    byFrame.handshake(0, 1000, 5000, 100, 100);
    assertEquals(0, byFrame.table.idless());
  }

  @Test
  void handshakeOnlyTuplesStayAttemptsUntilDataAndEndTheSame() {
    TcpHarness h = new TcpHarness();
    h.c(0, S, 1000, 0, null).c(1_000_000, S, 1000, 0, null);
    h.s(1_020_000, S | A, 5000, 1001, null).c(1_020_500, A, 1001, 5001, null);
    assertEquals(0, h.opened.size(), "SYN, its retransmission, SYN/ACK and ACK make no connection");
    assertEquals(1, h.table.openConnections());
    h.c(1_021_000, P | A, 1001, 5001, "GET / HTTP/1.1\r\n\r\n");
    assertEquals(1, h.opened.size(), "the first data promotes the attempt");
    assertEquals(List.of("D0:GET / HTTP/1.1\r\n\r\n"), h.ev(1));
    Connection c = h.conn(1);
    assertEquals(2, c.synCount());
    assertEquals(1, c.synFrame());
    assertEquals(1_020_500, c.ackTsMicros());
    assertEquals(20_000, c.rttToServerMicros());
    assertEquals(RoleSource.HANDSHAKE, c.roleSource());
    assertEquals(5, c.timeline().size(), "the replayed packets are in the timeline");
  }

  @Test
  void anAttemptEndsAsItsConnectionWouldHave() {
    TcpHarness h = new TcpHarness();
    h.c(0, S, 1000, 0, null).s(100, S | A, 5000, 1001, null);
    h.c(200, S, 7777, 0, null); // another ISN on the same tuple: a new connection
    h.finish();
    assertEquals(2, h.opened.size());
    assertEquals(CloseReason.REUSED, h.conn(1).closeReason());
    assertEquals(1, h.conn(1).synAckCount());
    assertEquals(CloseReason.CAPTURE_END, h.conn(2).closeReason());
    assertEquals(1, h.conn(2).synCount());
  }

  @Test
  void handshakeFieldsAndRoles() {
    TcpHarness h = new TcpHarness().handshake(1_000, 1000, 5000, 30_000, 200);
    Connection c = h.conn(1);
    assertEquals(RoleSource.HANDSHAKE, c.roleSource());
    assertFalse(c.rolesInferred());
    assertTrue(c.sawHandshake());
    assertTrue(c.handshakeComplete());
    assertFalse(c.midstream());
    assertEquals(1, c.synFrame());
    assertEquals(2, c.synAckFrame());
    assertEquals(3, c.ackFrame());
    assertEquals(31_000, c.synAckTsMicros());
    assertEquals(CLI, c.clientAddrLo());
    assertEquals(SRV, c.serverAddrLo());
    assertEquals(40000, c.clientPort());
    assertEquals(80, c.serverPort());
    assertEquals("C1", c.idString());
    assertEquals(1460, c.half(CLIENT).mss());
    assertEquals(7, c.half(SERVER).windowScale());
    assertTrue(c.half(SERVER).sackPermitted());
    assertEquals(1000, c.half(CLIENT).isn());
    assertEquals(5000, c.half(SERVER).isn());
    // Window scaling applies after the handshake (both SYNs carried scale 7).
    h.s(40_000, A, 5001, 1001, null);
    assertEquals(1000L << 7, c.half(SERVER).maxWindow());
    assertEquals("ShA", c.history().substring(0, 3));
  }

  @Test
  void vantageFromHandshakeTiming() {
    TcpHarness near = new TcpHarness().handshake(0, 1000, 5000, 50_000, 300);
    assertEquals(Vantage.NEAR_CLIENT, near.conn(1).vantage());
    assertEquals(50_000, near.conn(1).rttToServerMicros());
    assertEquals(300, near.conn(1).rttToClientMicros());

    TcpHarness server = new TcpHarness().handshake(0, 1000, 5000, 150, 40_000);
    assertEquals(Vantage.NEAR_SERVER, server.conn(1).vantage());

    TcpHarness between = new TcpHarness().handshake(0, 1000, 5000, 20_000, 15_000);
    assertEquals(Vantage.BETWEEN, between.conn(1).vantage());

    TcpHarness loopback = new TcpHarness().handshake(0, 1000, 5000, 40, 10);
    assertEquals(Vantage.UNKNOWN, loopback.conn(1).vantage());

    TcpHarness noAck = new TcpHarness();
    noAck.c(0, S, 1000, 0, null).s(50_000, S | A, 5000, 1001, null);
    assertEquals(Vantage.UNKNOWN, noAck.conn(1).vantage());
  }

  @Test
  void synRetransmissionCountedAndExcludedFromRtt() {
    TcpHarness h = new TcpHarness();
    h.c(0, S, 1000, 0, null).c(1_000_000, S, 1000, 0, null);
    h.s(1_020_000, S | A, 5000, 1001, null).c(1_020_500, A, 1001, 5001, null);
    Connection c = h.conn(1);
    assertEquals(1, h.table.connectionsCreated());
    assertEquals(2, c.synCount());
    assertEquals(1, c.synAckCount());
    assertEquals(1, c.synFrame());
    assertEquals(0, c.synTsMicros());
    assertEquals(20_000, c.rttToServerMicros(), "measured from the last SYN");
    assertEquals("ShA", c.history(), "a repeated SYN with the same seq is one letter (Zeek)");
  }

  @Test
  void dataRttUsesOnlyFirstTransmissions() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.s(10_000, P | A, 5001, 1001, "aaaa");
    h.c(40_000, A, 1001, 5005, null); // 30 ms
    h.s(50_000, P | A, 5005, 1001, "bbbb");
    h.s(250_000, P | A, 5005, 1001, "bbbb"); // retransmission: Karn drops the sample
    h.c(251_000, A, 1001, 5009, null);
    h.s(260_000, P | A, 5009, 1001, "cccc");
    h.c(270_000, A, 1001, 5013, null); // 10 ms
    HalfConnection srv = h.conn(1).half(SERVER);
    assertEquals(2, srv.rttSamples());
    assertEquals(10_000, srv.rttMinMicros());
    assertEquals((7 * 30_000 + 10_000) / 8, srv.rttSmoothedMicros());
    assertEquals(1, srv.retransmissions());
    assertEquals(4, srv.retransmittedBytes());
  }

  @Test
  void counters() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.c(10, A, 1006, 5001, "world"); // out of order
    h.c(11, A, 1006, 5001, "WORLD"); // conflicting copy of buffered data
    h.c(12, A, 1001, 5001, "hello");
    h.c(13, A, 1001, 5001, "hello"); // retransmission
    h.c(14, A, 1011, 5001, "abc"); // in order
    h.s(15, A, 5001, 1014, null);
    h.c(16, A, 1013, 5001, "c"); // keep-alive probe
    HalfConnection cl = h.conn(1).half(CLIENT);
    assertEquals(1, cl.outOfOrder());
    assertEquals(1, cl.overlapConflicts());
    assertEquals(2, cl.retransmissions());
    assertEquals(1, cl.keepAlives());
    assertEquals(13, cl.deliveredBytes());
    assertEquals(5, cl.dataSegments());
    assertEquals(23, cl.payloadBytes());
    assertEquals(1, h.warnings.get("tcp.overlap_conflict"));
    assertEquals("hello" + "world" + "abc", h.stream(1, CLIENT));
    SegmentTimeline tl = h.conn(1).timeline();
    assertTrue(tl.isOutOfOrder(3));
    assertTrue(tl.isRetransmission(4));
    assertTrue(tl.isRetransmission(6));
    assertTrue(tl.isKeepAlive(9));
    assertFalse(tl.isRetransmission(9));
  }

  @Test
  void seqWrapAroundFromHighIsn() {
    long isn = 0xFFFFFF00L;
    TcpHarness h = new TcpHarness().handshake(0, isn, 5000, 1000, 1000);
    String a = "a".repeat(200), b = "b".repeat(200), c = "c".repeat(200);
    h.c(10_000, A, isn + 1, 5001, a);
    h.c(10_100, A, isn + 401, 5001, c); // after the wrap, out of order
    h.c(10_200, A, isn + 201, 5001, b); // crosses the wrap
    h.s(11_000, A, 5001, isn + 601, null);
    h.c(12_000, F | A, isn + 601, 5001, null);
    h.s(13_000, F | A, 5001, isn + 602, null);
    // the timeline as the detectors see it, before the last ACK closes the connection and frees it
    SegmentTimeline tl = h.conn(1).timeline();
    assertEquals(0, tl.seq(0));
    assertEquals(1, tl.seq(3));
    assertEquals(401, tl.seq(4), "relative sequence keeps growing past 2^32");
    assertEquals(201, tl.seq(5));
    assertEquals(601, tl.ack(6));
    h.c(14_000, A, isn + 602, 5002, null);
    assertEquals(a + b + c, h.stream(1, CLIENT));
    assertEquals(List.of("D0:" + a, "D0:" + b, "D0:" + c, "F0", "F1", "X", "closed"), h.ev(1));
    assertEquals(CloseReason.BOTH_FIN, h.conn(1).closeReason());
    assertEquals(0, h.warnings.get("tcp.acked_unseen"));
    assertEquals(0, tl.size(), "released with the connection");
    assertEquals(1, h.conn(1).half(CLIENT).outOfOrder());
    assertEquals(0, h.conn(1).half(CLIENT).gaps());
  }

  /**
   * zeek/tcp/payload-synack.pcap: the SYN/ACK carries 5 bytes. They belong to the server's stream
   * at ISN + 1, the client acknowledges them with the FIN after them, and nothing is missing: the
   * timeline records them at relative sequence 1, not at the SYN's 0.
   */
  @Test
  void dataOnTheSynAckIsTheServersFirstBytes() {
    TcpHarness h = new TcpHarness();
    h.c(0, S, 10, 0, null);
    h.s(100, S | A, 50, 11, "hello");
    h.c(200, A, 11, 56, null);
    h.c(300, F | A, 11, 56, null);
    h.s(400, F | A, 56, 12, null);
    Connection c = h.conn(1);
    SegmentTimeline tl = c.timeline(); // before the last ACK closes the connection and frees it
    assertEquals(SERVER, tl.dir(1));
    assertEquals(1, tl.seq(1), "the SYN/ACK's data starts at ISN + 1");
    assertEquals(5, tl.len(1));
    assertEquals(6, tl.ack(2), "the client's ACK covers SYN + 5 bytes");
    assertEquals(6, tl.seq(4), "the server's FIN follows the data");
    assertEquals(0, tl.seq(0), "a SYN without data stays at 0");
    h.c(500, A, 12, 57, null);
    assertEquals(RoleSource.HANDSHAKE, c.roleSource());
    assertEquals("hello", h.stream(1, SERVER));
    assertEquals("", h.stream(1, CLIENT));
    assertEquals(List.of("D1:hello", "F0", "F1", "X", "closed"), h.ev(1));
    assertEquals(0, c.half(SERVER).gaps());
    assertEquals(0, h.warnings.get("tcp.acked_unseen"));
    assertEquals("ShdAFf", c.history());
    assertTrue(c.handshakeComplete(), "the client's ACK of the SYN/ACK and its data");
    assertEquals(3, c.ackFrame());
    assertEquals(100, c.rttToClientMicros());
  }

  @Test
  void tupleReuseAfterCloseMakesNewConnection() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.c(10_000, F | A, 1001, 5001, null).s(11_000, F | A, 5001, 1002, null);
    h.c(12_000, A, 1002, 5002, null);
    assertEquals(1, h.closed.size(), "closed at the ACK of the second FIN");
    assertEquals(CloseReason.BOTH_FIN, h.conn(1).closeReason());
    assertEquals(CLIENT, h.conn(1).closedFirstBy());
    h.s(13_000, F | A, 5001, 1002, null); // late FIN retransmission
    assertEquals(1, h.warnings.get("tcp.packet_after_close"));
    assertEquals(1, h.table.connectionsCreated());
    h.handshake(1_012_000, 90_000, 70_000, 1000, 1000);
    assertEquals(2, h.table.connectionsCreated());
    Connection c2 = h.conn(2);
    assertEquals(2, c2.id());
    assertEquals(1_000_000, c2.tupleReuseDelayMicros());
    assertEquals(-1, h.conn(1).tupleReuseDelayMicros());
    assertEquals(RoleSource.HANDSHAKE, c2.roleSource());
  }

  @Test
  void newSynOnUnclosedConnectionWithDataStartsNewOne() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.c(3000, P | A, 1001, 5001, "GET /");
    h.c(9000, S, 777_777, 0, null);
    assertEquals(2, h.table.connectionsCreated());
    assertEquals(1, h.warnings.get("tcp.tuple_reuse_unclosed"));
    assertEquals(CloseReason.REUSED, h.conn(1).closeReason());
    assertEquals(List.of("D0:GET /", "X", "closed"), h.ev(1));
    assertEquals(1, h.table.openConnections());
  }

  @Test
  void midstreamRolesFromPortsThenSwapped() {
    TcpHarness h = new TcpHarness().ports(40000, 8080);
    // The first packet seen is the server's response: the port says 8080 is the server.
    h.s(0, P | A, 9000, 100, "HTTP/1.1 200 OK");
    Connection c = h.conn(1);
    assertTrue(c.midstream());
    assertTrue(c.rolesInferred());
    assertEquals(RoleSource.PORT, c.roleSource());
    assertEquals(8080, c.serverPort());
    assertEquals(List.of("D1:HTTP/1.1 200 OK"), h.ev(1));
    assertEquals("d", c.history());

    // Both ports unprivileged and unknown: the first sender is the client.
    TcpHarness g = new TcpHarness().ports(50000, 40000);
    g.s(0, P | A, 9000, 100, "HTTP/1.1 200 OK");
    Connection d = g.conn(1);
    assertEquals(RoleSource.FIRST_PACKET, d.roleSource());
    assertEquals(40000, d.clientPort());
    assertEquals(List.of("D0:HTTP/1.1 200 OK"), g.ev(1));
    d.swapRoles(); // the HTTP layer saw a response from the "client"
    assertEquals(RoleSource.CONTENT, d.roleSource());
    assertEquals(50000, d.clientPort());
    assertEquals(40000, d.serverPort());
    assertEquals(1, d.half(SERVER).dataSegments());
    assertEquals(0, d.half(CLIENT).dataSegments());
    g.c(1000, P | A, 100, 9015, "GET /next");
    g.s(2000, F | A, 9015, 109, null);
    assertEquals(List.of("D0:HTTP/1.1 200 OK", "D0:GET /next", "F1"), g.ev(1));
    SegmentTimeline tl = d.timeline();
    assertEquals(SERVER, tl.dir(0));
    assertEquals(CLIENT, tl.dir(1));
    assertEquals(SERVER, d.closedFirstBy());
    assertEquals("d^Df", d.history());
  }

  @Test
  void lowPortHeuristic() {
    TcpHarness h = new TcpHarness().ports(33000, 25);
    h.s(0, A, 9000, 100, null);
    assertEquals(25, h.conn(1).serverPort());
    assertEquals(RoleSource.PORT, h.conn(1).roleSource());
    TcpHarness u = new TcpHarness().ports(33000, 9999);
    u.options.addServerPort(9999);
    u.s(0, A, 9000, 100, null);
    assertEquals(9999, u.conn(1).serverPort());
  }

  @Test
  void rolesFromSynAckOnly() {
    TcpHarness h = new TcpHarness();
    h.s(0, S | A, 5000, 1001, null);
    h.c(500, A, 1001, 5001, null);
    h.c(600, P | A, 1001, 5001, "GET /");
    Connection c = h.conn(1);
    assertEquals(RoleSource.SYNACK_ONLY, c.roleSource());
    assertFalse(c.rolesInferred());
    assertFalse(c.midstream());
    assertEquals(CLI, c.clientAddrLo());
    assertEquals(List.of("D0:GET /"), h.ev(1));
    c.swapRoles();
    assertEquals(CLI, c.clientAddrLo(), "handshake roles are not swapped");
    assertEquals(1, h.warnings.get("tcp.swap_roles_refused"));
    assertEquals(-1, c.rttToServerMicros());
    assertEquals(500, c.rttToClientMicros());
  }

  @Test
  void rstFinishesAtOnceAndLatePacketsAreAbsorbed() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.c(3000, P | A, 1001, 5001, "GET /");
    h.s(4000, R, 5001, 0, null);
    Connection c = h.conn(1);
    assertEquals(CloseReason.RST, c.closeReason());
    assertEquals(SERVER, c.closedFirstBy());
    assertEquals(5, c.half(SERVER).rstFrame());
    assertEquals(0, h.table.openConnections());
    assertEquals(List.of("D0:GET /", "R1", "X", "closed"), h.ev(1));
    h.c(5000, P | A, 1006, 5001, "more"); // in flight when the RST came
    assertEquals(1, h.warnings.get("tcp.packet_after_close"));
    assertEquals(1, h.table.connectionsCreated());
    h.c(6000, P | A, 88_000_000, 5001, "new"); // far away: a new connection already running
    assertEquals(2, h.table.connectionsCreated());
    assertEquals(1, h.warnings.get("tcp.midstream_after_close"));
    assertTrue(h.conn(1).history().endsWith("r"));
  }

  @Test
  void gapsAreCountedAndInHistory() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.c(3000, A, 1001, 5001, "hello");
    h.s(4000, A, 5001, 1106, null); // acks 100 bytes never seen
    assertEquals(1, h.warnings.get("tcp.acked_unseen"));
    HalfConnection cl = h.conn(1).half(CLIENT);
    assertEquals(1, cl.gaps());
    assertEquals(100, cl.gapBytes());
    assertTrue(h.conn(1).history().contains("G"));
  }

  @Test
  void snaplenTruncationCounted() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 1000, 1000);
    h.send(true, 3000, A, 1001, 5001, "abc", 1400);
    assertEquals(1397, h.warnings.get("tcp.snaplen_truncated_bytes"));
    assertEquals(List.of("D0:abc", "G0:1397"), h.ev(1));
    assertEquals(1400, h.conn(1).timeline().len(3));
  }

  @Test
  void timelineContentsAndCap() {
    TcpOptions o = new TcpOptions();
    o.timelineCapacity = 5;
    TcpHarness h = new TcpHarness(o).handshake(100, 1000, 5000, 1000, 2000);
    h.c(4000, P | A, 1001, 5001, "GET /");
    h.s(5000, A, 5001, 1006, null);
    h.s(6000, P | A, 5001, 1006, "resp");
    h.c(7000, A, 1006, 5005, null);
    SegmentTimeline tl = h.conn(1).timeline();
    assertEquals(5, tl.size());
    assertTrue(tl.truncated());
    assertEquals(1, h.warnings.get("tcp.timeline_truncated"), "counted once per connection");
    assertEquals(100, tl.ts(0));
    assertEquals(1, tl.frame(0));
    assertEquals(CLIENT, tl.dir(0));
    assertEquals(S, tl.flags(0));
    assertEquals(-1, tl.ack(0));
    assertEquals(SERVER, tl.dir(1));
    assertEquals(0, tl.seq(1));
    assertEquals(1, tl.ack(1));
    assertEquals(1000, tl.window(1), "SYN windows are not scaled");
    assertEquals(1, tl.seq(3));
    assertEquals(5, tl.len(3));
    assertEquals(P | A, tl.flags(3));
    assertEquals(1000 << 7, tl.window(3));
    assertEquals(6, tl.ack(4));
    assertEquals(0, tl.len(4));
  }

  @Test
  void evictionOfLeastRecentlyActive() {
    TcpOptions o = new TcpOptions();
    o.maxConnections = 2;
    TcpHarness h = new TcpHarness(o);
    h.ports(40001, 80).c(0, S, 1, 0, null);
    h.ports(40002, 80).c(10, S, 1, 0, null);
    h.ports(40001, 80).c(20, A, 2, 0, null); // 40001 becomes the most recent
    h.ports(40003, 80).c(30, S, 1, 0, null);
    assertEquals(2, h.table.openConnections());
    assertEquals(1, h.warnings.get("tcp.connection_evicted"));
    assertEquals(1, h.closed.size());
    assertEquals(2, h.closed.get(0).id());
    assertEquals(CloseReason.EVICTED, h.closed.get(0).closeReason());
    h.finish();
    assertEquals(List.of(2L, 1L, 3L), h.closed.stream().map(Connection::id).toList());
  }

  @Test
  void finishOrderIsCreationOrder() {
    TcpHarness h = new TcpHarness();
    for (int p = 40010; p > 40000; p--) {
      h.ports(p, 80).c(40010 - p, S, 1, 0, null);
    }
    for (int p = 40001; p <= 40010; p++) {
      h.ports(p, 80).c(100 + p, A, 2, 0, null);
    }
    h.finish();
    assertEquals(
        List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L),
        h.closed.stream().map(Connection::id).toList());
    assertTrue(h.closed.stream().allMatch(c -> c.closeReason() == CloseReason.CAPTURE_END));
  }

  @Test
  void idleTimeoutByCaptureTime() {
    TcpOptions o = new TcpOptions();
    o.idleTimeoutMicros = 1_000_000;
    TcpHarness h = new TcpHarness(o).handshake(0, 1000, 5000, 100, 100);
    h.ports(40001, 80).c(900_000, S, 1, 0, null);
    assertEquals(2, h.table.openConnections());
    h.ports(40002, 80).c(1_500_000, S, 1, 0, null);
    assertEquals(1, h.closed.size());
    assertEquals(CloseReason.IDLE, h.closed.get(0).closeReason());
    assertEquals(2, h.table.openConnections());
  }

  @Test
  void oooBufferCapDeclaresGap() {
    TcpOptions o = new TcpOptions();
    o.maxBufferedBytesPerDirection = 8;
    TcpHarness h = new TcpHarness(o).handshake(0, 1000, 5000, 100, 100);
    h.c(1000, A, 1011, 5001, "abcde"); // hole 1001..1010
    h.c(2000, A, 1021, 5001, "vwxyz"); // hole 1016..1020, would exceed 8 bytes buffered
    assertEquals(1, h.warnings.get("tcp.ooo_buffer_full"));
    assertEquals(List.of("G0:10", "D0:abcde"), h.ev(1));
    h.c(3000, A, 1016, 5001, "12345");
    assertEquals(List.of("G0:10", "D0:abcde", "D0:12345", "D0:vwxyz"), h.ev(1));
    assertEquals(0, h.table.context.totalBuffered);
  }

  @Test
  void totalBufferCapAcrossConnections() {
    TcpOptions o = new TcpOptions();
    o.maxBufferedBytesTotal = 8;
    TcpHarness h = new TcpHarness(o);
    h.ports(40001, 80).handshake(0, 1000, 5000, 100, 100).c(1000, A, 1011, 5001, "abcde");
    h.ports(40002, 80).handshake(0, 1000, 5000, 100, 100).c(2000, A, 1011, 5001, "vwxyz");
    assertEquals(1, h.warnings.get("tcp.ooo_buffer_total_full"));
    assertEquals(List.of("G0:10", "D0:vwxyz"), h.ev(2));
    assertEquals(List.of(), h.ev(1));
    h.finish();
    assertEquals(List.of("G0:10", "D0:abcde", "X", "closed"), h.ev(1));
  }

  @Test
  void historyLetters() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 100, 100);
    h.c(1000, P | A, 1001, 5001, "GET /");
    h.c(2000, P | A, 1001, 5001, "GET /");
    h.s(3000, P | A, 5001, 1006, "200");
    h.s(3500, A, 5004, 1006, null).c(3600, A, 1006, 5004, null);
    h.c(4000, F | A, 1006, 5004, null).s(5000, F | A, 5004, 1007, null);
    h.c(6000, A, 1007, 5005, null);
    assertEquals("ShADTdaFf", h.conn(1).history());
  }

  @Test
  void halfClosedAtCaptureEnd() {
    TcpHarness h = new TcpHarness().handshake(0, 1000, 5000, 100, 100);
    h.s(1000, P | A, 5001, 1001, "body");
    h.s(1100, F | A, 5005, 1001, null);
    h.c(1200, A, 1001, 5006, null);
    h.finish();
    Connection c = h.conn(1);
    assertEquals(CloseReason.CAPTURE_END, c.closeReason());
    assertEquals(SERVER, c.closedFirstBy());
    assertEquals(5, c.half(SERVER).finFrame());
    assertEquals(-1, c.half(CLIENT).finFrame());
    assertEquals(List.of("D1:body", "F1", "X", "closed"), h.ev(1));
  }

  @Test
  void halfClosedThenIdleIsFin() {
    TcpOptions o = new TcpOptions();
    o.idleTimeoutMicros = 10_000;
    TcpHarness h = new TcpHarness(o).handshake(0, 1000, 5000, 100, 100);
    h.s(1000, F | A, 5001, 1001, null);
    h.ports(40001, 80).c(50_000, S, 1, 0, null);
    assertEquals(CloseReason.FIN, h.conn(1).closeReason());
  }
}
