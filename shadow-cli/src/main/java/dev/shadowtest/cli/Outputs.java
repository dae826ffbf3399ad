package dev.shadowtest.cli;

import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.reports.Reports;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Writes a run directory's summary, CSV and HTML report (and its history entry) and says where they are. */
final class Outputs {

  private Outputs() {}

  static Reports.Written write(PrintWriter out, PrintWriter err, Path runDir, Path outDir, Rules rules, Gate gate, Path history) {
    Reports.Written w = Reports.write(runDir, Reports.Options.defaults().withOut(outDir).withRules(rules).withGate(gate)
        .withHistory(history));
    w.warnings().forEach(x -> err.println("warning: " + x));
    out.println("report: " + w.html().toAbsolutePath());
    out.println("also:   " + w.summary() + ", " + w.csv() + ", " + runDir.resolve(Reports.RESULTS));
    if (w.historyEntry() != null) {
      out.println("history: stored as " + w.historyEntry());
    }
    return w;
  }
}
