package dev.shadowtest.cli;

import dev.shadowtest.core.RecordingStats;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.SamplesFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:summarized",
      "2:not a recording, or unreadable lines without --skip-bad-lines",
      "3:internal error (a bug)"
    },
    description = {
      "Summarize a recording (or count the samples of a run).",
      "For a recording: exchanges, time span, methods, statuses, top paths, truncated bodies and exchanges without response.",
      "A run's samples.jsonl.gz is a recording too: its sample exchanges are counted per endpoint.",
      "Exits 2 if the file is not a valid recording."
    },
    footer = {"", "Example:", "  shadow inspect rec.jsonl.gz"})
final class InspectCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The recording (.jsonl or .jsonl.gz), or a topic: kafka://host:9092/topic.")
  Path file;

  @Option(
      names = "--skip-bad-lines",
      description =
          "Exit 0 even when lines could not be read (they are counted and named either way).")
  boolean skipBadLines;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    RecordingStats s = RecordingStats.of(file, w -> err.println("warning: " + Terminal.safe(w)));
    PrintWriter out = spec.commandLine().getOut();
    if (SamplesFile.isSamples(s.header())) {
      return samples(out, err);
    }
    out.printf(
        "%s: %s v%d, source %s, created %s%n",
        file,
        s.header().format(),
        s.header().version(),
        s.header().source().isEmpty() ? "unknown" : Terminal.safe(s.header().source()),
        s.header().createdAt() == null ? "unknown" : s.header().createdAt());
    var redaction = s.header().redaction();
    out.printf(
        "redacted:          %s%n",
        redaction.isEmpty()
            ? "nothing"
            : Terminal.safe(
                String.join(", ", redaction.headers())
                    + (redaction.jsonPaths().isEmpty()
                        ? ""
                        : "; " + String.join(", ", redaction.jsonPaths()))
                    + ImportCommand.jwt(redaction.jwt())));
    out.printf("exchanges:         %d%n", s.exchanges());
    if (s.first() != null) {
      out.printf(
          "time span:         %s .. %s (%s)%n",
          s.first(), s.last(), human(Duration.between(s.first(), s.last())));
    } else {
      out.printf("time span:         unknown%n");
    }
    out.printf("methods:           %s%n", counts(s.methods()));
    out.printf("statuses:          %s%n", counts(s.statuses()));
    out.printf("without response:  %d%n", s.withoutResponse());
    out.printf("truncated bodies:  %d%n", s.truncatedBodies());
    out.printf(
        "not captured:      %d (exchanges with a body the tool that wrote the input left out)%n",
        s.notCapturedBodies());
    if (!s.importTags().isEmpty()) {
      out.printf("import decisions:  %s%n", Terminal.safe(counts(s.importTags())));
    }
    out.printf("unreadable lines:  %d%n", s.unreadable());
    out.printf(
        "top paths%s:%n",
        s.pathsExact()
            ? ""
            : " (approximate: more than " + RecordingStats.MAX_DISTINCT_PATHS + " distinct paths)");
    for (Map.Entry<String, Long> p : s.topPaths()) {
      out.printf("  %8d  %s%n", p.getValue(), Terminal.safe(p.getKey()));
    }
    if (s.unreadable() > 0 && !skipBadLines) {
      err.println(
          "error: "
              + file
              + ": "
              + s.unreadable()
              + " line(s) could not be read (named above; everything else was"
              + " read): the recording is damaged; --skip-bad-lines accepts it");
      return Shadow.BAD_INPUT;
    }
    return Shadow.OK;
  }

  /** A run's samples file: the discrepant exchanges kept side by side, counted per endpoint. */
  private int samples(PrintWriter out, PrintWriter err) {
    Map<String, SamplesFile.Sample> samples =
        SamplesFile.readFile(file, w -> err.println("warning: " + Terminal.safe(w)));
    Map<String, Long> byRequest = new TreeMap<>();
    Endpoints endpoints = new Endpoints(Rules.defaults());
    samples
        .values()
        .forEach(
            x ->
                byRequest.merge(
                    endpoints.of(x.baseline().request().method(), x.baseline().request().target()),
                    1L,
                    Long::sum));
    out.printf(
        "%s: the samples of a run (not a recording of traffic): %d sample exchange(s), each with its baseline%n",
        file, samples.size());
    out.printf(
        "and candidate response, kept for report.html (at most %d per endpoint and verdict, %d in all).%n",
        SamplesFile.PER_ENDPOINT, SamplesFile.MAX_SAMPLES);
    for (Map.Entry<String, Long> e : byRequest.entrySet()) {
      out.printf("  %8d  %s%n", e.getValue(), Terminal.safe(e.getKey()));
    }
    return Shadow.OK;
  }

  /** {@code name count, name count...} with terminal-safe names, or "-" for none. */
  static String counts(Map<String, Long> m) {
    return m.isEmpty()
        ? "-"
        : m.entrySet().stream()
            .map(e -> Terminal.safe(e.getKey()) + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return d.toMillis() / 1000.0 + "s";
    }
    return (s >= 3600 ? s / 3600 + "h" : "") + (s % 3600) / 60 + "m" + s % 60 + "s";
  }
}
