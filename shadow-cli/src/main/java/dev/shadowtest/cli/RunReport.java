package dev.shadowtest.cli;

import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.diff.run.RunAggregate;
import java.io.PrintWriter;
import java.util.Locale;

/** The per-endpoint table and the gate verdict printed after replay, merge and demo. */
final class RunReport {

  private RunReport() {}

  static void print(PrintWriter out, ReplayResult r) {
    Statistics.RunResult s = r.result();
    int width = Math.max(30, s.endpoints().stream().mapToInt(e -> e.endpoint().length()).max().orElse(0));
    String row = "%-" + width + "s %9s %9s %9s %8s %7s %7s %9s %9s%n";
    out.printf(Locale.ROOT, row, "endpoint", "exchanges", "compared", "discrep.", "rate", "noise", "errors", "p50 ms", "p99 ms");
    for (Statistics.EndpointResult e : s.endpoints()) {
      RunAggregate.Latencies l = r.latencies().get(e.endpoint());
      out.printf(Locale.ROOT, row, e.endpoint(), e.exchanges(), e.compared(), e.discrepant(),
          Gate.percent(e.discrepancyRate()), e.noise(), e.errors() + e.serverErrors(),
          ms(l == null ? null : l.candidate.percentileMillis(0.5)), ms(l == null ? null : l.candidate.percentileMillis(0.99)));
    }
    out.printf(Locale.ROOT, row, "total", s.exchanges(), s.compared(), s.discrepant(), Gate.percent(s.discrepancyRate()),
        s.noise(), s.errors() + s.serverErrors(), "", "");
    out.printf(Locale.ROOT, "skipped %d, candidate errors %d, 5xx %d, no baseline %d%s%n", s.skipped(), s.errors(),
        s.serverErrors(), s.noBaseline(), r.late() > 0 ? ", late starts " + r.late() : "");
    if (r.abortReason() != null) {
      out.println("ABORTED: " + r.abortReason());
    } else if (r.incomplete()) {
      out.println("INCOMPLETE: the run was stopped before the end of the recording");
    }
    if (r.gateFailures().isEmpty()) {
      out.println(r.incomplete() ? "GATE: not passed (incomplete run)" : "GATE PASSED: discrepancy rate " + Gate.percent(s.discrepancyRate()));
    } else {
      r.gateFailures().forEach(f -> out.println("GATE FAILED: " + f));
    }
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}
