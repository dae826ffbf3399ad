package dev.shadowtest.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.reconcile.ReconcileResult;
import dev.shadowtest.reconcile.Reconciliation;
import dev.shadowtest.replay.ReplayResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DemoTests {

  @TempDir Path dir;

  @Test
  void theDemoFindsExactlyTheSeededDiscrepancies() throws IOException {
    ReplayResult r = Demo.run(dir, Demo.EXCHANGES, ShadowListener.NONE);

    Endpoints names = new Endpoints(Rules.parse(DemoServices.rulesYaml(), "demo rules"));
    Map<String, Long> expected = new HashMap<>();
    long seeded = 0;
    for (String[] t : DemoServices.traffic(Demo.EXCHANGES)) {
      if (DemoServices.seededDiscrepancy(t[0], t[1])) {
        expected.merge(names.of(t[0], t[1]), 1L, Long::sum);
        seeded++;
      }
    }
    assertThat(seeded).as("the seeded traffic must contain regressions").isGreaterThan(5);

    JsonNode summary = new ObjectMapper().readTree(r.summaryFile().toFile());
    Map<String, Long> actual = new HashMap<>();
    for (JsonNode e : summary.get("endpoints")) {
      if (e.get("discrepant").asLong() > 0) {
        actual.put(e.get("endpoint").asText(), e.get("discrepant").asLong());
      }
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(summary.get("discrepant").asLong()).isEqualTo(seeded);
    assertThat(summary.get("gate").get("passed").asBoolean()).isFalse();
    assertThat(summary.get("skipped").asLong()).isEqualTo(Demo.EXCHANGES / 10); // the POSTs
    assertThat(summary.get("noise").asLong())
        .isGreaterThan(50); // users' lastLogin, learned from the twin
    JsonNode users = null;
    for (JsonNode e : summary.get("endpoints")) {
      if (e.get("endpoint").asText().equals("GET /api/users/{id}")) {
        users = e;
      }
    }
    assertThat(users).isNotNull();
    assertThat(users.get("serverErrors").asLong()).isEqualTo(expected.get("GET /api/users/{id}"));
    assertThat(r.passed()).isFalse();
  }

  @Test
  void theDemoReconciliationFindsExactlyTheSeededDrift() {
    Reconciliation.Outcome o = DemoReconcile.run(dir, w -> {});
    ReconcileResult.DatasetResult orders = o.result().datasets().get(0);
    assertThat(orders.onlyLegacy()).isEqualTo(3);
    assertThat(orders.onlyCandidate()).isEqualTo(1);
    assertThat(orders.changed()).isEqualTo(2);
    assertThat(orders.changedByColumn()).containsExactly(Map.entry("total", 2L));
    assertThat(orders.matched()).isEqualTo(DemoReconcile.ORDERS - 3 - 2);
    assertThat(o.summary().drift()).isEqualTo((double) DemoReconcile.DIFFERING / 10_001);
    assertThat(o.summary().verdict()).isEqualTo(ReconcileResult.Verdict.INVESTIGATE);
    assertThat(o.result().aggregates()).noneMatch(ReconcileResult.AggregateResult::agrees);
    assertThat(o.report()).exists();
    // run again: the databases are rebuilt, the result is the same
    assertThat(DemoReconcile.run(dir, w -> {}).summary().drift()).isEqualTo(o.summary().drift());
  }
}
