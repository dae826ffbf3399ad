package dev.shadowtest.diff.run;

/**
 * The counts of a live run over one sliding window, from which {@link Triggers} computes each
 * metric: the same counting as the summary (docs/rules.md, "Counting").
 *
 * <pre>{@code
 * WindowFacts f = new WindowFacts(1200, 1100, 3, 60, 2, 41.0, 44.5, 1100);
 * }</pre>
 *
 * @param attempted          exchanges sent to the candidate (skipped ones not counted)
 * @param compared           of those, the ones compared (an answer on both sides)
 * @param discrepant         of those, the ones that differed
 * @param errors             exchanges the candidate did not answer
 * @param serverErrors       candidate answers with a 5xx status
 * @param legacyP99Millis    the legacy side's p99 latency in the window, or null when unknown
 * @param candidateP99Millis the candidate's p99 latency in the window, or null when unknown
 * @param latencySamples     exchanges in the window with a latency on both sides
 */
public record WindowFacts(
    long attempted,
    long compared,
    long discrepant,
    long errors,
    long serverErrors,
    Double legacyP99Millis,
    Double candidateP99Millis,
    long latencySamples) {

  public WindowFacts {
    if (attempted < 0
        || compared < 0
        || discrepant < 0
        || errors < 0
        || serverErrors < 0
        || latencySamples < 0) {
      throw new IllegalArgumentException("negative counts in " + this);
    }
  }
}
