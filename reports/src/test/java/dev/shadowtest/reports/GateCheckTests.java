package dev.shadowtest.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.SummaryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The multi-day gate over synthetic histories. */
class GateCheckTests {

  static final LocalDate UNTIL = LocalDate.parse("2026-11-25");

  @TempDir Path dir;

  Path history() {
    return dir.resolve("history");
  }

  /** Stores a run that finished at {@code instant} with the given counts (one endpoint). */
  Path run(String instant, long compared, long discrepant, long errors, Double p99Ratio)
      throws IOException {
    return run(instant, compared, discrepant, errors, p99Ratio, false);
  }

  Path run(
      String instant,
      long compared,
      long discrepant,
      long errors,
      Double p99Ratio,
      boolean incomplete)
      throws IOException {
    Path f = Files.createTempFile(dir, "summary", ".json");
    Files.writeString(f, summary(instant, compared, discrepant, errors, p99Ratio, incomplete));
    return History.store(history(), f);
  }

  static String summary(
      String finished,
      long compared,
      long discrepant,
      long errors,
      Double p99Ratio,
      boolean incomplete) {
    long exchanges = compared + errors;
    String latency =
        p99Ratio == null ? "{}" : String.format(Locale.ROOT, "{\"p99Ratio\": %s}", p99Ratio);
    return String.format(
        Locale.ROOT,
        """
        {"version": 1, "startedAt": "%1$s", "finishedAt": "%1$s", "recording": "r.jsonl", "candidate": "http://c",
         "incomplete": %7$s, "exchanges": %2$d, "compared": %3$d, "skipped": 0, "matched": %5$d, "discrepant": %4$d,
         "noise": 0, "errors": %6$d, "serverErrors": 0, "noBaseline": 0,
         "endpoints": [{"endpoint": "GET /api/users/{id}", "exchanges": %2$d, "compared": %3$d, "skipped": 0,
                        "discrepant": %4$d, "errors": %6$d, "serverErrors": 0, "latency": %8$s}],
         "gate": {"maxDiscrepancyRate": 0.005, "passed": true, "failures": []}}
        """,
        finished,
        exchanges,
        compared,
        discrepant,
        compared - discrepant,
        errors,
        incomplete,
        latency);
  }

  GateCheck.Result check(Gate gate) {
    return new GateCheck(gate, null).history(History.runs(history()), UNTIL, 7);
  }

  void sevenGoodDays() throws IOException {
    for (int d = 19; d <= 25; d++) {
      run("2026-11-" + d + "T02:00:00Z", 10_000, 40, 0, 1.1); // 0.40%
    }
  }

