package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.BaseUrls;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.RedactionKey;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.ResponsesFile;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.http.Sender;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a replay needs. Immutable; start from {@link #of} and change with {@code with...}.
 *
 * <pre>{@code
 * ReplayConfig c = ReplayConfig.of(List.of(Path.of("nightly.jsonl.gz")), URI.create("http://127.0.0.1:8080"), Path.of("out"))
 *     .withConcurrency(32).withRules(Rules.load(Path.of("shadow-rules.yaml")));
 * }</pre>
 *
 * @param recordings       recordings replayed in order
 * @param candidate        the new system's base URL
 * @param primary          a legacy instance to compare against instead of the recorded responses, or null
 * @param secondary        a second legacy instance; differences between primary and secondary are noise, or null
 * @param out              the run directory (results.jsonl.gz, summary.json)
 * @param rules            comparison rules
 * @param concurrency      requests in flight at most (per target)
 * @param pacing           when requests are sent
 * @param allowUnsafe      also send methods other than GET, HEAD, OPTIONS
 * @param shard            which part of the recording this run replays
 * @param extraHeaders     headers added to (or replacing those of) every request, e.g. auth for the candidate
 * @param keepHost         send the recorded Host header instead of the target's authority
 * @param connectTimeout   TCP connect timeout
 * @param responseTimeout  time to wait for a response
 * @param gate             thresholds deciding pass or fail
 * @param overwrite        replace the outputs of an earlier run in {@code out} (otherwise such a
 *                         directory is refused: a run is never overwritten by accident)
 * @param maxBody          response body bytes kept per target and exchange; beyond, the rest is
 *                         drained and only its size counted (the body is compared as truncated)
 * @param redactionKey     the recorder's HMAC key, when the recordings hold pseudonyms: live answers
 *                         are redacted with it alike; null to mask live values with {@code [REDACTED]}
 * @param skipBadLines     accept recordings with unreadable lines (skipped and counted either way);
 *                         otherwise a run that met one is incomplete and its gate fails
 * @param warmup           safe requests (GET, HEAD, OPTIONS, not skipped) from the start of the
 *                         recordings sent once to every target before the measured replay, their
 *                         answers discarded: a JVM's first requests are slow, and a latency gate
 *                         must not judge them; 0 for none
 * @param transport        sends the candidate's requests in-process instead of over HTTP (e.g.
 *                         Spring's MockMvc), or null; {@code candidate} is then the base URL the
 *                         application believes it serves (e.g. {@code http://localhost})
 * @param includeCached    also replay exchanges a HAR import tagged {@code import.fromCache}: the
 *                         browser served them from its cache, they never reached the server, so by
 *                         default they are skipped (and counted)
 * @param rejudgeBudget    bytes of compared responses the run keeps (pseudonymised, before
 *                         compression) so that {@code shadow report --rules} can judge it again
 *                         without replaying; 0 keeps none
 * @param outputs          outputs written from the results once the run is judged, beside
 *                         summary.json (e.g. a format of the user's own); empty by default
 */
public record ReplayConfig(
    List<Path> recordings,
    URI candidate,
    URI primary,
    URI secondary,
    Path out,
    Rules rules,
    int concurrency,
    Pacing pacing,
    boolean allowUnsafe,
    Shard shard,
    Headers extraHeaders,
    boolean keepHost,
    Duration connectTimeout,
    Duration responseTimeout,
    Gate gate,
    boolean overwrite,
    int maxBody,
    RedactionKey redactionKey,
    boolean skipBadLines,
    int warmup,
    Transport transport,
    boolean includeCached,
    long rejudgeBudget,
    List<RunOutput> outputs) {

  /** The most warm-up requests a run sends. */
  public static final int MAX_WARMUP = 100_000;

  public ReplayConfig {
    recordings = List.copyOf(recordings);
    if (recordings.isEmpty()) {
      throw new BadInputException("at least one recording is needed");
    }
    Objects.requireNonNull(candidate, "candidate");
    checkBase(candidate, "candidate");
    if (primary != null) {
      checkBase(primary, "primary");
    }
    if (secondary != null) {
      checkBase(secondary, "secondary");
      if (primary == null) {
        throw new BadInputException(
            "--secondary needs --primary: noise is measured between two legacy instances");
      }
    }
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(rules, "rules");
    if (concurrency < 1 || concurrency > 10_000) {
      throw new BadInputException("concurrency must be between 1 and 10000, got " + concurrency);
    }
    Objects.requireNonNull(pacing, "pacing");
    Objects.requireNonNull(shard, "shard");
    Objects.requireNonNull(extraHeaders, "extraHeaders");
    Objects.requireNonNull(gate, "gate");
    if (maxBody < 1 || maxBody > 1 << 30) {
      throw new BadInputException("--max-body must be between 1 byte and 1 GiB, got " + maxBody);
    }
    if (rejudgeBudget < 0) {
      throw new BadInputException("--rejudge-budget must be 0 or more, got " + rejudgeBudget);
    }
    outputs = List.copyOf(outputs);
    if (warmup < 0 || warmup > MAX_WARMUP) {
      throw new BadInputException(
          "--warmup must be between 0 and " + MAX_WARMUP + " requests, got " + warmup);
    }
  }

  private static void checkBase(URI uri, String what) {
    BaseUrls.requireHttp(uri, what);
  }

  public static ReplayConfig of(List<Path> recordings, URI candidate, Path out) {
    return new Builder(recordings, candidate, out).build();
  }

  /** A builder holding this configuration: the one place that copies every field. */
  public Builder toBuilder() {
    Builder b = new Builder(recordings, candidate, out);
    b.primary = primary;
    b.secondary = secondary;
    b.rules = rules;
    b.concurrency = concurrency;
    b.pacing = pacing;
    b.allowUnsafe = allowUnsafe;
    b.shard = shard;
    b.extraHeaders = extraHeaders;
    b.keepHost = keepHost;
    b.connectTimeout = connectTimeout;
    b.responseTimeout = responseTimeout;
    b.gate = gate;
    b.overwrite = overwrite;
    b.maxBody = maxBody;
    b.redactionKey = redactionKey;
    b.skipBadLines = skipBadLines;
    b.warmup = warmup;
    b.transport = transport;
    b.includeCached = includeCached;
    b.rejudgeBudget = rejudgeBudget;
    b.outputs = outputs;
    return b;
  }

  public ReplayConfig withPrimary(URI p, URI s) {
    return toBuilder().primary(p, s).build();
  }

  public ReplayConfig withRules(Rules r) {
    return toBuilder().rules(r).build();
  }

  public ReplayConfig withConcurrency(int n) {
    return toBuilder().concurrency(n).build();
  }

  public ReplayConfig withPacing(Pacing p) {
    return toBuilder().pacing(p).build();
  }

  public ReplayConfig withAllowUnsafe(boolean on) {
    return toBuilder().allowUnsafe(on).build();
  }

  public ReplayConfig withShard(Shard s) {
    return toBuilder().shard(s).build();
  }

  public ReplayConfig withExtraHeaders(Headers h) {
    return toBuilder().extraHeaders(h).build();
  }

  public ReplayConfig withKeepHost(boolean on) {
    return toBuilder().keepHost(on).build();
  }

  public ReplayConfig withTimeouts(Duration connect, Duration response) {
    return toBuilder().timeouts(connect, response).build();
  }

  public ReplayConfig withGate(Gate g) {
    return toBuilder().gate(g).build();
  }

  public ReplayConfig withOverwrite(boolean on) {
    return toBuilder().overwrite(on).build();
  }

  public ReplayConfig withMaxBody(int bytes) {
    return toBuilder().maxBody(bytes).build();
  }

  public ReplayConfig withRedactionKey(RedactionKey key) {
    return toBuilder().redactionKey(key).build();
  }

  public ReplayConfig withSkipBadLines(boolean on) {
    return toBuilder().skipBadLines(on).build();
  }

  public ReplayConfig withWarmup(int requests) {
    return toBuilder().warmup(requests).build();
  }

  public ReplayConfig withTransport(Transport t) {
    return toBuilder().transport(t).build();
  }

  public ReplayConfig withIncludeCached(boolean on) {
    return toBuilder().includeCached(on).build();
  }

  public ReplayConfig withRejudgeBudget(long bytes) {
    return toBuilder().rejudgeBudget(bytes).build();
  }

  public ReplayConfig withOutputs(List<RunOutput> o) {
    return toBuilder().outputs(o).build();
  }

  /** How messages name the candidate: its URL, or the transport that reaches it. */
  public String candidateDescription() {
    return transport == null ? candidate.toString() : transport.description();
  }

  /** Mutable staging for a {@link ReplayConfig}; {@link #build()} validates. */
  public static final class Builder {
    private final List<Path> recordings;
    private final URI candidate;
    private final Path out;
    private URI primary;
    private URI secondary;
    private Rules rules = Rules.defaults();
    private int concurrency = 16;
    private Pacing pacing = Pacing.asFastAsPossible();
    private boolean allowUnsafe;
    private Shard shard = Shard.ALL;
    private Headers extraHeaders = Headers.empty();
    private boolean keepHost;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(30);
    private Gate gate = Gate.defaults();
    private boolean overwrite;
    private int maxBody = Sender.DEFAULT_MAX_BODY;
    private RedactionKey redactionKey;
    private boolean skipBadLines;
    private int warmup;
    private Transport transport;
    private boolean includeCached;
    private long rejudgeBudget = ResponsesFile.DEFAULT_BUDGET;
    private List<RunOutput> outputs = List.of();

    private Builder(List<Path> recordings, URI candidate, Path out) {
      this.recordings = recordings;
      this.candidate = candidate;
      this.out = out;
    }

    public Builder primary(URI p, URI s) {
      primary = p;
      secondary = s;
      return this;
    }

    public Builder rules(Rules r) {
      rules = r;
      return this;
    }

    public Builder concurrency(int n) {
      concurrency = n;
      return this;
    }

    public Builder pacing(Pacing p) {
      pacing = p;
      return this;
    }

    public Builder allowUnsafe(boolean on) {
      allowUnsafe = on;
      return this;
    }

    public Builder shard(Shard s) {
      shard = s;
      return this;
    }

    public Builder extraHeaders(Headers h) {
      extraHeaders = h;
      return this;
    }

    public Builder keepHost(boolean on) {
      keepHost = on;
      return this;
    }

    public Builder timeouts(Duration connect, Duration response) {
      connectTimeout = connect;
      responseTimeout = response;
      return this;
    }

    public Builder gate(Gate g) {
      gate = g;
      return this;
    }

    public Builder overwrite(boolean on) {
      overwrite = on;
      return this;
    }

    public Builder maxBody(int bytes) {
      maxBody = bytes;
      return this;
    }

    public Builder redactionKey(RedactionKey key) {
      redactionKey = key;
      return this;
    }

    public Builder skipBadLines(boolean on) {
      skipBadLines = on;
      return this;
    }

    public Builder warmup(int requests) {
      warmup = requests;
      return this;
    }

    public Builder transport(Transport t) {
      transport = t;
      return this;
    }

    public Builder includeCached(boolean on) {
      includeCached = on;
      return this;
    }

    public Builder rejudgeBudget(long bytes) {
      rejudgeBudget = bytes;
      return this;
    }

    public Builder outputs(List<RunOutput> o) {
      outputs = o;
      return this;
    }

    public ReplayConfig build() {
      return new ReplayConfig(
          recordings,
          candidate,
          primary,
          secondary,
          out,
          rules,
          concurrency,
          pacing,
          allowUnsafe,
          shard,
          extraHeaders,
          keepHost,
          connectTimeout,
          responseTimeout,
          gate,
          overwrite,
          maxBody,
          redactionKey,
          skipBadLines,
          warmup,
          transport,
          includeCached,
          rejudgeBudget,
          outputs);
    }
  }
}
