package dev.shadowtest.reports;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.Rejudge;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.RunOutputs;
import dev.shadowtest.diff.run.RunView;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.TriggersFile;
import dev.shadowtest.reports.internal.DiscrepancyCsv;
import dev.shadowtest.reports.internal.HtmlReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

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

  public static final String SUMMARY = RunDirectory.SUMMARY;
  public static final String CSV = RunDirectory.CSV;
  public static final String HTML = RunDirectory.HTML;
  public static final String RESULTS = RunDirectory.RESULTS;
  public static final String RULES = RunDirectory.RULES;

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
   * @param outputs            more outputs written beside the built-in ones (a format of one's own)
   */
  public record Options(
      Path out,
      Rules rules,
      Gate gate,
      Path history,
      int samplesPerEndpoint,
      CsvRows csvRows,
      long csvMaxRows,
      List<RunOutput> outputs) {
    public Options {
      outputs = List.copyOf(outputs);
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
          DiscrepancyCsv.DEFAULT_MAX_ROWS,
          List.of());
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
      public List<RunOutput> outputs;

      private Builder(Options o) {
        out = o.out;
        rules = o.rules;
        gate = o.gate;
        history = o.history;
        samplesPerEndpoint = o.samplesPerEndpoint;
        csvRows = o.csvRows;
        csvMaxRows = o.csvMaxRows;
        outputs = o.outputs;
      }
    }

    /** A copy with the changes {@code change} makes: the one place that copies every field. */
    public Options with(Consumer<Builder> change) {
      Builder b = new Builder(this);
      change.accept(b);
      return new Options(
          b.out,
          b.rules,
          b.gate,
          b.history,
          b.samplesPerEndpoint,
          b.csvRows,
          b.csvMaxRows,
          b.outputs);
    }

    public Options withOut(Path dir) {
      return with(b -> b.out = dir);
    }

    /**
     * Rules to judge by: when they judge differently from the run's own, the run is judged again
     * from the responses it kept (refused when it cannot be).
     */
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

    /** More outputs, written after the built-in ones and before the summary. */
    public Options withOutputs(List<RunOutput> o) {
      return with(b -> b.outputs = o);
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
   * @param rejudged     what re-judging did, when the rules given judged differently; else null
   */
  public record Written(
      Path summary,
      Path csv,
      Path html,
      Path historyEntry,
      Statistics.RunResult result,
      List<String> gateFailures,
      List<String> warnings,
      Map<String, Example> examples,
      String rejudged) {
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

  /**
   * Reads {@code runDir}'s results (and summary.json for what the run was) and writes the outputs.
   * With rules that judge differently from the run's own, the run is judged again from the
   * responses it kept ({@link Rejudge}; refused with a reason when it cannot be), and its results
   * and rules copy are replaced by the new ones in the output directory.
   */
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
    boolean created = !Files.exists(out);
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new RecordingException(
          out, 0, "cannot create the output directory: " + e.getMessage(), e);
    }
    Rules own = RunDirectory.rulesOf(runDir);
    Rules rules = options.rules() != null ? options.rules() : own;
    List<String> warnings = new ArrayList<>();
    Path rejudged = null;
    String rejudgedNote = null;
    if (!rules.judgesLike(own)) {
      rejudged = SecureFiles.temporarySibling(out.resolve(RESULTS));
      Rejudge.Counts n;
      try {
        n = Rejudge.run(runDir, own, rules, rejudged);
      } catch (RuntimeException e) {
        if (created) {
          try {
            Files.deleteIfExists(out); // refused: no empty output directory left behind
          } catch (IOException ignored) {
            // not empty after all: left as it is
          }
        }
        throw e;
      }
      rejudgedNote =
          "re-judged "
              + n.lines()
              + " exchanges with the new rules from the responses the run kept ("
              + n.changed()
              + " changed verdict); "
              + out.resolve(RESULTS)
              + " and "
              + out.resolve(RULES)
              + " now hold the new judgement";
    }
    SummaryFile previous =
        Files.exists(runDir.resolve(SUMMARY))
            ? SummaryFile.readMeta(runDir.resolve(SUMMARY))
            : null;
    Gate gate =
        options.gate() != null
            ? options.gate()
            : previous == null || previous.gate() == null ? Gate.defaults() : previous.gate();
    SummaryJson.Meta meta = metaOf(previous, results);
    Path judged = rejudged != null ? rejudged : results;
    try {
      RunAggregate aggregate = new RunAggregate();
      String cut = ResultsFile.readRecovering(judged, aggregate::add);
      if (cut != null) {
        warnings.add(cut + ": the outputs cover the exchanges before it");
      }
      RunAggregate.Collapsed c = aggregate.collapse(new Endpoints(rules), rules.noiseModel());
      RunView view = RunView.judged(runDir, out, meta, c, gate, rules);
      List<String> failures = view.failures();
      if (!out.equals(runDir) || rejudged != null) {
        RunDirectory.writeRules(out, rules);
      }
      if (rejudged != null && !out.equals(runDir)) {
        copy(runDir, out, RunDirectory.RESPONSES);
        copy(runDir, out, RunDirectory.SAMPLES);
      }

      // Every output is written beside its target and moved into place, the summary last: a run
      // interrupted while reporting keeps the summary the replay wrote.
      Examples examples = new Examples();
      List<RunOutput> outputs = new ArrayList<>(outputs(options));
      outputs.add(examples);
      outputs.addAll(options.outputs());
      outputs.add(RunOutputs.summary());
      RunOutputs.write(view, judged, outputs);
      for (RunOutput o : outputs) {
        warnings.addAll(o.warnings());
      }
      if (rejudged != null) {
        SecureFiles.commit(rejudged, out.resolve(RESULTS));
        rejudged = null;
      }
      Path summary = out.resolve(SUMMARY);
      Path historyEntry =
          options.history() == null ? null : History.store(options.history(), summary);
      return new Written(
          summary,
          out.resolve(CSV),
          out.resolve(HTML),
          historyEntry,
          c.result(),
          failures,
          warnings,
          examples.examples(),
          rejudgedNote);
    } catch (IOException e) {
      throw new RecordingException(out, 0, "cannot write: " + e.getMessage(), e);
    } finally {
      if (rejudged != null) {
        try {
          Files.deleteIfExists(rejudged);
        } catch (IOException e) {
          // an owner-only temporary file left at worst
        }
      }
    }
  }

  private static void copy(Path from, Path to, String name) throws IOException {
    Path f = from.resolve(name);
    if (Files.isRegularFile(f)) {
      Path temp = SecureFiles.temporarySibling(to.resolve(name));
      try (var in = Files.newInputStream(f);
          var o = SecureFiles.newOutputStream(temp)) {
        in.transferTo(o);
      }
      SecureFiles.commit(temp, to.resolve(name));
    }
  }

  /**
   * New instances of the built-in outputs besides the summary, {@code discrepancies.csv} and
   * {@code report.html}, as {@code options} lay them out: for writers of run directories other
   * than {@link #write} (the recorder's live mirror).
   */
  public static List<RunOutput> outputs(Options options) {
    return List.of(
        new CsvOutput(options.csvRows() == CsvRows.GROUPED, options.csvMaxRows()),
        new HtmlOutput(options.samplesPerEndpoint(), options.history()));
  }

  /** discrepancies.csv as an output. */
  private static final class CsvOutput implements RunOutput {
    private final boolean grouped;
    private final long maxRows;
    private DiscrepancyCsv writer;
    private Path file;

    CsvOutput(boolean grouped, long maxRows) {
      this.grouped = grouped;
      this.maxRows = maxRows;
    }

    @Override
    public String fileName() {
      return CSV;
    }

    @Override
    public void begin(RunView run) throws IOException {
      file = run.out().resolve(CSV);
      writer = DiscrepancyCsv.create(file, grouped, maxRows);
    }

    @Override
    public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
      writer.write(line, endpoint, judged);
    }

    @Override
    public Path finish() throws IOException {
      writer.close();
      return file;
    }

    @Override
    public List<String> warnings() {
      return writer == null || writer.omitted() == 0
          ? List.of()
          : List.of(
              file
                  + " holds the first "
                  + maxRows
                  + " rows; "
                  + writer.omitted()
                  + " more were left out (raise --csv-max-rows, or use --csv grouped)");
    }
  }

  /** report.html as an output, with the trend from a history directory when there is one. */
  private static final class HtmlOutput implements RunOutput {
    private final int perEndpoint;
    private final Path history;
    private final List<String> warnings = new ArrayList<>();
    private HtmlReport html;
    private RunView run;

    HtmlOutput(int perEndpoint, Path history) {
      this.perEndpoint = perEndpoint;
      this.history = history;
    }

    @Override
    public List<String> warnings() {
      return warnings;
    }

    @Override
    public String fileName() {
      return HTML;
    }

    @Override
    public void begin(RunView r) {
      run = r;
      Map<String, SamplesFile.Sample> samples = SamplesFile.read(r.runDir(), warnings::add);
      html =
          new HtmlReport(
              r.meta(),
              r.collapsed(),
              r.gate(),
              r.failures(),
              r.thresholds(),
              samples,
              triggerEvents(r.runDir()),
              perEndpoint);
    }

    /** The events of the run's rollback triggers, when a live run wrote some. */
    private List<TriggerEvent> triggerEvents(Path runDir) {
      Path file = runDir.resolve(RunDirectory.TRIGGERS);
      if (!Files.exists(file)) {
        return List.of();
      }
      try {
        return TriggersFile.read(file, warnings::add);
      } catch (RecordingException e) {
        warnings.add("the report shows no rollback triggers: " + e.getMessage());
        return List.of();
      }
    }

    @Override
    public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
      html.offer(line, endpoint, judged);
    }

    @Override
    public Path finish() {
      List<SummaryFile> trend = List.of();
      if (history != null && Files.exists(history)) { // a new history is created below
        try {
          trend = History.runs(history);
        } catch (RecordingException e) {
          warnings.add("the trend chart shows this run only: " + e.getMessage());
        }
      }
      Path file = run.out().resolve(HTML);
      html.write(
          file, history == null ? trend : withThisRun(trend, run.meta(), run.collapsed().result()));
      return file;
    }
  }

  /** A new output collecting the first discrepant exchange of each endpoint (it writes no file). */
  public static Examples examples() {
    return new Examples();
  }

  /** The first discrepant exchange of each endpoint, for failure messages (writes no file). */
  public static final class Examples implements RunOutput {
    private final Map<String, Example> examples = new TreeMap<>();

    private Examples() {}

    /** By endpoint (collapsed), once the run's outputs are written. */
    public Map<String, Example> examples() {
      return Map.copyOf(examples);
    }

    @Override
    public String fileName() {
      return "(examples)";
    }

    @Override
    public void begin(RunView run) {}

    @Override
    public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
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
    }

    @Override
    public Path finish() {
      return null;
    }
  }

  /** The history's runs, with this run in place of an earlier copy of it (it is stored after the report). */
  private static List<SummaryFile> withThisRun(
      List<SummaryFile> history, SummaryJson.Meta meta, Statistics.RunResult r) {
    String recording = String.join(", ", meta.recordings());
    List<SummaryFile> out = new ArrayList<>();
    for (SummaryFile s : history) {
      if (!(s.startedAt().equals(meta.startedAt())
          && s.finishedAt().equals(meta.finishedAt())
          && s.candidate().equals(meta.candidate())
          && Objects.equals(s.recording(), recording)
          && Objects.equals(s.shard(), meta.shard()))) {
        out.add(s);
      }
    }
    out.add(
        new SummaryFile(
            null,
            SummaryJson.VERSION,
            meta,
            null,
            r.exchanges(),
            r.compared(),
            r.skipped(),
            r.discrepant(),
            r.errors(),
            r.serverErrors(),
            List.of()));
    out.sort(Comparator.comparing(SummaryFile::finishedAt));
    return out;
  }

  /** The per-endpoint gate threshold from the rules, or null ({@link Gate#thresholds}). */
  public static Double threshold(Rules rules, String endpoint) {
    return Gate.thresholds(rules).apply(endpoint);
  }

  /**
   * The stylesheet of {@code report.html}, for other Shadow reports that take its look (the
   * reconciliation report): CSS only, nothing from a run.
   */
  public static String stylesheet() {
    return HtmlReport.stylesheet();
  }

  /**
   * The Content-Security-Policy of a page whose only active content is the inline stylesheet
   * {@code css}: no script, no image, no connection, no form.
   */
  public static String styleOnlyPolicy(String css) {
    return "default-src 'none'; style-src 'sha256-"
        + HtmlReport.sha256(css)
        + "'; base-uri 'none'; form-action 'none'";
  }

  /** The gate a run was judged by (its summary.json), or the defaults when it has none. */
  public static Gate recordedGate(Path runDir) {
    Path file = runDir.resolve(SUMMARY);
    Gate g = Files.exists(file) ? SummaryFile.readMeta(file).gate() : null;
    return g == null ? Gate.defaults() : g;
  }

  /** What the run was: from its summary when it has one, else as much as the results file tells. */
  private static SummaryJson.Meta metaOf(SummaryFile s, Path results) {
    if (s == null) {
      Instant t;
      try {
        t = Files.getLastModifiedTime(results).toInstant();
      } catch (IOException e) {
        t = Instant.EPOCH;
      }
      return new SummaryJson.Meta(
          t, t, List.of("(unknown)"), "(unknown)", null, null, null, false, null, 0, 0, null);
    }
    SummaryJson.Meta m = s.meta();
    return m.recordings().isEmpty()
        ? new SummaryJson.Meta(
            m.startedAt(),
            m.finishedAt(),
            List.of("(unknown)"),
            m.candidate(),
            m.primary(),
            m.secondary(),
            m.shard(),
            m.incomplete(),
            m.abortReason(),
            m.late(),
            m.unreadable(),
            m.liveDay(),
            m.passes(),
            m.warnings())
        : m;
  }
}
