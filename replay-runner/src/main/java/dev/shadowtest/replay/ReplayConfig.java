package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.BaseUrls;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.RedactionKey;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.ResponsesFile;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.http.Connections;
import dev.shadowtest.http.Sender;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a replay needs, in small groups: where requests go ({@link Targets}), how they are
 * sent ({@link Sending}), which exchanges of the recordings ({@link Selection}), and what the run
 * keeps ({@link Keeping}). Immutable; one way to build it: {@link #of}, then {@code with...} (one
 * per setting, and one per group).
 *
 * <pre>{@code
 * ReplayConfig c = ReplayConfig.of(List.of(Path.of("nightly.jsonl.gz")), URI.create("http://127.0.0.1:8080"), Path.of("out"))
 *     .withConcurrency(32).withRules(Rules.load(Path.of("shadow-rules.yaml")));
 * }</pre>
 *
 * @param recordings   recordings replayed in order (files, or locations another exchange storage
 *                     serves)
 * @param out          the run directory (docs/run-format.md)
 * @param targets      where requests go
 * @param rules        comparison rules
 * @param gate         thresholds deciding pass or fail
 * @param sending      how requests are sent
 * @param selection    which exchanges of the recordings are replayed
 * @param keeping      what the run keeps and writes
 * @param redactionKey the recorder's HMAC key, when the recordings hold pseudonyms: live answers
 *                     are redacted with it alike; null to mask live values with {@code [REDACTED]}
 */
