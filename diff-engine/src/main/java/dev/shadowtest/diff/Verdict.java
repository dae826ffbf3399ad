package dev.shadowtest.diff;

/** What one replayed exchange came to (docs/summary-format.md). */
public enum Verdict {
  /** The candidate answered like the baseline (under the rules). */
  MATCH,
  /** At least one difference that is not noise. */
  DIFFERENT,
  /** Differences, all of which also appear between primary and secondary. */
  NOISE_ONLY,
  /** No candidate response: refused, timeout, reset, protocol error. */
  CANDIDATE_ERROR,
  /** Not replayed: unsafe method, rule skip, sampling. */
  SKIPPED,
  /** Neither a recorded nor a primary response to compare with: never a match. */
  NO_BASELINE
}
