package dev.shadowtest.cli;

import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.reports.Reports;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:written (the gate verdict is printed)",
      "2:bad input",
      "3:internal error (a bug)"
    },
    description = {
      "Rebuild the summary, CSV and HTML report of a run directory.",
      "summary.json, discrepancies.csv and report.html are rebuilt from the run's results.jsonl.gz (replay writes them at the end of every run).",
      "Gate thresholds default to the ones the run recorded. Rules that judge differently from the run's own re-judge it from the responses it kept (replay --rejudge-budget), without replaying: results.jsonl.gz and rules.yaml in the output directory then hold the new judgement. What cannot be re-judged that way is refused with the reason (exit 2).",
      "Exit 0 when written (the gate verdict is printed; shadow gate decides), 2 on bad input."
    },
    footer = {
      "",
      "Examples:",
      "  shadow report --results out/",
      "  shadow report --results out/ --out review/ --rules stricter.yaml --max-discrepancy 0.1%%",
      "  shadow report --results out/ --out rejudged/ --rules with-extra-ignore.yaml"
    })
final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--results",
      required = true,
      paramLabel = "DIR",
      description = "The run directory (holds results.jsonl.gz).")
  Path results;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where to write the three files (default: the run directory).")
  Path out;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = {
        "Rules to judge by (default: the copy the run kept). Rules that",
        "judge differently re-judge the run from the responses it kept;",
        "refused (exit 2, with the reason) when the run cannot tell: no or",
        "too few kept responses, other transforms, normalizeOrigins",
        "switched, a newly normalised header, an exchange the run skipped."
      })
  Path rules;

  @Mixin CsvOptions csv;

  @Option(
      names = "--history",
      paramLabel = "DIR",
      description = "Store the summary in this history directory and chart its trend.")
  Path history;

  @Mixin GateOptions gateOptions;

  @Override
  public Integer call() {
    // the thresholds the run recorded, with those given here on top
    Gate gate =
        gateOptions.over(Reports.recordedGate(results), spec.commandLine().getParseResult());
    Reports.Written w =
        Outputs.write(
            spec.commandLine().getOut(),
            spec.commandLine().getErr(),
            results,
            out,
            rules == null ? null : Rules.load(rules),
            gate,
            history,
            csv);
    if (w.gateFailures().isEmpty()) {
      spec.commandLine().getOut().println("gate: passed");
    } else {
      w.gateFailures()
          .forEach(f -> spec.commandLine().getOut().println("gate: failed: " + Terminal.safe(f)));
    }
    return Shadow.OK;
  }
}
