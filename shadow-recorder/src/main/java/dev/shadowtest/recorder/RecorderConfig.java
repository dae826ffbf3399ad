package dev.shadowtest.recorder;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.BaseUrls;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.RedactionKey;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.diff.run.TriggerActions;
import dev.shadowtest.http.Connections;
import dev.shadowtest.recorder.internal.TlsFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Everything the recording proxy needs, in small groups: what is kept of each exchange ({@link
 * Capture}), which exchanges ({@link Filters}), when files rotate ({@link Rotation}), the
 * upstream's {@link Timeouts}, and the live shadow ({@link Mirroring}). Immutable; one way to
 * build it: {@link #of}, then {@code with...}.
 *
 * <pre>{@code
 * RecorderConfig c = RecorderConfig.of(new InetSocketAddress("0.0.0.0", 8080), URI.create("http://legacy:8080"), Path.of("rec.jsonl.gz"))
 *     .withRedaction(Redaction.load(Path.of("redact.yaml")), null).withRotation(100_000, 0);
 * }</pre>
 *
 * @param listen           where clients connect (the proxy)
 * @param upstream         the one system every request is forwarded to (never another: not an
 *                         open proxy)
 * @param out              where exchanges go: a recording file ({@code .jsonl} or {@code
 *                         .jsonl.gz}; with rotation, numbered siblings), or a location another
 *                         {@link ExchangeStorage} serves ({@code kafka:topic}); see {@link
 *                         ExchangeStorage#of}
 * @param capture          what is kept of each exchange
 * @param filters          which exchanges are recorded
 * @param rotation         when a new recording file is started
 * @param timeouts         connecting to the upstream, waiting for its bytes
 * @param forwardedHeaders add X-Forwarded-For/-Host/-Proto, Via and Forwarded (RFC 7239) to
 *                         forwarded requests
 * @param mirroring        the live shadow: where copies of recorded requests go and how their
 *                         answers are judged and written; null without one
 * @param admin            the admin endpoints ({@code /_shadow/stats}, {@code /metrics}): where
 *                         and with which token; {@link Admin#NONE} for none
 * @param tls              TLS of the listener and towards an https upstream; {@link Tls#NONE}
 *                         for plain HTTP and the system trust store
 * @param http2            serve HTTP/2 clients too (ALPN {@code h2} with TLS, h2c with prior
 *                         knowledge without): their streams are forwarded to the upstream over
 *                         HTTP/1.1 and recorded with {@code httpVersion} {@code HTTP/2}
 */
public record RecorderConfig(
    InetSocketAddress listen,
    URI upstream,
    String out,
    Capture capture,
    Filters filters,
    Rotation rotation,
    Timeouts timeouts,
    boolean forwardedHeaders,
    Mirroring mirroring,
    Admin admin,
    Tls tls,
    boolean http2) {

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

  /**
   * Bytes that captured exchanges waiting for the disk may hold by default (64 MiB): a backlog
   * bounded in bytes keeps the recorder's heap, and so its garbage collector's pauses, small.
   */
  public static final long DEFAULT_QUEUE_BYTES = 64L << 20;

  /** Encoder threads by default: one per core, at least 2. */
  public static final int DEFAULT_ENCODERS =
      Math.max(2, Runtime.getRuntime().availableProcessors());

  /** The most encoder threads. */
  public static final int MAX_ENCODERS = 64;

  /**
   * What is kept of each exchange.
   *
   * @param maxBody       bytes of each body kept in the recording (the live body is never cut)
   * @param redaction     what is redacted before anything is kept
   * @param key           with a key, redacted values become HMAC pseudonyms; null for {@code
   *                      [REDACTED]}
   * @param queueCapacity exchanges captured and not yet written at most; beyond, new ones are
   *                      dropped and counted
   * @param queueBytes    bytes they may hold in memory at most (bodies kept, headers), the same way
   * @param encoders      threads that redact, encode and compress what is written, in parallel
   *                      (the file keeps the order in which responses ended)
   * @param webSocketMessages record the messages of WebSocket connections (a transcript, at most
   *                      {@code maxBody} bytes), not only their handshakes and counts
   * @param recordingVersion the recording format version written: 1 (every line JSON) or
   *                      {@code RecordingHeader.RAW_BODIES_VERSION} (bodies stored raw after each
   *                      line's JSON: cheaper to encode and to replay)
   */
  public record Capture(
      int maxBody,
      Redaction redaction,
      RedactionKey key,
      int queueCapacity,
      long queueBytes,
      int encoders,
      boolean webSocketMessages,
      int recordingVersion) {
    public Capture {
      RecordingHeader.checkVersion(recordingVersion, "--recording-version");
      if (maxBody < 0 || maxBody > MAX_BODY_LIMIT) {
        throw new BadInputException(
            "--max-body must be between 0 and 64MiB (every line of a recording must stay"
                + " readable), got "
                + maxBody
                + " bytes");
      }
      redaction = redaction == null ? Redaction.defaults() : redaction;
      if (queueCapacity < 1 || queueCapacity > MAX_QUEUE) {
        throw new BadInputException(
            "--queue must be between 1 and " + MAX_QUEUE + " exchanges, got " + queueCapacity);
      }
      if (queueBytes < 1 << 20) {
        throw new BadInputException("--queue-bytes must be at least 1MB, got " + queueBytes);
      }
      if (encoders < 1 || encoders > MAX_ENCODERS) {
        throw new BadInputException(
            "--encoders must be between 1 and " + MAX_ENCODERS + ", got " + encoders);
      }
    }

    /** As the canonical constructor, writing recording version 1. */
    public Capture(
        int maxBody,
        Redaction redaction,
        RedactionKey key,
        int queueCapacity,
        long queueBytes,
        int encoders,
        boolean webSocketMessages) {
      this(
          maxBody,
          redaction,
          key,
          queueCapacity,
          queueBytes,
          encoders,
          webSocketMessages,
          RecordingHeader.CURRENT_VERSION);
    }

    public static Capture defaults() {
      return new Capture(
          DEFAULT_MAX_BODY,
          Redaction.defaults(),
          null,
          10_000,
          DEFAULT_QUEUE_BYTES,
          DEFAULT_ENCODERS,
          false);
    }

    /** The header line of a recording made with these settings, created now. */
    public RecordingHeader header(Redaction applied) {
      return RecordingHeader.now("recorder", applied).withVersion(recordingVersion);
    }

    Capture with(int maxBody, Redaction redaction, RedactionKey key, int queueCapacity) {
      return new Capture(
          maxBody,
          redaction,
          key,
          queueCapacity,
          queueBytes,
          encoders,
          webSocketMessages,
          recordingVersion);
    }

    Capture withWriting(long queueBytes, int encoders) {
      return new Capture(
          maxBody,
          redaction,
          key,
          queueCapacity,
          queueBytes,
          encoders,
          webSocketMessages,
          recordingVersion);
    }

    Capture withWebSocketMessages(boolean on) {
      return new Capture(
          maxBody, redaction, key, queueCapacity, queueBytes, encoders, on, recordingVersion);
    }

    Capture withRecordingVersion(int version) {
      return new Capture(
          maxBody, redaction, key, queueCapacity, queueBytes, encoders, webSocketMessages, version);
    }
  }

  /**
   * Which exchanges are recorded.
   *
   * @param sample  fraction of exchanges recorded, 0..1
   * @param methods methods recorded (upper case); empty for all
   * @param include paths recorded must match this, or null
   * @param exclude paths matching this are not recorded, or null
   */
  public record Filters(double sample, Set<String> methods, Pattern include, Pattern exclude) {
    public Filters {
      if (!(sample >= 0 && sample <= 1)) {
        throw new BadInputException("--sample must be between 0 and 1, got " + sample);
      }
      methods =
          methods.stream()
              .map(m -> m.toUpperCase(Locale.ROOT))
              .collect(Collectors.toUnmodifiableSet());
    }

    public static Filters all() {
      return new Filters(1.0, Set.of(), null, null);
    }
  }

  /**
   * When a new recording file is started.
   *
   * @param exchanges after this many exchanges; 0 for never
   * @param bytes     after about this many bytes; 0 for never
   */
  public record Rotation(long exchanges, long bytes) {
    public Rotation {
      if (exchanges < 0 || bytes < 0) {
        throw new BadInputException("--rotate-every must be positive");
      }
    }

    public static final Rotation NEVER = new Rotation(0, 0);

    public boolean on() {
      return exchanges > 0 || bytes > 0;
    }
  }

  /**
   * The upstream's timeouts.
   *
   * @param connect  connecting to the upstream
   * @param response waiting for the upstream's bytes
   */
  public record Timeouts(Duration connect, Duration response) {
    public Timeouts {
      Objects.requireNonNull(connect, "connect");
      Objects.requireNonNull(response, "response");
    }
  }

  /**
   * The live shadow: a full run, judged exactly like {@code shadow replay} with the live legacy
   * answer as the baseline.
   *
   * @param candidate     the new system that gets a copy of each recorded (safe) request
   * @param out           its run directory: results, samples and summary.json, and the outputs
   *                      below; with {@code daily}, one run directory per UTC day under it
   * @param rules         how its answers are judged (a copy is kept in the run directory)
   * @param outputs       more outputs written when a run directory is closed, beside
   *                      summary.json (the CLI adds the CSV and the HTML report); a fresh set per
   *                      run directory
   * @param secondary     a second legacy instance that also gets each copy: what differs between
   *                      the live answer and its answer is noise (null: none)
   * @param headers       added to (or replacing) every copy's headers, on every target
   * @param keepHost      send the live Host header instead of each target's own host:port
   * @param gate          the thresholds the summaries' gate applies
   * @param daily         close the run at each UTC midnight and open the next day's
   * @param closed        told of each closed run directory (the CLI stores it in the history)
   * @param clock         the time days and trigger windows are read from
   * @param evaluateEvery how often days and triggers are checked
   * @param rejudgeBudget bytes of responses kept per run directory for re-judging (0, the
   *                      default: none)
   * @param triggers      the rollback triggers evaluated every {@code evaluateEvery}
   * @param actions       what runs when a trigger fires or clears (log, webhook, command)
   * @param inFlight      copies sent and not yet answered, at most (64 by default); beyond, a copy is
   *                      not sent and counts as a candidate error
   * @param log           hears the live run's warnings (a day continued, a closed day stored, a
   *                      run directory that could not be written)
   * @param connections   how copies reach an https candidate or secondary (a CA to trust, a
   *                      client certificate, HTTP/2), as {@code shadow replay}'s {@code --ca-cert}...
   */
  public record Mirroring(
      URI candidate,
      Path out,
      Rules rules,
      Supplier<List<RunOutput>> outputs,
      URI secondary,
      Headers headers,
      boolean keepHost,
      Gate gate,
      boolean daily,
      Consumer<Path> closed,
      Clock clock,
      Duration evaluateEvery,
      long rejudgeBudget,
      List<Trigger> triggers,
      TriggerActions.Options actions,
      int inFlight,
      Consumer<String> log,
      Connections connections) {
    public Mirroring {
      connections = connections == null ? Connections.defaults() : connections;
      if (inFlight < 1 || inFlight > 10_000) {
        throw new BadInputException(
            "--mirror-concurrency must be from 1 to 10000, got " + inFlight);
      }
      Objects.requireNonNull(log, "log");
      triggers = List.copyOf(triggers);
      Objects.requireNonNull(actions, "actions");
      BaseUrls.requireHttp(candidate, "--mirror");
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(rules, "rules");
      Objects.requireNonNull(outputs, "outputs");
      if (secondary != null) {
        BaseUrls.requireHttp(secondary, "--secondary");
      }
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(gate, "gate");
      Objects.requireNonNull(closed, "closed");
      Objects.requireNonNull(clock, "clock");
      if (evaluateEvery.isNegative() || evaluateEvery.isZero()) {
        throw new BadInputException("the evaluation interval must be positive: " + evaluateEvery);
      }
      if (rejudgeBudget < 0) {
        throw new BadInputException("--rejudge-budget must not be negative: " + rejudgeBudget);
      }
    }

    /** Judged by {@code rules}, written to {@code out} and by {@code outputs}; nothing else. */
    public Mirroring(URI candidate, Path out, Rules rules, Supplier<List<RunOutput>> outputs) {
      this(
          candidate,
          out,
          rules,
          outputs,
          null,
          Headers.empty(),
          false,
          Gate.defaults(),
          false,
          dir -> {},
          Clock.systemUTC(),
          Duration.ofSeconds(10),
          0, // keeping responses for re-judging costs the live run ~3.5x its comparing CPU
          rules.triggers(),
          TriggerActions.Options.none(),
          64,
          line -> {},
          Connections.defaults());
    }

    public Mirroring withSecondary(URI s) {
      return with(m -> m.secondary = s);
    }

    public Mirroring withHeaders(Headers h, boolean keep) {
      return with(
          m -> {
            m.headers = h;
            m.keepHost = keep;
          });
    }

    public Mirroring withGate(Gate g) {
      return with(m -> m.gate = g);
    }

    /** One run directory per UTC day under {@code out}; each closed one is handed to {@code c}. */
    public Mirroring withDays(Consumer<Path> c) {
      return with(
          m -> {
            m.daily = true;
            m.closed = c;
          });
    }

    public Mirroring withClock(Clock c, Duration every) {
      return with(
          m -> {
            m.clock = c;
            m.evaluateEvery = every;
          });
    }

    /** Evaluates {@code t} (instead of the rules' triggers) and runs {@code a} on their events. */
    public Mirroring withTriggers(List<Trigger> t, TriggerActions.Options a) {
      return with(
          m -> {
            m.triggers = t;
            m.actions = a;
          });
    }

    public Mirroring withLog(Consumer<String> l) {
      return with(m -> m.log = l);
    }

    /** At most {@code n} copies sent and not yet answered. */
    public Mirroring withInFlight(int n) {
      return with(m -> m.inFlight = n);
    }

    public Mirroring withRejudgeBudget(long bytes) {
      return with(m -> m.rejudgeBudget = bytes);
    }

    /** How copies reach an https candidate or secondary: trust, client certificate, HTTP/2. */
    public Mirroring withConnections(Connections c) {
      return with(m -> m.connections = c);
    }

    /** This configuration with {@code change} applied to a copy of its settings (validated again). */
    private Mirroring with(Consumer<Settings> change) {
      Settings m = new Settings(this);
      change.accept(m);
      return new Mirroring(
          m.candidate,
          m.out,
          m.rules,
          m.outputs,
          m.secondary,
          m.headers,
          m.keepHost,
          m.gate,
          m.daily,
          m.closed,
          m.clock,
          m.evaluateEvery,
          m.rejudgeBudget,
          m.triggers,
          m.actions,
          m.inFlight,
          m.log,
          m.connections);
    }

    /** The settings of a {@link Mirroring}, changed one at a time by its {@code with…} methods. */
    private static final class Settings {
      URI candidate;
      Path out;
      Rules rules;
      Supplier<List<RunOutput>> outputs;
      URI secondary;
      Headers headers;
      boolean keepHost;
      Gate gate;
      boolean daily;
      Consumer<Path> closed;
      Clock clock;
      Duration evaluateEvery;
      long rejudgeBudget;
      List<Trigger> triggers;
      TriggerActions.Options actions;
      int inFlight;
      Consumer<String> log;
      Connections connections;

      Settings(Mirroring m) {
        candidate = m.candidate;
        out = m.out;
        rules = m.rules;
        outputs = m.outputs;
        secondary = m.secondary;
        headers = m.headers;
        keepHost = m.keepHost;
        gate = m.gate;
        daily = m.daily;
        closed = m.closed;
        clock = m.clock;
        evaluateEvery = m.evaluateEvery;
        rejudgeBudget = m.rejudgeBudget;
        triggers = m.triggers;
        actions = m.actions;
        inFlight = m.inFlight;
        log = m.log;
        connections = m.connections;
      }
    }
  }

  /**
   * The admin endpoints: read-only stats and metrics.
   *
   * @param port  0 for any free port, -1 for none
   * @param bind  the address it listens on: loopback unless a token is given
   * @param token the bearer token every request must carry, or null (loopback only)
   */
  public record Admin(int port, InetAddress bind, String token) {
    public static final Admin NONE = new Admin(-1, InetAddress.getLoopbackAddress(), null);

    /** Never the token. */
    @Override
    public String toString() {
      return "Admin[port="
          + port
          + ", bind="
          + bind.getHostAddress()
          + (token == null ? "" : ", token=(set)")
          + "]";
    }

    public Admin {
      if (port < -1 || port > 65535) {
        throw new BadInputException(
            "--admin-port must be a port from 0 to 65535 (0: any free port), got " + port);
      }
      Objects.requireNonNull(bind, "bind");
      if (token != null && (token.isEmpty() || !token.chars().allMatch(c -> c > 32 && c < 127))) {
        throw new BadInputException(
            "the admin token must be printable ASCII without spaces (its value is not shown)");
      }
      if (!bind.isLoopbackAddress() && token == null) {
        throw new BadInputException(
            "the admin port binds to "
                + bind.getHostAddress()
                + " only with a bearer token: use --admin-token-env VAR (loopback needs none)");
      }
    }
  }

  /**
   * TLS: the listener's certificate and key, and what verifies an {@code https} upstream.
   *
   * @param server   the listener's context (it serves HTTPS only), or null for plain HTTP
   * @param upstream what an {@code https} upstream's certificate must chain to, or null for the
   *                 system trust store (never "trust all"); host names are always verified
   */
  public record Tls(SSLContext server, SSLContext upstream) {
    public static final Tls NONE = new Tls(null, null);

    /**
     * Serves HTTPS with a PEM certificate chain (the server's own certificate first, then its
     * intermediates) and its PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}; other key formats
     * get an error saying how to convert them).
     *
     * @throws BadInputException naming the file when it cannot be read or used
     */
    public Tls withListenerPem(Path certificate, Path key) {
      return new Tls(TlsFiles.serverFromPem(certificate, key, "--tls-cert", "--tls-key"), upstream);
    }

    /** Serves HTTPS with the key and chain of a PKCS12 keystore ({@code password} may be empty). */
    public Tls withListenerPkcs12(Path keystore, char[] password) {
      return new Tls(TlsFiles.serverFromPkcs12(keystore, password, "--tls-keystore"), upstream);
    }

    /** Trusts only the PEM certificates of {@code file} for an {@code https} upstream. */
    public Tls withUpstreamCa(Path file) {
      return new Tls(server, TlsFiles.trusting(file, "--upstream-ca"));
    }

    @Override
    public String toString() {
      return "Tls[listener="
          + (server == null ? "plain" : "https")
          + ", upstreamCa="
          + (upstream == null ? "system" : "file")
          + "]";
    }
  }

  /** The admin port, or -1 without one. */
  public int adminPort() {
    return admin.port();
  }

  public RecorderConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(capture, "capture");
    Objects.requireNonNull(filters, "filters");
    Objects.requireNonNull(rotation, "rotation");
    Objects.requireNonNull(timeouts, "timeouts");
    if (listen.isUnresolved()) { // unresolved, a server would listen on every address
      throw new BadInputException("--listen: unknown host " + listen.getHostString());
    }
    BaseUrls.requireHttp(upstream, "--upstream");
    if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
      throw new BadInputException("--upstream must not have a query or fragment: " + upstream);
    }
    ExchangeStorage.of(out); // a location no storage serves is refused here, naming the known ones
    if (rotation.on() && ExchangeStorage.file(out) == null) {
      throw new BadInputException(
          "--rotate-every applies to recording files; " + out + " is not one");
    }
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(tls, "tls");
  }

  /** Records to the file {@code out}. */
  public static RecorderConfig of(InetSocketAddress listen, URI upstream, Path out) {
    return of(listen, upstream, ExchangeStorage.location(out));
  }

  /** Records to {@code location}: a file, or what another {@link ExchangeStorage} serves. */
  public static RecorderConfig of(InetSocketAddress listen, URI upstream, String location) {
    return new RecorderConfig(
        listen,
        upstream,
        location,
        Capture.defaults(),
        Filters.all(),
        Rotation.NEVER,
        new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60)),
        false,
        null,
        Admin.NONE,
        Tls.NONE,
        false);
  }

  /** The recording file, or null when exchanges go to another storage. */
  public Path outFile() {
    return ExchangeStorage.file(out);
  }

  // ---- groups ------------------------------------------------------------------------------

  /** The components of a config, to change some: each wither copies all and sets its own. */
  private static final class Parts {
    InetSocketAddress listen;
    URI upstream;
    String out;
    Capture capture;
    Filters filters;
    Rotation rotation;
    Timeouts timeouts;
    boolean forwardedHeaders;
    Mirroring mirroring;
    Admin admin;
    Tls tls;
    boolean http2;
  }

  /** This config with what {@code change} sets (validated again by the constructor). */
  private RecorderConfig with(Consumer<Parts> change) {
    Parts p = new Parts();
    p.listen = listen;
    p.upstream = upstream;
    p.out = out;
    p.capture = capture;
    p.filters = filters;
    p.rotation = rotation;
    p.timeouts = timeouts;
    p.forwardedHeaders = forwardedHeaders;
    p.mirroring = mirroring;
    p.admin = admin;
    p.tls = tls;
    p.http2 = http2;
    change.accept(p);
    return new RecorderConfig(
        p.listen,
        p.upstream,
        p.out,
        p.capture,
        p.filters,
        p.rotation,
        p.timeouts,
        p.forwardedHeaders,
        p.mirroring,
        p.admin,
        p.tls,
        p.http2);
  }

  public RecorderConfig withCapture(Capture c) {
    return with(p -> p.capture = c);
  }

  public RecorderConfig withFilters(Filters f) {
    return with(p -> p.filters = f);
  }

  public RecorderConfig withRotation(Rotation r) {
    return with(p -> p.rotation = r);
  }

  public RecorderConfig withTimeouts(Timeouts t) {
    return with(p -> p.timeouts = t);
  }

  public RecorderConfig withMirror(Mirroring m) {
    return with(p -> p.mirroring = m);
  }

  public RecorderConfig withForwardedHeaders(boolean on) {
    return with(p -> p.forwardedHeaders = on);
  }

  /** The admin endpoints on 127.0.0.1:{@code port} (0: any free port; -1: none), without a token. */
  public RecorderConfig withAdminPort(int port) {
    return withAdmin(new Admin(port, InetAddress.getLoopbackAddress(), null));
  }

  public RecorderConfig withAdmin(Admin a) {
    return with(p -> p.admin = a);
  }

  public RecorderConfig withTls(Tls t) {
    return with(p -> p.tls = t);
  }

  /** Serves HTTP/2 clients too (see {@code http2} above). */
  public RecorderConfig withHttp2(boolean on) {
    return with(p -> p.http2 = on);
  }

  // ---- one setting at a time ---------------------------------------------------------------

  public RecorderConfig withMaxBody(int bytes) {
    return withCapture(
        capture.with(bytes, capture.redaction(), capture.key(), capture.queueCapacity()));
  }

  /** What is redacted ({@link Redaction#defaults()}, or {@link Redaction#load}) and the key, or null. */
  public RecorderConfig withRedaction(Redaction redaction, RedactionKey key) {
    return withCapture(capture.with(capture.maxBody(), redaction, key, capture.queueCapacity()));
  }

  public RecorderConfig withQueueCapacity(int n) {
    return withCapture(capture.with(capture.maxBody(), capture.redaction(), capture.key(), n));
  }

  /** Bounds the backlog in bytes ({@link #DEFAULT_QUEUE_BYTES}) and sets the encoder threads. */
  public RecorderConfig withWriting(long queueBytes, int encoders) {
    return withCapture(capture.withWriting(queueBytes, encoders));
  }

  /** Records the messages of WebSocket connections (a transcript), not only their handshakes. */
  public RecorderConfig withWebSocketMessages(boolean on) {
    return withCapture(capture.withWebSocketMessages(on));
  }

  /**
   * Writes recording version {@code version}: 1 (the default) or {@code
   * RecordingHeader.RAW_BODIES_VERSION}, bodies stored raw after each line's JSON.
   */
  public RecorderConfig withRecordingVersion(int version) {
    return withCapture(capture.withRecordingVersion(version));
  }

  public RecorderConfig withFilters(
      double fraction, Set<String> onlyMethods, Pattern includePaths, Pattern excludePaths) {
    return withFilters(new Filters(fraction, onlyMethods, includePaths, excludePaths));
  }

  public RecorderConfig withRotation(long exchanges, long bytes) {
    return withRotation(new Rotation(exchanges, bytes));
  }

  public RecorderConfig withTimeouts(Duration connect, Duration response) {
    return withTimeouts(new Timeouts(connect, response));
  }

  /** Mirrors to {@code candidate}, judged by the default rules, into the run directory {@code runDir}. */
  public RecorderConfig withMirror(URI candidate, Path runDir) {
    return withMirror(new Mirroring(candidate, runDir, Rules.defaults(), List::of));
  }

  // ---- reading -----------------------------------------------------------------------------

  public int maxBody() {
    return capture.maxBody();
  }

  public Redaction redaction() {
    return capture.redaction();
  }

  public int queueCapacity() {
    return capture.queueCapacity();
  }

  public Duration connectTimeout() {
    return timeouts.connect();
  }

  public Duration responseTimeout() {
    return timeouts.response();
  }

  /** The mirror's candidate, or null without a mirror. */
  public URI mirror() {
    return mirroring == null ? null : mirroring.candidate();
  }

  /** The mirror's run directory, or null without a mirror. */
  public Path mirrorOut() {
    return mirroring == null ? null : mirroring.out();
  }
}