  @Test
  void sevenPassingDaysPass() throws IOException {
    sevenGoodDays();
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.passed()).as(r.verdict()).isTrue();
    assertThat(r.verdict()).isEqualTo("PASSED: 7 of 7 days (2026-11-19 .. 2026-11-25) below 0.50%");
    assertThat(r.rows()).hasSize(7).allSatisfy(row -> assertThat(row.runs()).isEqualTo(1));
  }

  @Test
  void aGapDayFailsNamingIt() throws IOException {
    for (int d = 19; d <= 25; d++) {
      if (d != 22) {
        run("2026-11-" + d + "T02:00:00Z", 10_000, 10, 0, null);
      }
    }
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.passed()).isFalse();
    assertThat(r.verdict()).contains("2026-11-22 (no run)").contains("1 of 7 days");
  }

  @Test
  void oneDayAt0point6PercentFailsNamingIt() throws IOException {
    sevenGoodDays();
    run("2026-11-23T14:00:00Z", 10_000, 80, 0, null); // that day: (40 + 80) / 20000 = 0.60%
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.passed()).isFalse();
    assertThat(r.verdict()).contains("2026-11-23 (discrepancy rate 0.60% is above 0.50%");
    GateCheck.Row day = r.rows().get(4);
    assertThat(day.label()).isEqualTo("2026-11-23");
    assertThat(day.runs()).isEqualTo(2);
    assertThat(day.compared()).isEqualTo(20_000);
    assertThat(day.discrepant()).isEqualTo(120);
  }

  @Test
  void aDayIsMergedExactlyNotAveraged() throws IOException {
    sevenGoodDays();
    // a tiny bad run beside a big good one: averaging rates would give (0.4% + 100%) / 2
    run("2026-11-24T03:00:00Z", 1, 1, 0, null);
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.rows().get(5).discrepancyRate()).isEqualTo(41 / 10_001.0);
    assertThat(r.passed()).isTrue();
  }

  @Test
  void unansweredExchangesAreHeldToTheDiscrepancyThresholdUnlessAnErrorRateIsSet()
      throws IOException {
    sevenGoodDays();
    run(
        "2026-11-21T05:00:00Z",
        1_000,
        0,
        100,
        null); // 100 errors of 11,100 attempted that day: 0.90%
    GateCheck.Result unset = check(Gate.defaults());
    assertThat(unset.passed()).isFalse();
    assertThat(unset.verdict())
        .contains(
            "2026-11-21 (0.90% of the attempted exchanges got no answer from the candidate (100"
                + " of 11100");
    assertThat(check(new Gate(0.005, 0.01, null)).passed()).isTrue();
    GateCheck.Result r = check(new Gate(0.005, 0.008, null));
    assertThat(r.passed()).isFalse();
    assertThat(r.verdict()).contains("2026-11-21 (error rate 0.90% is above 0.80%");
  }

  @Test
  void latencyTriggerNamesTheEndpointAndDay() throws IOException {
    sevenGoodDays();
    run("2026-11-20T05:00:00Z", 100, 0, 0, 2.5);
    assertThat(check(Gate.defaults()).passed()).isTrue();
    GateCheck.Result r = check(new Gate(0.005, null, 2.0));
    assertThat(r.passed()).isFalse();
    assertThat(r.verdict())
        .contains(
            "2026-11-20 (GET /api/users/{id}: candidate p99 is 2.50x the baseline's, above 2.00x)");
    assertThat(r.rows().get(1).worstLatencyRatio()).isEqualTo(2.5);
  }

  @Test
  void anEndpointWithTooFewExchangesIsNotJudgedOnLatency() throws IOException {
    sevenGoodDays();
    // version 2 summaries say how many exchanges back the ratio: 7 is "not enough data"
    Path seven = Files.createTempFile(dir, "summary", ".json");
    Files.writeString(
        seven,
        summary("2026-11-21T05:00:00Z", 7, 0, 0, null, false)
            .replace("\"version\": 1", "\"version\": 2")
            .replace("\"latency\": {}", "\"latency\": {\"p99Ratio\": 4.32, \"samples\": 7}"));
    History.store(history(), seven);
    assertThat(check(new Gate(0.005, null, 2.0)).passed()).isTrue();
    assertThat(check(new Gate(0.005, null, 2.0, 5)).verdict())
        .contains(
            "2026-11-21 (GET /api/users/{id}: candidate p99 is 4.32x the baseline's, above 2.00x)");
    // a version 1 summary's compared count stands in for the samples
    run("2026-11-22T05:00:00Z", 7, 0, 0, 4.32);
    assertThat(check(new Gate(0.005, null, 2.0)).passed()).isTrue();
    run("2026-11-23T05:00:00Z", 40, 0, 0, 4.32);
    assertThat(check(new Gate(0.005, null, 2.0)).passed()).isFalse();
  }

  @Test
  void perEndpointThresholdsFromTheRulesApply() throws IOException {
    sevenGoodDays();
    GateCheck.Result r =
        new GateCheck(Gate.defaults(), e -> e.startsWith("GET /api/users") ? 0.001 : null)
            .history(History.runs(history()), UNTIL, 7);
    assertThat(r.passed()).isFalse();
    assertThat(r.verdict())
        .contains("GET /api/users/{id}: discrepancy rate 0.40% is above its rule's 0.10%");
  }

  @Test
  void incompleteRunsDoNotCountAsADay() throws IOException {
    sevenGoodDays();
    Files.list(history())
        .filter(p -> p.toString().contains("2026-11-24"))
        .forEach(p -> p.toFile().delete());
    run("2026-11-24T02:00:00Z", 10, 0, 0, null, true);
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.verdict()).contains("2026-11-24 (no complete run (1 incomplete))");
  }

  @Test
  void runsOutsideTheWindowAndDaysAreUtc() throws IOException {
    sevenGoodDays();
    run("2026-11-18T23:59:59Z", 100, 100, 0, null); // the day before the window: ignored
    run("2026-11-26T00:00:00Z", 100, 100, 0, null); // after --until: ignored
    assertThat(check(Gate.defaults()).passed()).isTrue();
  }

  @Test
  void nothingComparedNeverPasses() throws IOException {
    sevenGoodDays();
    run("2026-11-25T05:00:00Z", 0, 0, 0, null);
    Files.list(history())
        .filter(p -> p.toString().contains("2026-11-25T02"))
        .forEach(p -> p.toFile().delete());
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.verdict()).contains("2026-11-25 (nothing was compared");
  }

  @Test
  void theSameSummaryStoredTwiceIsOneRun() throws IOException {
    Path f = dir.resolve("s.json");
    Files.writeString(f, summary("2026-11-25T02:00:00Z", 10, 0, 0, null, false));
    Path a = History.store(history(), f);
    Path b = History.store(history(), f);
    assertThat(a).isEqualTo(b);
    assertThat(a.getFileName()).hasToString("summary-2026-11-25T02-00-00Z.json");
    // another run that ended in the same second
    Files.writeString(
        f,
        summary("2026-11-25T02:00:00Z", 20, 0, 0, null, false)
            .replace(
                "\"startedAt\": \"2026-11-25T02:00:00Z\"",
                "\"startedAt\": \"2026-11-25T01:00:00Z\""));
    assertThat(History.store(history(), f).getFileName())
        .hasToString("summary-2026-11-25T02-00-00Z-2.json");
  }

  @Test
  void anIncompleteRunNeverPassesTheGate() throws IOException {
    Path f = dir.resolve("s.json");
    Files.writeString(
        f,
        summary("2026-11-25T02:00:00Z", 10_000, 0, 0, null, true)
            .replace(
                "\"incomplete\": true,",
                "\"incomplete\": true, \"aborted\": \"candidate unreachable: refused\","));
    GateCheck.Result r = new GateCheck(Gate.defaults(), null).summary(SummaryFile.read(f));
    assertThat(r.passed()).isFalse();
    assertThat(r.verdict())
        .isEqualTo("FAILED: the run is incomplete: candidate unreachable: refused");
  }

  @Test
  void aRunStoredAgainReplacesItsEntryAndShardsAreNotRuns() throws IOException {
    sevenGoodDays();
    // the 11-24 run reported again with another gate: the same run, so still one entry
    Path f = dir.resolve("again.json");
    Files.writeString(
        f,
        summary("2026-11-24T02:00:00Z", 10_000, 40, 0, 1.1, false)
            .replace("\"maxDiscrepancyRate\": 0.005", "\"maxDiscrepancyRate\": 0.01"));
    History.store(history(), f);
    assertThat(Files.list(history()).filter(p -> p.toString().contains("2026-11-24")).count())
        .isEqualTo(1);
    // a clean run stored twice would dilute a bad one: a day at 0.6% must stay at 0.6%
    run("2026-11-23T14:00:00Z", 10_000, 80, 0, null);
    run("2026-11-23T14:00:00Z", 10_000, 80, 0, null);
    Path clean = dir.resolve("clean.json");
    Files.writeString(clean, summary("2026-11-23T15:00:00Z", 10_000, 0, 0, null, false));
    History.store(history(), clean);
    History.store(history(), clean);
    GateCheck.Result r = check(Gate.defaults());
    assertThat(r.rows().get(4).runs()).isEqualTo(3);
    assertThat(r.rows().get(4).discrepancyRate()).isEqualTo(120 / 30_000.0);
    // a shard's summary is part of a run, not a run: it is left out
    Path shard = dir.resolve("shard.json");
    Files.writeString(
        shard,
        summary("2026-11-22T03:00:00Z", 10, 10, 0, null, false)
            .replace("\"recording\"", "\"shard\": \"1/2\", \"recording\""));
    History.store(history(), shard);
    assertThat(check(Gate.defaults()).rows().get(3).runs()).isEqualTo(1);
  }

  @Test
  void badSummariesAreErrorsNamingFileAndField() throws IOException {
    Files.createDirectories(history());
    Path bad = history().resolve("summary-2026-11-25T02-00-00Z.json");
    Files.writeString(
        bad,
        summary("2026-11-25T02:00:00Z", 10, 0, 0, null, false)
            .replace("\"compared\": 10,", "\"compared\": \"ten\","));
    assertThatThrownBy(() -> History.runs(history()))
        .isInstanceOf(RecordingException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("compared\": expected a non-negative whole number");
    assertThatThrownBy(() -> History.runs(dir.resolve("nope")))
        .hasMessageContaining("no such history directory");
    assertThatThrownBy(() -> Gate.parseRate("0.5 %%"))
        .hasMessageContaining("expected a rate like 0.5%");
    // a percentage is read in decimal: a rate equal to the gate is the same double, and passes
    assertThat(Gate.parseRate("0.7%")).isEqualTo(7 / 1000.0);
    assertThat(Gate.parseRate("0.57%")).isEqualTo(57 / 10000.0);
    assertThat(Gate.parseRate("2.9%")).isEqualTo(29 / 1000.0);
    assertThat(Gate.parseRate("0.5%")).isEqualTo(0.005);
    assertThat(
            Rules.parse(
                    "version: 1\nendpoints:\n  - match: \"GET /x\"\n    maxDiscrepancyRate: 0.7%\n",
                    "r.yaml")
                .ruleFor("GET", "/x")
                .maxDiscrepancyRate())
        .isEqualTo(7 / 1000.0);
    assertThatThrownBy(() -> Gate.parseRatio("fast"))
        .hasMessageContaining("expected a latency ratio");
    assertThat(Instant.parse("2026-11-25T02:00:00Z")).isNotNull();
  }
}
