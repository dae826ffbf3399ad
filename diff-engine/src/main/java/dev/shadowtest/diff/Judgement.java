package dev.shadowtest.diff;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The final verdicts of a run, from its statistics: the one place that decides whether an
 * exchange counts as discrepant. A difference counts unless it is accepted by the rules or its
 * field and kind ({@link FieldKey}) were judged noise over the whole run; an exchange is
 * {@code NOISE_ONLY} only when every difference that is not accepted is in a field judged noise.
 * The summary, the CSV, the HTML report and the JUnit results all judge through this class, so
 * they cannot disagree.
 *
 * <pre>{@code
 * Judgement j = Judgement.of(result);
 * Judgement.Judged x = j.judge("GET /posts", line.verdict(), line.differences());
 * }</pre>
 */
public final class Judgement {

  /** How one difference counts. */
  public enum Standing {
    /** It makes its exchange discrepant. */
    COUNTS,
    /** Its field and kind were judged noise. */
    NOISE,
    /** The rules accept it (with a reason). */
    ACCEPTED
  }

  /** One exchange judged: its final verdict and how each difference counts. */
  public record Judged(Verdict verdict, Map<Difference, Standing> standings) {
    public Judged {
      standings = Map.copyOf(standings);
    }

    public Standing standing(Difference d) {
      return standings.getOrDefault(d, d.isAccepted() ? Standing.ACCEPTED : Standing.COUNTS);
    }

    public boolean discrepant() {
      return verdict == Verdict.DIFFERENT;
    }
  }

  private final Map<String, Map<FieldKey, Boolean>> real;
  private final Map<String, List<FieldKey>> signatureLimits;

  private Judgement(
      Map<String, Map<FieldKey, Boolean>> real, Map<String, List<FieldKey>> signatureLimits) {
    this.real = real;
    this.signatureLimits = signatureLimits;
  }

  /** The judgement of a run's results (endpoint names as in {@code result}). */
  public static Judgement of(Statistics.RunResult result) {
    Map<String, Map<FieldKey, Boolean>> out = new HashMap<>();
    Map<String, List<FieldKey>> limits = new HashMap<>();
    for (Statistics.EndpointResult e : result.endpoints()) {
      if (e.signatureLimit() != null) {
        limits.put(e.endpoint(), e.signatureLimit());
      }
      Map<FieldKey, Boolean> m = out.computeIfAbsent(e.endpoint(), k -> new HashMap<>());
      for (Statistics.FieldResult f : e.fields()) {
        m.put(new FieldKey(f.field(), f.type()), f.real());
      }
    }
    return new Judgement(out, limits);
  }

  /**
   * Judges one exchange of {@code endpoint}. Verdicts without comparison (skipped, errors, no
   * baseline) stay as they are.
   */
  public Judged judge(String endpoint, Verdict provisional, List<Difference> differences) {
    if (provisional != Verdict.MATCH
        && provisional != Verdict.DIFFERENT
        && provisional != Verdict.NOISE_ONLY) {
      return new Judged(provisional, Map.of());
    }
    Map<FieldKey, Boolean> fields = real.getOrDefault(endpoint, Map.of());
    Map<Difference, Standing> standings = new HashMap<>();
    boolean counted = false;
    boolean any = false;
    for (Difference d : differences) {
      Standing s =
          d.isAccepted()
              ? Standing.ACCEPTED
              : counts(FieldKey.of(d), fields) ? Standing.COUNTS : Standing.NOISE;
      standings.put(d, s);
      counted |= s == Standing.COUNTS;
      any |= s != Standing.ACCEPTED;
    }
    if (!counted && any && beyondCaps(endpoint, differences)) {
      counted =
          true; // as Statistics counts it: too many fields, or a combination beyond those counted
    }
    return new Judged(
        counted ? Verdict.DIFFERENT : any ? Verdict.NOISE_ONLY : Verdict.MATCH, standings);
  }

  private boolean beyondCaps(String endpoint, List<Difference> differences) {
    TreeSet<FieldKey> signature = new TreeSet<>();
    for (Difference d : differences) {
      if (!d.isAccepted()) {
        signature.add(FieldKey.of(d));
      }
    }
    if (signature.size() > Statistics.MAX_SIGNATURE_FIELDS) {
      return true;
    }
    List<FieldKey> limit = signatureLimits.get(endpoint);
    return limit != null && Statistics.SIGNATURE_ORDER.compare(List.copyOf(signature), limit) > 0;
  }

  /** Whether a difference of {@code key} counts, given an endpoint's judged fields: unknown fields count. */
  static boolean counts(FieldKey key, Map<FieldKey, Boolean> realFields) {
    return key.neverNoise() || realFields.getOrDefault(key, true);
  }
}
