package io.connscope.http;

import io.connscope.common.Warnings;
import io.connscope.tcp.StreamControl;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Test driver: a fake connection that records {@link #swapRoles()} and flips its direction mapping,
 * and a script of steps on the two wire sides (A opened the connection, B accepted). Step {@code i}
 * is delivered with frame {@code i + 1} and time {@code (i + 1) * 1000} us.
 */
final class Harness implements StreamControl {
  static final int A = 0;
  static final int B = 1;

  /** How a data step is cut into chunks: sorted inner cut points. */
  interface Splitter {
    int[] cuts(int step, int len);
  }

  static final Splitter WHOLE = (step, len) -> new int[0];

  enum Kind {
    DATA,
    GAP,
    FIN,
    RST
  }

  record Step(int side, Kind kind, byte[] data, long n) {}

  /** A sequence of steps. */
  static final class Script {
    final List<Step> steps = new ArrayList<>();

    Script a(String s) {
      return data(A, s);
    }

    Script b(String s) {
      return data(B, s);
    }

    Script data(int side, String s) {
      steps.add(new Step(side, Kind.DATA, s.getBytes(StandardCharsets.ISO_8859_1), 0));
      return this;
    }

    Script bytes(int side, byte[] b) {
      steps.add(new Step(side, Kind.DATA, b, 0));
      return this;
    }

    Script gap(int side, long n) {
      steps.add(new Step(side, Kind.GAP, null, n));
      return this;
    }

    Script fin(int side) {
      steps.add(new Step(side, Kind.FIN, null, 0));
      return this;
    }

    Script rst(int side) {
      steps.add(new Step(side, Kind.RST, null, 0));
      return this;
    }

    /** The same script with every data step's text transformed. */
    Script map(UnaryOperator<String> f) {
      Script out = new Script();
      for (Step s : steps) {
        if (s.kind() == Kind.DATA) {
          out.data(s.side(), f.apply(new String(s.data(), StandardCharsets.ISO_8859_1)));
        } else {
          out.steps.add(s);
        }
      }
      return out;
    }
  }

  boolean inferred;
  int swaps;
  private boolean swapped;
  final Warnings warnings = new Warnings();
  final HttpTracker tracker;

  Harness(HttpOptions opts, boolean inferred) {
    this(opts, inferred, null);
  }

  /** A tracker whose kept transactions count against {@code budget} (null: none). */
  Harness(HttpOptions opts, boolean inferred, HttpTracker.KeptBudget budget) {
    this.inferred = inferred;
    this.tracker = new HttpTracker(this, opts, warnings, budget);
  }

  @Override
  public boolean rolesInferred() {
    return inferred;
  }

  @Override
  public void swapRoles() {
    if (!inferred) {
      throw new IllegalStateException("swapRoles with roles from the handshake");
    }
    swaps++;
    swapped = !swapped;
  }

  int dir(int side) {
    return (side == A) != swapped ? CLIENT : SERVER;
  }

  /** Plays the script (without closing). */
  Harness play(Script script, Splitter splitter) {
    for (int i = 0; i < script.steps.size(); i++) {
      Step s = script.steps.get(i);
      long frame = i + 1;
      long us = frame * 1000;
      lastUs = us;
      switch (s.kind()) {
        case DATA:
          {
            // the bytes sit at an offset inside a larger buffer, as in a capture buffer
            byte[] padded = new byte[s.data().length + 5];
            System.arraycopy(s.data(), 0, padded, 3, s.data().length);
            ByteBuffer buf = ByteBuffer.wrap(padded);
            int start = 0;
            for (int cut : splitter.cuts(i, s.data().length)) {
              tracker.onData(dir(s.side()), buf, 3 + start, cut - start, frame, us);
              start = cut;
            }
            tracker.onData(dir(s.side()), buf, 3 + start, s.data().length - start, frame, us);
            break;
          }
        case GAP:
          tracker.onGap(dir(s.side()), s.n(), frame, us);
          break;
        case FIN:
          tracker.onFin(dir(s.side()), frame, us);
          break;
        default:
          tracker.onRst(dir(s.side()), frame, us);
      }
    }
    return this;
  }

  Harness close() {
    tracker.onClose(lastUs + 1000);
    return this;
  }

  private long lastUs;

  /** Plays and closes. */
  static Harness run(Script script, Splitter splitter, HttpOptions opts, boolean inferred) {
    Harness h = new Harness(opts, inferred);
    return h.play(script, splitter).close();
  }

  static Harness run(Script script) {
    return run(script, WHOLE, new HttpOptions(), false);
  }

  /** Everything the tracker reports, one string per line, for equality checks. */
  List<String> outcome() {
    List<String> out = new ArrayList<>();
    for (Transaction t : tracker.transactions()) {
      out.add(t.toString());
    }
    out.add(
        "http="
            + tracker.isHttp()
            + " reason="
            + tracker.notHttpReason()
            + " tunnel="
            + tracker.tunnel()
            + " maxDepth="
            + tracker.maxPipelineDepth()
            + " swaps="
            + swaps
            + " anomalies="
            + tracker.anomalies());
    return out;
  }

  Transaction tx(int i) {
    return tracker.transactions().get(i);
  }
}
