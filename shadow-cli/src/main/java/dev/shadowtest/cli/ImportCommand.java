package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.GorFollower;
import dev.shadowtest.core.GorImporter;
import dev.shadowtest.core.HarImporter;
import dev.shadowtest.core.ImportOptions;
import dev.shadowtest.core.ImportResult;
import dev.shadowtest.core.RecordingCopy;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.Redaction;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:imported (with --follow: stopped by SIGINT/SIGTERM or --follow-until-idle)",
      "2:bad input (an unreadable file, an existing output without --force, a capture that is not GoReplay)",
      "3:internal error (a bug)"
    },
    description = {
      "Convert a HAR 1.2 or GoReplay (.gor) file into a Shadow recording.",
      "Credential headers (Authorization, Cookie, Set-Cookie, Proxy-Authorization, X-Api-Key) are redacted unless --no-redact is given.",
      "The output is written 0600 and appears only when the whole input was read (with --follow: at once, and grows).",
      "An existing output file is never overwritten (--force replaces it), and the input file never, even with --force.",
      "Bodies longer than --max-body are cut to it and flagged truncated with their real size, as shadow record does.",
      "--redact FILE redacts more, as shadow record --redact does: headers, JSON paths in bodies, query parameters, patterns.",
      "--keep-jwt-claims keeps the header and claims of a JWT in Authorization and drops only its signature (Bearer <header>.<claims>.REDACTED): what replay's resignJwt transform needs.",
      "",
      "--follow (GoReplay only) keeps reading IN as GoReplay writes it, like tail -F: passive capture with nothing of Shadow on the live path.",
      "A payload is imported once its separator is written; a request waits --response-wait seconds for its response, then is written without one.",
      "It follows GoReplay's numbered chunks (requests_0.gor, requests_1.gor...), a file renamed away and created again, and a truncation.",
      "The recording is written as it goes (flushed when the capture pauses and at least every second: readable meanwhile) and closed complete on SIGINT/SIGTERM or after --follow-until-idle.",
      "A capture that does not exist yet is waited for."
    },
    footer = {
      "",
      "Examples:",
      "  shadow import --from har session.har --out rec.jsonl",
      "  shadow import --from gor requests_0.gor --out rec.jsonl.gz",
      "  shadow import --from har session.har --out rec.jsonl --redact redact.yaml",
      "  gor --input-raw :8080 --output-file /var/capture/requests.gor &",
      "  shadow import --from gor --follow /var/capture/requests_0.gor --out rec.jsonl.gz"
    })
final class ImportCommand implements Callable<Integer> {

  enum Format {
    har,
    gor
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "har|gor",
      description = "Input format: ${COMPLETION-CANDIDATES}.")
  Format from;

  @Parameters(
      index = "0",
      paramLabel = "IN",
      description = "The HAR or .gor file (gzip-compressed is fine).")
  Path in;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Recording to write (.jsonl, or .jsonl.gz for gzip).")
  Path out;

  @Option(
      names = "--no-redact",
      description = "Keep credential headers as they are (the recording will hold secrets).")
  boolean noRedact;

  @Option(
      names = "--redact",
      paramLabel = "FILE",
      description =
          "More redaction, as shadow record --redact: headers, jsonPaths, queryParams, patterns, jwt (YAML).")
  Path redact;

  @Option(
      names = "--keep-jwt-claims",
      description =
          "Keep the header and claims of a JWT in Authorization, dropping only its signature (Bearer <header>.<claims>.REDACTED), for replay's resignJwt; as jwt: {headers: [Authorization]} in a --redact file.")
  boolean keepJwtClaims;

  @Option(
      names = "--max-body",
      defaultValue = "10MiB",
      paramLabel = "BYTES",
      description =
          "Bytes of each body kept (default ${DEFAULT-VALUE}, at most 100MiB; beyond, the body is cut and flagged truncated).")
  String maxBody;

