package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.HarImporter;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.TransformRun;
import dev.shadowtest.diff.Transforms;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ExchangeJudge;
import dev.shadowtest.diff.run.ResponsesFile;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.RunWriter;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.http.ErrorCategory;
import dev.shadowtest.http.Sender;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Replays recordings against a candidate (and optionally a primary and a secondary legacy
 * instance), compares the responses with the diff engine and writes the run directory:
 * {@code results.jsonl.gz} (one line per exchange, streamed) and {@code summary.json}.
 *
 * <pre>{@code
 * ReplayResult r = new Replayer(ReplayConfig.of(List.of(Path.of("rec.jsonl.gz")),
 *     URI.create("http://127.0.0.1:8080"), Path.of("out"))).run(ShadowListener.NONE);
 * r.passed();
 * }</pre>
 *
 * <p>Recordings are streamed; memory is bounded by the concurrency, not the recording size.
 * Only GET, HEAD and OPTIONS are sent unless unsafe methods are allowed. {@link #stop()} (from a
 * signal handler) ends the run early with a summary marked incomplete.
 */
public final class Replayer {

  static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  /** A deadline (a nanoTime) that never comes: runs without {@code --duration}. */
  static final long NO_DEADLINE = Long.MIN_VALUE;

  /** True when {@code deadline} (a nanoTime, or {@link #NO_DEADLINE}) has passed. */
  static boolean past(long deadline) {
    return deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0;
  }

  /** Refused connections (or TLS failures) in a row, with no success at all, that end the run. */
  static final int UNREACHABLE_AFTER = 20;

  private final ReplayConfig config;
  private final DiffEngine engine;
  private final Endpoints endpoints;
  private final RunAggregate aggregate = new RunAggregate();
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong discrepant = new AtomicLong();
  private final AtomicLong late = new AtomicLong();

  /** Recording lines that could not be read (skipped, with a warning each). */
  private final AtomicLong unreadable = new AtomicLong();

  private final AtomicInteger refusedInARow = new AtomicInteger();
  private final AtomicLong candidateSuccesses = new AtomicLong();

  /** Candidate answers 401, and baseline answers 401, among exchanges the candidate answered. */
  private final AtomicLong candidateUnauthorized = new AtomicLong();

  private final AtomicLong baselineUnauthorized = new AtomicLong();

  /** Per lower-case header name: measured candidate requests sent without a redacted recorded value. */
  private final ConcurrentHashMap<String, Long> redactedNotSent = new ConcurrentHashMap<>();

  /** Warm-up requests sent (to the candidate) before the measured replay. */
  private volatile int warmedUp;

  /** When a {@code --duration} run stops sending; null otherwise, or before it started. */
  private volatile Instant endsAt;

  /** Candidate answers 401 or 403 where the baseline's was neither: credentials it did not get. */
  private final AtomicLong candidateDenied = new AtomicLong();

  /** Runs an in-process {@link Transport}'s calls; null without one. */
  private volatile ExecutorService inProcessPool;

  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile boolean abandoned;
  private volatile String abortReason;

  /** A bug or crash of Shadow itself that ended the run (the first one), or null. */
  private volatile String internalError;

  /** Judges each exchange from its targets' answers (set when the run's files are open). */
  private volatile ExchangeJudge judge;

  /** Writes results and kept responses, in the same order, and the aggregate. */
  private volatile RunWriter writer;

  /** The source being read, told which exchanges are done. */
  private volatile ExchangeSource tracked;

  /** When the run started; nanoTime of the last provisional summary. */
  private volatile Instant startedAt;

  private long provisionalAt;
  private static final long PROVISIONAL_NANOS = 30_000_000_000L;

  /** Pseudonyms of the kept responses: a random key per run, never written. */
  private final Pseudonyms pseudonyms = Pseudonyms.random();

  /** Told of progress and of every judged exchange. */
  private volatile ShadowListener listener = ShadowListener.NONE;

  /** Redacts live answers (candidate, primary, secondary) the way the recordings were redacted. */
  private volatile Redactor live;

  /**
   * Per recording, what masks its recorded responses where {@link #live} masks and the recording
   * did not; absent when nothing is left to mask. Filled before the reader starts.
   */
  private final Map<Path, Redactor> baselineMasks = new HashMap<>();

  /** The rules' transforms with their secrets resolved; checked before anything is sent. */
  private volatile TransformRun transforms;

  /**
   * The queue of exchanges read, when slots are relayed (see {@link #relay}): as fast as possible,
   * no transforms; else null.
   */
  private volatile ReadAhead<Item> relayed;

  /** The run's {@code --duration} deadline (a nanoTime, or {@link #NO_DEADLINE}) when relaying. */
  private volatile long relayDeadline = NO_DEADLINE;

  /** Exchanges waiting for an earlier one of their session to be answered, at most. */
  static final int MAX_WAITING_IN_SESSIONS = 10_000;

  /** Per session with an exchange in flight: its exchanges waiting for it, in order. */
  private final Map<String, ArrayDeque<Waiting>> sessions = new HashMap<>();

  private final Semaphore waitingRoom = new Semaphore(MAX_WAITING_IN_SESSIONS);

