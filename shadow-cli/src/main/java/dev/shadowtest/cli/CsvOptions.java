package dev.shadowtest.cli;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.reports.Reports;
import picocli.CommandLine.Option;

/** The layout and size of discrepancies.csv, shared by replay, merge and report. */
final class CsvOptions {

  @Option(
      names = "--csv",
      defaultValue = "exact",
      paramLabel = "exact|grouped",
      converter = Outputs.CsvRowsConverter.class,
      description =
          "discrepancies.csv: one row per difference (exact, the default), or one row per field and kind per exchange with a count (grouped).")
  Reports.CsvRows rows;

  @Option(
      names = "--csv-max-rows",
      defaultValue = "100000",
      paramLabel = "N",
      description =
          "Rows written to discrepancies.csv at most (default ${DEFAULT-VALUE}); a last row says how many were left out.")
  long maxRows;

  Reports.Options applyTo(Reports.Options o) {
    if (maxRows < 1) {
      throw new BadInputException("--csv-max-rows must be at least 1, got " + maxRows);
    }
    return o.withCsvRows(rows).withCsvMaxRows(maxRows);
  }
}
