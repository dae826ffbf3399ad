package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.run.TriggerActions;
import dev.shadowtest.reconcile.DriftEvent;
import dev.shadowtest.reconcile.ReconcileGate;
import dev.shadowtest.reconcile.ReconcileResult.Checksum;
import dev.shadowtest.reconcile.ReconcileSummary;
import dev.shadowtest.reconcile.Reconciliation;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "reconcile",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:drift within the investigate threshold (default 0.01%%) and every aggregate agrees",
      "4:investigate: drift above the investigate threshold, or an aggregate out of tolerance",
      "1:pause: drift above the pause threshold (default 0.1%%)",
      "2:bad input (spec, unreachable database, failing query, keys out of order or not unique)",
      "3:internal error (a bug)"
    },
    description = {
      "Compare the legacy and the candidate databases as a reconciliation spec says.",
      "Each dataset is streamed from both sides in key order and merged (no side is held in memory), after a count and checksum in each database that confirms agreeing sides without streaming them; aggregates are compared by their SQL on each side.",
      "Drift = (rows only in legacy + only in candidate + changed) / rows in the union of keys, per dataset and overall.",
      "Writes summary.json, differences.csv and report.html to --out; --history also stores the run for shadow gate --reconciliation (a run that fails is stored as failed, and fails the gate). The spec format is in docs/reconcile.md."
    },
    footer = {
      "",
      "Examples:",
      "  shadow reconcile --spec reconcile.yaml --out recon/",
      "  shadow reconcile --spec reconcile.yaml --out recon/ --history nightly-history/ --on-trigger './pause-migration.sh'"
    })
final class ReconcileCommand implements Callable<Integer> {

  /** The exit code of a run to investigate. */
  static final int INVESTIGATE = 4;

  @Spec CommandSpec spec;

  @Option(
      names = "--spec",
      required = true,
      paramLabel = "FILE",
      description = "The reconciliation spec (YAML, version 1).")
  Path specFile;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory for summary.json, differences.csv and report.html.")
  Path out;

  @Option(
      names = "--history",
      paramLabel = "DIR",
      description = "Also store the run in this history directory (for the gate and the trend).")
  Path history;

