package dev.shadowtest.diff.run;

import java.util.Map;
import java.util.TreeMap;

/**
 * Latencies in log-spaced buckets 1% wide: constant memory, exact merging (bucket counts add),
 * percentiles within ±0.5%.
 */
public final class LatencyHistogram {

  private static final double BASE = Math.log(1.01);

  private final TreeMap<Integer, Long> buckets = new TreeMap<>();
  private long count;

  public void record(long micros) {
    int b = micros <= 1 ? 0 : (int) Math.floor(Math.log(micros) / BASE);
    buckets.merge(b, 1L, Long::sum);
    count++;
  }

  public void add(LatencyHistogram other) {
    other.buckets.forEach((k, v) -> buckets.merge(k, v, Long::sum));
    count += other.count;
  }

  public long count() {
    return count;
  }

  /** The value at quantile {@code q} (0..1) in milliseconds, or null when empty. */
  public Double percentileMillis(double q) {
    if (count == 0) {
      return null;
    }
    long rank = (long) Math.ceil(q * count);
    long seen = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      seen += e.getValue();
      if (seen >= Math.max(rank, 1)) {
        double micros = e.getKey() == 0 ? 1 : Math.exp((e.getKey() + 0.5) * BASE);
        return Math.round(micros / 10.0) / 100.0; // ms, 2 decimals
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyHistogram h && count == h.count && buckets.equals(h.buckets);
  }

  @Override
  public int hashCode() {
    return buckets.hashCode();
  }
}
