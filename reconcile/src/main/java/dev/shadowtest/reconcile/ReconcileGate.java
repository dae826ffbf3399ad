package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data gate: the playbook's "zero data discrepancies above 0.01% for the full parallel
 * period" over the history ({@link #history}), or "100% consistency on initial data load" for
 * one run ({@link #summary} with {@code maxDrift} 0). A run passes when its overall drift and
 * every dataset's are at most {@code maxDrift}, every aggregate agrees, and it compared something
 * (a row or an aggregate value); a run that failed (kept in the history by {@code shadow
 * reconcile --history}) fails; a day passes when it
 * has at least one run and every run of the day passes (a run is never averaged away).
 *
 * @param maxDrift the highest drift that passes, as a fraction (0.0001 is 0.01%)
 */
public record ReconcileGate(double maxDrift) {

  /** The playbook's: 0.01%. */
  public static final double DEFAULT_MAX_DRIFT = 0.0001;

  public ReconcileGate {
    if (!(maxDrift >= 0 && maxDrift <= 1)) {
      throw new BadInputException("--max-drift must be between 0 and 100%, got " + maxDrift);
    }
  }

  /** A line of the gate's table: a day, or the one run checked. */
  public record Row(
      String label,
      int runs,
      long union,
      long differing,
      double worstDrift,
      List<String> failures) {
    public Row {
      failures = List.copyOf(failures);
    }

    public boolean passed() {
      return failures.isEmpty();
    }
  }

  /** The verdict: passed, one line, and the table. */
  public record Result(boolean passed, String verdict, List<Row> rows) {
    public Result {
      rows = List.copyOf(rows);
    }
  }

  /** Checks one run. */
  public Result summary(ReconcileSummary s) {
    Row row = row("run " + s.finishedAt(), List.of(s));
    return new Result(
        row.passed(),
        row.passed()
            ? "PASSED: drift "
                + percent(row.worstDrift())
                + " is within "
                + percent(maxDrift)
                + (s.aggregates().isEmpty() ? "" : ", every aggregate agrees")
            : "FAILED: " + String.join("; ", row.failures()),
        List.of(row));
  }

  /** Checks the {@code days} consecutive UTC days ending with {@code until}. */
  public Result history(List<ReconcileSummary> runs, LocalDate until, int days) {
    if (days < 1) {
      throw new BadInputException("--days must be at least 1, got " + days);
    }
    LocalDate from = until.minusDays(days - 1L);
    Map<LocalDate, List<ReconcileSummary>> byDay = new TreeMap<>();
    for (ReconcileSummary s : runs) {
      LocalDate d = s.finished().atZone(ZoneOffset.UTC).toLocalDate();
      if (!d.isBefore(from) && !d.isAfter(until)) {
        byDay.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
      }
    }
    List<Row> rows = new ArrayList<>();
    List<String> failing = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(until); d = d.plusDays(1)) {
      List<ReconcileSummary> day = byDay.getOrDefault(d, List.of());
      Row row =
          day.isEmpty()
              ? new Row(d.toString(), 0, 0, 0, 0, List.of("no run"))
              : row(d.toString(), day);
      rows.add(row);
      if (!row.passed()) {
        failing.add(d + " (" + row.failures().get(0) + ")");
      }
    }
    String window = from + " .. " + until;
    return new Result(
        failing.isEmpty(),
        failing.isEmpty()
            ? "PASSED: "
                + days
                + " of "
                + days
                + " days ("
                + window
                + ") with no drift above "
                + percent(maxDrift)
            : "FAILED: "
                + failing.size()
                + " of "
                + days
                + " days ("
                + window
                + ") fail: "
                + String.join(", ", failing),
        rows);
  }

  private Row row(String label, List<ReconcileSummary> runs) {
    List<String> failures = new ArrayList<>();
    long union = 0;
    long differing = 0;
    double worst = 0;
    for (ReconcileSummary s : runs) {
      union += s.union();
      differing += s.differing();
      worst = Math.max(worst, s.worstDrift());
      String at = runs.size() == 1 ? "" : "run " + s.finishedAt() + ": ";
      if (s.isFailed()) {
        failures.add(at + "the run failed: " + s.error());
        continue;
      }
      if (s.union() == 0
          && s.aggregates().stream()
              .flatMap(a -> a.groups().stream())
              .allMatch(g -> g.legacy() == null && g.candidate() == null)) {
        // empty tables, a wrong schema, a WHERE that matches nothing: no evidence of anything (a
        // sum over no rows is NULL on both sides, and agrees about nothing)
        failures.add(at + "nothing was compared (no rows, no aggregate values)");
      }
      if (s.drift() > maxDrift) {
        failures.add(at + "drift " + percent(s.drift()) + " is above " + percent(maxDrift));
      }
      for (ReconcileSummary.Dataset d : s.datasets()) {
        if (d.drift() > maxDrift) {
          failures.add(
              at
                  + "dataset "
                  + d.name()
                  + ": drift "
                  + percent(d.drift())
                  + " ("
                  + d.differing()
                  + " of "
                  + d.union()
                  + ") is above "
                  + percent(maxDrift));
        }
      }
      for (ReconcileSummary.Aggregate a : s.aggregates()) {
        if (!a.agrees()) {
          failures.add(at + "aggregate " + a.name() + " disagrees");
        }
      }
    }
    return new Row(label, runs.size(), union, differing, worst, failures);
  }

  /**
   * A rate as written in a spec or a flag: {@code 0.01%} or {@code 0.0001}, read in decimal (so
   * that {@code 0.7%} is the double nearest 0.007, as a drift of 7 in 1,000 is).
   *
   * @throws IllegalArgumentException naming what is wrong, when it is not a rate from 0 to 100%
   */
  public static double parseRate(String text) {
    String t = text == null ? "" : text.strip();
    boolean percent = t.endsWith("%");
    BigDecimal v;
    try {
      v = new BigDecimal(percent ? t.substring(0, t.length() - 1).strip() : t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a rate such as 0.1% or 0.001, got " + text);
    }
    double r = (percent ? v.movePointLeft(2) : v).doubleValue();
    if (!(r >= 0 && r <= 1)) {
      throw new IllegalArgumentException("must be between 0 and 100%, got " + text);
    }
    return r;
  }

  /** A drift as a percentage with four significant digits: 0.0123%, 0.01%, 0%. */
  public static String percent(double fraction) {
    if (fraction == 0) {
      return "0%";
    }
    return new BigDecimal(fraction * 100)
            .round(new MathContext(4))
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }
}
