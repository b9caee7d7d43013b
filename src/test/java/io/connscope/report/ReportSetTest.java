package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connscope.analysis.AnalysisConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ReportSet runs the writers on a thread of their own: its reports must be the bytes the writers
 * produce when called directly, whatever the batch size, and a writer's failure must reach the
 * caller.
 */
class ReportSetTest {
  static java.util.stream.Stream<Path> samples() throws IOException {
    return SamplesGoldenTest.samples();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sameBytesAsDirectCalls(Path sample) throws IOException {
    String json = Reports.json(sample);
    String text = Reports.text(sample);
    for (int batch : new int[] {1, 3, WriterThread.BATCH}) {
      ByteArrayOutputStream j = new ByteArrayOutputStream();
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      ReportSet set = new ReportSet("test", batch);
      set.add(ReportFormat.TEXT, t);
      set.add(ReportFormat.JSON, j);
      Reports.run(new AnalysisConfig(), set, sample);
      assertEquals(json, j.toString(StandardCharsets.UTF_8), "JSON, batch " + batch);
      assertEquals(text, t.toString(StandardCharsets.UTF_8), "text, batch " + batch);
    }
  }

  @Test
  void aWriterFailureIsThrownToTheCaller() {
    OutputStream broken = diskFull();
    ReportSet set = new ReportSet("test", 2);
    set.add(ReportFormat.JSON, broken);
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () ->
                Reports.run(
                    new AnalysisConfig(),
                    set,
                    SamplesGoldenTest.SAMPLES.resolve("keepalive-get.pcap")));
    assertEquals("disk full", e.getCause().getMessage());
  }

  /**
   * With formats rendered from the JSON report, the JSON outputs are copied on a thread of their
   * own while Markdown and HAR are rendered (the HAR entries on another): a failed copy still
   * reaches the caller, after the rendering.
   */
  @Test
  void aJsonCopyFailureBesideTheRenderingIsThrownToTheCaller() {
    OutputStream broken = diskFull();
    ByteArrayOutputStream md = new ByteArrayOutputStream();
    ByteArrayOutputStream har = new ByteArrayOutputStream();
    ReportSet set = new ReportSet("test", 2);
    set.add(ReportFormat.MARKDOWN, md);
    set.add(ReportFormat.JSON, broken);
    set.add(ReportFormat.HAR, har);
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () ->
                Reports.run(
                    new AnalysisConfig(),
                    set,
                    SamplesGoldenTest.SAMPLES.resolve("keepalive-get.pcap")));
    assertEquals("disk full", e.getCause().getMessage());
    assertTrue(har.size() > 0 && md.size() > 0, "rendered before the copy's failure is thrown");
  }

  /** Every format of one run, the JSON twice: each the bytes it has alone. */
  @ParameterizedTest
  @MethodSource("samples")
  void jsonCopiesBesideTheRenderedFormatsAreTheJsonReport(Path sample) throws IOException {
    String json = Reports.json(sample);
    ByteArrayOutputStream j1 = new ByteArrayOutputStream();
    ByteArrayOutputStream j2 = new ByteArrayOutputStream();
    ByteArrayOutputStream har = new ByteArrayOutputStream();
    ReportSet set = new ReportSet("test", 3);
    set.add(ReportFormat.JSON, j1);
    set.add(ReportFormat.HAR, har);
    set.add(ReportFormat.JSON, j2);
    Reports.run(new AnalysisConfig(), set, sample);
    assertEquals(json, j1.toString(StandardCharsets.UTF_8));
    assertEquals(json, j2.toString(StandardCharsets.UTF_8));
    ByteArrayOutputStream alone = new ByteArrayOutputStream();
    SavedReport.render(
        SavedReport.read(new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))),
        ReportFormat.HAR,
        alone);
    assertEquals(alone.toString(StandardCharsets.UTF_8), har.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTextFailureIsReportedAfterFinish() throws IOException {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("gone");
          }
        };
    ReportSet set = new ReportSet("test", 2);
    set.add(ReportFormat.TEXT, broken);
    Reports.run(new AnalysisConfig(), set, SamplesGoldenTest.SAMPLES.resolve("keepalive-get.pcap"));
    assertTrue(set.textError());
  }

  @Test
  void aFailureMidStreamStopsTheWritersAndIsThrownAtALaterHandOver() {
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger();
    IllegalStateException boom = new IllegalStateException("boom");
    io.connscope.result.ResultSink failing =
        new io.connscope.result.ResultSink() {
          @Override
          public void transaction(io.connscope.result.TransactionResult t) {}

          @Override
          public void connection(io.connscope.result.ConnectionResult r) {
            if (seen.incrementAndGet() == 3) {
              throw boom;
            }
          }

          @Override
          public void finding(io.connscope.result.Finding f) {}

          @Override
          public void finish(io.connscope.result.CaptureSummary s) {
            seen.addAndGet(1000);
          }
        };
    WriterThread w = new WriterThread(java.util.List.of(failing), 2);
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () -> {
              for (int i = 0; i < 100; i++) {
                w.connection(null);
              }
              w.finish(null);
            });
    assertTrue(thrown == boom, "the writer's own exception");
    assertEquals(3, seen.get(), "nothing runs after the failure");
  }

  @Test
  void aFailureSeenFirstByFinishStillEndsTheWritersThread() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    java.util.concurrent.CountDownLatch failing = new java.util.concurrent.CountDownLatch(1);
    io.connscope.result.ResultSink w1 =
        new io.connscope.result.ResultSink() {
          @Override
          public void transaction(io.connscope.result.TransactionResult t) {}

          @Override
          public void connection(io.connscope.result.ConnectionResult r) {
            failing.countDown();
            throw boom;
          }

          @Override
          public void finding(io.connscope.result.Finding f) {}

          @Override
          public void finish(io.connscope.result.CaptureSummary s) {}
        };
    WriterThread w = new WriterThread(java.util.List.of(w1), 2);
    w.connection(null);
    w.connection(null); // a full batch: handed over, and the writer fails on it
    assertTrue(failing.await(10, java.util.concurrent.TimeUnit.SECONDS));
    Thread.sleep(100); // the failure is recorded just after the throw
    assertThrows(IllegalStateException.class, () -> w.finish(null));
    assertTrue(!w.alive(), "finish queued the last batch, so the thread ended");
  }

  /** An output whose every write fails as a full disk does. */
  private static OutputStream diskFull() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("disk full");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("disk full");
      }
    };
  }
}
