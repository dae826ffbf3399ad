package dev.shadowtest.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.SummaryJson;
import dev.shadowtest.reports.internal.DiscrepancyCsv;
import dev.shadowtest.reports.internal.HtmlReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The outputs of a run directory, (re)built from its {@code results.jsonl.gz}:
 * {@code summary.json} (the contract in docs/summary-format.md),
 * {@code discrepancies.csv} and the self-contained {@code report.html}; optionally the summary
 * is also stored in a history directory for the multi-day gate ({@link GateCheck}).
 *
 * <pre>{@code
 * Reports.Written w = Reports.write(runDir, Reports.Options.defaults().withHistory(historyDir));
 * System.out.println("report: " + w.html());
 * }</pre>
 */
public final class Reports {

  public static final String SUMMARY = "summary.json";
  public static final String CSV = "discrepancies.csv";
  public static final String HTML = "report.html";
  public static final String RESULTS = "results.jsonl.gz";
  public static final String RULES = "rules.yaml";

  private Reports() {}

  /**
   * What to write and how to judge it.
   *
   * @param out                where the three files go; null for the run directory itself
   * @param rules              rules to judge by; null for the run's own copy ({@code rules.yaml}) or the defaults
   * @param gate               thresholds; null for the ones the run's summary.json recorded, else the defaults
   * @param history            a history directory to store the summary in (and read the trend from), or null
   * @param samplesPerEndpoint sample exchanges shown side by side per endpoint in the HTML report
   * @param csvRows            the layout of discrepancies.csv
   * @param csvMaxRows         rows written to discrepancies.csv at most (a last row says how many were left out)
   */
  public record Options(
      Path out,
      Rules rules,
      Gate gate,
      Path history,
      int samplesPerEndpoint,
      CsvRows csvRows,
      long csvMaxRows) {
    public Options {
      if (samplesPerEndpoint < 0 || samplesPerEndpoint > SamplesFile.PER_ENDPOINT * 10) {
        throw new BadInputException(
            "samplesPerEndpoint must be between 0 and " + SamplesFile.PER_ENDPOINT * 10);
      }
      Objects.requireNonNull(csvRows, "csvRows");
      if (csvMaxRows < 1) {
        throw new BadInputException("--csv-max-rows must be at least 1, got " + csvMaxRows);
      }
    }

    public static Options defaults() {
      return new Options(
          null,
          null,
          null,
          null,
          SamplesFile.PER_ENDPOINT,
          CsvRows.EXACT,
          DiscrepancyCsv.DEFAULT_MAX_ROWS);
    }

    /** The fields of a copy being changed. */
    public static final class Builder {
      public Path out;
      public Rules rules;
      public Gate gate;
      public Path history;
      public int samplesPerEndpoint;
      public CsvRows csvRows;
      public long csvMaxRows;

      private Builder(Options o) {
        out = o.out;
        rules = o.rules;
        gate = o.gate;
        history = o.history;
        samplesPerEndpoint = o.samplesPerEndpoint;
        csvRows = o.csvRows;
        csvMaxRows = o.csvMaxRows;
      }
    }

    /** A copy with the changes {@code change} makes: the one place that copies every field. */
    public Options with(Consumer<Builder> change) {
      Builder b = new Builder(this);
      change.accept(b);
      return new Options(
          b.out, b.rules, b.gate, b.history, b.samplesPerEndpoint, b.csvRows, b.csvMaxRows);
    }

    public Options withOut(Path dir) {
      return with(b -> b.out = dir);
    }

    /** Rules to judge by: they must judge like the run's own (only gate thresholds may differ). */
    public Options withRules(Rules r) {
      return with(b -> b.rules = r);
    }

    public Options withGate(Gate g) {
      return with(b -> b.gate = g);
    }

    public Options withHistory(Path dir) {
      return with(b -> b.history = dir);
    }

    public Options withCsvRows(CsvRows rows) {
      return with(b -> b.csvRows = rows);
    }

    public Options withCsvMaxRows(long rows) {
      return with(b -> b.csvMaxRows = rows);
    }
  }

  /** The layout of discrepancies.csv. */
  public enum CsvRows {
    /** One row per difference of every discrepant exchange (the default). */
    EXACT,
    /** One row per field and kind of difference per discrepant exchange, with how many places differed. */
    GROUPED
  }

  /**
   * What was written.
   *
   * @param historyEntry the summary's copy in the history, or null without a history
   * @param result       the run's counts (endpoints collapsed)
   * @param gateFailures why the gate failed; empty when it passed
   * @param warnings     problems worth telling (e.g. a samples file cut off)
   */
  public record Written(
      Path summary,
      Path csv,
      Path html,
      Path historyEntry,
      Statistics.RunResult result,
      List<String> gateFailures,
      List<String> warnings,
      Map<String, Example> examples) {
    public Written {
      gateFailures = List.copyOf(gateFailures);
      warnings = List.copyOf(warnings);
      examples = Map.copyOf(examples);
    }
  }

