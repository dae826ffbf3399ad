package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.BadInputException;
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
import dev.shadowtest.diff.TransformRun;
import dev.shadowtest.diff.Transforms;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ExchangeJudge;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The live shadow, a full run: each recorded request is sent again to the candidate (and to the
 * secondary, when there is one) after the live response went out, and judged exactly as {@code
 * shadow replay} judges a recorded exchange ({@link ExchangeJudge}, the live answer being the
 * baseline, noise learned between it and the secondary's), written through the run directory
 * owner ({@link RunWriter}).
 *
 * <p>The recorder's writer thread only names the exchange and decides whether it is sent; sending,
 * judging, writing, days and triggers run on one judge thread. Copies wait for it in a queue of
 * at most {@value #MAX_QUEUED} exchanges and {@value #MAX_QUEUED_BYTES} bytes of bodies (beyond,
 * the exchange is written as {@code SKIPPED}, not judged, and the copy counted as dropped); at
 * most {@link RecorderConfig.Mirroring#inFlight()} copies (64 by default) are in flight (beyond, written as candidate errors: a saturated
 * or dead candidate shows in the error rate). With {@link RecorderConfig.Mirroring#daily()} the run
 * is closed at each UTC midnight and the next day's opened, one run directory per day; a restart
 * the same day continues that day's directory. Memory is bounded whatever the duration:
 * per-endpoint statistics of the day (and of the day before, for the noise of windows just after
 * midnight), and per-endpoint statistics of the longest trigger window in buckets of {@link
 * #BUCKET}.
 */
public final class Mirror {

  static final int MAX_QUEUED = 4096;
  static final long MAX_QUEUED_BYTES = 64L << 20;

  /** Result lines of exchanges not sent (skipped, or over the queue) waiting for the judge thread. */
  static final int MAX_UNSENT_QUEUED = 65_536;

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
  private final Semaphore permits;

  /** Copies in flight at most. */
  private final int inFlight;

  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicInteger unsentQueued = new AtomicInteger();
  private final Rules rules;

  /** The rules' transforms, secrets resolved when the mirror starts; the live time is now (no shift). */
  private final TransformRun transforms;

  private final DiffEngine engine;
  private final Endpoints endpoints;

  /**
   * Runs everything that reads or changes the state below, one task at a time. Its queue is a
   * deque: answers that came back and evaluations go to its front ({@link #urgent}), new copies
   * to its back, so that a backlog of new copies never holds answers (and their in-flight
   * permits) back.
   */
  private final ThreadPoolExecutor judgeThread;

  private final LinkedBlockingDeque<Runnable> judgeQueue = new LinkedBlockingDeque<>();

  /** Schedules the evaluations (onto the judge thread's front). */
  private final ScheduledExecutorService ticker;

  /** Writes the outputs of closed days, so that judging goes on meanwhile. */
  private final ExecutorService closer;

  /** The current run directory (judge thread only; the closing thread once it has stopped). */
  private Day day;

  /** The day before the current one, for the noise of windows just after midnight (judge thread). */
  private RunAggregate yesterday;

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
    this.inFlight = m.inFlight();
    this.permits = new Semaphore(inFlight);
    this.counters = counters;
    this.redactor = redactor;
    this.rules = m.rules();
    if (rules.transforms().chains()) {
      throw new BadInputException(
          rules.transforms().source()
              + ": capture and use chain values between the exchanges of a session, in order;"
              + " the live mirror sends copies as they come: use them with shadow replay");
    }
    this.transforms = TransformRun.start(rules.transforms(), System::getenv, Duration.ZERO);
    this.engine = DiffEngine.of(rules);
    this.endpoints = new Endpoints(rules);
    Files.createDirectories(m.out());
    this.triggers = Triggers.of(m.triggers(), Triggers.Context.none());
    this.maxWindow =
        m.triggers().stream()
            .map(Trigger::window)
            .reduce(MIN_WINDOW, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    this.day = open(today());
    resumeTriggers();
    this.sender =
        new Sender(
            inFlight * (m.secondary() == null ? 1 : 2),
            config.connectTimeout(),
            config.responseTimeout(),
            m.headers(),
            m.keepHost(),
            config.maxBody(),
            m.connections());
    this.judgeThread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            judgeQueue,
            daemon("shadow-judge", Thread.NORM_PRIORITY));
    judgeThread.prestartAllCoreThreads();
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(daemon("shadow-tick", Thread.NORM_PRIORITY));
    this.closer = Executors.newSingleThreadExecutor(daemon("shadow-close", Thread.MIN_PRIORITY));
    this.actions = TriggerActions.start(m.actions());
    long every = m.evaluateEvery().toMillis();
    ticker.scheduleWithFixedDelay(
        () -> {
          try {
            urgent(this::guardedTick);
          } catch (RejectedExecutionException stopping) {
            // the judge thread has stopped
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  private static ThreadFactory daemon(String name, int priority) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.setPriority(priority);
      return t;
    };
  }

  /** Runs {@code r} on the judge thread before the copies waiting there. */
  private void urgent(Runnable r) {
    if (judgeThread.isShutdown()) {
      throw new RejectedExecutionException("the live mirror is closed");
    }
    judgeQueue.offerFirst(r);
  }

  private void log(String line) {
    try {
      m.log().accept(line);
    } catch (RuntimeException e) {
      // a log never breaks the mirror
    }
  }

  // ---- the writer thread ---------------------------------------------------------------------

  /**
   * Hands a recorded exchange to the judge thread: {@code original} is what is sent again,
   * {@code redacted} what may be kept. Never blocks.
   */
  public void offer(Exchange original, Exchange redacted) {
    synchronized (offerLock) { // the recorder's encoder threads offer at once
      offerOne(original, redacted);
    }
  }

  private final Object offerLock = new Object();

  private void offerOne(Exchange original, Exchange redacted) {
    if (closed) {
      counters.mirrorErrors.increment();
      counters.drop(DropReason.MIRROR_BUSY); // recorded after the stop began: not mirrored
      return;
    }
    // named from the redacted target: a secret in a path never reaches the run directory
    String endpoint = endpoints.of(redacted.request().method(), redacted.request().target());
    EndpointRule rule = engine.ruleFor(redacted.request());
    String skip = skipReason(original, rule);
    if (skip != null) {
      // recorded but not mirrored: a SKIPPED line, as a replay writes one, not a lost exchange
      unsent(ExchangeJudge.unsent(redacted, endpoint, Verdict.SKIPPED, skip));
      return;
    }
    long bytes = kept(original) + kept(redacted);
    if (queued.get() >= MAX_QUEUED || queuedBytes.get() + bytes > MAX_QUEUED_BYTES) {
      counters.mirrorErrors.increment();
      counters.drop(DropReason.MIRROR_BUSY);
      unsent(
          ExchangeJudge.unsent(
              redacted,
              endpoint,
              Verdict.SKIPPED,
              "not judged: the live mirror's queue was full (Shadow could not keep up); the"
                  + " exchange is recorded"));
      return;
    }
    queued.incrementAndGet();
    queuedBytes.addAndGet(bytes);
    try {
      judgeThread.execute(
          () -> {
            queued.decrementAndGet();
            queuedBytes.addAndGet(-bytes);
            accept(original, redacted, endpoint, rule);
          });
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      queuedBytes.addAndGet(-bytes);
      counters.mirrorErrors.increment();
      counters.drop(DropReason.MIRROR_BUSY);
    }
  }

  /** Bodies an exchange holds in memory (each at most the capture's {@code maxBody}). */
  private long kept(Exchange e) {
    long n = Math.min(e.request().body().size(), config.maxBody());
    if (e.response() != null) {
      n += Math.min(e.response().body().size(), config.maxBody());
    }
    return n + 1024; // headers and the rest, roughly
  }

  /** Queues the result line of an exchange that is not sent (small: no bodies). */
  private void unsent(ResultLine line) {
    if (unsentQueued.incrementAndGet() > MAX_UNSENT_QUEUED) {
      unsentQueued.decrementAndGet();
      counters.drop(DropReason.MIRROR_BUSY);
      return;
    }
    try {
      judgeThread.execute(
          () -> {
            unsentQueued.decrementAndGet();
            roll(m.clock().instant());
            write(line, null);
          });
    } catch (RejectedExecutionException e) {
      unsentQueued.decrementAndGet();
      counters.drop(DropReason.MIRROR_BUSY);
    }
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
    if (original.tags().containsKey(Exchange.TAG_WEBSOCKET)) {
      return ResultLine.SKIPPED_WEBSOCKET;
    }
    if (original.request().body().truncated()) {
      return "request body was truncated at capture; it cannot be replayed faithfully";
    }
    return null;
  }

  // ---- the judge thread ----------------------------------------------------------------------

  private void accept(Exchange original, Exchange redacted, String endpoint, EndpointRule rule) {
    roll(m.clock().instant());
    if (!permits.tryAcquire()) {
      // a copy is held until judged, so a full cap may be Shadow's own backlog as much as a slow
      // candidate: not sent, not judged, never counted against the candidate (the copies in
      // flight of a slow or dead candidate time out as its errors)
      counters.mirrorErrors.increment(); // copies that failed or were dropped
      counters.drop(DropReason.MIRROR_BUSY);
      write(
          ExchangeJudge.unsent(
              redacted,
              endpoint,
              Verdict.SKIPPED,
              "not sent: "
                  + inFlight
                  + " copies already in flight (the candidate or the secondary is slow or down,"
                  + " or Shadow is behind)"),
          null);
      return;
    }
    boolean handedOff = false;
    try {
      // the candidate's request as the rules rewrite it; judged as the replay of the recording
      // would be
      HttpRequest judged =
          transforms.prepare(redacted.request(), Transforms.Target.CANDIDATE, null).request();
      TransformRun.Prepared sent =
          transforms.prepare(original.request(), Transforms.Target.CANDIDATE, null);
      TransformRun.Prepared secondary =
          transforms.prepare(original.request(), Transforms.Target.SECONDARY, null);
      String failure =
          sent.failure() != null
              ? "candidate: " + sent.failure()
              : secondary.failure() != null ? "secondary: " + secondary.failure() : null;
      List<String> done = new ArrayList<>();
      secondary.applied().forEach(a -> done.add("secondary " + a));
      sent.applied().forEach(a -> done.add("candidate " + a));
      if (failure != null) {
        counters.mirrorErrors.increment();
        write(
            ExchangeJudge.unsent(
                    redacted, endpoint, Verdict.CANDIDATE_ERROR, "transform: " + failure)
                .withTransforms(done),
            null);
        return; // the permit is released below: nothing was handed off
      }
      CompletableFuture<Sender.Attempt> cand = sender.send(m.candidate(), sent.request());
      CompletableFuture<Sender.Attempt> sec =
          m.secondary() == null
              ? CompletableFuture.completedFuture(null)
              : sender.send(m.secondary(), secondary.request());
      CompletableFuture.allOf(cand, sec)
          .whenCompleteAsync(
              (v, t) -> {
                try {
                  judge(
                      original,
                      redacted,
                      judged,
                      sent.request(),
                      endpoint,
                      rule,
                      cand.join(),
                      sec.join(),
                      done);
                } finally {
                  permits.release();
                }
              },
              this::urgent)
          .exceptionally(
              rejected -> {
                permits.release(); // the judge thread stopped (at close): not judged
                return null;
              });
      handedOff = true;
    } catch (RuntimeException e) {
      internal(redacted, endpoint, e);
    } finally {
      if (!handedOff) {
        permits.release();
      }
    }
  }

  /** A bug of Shadow's own while judging: the exchange is written as an internal error, never lost. */
  private void internal(Exchange redacted, String endpoint, Throwable e) {
    counters.mirrorErrors.increment();
    log("live mirror: exchange " + redacted.id() + " could not be judged: " + e);
    write(
        ExchangeJudge.unsent(redacted, endpoint, Verdict.CANDIDATE_ERROR, "internal: " + e), null);
  }

  private void judge(
      Exchange original,
      Exchange redacted,
      HttpRequest judged,
      HttpRequest sent,
      String endpoint,
      EndpointRule rule,
      Sender.Attempt cand,
      Sender.Attempt sec,
      List<String> done) {
    roll(m.clock().instant());
    ExchangeJudge.Judged j;
    try {
      j =
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
    } catch (RuntimeException | StackOverflowError e) {
      internal(redacted, endpoint, e);
      return;
    }
    if (sec != null && !sec.ok() && day.secondaryMisses.add(sec.error())) {
      log(
          "live mirror: the secondary "
              + m.secondary()
              + " did not answer a copy ("
              + sec.error()
              + "): noise is not learned from the copies it does not answer (counted in the"
              + " day's summary)");
    }
    if (cand.ok()) {
      counters.mirrored.increment();
    } else {
      counters.mirrorErrors.increment();
    }
    write(done.isEmpty() ? j.line() : j.line().withTransforms(done), j.stored());
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
      // a scheduled task that throws never runs again: the next tick tries again
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
      log("live mirror: an evaluation failed: " + e);
    }
  }

  /** Runs an evaluation now (judge thread). */
  void tick() {
    Instant now = m.clock().instant();
    roll(now);
    try {
      day.results.flush(); // a crash loses seconds of results, not the day
      day.samples.flush(); // nor its samples, and a restart can read them back
    } catch (IOException | RuntimeException e) {
      counters.drop(DropReason.MIRROR_WRITE_ERROR);
    }
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
        log("live mirror: cannot keep the trigger event in " + day.dir + ": " + failed);
      }
      actions.offer(event);
      metrics.triggerEvent(event.trigger(), event.kind().label());
    }
    for (Triggers.Status st : triggers.status()) {
      metrics.trigger(st.trigger().name(), st.firing(), st.value());
    }
  }

  /** The counts of the last {@code window}, judged by the noise of the day (and the day before). */
  private WindowFacts facts(Instant now, Duration window) {
    long from = now.getEpochSecond() - window.toSeconds();
    Statistics merged = new Statistics();
    LatencyHistogram legacy = new LatencyHistogram();
    LatencyHistogram candidate = new LatencyHistogram();
    for (Bucket b : buckets) {
      if (b.start + BUCKET.toSeconds() > from) {
        merged = merged.merge(b.stats);
        legacy.add(b.legacy);
        candidate.add(b.candidate);
      }
    }
    Statistics.Window w = day.aggregate.window(merged, rules.noiseModel(), endpoints, yesterday);
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
        // absolute: a command or a webhook runs elsewhere than the recorder's working directory
        d.dir().toAbsolutePath().toString(),
        d.dir().toAbsolutePath().resolve(RunDirectory.HTML).toString());
  }

  /** Runs an evaluation on the judge thread and waits for it (tests, with a test clock). */
  public void evaluateNow() throws InterruptedException {
    FutureTask<Void> f = new FutureTask<>(this::tick, null);
    urgent(f);
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("evaluation failed: " + e, e);
    }
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
      log("live mirror: cannot open the run directory of " + date + ": " + e);
      return; // the day goes on in the old directory; tried again at the next exchange
    }
    yesterday = ending.aggregate;
    closer.execute(() -> finish(ending, lastInstant, true, null));
  }

  /**
   * A restart of a daily live run continues its triggers: one that had fired (its last event, in
   * the latest day's {@code triggers.jsonl} that has one: their state spans days, and a day
   * without events for a trigger still firing writes none) is firing again, so that the restart
   * neither fires it (and runs its actions) a second time nor loses its clear.
   */
  private void resumeTriggers() {
    if (day.date() == null || triggers.triggers().isEmpty()) {
      return;
    }
    Set<String> names = new HashSet<>();
    triggers.triggers().forEach(t -> names.add(t.name()));
    Map<String, TriggerEvent> last = new HashMap<>();
    int read = 0;
    for (Path file : triggerFilesNewestFirst()) {
      if (last.keySet().containsAll(names) || read++ == MAX_DAYS_RESUMED) {
        break;
      }
      try {
        TriggersFile.lastEvents(file, w -> log("live mirror: " + w)).forEach(last::putIfAbsent);
      } catch (RuntimeException e) {
        log(
            "live mirror: the trigger events of "
                + file
                + " cannot be read ("
                + e.getMessage()
                + "): the triggers without a later event start quiet");
      }
    }
    List<String> firing = triggers.resume(last);
    if (!firing.isEmpty()) {
      log(
          "live mirror: "
              + String.join(", ", firing)
              + (firing.size() == 1 ? " had" : " had each")
              + " fired before the restart and did not clear: still firing, it clears once its"
              + " metric is back under");
    }
  }

  /** Day directories read back for trigger events at most (a year). */
  private static final int MAX_DAYS_RESUMED = 366;

  /** The {@code triggers.jsonl} of the day directories up to today, newest first. */
  private List<Path> triggerFilesNewestFirst() {
    List<LocalDate> days = new ArrayList<>();
    try (var entries = Files.list(m.out())) {
      entries.forEach(
          p -> {
            try {
              LocalDate d = LocalDate.parse(p.getFileName().toString());
              if (!d.isAfter(day.date()) && Files.isRegularFile(p.resolve(TriggersFile.NAME))) {
                days.add(d);
              }
            } catch (java.time.format.DateTimeParseException notADay) {
              // another file beside the days
            }
          });
    } catch (IOException e) {
      log("live mirror: cannot list " + m.out() + " for earlier trigger events: " + e);
      return List.of();
    }
    days.sort(java.util.Comparator.reverseOrder());
    return days.stream()
        .map(d -> m.out().resolve(d.toString()).resolve(TriggersFile.NAME))
        .toList();
  }

  /** Opens the run directory of {@code date} (null: the one run directory), continuing it. */
  private Day open(LocalDate date) throws IOException {
    Path dir = date == null ? m.out() : m.out().resolve(date.toString());
    Files.createDirectories(dir);
    Path results = dir.resolve(RunDirectory.RESULTS);
    // a continuation interrupted before it took over: the earlier results are still in place
    Path continuing = dir.resolve(RunDirectory.RESULTS + ".continuing");
    Files.deleteIfExists(continuing);
    Instant startedAt = m.clock().instant();
    List<String> recordings = new ArrayList<>();
    boolean continued = date != null && Files.exists(results);
    if (continued) {
      refuseOtherRun(dir, date);
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
    }
    if (!recordings.contains(config.out())) {
      recordings.add(config.out());
    }
    RunDirectory.writeRules(dir, rules);
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      ResultsFile resultsFile = ResultsFile.create(continued ? continuing : results);
      opened.add(resultsFile);
      Map<String, SamplesFile.Sample> earlierSamples = Map.of();
      if (continued) {
        try {
          earlierSamples = SamplesFile.read(dir, w -> {});
        } catch (RuntimeException cut) {
          // samples are examples for the report, not counts: a file a crash cut before its first
          // flush must not keep the proxy from starting
          log(
              "live mirror: the samples of "
                  + dir
                  + " before the restart cannot be read ("
                  + cut.getMessage()
                  + "): the day's report shows samples from now on; its counts are whole");
        }
      }
      SamplesFile samples = SamplesFile.create(dir, redactor.description().headers());
      opened.add(samples);
      earlierSamples.values().forEach(samples::add);
      // kept responses describe one process's comparisons: a continued day keeps none
      Files.deleteIfExists(dir.resolve(RunDirectory.RESPONSES));
      ResponsesFile responses =
          !continued && m.rejudgeBudget() > 0 ? ResponsesFile.create(dir, m.rejudgeBudget()) : null;
      if (responses != null) {
        opened.add(responses);
      }
      RunAggregate aggregate = new RunAggregate();
      RunWriter writer = new RunWriter(resultsFile, responses, aggregate);
      if (continued) {
        // a restart the same day: the day's results are read back exactly (up to a crash's cut)
        List<IOException> failed = new ArrayList<>(1);
        String cut =
            ResultsFile.readRecovering(
                results,
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
        resultsFile.flush();
        // the copy takes over only once complete: an interrupted one leaves the day as it was
        Files.move(continuing, results, StandardCopyOption.REPLACE_EXISTING);
        log(
            "live mirror: continued the run of "
                + date
                + " in "
                + dir
                + " ("
                + writer.lines()
                + " exchanges judged before the restart"
                + (cut == null ? "" : "; " + cut)
                + ")");
      }
      ExchangeJudge judge =
          new ExchangeJudge(
              engine,
              redactor,
              samples,
              responses == null ? null : Pseudonyms.random(),
              writer::keepsResponses,
              this::log);
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
          new AtomicReference<>(),
          new SecondaryMisses());
    } catch (IOException | RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing what was opened for a day that could not start
        }
      }
      Files.deleteIfExists(continuing);
      throw e;
    }
  }

  /**
   * A day's directory is continued only by the same live run: the same candidate and rules (else
   * its results and the new ones would be one run judged two ways, or against two systems).
   */
  private void refuseOtherRun(Path dir, LocalDate date) {
    Path summary = dir.resolve(RunDirectory.SUMMARY);
    if (Files.exists(summary)) {
      SummaryFile before;
      try {
        before = SummaryFile.read(summary);
      } catch (RuntimeException unreadable) {
        return; // a crash mid-write: the results say what the day was
      }
      if (!before.candidate().equals(m.candidate().toString())) {
        throw new BadInputException(
            "--mirror-out: "
                + dir
                + " holds the live run of "
                + date
                + " against "
                + before.candidate()
                + ", not "
                + m.candidate()
                + ": choose another --mirror-out, or move it away");
      }
    }
    Path kept = dir.resolve(RunDirectory.RULES);
    Rules earlier = Files.exists(kept) ? Rules.load(kept) : Rules.defaults();
    if (!earlier.judgesLike(rules)) {
      throw new BadInputException(
          "--rules: "
              + dir
              + " holds the live run of "
              + date
              + " judged by other rules ("
              + kept
              + "): restart with those, or choose another --mirror-out (re-judge the day with"
              + " shadow report --rules)");
    }
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
      RunView view = view(d, finishedAt, !complete, abortReason);
      RunOutputs.write(view, d.dir.resolve(RunDirectory.RESULTS), outputs);
      if (view.collapsed().result().exchanges() > 0 || d.date == null) {
        m.closed().accept(d.dir);
      } else {
        log("live mirror: " + d.dir + " saw no traffic: not stored (a day without a run)");
      }
    } catch (IOException | RuntimeException e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
      log("live mirror: cannot write the run directory " + d.dir + ": " + e);
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
            d.date == null ? null : d.date.toString(),
            null,
            d.secondaryMisses.warnings(m.secondary(), c.result().exchanges()));
    return RunView.judged(d.dir, d.dir, meta, c, m.gate(), rules);
  }

  /**
   * On rotation of the recording (the writer thread): the summary of what was compared so far,
   * marked incomplete since the live shadow goes on, written by the judge thread; the CSV and
   * report come when the day closes. Never waits.
   */
  public void checkpoint(Path rotated) {
    try {
      judgeThread.execute(
          () -> {
            try {
              day.results.flush();
              RunOutputs.writeSummary(
                  view(
                      day,
                      m.clock().instant(),
                      true,
                      "live shadow in progress (checkpoint at " + rotated.getFileName() + ")"));
            } catch (IOException | RuntimeException e) {
              counters.drop(DropReason.MIRROR_REPORT_ERROR);
            }
          });
    } catch (RejectedExecutionException e) {
      // stopping: the run directory is written at stop
    }
  }

  /**
   * Waits for copies queued and in flight (at most {@code millis}), stops the judge thread, then
   * closes the current day: its run directory is written (the summary last) and handed on.
   */
  public void close(long millis) throws InterruptedException {
    closed = true;
    long deadline = System.nanoTime() + millis * 1_000_000;
    while ((queued.get() > 0 || unsentQueued.get() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    // copies in flight get at most 10 s more: a stop must end within a container's grace period
    // (30 s by default), and a hung candidate would otherwise hold it to the end of its timeout
    boolean all =
        permits.tryAcquire(
            inFlight,
            Math.max(1, Math.min(10_000, (deadline - System.nanoTime()) / 1_000_000)),
            TimeUnit.MILLISECONDS);
    sender.close(); // copies still in flight fail now, and are judged as candidate errors
    if (!all && permits.tryAcquire(inFlight, 5, TimeUnit.SECONDS)) {
      permits.release(inFlight);
      all = true; // every copy judged, those cut short as candidate errors: nothing lost
    }
    ticker.shutdownNow();
    judgeThread.shutdown();
    if (!judgeThread.awaitTermination(30, TimeUnit.SECONDS)) {
      judgeThread.shutdownNow();
      judgeThread.awaitTermination(5, TimeUnit.SECONDS);
    }
    // the judge thread has stopped: its state is this thread's now
    Instant now = m.clock().instant();
    roll(now);
    closer.shutdown();
    if (!closer.awaitTermination(Math.max(millis, 60_000), TimeUnit.MILLISECONDS)) {
      log("live mirror: the previous day's run directory is still being written");
    }
    finish(day, now, all, all ? null : "stopped with mirror copies in flight");
    actions.close();
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
      AtomicReference<TriggersFile> triggers,
      SecondaryMisses secondaryMisses) {

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

  /**
   * The copies a day's secondary did not answer (counted on the judge thread): noise was not learned from them,
   * so what it would have excused counts as discrepant; said in the day's summary and, at the
   * first, in the log.
   */
  private static final class SecondaryMisses {
    long count;
    String first;

    /** True for the day's first miss. */
    synchronized boolean add(String error) {
      if (count++ == 0) {
        first = error;
        return true;
      }
      return false;
    }

    synchronized List<String> warnings(URI secondary, long exchanges) {
      if (count == 0) {
        return List.of();
      }
      return List.of(
          "the secondary "
              + secondary
              + " did not answer "
              + count
              + " of "
              + exchanges
              + " copies (first: "
              + first
              + "): no noise was learned from those, and a difference it would have shown as"
              + " noise counts as discrepant");
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
      if (r.candidateMicros() != null) { // the latencies of exchanges both sides answered
        candidate.record(r.candidateMicros());
        if (r.recordedMicros() != null) {
          legacy.record(r.recordedMicros());
        }
      }
    }
  }
}
