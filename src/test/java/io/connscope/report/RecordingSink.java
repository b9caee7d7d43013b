package io.connscope.report;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.util.List;

/**
 * Every event a sink is handed, in order (the capture summary last), into {@code events}; without
 * the findings when {@code findings} is false (a capture with a stall on each of many transactions
 * holds hundreds of MB of them).
 */
record RecordingSink(List<Object> events, boolean findings) implements ResultSink {
  RecordingSink(List<Object> events) {
    this(events, true);
  }

  /** Hands {@code events} to {@code to} in order, the capture summary as its finish. */
  static void replay(List<Object> events, ResultSink to) {
    for (Object e : events) {
      if (e instanceof ConnectionStart s) {
        to.connectionStarted(s);
      } else if (e instanceof TransactionResult t) {
        to.transaction(t);
      } else if (e instanceof ConnectionResult c) {
        to.connection(c);
      } else if (e instanceof Finding f) {
        to.finding(f);
      } else {
        to.finish((CaptureSummary) e);
      }
    }
  }

  @Override
  public void connectionStarted(ConnectionStart s) {
    events.add(s);
  }

  @Override
  public void transaction(TransactionResult t) {
    events.add(t);
  }

  @Override
  public void connection(ConnectionResult c) {
    events.add(c);
  }

  @Override
  public void finding(Finding f) {
    if (findings) {
      events.add(f);
    }
  }

  @Override
  public void finish(CaptureSummary capture) {
    events.add(capture);
  }
}
