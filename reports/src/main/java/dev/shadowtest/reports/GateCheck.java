package dev.shadowtest.reports;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.SummaryFile;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The gate over one summary or over the history: the parallel-run playbook's Phase 2 gate is
 * "discrepancy rate below 0.5% on each of 7 consecutive days". A day passes when it has at
 * least one complete run and all its complete runs together (counts summed exactly) stay within
 * every threshold; the window is the {@code days} calendar days (UTC) ending with {@code until}.
 * Summaries of single shards are not runs (their merge is) and are left out. A rate equal to a
 * threshold passes; above it fails.
 *
 * <pre>{@code
 * GateCheck check = new GateCheck(new Gate(0.005, null, 2.0), endpoint -> null);
 * GateCheck.Result r = check.history(History.runs(dir), LocalDate.now(ZoneOffset.UTC), 7);
 * }</pre>
 *
 * @param gate               the thresholds (discrepancy rate always; error rate and latency ratio when set)
 * @param endpointThresholds per-endpoint discrepancy thresholds (from the rules), or null for none
 */
public record GateCheck(Gate gate, Function<String, Double> endpointThresholds) {

  /** One line of the gate's table: a day (or the one summary checked). */
  public record Row(
      String label,
      int runs,
      long compared,
      long discrepant,
      double discrepancyRate,
      double errorRate,
      Double worstLatencyRatio,
      List<String> failures) {
    public Row {
      failures = List.copyOf(failures);
    }

    public boolean passed() {
      return failures.isEmpty();
    }
  }

  /** The verdict: passed, a one-line explanation and the table. */
  public record Result(boolean passed, String verdict, List<Row> rows) {
    public Result {
      rows = List.copyOf(rows);
    }
  }

  /** Checks one run's summary. */
  public Result summary(SummaryFile s) {
    Row row = row(s.file() == null ? "run" : s.file().getFileName().toString(), List.of(s));
    if (s.incomplete() || s.shard() != null) {
      List<String> f = new ArrayList<>();
      f.add(
          s.shard() != null
              ? "the summary is of shard "
                  + s.shard()
                  + ", part of a run: merge all its shards (shadow merge) and gate the merged run"
              : "the run is incomplete"
                  + (s.aborted() == null
                      ? " (stopped before the end of its recordings)"
                      : ": " + s.aborted()));
      f.addAll(row.failures());
      row =
          new Row(
              row.label(),
              row.runs(),
              row.compared(),
              row.discrepant(),
              row.discrepancyRate(),
              row.errorRate(),
              row.worstLatencyRatio(),
              f);
    }
    String verdict =
        row.passed()
            ? "PASSED: discrepancy rate "
                + Gate.percent(row.discrepancyRate())
                + " is within "
                + Gate.percent(gate.maxDiscrepancyRate())
            : "FAILED: " + String.join("; ", row.failures());
    return new Result(row.passed(), verdict, List.of(row));
  }

  /** Checks the {@code days} consecutive UTC days ending with {@code until}. */
  public Result history(List<SummaryFile> runs, LocalDate until, int days) {
    if (days < 1) {
      throw new BadInputException("--days must be at least 1, got " + days);
    }
    LocalDate from = until.minusDays(days - 1L);
    Map<LocalDate, List<SummaryFile>> byDay = new TreeMap<>();
    Map<LocalDate, Integer> incompleteByDay = new TreeMap<>();
    for (SummaryFile s : runs) {
      LocalDate d = s.finishedAt().atZone(ZoneOffset.UTC).toLocalDate();
      if (d.isBefore(from) || d.isAfter(until) || s.shard() != null) {
        continue; // a shard is part of a run: the merged summary (shadow merge --history) is the
        // run
      }
      if (s.incomplete()) {
        incompleteByDay.merge(d, 1, Integer::sum);
      } else {
        byDay.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
      }
    }
    List<Row> rows = new ArrayList<>();
    List<String> failing = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(until); d = d.plusDays(1)) {
      List<SummaryFile> day = byDay.getOrDefault(d, List.of());
      Row row;
      if (day.isEmpty()) {
        int inc = incompleteByDay.getOrDefault(d, 0);
        row =
            new Row(
                d.toString(),
                0,
                0,
                0,
                0.0,
                0.0,
                null,
                List.of(inc == 0 ? "no run" : "no complete run (" + inc + " incomplete)"));
      } else {
        row = row(d.toString(), day);
      }
      rows.add(row);
      if (!row.passed()) {
        failing.add(d + " (" + row.failures().get(0) + ")");
      }
    }
    String window = from + " .. " + until;
    String verdict =
        failing.isEmpty()
            ? String.format(
                Locale.ROOT,
                "PASSED: %d of %d days (%s) below %s",
                days,
                days,
                window,
                Gate.percent(gate.maxDiscrepancyRate()))
            : String.format(
                Locale.ROOT,
                "FAILED: %d of %d days (%s) fail: %s",
                failing.size(),
                days,
                window,
                String.join(", ", failing));
    return new Result(failing.isEmpty(), verdict, rows);
  }

  /** The runs of one day merged: counts per endpoint are summed, latency ratios take the worst run. */
  private Row row(String label, List<SummaryFile> runs) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, Gate.LatencyRatio> ratios = new TreeMap<>();
    for (SummaryFile s : runs) {
      for (SummaryFile.Endpoint e : s.endpoints()) {
        long[] c = counts.computeIfAbsent(e.endpoint(), k -> new long[6]);
        c[0] += e.exchanges();
        c[1] += e.compared();
        c[2] += e.skipped();
        c[3] += e.discrepant();
        c[4] += e.errors();
        c[5] += e.serverErrors();
        if (e.p99Ratio() != null && gate.enoughLatencyData(e.latencySamples())) {
          // the worst run of the day that has enough exchanges to judge its latency
          ratios.merge(
              e.endpoint(),
              new Gate.LatencyRatio(e.p99Ratio(), e.latencySamples()),
              (x, y) -> x.ratio() >= y.ratio() ? x : y);
        }
      }
    }
    List<Statistics.EndpointResult> eps = new ArrayList<>();
    counts.forEach(
        (name, c) ->
            eps.add(
                new Statistics.EndpointResult(
                    name, c[0], c[1], c[2], c[1] - c[3], c[3], 0, c[4], c[5], 0, List.of())));
    Statistics.RunResult r = new Statistics.RunResult(eps);
    List<String> failures =
        gate.failures(r, endpointThresholds == null ? e -> null : endpointThresholds, ratios);
    Double worst =
        ratios.values().stream().map(Gate.LatencyRatio::ratio).max(Double::compare).orElse(null);
    return new Row(
        label,
        runs.size(),
        r.compared(),
        r.discrepant(),
        r.discrepancyRate(),
        r.errorRate(),
        worst,
        failures);
  }
}