  /** Per session and pass (main thread only): the last exchange's start, to tell time order broken. */
  private final LinkedHashMap<String, Instant> lastStarted =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > 100_000;
        }
      };

  private boolean toldOutOfOrder;

  /** An exchange that waited for its session longer than this is late (the pacer's tolerance). */
  static final long LATE_AFTER_NANOS = 10_000_000L;

  /** Exchanges that waited for their session and were not sent: the run stopped first. */
  private final AtomicLong notSentFromSessions = new AtomicLong();

  /** An exchange that waits for the one before it in its session. */
  private record Waiting(Exchange exchange, String endpoint, EndpointRule rule, long since) {}

  public Replayer(ReplayConfig config) {
    this.config = config;
    this.engine = DiffEngine.of(config.rules());
    this.endpoints = new Endpoints(config.rules());
  }

  /** The warm-up requests sent to the candidate before the measured replay (at most {@link ReplayConfig#warmup}). */
  public int warmedUp() {
    return warmedUp;
  }

  /**
   * When a run of {@link Passes#forDuration} stops sending (counted from the end of the warm-up),
   * for a progress line's time left; null for other runs, and before the measured replay starts.
   */
  public Instant endsAt() {
    return endsAt;
  }

  /** Asks a running replay to stop sending and finish with an incomplete summary. */
  public void stop() {
    stopRequested = true;
  }

  /** Waits until {@link #run} has written its summary. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs the replay to the end (or until stopped or aborted) and writes the run directory.
   *
   * @throws RecordingException for a bad recording or an output that cannot be written
   */
  public ReplayResult run(ShadowListener progress) {
    listener = progress;
    try {
      return runInternal(progress);
    } finally {
      finished.countDown();
    }
  }

  private ReplayResult runInternal(ShadowListener progress) {
    Instant startedAt = Instant.now();
    this.startedAt = startedAt;
    Path out = config.out();
    try {
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw new RecordingException(
            out, 0, "is a file, expected a directory for the run's outputs");
      }
      List<Path> earlier = earlierRun(out);
      if (!earlier.isEmpty() && !config.keeping().overwrite()) {
        throw new RecordingException(
            out,
            0,
            "already holds a run ("
                + earlier.get(0).getFileName()
                + "): choose another output directory, or replace that run with --force");
      }
      for (Path f : earlier) {
        Files.delete(f); // a replaced run leaves nothing behind (not even its rules copy)
      }
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new RecordingException(
          out, 0, "cannot create the output directory: " + e.getMessage(), e);
    }
    for (Path r : config.recordings()) {
      try (ExchangeSource check = open(r, w -> {})) {
        check.header(); // fail fast, before any traffic, on a missing or invalid recording
      }
    }
    // The total is only for a progress line's ETA: counted on the side, and only when someone
    // looks.
    AtomicLong expected = new AtomicLong(-1);
    if (progress != ShadowListener.NONE) {
      Thread counter =
          new Thread(
              () -> {
                long total = 0;
                for (Path r : config.recordings()) {
                  Path file = ExchangeStorage.file(r.toString());
                  long n = file == null ? -1 : RecordingReader.estimateExchanges(file);
                  if (n < 0) {
                    return;
                  }
                  total += n;
                }
                if (config.passes().duration() != null) {
                  return; // pass after pass until the time is up: the progress line shows time left
                }
                long perPass = config.shard().count() == 1 ? total : total / config.shard().count();
                expected.set(perPass * config.passes().count());
              },
              "shadow-count");
      counter.setDaemon(true);
      counter.setPriority(Thread.MIN_PRIORITY);
      counter.start();
    }

    Map<Path, Redaction> byRecording = recordingRedactions(config.recordings());
    Redaction recorded = union(byRecording.values());
    Redaction liveSpec = Redaction.defaults().plus(recorded);
    live = new Redactor(liveSpec, config.redactionKey(), config.maxBody());
    // a recorded baseline is masked where the live answers are and its recording did not mask
    // (--no-redact, or other recordings masking more): both sides of a comparison alike
    for (Map.Entry<Path, Redaction> r : byRecording.entrySet()) {
      Redaction extra = unmasked(liveSpec, r.getValue());
      if (!extra.isEmpty()) {
        baselineMasks.put(r.getKey(), new Redactor(extra, config.redactionKey(), config.maxBody()));
      }
    }
    if (recorded.pseudonyms() && config.redactionKey() == null) {
      warnings.add(
          "the recordings hold HMAC pseudonyms of redacted values (shadow record --redact-key-env); without the"
              + " same key (shadow replay --redact-key-env) the live values are masked as "
              + Redaction.REDACTED
              + " and every redacted field differs");
    }
    // secrets and signing keys: a missing one is the user's error, before any traffic
    transforms = TransformRun.start(config.rules().transforms(), System::getenv, Duration.ZERO);
    abortReason = preflight();
    // judging runs on the HTTP client's I/O threads (see dispatch); this pool only takes what
    // must not run in the thread that asks for it, and starts its threads when first needed
    int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    ExecutorService compare =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "shadow-compare");
              t.setDaemon(true);
              return t;
            });
    Semaphore inFlight = new Semaphore(config.concurrency());
    long t0 = System.nanoTime();
    Thread ticker = progressTicker(progress, expected, t0);
    try (ResultsFile results = ResultsFile.create(out.resolve(RunDirectory.RESULTS));
        SamplesFile samplesFile = SamplesFile.create(out, recorded.headers());
        ResponsesFile responsesFile =
            config.keeping().rejudgeBudget() > 0
                ? ResponsesFile.create(out, config.keeping().rejudgeBudget())
                : null;
        Sender sender =
            new Sender(
                config.concurrency(),
                config.connectTimeout(),
                config.responseTimeout(),
                config.targets().extraHeaders(),
                config.targets().keepHost(),
                config.maxBody(),
                config.sending().connections())) {
      RunWriter w = new RunWriter(results, responsesFile, aggregate);
      writer = w;
      judge =
          new ExchangeJudge(
              engine,
              live,
              samplesFile,
              responsesFile == null ? null : pseudonyms,
              w::keepsResponses,
              warnings::add);
      if (config.transport() != null) {
        inProcessPool =
            Executors.newFixedThreadPool(
                config.concurrency(),
                r -> {
                  Thread t = new Thread(r, "shadow-in-process");
                  t.setDaemon(true);
                  return t;
                });
      }
      if (config.sending().warmup() > 0 && abortReason == null) {
        warmUp(sender, inFlight);
      }
      // --duration counts from here, after the warm-up: the measured replay
      long deadline =
          config.passes().duration() == null
              ? NO_DEADLINE
              : System.nanoTime() + config.passes().duration().toNanos();
      if (deadline != NO_DEADLINE) {
        endsAt = Instant.now().plus(config.passes().duration());
      }
      Pacer pacer = new Pacer(config.sending().pacing(), deadline);
      // Reading and parsing the recording runs on its own thread, ahead of the sender by a
      // bounded queue: the main thread only paces and sends.
      ReadAhead<Item> queue = new ReadAhead<>(READ_AHEAD_ITEMS, READ_AHEAD_BYTES, Item::held);
      AtomicReference<RuntimeException> readError = new AtomicReference<>();
      // As fast as possible and without transforms, an exchange that ends hands its slot straight
      // to the next exchange read, on the thread that judged it (see relay); this thread only
      // sends when a slot is free and nothing was waiting to take it.
      boolean relaying =
          config.sending().pacing() instanceof Pacing.AsFastAsPossible && transforms.isEmpty();
      if (relaying) {
        relayDeadline = deadline;
        relayed = queue;
      }
      Thread reader = new Thread(() -> read(queue, readError, deadline), "shadow-read");
      reader.setDaemon(true);
      reader.start();
      boolean first = true;
      try {
        while (relaying) {
          // a slot first, then an exchange: only the holder of a slot takes one from the queue,
          // so that exchanges go out in the order read (with --concurrency 1, one by one)
          if (!acquireSlot(inFlight, deadline)
              || !relay(queue, sender, compare, inFlight, deadline, true)) {
            break;
          }
        }
        while (!relaying) {
          Item item = queue.poll(100, TimeUnit.MILLISECONDS);
          if (stopRequested || abortReason != null) {
            break;
          }
          if (item == null) {
            continue;
          }
          if (item == Item.END || past(deadline)) {
            break; // the end of the recordings, or of --duration: what was not sent is not counted
          }
          Exchange e = item.exchange();
          if (item.skip() != null) {
            finish(ExchangeJudge.unsent(e, item.endpoint(), Verdict.SKIPPED, item.skip()), null);
            continue;
          }
          if (!pacer.await(e, item.pass())) {
            break; // --duration ended while waiting for this exchange's time
          }
          if (first) {
            first = false;
            transforms = transforms.withOffset(timeOffset(e), e.startedAt());
          }
          String session = transforms.chains() ? transforms.sessionOf(e.request()) : null;
          if (session != null) {
            checkOrder(session, e, item.pass());
          }
          if (session != null && waitsForItsSession(session, e, item, deadline)) {
            continue; // sent when the exchange before it in its session is answered
          }
          if (stopRequested || abortReason != null || past(deadline)) {
            release(session);
            break;
          }
          boolean waited = !inFlight.tryAcquire();
          // every slot taken: wait for one, but not past --duration
          if (waited && !acquireSlot(inFlight, deadline)) {
            release(session);
            break; // stopped, aborted or out of time; what holds the slots finishes on its own
          }
          if (stopRequested || abortReason != null || past(deadline)) {
            // stopped, aborted or out of time while waiting for a slot: send nothing more
            inFlight.release();
            release(session);
            break;
          }
          if (waited
              ? !(config.sending().pacing() instanceof Pacing.AsFastAsPossible)
              : pacer.wasLate()) {
            late.incrementAndGet();
          }
          send(sender, compare, inFlight, e, item.endpoint(), item.rule(), session);
        }
      } finally {
        reader.interrupt();
        // a source that confirms what is done keeps its last checkpoint on close: before the
        // final summary, never after it
        reader.join(15_000);
      }
      if (readError.get() != null) {
        throw readError.get();
      }
      // wait for what is in flight (and what waits in its session): every permit back, with
      // progress at least once per response timeout
      long waitMs =
          config.responseTimeout().toMillis() + config.connectTimeout().toMillis() + 5_000;
      if (!drained(inFlight, waitMs)) {
        abandoned = true;
        warnings.add(
            "some requests were still in flight after "
                + waitMs
                + " ms; they are written as candidate errors (no answer when Shadow stopped) and"
                + " the run is marked incomplete");
      }
      credentialWarnings(new TreeMap<>(redactedNotSent));
      long drifted = judge == null ? 0 : judge.drifted();
      if (drifted >= DRIFT_WARNING) {
        warnings.add(
            drifted
                + " exchanges were judged noise where the candidate answered exactly as the"
                + " secondary and both differed from the recording: the data changed since it was"
                + " recorded, and noise learned between the recording and a live instance excuses"
                + " any change in those fields, a regression too; replay with --primary (a live"
                + " legacy instance as the baseline) to judge them");
      }
      if (notSentFromSessions.get() > 0) {
        warnings.add(
            notSentFromSessions.get()
                + " exchange(s) waiting for an earlier exchange of their session were not sent:"
                + " the run stopped (or its time was up) first; they are not counted");
      }
      if (transforms.forgottenSessions() > 0) {
        warnings.add(
            transforms.forgottenSessions()
                + " session(s) had their captured values forgotten (more sessions or values than"
                + " memory is kept for): a later use of one of them, if any, was an error saying"
                + " no value was captured");
      }
      if (sender.reactorFailure() != null) {
        warnings.add("the HTTP client's I/O reactor failed: " + sender.reactorFailure());
      }
    } catch (IOException e) {
      throw new RecordingException(
          out.resolve(RunDirectory.RESULTS), 0, "cannot write: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested = true;
    } catch (BadInputException e) {
      // a bad recording, an output that cannot be written, a source that refuses us (a Kafka
      // topic, group or credentials): the user's to fix
      throw e;
    } catch (RuntimeException | Error e) {
      internalError(e); // a bug or a crash: the run ends incomplete, with what was compared so far
    } finally {
      compare.shutdown();
      ticker.interrupt();
      if (inProcessPool != null) {
        inProcessPool.shutdownNow();
      }
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    progress.progress(
        done.get(), expected.get(), discrepant.get(), done.get() / Math.max(elapsed, 1e-9));
    boolean badLines = unreadable.get() > 0 && !config.selection().skipBadLines();
    if (badLines && abortReason == null) {
      abortReason =
          unreadable.get()
              + " unreadable recording line(s) skipped: their exchanges were not replayed (the"
              + " warnings name each file and line; --skip-bad-lines, or in JUnit"
              + " @ShadowReplay(skipBadLines = true), accepts a run without them)";
    }
    return writeSummary(
        startedAt,
        stopRequested || abortReason != null || abandoned || internalError != null || badLines);
  }

  /**
   * The candidate's answer: over HTTP (compared with {@code recorded}'s body as it streams in, see
   * {@link Sender#send(URI, HttpRequest, Body)}; null: none), or through the in-process transport.
   */
  private CompletableFuture<Sender.Attempt> sendCandidate(
      Sender sender, HttpRequest request, HttpResponse recorded) {
    Transport transport = config.transport();
    if (transport == null) {
      return sender.send(config.candidate(), request, recorded == null ? null : recorded.body());
    }
    HttpRequest prepared = sender.prepared(config.candidate(), request);
    long deadlineMs = config.connectTimeout().toMillis() + config.responseTimeout().toMillis();
    CompletableFuture<Sender.Attempt> attempt = new CompletableFuture<>();
    attempt.completeOnTimeout(
        new Sender.Failed(
            ErrorCategory.TIMEOUT,
            transport.description() + " gave no response within " + deadlineMs + " ms",
            deadlineMs * 1000),
        deadlineMs,
        TimeUnit.MILLISECONDS);
    try {
      inProcessPool.execute(
          () -> {
            if (!attempt
                .isDone()) { // a request whose time ran out while it waited for a thread is never
              // sent
              attempt.complete(inProcess(transport, prepared, config.maxBody()));
            }
          });
    } catch (RejectedExecutionException e) {
      attempt.complete(
          new Sender.Failed(ErrorCategory.INTERNAL, "the in-process sender stopped", 0));
    }
    return attempt;
  }

  /** One in-process exchange: the response (body cut at {@code maxBody}), or the failure as an error. */
  static Sender.Attempt inProcess(Transport transport, HttpRequest request, int maxBody) {
    long start = System.nanoTime();
    try {
      HttpResponse r = transport.exchange(request);
      long micros = (System.nanoTime() - start) / 1000;
      if (r == null) {
        return new Sender.Failed(
            ErrorCategory.OTHER, transport.description() + " returned no response", micros);
      }
      if (r.body().size() > maxBody && !r.body().truncated()) {
        byte[] all = r.body().bytes();
        r =
            new HttpResponse(
                r.status(),
                r.reason(),
                r.headers(),
                Body.of(Arrays.copyOf(all, maxBody), all.length));
      }
      return new Sender.Answered(r, micros);
    } catch (Exception | LinkageError | StackOverflowError e) {
      long micros = (System.nanoTime() - start) / 1000;
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      ErrorCategory category =
          Sender.category(e) == ErrorCategory.TIMEOUT ? ErrorCategory.TIMEOUT : ErrorCategory.OTHER;
      return new Sender.Failed(category, transport.description() + " failed: " + root, micros);
    }
  }

  /**
   * Sends the first {@link ReplayConfig#warmup} safe requests once to every target, without
   * measuring anything: the candidate's (and the baselines') first requests pay for class loading
   * and JIT compilation, which a latency gate must not judge.
   */
  private void warmUp(Sender sender, Semaphore inFlight) throws InterruptedException {
    int sent = 0;
    outer:
    for (Path recording : config.recordings()) {
      try (ExchangeSource reader = open(recording, w -> {})) {
        while (sent < config.sending().warmup() && reader.hasNext()) {
          if (stopRequested || abortReason != null) {
            break outer;
          }
          Exchange e = reader.next();
          if (!inShard(e)
              || skipReason(e, engine.ruleFor(e.request())) != null
              || !SAFE_METHODS.contains(e.request().method().toUpperCase(Locale.ROOT))) {
            continue;
          }
          // each target its request as the transforms prepare it; one that cannot be prepared
          // (a value chained from an earlier answer) is not sent: warming up judges nothing
          TransformRun.Prepared cp =
              transforms.prepare(e.request(), Transforms.Target.CANDIDATE, null);
          TransformRun.Prepared pp =
              transforms.prepare(e.request(), Transforms.Target.PRIMARY, null);
          TransformRun.Prepared sp =
              transforms.prepare(e.request(), Transforms.Target.SECONDARY, null);
          if (cp.failure() != null || pp.failure() != null || sp.failure() != null) {
            continue;
          }
          inFlight.acquire();
          List<CompletableFuture<Sender.Attempt>> calls = new ArrayList<>();
          calls.add(sendCandidate(sender, cp.request(), null));
          if (config.primary() != null) {
            calls.add(sender.send(config.primary(), pp.request()));
          }
          if (config.secondary() != null) {
            calls.add(sender.send(config.secondary(), sp.request()));
          }
          CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
              .whenComplete((v, t) -> inFlight.release());
          sent++;
          warmedUp = sent;
        }
        if (sent >= config.sending().warmup()) {
          break;
        }
      } catch (RuntimeException e) {
        break; // a recording problem is the measured pass's to report
      }
    }
    long waitMs = config.responseTimeout().toMillis() + config.connectTimeout().toMillis() + 5_000;
    if (inFlight.tryAcquire(config.concurrency(), waitMs, TimeUnit.MILLISECONDS)) {
      inFlight.release(config.concurrency());
    } else {
      abortReason = "the warm-up requests were still in flight after " + waitMs + " ms";
    }
  }

  /** Exchanges drifted since the recording ({@link ExchangeJudge#drifted}) from which a warning says so. */
  static final int DRIFT_WARNING = 10;

  /**
   * Tells when the candidate refused every exchange with 401 (a replay without credentials
   * measures nothing), and when recorded credentials were left out (redacted at capture) while the
   * candidate refused some exchanges the baseline did not.
   */
  private void credentialWarnings(Map<String, Long> redactedNotSent) {
    List<String> front = new ArrayList<>();
    long answered = candidateSuccesses.get();
    if (answered > 0
        && candidateUnauthorized.get() == answered
        && baselineUnauthorized.get() < answered) {
      front.add(
          "the candidate answered 401 Unauthorized to every exchange it answered ("
              + answered
              + "; the baseline to "
              + baselineUnauthorized.get()
              + "): it needs credentials the replay does not send"
              + (redactedNotSent.isEmpty()
                  ? ""
                  : ", because the recorded ones were redacted at capture")
              + "; give them with shadow replay --header 'Authorization=Bearer ...' (JUnit: @ShadowReplay(headers ="
              + " \"Authorization=Bearer ${TOKEN}\"))");
    }
    if (!redactedNotSent.isEmpty() && candidateDenied.get() > 0) {
      StringBuilder counts = new StringBuilder();
      redactedNotSent.forEach(
          (name, n) ->
              counts.append(counts.length() == 0 ? "" : ", ").append(name).append(": ").append(n));
      front.add(
          "recorded header values redacted at capture were not sent ("
              + counts
              + " requests), and the candidate"
              + " answered 401 or 403 to "
              + candidateDenied.get()
              + " exchanges the baseline did not: to send real credentials, add --header NAME=VALUE (JUnit: @ShadowReplay(headers"
              + " = \"NAME=${ENV_VAR}\"))");
    }
    warnings.addAll(0, front);
  }

  /**
   * Ends the run because of a bug or a crash of Shadow itself (an Error such as out of memory, an
   * unexpected exception): it is incomplete, its gate fails, and the CLI exits 3. Never a pass.
   */
  private void internalError(Throwable e) {
    String what =
        e instanceof OutOfMemoryError ? "out of memory (" + e.getMessage() + ")" : e.toString();
    if (internalError == null) {
      internalError = what;
    }
    if (abortReason == null) {
      abortReason = "internal error: " + what;
    }
  }

  /** The files of a run directory that {@code dir} already holds. */
  static List<Path> earlierRun(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    for (String name : RUN_FILES) {
      Path f = dir.resolve(name);
      if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** What a run directory holds (docs/run-format.md). */
  static final List<String> RUN_FILES = RunDirectory.FILES;

  /** Exchanges read ahead of the sender, at most (see {@link ReadAhead}). */
  static final int READ_AHEAD_ITEMS = 1024;

  /** Bytes of bodies read ahead of the sender, at most (plus one exchange's). */
  static final long READ_AHEAD_BYTES = 2L << 20;

  /**
   * One exchange read, named and checked, on its way to the sender, in pass {@code pass}; {@code
   * held}: about what it holds in memory ({@link #footprint(Exchange)}).
   */
  private record Item(
      Exchange exchange, String endpoint, EndpointRule rule, String skip, int pass, long held) {
    static final Item END = new Item(null, null, null, null, 0, 0);

    Item(Exchange exchange, String endpoint, EndpointRule rule, String skip, int pass) {
      this(exchange, endpoint, rule, skip, pass, footprint(exchange));
    }
  }

  /**
   * About what a recorded exchange holds in memory: its bodies' bytes (a text read from a
   * version-1 line: its characters; a binary body cut short: its original size, more than it
   * holds), plus 512 for the rest.
   */
  static long footprint(Exchange e) {
    return 512
        + footprint(e.request().body())
        + (e.response() == null ? 0 : footprint(e.response().body()));
  }

  private static long footprint(Body b) {
    if (b instanceof Body.Text t) {
      return t.utf8().map(ByteBuffer::remaining).orElseGet(() -> t.text().length());
    }
    return b instanceof Body.Binary binary ? Math.max(0, binary.size()) : 0;
  }

  /**
   * The reader thread: recordings → named, checked exchanges → the queue, then END; pass after
   * pass with {@code --loop} or {@code --duration} (until {@code deadline}, a nanoTime).
   */
  private void read(ReadAhead<Item> queue, AtomicReference<RuntimeException> error, long deadline) {
    Passes passes = config.passes();
    try {
      for (int pass = 1; passes.includes(pass); pass++) {
        boolean first = pass == 1;
        boolean sendsAny = false;
        for (Path recording : config.recordings()) {
          // later passes read the same lines again: their warnings and unreadable lines were told
          // and counted in the first
          try (ExchangeSource reader = open(recording, first ? warnings::add : w -> {})) {
            if (first && config.shard().count() == 1 && !passes.repeating()) {
              // a source shared by several runs (a Kafka consumer group) serves this run's share,
              // and confirms what is done once the results before it are durable
              reader.track(this::checkpoint);
              tracked = reader;
            }
            while (first ? readNext(reader) : reader.hasNext()) {
              if (stopRequested || abortReason != null || past(deadline)) {
                return;
              }
              Exchange e = reader.next();
              if (!inShard(e)) {
                continue; // by the recorded id: a shard replays the same exchanges in every pass
              }
              Redactor mask = baselineMasks.get(recording);
              if (mask != null && e.response() != null) {
                e =
                    e.withResponse(
                        mask.apply(
                                new Exchange(
                                    e.id(), null, null, e.request(), e.response(), null, Map.of()))
                            .response());
              }
              EndpointRule rule = engine.ruleFor(e.request());
              String skip = skipReason(e, rule);
              sendsAny |= skip == null;
              Item item =
                  new Item(
                      passes.repeating() ? inPass(e, passes.id(e.id(), pass)) : e,
                      endpoints.of(e.request().method(), e.request().target()),
                      rule,
                      skip,
                      pass);
              if (!queue.offer(item) && !putWhenRoom(queue, item, reader)) {
                return; // the run stops
              }
            }
          }
        }
        if (!sendsAny && passes.duration() != null) {
          warnings.add(
              "--duration: pass "
                  + pass
                  + " had no exchange to send, so the replay stopped there instead of repeating it"
                  + " until the time was up");
          return;
        }
      }
    } catch (RuntimeException e) {
      error.set(e);
    } catch (InterruptedException e) {
      // the sender stopped reading: it needs no END, and waits for this thread to end
      Thread.currentThread().interrupt();
      return;
    } finally {
      boolean ended = false;
      while (!ended && !Thread.currentThread().isInterrupted()) {
        try {
          ended = queue.offerByCount(Item.END, 100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          return;
        }
        if (stopRequested || abortReason != null) {
          return;
        }
      }
    }
  }

  /** The longest the reader waits between two looks at a full queue. */
  private static final long ROOM_WAIT_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /**
   * Puts {@code item} in {@code queue}, which was full (by count or bytes), once half of both has
   * been taken: a reader woken for every place freed would be woken, and wake its consumer, once
   * per exchange. The taker that frees half wakes it; it also looks every 10 ms, to see whether
   * the run stops. False when the run stops first.
   */
  private boolean putWhenRoom(ReadAhead<Item> queue, Item item, ExchangeSource reader)
      throws InterruptedException {
    long idleAt = System.nanoTime();
    while (!queue.awaitHalfEmpty(ROOM_WAIT_MAX_NANOS)) {
      if (stopRequested || abortReason != null) {
        return false;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException(); // the sender stopped reading
      }
      if (System.nanoTime() - idleAt > TimeUnit.MILLISECONDS.toNanos(100)) {
        reader.idle(); // a source that must stay in touch (a Kafka group member) does so
        idleAt = System.nanoTime();
      }
    }
    while (!queue.offerByCount(item, 100, TimeUnit.MILLISECONDS)) {
      if (stopRequested || abortReason != null) {
        return false;
      }
      reader.idle();
    }
    return true;
  }

  /**
   * A result that could not be written: its exchange is missing, so the run is incomplete and
   * stops (a source that confirms what is done would otherwise wait for it forever).
   */
  private void cannotWrite(Exchange e, Throwable ex) {
    abandoned = true;
    warnings.add("exchange " + e.id() + " could not be written: " + ex);
    if (abortReason == null) {
      abortReason =
          "a result could not be written (" + ex.getMessage() + "): the run stopped there";
    }
  }

  /**
   * A checkpoint of the source being read: the results so far made readable as they stand, a
   * provisional summary now and then (what a worker that dies leaves for merge), then the
   * source's positions.
   */
  private void checkpoint(SourcePositions positions) {
    Path results = config.out().resolve(RunDirectory.RESULTS);
    try {
      writer.flush();
    } catch (IOException e) {
      throw new RecordingException(results, 0, "cannot write: " + e.getMessage(), e);
    }
    long now = System.nanoTime();
    if (provisionalAt == 0 || now - provisionalAt > PROVISIONAL_NANOS) {
      provisionalAt = now;
      Summaries.writeProvisional(
          config, aggregate, endpoints, startedAt, late.get(), unreadable.get(), warningsSoFar());
    }
    positions.write(config.out());
  }

  private List<String> warningsSoFar() {
    synchronized (warnings) { // a synchronized list: copied under its lock
      return List.copyOf(warnings);
    }
  }

  /** {@code e} under the id it has in one pass of a repeated replay. */
  private static Exchange inPass(Exchange e, String id) {
    return new Exchange(
        id, e.startedAt(), e.durationMicros(), e.request(), e.response(), e.error(), e.tags());
  }

  /**
   * The exchanges of a recording: a file, or, when its name is a URI of another scheme, what the
   * {@link ExchangeStorage} of that scheme serves (replay does not know which).
   */
  static ExchangeSource open(Path recording, Consumer<String> warnings) {
    return ExchangeStorage.source(recording.toString(), warnings);
  }

  /** {@link ExchangeSource#hasNext()}, counting the exchanges it skipped as unreadable. */
  private boolean readNext(ExchangeSource reader) {
    long before = reader.unreadable();
    boolean more = reader.hasNext();
    unreadable.addAndGet(reader.unreadable() - before);
    return more;
  }

  /** Writes summary.json from the aggregate. */
  private ReplayResult writeSummary(Instant startedAt, boolean incomplete) {
    ReplayResult r =
        Summaries.write(
            config,
            aggregate,
            endpoints,
            startedAt,
            Instant.now(),
            incomplete,
            abortReason,
            late.get(),
            unreadable.get(),
            List.copyOf(warnings));
    return internalError == null
        ? r
        : new ReplayResult(
            r.out(),
            r.result(),
            r.latencies(),
            r.gateFailures(),
            true,
            r.abortReason(),
            r.late(),
            r.warnings(),
            internalError,
            r.gaps(),
            r.transforms());
  }

  private String preflight() {
    List<URI> targets = new ArrayList<>();
    if (config.transport() == null) {
      targets.add(config.candidate());
    }
    if (config.primary() != null) {
      targets.add(config.primary());
    }
    if (config.secondary() != null) {
      targets.add(config.secondary());
    }
    for (URI t : targets) {
      String error = Sender.preflight(t, config.connectTimeout());
      if (error != null) {
        String role =
            t == config.candidate() && config.transport() == null
                ? "candidate"
                : t == config.primary() ? "primary" : "secondary";
        return role + " unreachable: " + error;
      }
    }
    return null;
  }

  /**
   * Whether a shard replays {@code e}: by its recorded id, or, when the rules chain values within
   * sessions, by its session, so that a session's requests stay in one shard, in order.
   */
  private boolean inShard(Exchange e) {
    if (config.shard().count() == 1) {
      return true;
    }
    TransformRun run = transforms;
    String session = run.chains() ? run.sessionOf(e.request()) : null;
    return config.shard().includes(session == null ? e.id() : "session " + session);
  }

  /** What each recording says it redacted (none when its header does not say). */
  static Map<Path, Redaction> recordingRedactions(List<Path> recordings) {
    Map<Path, Redaction> out = new LinkedHashMap<>();
    for (Path r : recordings) {
      try (ExchangeSource reader = open(r, w -> {})) {
        Redaction d = reader.header().redaction();
        out.put(r, d == null ? Redaction.none() : d);
      } catch (RuntimeException e) {
        // checked before: a bad header was refused already
        out.put(r, Redaction.none());
      }
    }
    return out;
  }

  /**
   * What the recordings say they redacted, together: every output of the run (results, CSV,
   * report, samples) redacts live answers alike, on every side, before anything compares or keeps
   * them.
   */
  static Redaction recordedRedaction(List<Path> recordings) {
    return union(recordingRedactions(recordings).values());
  }

  private static Redaction union(Collection<Redaction> redactions) {
    Redaction all = Redaction.none();
    for (Redaction d : redactions) {
      all = all.plus(d); // live answers keep a token's claims as a recording did
    }
    return all;
  }

  /**
   * What {@code all} masks that {@code done} did not: headers (any case), JSON paths, query
   * parameters and patterns; tokens kept as {@code all} keeps them, for the headers left.
   */
  static Redaction unmasked(Redaction all, Redaction done) {
    List<String> headers =
        all.headers().stream()
            .filter(h -> done.headers().stream().noneMatch(h::equalsIgnoreCase))
            .toList();
    List<String> kept =
        all.jwt().headers().stream()
            .filter(h -> headers.stream().anyMatch(h::equalsIgnoreCase))
            .toList();
    return new Redaction(
        headers,
        all.jsonPaths().stream().filter(p -> !done.jsonPaths().contains(p)).toList(),
        all.queryParams().stream().filter(p -> !done.queryParams().contains(p)).toList(),
        all.patterns().stream().filter(p -> !done.patterns().contains(p)).toList(),
        all.pseudonyms(),
        kept.isEmpty() ? Redaction.Jwt.NONE : new Redaction.Jwt(kept, all.jwt().sensitiveClaims()));
  }

  private String skipReason(Exchange e, EndpointRule rule) {
    HttpRequest rq = e.request();
    if (rule.skip()) {
      return "skipped by rule " + rule.match();
    }
    if (!config.sending().allowUnsafe()
        && !SAFE_METHODS.contains(rq.method().toUpperCase(Locale.ROOT))) {
      return "unsafe method " + rq.method() + " (use --allow-unsafe to send it)";
    }
    if (e.tags().containsKey(Exchange.TAG_WEBSOCKET)) {
      return ResultLine.SKIPPED_WEBSOCKET;
    }
    if (rq.body().truncated()) {
      return "request body was truncated at capture; it cannot be replayed faithfully";
    }
    if (rq.body() instanceof Body.NotCaptured) {
      return "request body was not captured by the tool that wrote the recording; it cannot be replayed faithfully";
    }
    String cache = e.tags().get(HarImporter.TAG_FROM_CACHE);
    if (cache != null && !config.selection().includeCached()) {
      return ResultLine.SKIPPED_FROM_CACHE + " (" + cache + "); --include-cached replays it";
    }
    return null;
  }

  /**
   * Sends {@code e} to every target, each its request as the transforms prepare it, and judges the
   * answers; then hands its slot to the next exchange waiting in {@code session} (null: none), or
   * frees it. A transform that fails is an error of the exchange: nothing is sent.
   */
  private void send(
      Sender sender,
      ExecutorService compare,
      Semaphore inFlight,
      Exchange e,
      String endpoint,
      EndpointRule rule,
      String session) {
    TransformRun run = transforms;
    if (run.isEmpty()) {
      dispatch(
          sender,
          compare,
          inFlight,
          e,
          endpoint,
          rule,
          session,
          run,
          Requests.asRecorded(e.request()));
      return;
    }
    TransformRun.Prepared cp = run.prepare(e.request(), Transforms.Target.CANDIDATE, session);
    TransformRun.Prepared pp =
        config.primary() == null
            ? null
            : run.prepare(e.request(), Transforms.Target.PRIMARY, session);
    TransformRun.Prepared sp =
        config.secondary() == null
            ? null
            : run.prepare(e.request(), Transforms.Target.SECONDARY, session);
    List<String> done = new ArrayList<>();
    String failure = null;
    for (Transforms.Target t : Transforms.Target.values()) {
      TransformRun.Prepared p =
          t == Transforms.Target.CANDIDATE ? cp : t == Transforms.Target.PRIMARY ? pp : sp;
      if (p != null) {
        p.applied().forEach(a -> done.add(t.label() + " " + a));
        if (p.failure() != null && failure == null) {
          failure = ErrorCategory.TRANSFORM.label() + ": " + t.label() + ": " + p.failure();
        }
      }
    }
    if (failure != null) {
      try {
        finish(
            ExchangeJudge.unsent(e, endpoint, Verdict.CANDIDATE_ERROR, failure)
                .withTransforms(done),
            null);
      } catch (IOException | RuntimeException ex) {
        cannotWrite(e, ex);
      } finally {
        // on the compare pool: a session of many failing exchanges must not nest calls
        try {
          compare.execute(() -> next(sender, compare, inFlight, session));
        } catch (RejectedExecutionException ex) {
          release(session);
          inFlight.release();
        }
      }
      return;
    }
    dispatch(
        sender,
        compare,
        inFlight,
        e,
        endpoint,
        rule,
        session,
        run,
        new Requests(
            cp.request(),
            cp.shown(),
            pp == null ? e.request() : pp.request(),
            sp == null ? e.request() : sp.request(),
            done));
  }

  /**
   * What each target is sent, and what the transforms did.
   *
   * @param shownCandidate the candidate's request as results show it: values chained into its
   *     target left as recorded (captured values are never written)
   */
  private record Requests(
      HttpRequest candidate,
      HttpRequest shownCandidate,
      HttpRequest primary,
      HttpRequest secondary,
      List<String> done) {
    /** Every target is sent the recorded request. */
    static Requests asRecorded(HttpRequest r) {
      return new Requests(r, r, r, r, List.of());
    }
  }

  /** Sends each target its request and judges the answers (then {@link #next}). */
  private void dispatch(
      Sender sender,
      ExecutorService compare,
      Semaphore inFlight,
      Exchange e,
      String endpoint,
      EndpointRule rule,
      String session,
      TransformRun run,
      Requests q) {
    for (String name : sender.redactedNotSent(q.candidate())) {
      redactedNotSent.merge(name, 1L, Long::sum);
    }
    CompletableFuture<Sender.Attempt> cand = sendCandidate(sender, q.candidate(), e.response());
    CompletableFuture<Sender.Attempt> prim =
        config.primary() == null
            ? CompletableFuture.completedFuture(null)
            : sender.send(config.primary(), q.primary());
    CompletableFuture<Sender.Attempt> sec =
        config.secondary() == null
            ? CompletableFuture.completedFuture(null)
            : sender.send(config.secondary(), q.secondary());
    // without a primary or a secondary (the usual replay) the candidate's answer is the last one
    CompletableFuture<?> answered =
        config.primary() == null && config.secondary() == null
            ? cand
            : CompletableFuture.allOf(cand, prim, sec);
    // Judged where the last answer completes, the HTTP client's I/O thread: no hand-off to
    // another thread per exchange (a queue, a wake-up and a context switch cost more than judging
    // a matching answer). Answers that are there already (an attempt that failed at once, the
    // in-process transport) go to the pool instead, so that a session of such exchanges, each
    // sending the next from its judgement, cannot nest calls.
    BiConsumer<Object, Throwable> judgeAndNext =
        (v, t) -> {
          try {
            ResultLine line;
            ResponsesFile.Entry[] stored = new ResponsesFile.Entry[1];
            try {
              line =
                  evaluate(
                      sender, e, q, endpoint, rule, cand.join(), prim.join(), sec.join(), stored);
              if (run.capturing()) {
                List<String> all = new ArrayList<>(q.done());
                line = captured(run, e, session, line, all, stored, cand, prim, sec);
                line = line.withTransforms(all);
              } else if (!q.done().isEmpty()) {
                line = line.withTransforms(q.done());
              }
            } catch (RuntimeException | Error ex) {
              // never lose an exchange, and never count it as compared: the run ends as an
              // internal error
              internalError(ex);
              warnings.add("exchange " + e.id() + " could not be compared: " + ex);
              line = ExchangeJudge.unsent(e, endpoint, Verdict.CANDIDATE_ERROR, "internal: " + ex);
              stored[0] = null;
            }
            finish(line, stored[0]);
          } catch (IOException | RuntimeException ex) {
            cannotWrite(e, ex);
          } finally {
            next(sender, compare, inFlight, session);
          }
        };
    if (answered.isDone()) {
      answered.whenCompleteAsync(judgeAndNext, compare);
    } else {
      answered.whenComplete(
          (v, t) -> {
            if (heavy(cand, e.response()) || heavy(prim, null) || heavy(sec, null)) {
              try {
                compare.execute(() -> judgeAndNext.accept(v, t));
                return;
              } catch (RejectedExecutionException stopping) {
                // the run is ending, and the pool with it: judged on this thread, not lost
              }
            }
            judgeAndNext.accept(v, t);
          });
    }
  }

  /**
   * Answers this large are judged on the compare pool, not on the I/O thread that read them:
   * comparing megabytes of JSON can take seconds, and meanwhile the I/O thread would read no other
   * answer and complete no connection, so that other exchanges would fail with a timeout that is
   * Shadow's, not the candidate's. Smaller ones (the usual API answer) are judged where they were
   * read, without a hand-off.
   */
  static final long HEAVY_BODY = 256 << 10;

  /**
   * True when {@code attempt} is an answer whose body is over {@link #HEAVY_BODY}, unless it is
   * {@code recorded}'s body itself (a version-2 body the answer matched as it streamed in: nothing
   * left to compare).
   */
  private static boolean heavy(CompletableFuture<Sender.Attempt> attempt, HttpResponse recorded) {
    return attempt.getNow(null) instanceof Sender.Answered a
        && (recorded == null || a.response().body() != recorded.body())
        && footprint(a.response().body()) > HEAVY_BODY;
  }

  /**
   * Captures the values the transforms chain from every target that answered; a value that
   * cannot be captured makes a matching exchange an error (its later uses would fail too).
   */
  private ResultLine captured(
      TransformRun run,
      Exchange e,
      String session,
      ResultLine line,
      List<String> done,
      ResponsesFile.Entry[] stored,
      CompletableFuture<Sender.Attempt> cand,
      CompletableFuture<Sender.Attempt> prim,
      CompletableFuture<Sender.Attempt> sec) {
    ResultLine out = line;
    for (Transforms.Target t : Transforms.Target.values()) {
      Sender.Attempt a =
          (t == Transforms.Target.CANDIDATE ? cand : t == Transforms.Target.PRIMARY ? prim : sec)
              .join();
      if (a == null || !a.ok()) {
        continue; // no answer: nothing to capture, and the exchange is an error already
      }
      TransformRun.Captured c = run.capture(e, t, a.response(), session);
      c.applied().forEach(x -> done.add(t.label() + " " + x));
      for (String f : c.failures()) {
        out =
            out.withTransformFailure(ErrorCategory.TRANSFORM.label() + ": " + t.label() + ": " + f);
        stored[0] = null; // re-judging could not tell that a value was missing
      }
    }
    return out;
  }

  /**
   * True when {@code e} waits for an earlier exchange of its session, which is in flight (it is
   * sent when that one is answered); false when the session is free (and now taken by {@code e}).
   * Waits for room among the waiting exchanges, at most until {@code deadline}.
   */
  private boolean waitsForItsSession(String session, Exchange e, Item item, long deadline)
      throws InterruptedException {
    while (!waitingRoom.tryAcquire(100, TimeUnit.MILLISECONDS)) {
      if (stopRequested || abortReason != null || past(deadline)) {
        return true; // stopping: e is not sent (the loop ends at its next check)
      }
    }
    synchronized (sessions) {
      ArrayDeque<Waiting> waiting = sessions.get(session);
      if (waiting != null) {
        waiting.add(new Waiting(e, item.endpoint(), item.rule(), System.nanoTime()));
        return true;
      }
      sessions.put(session, new ArrayDeque<>());
    }
    waitingRoom.release();
    return false;
  }

  /**
   * Warns once when a session's exchanges are read out of their time order: they are sent in the
   * order read (several recordings are read one after another, not merged by time).
   */
  private void checkOrder(String session, Exchange e, int pass) {
    if (e.startedAt() == null || toldOutOfOrder) {
      return;
    }
    Instant last = lastStarted.put(session + "\u0000" + pass, e.startedAt());
    if (last != null && e.startedAt().isBefore(last)) {
      toldOutOfOrder = true;
      warnings.add(
          "exchange "
              + e.id()
              + " started before the exchange read before it in its session: chained values go"
              + " in the order the recordings are read (one after another), so give them in time"
              + " order (or as one recording)");
    }
  }

  /** Frees {@code session} (null: none) when the exchange that took it was not sent after all. */
  private void release(String session) {
    if (session == null) {
      return;
    }
    synchronized (sessions) {
      ArrayDeque<Waiting> waiting = sessions.remove(session);
      if (waiting != null) {
        waitingRoom.release(waiting.size());
        notSentFromSessions.addAndGet(waiting.size());
      }
    }
  }

  /**
   * After an exchange of {@code session} was answered and written: its slot goes to the next
   * exchange waiting in that session, or back to the pool. A stopped run sends no more.
   */
  private void next(Sender sender, ExecutorService compare, Semaphore inFlight, String session) {
    Waiting next = null;
    if (session != null) {
      synchronized (sessions) {
        ArrayDeque<Waiting> waiting = sessions.get(session);
        if (waiting != null) {
          next = waiting.poll();
          if (next == null) {
            sessions.remove(session);
          } else {
            waitingRoom.release();
          }
        }
      }
    }
    Instant end = endsAt;
    if (next != null
        && (stopRequested
            || abortReason != null
            || internalError != null
            || end != null && Instant.now().isAfter(end))) {
      notSentFromSessions.incrementAndGet(); // taken from its queue: release counts the rest
      release(session); // what waits is not sent, like what was not read yet
      next = null;
    }
    if (next == null) {
      ReadAhead<Item> queue = relayed;
      if (queue == null || session != null) {
        inFlight.release();
        return;
      }
      try {
        relay(queue, sender, compare, inFlight, relayDeadline, false);
      } catch (Exception | Error ex) {
        // a bug (without waiting, nothing else is thrown): the run stops, incomplete
        internalError(ex);
        inFlight.release();
      }
      return;
    }
    if (!(config.sending().pacing() instanceof Pacing.AsFastAsPossible)
        && !(config.sending().pacing() instanceof Pacing.Speed
            && next.exchange().startedAt() == null)
        && System.nanoTime() - next.since() > LATE_AFTER_NANOS) {
      late.incrementAndGet(); // it waited for its session: not sent at its time
    }
    try {
      send(sender, compare, inFlight, next.exchange(), next.endpoint(), next.rule(), session);
    } catch (RuntimeException | Error ex) {
      internalError(ex);
      inFlight.release();
    }
  }

  /** Waits for a free slot, but not past {@code deadline} nor a stop; false when none came. */
  private boolean acquireSlot(Semaphore inFlight, long deadline) throws InterruptedException {
    while (!stopRequested && abortReason == null && !past(deadline)) {
      if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Holding a slot of {@code inFlight}: sends the next exchange of {@code queue} with it (writing
   * skipped ones on the way), and returns true; or gives the slot back and returns false when the
   * queue is empty ({@code wait} false: the sending thread takes the slot again), has ended, or
   * the run stops. {@code wait}: wait for the reader (the sending thread); else take only what is
   * there (the thread that judged an exchange and holds its slot). The end of the recordings is
   * left in the queue for the sending thread, which ends the run on it.
   */
  private boolean relay(
      ReadAhead<Item> queue,
      Sender sender,
      ExecutorService compare,
      Semaphore inFlight,
      long deadline,
      boolean wait)
      throws InterruptedException, IOException {
    while (true) {
      if (stopRequested || abortReason != null || past(deadline)) {
        inFlight.release(); // what was not sent is not counted, as in the sending loop
        return false;
      }
      Item item = wait ? queue.poll(100, TimeUnit.MILLISECONDS) : queue.poll();
      if (item == null && wait) {
        continue;
      }
      if (item == null || item == Item.END) {
        if (item == Item.END && !wait) {
          // room: it was just taken, and the reader adds nothing after it
          queue.offerByCount(Item.END, 0, TimeUnit.NANOSECONDS);
        }
        inFlight.release();
        return false;
      }
      if (item.skip() != null) {
        try {
          finish(
              ExchangeJudge.unsent(item.exchange(), item.endpoint(), Verdict.SKIPPED, item.skip()),
              null);
        } catch (IOException | RuntimeException ex) {
          if (wait) {
            throw ex; // the sending thread's loop ends the run on it, as it does unrelayed
          }
          cannotWrite(item.exchange(), ex);
          inFlight.release();
          return false;
        }
        continue;
      }
      send(sender, compare, inFlight, item.exchange(), item.endpoint(), item.rule(), null);
      return true;
    }
  }

  /**
   * Waits until every slot is back (nothing in flight, nothing waiting in a session); false when
   * no exchange finished for {@code waitMs}.
   */
  private boolean drained(Semaphore inFlight, long waitMs) throws InterruptedException {
    long lastDone = done.get();
    long lastProgress = System.nanoTime();
    while (!inFlight.tryAcquire(config.concurrency(), 100, TimeUnit.MILLISECONDS)) {
      long d = done.get();
      if (d != lastDone) {
        lastDone = d;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > waitMs * 1_000_000L) {
        return false;
      }
    }
    inFlight.release(config.concurrency());
    return true;
  }

  /**
   * How far timestamps move ({@code shiftTime}): now minus the first exchange's start, in whole
   * seconds, so that every timestamp of a request moves alike whatever its precision.
   */
  private static Duration timeOffset(Exchange first) {
    return first.startedAt() == null
        ? Duration.ZERO
        : Duration.between(first.startedAt(), Instant.now()).truncatedTo(ChronoUnit.SECONDS);
  }

  private ResultLine evaluate(
      Sender sender,
      Exchange e,
      Requests q,
      String endpoint,
      EndpointRule rule,
      Sender.Attempt candAttempt,
      Sender.Attempt primAttempt,
      Sender.Attempt secAttempt,
      ResponsesFile.Entry[] stored) {
    for (Sender.Attempt a : new Sender.Attempt[] {candAttempt, primAttempt, secAttempt}) {
      if (a instanceof Sender.Failed f && f.category() == ErrorCategory.INTERNAL) {
        internalError(
            new IllegalStateException(
                a.error())); // the client itself stopped: nothing more can be sent
      }
    }
    if (!candAttempt.ok()) {
      // nothing listens, or TLS fails on every connection (an untrusted certificate, a client
      // certificate refused): every further exchange would fail alike
      if (candAttempt instanceof Sender.Failed f
          && (f.category() == ErrorCategory.REFUSED || f.category() == ErrorCategory.TLS)
          && candidateSuccesses.get() == 0
          && refusedInARow.incrementAndGet() >= UNREACHABLE_AFTER) {
        abortReason =
            "candidate unreachable: "
                + UNREACHABLE_AFTER
                + (f.category() == ErrorCategory.TLS
                    ? " TLS failures in a row, none answered ("
                    : " connections refused in a row (")
                + candAttempt.error()
                + ")";
      }
    } else {
      candidateSuccesses.incrementAndGet();
      refusedInARow.set(0);
      HttpResponse baseline =
          primAttempt != null && primAttempt.ok() ? primAttempt.response() : e.response();
      int cs = candAttempt.response().status();
      if (cs == 401) {
        candidateUnauthorized.incrementAndGet();
      }
      if (baseline != null && baseline.status() == 401) {
        baselineUnauthorized.incrementAndGet();
      }
      if ((cs == 401 || cs == 403)
          && baseline != null
          && baseline.status() != 401
          && baseline.status() != 403) {
        candidateDenied.incrementAndGet();
      }
    }
    ExchangeJudge.Judged j =
        judge.judge(
            e,
            q.shownCandidate(),
            endpoint,
            rule,
            answer(candAttempt),
            answer(primAttempt),
            answer(secAttempt),
            new ExchangeJudge.Origins(
                config.primary() == null
                    ? Origin.NONE
                    : judge.origin(
                        config.primary(), sender.hostSent(config.primary(), q.primary())),
                judge.origin(
                    config.candidate(), sender.hostSent(config.candidate(), q.shownCandidate())),
                config.secondary() == null
                    ? null
                    : judge.origin(
                        config.secondary(), sender.hostSent(config.secondary(), q.secondary()))));
    stored[0] = j.stored();
    return j.line();
  }

  /** A target's attempt as the judge reads it; null (no such target) stays null. */
  static ExchangeJudge.Answer answer(Sender.Attempt a) {
    if (a == null) {
      return null;
    }
    return a.ok()
        ? ExchangeJudge.Answer.of(a.response(), a.micros())
        : ExchangeJudge.Answer.failed(a.error());
  }

  private void finish(ResultLine line, ResponsesFile.Entry stored) throws IOException {
    writer.write(line, stored);
    ExchangeSource source = tracked;
    if (source != null) {
      source.done(line.id()); // written: the source may confirm it at its next checkpoint
    }
    done.incrementAndGet();
    if (line.verdict() == Verdict.DIFFERENT) {
      discrepant.incrementAndGet();
    }
    try {
      listener.judged(line.id(), line.endpoint(), line.verdict().name());
    } catch (RuntimeException e) {
      // a listener never breaks a run
    }
  }

  private Thread progressTicker(ShadowListener progress, AtomicLong total, long t0) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(500);
                  double elapsed = (System.nanoTime() - t0) / 1e9;
                  progress.progress(
                      done.get(),
                      total.get(),
                      discrepant.get(),
                      done.get() / Math.max(elapsed, 1e-9));
                }
              } catch (InterruptedException e) {
                // done
              }
            },
            "shadow-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Paces sends: as fast as possible, at a constant rate, or at the recording's own speed. A
   * constant rate goes on across passes. At the recording's speed each pass replays the
   * recording's timing again, and lasts its span (its first exchange to its last) and one gap
   * more: the mean gap between its exchanges, or {@link #PASS_GAP_WITHOUT_SPAN} when they share
   * one time (one exchange, equal timestamps, none); both scaled by the speed. So the next pass
   * starts one gap after the last exchange of the pass before was due, as the recording would go
   * on, and a recording of one exchange is not sent as fast as possible. Exchanges without a
   * time are due with the timed one before them (at once in the first pass, as before).
   */
  private static final class Pacer {
    /** The recording time between passes whose exchanges all share one time. */
    static final long PASS_GAP_WITHOUT_SPAN = TimeUnit.SECONDS.toNanos(1);

    private final Pacing pacing;
    private final long deadline;
    private long start = -1;
    private long count;
    private Instant firstStarted;
    private boolean wasLate;
    private int pass = 1;

    /** The latest recorded offset from the pass's first exchange so far (recording time). */
    private long spanNanos;

    /** Exchanges of the pass with a recorded time, paced by it. */
    private long timed;

    /** {@code deadline}: a nanoTime no wait goes past ({@code --duration}), or NO_DEADLINE. */
    Pacer(Pacing pacing, long deadline) {
      this.pacing = pacing;
      this.deadline = deadline;
    }

    /** Waits until {@code e} of pass {@code pass} is due; false when the deadline came first. */
    boolean await(Exchange e, int pass) {
      wasLate = false;
      if (pacing instanceof Pacing.AsFastAsPossible) {
        return true;
      }
      long now = System.nanoTime();
      if (start < 0) {
        start = now;
        firstStarted = e.startedAt();
      } else if (pass != this.pass && pacing instanceof Pacing.Speed s) {
        // the last pass lasted its span and one gap, at the speed
        start += (long) ((spanNanos + gapNanos()) / s.factor());
        firstStarted = e.startedAt();
        spanNanos = 0;
        timed = 0;
      }
      this.pass = pass;
      long due;
      if (pacing instanceof Pacing.Rate r) {
        due = start + (long) (count * 1e9 / r.perSecond());
      } else {
        Pacing.Speed s = (Pacing.Speed) pacing;
        if (e.startedAt() == null || firstStarted == null) {
          long withTheOneBefore = start + (long) (spanNanos / s.factor());
          due = withTheOneBefore - now > 0 ? withTheOneBefore : now; // never late
        } else {
          long offsetNanos = Math.max(0, Duration.between(firstStarted, e.startedAt()).toNanos());
          spanNanos = Math.max(spanNanos, offsetNanos);
          timed++;
          due = start + (long) (offsetNanos / s.factor());
        }
      }
      count++;
      long wait = due - now;
      if (wait > 0) {
        if (deadline != NO_DEADLINE && due - deadline > 0) {
          sleepUntil(deadline);
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      } else if (wait < -LATE_AFTER_NANOS) {
        wasLate = true; // more than 10 ms behind schedule
      }
      return true;
    }

    /** The gap after the pass so far: the mean gap between its timed exchanges, or 1 s. */
    private long gapNanos() {
      return timed > 1 && spanNanos > 0 ? spanNanos / (timed - 1) : PASS_GAP_WITHOUT_SPAN;
    }

    private static void sleepUntil(long deadline) {
      long wait = deadline - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      }
    }

    boolean wasLate() {
      return wasLate;
    }
  }
}
