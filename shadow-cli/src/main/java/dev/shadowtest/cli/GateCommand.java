package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.reconcile.ReconcileGate;
import dev.shadowtest.reconcile.ReconcileHistory;
import dev.shadowtest.reconcile.ReconcileSummary;
import dev.shadowtest.reconcile.Reconciliation;
import dev.shadowtest.reports.GateCheck;
import dev.shadowtest.reports.History;
import dev.shadowtest.reports.Reports;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the gate passed",
      "1:the gate failed",
      "2:bad input",
      "3:internal error (a bug)"
    },
    description = {
      "Decide a run, or the last N days of the history, against the migration gate.",
      "With --history, each of the --days consecutive UTC calendar days ending --until (default today) must have at least one complete run, and each day's runs together (counts summed exactly) must be within every threshold.",
      "The discrepancy rate is always checked (default 0.5%%); the error rate and the latency ratio only when their flags are given (an endpoint with fewer than --min-latency-samples exchanges is not judged on latency); per-endpoint thresholds come from --rules.",
      "With --reconciliation, the data gate: a run passes when its overall drift and every dataset's are at most --max-drift (default 0.01%%) and every aggregate agrees; over a history directory, each of the --days days must have at least one reconciliation and every one of them must pass.",
      "Exit 0 pass, 1 fail, 2 bad input."
    },
    footer = {
      "",
      "Examples:",
      "  shadow gate --summary out/summary.json",
      "  shadow gate --history nightly-history/ --days 7 --max-discrepancy 0.5%% --max-error-rate 0.5%% --max-latency-ratio 2",
      "  shadow gate --reconciliation nightly-history/ --days 7 --max-drift 0.01%%",
      "  shadow gate --reconciliation initial-load/summary.json --max-drift 0"
    })
final class GateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--summary", paramLabel = "FILE", description = "One run's summary.json.")
    Path summary;

    @Option(
        names = "--history",
        paramLabel = "DIR",
        description = "A history directory (replay/report --history DIR).")
    Path history;

    @Option(
        names = "--reconciliation",
        paramLabel = "FILE|DIR",
        description =
            "The data gate: one reconciliation's summary.json, or a history directory of them (shadow reconcile --history DIR).")
    Path reconciliation;
  }

  @Option(
      names = "--max-drift",
      defaultValue = "0.01%",
      paramLabel = "RATE",
      description =
          "With --reconciliation: the highest drift that passes, overall and per dataset (default ${DEFAULT-VALUE}; 0 for \"100%% consistency\").")
  String maxDrift;

  @Option(
      names = "--days",
      defaultValue = "7",
      paramLabel = "N",
      description = "Consecutive days that must pass (default ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--until",
      paramLabel = "YYYY-MM-DD",
      description = "Last day of the window, UTC (default: today).")
  String until;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = "Rules file whose maxDiscrepancyRate per endpoint also applies.")
  Path rules;

  @Mixin GateOptions gateOptions;

  @Override
  public Integer call() {
    if (source.reconciliation != null) {
      return reconciliation();
    }
    Gate gate = gateOptions.gate();
    Rules r = rules == null ? null : Rules.load(rules);
    GateCheck check = new GateCheck(gate, r == null ? null : e -> Reports.threshold(r, e));
    GateCheck.Result result;
    if (source.summary != null) {
      result = check.summary(SummaryFile.read(source.summary));
    } else {
      result = check.history(History.runs(source.history), lastDay(), days());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("GATE " + Terminal.safe(result.verdict()));
    int width =
        Math.max(12, result.rows().stream().mapToInt(x -> x.label().length()).max().orElse(0));
    String fmt = "%-" + width + "s %5s %10s %10s %8s %8s %8s  %s%n";
    out.printf(
        Locale.ROOT,
        fmt,
        "day",
        "runs",
        "compared",
        "discrep.",
        "rate",
        "errors",
        "p99 x",
        "status");
    for (GateCheck.Row row : result.rows()) {
      out.printf(
          Locale.ROOT,
          fmt,
          row.label(),
          row.runs(),
          row.compared(),
          row.discrepant(),
          row.runs() == 0 ? "-" : Gate.percent(row.discrepancyRate()),
          row.runs() == 0 ? "-" : Gate.percent(row.errorRate()),
          row.worstLatencyRatio() == null
              ? "-"
              : String.format(Locale.ROOT, "%.2f", row.worstLatencyRatio()),
          row.passed() ? "ok" : "FAIL: " + Terminal.safe(String.join("; ", row.failures())));
    }
    return result.passed() ? Shadow.OK : Shadow.FAILED;
  }

  private int days() {
    if (days < 1 || days > 366) {
      throw new BadInputException("--days must be between 1 and 366, got " + days);
    }
    return days;
  }

  private LocalDate lastDay() {
    try {
      return until == null ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(until);
    } catch (DateTimeParseException e) {
      throw new BadInputException(
          "--until must be a date like 2026-11-25, got \"" + until + "\"", e);
    }
  }

  /** The data gate over one reconciliation or the history of them. */
  private int reconciliation() {
    double max;
    try {
      max = ReconcileGate.parseRate(maxDrift);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--max-drift: " + e.getMessage(), e);
    }
    ReconcileGate gate = new ReconcileGate(max);
    Path from = source.reconciliation;
    // a run's directory (shadow reconcile --out) is its summary; any other directory a history
    boolean run =
        Files.isDirectory(from)
            && Files.isRegularFile(from.resolve(Reconciliation.SUMMARY))
            && ReconcileHistory.isEmpty(from);
    ReconcileGate.Result result =
        Files.isDirectory(from) && !run
            ? gate.history(ReconcileHistory.runs(from), lastDay(), days())
            : gate.summary(
                ReconcileSummary.read(run ? from.resolve(Reconciliation.SUMMARY) : from));
    PrintWriter out = spec.commandLine().getOut();
    out.println("GATE " + Terminal.safe(result.verdict()));
    int width =
        Math.max(12, result.rows().stream().mapToInt(x -> x.label().length()).max().orElse(0));
    String fmt = "%-" + width + "s %5s %12s %12s %10s  %s%n";
    out.printf(Locale.ROOT, fmt, "day", "runs", "rows", "differing", "drift", "status");
    for (ReconcileGate.Row row : result.rows()) {
      out.printf(
          Locale.ROOT,
          fmt,
          row.label(),
          row.runs(),
          row.union(),
          row.differing(),
          row.runs() == 0 ? "-" : ReconcileGate.percent(row.worstDrift()),
          row.passed() ? "ok" : "FAIL: " + Terminal.safe(String.join("; ", row.failures())));
    }
    return result.passed() ? Shadow.OK : Shadow.FAILED;
  }
}
