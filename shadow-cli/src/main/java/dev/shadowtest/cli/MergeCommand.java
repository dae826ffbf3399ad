package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Summaries;
import dev.shadowtest.reports.Reports;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the gate passed",
      "1:the gate failed, or the merged run is incomplete (a shard was, or offsets of a Kafka run no worker finished)",
      "2:bad input",
      "3:internal error (a bug)"
    },
    description = {
      "Merge the run directories of shards into one run, exactly.",
      "The shards are runs of shadow replay --shard I/N; the merged summary equals that of one unsharded run.",
      "Workers of one Kafka run (directories with positions.json) merge too: each offset counts once, from the first directory that confirmed it done; offsets none finished make the merged run incomplete, and it keeps positions.json to be merged again with more workers.",
      "An existing run directory in --out is never overwritten (--force replaces it). Exit 0 when the gate passes, 1 when it fails."
    },
    footer = {
      "",
      "Examples:",
      "  shadow merge --out all/ shard1/ shard2/ shard3/",
      "  shadow merge --out nightly/ worker1/ worker2/ worker3/"
    })
final class MergeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Run directory to write.")
  Path out;

  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run directories to merge.")
  List<Path> dirs;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description =
          "Rules to judge the merged run by (default: the copy the shards kept; they must agree).")
  Path rules;

  @Mixin GateOptions gateOptions;

  @Option(
      names = "--history",
      paramLabel = "DIR",
      description = "Also store the merged summary in this history directory.")
  Path history;

  @Mixin CsvOptions csv;

  @Option(
      names = "--force",
      description =
          "Replace the run already in --out (by default an existing run directory is never overwritten).")
  boolean force;

  @Override
  public Integer call() {
    // the thresholds the shards were replayed with, those given here on top: they must agree
    Gate recorded = null;
    Path first = null;
    for (Path d : dirs) {
      Gate g = gateOptions.over(Reports.recordedGate(d), spec.commandLine().getParseResult());
      if (recorded == null) {
        recorded = g;
        first = d;
      } else if (!recorded.equals(g)) {
        throw new BadInputException(
            d
                + " was judged by other gate thresholds than "
                + first
                + " ("
                + g.describe()
                + ", not "
                + recorded.describe()
                + "): say which the merged run is judged by (--max-discrepancy, --max-error-rate,"
                + " --max-latency-ratio)");
      }
    }
    Gate gate = recorded;
    Rules explicit = rules == null ? null : Rules.load(rules);
    ReplayResult r = Summaries.merge(out, dirs, explicit, gate, force);
    r.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + Terminal.safe(w)));
    RunReport.print(spec.commandLine().getOut(), r);
    Outputs.write(
        spec.commandLine().getOut(),
        spec.commandLine().getErr(),
        out,
        null,
        explicit,
        gate,
        history,
        csv);
    return r.passed() ? Shadow.OK : Shadow.FAILED;
  }
}
