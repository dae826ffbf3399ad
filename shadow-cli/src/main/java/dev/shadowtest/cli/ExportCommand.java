package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.HarExporter;
import dev.shadowtest.core.ImportResult;
import dev.shadowtest.core.RecordingCopy;
import dev.shadowtest.core.RecordingHeader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:exported",
      "2:bad input (unreadable lines without --skip-bad-lines, an existing output without --force)",
      "3:internal error (a bug)"
    },
    description = {
      "Convert a Shadow recording into a HAR 1.2 file, or copy it between a file and a Kafka topic.",
      "--to har writes HAR for DevTools and HAR viewers; --to recording copies a file to a topic (kafka://host:9092/topic)",
      "to publish it, or a topic to a file, keeping what was redacted.",
      "The output is written 0600 and appears only when the whole recording was read.",
      "An existing output file is never overwritten (--force replaces it), and the recording never, even with --force."
    },
    footer = {
      "",
      "Examples:",
      "  shadow export --to har rec.jsonl --out rec.har",
      "  shadow export --to recording rec.jsonl.gz --out kafka://broker:9092/traffic",
      "  shadow export --to recording kafka://broker:9092/traffic --out traffic.jsonl.gz"
    })
final class ExportCommand implements Callable<Integer> {

  enum Format {
    har,
    recording
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "har",
      description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format to;

  @Parameters(
      index = "0",
      paramLabel = "IN",
      description =
          "The recording (.jsonl or .jsonl.gz, or kafka://host:9092/topic with --to recording).")
  String in;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "OUT",
      description =
          "HAR file to write, or with --to recording a recording file or kafka://host:9092/topic.")
  String out;

  @Option(
      names = "--force",
      description =
          "Replace the output file if it exists (by default an existing file is never overwritten).")
  boolean force;

  @Option(
      names = "--recording-version",
      paramLabel = "N",
      description =
          "With --to recording: the recording format version written, 1 (every line is JSON) or 2 (bodies stored raw: replays large bodies several times faster); default: the input's.")
  Integer recordingVersion;

  @Option(
      names = "--skip-bad-lines",
      description =
          "Export the readable exchanges of a recording with unreadable lines (by default it is refused).")
  boolean skipBadLines;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    if (to == Format.recording) {
      if (recordingVersion != null) {
        RecordingHeader.checkVersion(recordingVersion, "--recording-version");
      }
      RecordingCopy.Result copied =
          RecordingCopy.copy(
              in,
              out,
              force,
              skipBadLines,
              recordingVersion == null ? 0 : recordingVersion,
              w -> err.println("warning: " + Terminal.safe(w)));
      spec.commandLine()
          .getOut()
          .printf("exported %d exchange(s) from %s into %s%n", copied.exchanges(), in, out);
      return Shadow.OK;
    }
    if (recordingVersion != null) {
      throw new BadInputException("--recording-version is for --to recording");
    }
    ImportResult r =
        HarExporter.exportFile(
            Path.of(in),
            Path.of(out),
            force,
            skipBadLines,
            w -> err.println("warning: " + Terminal.safe(w)));
    spec.commandLine()
        .getOut()
        .printf("exported %d exchange(s) from %s into %s%n", r.exchanges(), in, out);
    return Shadow.OK;
  }
}
