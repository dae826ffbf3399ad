package dev.shadowtest.diff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * Exact, mergeable counts of a run, per endpoint and per endpoint × field × difference type,
 * with a few example exchange ids per field. Merging is exact, associative and commutative, so
 * shards and nights add up: {@code stats(A ∪ B) == merge(stats(A), stats(B))}. Examples are the
 * lexicographically smallest ids, which keeps that true.
 *
 * <p>Not thread-safe: one recorder per thread, then {@link #merge}.
 *
 * <pre>{@code
 * Statistics s = new Statistics();
 * s.record("GET /api/users/{id}", exchange.id(), outcome);
 * RunResult r = s.result(NoiseModel.defaults());
 * }</pre>
 */
public final class Statistics {

  /** Example exchange ids kept per field. */
  public static final int EXAMPLES = 3;

  /**
   * Fields (× kind) counted one by one per endpoint; beyond, the lexicographically greatest are
   * folded into {@link #OTHER_FIELDS}, which is never noise. Keeping the smallest keeps merging
   * exact: a field among the smallest of the merged run is among the smallest of each part.
   */
  public static final int MAX_FIELDS = 10_000;

  /** The folded fields' name in results and summaries. */
  public static final String OTHER_FIELDS = "(other fields)";

  /** An exchange differing in more fields than this counts as discrepant whatever the noise. */
  public static final int MAX_SIGNATURE_FIELDS = 32;

  /**
   * Distinct combinations of differing fields kept per endpoint (the smallest, for exact merging);
   * the exchanges of the others count as discrepant.
   */
  public static final int MAX_SIGNATURES = 16_384;

  private static final FieldKey OTHER = new FieldKey(OTHER_FIELDS, DifferenceType.BODY);

  static final Comparator<List<FieldKey>> SIGNATURE_ORDER =
      (x, y) -> {
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
          int c = x.get(i).compareTo(y.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(x.size(), y.size());
      };

  private final TreeMap<String, Counts> endpoints = new TreeMap<>();

  /** Counts of one endpoint. */
  static final class Counts {
    long exchanges;
    long skipped;
    long errors;
    long noBaseline;
    long matched;
    long accepted;
    long rewritten;
    long serverErrors;
    long noiseSamples;
    final TreeMap<FieldKey, FieldCounts> fields = new TreeMap<>();

    /** The fields beyond {@link #MAX_FIELDS}, folded together. */
    final FieldCounts otherFields = new FieldCounts();

    final TreeMap<AcceptedKey, FieldCounts> acceptedFields = new TreeMap<>();
    final FieldCounts otherAccepted = new FieldCounts();

    /** Compared exchanges with differences that are not accepted, by the set of their fields (sorted). */
    final TreeMap<List<FieldKey>, Long> signatures = new TreeMap<>(SIGNATURE_ORDER);

    /** Exchanges whose combination of fields was beyond {@link #MAX_SIGNATURES}: discrepant. */
    long overflow;

    void add(Counts o) {
      exchanges += o.exchanges;
      skipped += o.skipped;
      errors += o.errors;
      noBaseline += o.noBaseline;
      matched += o.matched;
      accepted += o.accepted;
      rewritten += o.rewritten;
      serverErrors += o.serverErrors;
      noiseSamples += o.noiseSamples;
      o.fields.forEach((k, v) -> fields.computeIfAbsent(k, x -> new FieldCounts()).add(v));
      otherFields.add(o.otherFields);
      o.acceptedFields.forEach(
          (k, v) -> acceptedFields.computeIfAbsent(k, x -> new FieldCounts()).add(v));
      otherAccepted.add(o.otherAccepted);
      o.signatures.forEach((k, v) -> signatures.merge(k, v, Long::sum));
      overflow += o.overflow;
      bound();
    }

    /** Folds what is beyond the caps: the greatest fields and signatures go first. */
    void bound() {
      while (fields.size() > MAX_FIELDS) {
        otherFields.add(fields.pollLastEntry().getValue());
      }
      while (acceptedFields.size() > MAX_FIELDS) {
        otherAccepted.add(acceptedFields.pollLastEntry().getValue());
      }
      while (signatures.size() > MAX_SIGNATURES) {
        overflow += signatures.pollLastEntry().getValue();
      }
    }

    @Override
    public boolean equals(Object x) {
      return x instanceof Counts o
          && exchanges == o.exchanges
          && skipped == o.skipped
          && errors == o.errors
          && noBaseline == o.noBaseline
          && matched == o.matched
          && accepted == o.accepted
          && rewritten == o.rewritten
          && serverErrors == o.serverErrors
          && noiseSamples == o.noiseSamples
          && fields.equals(o.fields)
          && otherFields.equals(o.otherFields)
          && acceptedFields.equals(o.acceptedFields)
          && otherAccepted.equals(o.otherAccepted)
          && signatures.equals(o.signatures)
          && overflow == o.overflow;
    }

    @Override
    public int hashCode() {
      return Objects.hash(
          exchanges,
          skipped,
          errors,
          noBaseline,
          matched,
          accepted,
          rewritten,
          serverErrors,
          noiseSamples,
          fields,
          otherFields,
          acceptedFields,
          otherAccepted,
          signatures,
          overflow);
    }
  }

  /** An accepted field and kind, with the reason the rules gave. */
  record AcceptedKey(FieldKey key, String reason) implements Comparable<AcceptedKey> {
    @Override
    public int compareTo(AcceptedKey o) {
      int c = key.compareTo(o.key);
      return c != 0 ? c : reason.compareTo(o.reason);
    }
  }

  /** Counts of one field. */
  static final class FieldCounts {
    long candidate;
    long noise;
    final TreeSet<String> examples = new TreeSet<>();

    void add(FieldCounts o) {
      candidate += o.candidate;
      noise += o.noise;
      for (String id : o.examples) {
        example(id);
      }
    }

    void example(String id) {
      examples.add(id);
      if (examples.size() > EXAMPLES) {
        examples.pollLast();
      }
    }

    @Override
    public boolean equals(Object x) {
      return x instanceof FieldCounts o
          && candidate == o.candidate
          && noise == o.noise
          && examples.equals(o.examples);
    }

    @Override
    public int hashCode() {
      return Objects.hash(candidate, noise, examples);
    }
  }

  /** Adds one exchange's outcome. */
  public void record(String endpoint, String exchangeId, Outcome outcome) {
    record(endpoint, exchangeId, outcome, false);
  }

  /** Adds one exchange's outcome; {@code rewritten}: the candidate was sent a rewritten request. */
  public void record(String endpoint, String exchangeId, Outcome outcome, boolean rewritten) {
    Counts c = endpoints.computeIfAbsent(endpoint, k -> new Counts());
    c.exchanges++;
    if (rewritten) {
      c.rewritten++;
    }
    switch (outcome.verdict()) {
      case SKIPPED -> c.skipped++;
      case CANDIDATE_ERROR -> c.errors++;
      case NO_BASELINE -> c.noBaseline++;
      case MATCH, DIFFERENT, NOISE_ONLY -> compared(c, exchangeId, outcome);
      default -> throw new IllegalStateException(outcome.verdict().name());
    }
  }

  private static void compared(Counts c, String exchangeId, Outcome outcome) {
    if (outcome.serverError()) {
      c.serverErrors++;
    }
    TreeSet<FieldKey> signature = new TreeSet<>(); // a field counts once per exchange
    TreeSet<AcceptedKey> acceptedSeen = new TreeSet<>();
    for (Difference d : outcome.differences()) {
      FieldKey k = FieldKey.of(d);
      if (d.isAccepted()) {
        if (acceptedSeen.add(new AcceptedKey(k, d.accepted()))) {
          FieldCounts f =
              c.acceptedFields.computeIfAbsent(
                  new AcceptedKey(k, d.accepted()), x -> new FieldCounts());
          f.candidate++;
          f.example(exchangeId);
        }
      } else if (signature.add(k)) {
        FieldCounts f = c.fields.computeIfAbsent(k, x -> new FieldCounts());
        f.candidate++;
        f.example(exchangeId);
      }
    }
    if (signature.isEmpty()) {
      c.matched++;
      if (!acceptedSeen.isEmpty()) {
        c.accepted++;
      }
    } else {
      c.signatures.merge(
          signature.size() > MAX_SIGNATURE_FIELDS ? List.of(OTHER) : List.copyOf(signature),
          1L,
          Long::sum);
    }
    if (outcome.hadSecondary()) {
      c.noiseSamples++;
      for (FieldKey k : new TreeSet<>(outcome.noiseFields())) {
        c.fields.computeIfAbsent(k, x -> new FieldCounts()).noise++;
      }
    }
    c.bound();
  }

  /** A new statistics holding both; neither input changes. */
  public Statistics merge(Statistics other) {
    Statistics out = new Statistics();
    out.addAll(this);
    out.addAll(other);
    return out;
  }

  private void addAll(Statistics s) {
    s.endpoints.forEach((k, v) -> endpoints.computeIfAbsent(k, x -> new Counts()).add(v));
  }

  /** Endpoints are renamed (e.g. collapsed templates); counts of endpoints that meet are merged. */
  public Statistics renameEndpoints(Map<String, String> names) {
    Statistics out = new Statistics();
    endpoints.forEach(
        (k, v) ->
            out.endpoints.computeIfAbsent(names.getOrDefault(k, k), x -> new Counts()).add(v));
    return out;
  }

  public Set<String> endpointNames() {
    return Collections.unmodifiableSet(endpoints.keySet());
  }

  /**
   * Per-endpoint and overall results, with fields classified by {@code noise}: an exchange is
   * discrepant when one of its differences that is not accepted is in a field judged real (the
   * rule {@link Judgement} applies to each exchange).
   */
  public RunResult result(NoiseModel noise) {
    List<EndpointResult> results = new ArrayList<>();
    for (Map.Entry<String, Counts> e : endpoints.entrySet()) {
      Counts c = e.getValue();
      long compared =
          c.matched + c.overflow + c.signatures.values().stream().mapToLong(Long::longValue).sum();
      Map<FieldKey, Boolean> real = new TreeMap<>();
      List<FieldResult> fields = new ArrayList<>();
      for (Map.Entry<FieldKey, FieldCounts> f : c.fields.entrySet()) {
        FieldCounts fc = f.getValue();
        boolean isNoise =
            !f.getKey().neverNoise()
                && noise.isNoise(fc.candidate, compared, fc.noise, c.noiseSamples);
        real.put(f.getKey(), !isNoise);
        fields.add(
            new FieldResult(
                f.getKey().field(),
                f.getKey().type(),
                fc.candidate,
                fc.noise,
                !isNoise,
                List.copyOf(fc.examples)));
      }
      if (c.otherFields.candidate + c.otherFields.noise > 0) {
        real.put(OTHER, true);
        fields.add(
            new FieldResult(
                OTHER_FIELDS,
                DifferenceType.BODY,
                c.otherFields.candidate,
                c.otherFields.noise,
                true,
                List.copyOf(c.otherFields.examples)));
      }
      long discrepant = c.overflow;
      long noiseExchanges = 0;
      for (Map.Entry<List<FieldKey>, Long> s : c.signatures.entrySet()) {
        if (s.getKey().stream().anyMatch(k -> Judgement.counts(k, real))) {
          discrepant += s.getValue();
        } else {
          noiseExchanges += s.getValue();
        }
      }
      fields.sort(
          (x, y) ->
              Long.compare(y.count(), x.count()) != 0
                  ? Long.compare(y.count(), x.count())
                  : (x.field() + x.type()).compareTo(y.field() + y.type()));
      List<AcceptedResult> accepted = new ArrayList<>();
      c.acceptedFields.forEach(
          (k, v) ->
              accepted.add(
                  new AcceptedResult(
                      k.key().field(),
                      k.key().type(),
                      k.reason(),
                      v.candidate,
                      List.copyOf(v.examples))));
      if (c.otherAccepted.candidate > 0) {
        accepted.add(
            new AcceptedResult(
                OTHER_FIELDS,
                DifferenceType.BODY,
                "(more accepted fields than are counted one by one)",
                c.otherAccepted.candidate,
                List.copyOf(c.otherAccepted.examples)));
      }
      accepted.sort((x, y) -> Long.compare(y.count(), x.count()));
      results.add(
          new EndpointResult(
              e.getKey(),
              c.exchanges,
              compared,
              c.skipped,
              c.matched,
              discrepant,
              noiseExchanges,
              c.errors,
              c.serverErrors,
              c.noBaseline,
              fields,
              c.accepted,
              c.rewritten,
              accepted,
              c.overflow > 0 ? c.signatures.lastKey() : null));
    }
    return new RunResult(results);
  }

  /**
   * The discrepant exchanges of this statistics (e.g. a time window of a live run) with each
   * field classified by {@code judgedBy}'s counts (e.g. the whole day so far): a window alone has
   * too few exchanges to excuse anything as noise. Counts per endpoint, by this statistics'
   * endpoints; a field {@code judgedBy} has not seen is real.
   */
  public Window window(NoiseModel noise, Statistics judgedBy) {
    long exchanges = 0;
    long skipped = 0;
    long compared = 0;
    long discrepant = 0;
    long errors = 0;
    long serverErrors = 0;
    for (Map.Entry<String, Counts> e : endpoints.entrySet()) {
      Counts c = e.getValue();
      Counts ref = judgedBy.endpoints.get(e.getKey());
      Map<FieldKey, Boolean> real = new TreeMap<>();
      if (ref != null) {
        long refCompared =
            ref.matched
                + ref.overflow
                + ref.signatures.values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<FieldKey, FieldCounts> f : ref.fields.entrySet()) {
          FieldCounts fc = f.getValue();
          real.put(
              f.getKey(),
              f.getKey().neverNoise()
                  || !noise.isNoise(fc.candidate, refCompared, fc.noise, ref.noiseSamples));
        }
      }
      long d = c.overflow;
      long signatures = 0;
      for (Map.Entry<List<FieldKey>, Long> s : c.signatures.entrySet()) {
        signatures += s.getValue();
        if (s.getKey().stream().anyMatch(k -> Judgement.counts(k, real))) {
          d += s.getValue();
        }
      }
      exchanges += c.exchanges;
      skipped += c.skipped;
      compared += c.matched + c.overflow + signatures;
      discrepant += d;
      errors += c.errors;
      serverErrors += c.serverErrors;
    }
    return new Window(exchanges, skipped, compared, discrepant, errors, serverErrors);
  }

  /** Totals of a window judged by {@link #window}. */
  public record Window(
      long exchanges,
      long skipped,
      long compared,
      long discrepant,
      long errors,
      long serverErrors) {

    /** Exchanges that were sent (not skipped). */
    public long attempted() {
      return exchanges - skipped;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Statistics s && endpoints.equals(s.endpoints);
  }

  @Override
  public int hashCode() {
    return endpoints.hashCode();
  }

  /** One field of one endpoint: how often it differed, how often as noise, whether it counts. */
  public record FieldResult(
      String field,
      DifferenceType type,
      long count,
      long noise,
      boolean real,
      List<String> examples) {}

  /** A field and kind of difference that the rules accept, with their reason: listed, never counted. */
  public record AcceptedResult(
      String field, DifferenceType type, String reason, long count, List<String> examples) {}

  /**
   * One endpoint. {@code compared = matched + discrepant + noise}; {@code discrepancyRate =
   * discrepant / compared} (0 when nothing was compared).
   *
   * @param accepted       matched exchanges that matched only because the rules accept their differences
   * @param rewritten      exchanges whose request was rewritten for the candidate ({@code transforms:})
   * @param acceptedFields the accepted fields, with their reasons
   * @param signatureLimit  when more combinations of differing fields were seen than are counted
   *                        ({@link #MAX_SIGNATURES}), the greatest one counted: exchanges with a
   *                        greater combination are discrepant ({@link Judgement} applies it); else null
   */
  public record EndpointResult(
      String endpoint,
      long exchanges,
      long compared,
      long skipped,
      long matched,
      long discrepant,
      long noise,
      long errors,
      long serverErrors,
      long noBaseline,
      List<FieldResult> fields,
      long accepted,
      long rewritten,
      List<AcceptedResult> acceptedFields,
      List<FieldKey> signatureLimit) {

    public EndpointResult {
      fields = List.copyOf(fields);
      acceptedFields = List.copyOf(acceptedFields);
      signatureLimit = signatureLimit == null ? null : List.copyOf(signatureLimit);
    }

    /** An endpoint without accepted or rewritten exchanges. */
    public EndpointResult(
        String endpoint,
        long exchanges,
        long compared,
        long skipped,
        long matched,
        long discrepant,
        long noise,
        long errors,
        long serverErrors,
        long noBaseline,
        List<FieldResult> fields) {
      this(
          endpoint,
          exchanges,
          compared,
          skipped,
          matched,
          discrepant,
          noise,
          errors,
          serverErrors,
          noBaseline,
          fields,
          0,
          0,
          List.of(),
          null);
    }

    public long attempted() {
      return exchanges - skipped;
    }

    public double discrepancyRate() {
      return compared == 0 ? 0.0 : (double) discrepant / compared;
    }

    public double errorRate() {
      return attempted() == 0 ? 0.0 : (double) (errors + serverErrors) / attempted();
    }
  }

  /** All endpoints and the totals (counted as docs/summary-format.md says). */
  public record RunResult(List<EndpointResult> endpoints) {
    public RunResult {
      endpoints = List.copyOf(endpoints);
    }

    public long exchanges() {
      return sum(EndpointResult::exchanges);
    }

    public long compared() {
      return sum(EndpointResult::compared);
    }

    public long skipped() {
      return sum(EndpointResult::skipped);
    }

    public long matched() {
      return sum(EndpointResult::matched);
    }

    public long discrepant() {
      return sum(EndpointResult::discrepant);
    }

    public long noise() {
      return sum(EndpointResult::noise);
    }

    public long errors() {
      return sum(EndpointResult::errors);
    }

    public long serverErrors() {
      return sum(EndpointResult::serverErrors);
    }

    public long noBaseline() {
      return sum(EndpointResult::noBaseline);
    }

    public long accepted() {
      return sum(EndpointResult::accepted);
    }

    public long rewritten() {
      return sum(EndpointResult::rewritten);
    }

    private long sum(ToLongFunction<EndpointResult> count) {
      return endpoints.stream().mapToLong(count).sum();
    }

    /** discrepant / compared; 0 when nothing was compared (and a gate must then fail). */
    public double discrepancyRate() {
      long c = compared();
      return c == 0 ? 0.0 : (double) discrepant() / c;
    }

    /** (errors + serverErrors) / attempted. */
    public double errorRate() {
      long attempted = exchanges() - skipped();
      return attempted == 0 ? 0.0 : (double) (errors() + serverErrors()) / attempted;
    }
  }
}
