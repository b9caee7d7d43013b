package io.connscope.capture.live;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;

/** What pcap4j and libpcap report, turned into one line a user can act on. */
final class Libpcap {
  private Libpcap() {}

  // pcap_activate() results (pcap/pcap.h)
  static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
  static final int PCAP_ERROR_PERM_DENIED = -8;
  static final int PCAP_ERROR_IFACE_NOT_UP = -9;
  static final int PCAP_ERROR_PROMISC_PERM_DENIED = -11;

  /** A failure to open or configure {@code device}. */
  static LiveCaptureException explain(PcapNativeException e, String device) {
    Integer rc = e.getReturnCode();
    return explain(rc == null ? 0 : rc, e.getMessage(), device);
  }

  static LiveCaptureException explain(int rc, String message, String device) {
    String m = message == null ? "" : message.replace('\n', ' ').strip();
    String lower = m.toLowerCase(java.util.Locale.ROOT);
    if (rc == PCAP_ERROR_PERM_DENIED
        || rc == PCAP_ERROR_PROMISC_PERM_DENIED
        || lower.contains("permission")
        || lower.contains("operation not permitted")) {
      return new LiveCaptureException(
          "no permission to capture on "
              + device
              + ": run as root, or grant the capture capabilities once with: sudo setcap"
              + " cap_net_raw,cap_net_admin=eip "
              + javaBinary());
    }
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE || lower.contains("no such device")) {
      return new LiveCaptureException(
          "no such interface: " + device + " (list them with 'connscope interfaces')");
    }
    if (rc == PCAP_ERROR_IFACE_NOT_UP || lower.contains("not up")) {
      return new LiveCaptureException(
          "interface "
              + device
              + " is down: bring it up"
              + " (ip link set "
              + device
              + " up) or pick another ('connscope interfaces')");
    }
    return new LiveCaptureException(
        "cannot capture on " + device + ": " + (m.isEmpty() ? "libpcap error " + rc : m));
  }

  /** The java binary running us, the one that needs the capabilities. */
  static String javaBinary() {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    try {
      return java.toRealPath().toString();
    } catch (java.io.IOException e) {
      return java.toString();
    }
  }

  /**
   * The address of the pcap_t behind a pcap4j handle, for the native batch reader. pcap4j keeps it
   * in a private field; 0 when that field cannot be read (another pcap4j version).
   */
  static long address(PcapHandle handle) {
    try {
      Field f = PcapHandle.class.getDeclaredField("handle");
      f.setAccessible(true);
      Object p = f.get(handle);
      return p instanceof com.sun.jna.Pointer ptr ? com.sun.jna.Pointer.nativeValue(ptr) : 0;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return 0;
    }
  }
}
