package dev.shadowtest.replay;

import dev.shadowtest.diff.Statistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pass/fail thresholds of a run: the discrepancy rate (default 0.5%, the parallel-run playbook's
 * Phase 2 gate) and, when set, the error rate. Nothing compared is never a pass.
 *
 * @param maxDiscrepancyRate fail above this overall rate (per-endpoint overrides come from the rules)
 * @param maxErrorRate       fail above this (errors + 5xx) / attempted, or null to not check
 */
public record Gate(double maxDiscrepancyRate, Double maxErrorRate) {

  public static Gate defaults() {
    return new Gate(0.005, null);
  }

  /** Parses {@code 0.5%} or {@code 0.005}. */
  public static double parseRate(String text) {
    String t = text.strip();
    try {
      double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100 : Double.parseDouble(t);
      if (v >= 0 && v <= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("expected a rate like 0.5% or 0.005 (between 0 and 1), got \"" + text + "\"");
  }

  /** Why the run fails the gate; empty when it passes. */
  public List<String> failures(Statistics.RunResult r, java.util.function.Function<String, Double> endpointThreshold) {
    List<String> out = new ArrayList<>();
    if (r.compared() == 0) {
      out.add("nothing was compared (" + r.exchanges() + " exchanges: " + r.skipped() + " skipped, " + r.errors()
          + " candidate errors, " + r.noBaseline() + " without baseline)");
      return out;
    }
    if (r.discrepancyRate() > maxDiscrepancyRate) {
      out.add(String.format(Locale.ROOT, "discrepancy rate %s is above %s (%d of %d compared)", percent(r.discrepancyRate()),
          percent(maxDiscrepancyRate), r.discrepant(), r.compared()));
    }
    if (maxErrorRate != null && r.errorRate() > maxErrorRate) {
      out.add(String.format(Locale.ROOT, "error rate %s is above %s (%d errors, %d 5xx)", percent(r.errorRate()),
          percent(maxErrorRate), r.errors(), r.serverErrors()));
    }
    for (Statistics.EndpointResult e : r.endpoints()) {
      Double max = endpointThreshold.apply(e.endpoint());
      if (max != null && e.compared() > 0 && e.discrepancyRate() > max) {
        out.add(String.format(Locale.ROOT, "%s: discrepancy rate %s is above its rule's %s", e.endpoint(),
            percent(e.discrepancyRate()), percent(max)));
      }
    }
    return out;
  }

  public static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }
}
