package dev.shadowtest.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keyed pseudonyms: equal values alike, different ones different, whatever was made before. */
class PseudonymsTests {

  @Test
  void equalValuesGetEqualPseudonymsInEveryViewAndAfterTheSharedOnesWereForgotten() {
    Pseudonyms p = Pseudonyms.random();
    String shortValue = "EUR";
    String longValue = "a value longer than the ones shared between exchanges: " + "x".repeat(60);
    String first = p.of(shortValue);
    String firstLong = p.of(longValue);
    assertThat(first).startsWith(Pseudonyms.PREFIX).hasSize(Pseudonyms.PREFIX.length() + 22);
    assertThat(p.memoized().of(shortValue)).isEqualTo(first);
    assertThat(p.memoized().of(longValue)).isEqualTo(firstLong);
    Set<String> made = new HashSet<>();
    for (int i = 0; i < 40_000; i++) { // more than are shared: the shared ones are dropped
      made.add(p.of("v" + i));
    }
    assertThat(made).hasSize(40_000).doesNotContain(first);
    assertThat(p.of(shortValue)).isEqualTo(first);
    assertThat(p.of(longValue)).isEqualTo(firstLong);
    assertThat(Pseudonyms.random().of(shortValue)).isNotEqualTo(first); // another key
  }

  @Test
  void threadsAgree() throws InterruptedException {
    Pseudonyms p = Pseudonyms.random();
    String[] seen = new String[4];
    Thread[] threads = new Thread[seen.length];
    for (int t = 0; t < threads.length; t++) {
      int n = t;
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 5_000; i++) {
                  p.of("shared " + (i % 100));
                }
                seen[n] = p.of("shared 7");
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(seen).containsOnly(seen[0]);
    assertThat(seen[0]).isEqualTo(p.of("shared 7"));
  }
}