public record ReplayConfig(
    List<Path> recordings,
    Path out,
    Targets targets,
    Rules rules,
    Gate gate,
    Sending sending,
    Selection selection,
    Keeping keeping,
    RedactionKey redactionKey) {

  /** The most warm-up requests a run sends. */
  public static final int MAX_WARMUP = 100_000;

  /**
   * Where requests go.
   *
   * @param candidate    the new system's base URL (with a transport, the base URL the application
   *                     believes it serves, e.g. {@code http://localhost})
   * @param primary      a legacy instance to compare against instead of the recorded responses,
   *                     or null
   * @param secondary    a second legacy instance whose differences from the baseline are noise:
   *                     from the primary's answer, or, without a primary, from the recorded one;
   *                     or null
   * @param transport    sends the candidate's requests in-process instead of over HTTP (e.g.
   *                     Spring's MockMvc), or null
   * @param extraHeaders headers added to (or replacing those of) every request, e.g. auth for the
   *                     candidate
   * @param keepHost     send the recorded Host header instead of the target's authority
   */
  public record Targets(
      URI candidate,
      URI primary,
      URI secondary,
      Transport transport,
      Headers extraHeaders,
      boolean keepHost) {
    public Targets {
      Objects.requireNonNull(candidate, "candidate");
      BaseUrls.requireHttp(candidate, "candidate");
      if (primary != null) {
        BaseUrls.requireHttp(primary, "primary");
      }
      if (secondary != null) {
        BaseUrls.requireHttp(secondary, "secondary");
      }
      Objects.requireNonNull(extraHeaders, "extraHeaders");
    }

    /** The candidate alone, over HTTP. */
    public static Targets of(URI candidate) {
      return new Targets(candidate, null, null, null, Headers.empty(), false);
    }
  }

  /**
   * How requests are sent.
   *
   * @param concurrency     requests in flight at most (per target)
   * @param pacing          when requests are sent
   * @param connectTimeout  TCP connect timeout
   * @param responseTimeout time to wait for a whole response
   * @param maxBody         response body bytes kept per target and exchange; beyond, the rest is
   *                        drained and only its size counted (the body is compared as truncated)
   * @param allowUnsafe     also send methods other than GET, HEAD, OPTIONS
   * @param warmup          safe requests from the start of the recordings sent once to every
   *                        target before the measured replay, answers discarded (a JVM's first
   *                        requests are slow, and a latency gate must not judge them); 0 for none
   * @param connections     TLS trust, client certificate and HTTP version, for every target
   */
  public record Sending(
      int concurrency,
      Pacing pacing,
      Duration connectTimeout,
      Duration responseTimeout,
      int maxBody,
      boolean allowUnsafe,
      int warmup,
      Connections connections) {
    public Sending {
      if (concurrency < 1 || concurrency > 10_000) {
        throw new BadInputException("concurrency must be between 1 and 10000, got " + concurrency);
      }
      Objects.requireNonNull(pacing, "pacing");
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      Objects.requireNonNull(responseTimeout, "responseTimeout");
      if (maxBody < 1 || maxBody > 1 << 30) {
        throw new BadInputException("--max-body must be between 1 byte and 1 GiB, got " + maxBody);
      }
      if (warmup < 0 || warmup > MAX_WARMUP) {
        throw new BadInputException(
            "--warmup must be between 0 and " + MAX_WARMUP + " requests, got " + warmup);
      }
      Objects.requireNonNull(connections, "connections");
    }

    /**
     * 16 in flight, as fast as possible, 5 s to connect, 30 s per response, 10 MiB bodies, the
     * JDK's trust, HTTP/1.1.
     */
    public static Sending defaults() {
      return new Sending(
          16,
          Pacing.asFastAsPossible(),
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Sender.DEFAULT_MAX_BODY,
          false,
          0,
          Connections.defaults());
    }
  }

  /**
   * Which exchanges of the recordings are replayed.
   *
   * @param shard         which part of the recordings this run replays
   * @param includeCached also replay exchanges a HAR import tagged {@code import.fromCache} (the
   *                      browser served them from its cache; by default skipped and counted)
   * @param skipBadLines  accept recordings with unreadable lines (skipped and counted either way);
   *                      otherwise a run that met one is incomplete and its gate fails
   * @param passes        how many times the recordings are replayed (soak runs)
   */
  public record Selection(Shard shard, boolean includeCached, boolean skipBadLines, Passes passes) {
    public Selection {
      Objects.requireNonNull(shard, "shard");
      Objects.requireNonNull(passes, "passes");
    }

    public static Selection all() {
      return new Selection(Shard.ALL, false, false, Passes.once());
    }
  }

  /**
   * What the run keeps and writes.
   *
   * @param overwrite     replace the outputs of an earlier run in {@code out} (otherwise such a
   *                      directory is refused: a run is never overwritten by accident)
   * @param rejudgeBudget bytes of compared responses kept (pseudonymised, before compression) so
   *                      that {@code shadow report --rules} can judge the run again without
   *                      replaying; 0 keeps none
   * @param outputs       outputs written from the results once the run is judged, before
   *                      summary.json (the CLI's CSV and HTML; a format of one's own); single-use
   */
  public record Keeping(boolean overwrite, long rejudgeBudget, List<RunOutput> outputs) {
    public Keeping {
      if (rejudgeBudget < 0) {
        throw new BadInputException("--rejudge-budget must be 0 or more, got " + rejudgeBudget);
      }
      outputs = List.copyOf(outputs);
    }

    public static Keeping defaults() {
      return new Keeping(false, ResponsesFile.DEFAULT_BUDGET, List.of());
    }
  }

  public ReplayConfig {
    recordings = List.copyOf(recordings);
    if (recordings.isEmpty()) {
      throw new BadInputException("at least one recording is needed");
    }
    Set<Path> seen = new HashSet<>();
    for (Path r : recordings) {
      if (!seen.add(same(r))) {
        // its exchanges would be sent and counted twice, under the same ids
        throw new BadInputException(r + ": the same recording is given twice");
      }
    }
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(sending, "sending");
    Objects.requireNonNull(selection, "selection");
    Objects.requireNonNull(keeping, "keeping");
  }

  /** A recording's file as itself, however named (links, "..", relative); other names as given. */
  private static Path same(Path recording) {
    try {
      return recording.toRealPath();
    } catch (IOException | RuntimeException e) {
      return recording.toAbsolutePath().normalize(); // not a file (yet): reported when read
    }
  }

  /** The defaults for replaying {@code recordings} against {@code candidate} into {@code out}. */
  public static ReplayConfig of(List<Path> recordings, URI candidate, Path out) {
    return new ReplayConfig(
        recordings,
        out,
        Targets.of(candidate),
        Rules.defaults(),
        Gate.defaults(),
        Sending.defaults(),
        Selection.all(),
        Keeping.defaults(),
        null);
  }

  // ---- groups ------------------------------------------------------------------------------

  public ReplayConfig withTargets(Targets t) {
    return new ReplayConfig(
        recordings, out, t, rules, gate, sending, selection, keeping, redactionKey);
  }

  public ReplayConfig withSending(Sending s) {
    return new ReplayConfig(
        recordings, out, targets, rules, gate, s, selection, keeping, redactionKey);
  }

  public ReplayConfig withSelection(Selection s) {
    return new ReplayConfig(
        recordings, out, targets, rules, gate, sending, s, keeping, redactionKey);
  }

  public ReplayConfig withKeeping(Keeping k) {
    return new ReplayConfig(
        recordings, out, targets, rules, gate, sending, selection, k, redactionKey);
  }

  public ReplayConfig withRules(Rules r) {
    return new ReplayConfig(
        recordings, out, targets, r, gate, sending, selection, keeping, redactionKey);
  }

  public ReplayConfig withGate(Gate g) {
    return new ReplayConfig(
        recordings, out, targets, rules, g, sending, selection, keeping, redactionKey);
  }

  public ReplayConfig withRedactionKey(RedactionKey key) {
    return new ReplayConfig(
        recordings, out, targets, rules, gate, sending, selection, keeping, key);
  }

  // ---- one setting at a time ---------------------------------------------------------------

  public ReplayConfig withPrimary(URI p, URI s) {
    Targets t = targets;
    return withTargets(
        new Targets(t.candidate(), p, s, t.transport(), t.extraHeaders(), t.keepHost()));
  }

  public ReplayConfig withTransport(Transport transport) {
    Targets t = targets;
    return withTargets(
        new Targets(
            t.candidate(), t.primary(), t.secondary(), transport, t.extraHeaders(), t.keepHost()));
  }

  public ReplayConfig withExtraHeaders(Headers h) {
    Targets t = targets;
    return withTargets(
        new Targets(t.candidate(), t.primary(), t.secondary(), t.transport(), h, t.keepHost()));
  }

  public ReplayConfig withKeepHost(boolean on) {
    Targets t = targets;
    return withTargets(
        new Targets(
            t.candidate(), t.primary(), t.secondary(), t.transport(), t.extraHeaders(), on));
  }

  public ReplayConfig withConcurrency(int n) {
    Sending s = sending;
    return withSending(
        new Sending(
            n,
            s.pacing(),
            s.connectTimeout(),
            s.responseTimeout(),
            s.maxBody(),
            s.allowUnsafe(),
            s.warmup(),
            s.connections()));
  }

  public ReplayConfig withPacing(Pacing p) {
    Sending s = sending;
    return withSending(
        new Sending(
            s.concurrency(),
            p,
            s.connectTimeout(),
            s.responseTimeout(),
            s.maxBody(),
            s.allowUnsafe(),
            s.warmup(),
            s.connections()));
  }

  public ReplayConfig withTimeouts(Duration connect, Duration response) {
    Sending s = sending;
    return withSending(
        new Sending(
            s.concurrency(),
            s.pacing(),
            connect,
            response,
            s.maxBody(),
            s.allowUnsafe(),
            s.warmup(),
            s.connections()));
  }

  public ReplayConfig withMaxBody(int bytes) {
    Sending s = sending;
    return withSending(
        new Sending(
            s.concurrency(),
            s.pacing(),
            s.connectTimeout(),
            s.responseTimeout(),
            bytes,
            s.allowUnsafe(),
            s.warmup(),
            s.connections()));
  }

  public ReplayConfig withAllowUnsafe(boolean on) {
    Sending s = sending;
    return withSending(
        new Sending(
            s.concurrency(),
            s.pacing(),
            s.connectTimeout(),
            s.responseTimeout(),
            s.maxBody(),
            on,
            s.warmup(),
            s.connections()));
  }

  public ReplayConfig withWarmup(int requests) {
    Sending s = sending;
    return withSending(
        new Sending(
            s.concurrency(),
            s.pacing(),
            s.connectTimeout(),
            s.responseTimeout(),
            s.maxBody(),
            s.allowUnsafe(),
            requests,
            s.connections()));
  }

  /** TLS trust, client certificate and HTTP version for every target. */
  public ReplayConfig withConnections(Connections c) {
    Sending s = sending;
    return withSending(
        new Sending(
            s.concurrency(),
            s.pacing(),
            s.connectTimeout(),
            s.responseTimeout(),
            s.maxBody(),
            s.allowUnsafe(),
            s.warmup(),
            c));
  }

  public ReplayConfig withShard(Shard shard) {
    Selection s = selection;
    return withSelection(new Selection(shard, s.includeCached(), s.skipBadLines(), s.passes()));
  }

  public ReplayConfig withIncludeCached(boolean on) {
    Selection s = selection;
    return withSelection(new Selection(s.shard(), on, s.skipBadLines(), s.passes()));
  }

  public ReplayConfig withSkipBadLines(boolean on) {
    Selection s = selection;
    return withSelection(new Selection(s.shard(), s.includeCached(), on, s.passes()));
  }

  /** Replays the recordings more than once ({@code --loop}, {@code --duration}). */
  public ReplayConfig withPasses(Passes p) {
    Selection s = selection;
    return withSelection(new Selection(s.shard(), s.includeCached(), s.skipBadLines(), p));
  }

  public ReplayConfig withOverwrite(boolean on) {
    return withKeeping(new Keeping(on, keeping.rejudgeBudget(), keeping.outputs()));
  }

  public ReplayConfig withRejudgeBudget(long bytes) {
    return withKeeping(new Keeping(keeping.overwrite(), bytes, keeping.outputs()));
  }

  public ReplayConfig withOutputs(List<RunOutput> o) {
    return withKeeping(new Keeping(keeping.overwrite(), keeping.rejudgeBudget(), o));
  }

  // ---- reading -----------------------------------------------------------------------------

  public URI candidate() {
    return targets.candidate();
  }

  public URI primary() {
    return targets.primary();
  }

  public URI secondary() {
    return targets.secondary();
  }

  public Transport transport() {
    return targets.transport();
  }

  public int concurrency() {
    return sending.concurrency();
  }

  public Duration connectTimeout() {
    return sending.connectTimeout();
  }

  public Duration responseTimeout() {
    return sending.responseTimeout();
  }

  public int maxBody() {
    return sending.maxBody();
  }

  public Shard shard() {
    return selection.shard();
  }

  public Passes passes() {
    return selection.passes();
  }

  /** How messages name the candidate: its URL, or the transport that reaches it. */
  public String candidateDescription() {
    return targets.transport() == null
        ? targets.candidate().toString()
        : targets.transport().description();
  }
}