  @Option(
      names = "--recording-version",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Recording format version written: 1 (default; every line is JSON) or 2 (bodies stored raw after each line's JSON: replays large bodies several times faster; docs/recording-format.md).")
  int recordingVersion;

  @Option(
      names = "--force",
      description =
          "Replace the output file if it exists (by default an existing file is never overwritten).")
  boolean force;

  @Option(
      names = "--follow",
      description =
          "Keep reading IN as GoReplay writes it, rotations included, until SIGINT/SIGTERM or --follow-until-idle (--from gor only).")
  boolean follow;

  @Option(
      names = "--follow-until-idle",
      paramLabel = "SECONDS",
      description =
          "With --follow: stop when the capture got no new byte for this long (decimals allowed; default: only on SIGINT/SIGTERM).")
  Double untilIdle;

  @Option(
      names = "--response-wait",
      paramLabel = "SECONDS",
      description =
          "With --follow: how long a request waits for its response before it is written without one (default 30).")
  Double responseWait;

  @Option(
      names = "--stats-every",
      paramLabel = "SECONDS",
      description =
          "With --follow: print the counters on stderr every SECONDS (default 10, 0 for only at the end).")
  Integer statsEvery;

  @Override
  public Integer call() {
    Redaction redaction =
        noRedact
            ? Redaction.none()
            : redact == null ? Redaction.defaults() : Redaction.load(redact);
    if (noRedact && redact != null) {
      throw new BadInputException("--no-redact and --redact contradict each other");
    }
    if (noRedact && keepJwtClaims) {
      throw new BadInputException("--no-redact and --keep-jwt-claims contradict each other");
    }
    if (keepJwtClaims) {
      redaction = redaction.keepingJwtClaims();
    }
    RecordingHeader.checkVersion(recordingVersion, "--recording-version");
    long max = RecordCommand.bytes("--max-body", maxBody);
    if (max > ImportOptions.MAX_BODY_LIMIT) {
      throw new BadInputException("--max-body must be at most 100MiB, got \"" + maxBody + "\"");
    }
    ImportOptions options =
        ImportOptions.defaults()
            .withRedaction(redaction)
            .withMaxBody(max)
            .withOverwrite(force)
            .withRecordingVersion(recordingVersion);
    boolean toFile = ExchangeStorage.file(out.toString()) != null;
    if (follow) {
      if (!toFile) {
        throw new BadInputException("--follow writes a recording file, not " + out);
      }
      return follow(options);
    }
    refuseFollowOptions();
    var err = spec.commandLine().getErr();
    if (!toFile) {
      return publish(options);
    }
    ImportResult r =
        from == Format.har
            ? HarImporter.importFile(in, out, options)
            : GorImporter.importFile(in, out, options);
    r.warnings().forEach(w -> err.println("warning: " + Terminal.safe(w)));
    print(r, options);
    return Shadow.OK;
  }

  /**
   * An import into a topic ({@code --out kafka://...}): imported into a private temporary file
   * first (redacted, checked, every repair tagged, as into a file), then published whole.
   */
  private int publish(ImportOptions options) {
    var err = spec.commandLine().getErr();
    Path dir;
    try {
      dir =
          Files.createTempDirectory(
              "shadow-import-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new BadInputException(
          "cannot create a temporary file to import into: " + e.getMessage());
    }
    Path temp = dir.resolve("import.jsonl.gz");
    try {
      ImportResult r =
          from == Format.har
              ? HarImporter.importFile(in, temp, options)
              : GorImporter.importFile(in, temp, options);
      r.warnings().forEach(w -> err.println("warning: " + Terminal.safe(w)));
      RecordingCopy.copy(
          temp.toString(),
          out.toString(),
          false,
          false,
          w -> err.println("warning: " + Terminal.safe(w)));
      print(
          new ImportResult(
              out,
              r.exchanges(),
              r.withoutResponse(),
              r.warnings(),
              r.skipped(),
              r.adjusted(),
              r.adjustedExchanges()),
          options);
      return Shadow.OK;
    } finally {
      try {
        Files.deleteIfExists(temp);
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        // an owner-only temporary directory left behind
      }
    }
  }

  private void refuseFollowOptions() {
    if (untilIdle != null || responseWait != null || statsEvery != null) {
      throw new BadInputException(
          (untilIdle != null
                  ? "--follow-until-idle"
                  : responseWait != null ? "--response-wait" : "--stats-every")
              + " applies to --follow only");
    }
  }

  /** --follow: until SIGINT/SIGTERM (a shutdown hook stops the follow and waits for the recording to be closed) or idle. */
  private int follow(ImportOptions options) {
    if (from != Format.gor) {
      throw new BadInputException(
          "--follow needs --from gor: a HAR file is written whole at the end of a session, a GoReplay capture as traffic flows");
    }
    GorFollower.Options settings = GorFollower.Options.defaults();
    if (untilIdle != null) {
      settings = settings.withUntilIdle(seconds("--follow-until-idle", untilIdle));
    }
    if (responseWait != null) {
      settings = settings.withResponseWait(seconds("--response-wait", responseWait));
    }
    if (statsEvery != null) {
      if (statsEvery < 0) {
        throw new BadInputException(
            "--stats-every must be 0 (only at the end) or a number of seconds, got " + statsEvery);
      }
      settings = settings.withProgressEvery(Duration.ofSeconds(statsEvery));
    }
    GorFollower follower = GorFollower.create(in, out, options, settings);
    PrintWriter err = spec.commandLine().getErr();
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              err.println(
                  "shadow import: stopping (writing held requests, closing the recording)...");
              err.flush();
              follower.stop();
              try {
                closed.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "shadow-import-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    err.println(
        "shadow import: following "
            + in
            + (Files.exists(in) ? "" : " (not there yet: waiting for it)")
            + " into "
            + out
            + "; stop with Ctrl-C or SIGTERM"
            + (untilIdle == null ? "" : ", or after " + untilIdle + " s without new data"));
    err.flush();
    ImportResult r;
    try {
      r =
          follower.run(
              p -> {
                err.println("shadow import: " + p);
                err.flush();
              },
              w -> {
                err.println("warning: " + Terminal.safe(w));
                err.flush();
              });
      print(r, options);
      spec.commandLine().getOut().flush();
    } catch (RuntimeException e) {
      if (Files.exists(out)) {
        err.println(
            "shadow import: the recording " + out + " keeps what was written before the error");
      }
      throw e;
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook has seen the recording closed
      }
    }
    return Shadow.OK;
  }

  private static Duration seconds(String flag, double s) {
    if (!(s > 0) || s > 1e9) {
      throw new BadInputException(flag + " must be a positive number of seconds, got " + s);
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  private void print(ImportResult r, ImportOptions options) {
    var stdout = spec.commandLine().getOut();
    stdout.printf(
        "imported %d exchange(s) from %s into %s%s%n",
        r.exchanges(),
        in,
        out,
        r.withoutResponse() > 0 ? " (" + r.withoutResponse() + " without response)" : "");
    if (!r.skipped().isEmpty()) {
      stdout.printf(
          "skipped %d entr%s: %s%n",
          r.skippedTotal(),
          r.skippedTotal() == 1 ? "y" : "ies",
          InspectCommand.counts(r.skipped()));
    }
    if (r.adjustedExchanges() > 0) {
      stdout.printf(
          "adjusted %d exchange(s) on import (tags): %s%n",
          r.adjustedExchanges(), InspectCommand.counts(r.adjusted()));
    }
    if (!r.warnings().isEmpty()) {
      stdout.printf("%d warning(s) (on stderr)%n", r.warnings().size());
    }
    Redaction done = options.applied();
    stdout.println(
        done.isEmpty()
            ? "redaction: none (--no-redact)"
            : "redacted headers: "
                + String.join(", ", done.headers())
                + (done.jsonPaths().isEmpty()
                    ? ""
                    : "; JSON paths: " + String.join(", ", done.jsonPaths()))
                + (done.queryParams().isEmpty()
                    ? ""
                    : "; query parameters: " + String.join(", ", done.queryParams()))
                + (done.patterns().isEmpty() ? "" : "; patterns: " + done.patterns().size())
                + jwt(done.jwt()));
  }

  /** How a redaction keeps JSON Web Tokens, for a summary line; empty when it keeps none. */
  static String jwt(Redaction.Jwt jwt) {
    return jwt.isEmpty()
        ? ""
        : "; JWT claims kept (signature dropped): "
            + String.join(", ", jwt.headers())
            + (jwt.sensitiveClaims().isEmpty()
                ? ""
                : " (sensitive claims: " + String.join(", ", jwt.sensitiveClaims()) + ")");
  }
}
