package dev.shadowtest.diff.run;

import dev.shadowtest.diff.Rules;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * What an output of a run is written from, besides its result lines.
 *
 * @param runDir     the run directory read (results, samples)
 * @param out        where outputs are written (the run directory, or another)
 * @param meta       what the run was (from its summary)
 * @param collapsed  the run's counts, endpoints collapsed, and their latencies
 * @param gate       the thresholds judged by
 * @param failures   why the gate failed; empty when it passed
 * @param rules      the rules judged by
 * @param thresholds per endpoint, the rules' own gate threshold, or null
 */
public record RunView(
    Path runDir,
    Path out,
    SummaryJson.Meta meta,
    RunAggregate.Collapsed collapsed,
    Gate gate,
    List<String> failures,
    Rules rules,
    Function<String, Double> thresholds) {
  public RunView {
    failures = List.copyOf(failures);
  }

  /**
   * The view of a run judged by {@code rules} and {@code gate}: the rules' own thresholds and the
   * gate's failures (with the meta's, e.g. an incomplete run) derived from the counts.
   */
  public static RunView judged(
      Path runDir,
      Path out,
      SummaryJson.Meta meta,
      RunAggregate.Collapsed collapsed,
      Gate gate,
      Rules rules) {
    Function<String, Double> thresholds = Gate.thresholds(rules);
    List<String> failures =
        SummaryJson.failuresOf(
            meta, gate.failures(collapsed.result(), thresholds, collapsed.p99Ratios()));
    return new RunView(runDir, out, meta, collapsed, gate, failures, rules, thresholds);
  }
}
