package io.connscope.tcp;

/** What stays of one direction of a finished connection ({@link ConnectionView#half}). */
public interface HalfView {
  long finFrame();

  long finTs();

  long rstFrame();

  long rstTs();

  /** Smallest data-to-ACK time of this direction's data, -1 without a sample. */
  long rttMinMicros();
}