  /**
   * The first discrepant exchange of an endpoint, for failure messages.
   *
   * @param request     method and target
   * @param differences its differences that count (not noise)
   */
  public record Example(String id, String request, List<Difference> differences) {
    public Example {
      differences = List.copyOf(differences);
    }
  }

  /** Reads {@code runDir}'s results (and summary.json for what the run was) and writes the outputs. */
  public static Written write(Path runDir, Options options) {
    Path results = runDir.resolve(RESULTS);
    if (!Files.isRegularFile(results)) {
      throw new RecordingException(
          results,
          0,
          Files.isDirectory(runDir)
              ? "missing: " + runDir + " is not a Shadow run directory (no " + RESULTS + ")"
              : "no such run directory: " + runDir);
    }
    Path out = options.out() == null ? runDir : options.out();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new RecordingException(
          out, 0, "cannot create the output directory: " + e.getMessage(), e);
    }
    Rules own = rulesOf(runDir);
    if (options.rules() != null && !options.rules().judgesLike(own)) {
      throw new BadInputException(
          "the rules given differ from the ones "
              + runDir
              + " was judged by ("
              + (own.yaml() == null ? "the defaults" : runDir.resolve(RULES))
              + ") in more than gate thresholds"
              + " (maxDiscrepancyRate): re-judging a stored run with new rules is not supported yet; replay the recording"
              + " again with the new rules, or change only thresholds here");
    }
    Rules rules = options.rules() != null ? options.rules() : own;
    JsonNode previous = previousSummary(runDir.resolve(SUMMARY));
    Gate gate = options.gate() != null ? options.gate() : gateOf(previous, runDir.resolve(SUMMARY));
    SummaryJson.Meta meta = metaOf(previous, results, runDir.resolve(SUMMARY));

    RunAggregate aggregate = new RunAggregate();
    ResultsFile.read(results, aggregate::add);
    RunAggregate.Collapsed c = aggregate.collapse(new Endpoints(rules), rules.noiseModel());
    Function<String, Double> thresholds = e -> threshold(rules, e);
    List<String> failures =
        SummaryJson.failuresOf(meta, gate.failures(c.result(), thresholds, c.p99Ratios()));

    if (!out.equals(runDir) && rules.yaml() != null) {
      try (var o = SecureFiles.newOutputStream(out.resolve(RULES))) {
        o.write(rules.yaml().getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new RecordingException(out.resolve(RULES), 0, "cannot write: " + e.getMessage(), e);
      }
    }
    List<String> warnings = new ArrayList<>();
    Map<String, SamplesFile.Sample> samples = SamplesFile.read(runDir, warnings::add);

    // Every output is written beside its target and moved into place, the summary last: a run
    // interrupted while reporting keeps the summary the replay wrote.
    Path csv = out.resolve(CSV);
    HtmlReport html =
        new HtmlReport(meta, c, gate, failures, thresholds, samples, options.samplesPerEndpoint());
    Judgement judgement = c.judgement();
    Map<String, Example> examples = new TreeMap<>();
    DiscrepancyCsv[] opened = new DiscrepancyCsv[1];
    try (DiscrepancyCsv writer =
        DiscrepancyCsv.create(csv, options.csvRows() == CsvRows.GROUPED, options.csvMaxRows())) {
      opened[0] = writer;
      ResultsFile.read(
          results,
          line -> {
            String endpoint = c.names().getOrDefault(line.endpoint(), line.endpoint());
            Judgement.Judged judged = judgement.judge(endpoint, line.verdict(), line.differences());
            writer.write(line, endpoint, judged);
            html.offer(line, endpoint, judged);
            if (judged.discrepant() && !examples.containsKey(endpoint)) {
              examples.put(
                  endpoint,
                  new Example(
                      line.id(),
                      line.method() + " " + line.target(),
                      line.differences().stream()
                          .filter(d -> judged.standing(d) == Judgement.Standing.COUNTS)
                          .toList()));
            }
          });
    } catch (IOException | UncheckedIOException e) {
      throw new RecordingException(csv, 0, "cannot write: " + e.getMessage(), e);
    }
    if (opened[0] != null && opened[0].omitted() > 0) {
      warnings.add(
          csv
              + " holds the first "
              + options.csvMaxRows()
              + " rows; "
              + opened[0].omitted()
              + " more were left out (raise --csv-max-rows, or use --csv grouped)");
    }

    List<RunSummary> trend = List.of();
    if (options.history() != null
        && Files.exists(options.history())) { // a new history is created below
      try {
        trend = History.runs(options.history());
      } catch (RecordingException e) {
        warnings.add("the trend chart shows this run only: " + e.getMessage());
      }
    }
    Path htmlFile = out.resolve(HTML);
    html.write(htmlFile, options.history() == null ? trend : withThisRun(trend, meta, c.result()));

    Path summary = out.resolve(SUMMARY);
    try {
      SummaryJson.write(summary, meta, c, gate, failures);
    } catch (IOException e) {
      throw new RecordingException(summary, 0, "cannot write: " + e.getMessage(), e);
    }
    Path historyEntry =
        options.history() == null ? null : History.store(options.history(), summary);
    return new Written(
        summary, csv, htmlFile, historyEntry, c.result(), failures, warnings, examples);
  }

