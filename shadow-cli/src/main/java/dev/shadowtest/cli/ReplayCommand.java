package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.HeaderNames;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.http.Connections;
import dev.shadowtest.replay.Pacing;
import dev.shadowtest.replay.Passes;
import dev.shadowtest.replay.ReplayConfig;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Replayer;
import dev.shadowtest.replay.Shard;
import dev.shadowtest.reports.History;
import dev.shadowtest.reports.Reports;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the gate passed",
      "1:the gate failed, or the run is incomplete",
      "2:bad input",
      "3:internal error (a bug; the run is incomplete and never passes)"
    },
    description = {
      "Replay recordings against the candidate and judge every response.",
      "It writes a run directory: results.jsonl.gz, summary.json, discrepancies.csv, report.html; an existing run directory is never overwritten (--force replaces it).",
      "Only GET, HEAD and OPTIONS are sent unless --allow-unsafe. Without --primary the recorded responses are the baseline.",
      "Exit 0 when the gate passes, 1 when it fails (or the run is incomplete), 2 on bad input."
    },
    footer = {
      "",
      "Examples:",
      "  shadow replay --recording nightly.jsonl.gz --candidate http://127.0.0.1:8080 --out out/",
      "  shadow replay --recording r.jsonl --candidate http://new:8080 --primary http://old-a:8080 \\",
      "                --secondary http://old-b:8080 --rules shadow-rules.yaml --rate 200 --out out/",
      "  shadow replay --recording r.jsonl --candidate https://new.internal:8443 --ca-cert ca.pem \\",
      "                --client-cert client.crt --client-key client.key --http2 --duration 10m --out soak/"
    })
