package dev.shadowtest.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One exchange's result: its verdict, the candidate's differences (each marked noise when the
 * same field differed the same way between primary and secondary in this exchange), and the
 * fields that differed between primary and secondary.
 *
 * @param noiseFields   fields that differed between primary and secondary (empty without a secondary)
 * @param hadSecondary  whether primary and secondary both answered, so this exchange measured noise
 * @param serverError   the candidate answered 5xx
 */
public record Outcome(Verdict verdict, List<Difference> differences, Set<FieldKey> noiseFields,
    boolean hadSecondary, boolean serverError) {

  public Outcome {
    differences = List.copyOf(differences);
    noiseFields = Set.copyOf(noiseFields);
  }

  /** An outcome without comparison: skipped, candidate error, or no baseline. */
  public static Outcome of(Verdict verdict) {
    if (verdict == Verdict.MATCH || verdict == Verdict.DIFFERENT || verdict == Verdict.NOISE_ONLY) {
      throw new IllegalArgumentException(verdict + " needs a comparison; use Outcome.compared");
    }
    return new Outcome(verdict, List.of(), Set.of(), false, false);
  }

  /**
   * Classifies a comparison. {@code noise} is the comparison of primary with secondary, or null
   * when there was no secondary. {@code candidateStatus} tells whether the candidate answered 5xx.
   */
  public static Outcome compared(ResponseDiff candidate, ResponseDiff noise, int candidateStatus) {
    Set<FieldKey> noiseFields = new TreeSet<>();
    if (noise != null) {
      for (Difference d : noise.differences()) {
        if (!(d.type() == DifferenceType.BODY && d.path().equals("body"))) { // binary: never noise
          noiseFields.add(noiseKey(d));
        }
      }
    }
    List<Difference> diffs = new ArrayList<>(candidate.differences());
    boolean anyReal = false;
    for (Difference d : diffs) {
      if (!noiseFields.contains(noiseKey(d))) {
        anyReal = true;
        break;
      }
    }
    Verdict v = diffs.isEmpty() ? Verdict.MATCH : anyReal ? Verdict.DIFFERENT : Verdict.NOISE_ONLY;
    return new Outcome(v, diffs, noiseFields, noise != null, candidateStatus >= 500);
  }

  /** True when this difference also appeared between primary and secondary in this exchange. */
  public boolean isNoise(Difference d) {
    return noiseFields.contains(noiseKey(d));
  }

  /**
   * What must match for a difference to be excused as noise. Structured differences match by
   * field; a text body difference only by its exact line region ({@code body:lines 5-7}), so a
   * noisy footer cannot hide a changed total; a binary body difference never (its path is just
   * {@code body}: nothing tells which bytes changed).
   */
  static FieldKey noiseKey(Difference d) {
    if (d.type() == DifferenceType.BODY) {
      return new FieldKey(d.path(), DifferenceType.BODY); // binary ("body") is never in the noise set
    }
    return FieldKey.of(d);
  }
}
