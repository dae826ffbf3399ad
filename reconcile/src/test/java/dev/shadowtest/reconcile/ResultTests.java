package dev.shadowtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.reconcile.ReconcileResult.AggregateResult;
import dev.shadowtest.reconcile.ReconcileResult.Checksum;
import dev.shadowtest.reconcile.ReconcileResult.DatasetResult;
import dev.shadowtest.reconcile.ReconcileResult.GroupResult;
import dev.shadowtest.reconcile.ReconcileResult.Verdict;
import dev.shadowtest.reconcile.ReconcileSpec.Thresholds;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultTests {

  static DatasetResult changed(String name, long changed, long of) {
    return new DatasetResult(
        name, of - changed, 0, 0, changed, Map.of(), List.of(), Checksum.NOT_USED);
  }

  static Verdict verdict(Thresholds t, List<AggregateResult> aggregates, DatasetResult... d) {
    return new ReconcileResult(List.of(d), aggregates, t, Instant.EPOCH, Instant.EPOCH).verdict();
  }

  @Test
  void aDriftAtAThresholdIsNotAboveIt() {
    Thresholds t = Thresholds.DEFAULTS;
    assertThat(verdict(t, List.of(), changed("a", 0, 10_000))).isEqualTo(Verdict.OK);
    assertThat(verdict(t, List.of(), changed("a", 1, 10_000))).isEqualTo(Verdict.OK);
    assertThat(verdict(t, List.of(), changed("a", 2, 10_000))).isEqualTo(Verdict.INVESTIGATE);
    assertThat(verdict(t, List.of(), changed("a", 10, 10_000))).isEqualTo(Verdict.INVESTIGATE);
    assertThat(verdict(t, List.of(), changed("a", 11, 10_000))).isEqualTo(Verdict.PAUSE);
  }

  @Test
  void percentThresholdsFromASpecAreExactAtTheBoundary(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("r.yaml");
    Files.writeString(
        f,
        """
        version: 1
        legacy: { jdbc: "jdbc:h2:mem:a" }
        candidate: { jdbc: "jdbc:h2:mem:b" }
        thresholds: { investigate: 0.01%, pause: 0.1% }
        datasets:
          - { name: t, legacy: { table: t }, candidate: { table: t }, key: [id], columns: [] }
        """);
    Thresholds t = ReconcileSpec.load(f, Map.of()).thresholds();
    assertThat(t).isEqualTo(Thresholds.DEFAULTS);
    assertThat(verdict(t, List.of(), changed("a", 1, 10_000))).isEqualTo(Verdict.OK);
    assertThat(verdict(t, List.of(), changed("a", 10, 10_000))).isEqualTo(Verdict.INVESTIGATE);
  }

  @Test
  void theWorstDatasetDecidesEvenWhenTheOverallDriftIsLow() {
    ReconcileResult r =
        new ReconcileResult(
            List.of(changed("big", 0, 1_000_000), changed("small", 1, 100)),
            List.of(),
            Thresholds.DEFAULTS,
            Instant.EPOCH,
            Instant.EPOCH);
    assertThat(r.drift()).isEqualTo(1.0 / 1_000_100);
    assertThat(r.verdict()).isEqualTo(Verdict.PAUSE);
  }

  @Test
  void anAggregateOutOfToleranceIsToBeInvestigated() {
    AggregateResult off =
        new AggregateResult(
            "total", List.of(new GroupResult("", BigDecimal.ONE, BigDecimal.TEN, false)));
    assertThat(verdict(Thresholds.DEFAULTS, List.of(off), changed("a", 0, 10)))
        .isEqualTo(Verdict.INVESTIGATE);
    assertThat(
            new ReconcileResult(
                    List.of(), List.of(), Thresholds.DEFAULTS, Instant.EPOCH, Instant.EPOCH)
                .drift())
        .isZero();
  }
}
