package io.connscope.capture.live;

import java.util.List;

/**
 * A capture device as libpcap lists it (pcap_findalldevs), like one line of {@code tcpdump -D}.
 *
 * @param name the name to give {@code capture -i}
 * @param description libpcap's description, or null
 * @param addresses the device's IP addresses, as text
 * @param loopback true for a loopback device
 * @param up true when the device is up
 * @param running true when the device is running (has a carrier)
 */
public record Device(
    String name,
    String description,
    List<String> addresses,
    boolean loopback,
    boolean up,
    boolean running) {}
