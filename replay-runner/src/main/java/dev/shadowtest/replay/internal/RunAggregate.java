package dev.shadowtest.replay.internal;

import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.NoiseModel;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.replay.ResultLine;
import java.util.Map;
import java.util.TreeMap;

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

    void add(Latencies o) {
      recorded.add(o.recorded);
      primary.add(o.primary);
      candidate.add(o.candidate);
    }
  }

  private final Statistics stats = new Statistics();
  private final TreeMap<String, Latencies> latencies = new TreeMap<>();

  public synchronized void add(ResultLine r) {
    stats.record(r.endpoint(), r.id(), r.outcome());
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

  /** The aggregate with high-cardinality endpoints collapsed, and its results. */
  public synchronized Collapsed collapse(Endpoints endpoints, NoiseModel noise) {
    Map<String, String> names = endpoints.collapse(stats.endpointNames(), Endpoints.DEFAULT_CARDINALITY);
    Statistics renamed = stats.renameEndpoints(names);
    TreeMap<String, Latencies> lat = new TreeMap<>();
    latencies.forEach((k, v) -> lat.computeIfAbsent(names.getOrDefault(k, k), x -> new Latencies()).add(v));
    return new Collapsed(renamed.result(noise), lat);
  }

  /** Results per collapsed endpoint, with their latencies. */
  public record Collapsed(Statistics.RunResult result, Map<String, Latencies> latencies) {}
}
