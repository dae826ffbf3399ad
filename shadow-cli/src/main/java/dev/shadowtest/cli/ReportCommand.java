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
    description = {"Rebuild a run directory's summary.json, discrepancies.csv and report.html from its",
        "results.jsonl.gz (replay writes them at the end of every run). Gate thresholds default to the",
        "ones the run recorded. Exit 0 when written (the gate verdict is printed; shadow gate decides),",
        "2 on bad input."},
    footer = {"", "Examples:",
        "  shadow report --results out/",
        "  shadow report --results out/ --out review/ --rules stricter.yaml --max-discrepancy 0.1%"})
final class ReportCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--results", required = true, paramLabel = "DIR", description = "The run directory (holds results.jsonl.gz).")
  Path results;

  @Option(names = "--out", paramLabel = "DIR", description = "Where to write the three files (default: the run directory).")
  Path out;

  @Option(names = "--rules", paramLabel = "FILE", description = "Rules to judge by (default: the copy the run kept).")
  Path rules;

  @Option(names = "--history", paramLabel = "DIR", description = "Store the summary in this history directory and chart its trend.")
  Path history;

  @Mixin
  GateOptions gateOptions;

  @Override
  public Integer call() {
    // the thresholds the run recorded, with those given here on top
    Gate recorded = Reports.recordedGate(results);
    Gate given = gateOptions.gate();
    Gate gate = new Gate(
        spec.commandLine().getParseResult().hasMatchedOption("--max-discrepancy") ? given.maxDiscrepancyRate()
            : recorded.maxDiscrepancyRate(),
        given.maxErrorRate() != null ? given.maxErrorRate() : recorded.maxErrorRate(),
        given.maxLatencyRatio() != null ? given.maxLatencyRatio() : recorded.maxLatencyRatio());
    Reports.Written w = Outputs.write(spec.commandLine().getOut(), spec.commandLine().getErr(), results, out,
        rules == null ? null : Rules.load(rules), gate, history);
    if (w.gateFailures().isEmpty()) {
      spec.commandLine().getOut().println("gate: passed");
    } else {
      w.gateFailures().forEach(f -> spec.commandLine().getOut().println("gate: failed: " + f));
    }
    return Shadow.OK;
  }
}
