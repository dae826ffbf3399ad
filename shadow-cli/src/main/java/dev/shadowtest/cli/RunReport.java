package dev.shadowtest.cli;

import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.replay.ReplayResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The per-endpoint table and the gate verdict printed after replay, merge and demo: worst
 * endpoint first (as in report.html), latencies are the candidate's.
 */
final class RunReport {

  private RunReport() {}

  static void print(PrintWriter out, ReplayResult r) {
    Statistics.RunResult s = r.result();
    int width =
        Math.max(
            30,
            Math.min(
                80,
                s.endpoints().stream()
                    .mapToInt(e -> Terminal.safe(e.endpoint()).length())
                    .max()
                    .orElse(0)));
    String row = "%-" + width + "s %9s %9s %9s %8s %7s %7s %11s %11s%n";
    out.printf(
        Locale.ROOT,
        row,
        "endpoint",
        "exchanges",
        "compared",
        "discrep.",
        "rate",
        "noise",
        "errors",
        "cand p50 ms",
        "cand p99 ms");
    for (Statistics.EndpointResult e : worstFirst(s)) {
      RunAggregate.Latencies l = r.latencies().get(e.endpoint());
      out.printf(
          Locale.ROOT,
          row,
          Terminal.safe(e.endpoint()),
          e.exchanges(),
          e.compared(),
          e.discrepant(),
          Gate.percent(e.discrepancyRate()),
          e.noise(),
          e.errors() + e.serverErrors(),
          ms(l == null ? null : l.candidate.percentileMillis(0.5)),
          ms(l == null ? null : l.candidate.percentileMillis(0.99)));
    }
    out.printf(
        Locale.ROOT,
        row,
        "total",
        s.exchanges(),
        s.compared(),
        s.discrepant(),
        Gate.percent(s.discrepancyRate()),
        s.noise(),
        s.errors() + s.serverErrors(),
        "",
        "");
    out.printf(
        Locale.ROOT,
        "skipped %d, candidate errors %d, 5xx %d, no baseline %d%s%s%s%n",
        s.skipped(),
        s.errors(),
        s.serverErrors(),
        s.noBaseline(),
        s.accepted() > 0 ? ", matched only by accepted differences " + s.accepted() : "",
        s.rewritten() > 0 ? ", rewritten for the candidate " + s.rewritten() : "",
        r.late() > 0 ? ", late starts " + r.late() : "");
    if (!r.transforms().isEmpty()) {
      List<String> kinds = new ArrayList<>();
      r.transforms().forEach((k, n) -> kinds.add(k + " " + n));
      out.println("transforms applied (all targets): " + String.join(", ", kinds));
    }
    if (r.gaps().skippedFromCache() > 0 || r.gaps().bodyNotCaptured() > 0) {
      out.printf(
          Locale.ROOT,
          "capture gaps: %d skipped (served from the browser cache at capture; --include-cached sends them),"
              + " %d compared without body (not captured in the recording)%n",
          r.gaps().skippedFromCache(),
          r.gaps().bodyNotCaptured());
    }
    if (r.gaps().bodyCut() > 0) {
      out.printf(
          Locale.ROOT,
          "bodies compared in part: %d exchanges had a body cut at capture or over --max-body;"
              + " only its size and the bytes before the cut were compared%n",
          r.gaps().bodyCut());
    }
    out.println(
        "worst first; p50/p99: the candidate's latencies (the baseline's are in report.html)");
    if (r.abortReason() != null) {
      out.println("ABORTED: " + Terminal.safe(r.abortReason()));
    } else if (r.incomplete()) {
      out.println(
          "INCOMPLETE: the run does not cover its whole recording (stopped before its end, or, merged,"
              + " some exchanges no run finished: the warnings say which)");
    }
    if (r.gateFailures().isEmpty()) {
      out.println(
          r.incomplete()
              ? "GATE: not passed (incomplete run)"
              : "GATE PASSED: discrepancy rate " + Gate.percent(s.discrepancyRate()));
    } else {
      r.gateFailures().forEach(f -> out.println("GATE FAILED: " + Terminal.safe(f)));
    }
  }

  /** Highest discrepancy rate first, then most errors, then by name: the order of report.html. */
  static List<Statistics.EndpointResult> worstFirst(Statistics.RunResult s) {
    List<Statistics.EndpointResult> out = new ArrayList<>(s.endpoints());
    out.sort(
        Comparator.comparingDouble(Statistics.EndpointResult::discrepancyRate)
            .reversed()
            .thenComparing(
                Comparator.comparingLong(
                        (Statistics.EndpointResult e) -> e.errors() + e.serverErrors())
                    .reversed())
            .thenComparing(Statistics.EndpointResult::endpoint));
    return out;
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}
