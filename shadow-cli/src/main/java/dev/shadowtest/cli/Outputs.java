package dev.shadowtest.cli;

import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.reports.Reports;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Writes a run directory's summary, CSV and HTML report (and its history entry) and says where they are. */
final class Outputs {

  private Outputs() {}

  static Reports.Written write(
      PrintWriter out,
      PrintWriter err,
      Path runDir,
      Path outDir,
      Rules rules,
      Gate gate,
      Path history) {
    return write(out, err, runDir, outDir, rules, gate, history, null);
  }

  static Reports.Written write(
      PrintWriter out,
      PrintWriter err,
      Path runDir,
      Path outDir,
      Rules rules,
      Gate gate,
      Path history,
      CsvOptions csv) {
    boolean newHistory = history != null && !Files.exists(history);
    Reports.Options options =
        Reports.Options.defaults()
            .withOut(outDir)
            .withRules(rules)
            .withGate(gate)
            .withHistory(history);
    Reports.Written w = Reports.write(runDir, csv == null ? options : csv.applyTo(options));
    w.warnings().forEach(x -> err.println("warning: " + Terminal.safe(x)));
    if (w.rejudged() != null) {
      out.println(Terminal.safe(w.rejudged()));
    }
    out.println("report: " + w.html().toAbsolutePath());
    out.println(
        "also:   "
            + w.summary()
            + ", "
            + w.csv()
            + ", "
            + (w.rejudged() != null
                ? w.summary().resolveSibling(Reports.RESULTS)
                : runDir.resolve(Reports.RESULTS)));
    if (w.historyEntry() != null) {
      out.println(
          "history: stored as "
              + w.historyEntry()
              + (newHistory ? " (new history directory)" : ""));
    }
    return w;
  }

  /** The constant of {@code type} named {@code value} (any case), or a one-line error naming the choices. */
  static <E extends Enum<E>> E choice(Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names =
          Arrays.stream(type.getEnumConstants())
              .map(c -> c.name().toLowerCase(Locale.ROOT))
              .toList();
      throw new picocli.CommandLine.TypeConversionException(
          "expected "
              + String.join(", ", names.subList(0, names.size() - 1))
              + " or "
              + names.get(names.size() - 1)
              + ", got \""
              + value
              + "\"");
    }
  }

  /** {@code --csv exact|grouped}. */
  static final class CsvRowsConverter
      implements picocli.CommandLine.ITypeConverter<Reports.CsvRows> {
    @Override
    public Reports.CsvRows convert(String value) {
      return choice(Reports.CsvRows.class, value);
    }
  }
}
