/**
 * Capture filters: a tcpdump expression compiled by libpcap (the only native call, once per link
 * type) into a classic BPF program that {@link io.connscope.capture.filter.BpfProgram} runs in Java
 * on each frame in place, without allocation. Depends on nothing else in connscope.
 */
package io.connscope.capture.filter;
