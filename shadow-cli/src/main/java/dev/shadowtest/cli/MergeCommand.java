package dev.shadowtest.cli;

import dev.shadowtest.diff.Rules;
import dev.shadowtest.replay.Gate;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.replay.Summaries;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    description = {"Merge the run directories of shards (shadow replay --shard I/N) into one, exactly:",
        "the summary equals that of one unsharded run. Exit 0 when the gate passes, 1 when it fails."},
    footer = {"", "Example:", "  shadow merge --out all/ shard1/ shard2/ shard3/"})
final class MergeCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory to write.")
  Path out;

  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run directories to merge.")
  List<Path> dirs;

  @Option(names = "--rules", paramLabel = "FILE", description = "Rules to judge the merged run by (default: the copy the shards kept; they must agree).")
  Path rules;

  @Option(names = "--max-discrepancy", defaultValue = "0.5%", paramLabel = "RATE", description = "Gate threshold (default ${DEFAULT-VALUE}).")
  String maxDiscrepancy;

  @Option(names = "--max-error-rate", paramLabel = "RATE", description = "Gate: also fail above this error rate.")
  String maxErrorRate;

  @Override
  public Integer call() {
    Gate gate = new Gate(Gate.parseRate(maxDiscrepancy), maxErrorRate == null ? null : Gate.parseRate(maxErrorRate));
    ReplayResult r = Summaries.merge(out, dirs, rules == null ? null : Rules.load(rules), gate);
    r.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
    RunReport.print(spec.commandLine().getOut(), r);
    return r.passed() ? Shadow.OK : Shadow.FAILED;
  }
}
