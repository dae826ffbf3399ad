package dev.shadowtest.reports.internal;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.CsvCells;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * {@code discrepancies.csv}, in one of two layouts ({@link Rows}). {@code EXACT}: one row per
 * difference of every discrepant exchange, and one row per exchange the candidate did not answer
 * (type {@code ERROR}). {@code GROUPED}: one row per field and kind of difference per discrepant
 * exchange, with how many places differed ({@code $.items[0].price} … {@code $.items[99].price}
 * is one row with count 100) and the first of them. Each difference says how it counts
 * ({@code noise}, {@code accepted} with the rules' reason). RFC 4180 (every value quoted, CRLF),
 * UTF-8 with a byte-order mark so that spreadsheets pick the encoding; values that a spreadsheet
 * would run as a formula ({@code =}, {@code +}, {@code @}, tab, or {@code -} not starting a
 * number) are prefixed with {@code '}.
 */
public final class DiscrepancyCsv implements AutoCloseable {

  /** The layout of the rows. */
  public enum Rows {
    /** One row per difference (26,000 rows for 950 exchanges with big arrays). */
    EXACT,
    /** One row per field and kind per exchange, with a count. */
    GROUPED
  }

  static final String[] HEADER = {
    "exchange_id",
    "endpoint",
    "method",
    "target",
    "verdict",
    "path",
    "field",
    "type",
    "expected",
    "actual",
    "noise",
    "accepted",
    "recorded_ms",
    "primary_ms",
    "candidate_ms"
  };

  static final String[] GROUPED_HEADER = {
    "exchange_id",
    "endpoint",
    "method",
    "target",
    "verdict",
    "field",
    "type",
    "count",
    "first_path",
    "expected",
    "actual",
    "noise",
    "accepted",
    "recorded_ms",
    "primary_ms",
    "candidate_ms"
  };

  private final CSVPrinter printer;
  private final Path temp;
  private final Path file;
  private final Rows rows;
  private final long maxRows;
  private long written;
  private long omitted;
  private boolean failed;

  private DiscrepancyCsv(CSVPrinter printer, Path temp, Path file, Rows rows, long maxRows) {
    this.printer = printer;
    this.temp = temp;
    this.file = file;
    this.rows = rows;
    this.maxRows = maxRows;
  }

  /** Rows written unless told otherwise: a spreadsheet opens it, and it stays bounded on any run. */
  public static final long DEFAULT_MAX_ROWS = 100_000;

  /** Rows that were not written because of the row limit. */
  public long omitted() {
    return omitted;
  }

  /** Writes exact rows beside {@code file}; {@link #close} moves it into place. */
  public static DiscrepancyCsv create(Path file) throws IOException {
    return create(file, Rows.EXACT);
  }

  /** Writes beside {@code file}, grouped or exact, at most {@code maxRows} rows; {@link #close} moves it into place. */
  public static DiscrepancyCsv create(Path file, boolean grouped, long maxRows) throws IOException {
    return create(file, grouped ? Rows.GROUPED : Rows.EXACT, maxRows);
  }

  /** Writes beside {@code file} in the {@code rows} layout; {@link #close} moves it into place. */
  public static DiscrepancyCsv create(Path file, Rows rows) throws IOException {
    return create(file, rows, DEFAULT_MAX_ROWS);
  }

  private static DiscrepancyCsv create(Path file, Rows rows, long maxRows) throws IOException {
    if (maxRows < 1) {
      throw new BadInputException("the CSV row limit must be at least 1, got " + maxRows);
    }
    Path temp = SecureFiles.temporarySibling(file);
    BufferedWriter w =
        new BufferedWriter(
            new OutputStreamWriter(SecureFiles.newOutputStream(temp), StandardCharsets.UTF_8),
            1 << 16);
    w.write('\uFEFF');
    CSVFormat format =
        CSVFormat.RFC4180
            .builder()
            .setQuoteMode(QuoteMode.ALL)
            .setHeader(rows == Rows.EXACT ? HEADER : GROUPED_HEADER)
            .get();
    return new DiscrepancyCsv(new CSVPrinter(w, format), temp, file, rows, maxRows);
  }

  /** False once the row limit is reached: the row is counted as omitted instead. */
  private boolean room() {
    if (written >= maxRows) {
      omitted++;
      return false;
    }
    written++;
    return true;
  }

  public void write(ResultLine line, String endpoint, Judgement.Judged judged) {
    try {
      if (line.verdict() == Verdict.CANDIDATE_ERROR) {
        if (!room()) {
          return;
        }
        if (rows == Rows.EXACT) {
          row(line, endpoint, "CANDIDATE_ERROR", "", "", "ERROR", "", line.error(), "false", "");
        } else {
          printer.printRecord(
              safe(line.id()),
              safe(endpoint),
              safe(line.method()),
              safe(line.target()),
              "CANDIDATE_ERROR",
              "",
              "ERROR",
              "1",
              "",
              "",
              safe(line.error()),
              "false",
              "",
              ms(line.recordedMicros()),
              ms(line.primaryMicros()),
              ms(line.candidateMicros()));
        }
      } else if (judged.discrepant()) {
        if (rows == Rows.EXACT) {
          for (Difference d : line.differences()) {
            if (!room()) {
              continue;
            }
            Judgement.Standing s = judged.standing(d);
            row(
                line,
                endpoint,
                "DIFFERENT",
                d.path(),
                d.field(),
                d.type().name(),
                d.expected(),
                d.actual(),
                Boolean.toString(s == Judgement.Standing.NOISE),
                d.accepted() == null ? "" : d.accepted());
          }
        } else {
          grouped(line, endpoint, judged);
        }
      }
    } catch (IOException e) {
      failed = true;
      throw new UncheckedIOException(e);
    }
  }

  private void grouped(ResultLine line, String endpoint, Judgement.Judged judged)
      throws IOException {
    Map<FieldKey, Difference> first = new LinkedHashMap<>();
    Map<FieldKey, Integer> counts = new HashMap<>();
    for (Difference d : line.differences()) {
      FieldKey k = new FieldKey(d.field(), d.type());
      first.putIfAbsent(k, d);
      counts.merge(k, 1, Integer::sum);
    }
    for (Map.Entry<FieldKey, Difference> g : first.entrySet()) {
      if (!room()) {
        continue;
      }
      Difference d = g.getValue();
      printer.printRecord(
          safe(line.id()),
          safe(endpoint),
          safe(line.method()),
          safe(line.target()),
          "DIFFERENT",
          safe(d.field()),
          d.type().name(),
          counts.get(g.getKey()).toString(),
          safe(d.path()),
          safe(d.expected()),
          safe(d.actual()),
          Boolean.toString(judged.standing(d) == Judgement.Standing.NOISE),
          safe(d.accepted()),
          ms(line.recordedMicros()),
          ms(line.primaryMicros()),
          ms(line.candidateMicros()));
    }
  }

  private void row(
      ResultLine l,
      String endpoint,
      String verdict,
      String path,
      String field,
      String type,
      String expected,
      String actual,
      String noise,
      String accepted)
      throws IOException {
    printer.printRecord(
        safe(l.id()),
        safe(endpoint),
        safe(l.method()),
        safe(l.target()),
        verdict,
        safe(path),
        safe(field),
        type,
        safe(expected),
        safe(actual),
        noise,
        safe(accepted),
        ms(l.recordedMicros()),
        ms(l.primaryMicros()),
        ms(l.candidateMicros()));
  }

  /** Neutralises spreadsheet formulas: recorded values are attacker-controlled. */
  static String safe(String v) {
    return CsvCells.safe(v);
  }

  private static String ms(Long micros) {
    return micros == null ? "" : String.format(Locale.ROOT, "%.3f", micros / 1000.0);
  }

  @Override
  public void close() throws IOException {
    try {
      if (omitted > 0 && !failed) {
        // the last row says the file is cut, in the file itself: nobody takes it for the whole run
        List<String> notice =
            new ArrayList<>(
                Collections.nCopies((rows == Rows.EXACT ? HEADER : GROUPED_HEADER).length, ""));
        notice.set(0, "(truncated)");
        notice.set(4, "TRUNCATED");
        notice.set(
            5,
            omitted + " more rows not written (the limit is " + maxRows + " rows: --csv-max-rows)");
        printer.printRecord(notice);
      }
      printer.close(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    if (failed) {
      Files.deleteIfExists(temp);
    } else {
      SecureFiles.commit(temp, file);
    }
  }
}
