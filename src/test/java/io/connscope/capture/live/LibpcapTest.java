package io.connscope.capture.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.common.Warnings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** libpcap's failures as the one line a user reads, and the drop counters as warnings. */
class LibpcapTest {
  @Test
  void permissionSaysHowToGrantIt() {
    String m =
        Libpcap.explain(Libpcap.PCAP_ERROR_PERM_DENIED, "socket: Operation not permitted", "eth0")
            .getMessage();
    assertTrue(m.startsWith("no permission to capture on eth0"), m);
    assertTrue(m.contains("setcap cap_net_raw,cap_net_admin=eip /"), m);
    // the same from the message alone (older libpcap returns plain PCAP_ERROR)
    assertTrue(
        Libpcap.explain(-1, "eth0: You don't have permission to capture on that device", "eth0")
            .getMessage()
            .contains("setcap"));
  }

  @Test
  void otherFailures() {
    assertTrue(
        Libpcap.explain(Libpcap.PCAP_ERROR_NO_SUCH_DEVICE, "", "eth9")
            .getMessage()
            .contains("no such interface: eth9 (list them with 'connscope interfaces')"));
    assertTrue(
        Libpcap.explain(Libpcap.PCAP_ERROR_IFACE_NOT_UP, "", "eth1")
            .getMessage()
            .contains("ip link set eth1 up"));
    assertEquals(
        "cannot capture on x: weird thing", Libpcap.explain(-1, "weird\nthing", "x").getMessage());
    assertTrue(
        LiveCaptureException.unavailable(new UnsatisfiedLinkError("Unable to load library 'pcap'"))
            .getMessage()
            .contains("apt-get install libpcap0.8"));
    assertTrue(
        LiveCaptureException.unavailable(new NoClassDefFoundError("org/pcap4j/core/Pcaps"))
            .getMessage()
            .contains("lacks pcap4j"));
  }

  @Test
  void dropsBecomeWarnings() {
    Warnings w = new Warnings();
    new CaptureStats(1000, 0, 0, 0).addWarnings(w, 3, 2);
    assertTrue(w.isEmpty(), "no drops, no warning, even with gaps (they are the network's)");

    new CaptureStats(1000, 40, 2, 0).addWarnings(w, 3, 5);
    assertEquals(40, w.get(CaptureStats.KERNEL_DROPS));
    assertEquals(2, w.get(CaptureStats.INTERFACE_DROPS));
    assertEquals(3, w.get(CaptureStats.DROPS_AFFECTED_FINDINGS));
    assertTrue(
        w.entries().get(CaptureStats.DROPS_AFFECTED_FINDINGS).detail().contains("5 findings"));

    Warnings clean = new Warnings();
    new CaptureStats(1000, 7, 0, 0).addWarnings(clean, 0, 0);
    assertEquals(7, clean.get(CaptureStats.KERNEL_DROPS));
    assertEquals(0, clean.get(CaptureStats.DROPS_AFFECTED_FINDINGS));
    assertTrue(clean.entries().get(CaptureStats.KERNEL_DROPS).detail().contains("--buffer-size"));

    Warnings behind = new Warnings();
    new CaptureStats(1000, 7, 0, 12).addWarnings(behind, 0, 0);
    assertTrue(
        behind.entries().get(CaptureStats.KERNEL_DROPS).detail().contains("--backlog"),
        "drops while the backlog was full are the analysis's");
  }

  /** Skips the calling test unless live capture works here on {@code lo} (libpcap, rights). */
  static void assumeLoopbackCapture() {
    LiveOptions o = new LiveOptions();
    o.device = "lo";
    try (LiveSource s = LiveSource.open(o, new Warnings())) {
      assertTrue(s.snaplen() > 0);
    } catch (LiveCaptureException e) {
      Assumptions.assumeTrue(false, "live capture unavailable: " + e.getMessage());
    }
  }
}
