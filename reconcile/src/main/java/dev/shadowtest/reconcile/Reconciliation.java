package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.CsvCells;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.reconcile.ReconcileResult.ColumnDifference;
import dev.shadowtest.reconcile.ReconcileResult.RowDifference;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * A reconciliation run with its outputs, as {@code shadow reconcile} makes it: the comparison
 * ({@link Reconciler}), then in the output directory {@value #SUMMARY}, {@value #CSV} (every
 * differing row, up to a limit) and {@value #HTML}, and the run stored in a history when one is
 * given.
 *
 * <pre>{@code
 * Reconciliation.Outcome o = Reconciliation.run(spec, Reconciliation.Options.defaults(out), System.err::println);
 * System.exit(o.summary().verdict() == Verdict.OK ? 0 : 1);
 * }</pre>
 */
public final class Reconciliation {

  /** The summary file of a run's directory. */
  public static final String SUMMARY = "summary.json";

  /** The differing rows. */
  public static final String CSV = "differences.csv";

  /** The report for reviewers. */
  public static final String HTML = "report.html";

  /** Differing rows written to the CSV by default; the rest are counted. */
  public static final long DEFAULT_MAX_CSV_ROWS = 1_000_000;

  static final String[] HEADER = {"dataset", "kind", "key", "column", "legacy", "candidate"};

  private Reconciliation() {}

  /**
   * Where the outputs go.
   *
   * @param out the run's directory (created when missing)
   * @param history a history directory the run is stored in, or null
   * @param maxCsvRows differing rows written to the CSV at most (the rest are counted in the
   *     summary as {@code differencesOmitted})
   */
  public record Options(Path out, Path history, long maxCsvRows) {
    public Options {
      if (out == null) {
        throw new BadInputException("an output directory is needed");
      }
      if (maxCsvRows < 0) {
        throw new BadInputException("the CSV row limit must be 0 or above, got " + maxCsvRows);
      }
    }

    /** {@code out}, no history, {@value #DEFAULT_MAX_CSV_ROWS} CSV rows. */
    public static Options defaults(Path out) {
      return new Options(out, null, DEFAULT_MAX_CSV_ROWS);
    }

    public Options withHistory(Path history) {
      return new Options(out, history, maxCsvRows);
    }

    public Options withMaxCsvRows(long maxCsvRows) {
      return new Options(out, history, maxCsvRows);
    }
  }

  /**
   * What a run made.
   *
   * @param storedIn the history file, or null without a history
   * @param trend the history's earlier runs and this one, oldest first (this one alone without a
   *     history)
   */
  public record Outcome(
      ReconcileSummary summary,
      ReconcileResult result,
      Path summaryFile,
      Path csv,
      Path report,
      Path storedIn,
      List<ReconcileSummary> trend) {}

  /**
   * Reads the spec in {@code specFile} and runs it. A run that fails, the spec included, is kept
   * in the history (when there is one) as failed, so that a failed night never passes the gate;
   * then its error is thrown.
   *
   * @throws BadInputException as {@link #run(ReconcileSpec, Options, Consumer)}, or for the spec
   */
  public static Outcome run(Path specFile, Options options, Consumer<String> warnings) {
    return run(specFile, options, warnings, failed -> {});
  }

  /**
   * As {@link #run(Path, Options, Consumer)}, telling {@code failures} the failed run's summary
   * (for its trigger) before its error is thrown.
   */
  public static Outcome run(
      Path specFile,
      Options options,
      Consumer<String> warnings,
      Consumer<ReconcileSummary> failures) {
    Instant started = Instant.now();
    ReconcileSpec spec = null;
    try {
      // a spec that cannot be read fails the run too: it leaves no earlier run to be read as its
      clearOutputs(options.out());
      spec = ReconcileSpec.load(specFile);
      return run(spec, options, warnings);
    } catch (RuntimeException e) {
      String why =
          e instanceof BadInputException
              ? e.getMessage()
              : "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
      ReconcileSummary failed =
          ReconcileSummary.failed(
              specFile.toString(),
              spec == null ? null : spec.legacy().label(),
              spec == null ? null : spec.candidate().label(),
              started,
              Instant.now(),
              why);
      try {
        failures.accept(failed);
      } catch (RuntimeException untold) {
        e.addSuppressed(untold);
      }
      if (options.history() != null) {
        try {
          ReconcileHistory.store(options.history(), failed);
        } catch (RuntimeException unstored) {
          e.addSuppressed(unstored);
          warnings.accept(
              "the failed run could not be kept in the history: " + unstored.getMessage());
        }
      }
      throw e;
    }
  }

  /** A run that fails leaves none of an earlier run's outputs to be read as its own. */
  private static void clearOutputs(Path out) {
    try {
      for (String f : List.of(SUMMARY, CSV, HTML)) {
        Files.deleteIfExists(out.resolve(f));
      }
    } catch (IOException e) {
      throw new BadInputException("cannot replace the run in " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code spec} and writes its outputs.
   *
   * @throws BadInputException as {@link Reconciler#run} does, or when an output cannot be written
   */
  public static Outcome run(ReconcileSpec spec, Options options, Consumer<String> warnings) {
    Path out = options.out();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new BadInputException("cannot create " + out + ": " + e.getMessage(), e);
    }
    clearOutputs(out);
    if (options.history() != null && Files.exists(options.history())) {
      ReconcileHistory.runs(options.history()); // an unreadable history fails before the run
    }
    Path csvFile = out.resolve(CSV);
    ReconcileResult result;
    long[] rows = new long[2];
    try (DifferencesCsv csv = new DifferencesCsv(csvFile, options.maxCsvRows())) {
      result = Reconciler.run(spec, warnings, csv::write);
      csv.commit();
      rows[0] = csv.written;
      rows[1] = csv.omitted;
    }
    ReconcileSummary summary = ReconcileSummary.of(spec, result, rows[0], rows[1]);
    Path summaryFile = out.resolve(SUMMARY);
    summary.write(summaryFile);
    List<ReconcileSummary> trend = new ArrayList<>();
    Path stored = null;
    if (options.history() != null) {
      stored = ReconcileHistory.store(options.history(), summary);
      ReconcileHistory.runs(options.history()).stream()
          .filter(run -> !run.isFailed())
          .forEach(trend::add);
    } else {
      trend.add(summary);
    }
    Path report = out.resolve(HTML);
    ReconcileReport.write(report, summary, result, trend);
    return new Outcome(summary, result, summaryFile, csvFile, report, stored, trend);
  }

  /**
   * {@value #CSV}: one line per differing column of a changed row, one line per row on one side
   * only; a composite key as a JSON array of its values; NULL as an unquoted empty field.
   */
  private static final class DifferencesCsv implements AutoCloseable {
    private final Path file;
    private final Path temp;
    private final CSVPrinter printer;
    private final long max;
    long written;
    long omitted;
    private boolean committed;

    DifferencesCsv(Path file, long max) {
      this.file = file;
      this.max = max;
      this.temp = SecureFiles.temporarySibling(file);
      try {
        BufferedWriter w =
            new BufferedWriter(
                new OutputStreamWriter(SecureFiles.newOutputStream(temp), StandardCharsets.UTF_8),
                1 << 16);
        w.write('\uFEFF');
        this.printer =
            new CSVPrinter(
                w,
                CSVFormat.RFC4180
                    .builder()
                    .setQuoteMode(QuoteMode.ALL_NON_NULL)
                    .setHeader(HEADER)
                    .get());
      } catch (IOException e) {
        throw new BadInputException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    void write(String dataset, RowDifference row) {
      if (written >= max) {
        omitted++;
        return;
      }
      written++;
      String key = key(row.key());
      String kind =
          switch (row.kind()) {
            case ONLY_LEGACY -> "only-legacy";
            case ONLY_CANDIDATE -> "only-candidate";
            case CHANGED -> "changed";
          };
      try {
        if (row.columns().isEmpty()) {
          printer.printRecord(CsvCells.safe(dataset), kind, CsvCells.safe(key), null, null, null);
        }
        for (ColumnDifference c : row.columns()) {
          printer.printRecord(
              CsvCells.safe(dataset),
              kind,
              CsvCells.safe(key),
              c.column(),
              value(c.legacy()),
              value(c.candidate()));
        }
      } catch (IOException e) {
        throw new BadInputException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    /** NULL as an empty field without quotes, an empty text as {@code ""} (as PostgreSQL's CSV). */
    private static String value(String v) {
      return v == null ? null : CsvCells.safe(v);
    }

    private static String key(List<String> key) {
      if (key.size() == 1) {
        return key.get(0);
      }
      StringBuilder b = new StringBuilder("[");
      for (String k : key) {
        if (b.length() > 1) {
          b.append(',');
        }
        b.append('"');
        for (char c : k.toCharArray()) {
          if (c == '"' || c == '\\') {
            b.append('\\').append(c);
          } else if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
        b.append('"');
      }
      return b.append(']').toString();
    }

    void commit() {
      try {
        printer.close();
        SecureFiles.commit(temp, file);
        committed = true;
      } catch (IOException e) {
        throw new BadInputException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      if (!committed) {
        try {
          printer.close();
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // the run failed already; its error is the one to tell
        }
      }
    }
  }
}
