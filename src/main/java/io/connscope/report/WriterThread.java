package io.connscope.report;

import io.connscope.result.CaptureSummary;
import io.connscope.result.ConnectionResult;
import io.connscope.result.ConnectionStart;
import io.connscope.result.Finding;
import io.connscope.result.ResultSink;
import io.connscope.result.TransactionResult;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs report writers on a thread of their own, so that serializing the report (JSON generation,
 * spooling, text formatting) uses the second core while the analysis thread goes on.
 *
 * <p>Events are queued in the order they come and run in that order, each on every writer in turn,
 * exactly as a direct call would: the bytes written do not depend on the thread. What is handed
 * over is an immutable result record ({@link io.connscope.result}), so nothing is copied.
 *
 * <p>Events travel in batches ({@value #BATCH} events) through a queue of {@value #BATCHES}, so
 * memory stays bounded and the analysis thread waits when the writers fall behind; the batches are
 * reused (nothing is allocated per event). A writer's exception stops the writers and is thrown
 * again on the analysis thread at its next hand-over or at {@link #finish}, the same exception
 * object a direct call would have thrown.
 */
final class WriterThread {
  static final int BATCH = 1024;
  static final int BATCHES = 4;

  private static final byte TRANSACTION = 0;
  private static final byte CONNECTION = 1;
  private static final byte FINDING = 2;
  private static final byte FINISH = 3;
  private static final byte STARTED = 4;

  /** Events in arrival order; object slots are cleared before the batch is reused. */
  private static final class Batch {
    final byte[] kind;
    final Object[] record;
    int size;
    boolean last;

    Batch(int n) {
      kind = new byte[n];
      record = new Object[n];
    }

    boolean full() {
      return size == kind.length;
    }

    void clear() {
      Arrays.fill(record, 0, size, null);
      size = 0;
    }
  }

  /** An array, not a list: no iterator per event (the writers' code runs under C1 alone). */
  private final ResultSink[] writers;

  private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES);
  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES + 1);
  private final Thread thread;
  private Batch current;
  private volatile Throwable failure;
  private boolean finished;

  /** Starts the thread; {@code batch} events per hand-over. */
  WriterThread(List<ResultSink> writers, int batch) {
    this.writers = List.copyOf(writers).toArray(new ResultSink[0]);
    current = new Batch(batch);
    for (int i = 0; i < BATCHES; i++) {
      free.add(new Batch(batch));
    }
    // a daemon: when the analysis thread fails, it never calls finish, and the JVM still exits
    thread = new Thread(this::run, "connscope-report");
    thread.setDaemon(true);
    thread.start();
  }

  void transaction(TransactionResult t) {
    add(TRANSACTION, t);
  }

  void connection(ConnectionResult c) {
    add(CONNECTION, c);
  }

  void connectionStarted(ConnectionStart s) {
    add(STARTED, s);
  }

  void finding(Finding f) {
    add(FINDING, f);
  }

  /** Queues the end, waits until every writer has finished and throws a writer's failure. */
  void finish(CaptureSummary capture) {
    if (finished) {
      throw new IllegalStateException("finished twice");
    }
    add(FINISH, capture);
    finished = true;
    handOver(true);
    join(thread);
    rethrow();
  }

  /**
   * Waits until {@code t} has ended, through interrupts (an interrupt is kept for the caller): the
   * report's threads are never abandoned half-way.
   */
  static void join(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** True while the writers' thread runs (it ends with {@link #finish}). */
  boolean alive() {
    return thread.isAlive();
  }

  private void add(byte kind, Object record) {
    Batch batch = current;
    int i = batch.size++;
    batch.kind[i] = kind;
    batch.record[i] = record;
    if (batch.full()) {
      handOver(false);
    }
  }

  private void handOver(boolean last) {
    if (!last) {
      rethrow();
    }
    // the last batch goes even after a failure: it is what lets the thread end
    current.last = last;
    put(full, current);
    current = last ? null : take(free);
  }

  private void rethrow() {
    Throwable f = failure;
    if (f instanceof RuntimeException r) {
      throw r;
    }
    if (f instanceof Error e) {
      throw e;
    }
    if (f != null) {
      throw new IllegalStateException(f);
    }
  }

  private void run() {
    while (true) {
      Batch b = take(full);
      if (failure == null) {
        try {
          runAll(b);
        } catch (Throwable e) {
          // stop writing; the analysis thread throws it (and the batches still drain)
          failure = e;
        }
      }
      boolean last = b.last;
      b.clear();
      b.last = false;
      put(free, b);
      if (last) {
        return;
      }
    }
  }

  private void runAll(Batch b) {
    ResultSink[] ws = writers;
    for (int i = 0; i < b.size; i++) {
      Object r = b.record[i];
      byte kind = b.kind[i];
      for (int k = 0; k < ws.length; k++) {
        ResultSink w = ws[k];
        switch (kind) {
          case TRANSACTION -> w.transaction((TransactionResult) r);
          case CONNECTION -> w.connection((ConnectionResult) r);
          case FINDING -> w.finding((Finding) r);
          case STARTED -> w.connectionStarted((ConnectionStart) r);
          default -> w.finish((CaptureSummary) r);
        }
      }
    }
  }

  /** put/take that wait through interrupts (the queues are never abandoned half-way). */
  private static <T> void put(BlockingQueue<T> q, T v) {
    boolean interrupted = false;
    while (true) {
      try {
        q.put(v);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T take(BlockingQueue<T> q) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return q.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
