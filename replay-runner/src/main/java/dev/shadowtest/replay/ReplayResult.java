package dev.shadowtest.replay;

import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay (or a merge) produced.
 *
 * @param out          the run directory
 * @param result       per-endpoint and overall counts and rates (endpoints collapsed)
 * @param latencies    per endpoint: recorded, primary and candidate latency histograms
 * @param gateFailures why the gate failed; empty when it passed
 * @param incomplete   the run was stopped (Ctrl-C) or aborted before the end of the recordings
 * @param abortReason  why the run was aborted (e.g. candidate unreachable), or null
 * @param late         requests that could not start on time under {@code --rate}
 * @param warnings     problems worth telling (e.g. a recording's last line cut off)
 * @param internalError a bug or a crash of Shadow itself (out of memory, ...) that ended the run,
 *                      or null: such a run is incomplete, never passes, and the CLI exits 3
 * @param transforms   how often each kind of the rules' transforms was applied (docs/rules.md)
 */
public record ReplayResult(
    Path out,
    Statistics.RunResult result,
    Map<String, RunAggregate.Latencies> latencies,
    List<String> gateFailures,
    boolean incomplete,
    String abortReason,
    long late,
    List<String> warnings,
    String internalError,
    RunAggregate.CaptureGaps gaps,
    Map<String, Long> transforms) {

  public ReplayResult {
    gateFailures = List.copyOf(gateFailures);
    warnings = List.copyOf(warnings);
    gaps = gaps == null ? RunAggregate.CaptureGaps.NONE : gaps;
    transforms = transforms == null ? Map.of() : new TreeMap<>(transforms);
  }

  public ReplayResult(
      Path out,
      Statistics.RunResult result,
      Map<String, RunAggregate.Latencies> latencies,
      List<String> gateFailures,
      boolean incomplete,
      String abortReason,
      long late,
      List<String> warnings,
      String internalError,
      RunAggregate.CaptureGaps gaps) {
    this(
        out,
        result,
        latencies,
        gateFailures,
        incomplete,
        abortReason,
        late,
        warnings,
        internalError,
        gaps,
        null);
  }

  public ReplayResult(
      Path out,
      Statistics.RunResult result,
      Map<String, RunAggregate.Latencies> latencies,
      List<String> gateFailures,
      boolean incomplete,
      String abortReason,
      long late,
      List<String> warnings,
      String internalError) {
    this(
        out,
        result,
        latencies,
        gateFailures,
        incomplete,
        abortReason,
        late,
        warnings,
        internalError,
        null);
  }

  public ReplayResult(
      Path out,
      Statistics.RunResult result,
      Map<String, RunAggregate.Latencies> latencies,
      List<String> gateFailures,
      boolean incomplete,
      String abortReason,
      long late,
      List<String> warnings) {
    this(out, result, latencies, gateFailures, incomplete, abortReason, late, warnings, null);
  }

  /** True when the gate passed and the run completed. */
  public boolean passed() {
    return gateFailures.isEmpty() && !incomplete;
  }

  public Path summaryFile() {
    return out.resolve(RunDirectory.SUMMARY);
  }

  public Path resultsFile() {
    return out.resolve(RunDirectory.RESULTS);
  }
}
