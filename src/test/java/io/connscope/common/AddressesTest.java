package io.connscope.common;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class AddressesTest {
  private static String f(long hi, long lo) {
    return Addresses.format(hi, lo);
  }

  @Test
  void ipv4MappedPrintsDottedQuad() {
    long lo = Addresses.ipv4MappedLo(0xC0000201);
    assertEquals(0x0000ffffC0000201L, lo);
    assertTrue(Addresses.isIpv4Mapped(0, lo));
    assertEquals("192.0.2.1", f(0, lo));
    assertEquals("255.255.255.255", f(0, Addresses.ipv4MappedLo(-1)));
    assertEquals("0.0.0.0", f(0, Addresses.ipv4MappedLo(0)));
  }

  @Test
  void notIpv4Mapped() {
    assertFalse(Addresses.isIpv4Mapped(1, 0x0000ffffC0000201L));
    assertFalse(Addresses.isIpv4Mapped(0, 0x0001ffffC0000201L));
    assertFalse(Addresses.isIpv4Mapped(0, 0xC0000201L), "IPv4-compatible is not mapped");
    assertEquals("::c000:201", f(0, 0xC0000201L));
  }

  @Test
  void rfc5952Compression() {
    assertEquals("::", f(0, 0));
    assertEquals("::1", f(0, 1));
    assertEquals("2001:db8::1", f(0x20010db800000000L, 1));
    assertEquals("fe80::", f(0xfe80000000000000L, 0));
    // RFC 5952 §4.2.2: a single 16-bit zero field is not shortened
    assertEquals("2001:db8:0:1:1:1:1:1", f(0x20010db800000001L, 0x0001000100010001L));
    // §4.2.3: the longest run is shortened ...
    assertEquals("2001:0:0:1::1", f(0x2001000000000001L, 0x0000000000000001L));
    // ... and the first one when runs tie
    assertEquals("2001:db8::1:0:0:1", f(0x20010db800000000L, 0x0001000000000001L));
    // §4.3: lower case, no leading zeros
    assertEquals("2001:db8:a:bc:def:ff00:1:abcd", f(0x20010db8000a00bcL, 0x0defff000001abcdL));
    assertEquals("1:2:3:4:5:6:7:8", f(0x0001000200030004L, 0x0005000600070008L));
  }
}