final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--recording",
      required = true,
      arity = "1..*",
      paramLabel = "FILE",
      description = "Recording(s) to replay, in order.")
  List<Path> recordings;

  @Option(
      names = "--group",
      paramLabel = "NAME",
      description =
          "With a kafka:// recording: replay as one worker of this Kafka consumer group, which shares the topic's"
              + " partitions among its workers (one group per run, e.g. nightly-2026-11-26). Each worker writes its own"
              + " --out; shadow merge builds the run from them (docs/kafka.md).")
  String group;

  @Option(
      names = "--from",
      paramLabel = "INSTANT",
      description =
          "With a kafka:// recording: start at the first record of this time (ISO-8601, 2026-11-26T00:00:00Z).")
  String from;

  @Option(
      names = "--until",
      paramLabel = "INSTANT",
      description =
          "With a kafka:// recording: end before the first record of this time (default: the topic's end when the"
              + " group first reads it).")
  String until;

  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "URL",
      description = "The new system's base URL.")
  URI candidate;

  @Option(
      names = "--primary",
      paramLabel = "URL",
      description = "A legacy instance to use as the baseline instead of the recorded responses.")
  URI primary;

  @Option(
      names = "--secondary",
      paramLabel = "URL",
      description =
          "A second legacy instance whose differences from the baseline are noise: from the primary's answer, or, without --primary, from the recorded response (so a recording needs only one live legacy instance to learn noise).")
  URI secondary;

  @Option(names = "--rules", paramLabel = "FILE", description = "Rules YAML (see docs/rules.md).")
  Path rules;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Run directory to write.")
  Path out;

  @Option(
      names = "--concurrency",
      defaultValue = "16",
      paramLabel = "N",
      description = "Requests in flight at most (default ${DEFAULT-VALUE}).")
  int concurrency;

  @ArgGroup(exclusive = true)
  PacingOptions pacing;

  static final class PacingOptions {
    @Option(
        names = "--rate",
        paramLabel = "RPS",
        description = "Constant arrival rate (open model; late starts are counted).")
    Double rate;

    @Option(
        names = "--speed",
        paramLabel = "X",
        description = "The recording's own timing, X times faster.")
    Double speed;
  }

  @Option(
      names = "--allow-unsafe",
      description = "Also send POST, PUT, PATCH, DELETE... (they change state on the candidate).")
  boolean allowUnsafe;

  @Option(
      names = "--shard",
      paramLabel = "I/N",
      description = "Replay only shard I of N (by exchange id); merge the runs with shadow merge.")
  String shard;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description =
          "Add or replace a header on every request (e.g. auth for the candidate). Repeatable.")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--keep-host",
      description = "Send the recorded Host header instead of the target's.")
  boolean keepHost;

  @Option(
      names = "--rewrite-host",
      description = {
        "Send each target its own host:port as Host (the default; the opposite of --keep-host).",
        "Each target then builds absolute URLs (Link, Location, URLs in bodies) with its own address: Shadow",
        "normalises every side's own address before comparing (rules key normalizeOrigins)."
      })
  boolean rewriteHost;

  @Option(
      names = "--connect-timeout",
      defaultValue = "5",
      paramLabel = "SECONDS",
      description = "TCP connect timeout (default ${DEFAULT-VALUE}).")
  double connectTimeout;

  @Option(
      names = "--timeout",
      defaultValue = "30",
      paramLabel = "SECONDS",
      description =
          "How long an answer may take, the whole of it (default ${DEFAULT-VALUE}; connecting"
              + " is bounded by --connect-timeout).")
  double timeout;

  @Mixin GateOptions gateOptions;

  @Option(
      names = "--history",
      paramLabel = "DIR",
      description =
          "Also store the run's summary in this history directory, created if needed (for shadow gate --history).")
  Path history;

  @Option(
      names = "--force",
      description =
          "Replace the run already in --out (by default an existing run directory is never overwritten).")
  boolean force;

  @Option(
      names = "--skip-bad-lines",
      description =
          "Accept recordings with unreadable lines: they are skipped and counted either way, and by default such a run is incomplete (its gate fails).")
  boolean skipBadLines;

  @Option(
      names = "--redact-key-env",
      paramLabel = "VAR",
      description =
          "The environment variable with the recorder's HMAC key (shadow record --redact-key-env): live answers are then pseudonymised like the recording instead of masked.")
  String redactKeyEnv;

  @Option(
      names = "--max-body",
      defaultValue = "10MiB",
      paramLabel = "BYTES",
      description =
          "Response body bytes kept per target and exchange (default ${DEFAULT-VALUE}, at most 1GiB); beyond, the rest is drained and only its size compared.")
  String maxBody;

  @Option(
      names = "--rejudge-budget",
      defaultValue = "256MiB",
      paramLabel = "BYTES",
      description =
          "Compared responses kept in the run directory (responses.jsonl.gz: pseudonymised under a random key that is never written, counted before compression) so that shadow report --rules NEW can judge the run again without replaying it (default ${DEFAULT-VALUE}; 0 keeps none). A run over its budget cannot be re-judged.")
  String rejudgeBudget;

  @Option(
      names = "--include-cached",
      description =
          "Also send exchanges a HAR import tagged import.fromCache (the browser served them from its cache; by default they are skipped and counted).")
  boolean includeCached;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Send the first N safe requests (GET, HEAD, OPTIONS) of the recordings once to every target before the measured replay, answers discarded, so that a freshly started JVM's slow first requests are not judged by --max-latency-ratio (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description =
          "PEM certificate(s) of a CA to trust for https targets, in addition to the JDK's default trust store (an internal CA). Host names are still verified.")
  Path caCert;

  @Option(
      names = "--insecure",
      description =
          "Trust any TLS certificate for any host name (test systems only; a warning says so once per run). Not with --ca-cert.")
  boolean insecure;

  @Option(
      names = "--client-cert",
      paramLabel = "FILE",
      description =
          "PEM client certificate chain (the client's own first) shown to https targets that ask for one; with --client-key.")
  Path clientCert;

  @Option(
      names = "--client-key",
      paramLabel = "FILE",
      description =
          "The client certificate's private key: PEM, unencrypted PKCS#8 ('BEGIN PRIVATE KEY': RSA, EC, Ed25519). Convert others with openssl pkcs8 -topk8 -nocrypt.")
  Path clientKey;

  @Option(
      names = "--http2",
      description =
          "Speak HTTP/2 to every target: h2 by ALPN for https URLs, h2c with prior knowledge for http URLs (a target that does not speak it fails). Default: HTTP/1.1.")
  boolean http2;

  @Option(
      names = "--loop",
      paramLabel = "N",
      description =
          "Replay the recordings N times (soak runs): every exchange is sent and counted N times, its id suffixed with the pass (e42#1, e42#2...).")
  Integer loop;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description =
          "Replay the recordings pass after pass until D has passed (30s, 10m, 2h, or ISO-8601 such as PT1H30M); the pass under way is cut there. Not with --loop.")
  String duration;

  @Mixin CsvOptions csv;

  /** The recordings, kafka:// ones with --group, --from and --until in their query. */
  private List<Path> kafkaOptions() {
    List<String> query = new ArrayList<>();
    if (group != null) {
      query.add("group=" + URLEncoder.encode(group, StandardCharsets.UTF_8));
    }
    if (from != null) {
      query.add("from=" + from);
    }
    if (until != null) {
      query.add("until=" + until);
    }
    boolean grouped =
        group != null
            || recordings.stream().anyMatch(r -> r.toString().matches("(?i)kafka:.*[?&]group=.*"));
    if (grouped && recordings.size() > 1) {
      throw new BadInputException(
          "a replay as a group's worker reads one topic: give one --recording (each topic's run is a group of its own)");
    }
    if (grouped && (shard != null || loop != null || duration != null)) {
      throw new BadInputException(
          "--group shares the topic among the group's workers: not with --shard, --loop or --duration");
    }
    if (query.isEmpty()) {
      return recordings;
    }
    List<Path> out = new ArrayList<>();
    boolean kafka = false;
    for (Path r : recordings) {
      String s = r.toString();
      if (s.regionMatches(true, 0, "kafka:", 0, 6)) {
        kafka = true;
        s += (s.indexOf('?') < 0 ? "?" : "&") + String.join("&", query);
      }
      out.add(Path.of(s));
    }
    String options = group != null ? "--group" : from != null ? "--from" : "--until";
    if (!kafka) {
      throw new BadInputException(
          options + " needs a kafka:// recording (--recording kafka://host:9092/topic)");
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    if (keepHost && rewriteHost) {
      throw new BadInputException("--keep-host and --rewrite-host contradict each other");
    }
    List<Path> recordings = kafkaOptions();
    Connections connections = connections();
    Passes passes = passes();
    Gate gate = gateOptions.gate();
    ReplayConfig config =
        ReplayConfig.of(recordings, candidate, out)
            .withPrimary(primary, secondary)
            .withRules(rules == null ? Rules.defaults() : Rules.load(rules))
            .withConcurrency(concurrency)
            .withPacing(
                pacing == null
                    ? Pacing.asFastAsPossible()
                    : pacing.rate != null
                        ? new Pacing.Rate(pacing.rate)
                        : new Pacing.Speed(pacing.speed))
            .withAllowUnsafe(allowUnsafe)
            .withShard(shard == null ? Shard.ALL : Shard.parse(shard))
            .withExtraHeaders(headers(headers))
            .withKeepHost(keepHost)
            .withTimeouts(
                seconds(connectTimeout, "--connect-timeout"), seconds(timeout, "--timeout"))
            .withGate(gate)
            .withOverwrite(force)
            .withMaxBody(maxBodyBytes())
            .withRedactionKey(RecordCommand.key(redactKeyEnv))
            .withSkipBadLines(skipBadLines)
            .withWarmup(warmup)
            .withIncludeCached(includeCached)
            .withRejudgeBudget(RecordCommand.bytes("--rejudge-budget", rejudgeBudget))
            .withConnections(connections)
            .withPasses(passes);
    if (insecure) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "warning: --insecure: TLS certificates and host names of every https target are not"
              + " verified; whoever sits between Shadow and a target can read and change the traffic");
      err.flush();
    }
    return run(spec, config, history, csv);
  }

  /** {@code --ca-cert}, {@code --insecure}, {@code --client-cert/--client-key}, {@code --http2}. */
  private Connections connections() {
    return connections("--", caCert, insecure, clientCert, clientKey, http2);
  }

  /**
   * How a sender connects, from the options named {@code prefix} + {@code ca-cert}, {@code
   * insecure}, {@code client-cert}, {@code client-key} and {@code http2} (replay's, or the live
   * mirror's {@code --mirror-...}).
   */
  static Connections connections(
      String prefix,
      Path caCert,
      boolean insecure,
      Path clientCert,
      Path clientKey,
      boolean http2) {
    if ((clientCert == null) != (clientKey == null)) {
      throw new BadInputException(
          clientCert == null
              ? prefix + "client-key needs " + prefix + "client-cert (the certificate of that key)"
              : prefix
                  + "client-cert needs "
                  + prefix
                  + "client-key (the certificate's private key)");
    }
    if (insecure && caCert != null) {
      throw new BadInputException(
          prefix
              + "insecure and "
              + prefix
              + "ca-cert contradict each other: "
              + prefix
              + "insecure trusts any certificate; give "
              + prefix
              + "ca-cert alone to trust your CA and still verify");
    }
    Connections c = Connections.defaults().withInsecure(insecure).withHttp2(http2);
    if (caCert != null) {
      c = c.withCaCert(caCert, prefix + "ca-cert");
    }
    if (clientCert != null) {
      c =
          c.withClientCertificate(
              Connections.ClientCertificate.read(
                  clientCert, clientKey, prefix + "client-cert", prefix + "client-key"));
    }
    return c;
  }

  /** {@code --loop N} or {@code --duration D}. */
  private Passes passes() {
    if (loop != null && duration != null) {
      throw new BadInputException(
          "--loop and --duration contradict each other: --loop N replays N whole passes,"
              + " --duration D replays pass after pass until D has passed; give one of them");
    }
    if (duration != null) {
      try {
        return Passes.forDuration(Trigger.parseDuration(duration));
      } catch (BadInputException e) {
        throw new BadInputException(
            e.getMessage().startsWith("--duration")
                ? e.getMessage()
                : "--duration: " + e.getMessage(),
            e);
      }
    }
    return loop == null ? Passes.once() : Passes.loop(loop);
  }

  private int maxBodyBytes() {
    long bytes = RecordCommand.bytes("--max-body", maxBody);
    if (bytes < 1 || bytes > 1L << 30) {
      throw new BadInputException("--max-body must be between 1 byte and 1GiB, got " + maxBody);
    }
    return (int) bytes;
  }

  static Duration seconds(double s, String flag) {
    if (!(s > 0)) {
      throw new BadInputException(flag + " must be a positive number of seconds");
    }
    return Duration.ofMillis((long) (s * 1000));
  }

  /** Headers of the connection and the message's framing: Shadow sets them for every request. */
  private static final java.util.Set<String> FRAMING =
      java.util.Set.of(
          "content-length",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "upgrade",
          "te",
          "trailer",
          "proxy-connection");

  /** {@code --header NAME=VALUE} flags as headers. */
  static Headers headers(List<String> flags) {
    List<String> pairs = new ArrayList<>();
    for (String h : flags) {
      int eq = h.indexOf('=');
      if (eq <= 0) {
        throw new BadInputException("--header must look like NAME=VALUE, got \"" + h + "\"");
      }
      String name = h.substring(0, eq).strip();
      String value = h.substring(eq + 1);
      if (!HeaderNames.isToken(name)) {
        throw new BadInputException(
            "--header: \""
                + name
                + "\" is no header name (letters, digits and !#$%&'*+-.^_`|~ only)");
      }
      if (FRAMING.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        throw new BadInputException(
            "--header "
                + name
                + ": Shadow frames every request itself (Content-Length, Transfer-Encoding,"
                + " Connection...): this header cannot be set");
      }
      if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        throw new BadInputException(
            "--header " + name + ": the value holds a line break or NUL, which no header can");
      }
      pairs.add(name);
      pairs.add(value);
    }
    return Headers.of(pairs.toArray(String[]::new));
  }

  /** Runs a replay with a terminal progress line and Ctrl-C handling; prints the table. */
  static int run(CommandSpec spec, ReplayConfig config, Path history, CsvOptions csv)
      throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // the CSV and the HTML report are written by the replay itself, from its results, before its
    // summary: each file once
    Reports.Options options = Reports.Options.defaults().withHistory(history);
    boolean newHistory = history != null && !Files.exists(history);
    if (history != null) {
      History.requireUsable(history); // before anything is sent
    }
    config = config.withOutputs(Reports.outputs(csv == null ? options : csv.applyTo(options)));
    Replayer replayer = new Replayer(config);
    CountDownLatch reported = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              replayer.stop();
              try {
                replayer.awaitFinished(Duration.ofSeconds(60));
                reported.await(
                    60,
                    TimeUnit
                        .SECONDS); // the report of the (incomplete) run is written before the JVM
                // exits
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "shadow-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    ReplayResult r;
    try {
      r =
          replayer.run(
              System.console() != null ? progressLine(err, replayer::endsAt) : ShadowListener.NONE);
    } catch (RuntimeException | Error e) {
      reported.countDown(); // no summary will come: a stop under way does not wait for one
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook waits for the summary
      }
    }
    if (System.console() != null) {
      err.print("\r\033[K");
      err.flush();
    }
    try {
      r.warnings().forEach(w -> err.println("warning: " + Terminal.safe(w)));
      RunReport.print(out, r);
      out.println("report: " + config.out().resolve(Reports.HTML).toAbsolutePath());
      out.println(
          "also:   "
              + r.summaryFile()
              + ", "
              + config.out().resolve(Reports.CSV)
              + ", "
              + r.resultsFile());
      if (history != null) {
        Path entry = History.store(history, r.summaryFile());
        out.println("history: stored as " + entry + (newHistory ? " (new history directory)" : ""));
      }
    } finally {
      reported.countDown();
    }
    if (r.internalError() != null) {
      err.println(
          "error: internal error: "
              + Terminal.safe(r.internalError())
              + " (the run is incomplete and its gate failed;"
              + " its summary and report show what was compared before)");
      return Shadow.INTERNAL_ERROR;
    }
    return r.passed() ? Shadow.OK : Shadow.FAILED;
  }

  static ShadowListener progressLine(PrintWriter err) {
    return progressLine(err, () -> null);
  }

  /**
   * A progress line on the terminal; {@code endsAt} gives when a {@code --duration} run stops
   * (null otherwise): its line shows the time left instead of an ETA.
   */
  static ShadowListener progressLine(PrintWriter err, Supplier<Instant> endsAt) {
    return new ShadowListener() {
      @Override
      public void progress(long done, long total, long discrepant, double perSecond) {
        Instant end = endsAt.get();
        String eta =
            end != null
                ? String.format(
                    Locale.ROOT,
                    ", %ds left",
                    Math.max(0, Duration.between(Instant.now(), end).toSeconds()))
                : total > 0 && perSecond > 0 && done < total
                    ? String.format(Locale.ROOT, ", ETA %ds", (long) ((total - done) / perSecond))
                    : "";
        // noise is judged over the whole run: the running count is the exchanges that differ beyond
        // this exchange's noise
        err.printf(
            Locale.ROOT,
            "\r\033[K%d/%s exchanges, %.0f/s, %d differing so far (provisional: noise is judged at the end)%s",
            done,
            total >= 0 ? Long.toString(total) : "?",
            perSecond,
            discrepant,
            eta);
        err.flush();
      }
    };
  }
}
