package dev.shadowtest.diff.run;

import java.util.Arrays;

/**
 * Latencies in log-spaced buckets 1% wide: constant memory, exact merging (bucket counts add),
 * percentiles within ±0.5%.
 *
 * <p>The counts are an array over the buckets between the lowest and the highest one seen (a
 * latency of 1 µs is bucket 0, one hour bucket 2,196; every {@code long} fits in 4,393 buckets),
 * so recording is an index and an increment.
 */
public final class LatencyHistogram {

  private static final double BASE = Math.log(1.01);

  /** The bucket of {@code counts[0]}. */
  private int first;

  /** Counts of the buckets {@code first ..}; empty until the first latency. */
  private long[] counts = new long[0];

  private long count;

  public void record(long micros) {
    int b = micros <= 1 ? 0 : (int) Math.floor(Math.log(micros) / BASE);
    add(b, 1);
    count++;
  }

  public void add(LatencyHistogram other) {
    for (int i = 0; i < other.counts.length; i++) {
      if (other.counts[i] != 0) {
        add(other.first + i, other.counts[i]);
      }
    }
    count += other.count;
  }

  /** Adds {@code n} to bucket {@code b}, growing the array to hold it. */
  private void add(int b, long n) {
    if (counts.length == 0) {
      first = b;
      counts = new long[8];
    } else if (b < first) {
      // room below as well, so that latencies falling slowly do not copy the array every time
      int newFirst = Math.max(0, Math.min(b, first - counts.length / 2));
      long[] grown = new long[counts.length + (first - newFirst)];
      System.arraycopy(counts, 0, grown, first - newFirst, counts.length);
      counts = grown;
      first = newFirst;
    } else if (b - first >= counts.length) {
      counts = Arrays.copyOf(counts, Math.max(b - first + 1, counts.length + counts.length / 2));
    }
    counts[b - first] += n;
  }

  public long count() {
    return count;
  }

  /** The value at quantile {@code q} (0..1) in milliseconds, or null when empty. */
  public Double percentileMillis(double q) {
    if (count == 0) {
      return null;
    }
    long rank = Math.max((long) Math.ceil(q * count), 1);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (counts[i] != 0 && seen >= rank) {
        int bucket = first + i;
        double micros = bucket == 0 ? 1 : Math.exp((bucket + 0.5) * BASE);
        return Math.round(micros / 10.0) / 100.0; // ms, 2 decimals
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LatencyHistogram h) || count != h.count) {
      return false;
    }
    int lo = Math.min(first, h.first);
    int hi = Math.max(first + counts.length, h.first + h.counts.length);
    for (int b = lo; b < hi; b++) {
      if (at(b) != h.at(b)) {
        return false;
      }
    }
    return true;
  }

  private long at(int bucket) {
    int i = bucket - first;
    return i >= 0 && i < counts.length ? counts[i] : 0;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(count);
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] != 0) {
        h += (first + i) * 31 + Long.hashCode(counts[i]); // independent of the array's extent
      }
    }
    return h;
  }
}
