package io.connscope.capture.live;

import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/** The capture devices libpcap can open (pcap_findalldevs), like {@code tcpdump -D}. */
public final class Interfaces {
  private Interfaces() {}

  /** Every device, in libpcap's order (the first one is the default, as for tcpdump). */
  public static List<Device> list() throws LiveCaptureException {
    List<PcapNetworkInterface> devs;
    try {
      devs = Pcaps.findAllDevs();
    } catch (LinkageError e) {
      throw LiveCaptureException.unavailable(e);
    } catch (PcapNativeException e) {
      throw new LiveCaptureException("cannot list interfaces: " + e.getMessage());
    }
    List<Device> out = new ArrayList<>();
    for (PcapNetworkInterface d : devs) {
      List<String> addrs = new ArrayList<>();
      for (PcapAddress a : d.getAddresses()) {
        if (a.getAddress() != null) {
          addrs.add(a.getAddress().getHostAddress());
        }
      }
      out.add(
          new Device(
              d.getName(),
              d.getDescription(),
              List.copyOf(addrs),
              d.isLoopBack(),
              d.isUp(),
              d.isRunning()));
    }
    return out;
  }

  /**
   * The device {@code capture} uses without {@code -i}: the first one that is up and not a
   * loopback, as tcpdump picks.
   */
  public static String defaultDevice() throws LiveCaptureException {
    List<Device> all = list();
    for (Device d : all) {
      if (d.up() && !d.loopback() && !d.name().equals("any")) {
        return d.name();
      }
    }
    if (all.isEmpty()) {
      throw new LiveCaptureException(
          "no capture device found: run as root, or grant the capture"
              + " capabilities (sudo setcap cap_net_raw,cap_net_admin=eip "
              + Libpcap.javaBinary()
              + ")");
    }
    return all.get(0).name();
  }
}
