package dev.shadowtest.diff;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One exchange's result as known when it was compared: its provisional verdict, the
 * candidate's differences (accepted ones marked), and the fields (and kinds) that differed
 * between primary and secondary in this exchange. The final verdict is the run's
 * {@link Judgement}, made when the summary is: a difference is noise only when its field and
 * kind are judged noise over the whole run.
 *
 * @param verdict       provisional: {@code DIFFERENT} when some difference also did not appear
 *                      between primary and secondary in this exchange, {@code NOISE_ONLY} when all
 *                      did, {@code MATCH} when nothing (or only accepted differences) differed
 * @param noiseFields   fields that differed between primary and secondary (empty without a secondary)
 * @param hadSecondary  whether primary and secondary both answered, so this exchange measured noise
 * @param serverError   the candidate answered 5xx
 */
public record Outcome(
    Verdict verdict,
    List<Difference> differences,
    Set<FieldKey> noiseFields,
    boolean hadSecondary,
    boolean serverError) {

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
        FieldKey k = FieldKey.of(d);
        if (!k.neverNoise()) {
          noiseFields.add(k);
        }
      }
    }
    boolean any = false;
    boolean anyNotNoise = false;
    for (Difference d : candidate.differences()) {
      if (!d.isAccepted()) {
        any = true;
        anyNotNoise |= !noiseFields.contains(FieldKey.of(d));
      }
    }
    Verdict v = !any ? Verdict.MATCH : anyNotNoise ? Verdict.DIFFERENT : Verdict.NOISE_ONLY;
    return new Outcome(
        v, candidate.differences(), noiseFields, noise != null, candidateStatus >= 500);
  }

  /** True when this difference (of its field and kind) also appeared between primary and secondary in this exchange. */
  public boolean isNoise(Difference d) {
    return !d.isAccepted() && noiseFields.contains(FieldKey.of(d));
  }
}
