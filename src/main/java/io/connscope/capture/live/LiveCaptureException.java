package io.connscope.capture.live;

/**
 * Live capture cannot start or go on. The message is one line for the user: what is missing and how
 * to fix it (the package to install, the capability to grant, the interface names to use).
 */
public final class LiveCaptureException extends Exception {
  private static final long serialVersionUID = 1L;

  public LiveCaptureException(String message) {
    super(message);
  }

  /**
   * The libraries of live capture cannot be loaded: libpcap is not installed (JNA cannot find it),
   * or pcap4j itself is missing from the class path. This class references neither, so callers can
   * use it when loading them failed.
   */
  public static LiveCaptureException unavailable(LinkageError e) {
    String m = String.valueOf(e.getMessage());
    if (e instanceof NoClassDefFoundError && m.startsWith("org/pcap4j")) {
      return new LiveCaptureException(
          "this connscope build lacks pcap4j: use the connscope.jar" + " built by 'mvn package'");
    }
    return new LiveCaptureException(
        "libpcap is not installed: install it"
            + " (Debian/Ubuntu: apt-get install libpcap0.8; Fedora/RHEL: dnf install libpcap;"
            + " Alpine: apk add libpcap) and try again");
  }
}
