package io.connscope.cli;

import io.connscope.capture.live.Device;
import io.connscope.capture.live.Interfaces;
import io.connscope.capture.live.LiveCaptureException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code connscope interfaces}: the capture devices, numbered like {@code tcpdump -D}. */
@Command(
    name = "interfaces",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Lists the interfaces 'connscope capture -i' can capture on (like tcpdump -D): name,"
          + " description, state and addresses. Without capture rights the list may be short."
    })
final class InterfacesCommand implements Callable<Integer> {
  @picocli.CommandLine.ParentCommand Main parent;

  @Override
  public Integer call() {
    List<Device> devices;
    try {
      devices = Interfaces.list();
    } catch (LiveCaptureException e) {
      throw new UserError(ExitCodes.INPUT, e.getMessage());
    } catch (LinkageError e) {
      throw new UserError(ExitCodes.INPUT, LiveCaptureException.unavailable(e).getMessage());
    }
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(parent.stdout, StandardCharsets.UTF_8));
    int i = 0;
    for (Device d : devices) {
      List<String> flags = new ArrayList<>();
      flags.add(d.up() ? "Up" : "Down");
      if (d.running()) {
        flags.add("Running");
      }
      if (d.loopback()) {
        flags.add("Loopback");
      }
      out.printf(
          "%d.%s%s [%s]%n",
          ++i,
          d.name(),
          d.description() == null ? "" : " (" + d.description() + ")",
          String.join(", ", flags));
      if (!d.addresses().isEmpty()) {
        out.printf(
            "    %s%n",
            String.join(" ", d.addresses().stream().map(InterfacesCommand::compact).toList()));
      }
    }
    out.flush();
    if (devices.isEmpty()) {
      throw new UserError(
          ExitCodes.INPUT,
          "no capture device found: run as root, or see"
              + " docs/live-capture.md for the capabilities to grant");
    }
    return ExitCodes.OK;
  }

  /** An IPv6 literal in RFC 5952 form (as reports write addresses); others unchanged. */
  static String compact(String address) {
    String literal = address.replaceFirst("%.*$", "");
    if (!literal.contains(":")) {
      return address;
    }
    try {
      byte[] b = java.net.InetAddress.getByName(literal).getAddress(); // a literal: no lookup
      if (b.length != 16) {
        return address;
      }
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
      return io.connscope.common.Addresses.format(bb.getLong(0), bb.getLong(8));
    } catch (java.net.UnknownHostException e) {
      return address;
    }
  }
}