  /** The history's runs, with this run in place of an earlier copy of it (it is stored after the report). */
  private static List<RunSummary> withThisRun(
      List<RunSummary> history, SummaryJson.Meta meta, Statistics.RunResult r) {
    String recording = String.join(", ", meta.recordings());
    List<RunSummary> out = new ArrayList<>();
    for (RunSummary s : history) {
      if (!(s.startedAt().equals(meta.startedAt())
          && s.finishedAt().equals(meta.finishedAt())
          && s.candidate().equals(meta.candidate())
          && Objects.equals(s.recording(), recording)
          && Objects.equals(s.shard(), meta.shard()))) {
        out.add(s);
      }
    }
    out.add(
        new RunSummary(
            null,
            meta.startedAt(),
            meta.finishedAt(),
            meta.candidate(),
            recording,
            meta.shard(),
            meta.incomplete(),
            meta.abortReason(),
            r.exchanges(),
            r.compared(),
            r.skipped(),
            r.discrepant(),
            r.errors(),
            r.serverErrors(),
            List.of()));
    out.sort(Comparator.comparing(RunSummary::finishedAt));
    return out;
  }

  /** The per-endpoint gate threshold from the rules, or null. */
  public static Double threshold(Rules rules, String endpoint) {
    try {
      EndpointRule r = rules.ruleForEndpoint(endpoint);
      return r.maxDiscrepancyRate();
    } catch (IllegalArgumentException | BadInputException e) {
      return null;
    }
  }

  private static Rules rulesOf(Path runDir) {
    Path f = runDir.resolve(RULES);
    if (!Files.exists(f)) {
      return Rules.defaults();
    }
    return Rules.load(f);
  }

  private static JsonNode previousSummary(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new RecordingException(file, 0, "not a valid summary: " + e.getMessage(), e);
    }
  }

  private static Gate gateOf(JsonNode summary, Path file) {
    if (summary == null || !summary.path("gate").isObject()) {
      return Gate.defaults();
    }
    JsonNode g = summary.get("gate");
    try {
      return new Gate(
          g.has("maxDiscrepancyRate")
              ? number(g, "maxDiscrepancyRate")
              : Gate.defaults().maxDiscrepancyRate(),
          g.hasNonNull("maxErrorRate") ? number(g, "maxErrorRate") : null,
          g.hasNonNull("maxLatencyRatio") ? number(g, "maxLatencyRatio") : null);
    } catch (IllegalArgumentException | BadInputException e) {
      throw new RecordingException(file, 0, "field \"gate\": " + e.getMessage(), e);
    }
  }

  private static double number(JsonNode g, String field) {
    JsonNode v = g.get(field);
    if (v == null || !v.isNumber()) {
      throw new BadInputException("\"" + field + "\" must be a number, got " + v);
    }
    return v.asDouble();
  }

  /** The gate a run was judged by (its summary.json), or the defaults when it has none. */
  public static Gate recordedGate(Path runDir) {
    return gateOf(previousSummary(runDir.resolve(SUMMARY)), runDir.resolve(SUMMARY));
  }

  /** What the run was: from its summary when it has one, else as much as the results file tells. */
  private static SummaryJson.Meta metaOf(JsonNode s, Path results, Path file) {
    if (s == null) {
      Instant t;
      try {
        t = Files.getLastModifiedTime(results).toInstant();
      } catch (IOException e) {
        t = Instant.EPOCH;
      }
      return new SummaryJson.Meta(
          t, t, List.of("(unknown)"), "(unknown)", null, null, null, false, null, 0);
    }
    return new SummaryJson.Meta(
        instant(s, "startedAt", file),
        instant(s, "finishedAt", file),
        Arrays.asList(s.path("recording").asText("(unknown)").split(", ")),
        s.path("candidate").asText("(unknown)"),
        s.hasNonNull("primary") ? s.get("primary").asText() : null,
        s.hasNonNull("secondary") ? s.get("secondary").asText() : null,
        s.hasNonNull("shard") ? s.get("shard").asText() : null,
        s.path("incomplete").asBoolean(false),
        s.hasNonNull("aborted") ? s.get("aborted").asText() : null,
        s.path("late").asLong(0),
        s.path("unreadable").asLong(0));
  }

  private static Instant instant(JsonNode s, String field, Path file) {
    try {
      return Instant.parse(s.path(field).asText());
    } catch (RuntimeException e) {
      throw new RecordingException(
          file, 0, "field \"" + field + "\": expected an ISO-8601 instant, got " + s.get(field));
    }
  }
}
