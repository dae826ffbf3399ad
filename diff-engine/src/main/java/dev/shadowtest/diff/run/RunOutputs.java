package dev.shadowtest.diff.run;

import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.Judgement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a run's outputs from its results file: one pass, every output fed each line. */
public final class RunOutputs {

  private RunOutputs() {}

  /**
   * Streams {@code results} to {@code outputs} (in order: put the summary last) and returns the
   * files written. A failing output is an error naming its file.
   */
  public static List<Path> write(RunView run, Path results, List<RunOutput> outputs) {
    Judgement judgement = run.collapsed().judgement();
    RunOutput[] current = new RunOutput[1];
    try {
      for (RunOutput o : outputs) {
        current[0] = o;
        o.begin(run);
      }
      current[0] = null;
      // up to a crash's cut, as the aggregate the run view was built from was read
      ResultsFile.readRecovering(
          results,
          line -> {
            String endpoint =
                run.collapsed().names().getOrDefault(line.endpoint(), line.endpoint());
            Judgement.Judged judged = judgement.judge(endpoint, line.verdict(), line.differences());
            for (RunOutput o : outputs) {
              current[0] = o;
              try {
                o.offer(line, endpoint, judged);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
            current[0] = null;
          });
      List<Path> written = new ArrayList<>();
      for (RunOutput o : outputs) {
        current[0] = o;
        written.add(o.finish());
      }
      return written;
    } catch (IOException | UncheckedIOException e) {
      Path f = current[0] == null ? run.out() : run.out().resolve(current[0].fileName());
      throw new RecordingException(f, 0, "cannot write: " + e.getMessage(), e);
    }
  }

  /** {@code summary.json} as an output: written in {@link RunOutput#finish}, from the view alone. */
  public static RunOutput summary() {
    return new RunOutput() {
      private RunView run;

      @Override
      public String fileName() {
        return RunDirectory.SUMMARY;
      }

      @Override
      public void begin(RunView r) {
        run = r;
      }

      @Override
      public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
        // the summary is computed from the aggregate
      }

      @Override
      public Path finish() {
        return writeSummary(run);
      }
    };
  }

  /** Writes {@code summary.json} of {@code run} (it needs no result line) and returns it. */
  public static Path writeSummary(RunView run) {
    Path file = run.out().resolve(RunDirectory.SUMMARY);
    try {
      SummaryJson.write(file, run.meta(), run.collapsed(), run.gate(), run.failures());
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot write: " + e.getMessage(), e);
    }
    return file;
  }
}
