package dev.shadowtest.reports.internal;

import dev.shadowtest.core.internal.SecureFiles;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Outcome;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * {@code discrepancies.csv}: one row per difference of every discrepant exchange, and one row per
 * exchange the candidate did not answer (type {@code ERROR}). RFC 4180 (every value quoted, CRLF),
 * UTF-8 with a byte-order mark so that spreadsheets pick the encoding; values that a spreadsheet
 * would run as a formula ({@code =}, {@code +}, {@code @}, tab, or {@code -} not starting a
 * number) are prefixed with {@code '}.
 */
public final class DiscrepancyCsv implements AutoCloseable {

  static final String[] HEADER = {"exchange_id", "endpoint", "method", "target", "verdict", "path", "field", "type",
      "expected", "actual", "noise", "recorded_ms", "primary_ms", "candidate_ms"};

  private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

  private final CSVPrinter printer;
  private final Path temp;
  private final Path file;
  private boolean failed;

  private DiscrepancyCsv(CSVPrinter printer, Path temp, Path file) {
    this.printer = printer;
    this.temp = temp;
    this.file = file;
  }

  /** Writes beside {@code file}; {@link #close} moves it into place. */
  public static DiscrepancyCsv create(Path file) throws IOException {
    Path temp = SecureFiles.temporarySibling(file);
    BufferedWriter w = new BufferedWriter(new OutputStreamWriter(SecureFiles.newOutputStream(temp), StandardCharsets.UTF_8), 1 << 16);
    w.write('\uFEFF');
    CSVFormat format = CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.ALL).setHeader(HEADER).get();
    return new DiscrepancyCsv(new CSVPrinter(w, format), temp, file);
  }

  /** How the run judged one exchange: counted discrepant, and per difference whether it is noise. */
  public record Judged(boolean discrepant, Map<Difference, Boolean> noise) {
    public boolean isNoise(Difference d) {
      return noise.getOrDefault(d, false);
    }
  }

  private static final Judged NOT_DISCREPANT = new Judged(false, Map.of());

  /**
   * Judges {@code line} as the statistics did: a DIFFERENT exchange counts as discrepant when one
   * of its differences is neither noise in this exchange nor a field the noise model classified as
   * noise for its endpoint.
   */
  public static Judged judge(ResultLine line, Map<FieldKey, Boolean> real) {
    if (line.verdict() != Verdict.DIFFERENT) {
      return NOT_DISCREPANT;
    }
    Outcome o = line.outcome();
    Map<Difference, Boolean> noise = new HashMap<>();
    boolean any = false;
    for (Difference d : line.differences()) {
      boolean isNoise = o.isNoise(d) || !real.getOrDefault(FieldKey.of(d), true);
      noise.put(d, isNoise);
      any |= !isNoise;
    }
    return new Judged(any, noise);
  }

  /** Per endpoint: whether each field counts (true) or was classified as noise (false). */
  public static Map<String, Map<FieldKey, Boolean>> realFields(Statistics.RunResult result) {
    Map<String, Map<FieldKey, Boolean>> out = new HashMap<>();
    for (Statistics.EndpointResult e : result.endpoints()) {
      Map<FieldKey, Boolean> m = out.computeIfAbsent(e.endpoint(), k -> new HashMap<>());
      for (Statistics.FieldResult f : e.fields()) {
        m.put(new FieldKey(f.field(), f.type()), f.real());
      }
    }
    return out;
  }

  public void write(ResultLine line, String endpoint, Judged judged) {
    try {
      if (line.verdict() == Verdict.CANDIDATE_ERROR) {
        row(line, endpoint, "CANDIDATE_ERROR", "", "", "ERROR", "", line.error(), "false");
      } else if (judged.discrepant()) {
        for (Difference d : line.differences()) {
          row(line, endpoint, "DIFFERENT", d.path(), d.field(), d.type().name(), d.expected(), d.actual(),
              Boolean.toString(judged.isNoise(d)));
        }
      }
    } catch (IOException e) {
      failed = true;
      throw new UncheckedIOException(e);
    }
  }

  private void row(ResultLine l, String endpoint, String verdict, String path, String field, String type, String expected,
      String actual, String noise) throws IOException {
    printer.printRecord(safe(l.id()), safe(endpoint), safe(l.method()), safe(l.target()), verdict, safe(path), safe(field),
        type, safe(expected), safe(actual), noise, ms(l.recordedMicros()), ms(l.primaryMicros()), ms(l.candidateMicros()));
  }

  /** Neutralises spreadsheet formulas: recorded values are attacker-controlled. */
  static String safe(String v) {
    if (v == null || v.isEmpty()) {
      return "";
    }
    char c = v.charAt(0);
    boolean formula = c == '=' || c == '+' || c == '@' || c == '\t' || c == '\r'
        || c == '-' && !NUMBER.matcher(v).matches();
    return formula ? "'" + v : v;
  }

  private static String ms(Long micros) {
    return micros == null ? "" : String.format(Locale.ROOT, "%.3f", micros / 1000.0);
  }

  @Override
  public void close() throws IOException {
    try {
      printer.close(true);
    } catch (IOException | RuntimeException e) {
      java.nio.file.Files.deleteIfExists(temp);
      throw e;
    }
    if (failed) {
      java.nio.file.Files.deleteIfExists(temp);
    } else {
      SecureFiles.commit(temp, file);
    }
  }
}
