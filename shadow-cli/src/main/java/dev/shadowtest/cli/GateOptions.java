package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.run.Gate;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The gate's thresholds, shared by replay, merge, report and gate. */
final class GateOptions {

  @Option(
      names = "--max-discrepancy",
      defaultValue = "0.5%",
      paramLabel = "RATE",
      description =
          "Gate: fail above this discrepancy rate, 0.5%% or 0.005 (default ${DEFAULT-VALUE}).")
  String maxDiscrepancy;

  @Option(
      names = "--max-error-rate",
      paramLabel = "RATE",
      description = "Gate: also fail above this (errors + 5xx) / attempted.")
  String maxErrorRate;

  @Option(
      names = "--max-latency-ratio",
      paramLabel = "X",
      description =
          "Gate: also fail when an endpoint's candidate p99 is above X times its baseline p99 (e.g. 2).")
  String maxLatencyRatio;

  @Option(
      names = "--min-latency-samples",
      defaultValue = "" + Gate.DEFAULT_MIN_LATENCY_SAMPLES,
      paramLabel = "N",
      description =
          "Gate: endpoints with fewer exchanges (with both a baseline and a candidate latency) are \"not enough data\""
              + " for the latency ratio, never a failure (default ${DEFAULT-VALUE}).")
  int minLatencySamples;

  Gate gate() {
    if (minLatencySamples < 1) {
      throw new BadInputException(
          "--min-latency-samples must be at least 1, got " + minLatencySamples);
    }
    return new Gate(
        rate("--max-discrepancy", maxDiscrepancy),
        maxErrorRate == null ? null : rate("--max-error-rate", maxErrorRate),
        maxLatencyRatio == null ? null : ratio(),
        minLatencySamples);
  }

  /**
   * The thresholds a run recorded, with those given on the command line ({@code parsed}) on top:
   * what {@code shadow report} and {@code shadow merge} judge by.
   */
  Gate over(Gate recorded, ParseResult parsed) {
    Gate given = gate();
    return new Gate(
        parsed.hasMatchedOption("--max-discrepancy")
            ? given.maxDiscrepancyRate()
            : recorded.maxDiscrepancyRate(),
        given.maxErrorRate() != null ? given.maxErrorRate() : recorded.maxErrorRate(),
        given.maxLatencyRatio() != null ? given.maxLatencyRatio() : recorded.maxLatencyRatio(),
        parsed.hasMatchedOption("--min-latency-samples")
            ? given.minLatencySamples()
            : recorded.minLatencySamples());
  }

  private static double rate(String flag, String v) {
    try {
      return Gate.parseRate(v);
    } catch (IllegalArgumentException | BadInputException e) {
      throw new BadInputException(flag + ": " + e.getMessage(), e);
    }
  }

  private double ratio() {
    try {
      return Gate.parseRatio(maxLatencyRatio);
    } catch (IllegalArgumentException | BadInputException e) {
      throw new BadInputException("--max-latency-ratio: " + e.getMessage(), e);
    }
  }
}