  @Option(
      names = "--max-csv-rows",
      defaultValue = "" + Reconciliation.DEFAULT_MAX_CSV_ROWS,
      paramLabel = "N",
      description =
          "Differing rows written to differences.csv at most; the rest are counted (default ${DEFAULT-VALUE}).")
  long maxCsvRows;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description =
          "When the verdict is investigate or pause, or the run fails, POST the event as JSON to this URL (5 s timeout, 3 attempts).")
  URI webhook;

  @Option(
      names = "--on-trigger",
      paramLabel = "COMMAND",
      description =
          "When the verdict is investigate or pause, or the run fails, run this shell command with SHADOW_TRIGGER, SHADOW_VALUE, SHADOW_VERDICT, SHADOW_REPORT, SHADOW_ERROR... in its environment.")
  String onTrigger;

  @Option(
      names = "--force",
      description = "Replace the run already in --out (by default it is never overwritten).")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter o = spec.commandLine().getOut();
    if (!force && Files.exists(out.resolve(Reconciliation.SUMMARY))) {
      throw new BadInputException(
          out + " already holds a run (" + Reconciliation.SUMMARY + "); use --force to replace it");
    }
    if (maxCsvRows < 0) {
      throw new BadInputException("--max-csv-rows must be 0 or above, got " + maxCsvRows);
    }
    TriggerActions.Options actions =
        TriggerActions.Options.none()
            .withLog(line -> err.println(Terminal.safe(line)))
            .withWebhook(webhook)
            .withCommand(onTrigger);
    String dir = out.toAbsolutePath().toString();
    Reconciliation.Outcome r =
        Reconciliation.run(
            specFile,
            Reconciliation.Options.defaults(out).withHistory(history).withMaxCsvRows(maxCsvRows),
            w -> err.println("warning: " + Terminal.safe(w)),
            failed -> fire(actions, DriftEvent.of(failed, dir, null)));
    ReconcileSummary sum = r.summary();
    print(o, sum);
    o.println(
        "wrote "
            + r.summaryFile()
            + ", "
            + r.csv()
            + " ("
            + sum.differences()
            + " rows"
            + (sum.differencesOmitted() > 0
                ? ", " + sum.differencesOmitted() + " more not written"
                : "")
            + "), "
            + r.report()
            + (r.storedIn() == null ? "" : "; stored in " + r.storedIn()));
    o.flush();
    fire(actions, DriftEvent.of(sum, dir, r.report().toAbsolutePath().toString()));
    return switch (sum.verdict()) {
      case OK -> Shadow.OK;
      case INVESTIGATE -> INVESTIGATE;
      case PAUSE -> Shadow.FAILED;
    };
  }

  /** Runs the actions of a drift or error event, if any, and waits for them. */
  private void fire(TriggerActions.Options actions, DriftEvent e) {
    if (e != null && (webhook != null || onTrigger != null)) {
      try (TriggerActions a = TriggerActions.start(actions)) {
        a.offer(e);
      }
    }
  }

  static void print(PrintWriter o, ReconcileSummary s) {
    String head =
        switch (s.verdict()) {
          case OK ->
              "OK: drift "
                  + ReconcileGate.percent(s.worstDrift())
                  + " is within "
                  + ReconcileGate.percent(s.thresholds().investigate());
          case INVESTIGATE -> "INVESTIGATE: " + reason(s, s.thresholds().investigate());
          case PAUSE -> "PAUSE: " + reason(s, s.thresholds().pause());
        };
    o.println("RECONCILE " + Terminal.safe(head));
    int width =
        Math.max(
            8,
            s.datasets().stream().mapToInt(d -> Terminal.safe(d.name()).length()).max().orElse(0));
    String fmt = "%-" + width + "s %12s %12s %12s %12s %10s  %-11s %s%n";
    o.printf(
        Locale.ROOT,
        fmt,
        "dataset",
        "matched",
        "only legacy",
        "only cand.",
        "changed",
        "drift",
        "verdict",
        "changed columns");
    for (ReconcileSummary.Dataset d : s.datasets()) {
      o.printf(
          Locale.ROOT,
          fmt,
          Terminal.safe(d.name()),
          d.matched(),
          d.onlyLegacy(),
          d.onlyCandidate(),
          d.changed(),
          ReconcileGate.percent(d.drift()),
          d.verdict() + (d.checksum() == Checksum.AGREED ? "*" : ""),
          d.changedByColumn().entrySet().stream()
              .map(c -> Terminal.safe(c.getKey()) + " " + c.getValue())
              .collect(Collectors.joining(", ")));
    }
    for (ReconcileSummary.Aggregate a : s.aggregates()) {
      o.println(
          "aggregate "
              + Terminal.safe(a.name())
              + ": "
              + (a.agrees() ? "agrees" : "DISAGREES")
              + " ("
              + a.groups().stream()
                  .map(
                      g ->
                          (g.group().isEmpty() ? "" : Terminal.safe(g.group()) + ": ")
                              + g.legacy()
                              + " vs "
                              + g.candidate()
                              + (g.agrees() ? "" : " !"))
                  .limit(20)
                  .collect(Collectors.joining(", "))
              + (a.groups().size() > 20 ? ", ..." : "")
              + ")");
    }
    if (s.datasets().stream().anyMatch(d -> d.checksum() == Checksum.AGREED)) {
      o.println("* confirmed by the databases' counts and checksums, without streaming the rows");
    }
  }

  private static String reason(ReconcileSummary s, double threshold) {
    long disagreeing = s.aggregates().stream().filter(a -> !a.agrees()).count();
    String drift =
        "drift "
            + ReconcileGate.percent(s.worstDrift())
            + (s.worstDrift() > threshold ? " is above " : " is within ")
            + ReconcileGate.percent(threshold)
            + " ("
            + s.differing()
            + " of "
            + s.union()
            + " rows differ)";
    return disagreeing == 0 ? drift : drift + "; " + disagreeing + " aggregate(s) out of tolerance";
  }
}
