package io.connscope.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Direction;
import io.connscope.common.Warnings;
import io.connscope.tcp.StreamControl;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A reverse connection: the side the handshake made the server sends the requests. The roles stay
 * as the handshake said; the tracker parses with the sides exchanged.
 */
class ReversedRolesTest {
  /** Roles known from a handshake: they cannot be swapped. */
  static final class Handshake implements StreamControl {
    @Override
    public boolean rolesInferred() {
      return false;
    }

    @Override
    public void swapRoles() {
      throw new AssertionError("roles from a handshake are never swapped");
    }
  }

  static void feed(HttpTracker t, int dir, String s, long frame) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    t.onData(dir, ByteBuffer.wrap(b), 0, b.length, frame, frame * 10);
  }

  @Test
  void requestsFromTheHandshakesServerArePaired() {
    HttpTracker t = new HttpTracker(new Handshake(), new HttpOptions(), new Warnings());
    feed(t, Direction.SERVER, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 2);
    feed(t, Direction.CLIENT, "HTTP/1.1 204 No Content\r\n\r\n", 3);
    feed(t, Direction.SERVER, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n", 4);
    feed(t, Direction.CLIENT, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 5);
    t.onClose(60);
    assertTrue(t.isHttp());
    assertTrue(t.httpReversed());
    assertEquals(2, t.transactions().size());
    assertEquals("/a", t.transactions().get(0).uri());
    assertEquals(204, t.transactions().get(0).status());
    assertEquals(200, t.transactions().get(1).status());
    assertEquals(1, t.anomalies().get(HttpAnomalies.REVERSED_ROLES));
  }

  @Test
  void twoSidesAnsweringIsNotHttp() {
    HttpTracker t = new HttpTracker(new Handshake(), new HttpOptions(), new Warnings());
    feed(t, Direction.CLIENT, "HTTP/1.1 200 OK\r\n\r\n", 2);
    feed(t, Direction.SERVER, "HTTP/1.1 200 OK\r\n\r\n", 3);
    t.onClose(60);
    assertFalse(t.isHttp());
  }
}
