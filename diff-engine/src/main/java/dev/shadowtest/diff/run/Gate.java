package dev.shadowtest.diff.run;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Pass/fail thresholds of a run: the discrepancy rate (default 0.5%, the parallel-run playbook's
 * Phase 2 gate) and, when set, the error rate and the latency ratio. Nothing compared is never a
 * pass.
 *
 * @param maxDiscrepancyRate fail above this overall rate (per-endpoint overrides come from the rules)
 * @param maxErrorRate       fail above this (errors + 5xx) / attempted; null: fail when the
 *                           exchanges the candidate did not answer (errors, 5xx aside) are more of
 *                           the attempted than {@code maxDiscrepancyRate}
 * @param maxLatencyRatio    fail when an endpoint's candidate p99 is above this many times its
 *                           baseline p99 (primary, else recorded), or null to not check
 * @param minLatencySamples  exchanges an endpoint needs (with both a baseline and a candidate
 *                           latency) before its p99 ratio is checked; below, it is "not enough
 *                           data", never a failure (a p99 of 7 exchanges is their maximum)
 */
public record Gate(
    double maxDiscrepancyRate, Double maxErrorRate, Double maxLatencyRatio, int minLatencySamples) {

  /** The default {@link #minLatencySamples}. */
  public static final int DEFAULT_MIN_LATENCY_SAMPLES = 30;

  /** An endpoint's candidate p99 / baseline p99, and how many exchanges back it. */
  public record LatencyRatio(double ratio, long samples) {}

  public Gate {
    if (!(maxDiscrepancyRate >= 0 && maxDiscrepancyRate <= 1)) {
      throw new BadInputException(
          "maxDiscrepancyRate must be between 0 and 1, got " + maxDiscrepancyRate);
    }
    if (maxErrorRate != null && !(maxErrorRate >= 0 && maxErrorRate <= 1)) {
      throw new BadInputException("maxErrorRate must be between 0 and 1, got " + maxErrorRate);
    }
    if (maxLatencyRatio != null && !(maxLatencyRatio > 0)) {
      throw new BadInputException(
          "maxLatencyRatio must be a positive number, got " + maxLatencyRatio);
    }
    if (minLatencySamples < 1) {
      throw new BadInputException("minLatencySamples must be at least 1, got " + minLatencySamples);
    }
  }

  public Gate(double maxDiscrepancyRate, Double maxErrorRate, Double maxLatencyRatio) {
    this(maxDiscrepancyRate, maxErrorRate, maxLatencyRatio, DEFAULT_MIN_LATENCY_SAMPLES);
  }

  public Gate(double maxDiscrepancyRate, Double maxErrorRate) {
    this(maxDiscrepancyRate, maxErrorRate, null);
  }

  public static Gate defaults() {
    return new Gate(0.005, null, null);
  }

  /** True when {@code samples} exchanges are enough to judge an endpoint's latency ratio. */
  public boolean enoughLatencyData(long samples) {
    return samples >= minLatencySamples;
  }

  /** Parses a latency ratio like {@code 2}, {@code 2.5} or {@code 2x}. */
  public static double parseRatio(String text) {
    String t = text.strip();
    if (t.endsWith("x") || t.endsWith("X")) {
      t = t.substring(0, t.length() - 1).strip();
    }
    try {
      double v = Double.parseDouble(t);
      if (v > 0 && Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new BadInputException(
        "expected a latency ratio like 2 or 2x (positive), got \"" + text + "\"");
  }

  /**
   * Why the run fails the gate, latency included: {@code p99Ratios} maps endpoints to candidate
   * p99 / baseline p99 (endpoints without both are absent); an endpoint with fewer than
   * {@link #minLatencySamples} exchanges behind its ratio is not judged on latency.
   */
  public List<String> failures(
      Statistics.RunResult r,
      Function<String, Double> endpointThreshold,
      Map<String, LatencyRatio> p99Ratios) {
    List<String> out = failures(r, endpointThreshold);
    if (maxLatencyRatio != null && r.compared() > 0) {
      p99Ratios.forEach(
          (endpoint, ratio) -> {
            if (ratio.ratio() > maxLatencyRatio && enoughLatencyData(ratio.samples())) {
              out.add(
                  String.format(
                      Locale.ROOT,
                      "%s: candidate p99 is %.2fx the baseline's, above %.2fx",
                      endpoint,
                      ratio.ratio(),
                      maxLatencyRatio));
            }
          });
    }
    return out;
  }

  /** Parses {@code 0.5%} or {@code 0.005}. */
  public static double parseRate(String text) {
    String t = text.strip();
    try {
      if (t.startsWith("+") || t.startsWith("-") || t.contains("e") || t.contains("E")) {
        throw new NumberFormatException(t);
      }
      // read in decimal: 0.7% is the double nearest 0.007, as a rate of 7 in 1,000 is (dividing
      // by 100 gave 0.006999..., and a rate equal to the gate failed it)
      double v =
          t.endsWith("%")
              ? new BigDecimal(t.substring(0, t.length() - 1).strip())
                  .movePointLeft(2)
                  .doubleValue()
              : Double.parseDouble(t);
      if (v >= 0 && v <= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new BadInputException(
        "expected a rate like 0.5% or 0.005 (between 0 and 1), got \"" + text + "\"");
  }

  /** Why the run fails the gate; empty when it passes. */
  public List<String> failures(Statistics.RunResult r, Function<String, Double> endpointThreshold) {
    List<String> out = new ArrayList<>();
    if (r.compared() == 0) {
      out.add(
          "nothing was compared ("
              + r.exchanges()
              + " exchanges: "
              + r.skipped()
              + " skipped, "
              + r.errors()
              + " candidate errors, "
              + r.noBaseline()
              + " without baseline)");
      return out;
    }
    if (r.discrepancyRate() > maxDiscrepancyRate) {
      out.add(
          String.format(
              Locale.ROOT,
              "discrepancy rate %s is above %s (%d of %d compared)",
              percent(r.discrepancyRate()),
              percent(maxDiscrepancyRate),
              r.discrepant(),
              r.compared()));
    }
    String unanswered =
        unanswered(null, r.exchanges(), r.skipped(), r.errors(), maxDiscrepancyRate);
    if (unanswered != null) {
      out.add(unanswered);
    }
    if (maxErrorRate != null && r.errorRate() > maxErrorRate) {
      out.add(
          String.format(
              Locale.ROOT,
              "error rate %s is above %s (%d errors, %d 5xx)",
              percent(r.errorRate()),
              percent(maxErrorRate),
              r.errors(),
              r.serverErrors()));
    }
    for (Statistics.EndpointResult e : r.endpoints()) {
      Double max = endpointThreshold.apply(e.endpoint());
      if (max != null && e.compared() > 0 && e.discrepancyRate() > max) {
        out.add(
            String.format(
                Locale.ROOT,
                "%s: discrepancy rate %s is above its rule's %s",
                e.endpoint(),
                percent(e.discrepancyRate()),
                percent(max)));
      }
    }
    return out;
  }

  /**
   * Without an error threshold of its own ({@link #maxErrorRate} null), the exchanges that got no
   * answer from the candidate (its errors: a timeout, a reset, a refused connection, a request
   * that could not be prepared) are held to {@code threshold}, the discrepancy threshold: such an
   * exchange is no match, and a gate that compared only the answered ones would pass a candidate
   * failing half of them. Why an {@code endpoint} (or, null, the run) fails so; null when it does
   * not.
   */
  public String unanswered(
      String endpoint, long exchanges, long skipped, long errors, double threshold) {
    long attempted = exchanges - skipped;
    if (maxErrorRate != null || attempted <= 0 || (double) errors / attempted <= threshold) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "%s%s of the attempted exchanges got no answer from the candidate (%d of %d: timeouts,"
            + " resets, refused connections, requests that could not be prepared), above %s: an"
            + " exchange without an answer is no match (a max error rate sets a threshold of its"
            + " own)",
        endpoint == null ? "" : endpoint + ": ",
        percent((double) errors / attempted),
        errors,
        attempted,
        percent(threshold));
  }

  /** The thresholds in words, for messages: {@code max discrepancy 0.50%, max error rate 5.00%}. */
  public String describe() {
    return "max discrepancy "
        + percent(maxDiscrepancyRate)
        + (maxErrorRate == null ? "" : ", max error rate " + percent(maxErrorRate))
        + (maxLatencyRatio == null ? "" : ", max latency ratio " + maxLatencyRatio)
        + (minLatencySamples == DEFAULT_MIN_LATENCY_SAMPLES
            ? ""
            : ", min latency samples " + minLatencySamples);
  }

  public static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f%%", rate * 100);
  }

  /**
   * Per endpoint, the gate threshold the rules give it ({@code maxDiscrepancyRate} of its entry,
   * else of the defaults), or null: the one lookup every gate uses.
   */
  public static Function<String, Double> thresholds(Rules rules) {
    return endpoint -> {
      try {
        return rules.ruleForEndpoint(endpoint).maxDiscrepancyRate();
      } catch (IllegalArgumentException | BadInputException e) {
        return null; // a collapsed name ("(other endpoints)") is no template
      }
    };
  }
}
