package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.recorder.DropReason;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder's encoders, the connection threads that help them, and the order of the file. */
class CaptureWriterTests {

  @TempDir Path dir;

  private static Exchange exchange(int i) {
    String text = "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 300) + "\"}";
    return new Exchange(
        "id-" + i,
        Instant.parse("2026-11-26T00:00:00Z").plusMillis(i),
        1000L,
        new HttpRequest("GET", "/items/" + i, "HTTP/1.1", Headers.of(List.of()), Body.none()),
        new HttpResponse(
            200,
            "OK",
            Headers.of(List.of(new Headers.Field("Content-Type", "application/json"))),
            Body.of(text.getBytes(StandardCharsets.UTF_8), text.length())),
        null,
        Map.of());
  }

  private static CaptureWriter.Pending pending(int i) {
    return new CaptureWriter.Pending(() -> exchange(i), () -> {}, 1024);
  }

  private static List<String> ids(Path file) {
    try (RecordingReader r = RecordingReader.open(file)) {
      return r.stream().map(Exchange::id).toList();
    }
  }

  private static List<String> expected(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("id-" + i);
    }
    return ids;
  }

  /** A writer into {@code files} whose bounds no test here reaches. */
  private static CaptureWriter writer(
      FileSink files, int threads, Counters counters, UnaryOperator<Exchange> process) {
    return new CaptureWriter(files, null, 100_000, 1L << 30, threads, counters, process, null);
  }

  private FileSink file(String name) {
    return new FileSink(
        dir.resolve(name),
        () -> RecordingHeader.now("recorder", Redaction.defaults()),
        0,
        0,
        f -> {});
  }

  @Test
  void fourEncodersKeepTheOrderOfHandOverInOneGzipFileOfManyMembers() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    FileSink files = file("rec.jsonl.gz");
    CaptureWriter w = writer(files, 4, counters, UnaryOperator.identity());
    for (int i = 0; i < 5000; i++) {
      w.offer(pending(i));
      if (i % 7 == 0) {
        Thread.sleep(0, 1000); // small batches, taken by every encoder in turn
      }
    }
    w.close(10_000);
    Path file = dir.resolve("rec.jsonl.gz");
    assertThat(ids(file)).containsExactlyElementsOf(expected(5000));
    assertThat(counters.recorded.sum()).isEqualTo(5000);
    // any gzip reader reads the members as one stream
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(all.lines().count()).isEqualTo(5001); // the header and 5,000 exchanges
    }
    assertThat(members(Files.readAllBytes(file))).isGreaterThan(2);
  }

  @Test
  void theWarmUpWritesCountsAndTellsNothing() throws Exception {
    List<String> told = new ArrayList<>();
    Counters counters =
        new Counters(
            new ShadowListener() {
              @Override
              public void recorded(String exchangeId) {
                told.add("recorded " + exchangeId);
              }

              @Override
              public void dropped(String reason) {
                told.add("dropped " + reason);
              }
            });
    Redactor redactor = new Redactor(Redaction.defaults(), null);
    CaptureWriter w =
        new CaptureWriter(
            file("warm.jsonl.gz"),
            null,
            100_000,
            1L << 30,
            2,
            counters,
            redactor::apply,
            new CaptureLine(redactor));
    int rounds = w.warmUp(redactor::apply, TimeUnit.SECONDS.toNanos(30));
    assertThat(rounds).isGreaterThanOrEqualTo(CaptureWriter.WARMUP_MIN_ROUNDS);
    for (int i = 0; i < 3; i++) {
      w.offer(pending(i));
    }
    w.close(10_000);
    assertThat(ids(dir.resolve("warm.jsonl.gz"))).containsExactlyElementsOf(expected(3));
    assertThat(counters.recorded.sum()).isEqualTo(3);
    assertThat(counters.snapshot(0).dropped()).isEmpty();
    assertThat(told).containsExactly("recorded id-0", "recorded id-1", "recorded id-2");
  }

  @Test
  void withoutRecordingFilesThereIsNoWarmUp() throws Exception {
    List<Exchange> written = new ArrayList<>();
    ExchangeSink sink =
        new ExchangeSink() {
          @Override
          public void write(Exchange exchange) {
            written.add(exchange);
          }

          @Override
          public void writeLine(String line) {}

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    CaptureWriter w =
        new CaptureWriter(
            null,
            sink,
            100,
            1L << 30,
            1,
            new Counters(ShadowListener.NONE),
            UnaryOperator.identity(),
            null);
    assertThat(w.warmUp(UnaryOperator.identity(), TimeUnit.SECONDS.toNanos(30))).isZero();
    w.close(10_000);
    assertThat(written).isEmpty();
  }

  @Test
  void aConnectionThreadHelpsWhenTheEncodersAreBehindAndTheOrderHolds() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    CountDownLatch stuck = new CountDownLatch(1);
    AtomicInteger onTestThread = new AtomicInteger();
    Thread test = Thread.currentThread();
    UnaryOperator<Exchange> process =
        e -> {
          if (Thread.currentThread() == test) {
            onTestThread.incrementAndGet();
          } else if (e.id().equals("id-0")) {
            try {
              stuck.await(10, TimeUnit.SECONDS); // the one encoder is busy with a slow exchange
            } catch (InterruptedException x) {
              Thread.currentThread().interrupt();
            }
          }
          return e;
        };
    CaptureWriter w = writer(file("rec.jsonl.gz"), 1, counters, process);
    w.offer(pending(0));
    Thread.sleep(200); // taken by the encoder, which is now stuck on it
    for (int i = 1; i <= 200; i++) {
      w.offer(pending(i));
    }
    for (int i = 0; i < 10; i++) {
      w.help(); // what a connection thread does after each response
    }
    assertThat(onTestThread.get()).isEqualTo(10 * CaptureWriter.HELP_BATCH);
    stuck.countDown();
    w.close(10_000);
    assertThat(ids(dir.resolve("rec.jsonl.gz"))).containsExactlyElementsOf(expected(201));
  }

  @Test
  void aConnectionThreadDoesNotHelpWithTheFewThatCameInWhileAnEncoderHoldsABigBatch()
      throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    CountDownLatch firstHeld = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch bigHeld = new CountDownLatch(1);
    CountDownLatch releaseBig = new CountDownLatch(1);
    CountDownLatch lastHeld = new CountDownLatch(1);
    CountDownLatch releaseLast = new CountDownLatch(1);
    AtomicInteger onTestThread = new AtomicInteger();
    Thread test = Thread.currentThread();
    UnaryOperator<Exchange> process =
        e -> {
          if (Thread.currentThread() == test) {
            onTestThread.incrementAndGet();
            return e;
          }
          try {
            if (e.id().equals("id-0")) {
              firstHeld.countDown();
              releaseFirst.await(10, TimeUnit.SECONDS);
            } else if (e.id().equals("id-1")) { // the first of the big batch
              bigHeld.countDown();
              releaseBig.await(10, TimeUnit.SECONDS);
            } else if (e.id().equals("id-201")) {
              lastHeld.countDown();
              releaseLast.await(10, TimeUnit.SECONDS);
            }
          } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
          }
          return e;
        };
    CaptureWriter w = writer(file("rec.jsonl.gz"), 1, counters, process);
    w.offer(pending(0));
    assertThat(firstHeld.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i <= 200; i++) { // 200 wait while the one encoder is busy
      w.offer(pending(i));
    }
    assertThat(w.behind()).isTrue();
    releaseFirst.countDown();
    // the encoder takes the 200 in one batch, and holds them
    assertThat(bigHeld.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 201; i <= 210; i++) {
      w.offer(pending(i));
      w.help(); // 210 in the backlog, but only these few wait untaken: nothing to help with
    }
    assertThat(w.behind()).isFalse();
    assertThat(onTestThread.get()).isZero();
    releaseBig.countDown();
    // the big batch written, the encoder holds the next (the 10) while 100 more wait: help again
    assertThat(lastHeld.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 211; i <= 310; i++) {
      w.offer(pending(i));
    }
    assertThat(w.behind()).isTrue();
    w.help();
    assertThat(onTestThread.get()).isEqualTo(CaptureWriter.HELP_BATCH);
    releaseLast.countDown();
    w.close(10_000);
    assertThat(ids(dir.resolve("rec.jsonl.gz"))).containsExactlyElementsOf(expected(311));
  }

  /**
   * A writer with one encoder that lingers up to 30 s (nothing here depends on timing), given
   * {@code id-0}: returned once the encoder has taken it and lingers for more (10 s at most).
   */
  private CaptureWriter lingeringAfterOne(Counters counters) throws InterruptedException {
    CaptureWriter w =
        new CaptureWriter(
            file("rec.jsonl.gz"),
            null,
            100_000,
            1L << 30,
            1,
            counters,
            UnaryOperator.identity(),
            null,
            TimeUnit.SECONDS.toNanos(30));
    w.offer(pending(0));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!w.lingering() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(w.lingering()).isTrue();
    return w;
  }

  @Test
  void underLightLoadAnEncoderLingersAndWhatComesMeanwhileJoinsItsBatch() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    CaptureWriter w = lingeringAfterOne(counters);
    for (int i = 1; i < 10; i++) { // fewer than LINGER_BELOW: the encoder goes on lingering
      w.offer(pending(i));
    }
    assertThat(w.lingering()).isTrue();
    assertThat(counters.recorded.sum()).isZero();
    long start = System.nanoTime();
    w.close(20_000); // the stop ends the lingering at once
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    byte[] bytes = Files.readAllBytes(dir.resolve("rec.jsonl.gz"));
    assertThat(members(bytes)).isEqualTo(2); // the file's header, then the 10 in one batch
    assertThat(ids(dir.resolve("rec.jsonl.gz"))).containsExactlyElementsOf(expected(10));
  }

  @Test
  void enoughCapturesWaitingEndTheLingeringEarly() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    CaptureWriter w = lingeringAfterOne(counters);
    int n = CaptureWriter.LINGER_BELOW; // with the one it took: a batch of that many is there
    for (int i = 1; i < n; i++) {
      w.offer(pending(i));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counters.recorded.sum() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(counters.recorded.sum()).isEqualTo(n); // well before the 30 s of lingering
    w.close(10_000);
    assertThat(ids(dir.resolve("rec.jsonl.gz"))).containsExactlyElementsOf(expected(n));
  }

  @Test
  void aConnectionThreadDoesNotHelpWhileTheEncodersKeepUp() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    AtomicInteger onTestThread = new AtomicInteger();
    Thread test = Thread.currentThread();
    CaptureWriter w =
        writer(
            file("rec.jsonl"),
            2,
            counters,
            e -> {
              if (Thread.currentThread() == test) {
                onTestThread.incrementAndGet();
              }
              return e;
            });
    for (int i = 0; i < 10; i++) {
      w.offer(pending(i));
      w.help();
    }
    w.close(10_000);
    assertThat(onTestThread.get()).isZero();
    assertThat(ids(dir.resolve("rec.jsonl"))).containsExactlyElementsOf(expected(10));
  }

  @Test
  void theBacklogIsBoundedInBytesAndWhatIsOverIsDroppedAndCounted() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    CountDownLatch stuck = new CountDownLatch(1);
    CaptureWriter w =
        new CaptureWriter(
            file("rec.jsonl.gz"),
            null,
            100_000,
            1 << 20,
            1,
            counters,
            e -> {
              try {
                stuck.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
              }
              return e;
            },
            null);
    for (int i = 0; i < 40; i++) {
      int n = i;
      w.offer(new CaptureWriter.Pending(() -> exchange(n), () -> {}, 100 << 10)); // 100 KiB each
    }
    assertThat(counters.dropped(DropReason.QUEUE_FULL)).isEqualTo(30);
    stuck.countDown();
    w.close(10_000);
    assertThat(ids(dir.resolve("rec.jsonl.gz"))).hasSize(10);
  }

  @Test
  void aLargeExchangeIsStreamedIntoTheFileAloneAndKeepsItsPlace() throws Exception {
    for (String name : List.of("big.jsonl.gz", "big.jsonl")) {
      Counters counters = new Counters(ShadowListener.NONE);
      CaptureWriter w = writer(file(name), 2, counters, e -> e);
      String big = "{\"blob\":\"" + "\\\"q\\\"".repeat(600_000) + "\"}"; // 3 MB of escapes
      for (int i = 0; i < 30; i++) {
        int n = i;
        w.offer(
            i == 10
                ? new CaptureWriter.Pending(
                    () ->
                        exchange(n)
                            .withResponse(
                                exchange(n)
                                    .response()
                                    .withBody(
                                        Body.of(
                                            big.getBytes(StandardCharsets.UTF_8), big.length()))),
                    () -> {},
                    big.length())
                : pending(i));
      }
      w.close(10_000);
      try (RecordingReader r = RecordingReader.open(dir.resolve(name))) {
        List<Exchange> read = r.stream().toList();
        assertThat(read).extracting(Exchange::id).containsExactlyElementsOf(expected(30));
        assertThat(read.get(10).response().body().bytes())
            .isEqualTo(big.getBytes(StandardCharsets.UTF_8));
        assertThat(r.warnings()).isEmpty();
      }
    }
  }

  @Test
  void aFileCutInsideAMemberStillReadsEveryMemberBeforeTheCut() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    CaptureWriter w = writer(file("rec.jsonl.gz"), 1, counters, UnaryOperator.identity());
    for (int i = 0; i < 300; i++) {
      w.offer(pending(i));
      Thread.sleep(1); // one member per exchange or a few
    }
    w.close(10_000);
    byte[] whole = Files.readAllBytes(dir.resolve("rec.jsonl.gz"));
    Path cut = dir.resolve("cut.jsonl.gz");
    Files.write(cut, Arrays.copyOf(whole, whole.length - 40)); // a crash in the last member
    List<String> warnings = new ArrayList<>();
    List<String> read;
    try (RecordingReader r = RecordingReader.open(cut, warnings::add)) {
      read = r.stream().map(Exchange::id).toList();
    }
    assertThat(read).hasSizeGreaterThan(250).isEqualTo(expected(300).subList(0, read.size()));
  }

  /** Gzip members in {@code bytes}: each starts with the magic bytes and the deflate method. */
  private static int members(byte[] bytes) {
    int n = 0;
    for (int i = 0; i + 2 < bytes.length; i++) {
      if (bytes[i] == 0x1f && bytes[i + 1] == (byte) 0x8b && bytes[i + 2] == 8) {
        n++;
      }
    }
    return n;
  }
}
