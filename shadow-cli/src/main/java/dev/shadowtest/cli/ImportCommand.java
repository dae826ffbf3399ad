package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.GorImporter;
import dev.shadowtest.core.HarImporter;
import dev.shadowtest.core.ImportOptions;
import dev.shadowtest.core.ImportResult;
import dev.shadowtest.core.Redaction;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
      "0:imported",
      "2:bad input (an unreadable file, an existing output without --force)",
      "3:internal error (a bug)"
    },
    description = {
      "Convert a HAR 1.2 or GoReplay (.gor) file into a Shadow recording.",
      "Credential headers (Authorization, Cookie, Set-Cookie, Proxy-Authorization, X-Api-Key) are redacted unless --no-redact is given.",
      "The output is written 0600 and appears only when the whole input was read.",
      "An existing output file is never overwritten (--force replaces it), and the input file never, even with --force.",
      "Bodies longer than --max-body are cut to it and flagged truncated with their real size, as shadow record does.",
      "--redact FILE redacts more, as shadow record --redact does: headers, JSON paths in bodies, query parameters, patterns."
    },
    footer = {
      "",
      "Examples:",
      "  shadow import --from har session.har --out rec.jsonl",
      "  shadow import --from gor requests_0.gor --out rec.jsonl.gz",
      "  shadow import --from har session.har --out rec.jsonl --redact redact.yaml"
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
          "More redaction, as shadow record --redact: headers, jsonPaths, queryParams, patterns (YAML).")
  Path redact;

  @Option(
      names = "--max-body",
      defaultValue = "10MiB",
      paramLabel = "BYTES",
      description =
          "Bytes of each body kept (default ${DEFAULT-VALUE}, at most 100MiB; beyond, the body is cut and flagged truncated).")
  String maxBody;

  @Option(
      names = "--force",
      description =
          "Replace the output file if it exists (by default an existing file is never overwritten).")
  boolean force;

  @Override
  public Integer call() {
    Redaction redaction =
        noRedact
            ? Redaction.none()
            : redact == null ? Redaction.defaults() : Redaction.load(redact);
    if (noRedact && redact != null) {
      throw new BadInputException("--no-redact and --redact contradict each other");
    }
    long max = RecordCommand.bytes("--max-body", maxBody);
    if (max > ImportOptions.MAX_BODY_LIMIT) {
      throw new BadInputException("--max-body must be at most 100MiB, got \"" + maxBody + "\"");
    }
    ImportOptions options =
        ImportOptions.defaults().withRedaction(redaction).withMaxBody(max).withOverwrite(force);
    ImportResult r =
        from == Format.har
            ? HarImporter.importFile(in, out, options)
            : GorImporter.importFile(in, out, options);
    var err = spec.commandLine().getErr();
    r.warnings().forEach(w -> err.println("warning: " + Terminal.safe(w)));
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
                + (done.patterns().isEmpty() ? "" : "; patterns: " + done.patterns().size()));
    return Shadow.OK;
  }
}
