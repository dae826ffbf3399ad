package dev.shadowtest.recorder;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.BaseUrls;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.RedactionKey;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.RunOutput;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Everything the recorder needs. Immutable; start from {@link #of} and change with {@code with...}.
 *
 * @param listen          where clients connect (the proxy)
 * @param upstream        the one system every request is forwarded to (never another: not an open proxy)
 * @param out             where exchanges go: a recording file ({@code .jsonl} or {@code .jsonl.gz};
 *                        with rotation, numbered siblings), or a location another {@link
 *                        ExchangeStorage} serves ({@code kafka:topic}); see {@link ExchangeStorage#of}
 * @param maxBody         bytes of each body kept in the recording (the live body is never cut)
 * @param redaction       what is redacted beyond the default credential headers
 * @param hmacKey         with a key, redacted values become HMAC pseudonyms; null for {@code [REDACTED]}
 * @param sample          fraction of exchanges recorded, 0..1
 * @param methods         methods recorded (upper case); empty for all
 * @param include         paths recorded must match this, or null
 * @param exclude         paths matching this are not recorded, or null
 * @param rotateExchanges start a new file after this many exchanges; 0 for never
 * @param rotateBytes     start a new file after about this many bytes; 0 for never
 * @param queueCapacity   exchanges waiting for disk at most; beyond, new ones are dropped and counted
 * @param forwardedHeaders add X-Forwarded-For/-Host/-Proto and Via to forwarded requests
 * @param mirroring       the live shadow: where copies of recorded requests go and how their
 *                        answers are judged and written; null without one
 * @param adminPort       the stats endpoint's port on 127.0.0.1 ({@code /_shadow/stats}); 0 for any, -1 for none
 * @param connectTimeout  connecting to the upstream
 * @param responseTimeout waiting for the upstream's bytes
 */
public record RecorderConfig(
    InetSocketAddress listen,
    URI upstream,
    String out,
    int maxBody,
    Redaction redaction,
    RedactionKey hmacKey,
    double sample,
    Set<String> methods,
    Pattern include,
    Pattern exclude,
    long rotateExchanges,
    long rotateBytes,
    int queueCapacity,
    boolean forwardedHeaders,
    Mirroring mirroring,
    int adminPort,
    Duration connectTimeout,
    Duration responseTimeout) {

  /** Bytes of each body kept by default: 10 MiB (the redactor decodes compressed bodies as far by default). */
  public static final int DEFAULT_MAX_BODY = Redactor.DEFAULT_MAX_BODY;

  /**
   * The largest {@code maxBody}: 64 MiB. A line of the recording holds both bodies, written as
   * base64 at worst (4/3; see the writer's choice of body form) plus at most 2 x 100 header lines of
   * 8 KiB: about 181 MiB, under the 256 MiB a reader accepts for one line.
   */
  public static final int MAX_BODY_LIMIT = 64 << 20;

  /** The largest {@code queueCapacity}: the queue's array is allocated whole at the start. */
  public static final int MAX_QUEUE = 1_000_000;

  public RecorderConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(out, "out");
    if (listen.isUnresolved()) { // unresolved, a server would listen on every address
      throw new BadInputException("--listen: unknown host " + listen.getHostString());
    }
    BaseUrls.requireHttp(upstream, "--upstream");
    if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
      throw new BadInputException("--upstream must not have a query or fragment: " + upstream);
    }
    if (maxBody < 0 || maxBody > MAX_BODY_LIMIT) {
      throw new BadInputException(
          "--max-body must be between 0 and 64MiB (every line of a recording must stay"
              + " readable), got "
              + maxBody
              + " bytes");
    }
    if (!(sample >= 0 && sample <= 1)) {
      throw new BadInputException("--sample must be between 0 and 1, got " + sample);
    }
    if (rotateExchanges < 0 || rotateBytes < 0) {
      throw new BadInputException("--rotate-every must be positive");
    }
    ExchangeStorage.of(out); // a location no storage serves is refused here, naming the known ones
    if ((rotateExchanges > 0 || rotateBytes > 0) && ExchangeStorage.file(out) == null) {
      throw new BadInputException(
          "--rotate-every applies to recording files; " + out + " is not one");
    }
    if (queueCapacity < 1 || queueCapacity > MAX_QUEUE) {
      throw new BadInputException(
          "--queue must be between 1 and " + MAX_QUEUE + " exchanges, got " + queueCapacity);
    }
    if (adminPort < -1 || adminPort > 65535) {
      throw new BadInputException(
          "--admin-port must be a port from 0 to 65535 (0: any free port), got " + adminPort);
    }

    methods =
        methods.stream()
            .map(m -> m.toUpperCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    redaction = redaction == null ? Redaction.defaults() : redaction;
  }

  /** Records to the file {@code out}. */
  public static RecorderConfig of(InetSocketAddress listen, URI upstream, Path out) {
    return new Builder(listen, upstream, ExchangeStorage.location(out)).build();
  }

  /** Records to {@code location}: a file, or what another {@link ExchangeStorage} serves. */
  public static RecorderConfig of(InetSocketAddress listen, URI upstream, String location) {
    return new Builder(listen, upstream, location).build();
  }

  /** The recording file, or null when exchanges go to another storage. */
  public Path outFile() {
    return ExchangeStorage.file(out);
  }

  /** A builder holding this configuration: the one place that copies every field. */
  public Builder toBuilder() {
    Builder b = new Builder(listen, upstream, out);
    b.maxBody = maxBody;
    b.redaction = redaction;
    b.hmacKey = hmacKey;
    b.sample = sample;
    b.methods = methods;
    b.include = include;
    b.exclude = exclude;
    b.rotateExchanges = rotateExchanges;
    b.rotateBytes = rotateBytes;
    b.queueCapacity = queueCapacity;
    b.forwardedHeaders = forwardedHeaders;
    b.mirroring = mirroring;
    b.adminPort = adminPort;
    b.connectTimeout = connectTimeout;
    b.responseTimeout = responseTimeout;
    return b;
  }

  public RecorderConfig withMaxBody(int bytes) {
    Builder b = toBuilder();
    b.maxBody = bytes;
    return b.build();
  }

  public RecorderConfig withRedaction(Redaction rules, RedactionKey key) {
    Builder b = toBuilder();
    b.redaction = rules;
    b.hmacKey = key;
    return b.build();
  }

  public RecorderConfig withFilters(
      double fraction, Set<String> onlyMethods, Pattern includePaths, Pattern excludePaths) {
    Builder b = toBuilder();
    b.sample = fraction;
    b.methods = onlyMethods;
    b.include = includePaths;
    b.exclude = excludePaths;
    return b.build();
  }

  public RecorderConfig withRotation(long exchanges, long bytes) {
    Builder b = toBuilder();
    b.rotateExchanges = exchanges;
    b.rotateBytes = bytes;
    return b.build();
  }

  public RecorderConfig withQueueCapacity(int n) {
    Builder b = toBuilder();
    b.queueCapacity = n;
    return b.build();
  }

  public RecorderConfig withForwardedHeaders(boolean on) {
    Builder b = toBuilder();
    b.forwardedHeaders = on;
    return b.build();
  }

  /** Mirrors to {@code candidate}, judged by the default rules, into the run directory {@code runDir}. */
  public RecorderConfig withMirror(URI candidate, Path runDir) {
    return withMirror(new Mirroring(candidate, runDir, Rules.defaults(), List.of()));
  }

  public RecorderConfig withMirror(Mirroring m) {
    Builder b = toBuilder();
    b.mirroring = m;
    return b.build();
  }

  /** The mirror's candidate, or null without a mirror. */
  public URI mirror() {
    return mirroring == null ? null : mirroring.candidate();
  }

  /** The mirror's run directory, or null without a mirror. */
  public Path mirrorOut() {
    return mirroring == null ? null : mirroring.out();
  }

  /**
   * The live shadow.
   *
   * @param candidate the new system that gets a copy of each recorded (safe) request
   * @param out       its run directory: results, samples and summary.json, and the outputs below
   * @param rules     how its answers are judged (a copy is kept in the run directory)
   * @param outputs   more outputs written at stop, beside summary.json (the CLI adds the CSV and
   *                  the HTML report); single-use, like every {@link RunOutput}
   */
  public record Mirroring(URI candidate, Path out, Rules rules, List<RunOutput> outputs) {
    public Mirroring {
      BaseUrls.requireHttp(candidate, "--mirror");
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(rules, "rules");
      outputs = List.copyOf(outputs);
    }
  }

  public RecorderConfig withAdminPort(int port) {
    Builder b = toBuilder();
    b.adminPort = port;
    return b.build();
  }

  public RecorderConfig withTimeouts(Duration connect, Duration response) {
    Builder b = toBuilder();
    b.connectTimeout = connect;
    b.responseTimeout = response;
    return b.build();
  }

  /** Mutable on the way to an immutable {@link RecorderConfig}; fields hold the defaults. */
  public static final class Builder {
    private final InetSocketAddress listen;
    private final URI upstream;
    private final String out;
    private int maxBody = DEFAULT_MAX_BODY;
    private Redaction redaction = Redaction.defaults();
    private RedactionKey hmacKey;
    private double sample = 1.0;
    private Set<String> methods = Set.of();
    private Pattern include;
    private Pattern exclude;
    private long rotateExchanges;
    private long rotateBytes;
    private int queueCapacity = 10_000;
    private boolean forwardedHeaders;
    private Mirroring mirroring;
    private int adminPort = -1;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(60);

    Builder(InetSocketAddress listen, URI upstream, String out) {
      this.listen = listen;
      this.upstream = upstream;
      this.out = out;
    }

    public RecorderConfig build() {
      return new RecorderConfig(
          listen,
          upstream,
          out,
          maxBody,
          redaction,
          hmacKey,
          sample,
          methods,
          include,
          exclude,
          rotateExchanges,
          rotateBytes,
          queueCapacity,
          forwardedHeaders,
          mirroring,
          adminPort,
          connectTimeout,
          responseTimeout);
    }
  }
}
