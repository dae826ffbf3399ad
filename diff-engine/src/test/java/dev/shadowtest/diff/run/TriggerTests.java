package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.RulesException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Triggers as written: the flag form, the rules file's {@code triggers:} section, the defaults. */
class TriggerTests {

  @TempDir Path dir;

  @Test
  void theDefaultsAreThePlaybooksThreeTriggers() {
    assertThat(Trigger.defaults())
        .containsExactly(
            new Trigger(
                "discrepancy",
                Trigger.Metric.DISCREPANCY,
                0.01,
                Duration.ofMinutes(5),
                Duration.ZERO,
                100),
            new Trigger(
                "errorRate",
                Trigger.Metric.ERROR_RATE,
                0.005,
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                100),
            new Trigger(
                "latencyRatio(p99)",
                Trigger.Metric.LATENCY_RATIO_P99,
                2,
                Duration.ofMinutes(10),
                Duration.ofMinutes(10),
                30));
  }

  @Test
  void theFlagFormReadsMetricThresholdAndKeys() {
    assertThat(Trigger.parse("discrepancy>1%")).isEqualTo(Trigger.defaults().get(0));
    assertThat(Trigger.parse("errorRate>0.5%,for=5m")).isEqualTo(Trigger.defaults().get(1));
    assertThat(Trigger.parse("latencyRatio(p99)>2,for=10m")).isEqualTo(Trigger.defaults().get(2));
    assertThat(Trigger.parse("errorRate>0.5%,for=5m,window=10m,min=200,name=candidate-errors"))
        .isEqualTo(
            new Trigger(
                "candidate-errors",
                Trigger.Metric.ERROR_RATE,
                0.005,
                Duration.ofMinutes(10),
                Duration.ofMinutes(5),
                200));
    assertThat(Trigger.parse(" errorRate > 0.005 , for = PT1M30S ").forDuration())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(Trigger.parse("latencyRatio(p99)>2.5x,for=1h").threshold()).isEqualTo(2.5);
    assertThat(Trigger.parse("discrepancy>0%,for=30s").window()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void durationsAreShortOrIso() {
    assertThat(Trigger.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Trigger.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Trigger.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Trigger.parseDuration("0")).isEqualTo(Duration.ZERO);
    assertThat(Trigger.parseDuration("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Trigger.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Trigger.formatDuration(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Trigger.formatDuration(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(Trigger.formatDuration(Duration.ZERO)).isEqualTo("0");
  }

  @Test
  void everyMalformedFlagIsAnErrorNamingKeyAndValue() {
    assertBad(
        "errorRate=0.5%",
        "trigger \"errorRate=0.5%\": expected METRIC>THRESHOLD[,key=value...] (e.g."
            + " errorRate>0.5%,for=5m), metrics discrepancy, errorRate, latencyRatio(p99)");
    assertBad(
        "latency>2",
        "trigger \"latency>2\": unknown metric \"latency\" (expected discrepancy, errorRate,"
            + " latencyRatio(p99))");
    assertBad(
        "errorRate>lots",
        "trigger \"errorRate>lots\": threshold: expected a rate like 0.5% or 0.005 (between 0 and"
            + " 1), got \"lots\"");
    assertBad(
        "errorRate>150%",
        "trigger \"errorRate>150%\": threshold: expected a rate like 0.5% or 0.005 (between 0 and"
            + " 1), got \"150%\"");
    assertBad(
        "latencyRatio(p99)>0",
        "trigger \"latencyRatio(p99)>0\": threshold: expected a latency ratio like 2 or 2x"
            + " (positive), got \"0\"");
    assertBad(
        "errorRate>1%,for=soon",
        "trigger \"errorRate>1%,for=soon\": for: expected a duration like 30s, 5m, 1h or PT5M, got"
            + " \"soon\"");
    assertBad(
        "errorRate>1%,window=-5m",
        "trigger \"errorRate>1%,window=-5m\": window: expected a duration like 30s, 5m, 1h or"
            + " PT5M, got \"-5m\"");
    assertBad(
        "errorRate>1%,window=0",
        "trigger \"errorRate>1%,window=0\": window: expected between 1s and 24h, got 0");
    assertBad(
        "errorRate>1%,for=25h",
        "trigger \"errorRate>1%,for=25h\": for: expected between 0 and 24h, got 25h");
    assertBad(
        "errorRate>1%,min=0",
        "trigger \"errorRate>1%,min=0\": min: expected a whole number of at least 1, got \"0\"");
    assertBad(
        "errorRate>1%,fr=5m",
        "trigger \"errorRate>1%,fr=5m\": unknown key \"fr\" (expected for, window, min, name)");
    assertBad(
        "errorRate>1%,5m",
        "trigger \"errorRate>1%,5m\": expected key=value (for, window, min, name), got \"5m\"");
    assertBad(
        "errorRate>1%,for=1m,for=2m", "trigger \"errorRate>1%,for=1m,for=2m\": for: given twice");
    assertBad(
        "errorRate>1%,name=",
        "trigger \"errorRate>1%,name=\": name: expected 1 to 63 letters, digits, spaces or"
            + " ._()/:- (no space first or last), got \"\"");
  }

  private static void assertBad(String flag, String message) {
    assertThatThrownBy(() -> Trigger.parse(flag))
        .isInstanceOf(BadInputException.class)
        .hasMessage(message);
  }

  @Test
  void rulesWithoutATriggersSectionHaveTheDefaultsAndAnEmptyListHasNone() {
    assertThat(Rules.parse("version: 1\n", "r.yaml").triggers()).isEqualTo(Trigger.defaults());
    assertThat(Rules.defaults().triggers()).isEqualTo(Trigger.defaults());
    assertThat(Rules.parse("version: 1\ntriggers: []\n", "r.yaml").triggers()).isEmpty();
  }

  static final String TRIGGERS =
      """
      version: 1
      defaults:
        maxDiscrepancyRate: 1%
      triggers:
        - metric: discrepancy
          above: 1%
        - metric: errorRate
          above: 0.5%
          for: 5m
          window: 10m
          minExchanges: 200
          name: candidate-errors
        - {metric: latencyRatio(p99), above: 2, for: PT10M}
      """;

  @Test
  void theTriggersSectionListsEntriesInFileOrder() {
    assertThat(Rules.parse(TRIGGERS, "r.yaml").triggers())
        .containsExactly(
            Trigger.defaults().get(0),
            new Trigger(
                "candidate-errors",
                Trigger.Metric.ERROR_RATE,
                0.005,
                Duration.ofMinutes(10),
                Duration.ofMinutes(5),
                200),
            Trigger.defaults().get(2));
  }

  @Test
  void theRulesCopyOfARunKeepsItsTriggersAndTriggersNeverChangeTheJudgement() {
    Rules rules = Rules.parse(TRIGGERS, "r.yaml");
    RunDirectory.writeRules(dir, rules);
    Rules back = RunDirectory.rulesOf(dir);
    assertThat(back.triggers()).isEqualTo(rules.triggers());
    assertThat(back.yaml()).isEqualTo(rules.yaml());
    assertThat(back.judgesLike(rules)).isTrue();
    // triggers watch the live run: rules differing only in them judge alike (no re-judging)
    Rules without = Rules.parse("version: 1\ndefaults:\n  maxDiscrepancyRate: 1%\n", "r.yaml");
    assertThat(without.judgesLike(rules)).isTrue();
    assertThat(Rules.defaults().judgesLike(Rules.parse("version: 1\ntriggers: []\n", "r.yaml")))
        .isTrue();
  }

  @Test
  void everyMalformedEntryIsAnErrorNamingFileLineAndKey() {
    assertRules(
        "triggers:\n  - metric: latency\n    above: 2\n",
        "r.yaml:3: triggers[0].metric: unknown metric \"latency\" (expected discrepancy,"
            + " errorRate, latencyRatio(p99))");
    assertRules(
        "triggers:\n  - metric: errorRate\n    above: lots\n",
        "r.yaml:4: triggers[0].above: expected a rate like 0.5% or 0.005 (between 0 and 1), got"
            + " \"lots\"");
    assertRules(
        "triggers:\n  - above: 2%\n    metric: errorRate\n    for: soon\n",
        "r.yaml:5: triggers[0].for: expected a duration like 30s, 5m, 1h or PT5M, got \"soon\"");
    assertRules(
        "triggers:\n  - metric: errorRate\n    above: 2%\n    minExchanges: 0\n",
        "r.yaml:5: triggers[0].minExchanges: expected a whole number of at least 1");
    assertRules(
        "triggers:\n  - metric: errorRate\n    above: 2%\n    fr: 5m\n",
        "r.yaml:5: fr: unknown key in triggers[0] (expected metric, above, window, for,"
            + " minExchanges, name)");
    assertRules(
        "triggers:\n  - metric: errorRate\n",
        "r.yaml:3: triggers[0].above: missing: the threshold the metric must go above (e.g."
            + " above: 0.5%)");
    assertRules(
        "triggers:\n  - above: 1%\n",
        "r.yaml:3: triggers[0].metric: missing: the metric to watch (e.g. metric: errorRate)");
    assertRules(
        "triggers:\n  - metric: errorRate\n    above: 1%\n    window: 0\n",
        "r.yaml:3: triggers[0]: window: expected between 1s and 24h, got 0");
    assertRules(
        "triggers:\n  - {metric: errorRate, above: 1%}\n  - {metric: errorRate, above: 2%}\n",
        "r.yaml:4: triggers[1].name: a second trigger named \"errorRate\" (first at line 3): give"
            + " each its own name");
    assertRules(
        "triggers:\n  metric: errorRate\n",
        "r.yaml:3: triggers: expected a list of entries, each with metric and above (triggers: []"
            + " for none)");
    assertRules(
        "triggers:\n  - errorRate>1%\n",
        "r.yaml:3: triggers[0]: expected a mapping with metric and above");
  }

  private static void assertRules(String yaml, String message) {
    assertThatThrownBy(() -> Rules.parse("version: 1\n" + yaml, "r.yaml"))
        .isInstanceOf(RulesException.class)
        .hasMessage(message);
  }
}
