package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.RedactionKey;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.diff.run.TriggerActions;
import dev.shadowtest.recorder.Recorder;
import dev.shadowtest.recorder.RecorderConfig;
import dev.shadowtest.recorder.RecorderStats;
import dev.shadowtest.reports.History;
import dev.shadowtest.reports.Reports;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly (130 or 143 after SIGINT or SIGTERM)",
      "2:bad input (flags, redaction file, a port in use)",
      "3:internal error (a bug)"
    },
    description = {
      "Run the recording reverse proxy in front of the legacy system.",
      "It runs until SIGINT/SIGTERM: every request goes to --upstream (and only there), the answer goes back unchanged, and the exchange is recorded (redacted, bodies kept up to --max-body) off the live path.",
      "With --mirror, each recorded request is also sent to the candidate and compared online (a run directory with report at stop).",
      "On stop: no new connections, in-flight exchanges finish, the file is flushed and closed, the counters are printed."
    },
    footer = {
      "",
      "Examples:",
      "  shadow record --listen 0.0.0.0:8080 --upstream http://legacy:8080 --out capture.jsonl.gz",
      "  shadow record --listen 127.0.0.1:9000 --upstream http://legacy:8080 --out cap.jsonl.gz --redact redact.yaml \\",
      "                --redact-key-env SHADOW_REDACT_KEY --sample 0.1 --rotate-every 100000 --admin-port 9901 \\",
      "                --mirror http://candidate:8080"
    })
