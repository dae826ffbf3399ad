package dev.shadowtest.diff.run;

import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.NoiseModel;
import dev.shadowtest.diff.Statistics;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a summary is computed from, built by adding result lines (during a run, or from
 * the results files of several shards: the same lines give the same aggregate).
 */
public final class RunAggregate {

  /** Recorded, primary and candidate latencies of one endpoint. */
  public static final class Latencies {
    public final LatencyHistogram recorded = new LatencyHistogram();
    public final LatencyHistogram primary = new LatencyHistogram();
    public final LatencyHistogram candidate = new LatencyHistogram();

    /** Candidate p99 / baseline p99 (the primary's when there was one, else the recording's), or null. */
    public Double p99Ratio() {
      LatencyHistogram base = primary.count() > 0 ? primary : recorded;
      Double b = base.percentileMillis(0.99);
      Double c = candidate.percentileMillis(0.99);
      return b != null && c != null && b > 0 ? c / b : null;
    }

    /** How many exchanges back the ratio: the fewer of the baseline's and the candidate's latencies. */
    public long ratioSamples() {
      LatencyHistogram base = primary.count() > 0 ? primary : recorded;
      return Math.min(base.count(), candidate.count());
    }

    void add(Latencies o) {
      recorded.add(o.recorded);
      primary.add(o.primary);
      candidate.add(o.candidate);
    }
  }

  /**
   * What the recording's producer left out, counted over a run: exchanges skipped because the
   * browser served them from its cache ({@code import.fromCache}), and exchanges compared without
   * their body because the recording holds none ({@link dev.shadowtest.core.Body.NotCaptured}),
   * and exchanges compared on part of a body only, cut at capture or over {@code --max-body}
   * (differences beyond it are not seen).
   */
  public record CaptureGaps(long skippedFromCache, long bodyNotCaptured, long bodyCut) {
    public static final CaptureGaps NONE = new CaptureGaps(0, 0, 0);
  }

  private final Statistics stats = new Statistics();
  private final TreeMap<String, Latencies> latencies = new TreeMap<>();
  private long skippedFromCache;
  private long bodyNotCaptured;
  private long bodyCut;
  private final TreeMap<String, Long> transforms = new TreeMap<>();

  public synchronized void add(ResultLine r) {
    if (r.skippedFromCache()) {
      skippedFromCache++;
    }
    if (r.bodyNotCaptured()) {
      bodyNotCaptured++;
    }
    if (r.bodyCut()) {
      bodyCut++;
    }
    boolean rewritten = r.candidateTarget() != null;
    for (String t : r.transforms()) {
      String[] words = t.split(" ", 3);
      if (words.length >= 2) {
        transforms.merge(words[1], 1L, Long::sum);
        rewritten |= words[0].equals("candidate") && !words[1].equals("capture");
      }
    }
    stats.record(r.endpoint(), r.id(), r.outcome(), rewritten);
    Latencies l = latencies.computeIfAbsent(r.endpoint(), k -> new Latencies());
    if (r.recordedMicros() != null) {
      l.recorded.record(r.recordedMicros());
    }
    if (r.primaryMicros() != null) {
      l.primary.record(r.primaryMicros());
    }
    if (r.candidateMicros() != null) {
      l.candidate.record(r.candidateMicros());
    }
  }

  /**
   * The totals of {@code window} (e.g. the last minutes of a live run) with each field judged by
   * the noise of this aggregate and {@code before} (e.g. the day so far and the day before; null
   * for none): a window alone has too few exchanges to excuse anything ({@link
   * Statistics#window}). Endpoints are collapsed as the summary collapses them.
   */
  public Statistics.Window window(
      Statistics window, NoiseModel noise, Endpoints endpoints, RunAggregate before) {
    Statistics reference = snapshot();
    if (before != null && before != this) {
      reference = reference.merge(before.snapshot());
    }
    Set<String> names = new TreeSet<>(reference.endpointNames());
    names.addAll(window.endpointNames());
    Map<String, String> collapsed = endpoints.collapse(names, Endpoints.DEFAULT_CARDINALITY);
    return window.renameEndpoints(collapsed).window(noise, reference.renameEndpoints(collapsed));
  }

  /** A copy of the statistics so far. */
  private synchronized Statistics snapshot() {
    return stats.merge(new Statistics());
  }

  /** The aggregate with high-cardinality endpoints collapsed, and its results. */
  public synchronized Collapsed collapse(Endpoints endpoints, NoiseModel noise) {
    Map<String, String> names =
        endpoints.collapse(stats.endpointNames(), Endpoints.DEFAULT_CARDINALITY);
    Statistics renamed = stats.renameEndpoints(names);
    TreeMap<String, Latencies> lat = new TreeMap<>();
    latencies.forEach(
        (k, v) -> lat.computeIfAbsent(names.getOrDefault(k, k), x -> new Latencies()).add(v));
    return new Collapsed(
        renamed.result(noise),
        lat,
        Map.copyOf(names),
        new CaptureGaps(skippedFromCache, bodyNotCaptured, bodyCut),
        Map.copyOf(transforms));
  }

  /**
   * Results per collapsed endpoint, with their latencies.
   *
   * @param names the collapsed name of each endpoint that was renamed (others keep their name)
   * @param transforms how often each kind of transform was applied ({@code setHeader}, {@code use},
   *     ...), over every target (docs/rules.md)
   */
  public record Collapsed(
      Statistics.RunResult result,
      Map<String, Latencies> latencies,
      Map<String, String> names,
      CaptureGaps gaps,
      Map<String, Long> transforms) {

    public Collapsed {
      transforms = transforms == null ? Map.of() : new TreeMap<>(transforms);
    }

    public Collapsed(
        Statistics.RunResult result, Map<String, Latencies> latencies, Map<String, String> names) {
      this(result, latencies, names, CaptureGaps.NONE, Map.of());
    }

    /** Per endpoint: candidate p99 / baseline p99 and how many exchanges back it, where both are known. */
    public Map<String, Gate.LatencyRatio> p99Ratios() {
      Map<String, Gate.LatencyRatio> out = new TreeMap<>();
      latencies.forEach(
          (k, v) -> {
            Double r = v.p99Ratio();
            if (r != null) {
              out.put(k, new Gate.LatencyRatio(r, v.ratioSamples()));
            }
          });
      return out;
    }

    /** The final verdicts of this run's exchanges. */
    public Judgement judgement() {
      return Judgement.of(result);
    }
  }
}
