package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LatencyHistogramTests {

  /** The buckets as a sorted map, the form the histogram had before its array: the oracle. */
  private static final class Reference {
    final TreeMap<Integer, Long> buckets = new TreeMap<>();
    long count;

    void record(long micros) {
      int b = micros <= 1 ? 0 : (int) Math.floor(Math.log(micros) / Math.log(1.01));
      buckets.merge(b, 1L, Long::sum);
      count++;
    }

    Double percentileMillis(double q) {
      if (count == 0) {
        return null;
      }
      long rank = (long) Math.ceil(q * count);
      long seen = 0;
      for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
        seen += e.getValue();
        if (seen >= Math.max(rank, 1)) {
          double micros = e.getKey() == 0 ? 1 : Math.exp((e.getKey() + 0.5) * Math.log(1.01));
          return Math.round(micros / 10.0) / 100.0;
        }
      }
      return null;
    }
  }

  private static final double[] QUANTILES = {0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1};

  @Test
  void percentilesAreThoseOfTheBucketsWhateverTheOrderAndRangeOfTheLatencies() {
    Random random = new Random(19);
    for (int round = 0; round < 300; round++) {
      LatencyHistogram h = new LatencyHistogram();
      Reference r = new Reference();
      int n = random.nextInt(2_000);
      int shape = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        long micros =
            switch (shape) {
              case 0 -> 100 + random.nextInt(5_000); // one endpoint's usual spread
              case 1 -> (long) Math.exp(random.nextDouble() * 43); // 1 µs to 5e18 µs
              case 2 -> 1_000_000 - i * 400L; // falling: the array grows downwards
              default -> random.nextInt(3) - 1; // 0, 1 and below: bucket 0
            };
        h.record(micros);
        r.record(micros);
      }
      assertThat(h.count()).isEqualTo(r.count);
      for (double q : QUANTILES) {
        assertThat(h.percentileMillis(q))
            .as("round %d, q %s", round, q)
            .isEqualTo(r.percentileMillis(q));
      }
    }
  }

  @Test
  void mergingAddsBucketCountsInAnyOrder() {
    Random random = new Random(7);
    for (int round = 0; round < 100; round++) {
      LatencyHistogram a = new LatencyHistogram();
      LatencyHistogram b = new LatencyHistogram();
      LatencyHistogram all = new LatencyHistogram();
      Reference r = new Reference();
      long offset = (long) Math.exp(random.nextDouble() * 30);
      for (int i = 0; i < 500; i++) {
        long micros = offset + random.nextInt(1 + (int) Math.min(offset, 1_000_000));
        (random.nextBoolean() ? a : b).record(micros);
        all.record(micros);
        r.record(micros);
      }
      LatencyHistogram ab = new LatencyHistogram();
      ab.add(a);
      ab.add(b);
      LatencyHistogram ba = new LatencyHistogram();
      ba.add(b);
      ba.add(a);
      assertThat(ab).isEqualTo(all).isEqualTo(ba).hasSameHashCodeAs(all).hasSameHashCodeAs(ba);
      for (double q : QUANTILES) {
        assertThat(ab.percentileMillis(q)).isEqualTo(r.percentileMillis(q));
      }
    }
  }

  @Test
  void extremesAndEmptiness() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.percentileMillis(0.5)).isNull();
    assertThat(h).isEqualTo(new LatencyHistogram());
    h.record(Long.MAX_VALUE);
    h.record(0);
    assertThat(h.count()).isEqualTo(2);
    assertThat(h.percentileMillis(0.5)).isEqualTo(0.0); // 1 µs, in ms with 2 decimals
    assertThat(h.percentileMillis(1)).isGreaterThan(9e15);
    LatencyHistogram other = new LatencyHistogram();
    other.record(0);
    assertThat(h).isNotEqualTo(other);
    other.record(Long.MAX_VALUE);
    assertThat(h).isEqualTo(other).hasSameHashCodeAs(other);
  }
}
