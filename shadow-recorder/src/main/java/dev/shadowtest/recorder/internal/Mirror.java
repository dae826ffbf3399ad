package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ExchangeJudge;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.LatencyHistogram;
import dev.shadowtest.diff.run.ResponsesFile;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.RunOutputs;
import dev.shadowtest.diff.run.RunView;
import dev.shadowtest.diff.run.RunWriter;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.diff.run.TriggerActions;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.Triggers;
import dev.shadowtest.diff.run.TriggersFile;
import dev.shadowtest.diff.run.WindowFacts;
import dev.shadowtest.http.Sender;
import dev.shadowtest.recorder.DropReason;
import dev.shadowtest.recorder.RecorderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The live shadow, a full run: each recorded request is sent again to the candidate (and to the
 * secondary, when there is one) after the live response went out, and judged exactly as {@code
 * shadow replay} judges a recorded exchange ({@link ExchangeJudge}, the live answer being the
 * baseline, noise learned between it and the secondary's), written through the run directory
 * owner ({@link RunWriter}).
 *
 * <p>Everything but the sending runs on one judge thread, never on the recorder's writer thread:
 * copies wait for it in a queue of at most {@value #MAX_QUEUED} (beyond, dropped and counted);
 * at most {@value #IN_FLIGHT} copies are in flight (beyond, written as candidate errors: a
 * saturated or dead candidate shows in the error rate). With {@link
 * RecorderConfig.Mirroring#daily()} the run is closed at each UTC midnight and the next day's
 * opened, one run directory per day; a restart the same day continues that day's directory. Memory
 * is bounded whatever the duration: per-endpoint statistics of the day, and per-endpoint
 * statistics of the longest trigger window in buckets of {@link #BUCKET}.
 */
public final class Mirror {

  static final int IN_FLIGHT = 64;
  static final int MAX_QUEUED = 4096;
  static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  /** The granularity of trigger windows. */
  static final Duration BUCKET = Duration.ofSeconds(10);

  /** The window kept without triggers: the rates of the last minutes. */
  static final Duration MIN_WINDOW = Duration.ofMinutes(5);

  private final RecorderConfig config;
  private final RecorderConfig.Mirroring m;
  private final Counters counters;
  private final LiveMetrics metrics;
  private final Redactor redactor;
  private final Sender sender;
  private final Semaphore permits = new Semaphore(IN_FLIGHT);
  private final AtomicInteger queued = new AtomicInteger();
  private final Rules rules;
  private final DiffEngine engine;
  private final Endpoints endpoints;

  /** Runs everything that reads or changes the state below. */
  private final ScheduledExecutorService judgeThread;

  /** Writes the outputs of closed days, so that judging goes on meanwhile. */
  private final ExecutorService closer;

  private final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());

  /** The current run directory (judge thread only). */
  private Day day;

  /** The longest trigger window, oldest first (judge thread only). */
  private final ArrayDeque<Bucket> buckets = new ArrayDeque<>();

  private volatile boolean closed;

  /** The rollback triggers, evaluated at each tick; their state spans days. */
  private final Triggers triggers;

  private final TriggerActions actions;

  /** The longest trigger window: how far back buckets are kept. */
  private final Duration maxWindow;

  public Mirror(RecorderConfig config, Counters counters, Redactor redactor, LiveMetrics metrics)
      throws IOException {
    this.config = config;
    this.metrics = metrics;
    this.m = config.mirroring();
    this.counters = counters;
    this.redactor = redactor;
    this.rules = m.rules();
    this.engine = DiffEngine.of(rules);
    this.endpoints = new Endpoints(rules);
    Files.createDirectories(m.out());
    this.triggers = Triggers.of(m.triggers(), Triggers.Context.none());
    this.maxWindow =
        m.triggers().stream()
            .map(Trigger::window)
            .reduce(MIN_WINDOW, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    this.day = open(today());
    this.sender =
        new Sender(
            IN_FLIGHT * (m.secondary() == null ? 1 : 2),
            config.connectTimeout(),
            config.responseTimeout(),
            m.headers(),
            m.keepHost(),
            config.maxBody());
    this.judgeThread =
        Executors.newSingleThreadScheduledExecutor(daemon("shadow-judge", Thread.NORM_PRIORITY));
    this.closer = Executors.newSingleThreadExecutor(daemon("shadow-close", Thread.MIN_PRIORITY));
    this.actions = TriggerActions.start(m.actions());
    long every = m.evaluateEvery().toMillis();
    judgeThread.scheduleWithFixedDelay(this::guardedTick, every, every, TimeUnit.MILLISECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name, int priority) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.setPriority(priority);
      return t;
    };
  }

  // ---- the writer thread ---------------------------------------------------------------------

  /**
   * Hands a recorded exchange to the judge thread: {@code original} is what is sent again,
   * {@code redacted} what may be kept. Never blocks: beyond {@value #MAX_QUEUED} waiting, the copy
   * is dropped and counted.
   */
  public void offer(Exchange original, Exchange redacted) {
    if (closed || queued.get() >= MAX_QUEUED) {
      counters.mirrorErrors.increment();
      counters.drop(DropReason.MIRROR_BUSY);
      return;
    }
    queued.incrementAndGet();
    try {
      judgeThread.execute(
          () -> {
            queued.decrementAndGet();
            try {
              accept(original, redacted);
            } catch (RuntimeException e) {
              counters.drop(DropReason.MIRROR_WRITE_ERROR);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      queued.decrementAndGet();
      counters.drop(DropReason.MIRROR_BUSY);
    }
  }

  // ---- the judge thread ----------------------------------------------------------------------

  private void accept(Exchange original, Exchange redacted) {
    roll(m.clock().instant());
    // named from the redacted target: a secret in a path never reaches the run directory
    String endpoint = endpoints.of(redacted.request().method(), redacted.request().target());
    EndpointRule rule = engine.ruleFor(redacted.request());
    String skip = skipReason(original, rule);
    if (skip != null) {
      // recorded but not mirrored: a SKIPPED line, as a replay writes one, not a lost exchange
      write(ExchangeJudge.unsent(redacted, endpoint, Verdict.SKIPPED, skip), null);
      return;
    }
    if (!permits.tryAcquire()) {
      counters.mirrorErrors.increment();
      counters.drop(DropReason.MIRROR_BUSY);
      write(
          ExchangeJudge.unsent(
              redacted,
              endpoint,
              Verdict.CANDIDATE_ERROR,
              "not sent: "
                  + IN_FLIGHT
                  + " copies already in flight (the candidate or the secondary is slow or down)"),
          null);
      return;
    }
    // the candidate's request as the rules rewrite it; judged as the replay of the recording would
    HttpRequest judged = rules.transforms().forCandidate(redacted.request());
    HttpRequest sent =
        judged == redacted.request()
            ? original.request()
            : rules.transforms().forCandidate(original.request());
    CompletableFuture<Sender.Attempt> cand = sender.send(m.candidate(), sent);
    CompletableFuture<Sender.Attempt> sec =
        m.secondary() == null
            ? CompletableFuture.completedFuture(null)
            : sender.send(m.secondary(), original.request());
    CompletableFuture.allOf(cand, sec)
        .whenCompleteAsync(
            (v, t) -> {
              try {
                judge(original, redacted, judged, sent, endpoint, rule, cand.join(), sec.join());
              } catch (RuntimeException | Error e) {
                counters.drop(DropReason.MIRROR_WRITE_ERROR);
              } finally {
                permits.release();
              }
            },
            judgeThread);
  }

  private String skipReason(Exchange original, EndpointRule rule) {
    if (rule.skip()) {
      return "skipped by rule " + rule.match();
    }
    String method = original.request().method().toUpperCase(Locale.ROOT);
    if (!SAFE.contains(method)) {
      return "unsafe method "
          + original.request().method()
          + " (the live mirror never sends one: a copy would change the candidate's state)";
    }
    if (original.request().body().truncated()) {
      return "request body was truncated at capture; it cannot be replayed faithfully";
    }
    return null;
  }

  private void judge(
      Exchange original,
      Exchange redacted,
      HttpRequest judged,
      HttpRequest sent,
      String endpoint,
      EndpointRule rule,
      Sender.Attempt cand,
      Sender.Attempt sec) {
    roll(m.clock().instant());
    if (cand.ok()) {
      counters.mirrored.increment();
    } else {
      counters.mirrorErrors.increment();
    }
    ExchangeJudge.Judged j =
        day.judge.judge(
            redacted,
            judged,
            endpoint,
            rule,
            answer(cand),
            null,
            answer(sec),
            new ExchangeJudge.Origins(
                Origin.NONE,
                day.judge.origin(m.candidate(), sender.hostSent(m.candidate(), sent)),
                m.secondary() == null
                    ? null
                    : day.judge.origin(
                        m.secondary(), sender.hostSent(m.secondary(), original.request()))));
    write(j.line(), j.stored());
  }

  private static ExchangeJudge.Answer answer(Sender.Attempt a) {
    if (a == null) {
      return null;
    }
    return a.ok()
        ? ExchangeJudge.Answer.of(a.response(), a.micros())
        : ExchangeJudge.Answer.failed(a.error());
  }

  private void write(ResultLine line, ResponsesFile.Entry stored) {
    Instant now = m.clock().instant();
    try {
      day.writer.write(line, stored);
    } catch (IOException | RuntimeException e) {
      counters.drop(DropReason.MIRROR_WRITE_ERROR);
      return;
    }
    bucket(now).add(line);
    try {
      metrics.judged(
          line.endpoint(),
          line.verdict().name(),
          line.recordedMicros(),
          line.candidateMicros(),
          line.candidateStatus());
    } catch (RuntimeException e) {
      // metrics never break the mirror
    }
    try {
      counters.listener.judged(line.id(), line.endpoint(), line.verdict().name());
    } catch (RuntimeException e) {
      // a listener never breaks the mirror
    }
  }

  private Bucket bucket(Instant now) {
    long start = now.getEpochSecond() / BUCKET.toSeconds() * BUCKET.toSeconds();
    Bucket last = buckets.peekLast();
    if (last == null || last.start < start) {
      last = new Bucket(start);
      buckets.addLast(last);
    }
    long oldest = now.getEpochSecond() - maxWindow.toSeconds();
    while (buckets.size() > 1 && buckets.peekFirst().start + BUCKET.toSeconds() <= oldest) {
      buckets.removeFirst();
    }
    return last;
  }

  /** Every evaluation: the day boundary, then the triggers. */
  private void guardedTick() {
    try {
      tick();
    } catch (RuntimeException | Error e) {
      counters.drop(
          DropReason.MIRROR_REPORT_ERROR); // a scheduled task that throws never runs again
    }
  }

  /** Runs an evaluation now (judge thread). */
  void tick() {
    Instant now = m.clock().instant();
    roll(now);
    Statistics.RunResult r = day.aggregate.collapse(endpoints, rules.noiseModel()).result();
    metrics.window(
        r.exchanges(),
        r.compared(),
        r.discrepant(),
        r.noise(),
        r.errors(),
        r.serverErrors(),
        r.skipped());
    for (TriggerEvent e : triggers.evaluate(now, w -> facts(now, w))) {
      TriggerEvent event = inDay(e, day);
      try {
        day.triggersFile().append(event);
      } catch (IOException | RuntimeException failed) {
        counters.drop(DropReason.MIRROR_REPORT_ERROR);
      }
      actions.offer(event);
      metrics.triggerEvent(event.trigger(), event.kind().label());
    }
    for (Triggers.Status st : triggers.status()) {
      metrics.trigger(st.trigger().name(), st.firing(), st.value());
    }
  }

  /** The counts of the last {@code window}, judged by the day's noise so far. */
  private WindowFacts facts(Instant now, Duration window) {
    Statistics.Window w = window(now, window);
    LatencyHistogram legacy = new LatencyHistogram();
    LatencyHistogram candidate = new LatencyHistogram();
    long from = now.getEpochSecond() - window.toSeconds();
    for (Bucket b : buckets) {
      if (b.start + BUCKET.toSeconds() > from) {
        legacy.add(b.legacy);
        candidate.add(b.candidate);
      }
    }
    return new WindowFacts(
        w.attempted(),
        w.compared(),
        w.discrepant(),
        w.errors(),
        w.serverErrors(),
        legacy.percentileMillis(0.99),
        candidate.percentileMillis(0.99),
        Math.min(legacy.count(), candidate.count()));
  }

  /** {@code e} naming the run directory and report of {@code d}. */
  private static TriggerEvent inDay(TriggerEvent e, Day d) {
    return new TriggerEvent(
        e.kind(),
        e.trigger(),
        e.metric(),
        e.value(),
        e.threshold(),
        e.window(),
        e.forDuration(),
        e.windowStart(),
        e.windowEnd(),
        e.at(),
        e.facts(),
        d.dir().toString(),
        d.dir().resolve(RunDirectory.HTML).toString());
  }

  /** Runs an evaluation on the judge thread and waits for it (tests, with a test clock). */
  public void evaluateNow() throws InterruptedException {
    Future<?> f = judgeThread.submit(this::tick);
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("evaluation failed: " + e, e);
    }
  }

  /** The totals of the judged exchanges over the last {@code window}, judged by the day's noise. */
  Statistics.Window window(Instant now, Duration window) {
    long from = now.getEpochSecond() - window.toSeconds();
    Statistics merged = new Statistics();
    for (Bucket b : buckets) {
      if (b.start + BUCKET.toSeconds() > from) {
        merged = merged.merge(b.stats);
      }
    }
    return day.aggregate.window(merged, rules.noiseModel());
  }

  // ---- days ----------------------------------------------------------------------------------

  private LocalDate today() {
    return m.daily() ? LocalDate.ofInstant(m.clock().instant(), ZoneOffset.UTC) : null;
  }

  /** Closes the day when {@code now} is past it, and opens the next. */
  private void roll(Instant now) {
    if (!m.daily()) {
      return;
    }
    LocalDate date = LocalDate.ofInstant(now, ZoneOffset.UTC);
    if (!date.isAfter(day.date)) {
      return;
    }
    Day ending = day;
    Instant lastInstant =
        ending.date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1);
    try {
      day = open(date);
    } catch (IOException | RuntimeException e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
      return; // the day goes on in the old directory; tried again at the next exchange
    }
    closer.execute(() -> finish(ending, lastInstant, true, null));
  }

  /** Opens the run directory of {@code date} (null: the one run directory), continuing it. */
  private Day open(LocalDate date) throws IOException {
    Path dir = date == null ? m.out() : m.out().resolve(date.toString());
    Files.createDirectories(dir);
    RunDirectory.writeRules(dir, rules);
    Path results = dir.resolve(RunDirectory.RESULTS);
    Instant startedAt = m.clock().instant();
    List<String> recordings = new ArrayList<>();
    Path earlier = null;
    Map<String, SamplesFile.Sample> earlierSamples = Map.of();
    if (date != null && Files.exists(results)) {
      // a restart the same day: that day's run goes on, its results read back exactly
      Path summary = dir.resolve(RunDirectory.SUMMARY);
      if (Files.exists(summary)) {
        try {
          SummaryFile before = SummaryFile.read(summary);
          startedAt = before.startedAt();
          recordings.addAll(before.meta().recordings());
        } catch (RuntimeException unreadable) {
          // the day's start is then this one
        }
      }
      earlier = dir.resolve(RunDirectory.RESULTS + ".earlier");
      Files.move(results, earlier, StandardCopyOption.REPLACE_EXISTING);
      earlierSamples = SamplesFile.read(dir, w -> {});
      warnings.add("continued the run of " + date + " in " + dir + " (restarted the same day)");
    }
    // kept responses describe one process's comparisons: a continued day keeps none
    Files.deleteIfExists(dir.resolve(RunDirectory.RESPONSES));
    if (!recordings.contains(config.out())) {
      recordings.add(config.out());
    }
    ResultsFile resultsFile = ResultsFile.create(results);
    SamplesFile samples = SamplesFile.create(dir, redactor.description().headers());
    earlierSamples.values().forEach(samples::add);
    ResponsesFile responses =
        earlier == null && m.rejudgeBudget() > 0
            ? ResponsesFile.create(dir, m.rejudgeBudget())
            : null;
    RunAggregate aggregate = new RunAggregate();
    RunWriter writer = new RunWriter(resultsFile, responses, aggregate);
    if (earlier != null) {
      List<IOException> failed = new ArrayList<>(1);
      ResultsFile.read(
          earlier,
          line -> {
            try {
              writer.write(line, null);
            } catch (IOException e) {
              failed.add(e);
            }
          });
      if (!failed.isEmpty()) {
        throw failed.get(0);
      }
      Files.delete(earlier);
    }
    ExchangeJudge judge =
        new ExchangeJudge(
            engine,
            redactor,
            samples,
            responses == null ? null : Pseudonyms.random(),
            warnings::add);
    return new Day(
        date,
        dir,
        startedAt,
        List.copyOf(recordings),
        resultsFile,
        samples,
        responses,
        aggregate,
        writer,
        judge,
        new java.util.concurrent.atomic.AtomicReference<>());
  }

  /** Writes a closed day's outputs (summary last) and hands the directory on. */
  private void finish(Day d, Instant finishedAt, boolean complete, String abortReason) {
    try {
      d.results.close();
      d.samples.close();
      TriggersFile events = d.triggers.getAndSet(null);
      if (events != null) {
        events.close();
      }
      if (d.responses != null) {
        d.responses.close();
      }
      List<RunOutput> outputs = new ArrayList<>(m.outputs().get());
      outputs.add(RunOutputs.summary());
      RunOutputs.write(
          view(d, finishedAt, !complete, abortReason),
          d.dir.resolve(RunDirectory.RESULTS),
          outputs);
      m.closed().accept(d.dir);
    } catch (IOException | RuntimeException e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
    }
  }

  /** What a run directory's outputs are written from. */
  private RunView view(Day d, Instant finishedAt, boolean incomplete, String abortReason) {
    RunAggregate.Collapsed c = d.aggregate.collapse(endpoints, rules.noiseModel());
    SummaryJson.Meta meta =
        new SummaryJson.Meta(
            d.startedAt,
            finishedAt,
            d.recordings,
            m.candidate().toString(),
            null,
            m.secondary() == null ? null : m.secondary().toString(),
            null,
            incomplete,
            abortReason,
            0,
            0,
            d.date == null ? null : d.date.toString());
    Gate gate = m.gate();
    Function<String, Double> thresholds = Gate.thresholds(rules);
    return new RunView(
        d.dir,
        d.dir,
        meta,
        c,
        gate,
        SummaryJson.failuresOf(meta, gate.failures(c.result(), thresholds, c.p99Ratios())),
        rules,
        thresholds);
  }

  /**
   * On rotation of the recording: the summary of what was compared so far (marked incomplete,
   * since the live shadow goes on); the CSV and report come when the day closes.
   */
  public void checkpoint(Path rotated) {
    try {
      judgeThread
          .submit(
              () ->
                  RunOutputs.writeSummary(
                      view(
                          day,
                          m.clock().instant(),
                          true,
                          "live shadow in progress (checkpoint at " + rotated.getFileName() + ")")))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
    }
  }

  /** Warnings of the live run so far (e.g. a day continued after a restart). */
  public List<String> warnings() {
    synchronized (warnings) {
      return List.copyOf(warnings);
    }
  }

  /**
   * Waits for copies queued and in flight, then closes the current day: its run directory is
   * written (the summary last) and handed on.
   */
  public void close(long millis) throws InterruptedException {
    closed = true;
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (queued.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    boolean all =
        permits.tryAcquire(
            IN_FLIGHT,
            Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
            TimeUnit.MILLISECONDS);
    sender.close();
    try {
      judgeThread
          .submit(
              () -> {
                Instant now = m.clock().instant();
                roll(now);
                Day d = day;
                closer.execute(
                    () -> finish(d, now, all, all ? null : "stopped with mirror copies in flight"));
              })
          .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
    }
    judgeThread.shutdownNow();
    actions.close();
    closer.shutdown();
    if (!closer.awaitTermination(Math.max(millis, 60_000), TimeUnit.MILLISECONDS)) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
    }
  }

  /** One run directory: a UTC day's, or the whole live run's. */
  private record Day(
      LocalDate date,
      Path dir,
      Instant startedAt,
      List<String> recordings,
      ResultsFile results,
      SamplesFile samples,
      ResponsesFile responses,
      RunAggregate aggregate,
      RunWriter writer,
      ExchangeJudge judge,
      java.util.concurrent.atomic.AtomicReference<TriggersFile> triggers) {

    /** The day's triggers.jsonl, created with its first event. */
    TriggersFile triggersFile() {
      TriggersFile f = triggers.get();
      if (f == null) {
        f = TriggersFile.open(dir);
        triggers.set(f);
      }
      return f;
    }
  }

  /** The judged exchanges of {@link #BUCKET}: per-endpoint statistics and latencies. */
  private static final class Bucket {
    final long start;
    final Statistics stats = new Statistics();
    final LatencyHistogram legacy = new LatencyHistogram();
    final LatencyHistogram candidate = new LatencyHistogram();

    Bucket(long start) {
      this.start = start;
    }

    void add(ResultLine r) {
      stats.record(r.endpoint(), r.id(), r.outcome(), r.candidateTarget() != null);
      if (r.recordedMicros() != null) {
        legacy.record(r.recordedMicros());
      }
      if (r.candidateMicros() != null) {
        candidate.record(r.candidateMicros());
      }
    }
  }
}
