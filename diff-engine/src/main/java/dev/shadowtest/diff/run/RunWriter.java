package dev.shadowtest.diff.run;

import dev.shadowtest.diff.Verdict;
import java.io.IOException;

/**
 * Writes a run's judged exchanges: each result line, in the same order its kept responses (when
 * the run keeps them), and adds it to the run's aggregate. Replay and the live mirror write
 * through it, so their run directories are built alike. Thread-safe.
 */
public final class RunWriter {

  private final ResultsFile results;
  private final ResponsesFile responses;
  private final RunAggregate aggregate;
  private long lines;

  /** @param responses the kept responses, or null when the run keeps none */
  public RunWriter(ResultsFile results, ResponsesFile responses, RunAggregate aggregate) {
    this.results = results;
    this.responses = responses;
    this.aggregate = aggregate;
  }

  /**
   * Writes {@code line} and, when the run keeps responses, its stored comparisons ({@code stored}
   * null for a compared line means storing it failed, or was not tried because the budget is
   * spent: counted as such), then adds it to the aggregate.
   */
  public void write(ResultLine line, ResponsesFile.Entry stored) throws IOException {
    synchronized (this) { // results and kept responses in the same order
      results.write(line);
      long index = lines++;
      if (responses != null) {
        if (stored != null) {
          responses.write(stored.measured(line, index));
        } else if (needsStoring(line)) {
          if (responses.full()) {
            responses.leftOut(1);
          } else {
            responses.failed(1);
          }
        }
      }
    }
    aggregate.add(line);
  }

  /**
   * Makes every line written so far readable from the results file, as it stands if the process
   * dies next (a gzip sync flush): a source that confirms what is done (Kafka) confirms only that.
   */
  public synchronized void flush() throws IOException {
    results.flush();
  }

  /** The lines written so far. */
  public synchronized long lines() {
    return lines;
  }

  /**
   * True while compared exchanges' responses are still kept: false when the run keeps none, or
   * once their budget is spent (storing them would be wasted work).
   */
  public boolean keepsResponses() {
    return responses != null && !responses.full();
  }

  public RunAggregate aggregate() {
    return aggregate;
  }

  /** True for a line that re-judging needs kept responses for: one that was compared. */
  static boolean needsStoring(ResultLine line) {
    return line.verdict() != Verdict.SKIPPED
        && line.verdict() != Verdict.CANDIDATE_ERROR
        && line.verdict() != Verdict.NO_BASELINE;
  }
}
