package dev.shadowtest.reports;

import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A {@code summary.json} as read back (the counts the gate and the history need). Reading is
 * strict: a missing or mistyped field is an error naming the file and the field.
 *
 * @param file       where it was read from, or null
 * @param finishedAt when the run ended: the history files it under this instant's UTC day
 * @param recording  the recording(s) replayed
 * @param shard      {@code I/N} for the summary of one shard, else null
 * @param incomplete the run was stopped or aborted before the end of its recordings
 * @param aborted    why it was aborted, or null
 */
public record RunSummary(
    Path file,
    Instant startedAt,
    Instant finishedAt,
    String candidate,
    String recording,
    String shard,
    boolean incomplete,
    String aborted,
    long exchanges,
    long compared,
    long skipped,
    long discrepant,
    long errors,
    long serverErrors,
    List<SummaryFile.Endpoint> endpoints) {

  public RunSummary {
    endpoints = List.copyOf(endpoints);
  }

  /** True when both summaries describe the same run (e.g. stored again after a new report). */
  public boolean sameRun(RunSummary o) {
    return startedAt.equals(o.startedAt)
        && finishedAt.equals(o.finishedAt)
        && candidate.equals(o.candidate)
        && Objects.equals(recording, o.recording)
        && Objects.equals(shard, o.shard);
  }

  public double discrepancyRate() {
    return compared == 0 ? 0.0 : (double) discrepant / compared;
  }

  public double errorRate() {
    long attempted = exchanges - skipped;
    return attempted == 0 ? 0.0 : (double) (errors + serverErrors) / attempted;
  }

  /** Reads and checks {@code file} ({@link SummaryFile#read}, the one reader). */
  public static RunSummary read(Path file) {
    SummaryFile f = SummaryFile.read(file);
    SummaryJson.Meta m = f.meta();
    return new RunSummary(
        file,
        m.startedAt(),
        m.finishedAt(),
        m.candidate(),
        f.recording(),
        m.shard(),
        m.incomplete(),
        m.abortReason(),
        f.exchanges(),
        f.compared(),
        f.skipped(),
        f.discrepant(),
        f.errors(),
        f.serverErrors(),
        f.endpoints());
  }
}
