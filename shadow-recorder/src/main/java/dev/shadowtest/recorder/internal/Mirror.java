package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Outcome;
import dev.shadowtest.diff.ResponseDiff;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.RunOutputs;
import dev.shadowtest.diff.run.RunView;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.SummaryJson;
import dev.shadowtest.http.Sender;
import dev.shadowtest.recorder.DropReason;
import dev.shadowtest.recorder.RecorderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The live shadow: each recorded request is sent again to the candidate after the live response
 * went out; the candidate's answer is compared with the legacy one (both redacted, so secrets
 * never reach the results) and streamed to a run directory, whose summary, CSV and report are
 * written at stop. At most {@value #IN_FLIGHT} copies are in flight; beyond, copies are dropped
 * and counted: the mirror never holds the live traffic back.
 */
public final class Mirror {

  static final int IN_FLIGHT = 64;
  static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private final RecorderConfig config;
  private final Counters counters;
  private final Redactor redactor;
  private final Sender sender;
  private final Semaphore permits = new Semaphore(IN_FLIGHT);
  private final Rules rules;
  private final DiffEngine engine;
  private final Endpoints endpoints;
  private final RunAggregate aggregate = new RunAggregate();
  private final ResultsFile results;
  private final SamplesFile samples;
  private final Instant startedAt = Instant.now();

  public Mirror(RecorderConfig config, Counters counters, Redactor redactor) throws IOException {
    this.config = config;
    this.counters = counters;
    this.redactor = redactor;
    this.rules = config.mirroring().rules();
    this.engine = DiffEngine.of(rules);
    this.endpoints = new Endpoints(rules);
    Files.createDirectories(config.mirrorOut());
    RunDirectory.writeRules(config.mirrorOut(), rules);
    this.results = ResultsFile.create(config.mirrorOut().resolve(RunDirectory.RESULTS));
    this.samples = SamplesFile.create(config.mirrorOut(), redactor.description().headers());
    this.sender =
        new Sender(
            IN_FLIGHT, config.connectTimeout(), config.responseTimeout(), Headers.empty(), false);
  }

  /** Sends a copy of {@code original}'s request; {@code redacted} is what may be kept. */
  public void offer(Exchange original, Exchange redacted) {
    if (original.response() == null || original.request().body().truncated()) {
      return; // nothing to compare with, or a request that cannot be sent again faithfully
    }
    // named from the redacted target: a secret in a path never reaches the run directory
    String named = endpoints.of(redacted.request().method(), redacted.request().target());
    EndpointRule rule = engine.ruleFor(redacted.request());
    String skip =
        rule.skip()
            ? "skipped by rule " + rule.match()
            : !SAFE.contains(original.request().method().toUpperCase(Locale.ROOT))
                ? "unsafe method "
                    + original.request().method()
                    + " (the live mirror never sends one: a copy would change the candidate's state)"
                : null;
    if (skip != null) {
      // recorded but not mirrored: a SKIPPED line, as a replay writes one, not a lost exchange
      ResultLine line =
          ResultLine.of(
              redacted,
              named,
              Verdict.SKIPPED,
              null,
              null,
              null,
              null,
              skip,
              null,
              List.of(),
              null);
      try {
        results.write(line);
        aggregate.add(line);
      } catch (IOException | RuntimeException e) {
        counters.drop(DropReason.MIRROR_WRITE_ERROR);
      }
      return;
    }
    if (!permits.tryAcquire()) {
      counters.mirrorErrors.increment();
      counters.drop(DropReason.MIRROR_BUSY);
      return;
    }
    String endpoint = named;
    sender
        .send(config.mirror(), original.request())
        .whenComplete(
            (attempt, failure) -> {
              try {
                ResultLine line;
                if (failure != null || attempt == null || !attempt.ok()) {
                  counters.mirrorErrors.increment();
                  String why =
                      failure != null
                          ? "internal: " + failure
                          : attempt == null ? "no attempt" : attempt.error();
                  line =
                      ResultLine.of(
                          redacted,
                          endpoint,
                          Verdict.CANDIDATE_ERROR,
                          null,
                          null,
                          null,
                          null,
                          why,
                          null,
                          List.of(),
                          null);
                } else {
                  counters.mirrored.increment();
                  Exchange cand = redactor.apply(redacted.withResponse(attempt.response()));
                  // the legacy answer was built under the upstream's address, the copy under the
                  // candidate's
                  Origin live =
                      Origin.of(
                          config.upstream(),
                          original.request().headers().first("Host").orElse(null));
                  Origin candidate =
                      Origin.of(
                          config.mirror(), sender.hostSent(config.mirror(), original.request()));
                  ResponseDiff diff =
                      engine.compare(redacted.response(), live, cand.response(), candidate, rule);
                  Outcome o = Outcome.compared(diff, null, attempt.response().status());
                  if (o.verdict() != Verdict.MATCH) {
                    samples.offer(
                        endpoint,
                        o.verdict(),
                        redacted,
                        "recorded",
                        redacted.response(),
                        cand.response());
                  }
                  line =
                      ResultLine.of(
                          redacted,
                          endpoint,
                          o.verdict(),
                          null,
                          null,
                          attempt.response().status(),
                          attempt.micros(),
                          null,
                          o,
                          diff.notes(),
                          null);
                }
                results.write(line);
                aggregate.add(line);
                try {
                  counters.listener.judged(line.id(), line.endpoint(), line.verdict().name());
                } catch (RuntimeException e) {
                  // a listener never breaks the mirror
                }
              } catch (IOException | RuntimeException e) {
                counters.drop(DropReason.MIRROR_WRITE_ERROR);
              } finally {
                permits.release();
              }
            });
  }

  /**
   * On rotation of the recording: the summary of what was compared so far (marked incomplete,
   * since the live shadow goes on); the CSV and report come at stop.
   */
  public void checkpoint(Path rotated) {
    try {
      RunOutputs.writeSummary(
          view(
              List.of(rotated.toString()),
              true,
              "live shadow in progress (checkpoint at " + rotated.getFileName() + ")"));
    } catch (RuntimeException e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
    }
  }

  /** What the run directory's outputs are written from, as of now. */
  private RunView view(List<String> recordings, boolean incomplete, String abortReason) {
    RunAggregate.Collapsed c = aggregate.collapse(endpoints, rules.noiseModel());
    SummaryJson.Meta meta =
        new SummaryJson.Meta(
            startedAt,
            Instant.now(),
            recordings,
            config.mirror().toString(),
            null,
            null,
            null,
            incomplete,
            abortReason,
            0);
    Gate gate = Gate.defaults();
    Function<String, Double> thresholds = Gate.thresholds(rules);
    return new RunView(
        config.mirrorOut(),
        config.mirrorOut(),
        meta,
        c,
        gate,
        SummaryJson.failuresOf(meta, gate.failures(c.result(), thresholds, c.p99Ratios())),
        rules,
        thresholds);
  }

  /** Waits for copies in flight, then writes the run directory (its outputs, the summary last). */
  public void close(long millis, List<Path> recordings) throws InterruptedException {
    boolean all = permits.tryAcquire(IN_FLIGHT, millis, TimeUnit.MILLISECONDS);
    sender.close();
    try {
      results.close();
      samples.close();
      RunView view =
          view(
              recordings.isEmpty()
                  ? List.of(config.out())
                  : recordings.stream().map(Path::toString).toList(),
              !all,
              all ? null : "stopped with mirror copies in flight");
      List<RunOutput> outputs = new ArrayList<>(config.mirroring().outputs());
      outputs.add(RunOutputs.summary());
      RunOutputs.write(view, config.mirrorOut().resolve(RunDirectory.RESULTS), outputs);
    } catch (IOException | RuntimeException e) {
      counters.drop(DropReason.MIRROR_REPORT_ERROR);
    }
  }
}
