package io.connscope.decode;

import io.connscope.capture.CaptureInfo;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Test-only builders for hand-made frames; every length field is computed from the parts. */
final class Frames {
  private Frames() {}

  static final int CLIENT = 0xC0000201; // 192.0.2.1
  static final int SERVER = 0xC6336407; // 198.51.100.7
  static final byte[] CLIENT6 = v6(0x20010db8_00000000L, 1);
  static final byte[] SERVER6 = v6(0x20010db8_00000000L, 0x80);

  static byte[] v6(long hi, long lo) {
    return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** TCP header (options padded with EOL to a multiple of 4) followed by the payload. */
  static byte[] tcp(
      int sport, int dport, long seq, long ack, int flags, byte[] options, byte[] payload) {
    int optLen = (options.length + 3) & ~3;
    ByteBuffer b = ByteBuffer.allocate(20 + optLen + payload.length);
    b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack);
    b.put((byte) (((20 + optLen) / 4) << 4)).put((byte) flags).putShort((short) 65535);
    b.putShort((short) 0xBEEF).putShort((short) 0);
    b.put(options).position(20 + optLen).put(payload);
    return b.array();
  }

  static byte[] tcp(byte[] payload) {
    return tcp(43210, 80, 1000, 2000, TcpView.ACK | TcpView.PSH, new byte[0], payload);
  }

  /** IPv4 header with the given options (padded to 4) around {@code body}. */
  static byte[] ipv4(int proto, int src, int dst, byte[] options, int flagsFrag, byte[] body) {
    int hl = 20 + ((options.length + 3) & ~3);
    ByteBuffer b = ByteBuffer.allocate(hl + body.length);
    b.put((byte) (0x40 | hl / 4)).put((byte) 0).putShort((short) (hl + body.length));
    b.putShort((short) 0x1234).putShort((short) flagsFrag).put((byte) 64).put((byte) proto);
    b.putShort((short) 0).putInt(src).putInt(dst).put(options).position(hl).put(body);
    return b.array();
  }

  static byte[] ipv4(byte[] body) {
    return ipv4(6, CLIENT, SERVER, new byte[0], 0x4000, body);
  }

  /** IPv6 fixed header around {@code body} (which holds any extension headers). */
  static byte[] ipv6(int nextHeader, byte[] src, byte[] dst, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(40 + body.length);
    b.putInt(0x60000000 | 0x12345)
        .putShort((short) body.length)
        .put((byte) nextHeader)
        .put((byte) 64)
        .put(src)
        .put(dst)
        .put(body);
    return b.array();
  }

  static byte[] ipv6(byte[] tcp) {
    return ipv6(6, CLIENT6, SERVER6, tcp);
  }

  /** Generic extension header of {@code totalLen} bytes (multiple of 8) in 8-octet units. */
  static byte[] ext(int nextHeader, int totalLen) {
    byte[] b = new byte[totalLen];
    b[0] = (byte) nextHeader;
    b[1] = (byte) (totalLen / 8 - 1);
    if (totalLen > 2) {
      b[2] = 1; // PadN option
      b[3] = (byte) (totalLen - 4);
    }
    return b;
  }

  /** AH header of {@code totalLen} bytes (multiple of 4), length in 32-bit words minus 2. */
  static byte[] ah(int nextHeader, int totalLen) {
    byte[] b = new byte[totalLen];
    b[0] = (byte) nextHeader;
    b[1] = (byte) (totalLen / 4 - 2);
    return b;
  }

  static byte[] fragment(int nextHeader, int offsetUnits, boolean more) {
    ByteBuffer b = ByteBuffer.allocate(8);
    b.put((byte) nextHeader)
        .put((byte) 0)
        .putShort((short) (offsetUnits << 3 | (more ? 1 : 0)))
        .putInt(0xCAFE);
    return b.array();
  }

  static byte[] ether(int etherType, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(14 + body.length);
    b.put(bytes(0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa));
    b.putShort((short) etherType).put(body);
    return b.array();
  }

  /** Ethernet with VLAN tags: {@code tags} alternates TPID, VID from the outermost in. */
  static byte[] etherTagged(int[] tags, int etherType, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(12 + 2 * tags.length + 2 + body.length);
    b.put(bytes(0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa));
    for (int i = 0; i < tags.length; i += 2) {
      b.putShort((short) tags[i]).putShort((short) (0x2000 | tags[i + 1])); // PCP 1
    }
    b.putShort((short) etherType).put(body);
    return b.array();
  }

  /** UDP header around {@code body} (checksum 0). */
  static byte[] udp(int sport, int dport, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(8 + body.length);
    b.putShort((short) sport)
        .putShort((short) dport)
        .putShort((short) (8 + body.length))
        .putShort((short) 0)
        .put(body);
    return b.array();
  }

  /** IPv4 packet of protocol {@code proto} between two tunnel endpoints (10.0.0.1 -> 10.0.0.2). */
  static byte[] outer4(int proto, byte[] body) {
    return ipv4(proto, 0x0A000001, 0x0A000002, new byte[0], 0, body);
  }

  /** GRE header: flags/version word, protocol type, then {@code fields} (key, sequence...). */
  static byte[] gre(int flags, int protocol, byte[] fields, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + fields.length + body.length);
    b.putShort((short) flags).putShort((short) protocol).put(fields).put(body);
    return b.array();
  }

  static byte[] sll(int protocol, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(16 + body.length);
    b.putShort((short) 0).putShort((short) 1).putShort((short) 6);
    b.put(bytes(0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0)).putShort((short) protocol).put(body);
    return b.array();
  }

  static byte[] sll2(int protocol, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(20 + body.length);
    b.putShort((short) protocol)
        .putShort((short) 0)
        .putInt(3)
        .putShort((short) 1)
        .put((byte) 4)
        .put((byte) 6)
        .put(bytes(0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0))
        .put(body);
    return b.array();
  }

  static byte[] nullLink(int family, boolean littleEndian, byte[] body) {
    int f = littleEndian ? Integer.reverseBytes(family) : family;
    return cat(ByteBuffer.allocate(4).putInt(f).array(), body);
  }

  static CaptureInfo info(int linkType, int captured, int wire) {
    CaptureInfo i = new CaptureInfo();
    i.linkType = linkType;
    i.capturedLength = captured;
    i.wireLength = wire;
    i.frameNumber = 1;
    return i;
  }

  /** Offset at which {@link #place} copies frames, so absolute indices get tested. */
  static final int PAD = 7;

  /** The frame copied at {@link #PAD} into a larger buffer with trailing garbage. */
  static ByteBuffer place(byte[] frame) {
    ByteBuffer b = ByteBuffer.allocate(PAD + frame.length + 9);
    for (int i = 0; i < b.capacity(); i++) {
      b.put(i, (byte) 0xA5);
    }
    b.put(PAD, frame);
    return b;
  }
}
