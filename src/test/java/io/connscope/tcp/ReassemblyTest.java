package io.connscope.tcp;

import static io.connscope.tcp.TcpHarness.A;
import static io.connscope.tcp.TcpHarness.F;
import static io.connscope.tcp.TcpHarness.P;
import static io.connscope.tcp.TcpHarness.R;
import static io.connscope.tcp.TcpHarness.S;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven reassembly cases (after gopacket's reassembly tests): segments in, listener calls
 * out. Client ISN 1000, server ISN 5000; "hs" is the three-way handshake.
 */
class ReassemblyTest {
  /** One segment: from client ('C') or server ('S'), flags, seq, ack, payload, wire length. */
  record Step(char from, int flags, long seq, long ack, String data, int wire) {}

  static Step c(int flags, long seq, long ack, String data) {
    return new Step('C', flags, seq, ack, data, -1);
  }

  static Step s(int flags, long seq, long ack, String data) {
    return new Step('S', flags, seq, ack, data, -1);
  }

  static final Step[] HS = {
    c(S, 1000, 0, null), s(S | A, 5000, 1001, null), c(A, 1001, 5001, null)
  };

  static Step[] hs(Step... rest) {
    Step[] all = new Step[HS.length + rest.length];
    System.arraycopy(HS, 0, all, 0, HS.length);
    System.arraycopy(rest, 0, all, HS.length, rest.length);
    return all;
  }

  static Arguments tc(String name, Step[] steps, String... expected) {
    return Arguments.of(name, steps, List.of(expected));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        tc(
            "in order both ways",
            hs(
                c(P | A, 1001, 5001, "GET /"),
                s(A, 5001, 1006, null),
                s(P | A, 5001, 1006, "200"),
                c(A, 1006, 5004, null)),
            "D0:GET /",
            "D1:200",
            "X",
            "closed"),
        tc(
            "reorder",
            hs(c(A, 1006, 5001, "world"), c(A, 1001, 5001, "hello")),
            "D0:hello",
            "D0:world",
            "X",
            "closed"),
        tc(
            "partial overlap delivers only the new tail",
            hs(c(A, 1001, 5001, "hello"), c(A, 1004, 5001, "loWORLD")),
            "D0:hello",
            "D0:WORLD",
            "X",
            "closed"),
        tc(
            "full retransmission delivered once",
            hs(c(A, 1001, 5001, "hello"), c(A, 1001, 5001, "hello")),
            "D0:hello",
            "X",
            "closed"),
        tc(
            "buffered copy wins over a conflicting retransmission",
            hs(c(A, 1006, 5001, "world"), c(A, 1006, 5001, "WORLD"), c(A, 1001, 5001, "hello")),
            "D0:hello",
            "D0:world",
            "X",
            "closed"),
        tc(
            "in-order segment overlapping buffered data",
            hs(c(A, 1006, 5001, "world"), c(A, 1001, 5001, "helloWORLD!")),
            "D0:hello",
            "D0:world",
            "D0:!",
            "X",
            "closed"),
        tc(
            "hole never filled: gap at finish",
            hs(c(A, 1001, 5001, "hello"), c(A, 1011, 5001, "world")),
            "D0:hello",
            "G0:5",
            "D0:world",
            "X",
            "closed"),
        tc(
            "hole acked past: gap at once",
            hs(
                c(A, 1001, 5001, "hello"),
                c(A, 1011, 5001, "world"),
                s(A, 5001, 1016, null),
                c(A, 1016, 5001, "more")),
            "D0:hello",
            "G0:5",
            "D0:world",
            "D0:more",
            "X",
            "closed"),
        tc(
            "acked but never seen",
            hs(c(A, 1001, 5001, "hello"), s(A, 5001, 1016, null), c(A, 1016, 5001, "x")),
            "D0:hello",
            "G0:10",
            "D0:x",
            "X",
            "closed"),
        tc(
            "hole before FIN: gap when the FIN is acked",
            hs(c(A, 1001, 5001, "hello"), c(F | A, 1011, 5001, "world"), s(A, 5001, 1017, null)),
            "D0:hello",
            "G0:5",
            "D0:world",
            "F0",
            "X",
            "closed"),
        tc(
            "snaplen-truncated payload",
            hs(new Step('C', A, 1001, 5001, "abc", 10), c(A, 1011, 5001, "next")),
            "D0:abc",
            "G0:7",
            "D0:next",
            "X",
            "closed"),
        tc(
            "half close: client FIN, server keeps sending, then closes",
            hs(
                c(P | A, 1001, 5001, "req"),
                c(F | A, 1004, 5001, null),
                s(A, 5001, 1005, null),
                s(P | A, 5001, 1005, "resp"),
                s(P | A, 5005, 1005, "onse"),
                s(F | A, 5009, 1005, null),
                c(A, 1005, 5010, null)),
            "D0:req",
            "F0",
            "D1:resp",
            "D1:onse",
            "F1",
            "X",
            "closed"),
        tc(
            "FIN before the data it follows (reordered)",
            hs(c(F | A, 1004, 5001, null), c(A, 1001, 5001, "req")),
            "D0:req",
            "F0",
            "X",
            "closed"),
        tc(
            "RST: holes become gaps, then onRst",
            hs(c(A, 1001, 5001, "hello"), c(A, 1011, 5001, "world"), s(R | A, 5001, 1006, null)),
            "D0:hello",
            "G0:5",
            "D0:world",
            "R1",
            "X",
            "closed"),
        tc(
            "keep-alive probe is not data",
            hs(
                c(A, 1001, 5001, "hello"),
                c(A, 1005, 5001, "x"),
                c(A, 1005, 5001, null),
                c(A, 1006, 5001, "!")),
            "D0:hello",
            "D0:!",
            "X",
            "closed"),
        tc(
            "SYN carrying data (TFO)",
            new Step[] {
              c(S, 1000, 0, "early"), s(S | A, 5000, 1006, null), c(A, 1006, 5001, "late")
            },
            "D0:early",
            "D0:late",
            "X",
            "closed"),
        tc(
            "mid-stream start",
            new Step[] {
              c(P | A, 777, 9000, "abc"), s(A, 9000, 780, null), c(P | A, 780, 9000, "def")
            },
            "D0:abc",
            "D0:def",
            "X",
            "closed"),
        tc(
            "data past the ISN wrap-around",
            new Step[] {
              c(S, 0xFFFFFFFCL, 0, null),
              s(S | A, 5000, 0xFFFFFFFDL, null),
              c(A, 3, 5001, "ghi"),
              c(A, 0xFFFFFFFDL, 5001, "abcdef"),
              c(A, 0, 5001, "XYZ"),
              s(A, 5001, 6, null)
            },
            "D0:abcdef",
            "D0:ghi",
            "X",
            "closed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reassembles(String name, Step[] steps, List<String> expected) {
    TcpHarness h = new TcpHarness();
    long ts = 0;
    for (Step st : steps) {
      ts += 1000;
      h.send(st.from() == 'C', ts, st.flags(), st.seq(), st.ack(), st.data(), st.wire());
    }
    h.finish();
    assertEquals(expected, h.ev(1), name);
    assertEquals(1, h.table.connectionsCreated(), name);
    assertEquals(0, h.table.openConnections(), name);
  }
}