final class RecordCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--listen",
      required = true,
      paramLabel = "HOST:PORT",
      description = "Where clients connect (port 0: any free port).")
  String listen;

  @Option(
      names = "--upstream",
      required = true,
      paramLabel = "URL",
      description = "The legacy system; the only place requests go.")
  URI upstream;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "LOCATION",
      description =
          "The recording (.jsonl or .jsonl.gz), written 0600; or a location another exchange storage on the class path serves, by its URI scheme (docs/architecture.md). A file whose name holds a colon: ./name.")
  String out;

  @Option(
      names = "--max-body",
      defaultValue = "10MiB",
      paramLabel = "BYTES",
      description =
          "Bytes of each body kept, at most 64MiB (default ${DEFAULT-VALUE}; beyond, the kept body is cut and flagged; the live one never is; compressed bodies are decoded for redaction as far).")
  String maxBody;

  @Option(
      names = "--redact",
      paramLabel = "FILE",
      description = "More redaction: headers, jsonPaths, queryParams, patterns, jwt (YAML).")
  Path redact;

  @Option(
      names = "--redact-key-env",
      paramLabel = "VAR",
      description =
          "Environment variable holding a key: redacted values become HMAC pseudonyms (equal secrets stay equal).")
  String redactKeyEnv;

  @Option(
      names = "--keep-jwt-claims",
      description =
          "Keep the header and claims of a JWT in Authorization, dropping only its signature (Bearer <header>.<claims>.REDACTED), for replay's resignJwt; as jwt: {headers: [Authorization]} in a --redact file.")
  boolean keepJwtClaims;

  @Option(
      names = "--sample",
      defaultValue = "1",
      paramLabel = "R",
      description = "Fraction of exchanges recorded (default ${DEFAULT-VALUE}).")
  double sample;

  @Option(
      names = "--methods",
      split = ",",
      paramLabel = "M",
      description = "Record only these methods (e.g. GET,HEAD).")
  String[] methods;

  @Option(
      names = "--include",
      paramLabel = "REGEX",
      description = "Record only paths matching this.")
  String include;

  @Option(
      names = "--exclude",
      paramLabel = "REGEX",
      description = "Do not record paths matching this.")
  String exclude;

  @Option(
      names = "--rotate-every",
      paramLabel = "N|SIZE",
      description =
          "Start a new file after N exchanges, or SIZE bytes (e.g. 500MB); files are numbered.")
  String rotateEvery;

  @Option(
      names = "--mirror",
      paramLabel = "URL",
      description = "Also send each recorded request to this candidate and compare.")
  URI mirror;

  @Option(
      names = "--mirror-out",
      paramLabel = "DIR",
      description =
          "The mirror's run directory (default: next to --out); with --history, one run directory per UTC day in it.")
  Path mirrorOut;

  @Option(
      names = {"--rules", "--mirror-rules"},
      paramLabel = "FILE",
      description =
          "Rules the mirror judges the candidate's answers by, as shadow replay --rules (docs/rules.md; default: the built-in defaults).")
  Path mirrorRules;

  @Option(
      names = "--secondary",
      paramLabel = "URL",
      description =
          "A second legacy instance that also gets each mirrored copy: what differs between the live answer and its answer is noise, learned live.")
  URI secondary;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description =
          "Add or replace a header on every mirrored copy (candidate and secondary), e.g. auth. Repeatable.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--keep-host",
      description =
          "Send mirrored copies the live Host header instead of each target's own host:port.")
  boolean keepHost;

  @Option(
      names = "--rewrite-host",
      description =
          "Send each mirror target its own host:port as Host (the default; the opposite of --keep-host).")
  boolean rewriteHost;

  @Mixin GateOptions gateOptions;

  @Option(
      names = "--history",
      paramLabel = "DIR",
      description =
          "Close the mirror's run at each UTC midnight (and on stop) and store each day in this history directory (for shadow gate --history DIR --days 7).")
  Path history;

  @Option(
      names = "--rejudge-budget",
      defaultValue = "0",
      paramLabel = "SIZE",
      description =
          "Per run directory of the live mirror, keep the compared responses (pseudonymised) up to SIZE for shadow report --rules (default ${DEFAULT-VALUE}: keeping them costs the mirror about 3.5x the CPU of comparing, docs/PERFORMANCE.md).")
  String rejudgeBudget;

  @Option(
      names = "--mirror-concurrency",
      defaultValue = "64",
      paramLabel = "N",
      description =
          "Mirrored copies sent and not yet answered, at most (default ${DEFAULT-VALUE}); beyond, a copy is not sent and counts as a candidate error. Raise it for a high rate to a slow but healthy candidate.")
  int mirrorConcurrency;

  @Option(
      names = "--mirror-ca-cert",
      paramLabel = "FILE",
      description =
          "PEM certificate(s) of a CA to trust for an https --mirror candidate (and --secondary), in addition to the JDK's default trust store. Host names are still verified.")
  Path mirrorCaCert;

  @Option(
      names = "--mirror-insecure",
      description =
          "Trust any TLS certificate for any host name when mirroring (test systems only; a warning says so). Not with --mirror-ca-cert.")
  boolean mirrorInsecure;

  @Option(
      names = "--mirror-client-cert",
      paramLabel = "FILE",
      description =
          "PEM client certificate chain shown to an https --mirror candidate (and --secondary) that asks for one; with --mirror-client-key.")
  Path mirrorClientCert;

  @Option(
      names = "--mirror-client-key",
      paramLabel = "FILE",
      description =
          "The mirror's client certificate's private key: PEM, unencrypted PKCS#8 (convert others with openssl pkcs8 -topk8 -nocrypt).")
  Path mirrorClientKey;

  @Option(
      names = "--mirror-http2",
      description =
          "Send mirrored copies over HTTP/2: h2 by ALPN for https, h2c with prior knowledge for http. Default: HTTP/1.1.")
  boolean mirrorHttp2;

  @Option(
      names = "--trigger",
      paramLabel = "SPEC",
      description = {
        "A rollback trigger of the live mirror, e.g. 'errorRate>0.5%%,for=5m' or 'latencyRatio(p99)>2,for=10m,window=10m,min=30'; repeatable; replaces the rules file's triggers: section.",
        "'none' evaluates none. Default: the rules file's, else discrepancy>1%%, errorRate>0.5%% for 5m, latencyRatio(p99)>2 for 10m (docs/rules.md)."
      })
  List<String> triggers = new ArrayList<>();

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description =
          "POST each trigger event (fired, cleared) as JSON to this URL (5 s timeout, 3 attempts), off the live path.")
  URI webhook;

  @Option(
      names = "--on-trigger",
      paramLabel = "COMMAND",
      description =
          "Run this shell command on each trigger event, with SHADOW_TRIGGER, SHADOW_EVENT, SHADOW_VALUE... in its environment (e.g. flip the feature flag back to legacy).")
  String onTrigger;

  @Option(
      names = "--admin-port",
      defaultValue = "-1",
      paramLabel = "PORT",
      description =
          "Serve GET /_shadow/stats and GET /metrics (Prometheus) on PORT (0: any free port; default: off); 127.0.0.1 unless --admin-bind.")
  int adminPort;

  @Option(
      names = "--admin-bind",
      paramLabel = "ADDRESS",
      description =
          "The admin port's address (default 127.0.0.1); any other needs --admin-token-env.")
  String adminBind;

  @Option(
      names = "--admin-token-env",
      paramLabel = "VAR",
      description =
          "Every admin request must carry 'Authorization: Bearer <the value of VAR>' (required to bind beyond loopback).")
  String adminTokenEnv;

  @Option(
      names = "--http2",
      description =
          "Serve HTTP/2 clients too: h2 by ALPN on a TLS listener, h2c with prior knowledge on a plain one. Their streams go to the upstream over HTTP/1.1 and are recorded with httpVersion HTTP/2; their bodies are held whole (64 MiB each at most), not streamed.")
  boolean http2;

  @Option(
      names = "--record-websocket",
      description =
          "Record the messages of WebSocket connections (a transcript in the handshake's response body, up to --max-body); without it only the handshake and the message counts are recorded.")
  boolean recordWebSocket;

  @Option(
      names = "--recording-version",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Recording format version written: 1 (default; every line is JSON) or 2 (bodies stored raw after each line's JSON: less CPU to encode, several times faster to replay; docs/recording-format.md).")
  int recordingVersion;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve HTTPS (only): the PEM certificate chain, the server's own certificate first; with --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The PEM PKCS#8 private key of --tls-cert ('BEGIN PRIVATE KEY').")
  Path tlsKey;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description =
          "Serve HTTPS (only) with the key and certificate chain of a PKCS12 keystore (instead of --tls-cert/--tls-key).")
  Path tlsKeystore;

  @Option(
      names = "--tls-keystore-password-env",
      paramLabel = "VAR",
      description = "The keystore's password is in this environment variable (default: none).")
  String tlsKeystorePasswordEnv;

  @Option(
      names = "--upstream-ca",
      paramLabel = "FILE",
      description =
          "An https upstream's certificate must chain to one of these PEM certificates (default: the system trust store). Host names are always verified.")
  Path upstreamCa;

  @Option(
      names = "--stats-every",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description = "Log the counters this often (0: never).")
  int statsEvery;

  @Option(
      names = "--queue",
      defaultValue = "10000",
      paramLabel = "N",
      description = "Exchanges waiting for disk at most, 1 to 1000000 (default ${DEFAULT-VALUE}).")
  int queue;

  @Option(
      names = "--queue-bytes",
      defaultValue = "64MB",
      paramLabel = "SIZE",
      description =
          "Bytes that exchanges waiting for disk may hold at most (bodies kept, headers; default ${DEFAULT-VALUE}): beyond it, or beyond --queue, captures are dropped and counted, never the live traffic.")
  String queueBytes;

  @Option(
      names = "--encoders",
      paramLabel = "N",
      description =
          "Threads that redact, encode and gzip captures in parallel (default: one per core, at least 2); the file keeps the order in which responses ended.")
  Integer encoders;

  @Option(
      names = "--forwarded-headers",
      description =
          "Add X-Forwarded-For/-Host/-Proto, Via and the standard Forwarded header (RFC 7239) to forwarded requests.")
  boolean forwardedHeaders;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description = "Upstream response timeout (default ${DEFAULT-VALUE}).")
  double timeout;

  /** The HMAC key in the environment variable {@code env}, or null when no variable is named. */
  static RedactionKey key(String env) {
    if (env == null) {
      return null;
    }
    String v = System.getenv(env);
    if (v == null || v.isEmpty()) {
      throw new BadInputException(
          "--redact-key-env " + env + ": the environment variable is not set");
    }
    return RedactionKey.of(v);
  }

  /** The recorder's configuration from the flags; closed days are logged to {@code err}. */
  RecorderConfig config(PrintWriter err) {
    RedactionKey key = key(redactKeyEnv);
    long[] rotation = rotation(rotateEvery);
    if (statsEvery < 0) {
      throw new BadInputException(
          "--stats-every must be 0 (never) or a number of seconds, got " + statsEvery);
    }
    Redaction redaction = redact == null ? Redaction.defaults() : Redaction.load(redact);
    RecorderConfig config =
        RecorderConfig.of(address(listen), upstream, out)
            .withMaxBody(maxBody(maxBody))
            .withRedaction(keepJwtClaims ? redaction.keepingJwtClaims() : redaction, key)
            .withFilters(
                sample, methods(methods), regex("--include", include), regex("--exclude", exclude))
            .withRotation(rotation[0], rotation[1])
            .withQueueCapacity(queue)
            .withWriting(
                bytes("--queue-bytes", queueBytes),
                encoders == null ? RecorderConfig.DEFAULT_ENCODERS : encoders)
            .withForwardedHeaders(forwardedHeaders)
            .withWebSocketMessages(recordWebSocket)
            .withRecordingVersion(recordingVersion)
            .withHttp2(http2)
            .withAdmin(admin())
            .withTls(tls())
            .withTimeouts(Duration.ofSeconds(5), ReplayCommand.seconds(timeout, "--timeout"));
    if (mirror != null) {
      if (mirrorOut == null && config.outFile() == null) {
        throw new BadInputException(
            "--mirror needs --mirror-out DIR when --out is not a file (" + out + ")");
      }
      if (keepHost && rewriteHost) {
        throw new BadInputException("--keep-host and --rewrite-host contradict each other");
      }
      if (mirrorOut != null
          && java.nio.file.Files.exists(mirrorOut)
          && !java.nio.file.Files.isDirectory(mirrorOut)) {
        throw new BadInputException(
            "--mirror-out " + mirrorOut + ": a file is there; the live runs need a directory");
      }
      RecorderConfig.Mirroring mirroring =
          new RecorderConfig.Mirroring(
                  mirror,
                  mirrorOut != null ? mirrorOut : defaultMirrorOut(config.outFile()),
                  mirrorRules == null ? Rules.defaults() : Rules.load(mirrorRules),
                  () -> Reports.outputs(Reports.Options.defaults()))
              .withSecondary(secondary)
              .withHeaders(ReplayCommand.headers(headers), keepHost)
              .withGate(gateOptions.gate())
              .withInFlight(mirrorConcurrency)
              .withRejudgeBudget(bytes("--rejudge-budget", rejudgeBudget))
              .withConnections(
                  ReplayCommand.connections(
                      "--mirror-",
                      mirrorCaCert,
                      mirrorInsecure,
                      mirrorClientCert,
                      mirrorClientKey,
                      mirrorHttp2));
      if (mirrorInsecure) {
        err.println(
            "warning: --mirror-insecure: TLS certificates and host names of the mirror's targets"
                + " are not verified; whoever sits between Shadow and them can read and change the"
                + " copies");
        err.flush();
      }
      PrintWriter log = err;
      Consumer<String> stderr =
          line -> {
            synchronized (log) {
              log.println("shadow record: " + line);
              log.flush();
            }
          };
      List<Trigger> chosen = new ArrayList<>();
      if (!(triggers.size() == 1 && triggers.get(0).strip().equalsIgnoreCase("none"))) {
        for (String t : triggers) {
          chosen.add(Trigger.parse(t));
        }
      }
      mirroring =
          mirroring
              .withTriggers(
                  triggers.isEmpty() ? mirroring.triggers() : chosen,
                  TriggerActions.Options.none()
                      .withLog(stderr)
                      .withWebhook(webhook)
                      .withCommand(onTrigger))
              .withLog(stderr);
      if (history != null) {
        Path h = history;
        History.requireUsable(h); // before the first request is taken
        mirroring =
            mirroring.withDays(
                dir -> {
                  Path entry = History.store(h, dir.resolve(RunDirectory.SUMMARY));
                  stderr.accept(dir + " closed, stored in the history as " + entry);
                });
      }
      config = config.withMirror(mirroring);
    } else if (mirrorRules != null
        || mirrorOut != null
        || secondary != null
        || !headers.isEmpty()
        || keepHost
        || rewriteHost
        || history != null
        || !triggers.isEmpty()
        || webhook != null
        || onTrigger != null
        || mirrorCaCert != null
        || mirrorInsecure
        || mirrorClientCert != null
        || mirrorClientKey != null
        || mirrorHttp2) {
      throw new BadInputException(
          "--rules, --mirror-out, --secondary, --header, --keep-host, --rewrite-host, --history,"
              + " --trigger, --webhook, --on-trigger and the --mirror-ca-cert, --mirror-insecure,"
              + " --mirror-client-cert, --mirror-client-key and --mirror-http2 connection options"
              + " apply to the live mirror: they need --mirror");
    }
    return config;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter outw = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RecorderConfig config = config(err);
    Recorder recorder;
    try {
      recorder = Recorder.start(config);
    } catch (BindException e) { // a port in use, an address not this machine's: the user's to fix
      throw new BadInputException(e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println(
                      "shadow record: stopping (finishing in-flight exchanges, flushing)...");
                  err.flush();
                  RecorderStats s = recorder.stop(Duration.ofSeconds(30));
                  outw.println("stopped: " + s);
                  outw.println(
                      "recording: "
                          + String.join(
                              ", ", recorder.files().stream().map(Path::toString).toList()));
                  outw.flush();
                  stopped.countDown();
                },
                "shadow-record-stop"));
    outw.println(
        "recording "
            + recorder.url()
            + " -> "
            + upstream
            + " into "
            + out
            + (mirror == null
                ? ""
                : ", mirroring to " + mirror + " (run directory " + config.mirrorOut() + ")")
            + (recorder.adminPort() < 0
                ? ""
                : "; stats on http://"
                    + (adminBind == null ? "127.0.0.1" : adminBind)
                    + ":"
                    + recorder.adminPort()
                    + "/_shadow/stats, metrics on /metrics"));
    outw.println("stop with Ctrl-C or SIGTERM");
    outw.flush();
    while (!stopped.await(Math.max(1, statsEvery), TimeUnit.SECONDS)) {
      if (statsEvery > 0) {
        err.println("shadow record: " + recorder.stats());
        err.flush();
      }
    }
    return Shadow.OK;
  }

  /** TLS from --tls-cert/--tls-key or --tls-keystore, and --upstream-ca. */
  private RecorderConfig.Tls tls() {
    RecorderConfig.Tls tls = RecorderConfig.Tls.NONE;
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new BadInputException("--tls-cert and --tls-key go together");
    }
    if (tlsCert != null && tlsKeystore != null) {
      throw new BadInputException(
          "--tls-keystore and --tls-cert/--tls-key are two ways to give the same key: choose one");
    }
    if (tlsKeystorePasswordEnv != null && tlsKeystore == null) {
      throw new BadInputException("--tls-keystore-password-env needs --tls-keystore");
    }
    if (tlsCert != null) {
      tls = tls.withListenerPem(tlsCert, tlsKey);
    }
    if (tlsKeystore != null) {
      char[] password = new char[0];
      if (tlsKeystorePasswordEnv != null) {
        String v = System.getenv(tlsKeystorePasswordEnv);
        if (v == null) {
          throw new BadInputException(
              "--tls-keystore-password-env "
                  + tlsKeystorePasswordEnv
                  + ": the environment variable is not set");
        }
        password = v.toCharArray();
      }
      tls = tls.withListenerPkcs12(tlsKeystore, password);
    }
    if (upstreamCa != null) {
      if (!"https".equalsIgnoreCase(upstream.getScheme())) {
        throw new BadInputException(
            "--upstream-ca applies to an https --upstream, not " + upstream);
      }
      tls = tls.withUpstreamCa(upstreamCa);
    }
    return tls;
  }

  /** The admin endpoints from --admin-port, --admin-bind and --admin-token-env. */
  private RecorderConfig.Admin admin() {
    InetAddress bind = InetAddress.getLoopbackAddress();
    if (adminBind != null) {
      try {
        bind = InetAddress.getByName(adminBind);
      } catch (UnknownHostException e) {
        throw new BadInputException("--admin-bind: unknown address " + adminBind);
      }
    }
    String token = null;
    if (adminTokenEnv != null) {
      token = System.getenv(adminTokenEnv);
      if (token == null || token.isEmpty()) {
        throw new BadInputException(
            "--admin-token-env "
                + adminTokenEnv
                + ": the environment variable is not set or empty");
      }
    }
    if (adminPort < 0 && (adminBind != null || adminTokenEnv != null)) {
      throw new BadInputException("--admin-bind and --admin-token-env need --admin-port");
    }
    return new RecorderConfig.Admin(adminPort, bind, token);
  }

  static Path defaultMirrorOut(Path out) {
    String name = out.getFileName().toString();
    int dot = name.indexOf('.');
    return out.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + "-mirror");
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException(
          "--listen must look like HOST:PORT (e.g. 127.0.0.1:8080), got \"" + hostPort + "\"");
    }
    String p = hostPort.substring(colon + 1);
    if (!p.matches("\\d{1,5}") || Integer.parseInt(p) > 65535) {
      throw new BadInputException(
          "--listen: the port must be a number from 0 to 65535 (0: any free port), got \""
              + p
              + "\" in \""
              + hostPort
              + "\"");
    }
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    try {
      return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(p));
    } catch (UnknownHostException e) {
      throw new BadInputException(
          "--listen: unknown host \"" + host + "\" in \"" + hostPort + "\"", e);
    }
  }

  /** {@code --max-body}: a size within what a recording line can hold. */
  static int maxBody(String text) {
    long n = bytes("--max-body", text);
    if (n > RecorderConfig.MAX_BODY_LIMIT) {
      throw new BadInputException(
          "--max-body must be at most 64MiB (every line of a recording must stay readable),"
              + " got "
              + text.strip());
    }
    return (int) n;
  }

  /** An HTTP method name (RFC 9110 token). */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** {@code --methods}: at least one name, each a method token; null (not given) for all methods. */
  static Set<String> methods(String[] given) {
    if (given == null) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String m : given) {
      String name = m.strip();
      if (!TOKEN.matcher(name).matches()) {
        throw new BadInputException(
            "--methods takes method names separated by commas (e.g. GET,HEAD), got \""
                + String.join(",", given)
                + "\"");
      }
      out.add(name);
    }
    if (out.isEmpty()) {
      throw new BadInputException(
          "--methods needs at least one method name (e.g. GET,HEAD); without it every method"
              + " is recorded");
    }
    return out;
  }

  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(|B|KB|KIB|MB|MIB|GB|GIB)", Pattern.CASE_INSENSITIVE);

  static long bytes(String flag, String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new BadInputException(
          flag + " must be a size like 1048576, 10MB or 10MiB, got \"" + text + "\"");
    }
    long unit =
        switch (m.group(2).toUpperCase(Locale.ROOT)) {
          case "KB" -> 1000;
          case "KIB" -> 1L << 10;
          case "MB" -> 1_000_000;
          case "MIB" -> 1L << 20;
          case "GB" -> 1_000_000_000;
          case "GIB" -> 1L << 30;
          default -> 1;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new BadInputException(
          flag + ": " + text.strip() + " is too large to be a size in bytes", e);
    }
  }

  /** {exchanges, bytes}: a plain number counts exchanges, a size with a unit counts bytes. */
  static long[] rotation(String text) {
    if (text == null) {
      return new long[] {0, 0};
    }
    String t = text.strip();
    if (t.matches("\\d+")) {
      long n;
      try {
        n = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new BadInputException(
            "--rotate-every: " + t + " is too large a number of exchanges", e);
      }
      if (n < 1) {
        throw new BadInputException("--rotate-every must be at least 1 exchange, got " + t);
      }
      return new long[] {n, 0};
    }
    long size = bytes("--rotate-every", t);
    if (size < 1) {
      throw new BadInputException("--rotate-every must be at least 1 byte, got " + t);
    }
    return new long[] {0, size};
  }

  static Pattern regex(String flag, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      throw new BadInputException(flag + ": bad regex \"" + text + "\": " + e.getDescription(), e);
    }
  }
}
